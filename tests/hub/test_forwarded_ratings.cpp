// Forwarded ratings (Hub::accept_forwarded): a terminal may forward only what it recorded itself,
// for its own window, as the next link of its own chain. Every forged field is refused with the
// hash recomputed (the hash is plain SHA-256 anyone can compute) and nothing is stored.
#include <catch2/catch.hpp>

#include <functional>
#include <limits>

#include "hcp/store/verify.hpp"
#include "hub_fixture.hpp"

using namespace hcp;
using test::completed_report;
using test::good_draft;

namespace {

// A terminal of window 2 ("rater-02") that recorded ratings in its own store.
struct Terminal {
    test::TempDir dir;
    std::unique_ptr<Hub> hub;
    explicit Terminal(const std::string& device = "rater-02") {
        auto setup = test::hub_setup(dir / "terminal.db", device);
        setup.store.outbox_target = "hub";
        hub = std::make_unique<Hub>(setup, SecretKey::random());
    }
    Rating rate(const std::string& case_no, int window = 2, RatingDraft draft = {}) {
        if (draft.case_nos.empty()) draft = good_draft(case_no);
        REQUIRE(hub->report_case(completed_report(case_no, window)).ok());
        auto r = hub->submit_rating(draft);
        REQUIRE(r.ok());
        return r.value();
    }
};

void rehash(Rating& r) {
    r.hash = chain_hash(r.prev_hash, r);
}

long long count(const test::HubFixture& f, const std::string& sql) {
    return test::raw_int(f.dir / "hub.db", sql);
}

void check_nothing_stored(const test::HubFixture& f) {
    CHECK(f.hub->rating_count() == 0);
    CHECK(count(f, "SELECT count(*) FROM ratings") == 0);
    CHECK(count(f, "SELECT count(*) FROM superseded_ratings") == 0);
    CHECK(count(f, "SELECT count(*) FROM rating_slots") == 0);
    CHECK(count(f, "SELECT count(*) FROM outbox") == 0);
    CHECK(count(f, "SELECT count(*) FROM chain_heads") == 0);
    CHECK_FALSE(f.hub->open_requests(2).empty());
}

struct Forgery {
    const char* field;
    std::function<void(Rating&)> forge;
    HubErrc cause;
};

}  // namespace

TEST_CASE("Forwarded ratings: every forged field is refused and nothing is stored") {
    const std::vector<Forgery> forgeries = {
        {"device_id of another terminal", [](Rating& r) { r.device_id = "rater-03"; }, HubErrc::forbidden},
        {"device_id of the hub", [](Rating& r) { r.device_id = "hub-01"; }, HubErrc::forbidden},
        {"window", [](Rating& r) { r.window = 3; }, HubErrc::invalid_field},
        {"seq ahead of the chain", [](Rating& r) { r.seq = 2; }, HubErrc::out_of_order},
        {"seq at the int64 limit", [](Rating& r) { r.seq = std::numeric_limits<long long>::max(); },
         HubErrc::invalid_field},
        {"seq zero", [](Rating& r) { r.seq = 0; }, HubErrc::invalid_field},
        {"prev_hash", [](Rating& r) { r.prev_hash = std::string(64, 'a'); }, HubErrc::invalid_field},
        {"level out of range", [](Rating& r) { r.level = static_cast<Level>(9); }, HubErrc::invalid_field},
        {"level changed to a bare 差评", [](Rating& r) { r.level = Level::very_dissatisfied; },
         HubErrc::rule_violation},
        {"staff_number", [](Rating& r) { r.staff_number = "1001"; }, HubErrc::invalid_field},
        {"staff_name", [](Rating& r) { r.staff_name = "王某"; }, HubErrc::invalid_field},
        {"hall_code", [](Rating& r) { r.hall_code = "OTHER-0001"; }, HubErrc::invalid_field},
        {"area_code", [](Rating& r) { r.area_code = "110101000000"; }, HubErrc::invalid_field},
        {"item_code", [](Rating& r) { r.item_code = "X"; }, HubErrc::invalid_field},
        {"item_name", [](Rating& r) { r.item_name = "别的事项"; }, HubErrc::invalid_field},
        {"kind", [](Rating& r) { r.kind = CaseKind::promised; }, HubErrc::invalid_field},
        {"is_default", [](Rating& r) { r.is_default = true; }, HubErrc::forbidden},
        {"channel", [](Rating& r) { r.channel = Channel::qr_code; }, HubErrc::forbidden},
        {"catalog_version", [](Rating& r) { r.catalog_version = 99; }, HubErrc::invalid_field},
        {"catalog_id", [](Rating& r) { r.catalog_id = "other"; }, HubErrc::invalid_field},
        {"option_labels",
         [](Rating& r) {
             r.level = Level::dissatisfied;
             r.option_codes = {"101"};
             r.option_labels = {"伪造的原因"};
         },
         HubErrc::invalid_field},
        {"case_nos of an unknown case", [](Rating& r) { r.case_nos = {"NO-SUCH-CASE"}; }, HubErrc::unknown_case},
        {"tapped_at before 2000", [](Rating& r) { r.tapped_at = TimePoint{std::chrono::milliseconds{1}}; },
         HubErrc::invalid_field},
        {"tapped_at far ahead",
         [](Rating& r) { r.tapped_at = TimePoint{std::chrono::milliseconds{std::numeric_limits<long long>::max()}}; },
         HubErrc::invalid_field},
    };
    for (const auto& forgery : forgeries) {
        DYNAMIC_SECTION("forged " << forgery.field) {
            test::HubFixture f;
            Terminal terminal;
            Rating r = terminal.rate("C-1");
            REQUIRE(f.hub->report_case(completed_report("C-1", 2)).ok());
            forgery.forge(r);
            rehash(r);
            auto res = f.hub->accept_forwarded(r, ForwardSender{"rater-02", 2});
            REQUIRE_FALSE(res.ok());
            CHECK(res.error().cause == forgery.cause);
            CHECK_FALSE(res.error().message_zh.empty());
            check_nothing_stored(f);
        }
    }
}

TEST_CASE("Forwarded ratings: a terminal cannot forward another device's rating or a case of another window") {
    test::HubFixture f;
    Terminal terminal;
    Rating r = terminal.rate("C-1");
    REQUIRE(f.hub->report_case(completed_report("C-1", 2)).ok());
    CHECK(f.hub->accept_forwarded(r, ForwardSender{"rater-03", 3}).error().cause == HubErrc::forbidden);
    CHECK(f.hub->accept_forwarded(r, ForwardSender{"ticket-01", 0}).error().cause == HubErrc::forbidden);
    check_nothing_stored(f);

    // A window-3 terminal's own rating of a case served at window 2.
    Terminal other("rater-03");
    Rating foreign = other.rate("C-1");
    CHECK(f.hub->accept_forwarded(foreign, ForwardSender{"rater-03", 3}).error().cause == HubErrc::wrong_window);
    check_nothing_stored(f);

    // The honest sender is still welcome afterwards.
    auto ok = f.hub->accept_forwarded(r, ForwardSender{"rater-02", 2});
    REQUIRE(ok.ok());
    CHECK(ok.value() == ForwardOutcome::inserted);
}

TEST_CASE("Forwarded ratings: the hub's own chain continues after a forged forward was refused") {
    test::HubFixture f;
    Terminal terminal("hub-01");
    Rating forged = terminal.rate("C-9");
    forged.seq = std::numeric_limits<long long>::max();
    rehash(forged);
    REQUIRE(f.hub->report_case(completed_report("C-9", 2)).ok());
    CHECK_FALSE(f.hub->accept_forwarded(forged, ForwardSender{"hub-01", 2}).ok());
    auto own = f.hub->submit_rating(good_draft("C-9"), Submitter{2});
    REQUIRE(own.ok());
    CHECK(own.value().seq == 1);
    CHECK(verify_store(f.dir / "hub.db", std::nullopt).ok());
}

TEST_CASE("Forwarded ratings: links arrive in order, a later one waits for the earlier one") {
    test::HubFixture f;
    Terminal terminal;
    Rating first = terminal.rate("C-1");
    Rating second = terminal.rate("C-2");
    REQUIRE(f.hub->report_case(completed_report("C-1", 2)).ok());
    REQUIRE(f.hub->report_case(completed_report("C-2", 2)).ok());
    CHECK(f.hub->accept_forwarded(second, ForwardSender{"rater-02", 2}).error().cause == HubErrc::out_of_order);
    CHECK(f.hub->rating_count() == 0);
    REQUIRE(f.hub->accept_forwarded(first, ForwardSender{"rater-02", 2}).ok());
    REQUIRE(f.hub->accept_forwarded(second, ForwardSender{"rater-02", 2}).ok());
    CHECK(f.hub->rating_count() == 2);
    CHECK(verify_store(f.dir / "hub.db", std::nullopt).ok());
}

TEST_CASE("Forwarded ratings: a link whose case was rated meanwhile is kept as superseded and the chain has no gap") {
    test::HubFixture f;
    Terminal terminal;
    Rating first = terminal.rate("C-1");
    Rating second = terminal.rate("C-2");
    REQUIRE(f.hub->report_case(completed_report("C-1", 2)).ok());
    REQUIRE(f.hub->report_case(completed_report("C-2", 2)).ok());
    // The citizen rated C-1 again at the hub (e.g. by the receipt QR) before the terminal's copy arrived.
    auto at_hub = f.hub->submit_rating(good_draft("C-1"));
    REQUIRE(at_hub.ok());

    auto refused = f.hub->accept_forwarded(first, ForwardSender{"rater-02", 2});
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().cause == HubErrc::already_rated);
    // Sent again (the answer was lost): the same answer, nothing more written.
    CHECK(f.hub->accept_forwarded(first, ForwardSender{"rater-02", 2}).error().cause == HubErrc::already_rated);
    REQUIRE(f.hub->accept_forwarded(second, ForwardSender{"rater-02", 2}).ok());

    CHECK(f.hub->rating_count() == 2);  // the hub's own and the terminal's second
    CHECK(count(f, "SELECT count(*) FROM superseded_ratings") == 1);
    CHECK(test::raw_text(f.dir / "hub.db", "SELECT superseded_by FROM superseded_ratings") == at_hub.value().id);
    CHECK(count(f, "SELECT count(*) FROM outbox WHERE rating_id = '" + first.id + "'") == 0);
    auto report = verify_store(f.dir / "hub.db", std::nullopt);
    CHECK(report.ok());
    CHECK(report.ratings == 2);
    REQUIRE(report.superseded.size() == 1);
    CHECK(report.superseded.front().device_id == "rater-02");
    CHECK(report.superseded.front().seq == 1);
    CHECK(report.superseded.front().superseded_by == at_hub.value().id);
}

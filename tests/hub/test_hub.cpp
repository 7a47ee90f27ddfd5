// The hub core: reported cases open the rating on the right terminal, ratings are stored with
// the hall's context, refusals store nothing, forwarded ratings are taken once.
#include <catch2/catch.hpp>

#include "hcp/hub/hub.hpp"
#include "hub_fixture.hpp"

using namespace hcp;
using test::completed_report;
using test::good_draft;

TEST_CASE("Hub: a completed case opens the rating on its window with item and staff") {
    test::HubFixture f;
    auto reply = f.hub->report_case(completed_report("C-1", 2));
    REQUIRE(reply.ok());
    CHECK(reply.value().rating_opened);
    CHECK(reply.value().opened_window == 2);
    CHECK(reply.value().target == RatingTarget::both);
    auto events = f.hub->events().since(0, EventFilter{2});
    REQUIRE(events.events.size() == 1);
    const auto& e = events.events.front();
    CHECK(e.type == HubEventType::rating_requested);
    REQUIRE(e.request);
    CHECK(e.request->cases.at(0).staff.name == "李娜");
    CHECK(e.request->cases.at(0).applicant.name.empty());
    CHECK(f.hub->events().since(0, EventFilter{3}).events.empty());
    CHECK(f.hub->find_case("C-1")->applicant.name.reveal() == "张三丰");
}

TEST_CASE("Hub: a self-service case opens an item-only rating on window 0") {
    test::HubFixture f;
    auto reply = f.hub->report_case(completed_report("S-1", 0));
    REQUIRE(reply.ok());
    CHECK(reply.value().target == RatingTarget::item);
    auto req = f.hub->open_requests(0);
    REQUIRE(req.size() == 1);
    CHECK(req.front().channel == Channel::self_service);
}

TEST_CASE("Hub: a promised case at acceptance opens a staff-only rating, an immediate one opens nothing") {
    test::HubFixture f;
    auto promised = completed_report("P-1", 1);
    promised.kind = CaseKind::promised;
    promised.stage = Stage::accepted;
    auto r1 = f.hub->report_case(promised);
    REQUIRE(r1.ok());
    CHECK(r1.value().rating_opened);
    CHECK(r1.value().target == RatingTarget::staff);
    auto immediate = completed_report("I-1", 3);
    immediate.stage = Stage::accepted;
    auto r2 = f.hub->report_case(immediate);
    REQUIRE(r2.ok());
    CHECK_FALSE(r2.value().rating_opened);
    CHECK(f.hub->open_requests(3).empty());
}

TEST_CASE("Hub: reports with missing, oversized or non-UTF-8 fields are refused and store nothing") {
    test::HubFixture f;
    auto missing = completed_report("");
    auto r = f.hub->report_case(missing);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().cause == HubErrc::invalid_field);
    CHECK(r.error().field == "case_no");

    auto no_item = completed_report("C-2");
    no_item.item_name.clear();
    CHECK(f.hub->report_case(no_item).error().field == "item_name");

    auto long_name = completed_report("C-3");
    long_name.staff_name = std::string(kMaxNameBytes + 1, 'x');
    CHECK(f.hub->report_case(long_name).error().field == "staff_name");

    auto bad_utf8 = completed_report("C-4");
    bad_utf8.item_name = "\xff\xfe broken";
    CHECK(f.hub->report_case(bad_utf8).error().field == "item_name");

    auto slash = completed_report("../etc/passwd");
    CHECK(f.hub->report_case(slash).error().field == "case_no");

    CHECK_FALSE(f.hub->find_case("C-2"));
    CHECK_FALSE(f.hub->find_case("C-3"));
    CHECK_FALSE(f.hub->find_case("C-4"));
    CHECK(f.hub->events().last_id() == 0);
}

TEST_CASE("Hub: a report for a window the hall does not have is refused") {
    test::HubFixture f;
    auto r = f.hub->report_case(completed_report("C-9", 42));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().cause == HubErrc::unknown_window);
    CHECK_FALSE(f.hub->find_case("C-9"));
}

TEST_CASE("Hub: a completed case cannot be reported as accepted again") {
    test::HubFixture f;
    REQUIRE(f.hub->report_case(completed_report("C-1")).ok());
    auto back = completed_report("C-1");
    back.stage = Stage::accepted;
    CHECK(f.hub->report_case(back).error().cause == HubErrc::conflict);
    CHECK(f.hub->find_case("C-1")->stage == Stage::completed);
}

TEST_CASE("Hub: a stored rating closes the request and publishes its id but not its level") {
    test::HubFixture f;
    REQUIRE(f.hub->report_case(completed_report("C-1", 2)).ok());
    auto r = f.hub->submit_rating(good_draft("C-1"), Submitter{2});
    REQUIRE(r.ok());
    CHECK(r.value().hall_code == "DEMO-0001");
    CHECK(r.value().device_id == "hub-01");
    CHECK(f.hub->open_requests(2).empty());
    auto events = f.hub->events().since(0, EventFilter{2});
    REQUIRE(events.events.size() == 2);
    CHECK(events.events.back().type == HubEventType::rating_stored);
    CHECK(events.events.back().rating_id == r.value().id);
    CHECK(f.hub->rating_count() == 1);
    CHECK(f.hub->rated_slots("C-1").size() == 2);
}

TEST_CASE("Hub: a second rating of the same case is refused as already rated") {
    test::HubFixture f;
    REQUIRE(f.hub->report_case(completed_report("C-1", 2)).ok());
    REQUIRE(f.hub->submit_rating(good_draft("C-1"), Submitter{2}).ok());
    auto again = f.hub->submit_rating(good_draft("C-1"), Submitter{2});
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().cause == HubErrc::already_rated);
    CHECK(again.error().message_zh.find("已经评价") != std::string::npos);
    CHECK(f.hub->rating_count() == 1);
}

TEST_CASE("Hub: a terminal cannot rate a case that is open on another window") {
    test::HubFixture f;
    REQUIRE(f.hub->report_case(completed_report("C-1", 2)).ok());
    auto r = f.hub->submit_rating(good_draft("C-1"), Submitter{3});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().cause == HubErrc::wrong_window);
    CHECK(f.hub->rating_count() == 0);
    auto unknown = f.hub->submit_rating(good_draft("NOPE"), Submitter{3});
    CHECK(unknown.error().cause == HubErrc::unknown_case);
}

TEST_CASE("Hub: a 差评 without option or text is refused with the screen's message") {
    test::HubFixture f;
    REQUIRE(f.hub->report_case(completed_report("C-1", 2)).ok());
    auto d = good_draft("C-1");
    d.level = Level::dissatisfied;
    auto r = f.hub->submit_rating(d, Submitter{2});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().cause == HubErrc::rule_violation);
    CHECK(r.error().violation == RuleViolation::bad_rating_needs_reason);
    CHECK(r.error().message_zh == message_zh(RuleViolation::bad_rating_needs_reason));
    d.option_codes = {"303"};
    CHECK(f.hub->submit_rating(d, Submitter{2}).ok());
}

TEST_CASE("Hub: one rating of a batch rates every case in it") {
    test::HubFixture f;
    auto rep = completed_report("B-1", 1);
    rep.batch = {"B-2", "B-3"};
    auto reply = f.hub->report_case(rep);
    REQUIRE(reply.ok());
    CHECK(reply.value().case_nos.size() == 3);
    auto r = f.hub->submit_rating(good_draft("B-1"), Submitter{1});
    REQUIRE(r.ok());
    CHECK(r.value().case_nos.size() == 3);
    CHECK(f.hub->rated_slots("B-3").size() == 2);
    CHECK(f.hub->open_requests(1).empty());
}

TEST_CASE("Hub: a theme can be rated per item, each item once") {
    test::HubFixture f;
    auto rep = completed_report("T-1", 1);
    rep.theme_id = "THEME-1";
    rep.theme_items = {{"T-2", "ITEM-2", "第二个事项"}};
    auto reply = f.hub->report_case(rep);
    REQUIRE(reply.ok());
    auto req = f.hub->open_requests(1);
    REQUIRE(req.size() == 1);
    CHECK(req.front().theme);
    CHECK(req.front().cases.size() == 2);
    REQUIRE(f.hub->submit_rating(good_draft("T-1"), Submitter{1}).ok());
    // The other item stays open until it is rated.
    REQUIRE(f.hub->open_requests(1).size() == 1);
    REQUIRE(f.hub->submit_rating(good_draft("T-2"), Submitter{1}).ok());
    CHECK(f.hub->open_requests(1).empty());
    CHECK(f.hub->submit_rating(good_draft("T-2"), Submitter{1}).error().cause == HubErrc::already_rated);
}

TEST_CASE("Hub: a new case on a window cancels the request that was open there") {
    test::HubFixture f;
    REQUIRE(f.hub->report_case(completed_report("C-1", 2)).ok());
    REQUIRE(f.hub->report_case(completed_report("C-2", 2)).ok());
    auto req = f.hub->open_requests(2);
    REQUIRE(req.size() == 1);
    CHECK(req.front().cases.front().case_no == "C-2");
    auto events = f.hub->events().since(0, EventFilter{2}).events;
    REQUIRE(events.size() == 3);
    CHECK(events[1].type == HubEventType::rating_cancelled);
    CHECK(events[1].case_nos.front() == "C-1");
}

TEST_CASE("Hub: not rated closes the request without storing a rating") {
    test::HubFixture f;
    REQUIRE(f.hub->report_case(completed_report("C-1", 2)).ok());
    CHECK(f.hub->record_not_rated("C-1", 2));
    CHECK_FALSE(f.hub->record_not_rated("C-1", 2));
    CHECK(f.hub->open_requests(2).empty());
    CHECK(f.hub->rating_count() == 0);
    CHECK(f.hub->events().since(0, EventFilter{2}).events.back().type == HubEventType::not_rated);
}

TEST_CASE("Hub: a rating forwarded by a terminal is stored once with its own id and chain") {
    test::HubFixture f;
    // The terminal recorded the rating in its own store while the hub was unreachable.
    test::TempDir tdir;
    auto tsetup = test::hub_setup(tdir / "terminal.db", "rater-02");
    tsetup.store.outbox_target = "hub";
    Hub terminal(tsetup, SecretKey::random());
    REQUIRE(terminal.report_case(completed_report("C-1", 2)).ok());
    auto local = terminal.submit_rating(good_draft("C-1"));
    REQUIRE(local.ok());

    REQUIRE(f.hub->report_case(completed_report("C-1", 2)).ok());
    auto first = f.hub->accept_forwarded(local.value(), ForwardSender{"rater-02", 2});
    REQUIRE(first.ok());
    CHECK(first.value() == ForwardOutcome::inserted);
    auto second = f.hub->accept_forwarded(local.value(), ForwardSender{"rater-02", 2});
    REQUIRE(second.ok());
    CHECK(second.value() == ForwardOutcome::duplicate);
    CHECK(f.hub->rating_count() == 1);
    CHECK(f.hub->open_requests(2).empty());
    CHECK(test::raw_text(f.dir / "hub.db", "SELECT device_id FROM ratings") == "rater-02");
    CHECK(test::raw_int(f.dir / "hub.db", "SELECT count(*) FROM outbox WHERE target = 'platform'") == 1);

    auto tampered = local.value();
    tampered.id = "another-id";
    tampered.level = Level::very_satisfied == tampered.level ? Level::satisfied : Level::very_satisfied;
    CHECK(f.hub->accept_forwarded(tampered, ForwardSender{"rater-02", 2}).error().cause == HubErrc::invalid_field);
}

TEST_CASE("Hub: a forwarded rating for a case rated meanwhile on the hub is refused") {
    test::HubFixture f;
    test::TempDir tdir;
    auto tsetup = test::hub_setup(tdir / "terminal.db", "rater-02");
    Hub terminal(tsetup, SecretKey::random());
    REQUIRE(terminal.report_case(completed_report("C-1", 2)).ok());
    auto local = terminal.submit_rating(good_draft("C-1"));
    REQUIRE(local.ok());
    REQUIRE(f.hub->report_case(completed_report("C-1", 2)).ok());
    REQUIRE(f.hub->submit_rating(good_draft("C-1"), Submitter{2}).ok());
    CHECK(f.hub->accept_forwarded(local.value(), ForwardSender{"rater-02", 2}).error().cause == HubErrc::already_rated);
    CHECK(f.hub->rating_count() == 1);
}

TEST_CASE("Hub: the same completed case reported twice keeps one open request and cancels nothing") {
    test::HubFixture f;
    REQUIRE(f.hub->report_case(completed_report("C-1", 2)).ok());
    REQUIRE(f.hub->report_case(completed_report("C-1", 2)).ok());
    CHECK(f.hub->open_requests(2).size() == 1);
    for (const auto& e : f.hub->events().since(0, EventFilter{2}).events)
        CHECK(e.type != HubEventType::rating_cancelled);
    REQUIRE(f.hub->submit_rating(good_draft("C-1"), Submitter{2}).ok());
    // Reported again after the rating: no new request opens.
    auto again = f.hub->report_case(completed_report("C-1", 2));
    REQUIRE(again.ok());
    CHECK_FALSE(again.value().rating_opened);
}

TEST_CASE("Hub: a case reported again keeps the time it was first accepted and completed") {
    test::HubFixture f;
    const TimePoint first = *parse_iso8601("2026-10-08T10:00:00.217+08:00");
    auto report = completed_report("C-1", 2);
    report.at = first;
    REQUIRE(f.hub->report_case(report).ok());
    REQUIRE(f.hub->submit_rating(good_draft("C-1"), Submitter{2}).ok());
    // The business system sends the same completion again, after the rating.
    report.at = *parse_iso8601("2026-10-08T10:00:00.625+08:00");
    REQUIRE(f.hub->report_case(report).ok());
    const auto c = f.hub->find_case("C-1");
    REQUIRE(c);
    REQUIRE(c->completed_at);
    CHECK(*c->completed_at == first);
    CHECK(c->accepted_at == first);
}

TEST_CASE("Hub: a case rated elsewhere withdraws its rating screen on the window's terminal") {
    test::HubFixture f;
    REQUIRE(f.hub->report_case(completed_report("C-1", 2)).ok());
    // Rated by the receipt QR (no terminal) while open on window 2.
    REQUIRE(f.hub->submit_rating(good_draft("C-1"), Submitter{}).ok());
    CHECK(f.hub->open_requests(2).empty());
    auto cancelled_on_2 = [&](const std::string& case_no) {
        for (const auto& e : f.hub->events().since(0, EventFilter{2}).events)
            if (e.type == HubEventType::rating_cancelled && e.case_nos == std::vector<std::string>{case_no})
                return true;
        return false;
    };
    CHECK(cancelled_on_2("C-1"));
    // Rated on its own terminal: the terminal thanks the citizen; nothing is withdrawn.
    REQUIRE(f.hub->report_case(completed_report("C-2", 2)).ok());
    REQUIRE(f.hub->submit_rating(good_draft("C-2"), Submitter{2}).ok());
    CHECK_FALSE(cancelled_on_2("C-2"));
}

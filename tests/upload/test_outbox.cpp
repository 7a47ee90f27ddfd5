// The upload side of the outbox: claiming, marking, sync state for the admin, the purge of
// personal data and default ratings (no network here).
#include <catch2/catch.hpp>
#include <map>

#include "hcp/store/unrated.hpp"
#include "upload_test_util.hpp"

using namespace hcp;
using namespace hcp::test;
using namespace std::chrono_literals;

namespace {

struct Hub {
    TempDir dir;
    HallFixture hall{assets_dir()};
    std::filesystem::path db = dir / "hub.db";
    Store store;
    std::vector<Rating> ratings;
    explicit Hub(int n) : store(open_store(db)) {
        for (int i = 0; i < n; ++i)
            ratings.push_back(add_rated_case(store, hall, i + 1, base_time() + std::chrono::minutes{i}));
    }
    static Store open_store(const std::filesystem::path& db) {
        StoreOptions o;
        o.path = db;
        o.device_id = "hub-01";
        o.durability = Durability::off_for_fixtures;
        o.min_free_bytes = 0;
        return Store::open(o, SecretKey::random());
    }
    std::vector<std::string> ids(size_t from, size_t to) const {
        std::vector<std::string> out;
        for (size_t i = from; i < to; ++i) out.push_back(ratings.at(i).id);
        return out;
    }
};

}  // namespace

TEST_CASE("Claim returns due ratings of one device in seq order and leases them") {
    Hub hub(5);
    auto q = OutboxQueue::open(hub.db);
    auto now = hcp::now() + 1min;  // outbox rows are due from their recording time
    auto batch = q.claim(3, now, now + 1min);
    REQUIRE(batch.ratings.size() == 3);
    CHECK(batch.device_id == "hub-01");
    CHECK(batch.chain_head.seq == 5);
    for (size_t i = 0; i < 3; ++i) CHECK(batch.ratings[i].seq == static_cast<long long>(i + 1));
    // Leased rows are not due again until the lease ends; the rest are.
    auto next = q.claim(10, now, now + 1min);
    REQUIRE(next.ratings.size() == 2);
    CHECK(next.ratings[0].seq == 4);
    CHECK(q.claim(10, now, now + 1min).ratings.empty());
    CHECK(q.claim(10, now + 2min, now + 3min).ratings.size() == 5);
}

TEST_CASE("Acknowledged rows are never claimed again and rejected rows do not block the queue") {
    Hub hub(4);
    auto q = OutboxQueue::open(hub.db);
    auto now = hcp::now() + 1min;  // outbox rows are due from their recording time
    auto b = q.claim(10, now, now + 1min);
    q.mark_acked(hub.ids(0, 2), now);
    q.mark_rejected(hub.ratings[2].id, "level must be 1..5", now);
    q.mark_retry(hub.ids(3, 4), "HTTP 503", now);
    auto again = q.claim(10, now, now + 1min);
    REQUIRE(again.ratings.size() == 1);
    CHECK(again.ratings[0].id == hub.ratings[3].id);
    auto rejected = hub.store.outbox(OutboxState::rejected);
    REQUIRE(rejected.size() == 1);
    CHECK(rejected[0].last_error == "level must be 1..5");
    CHECK(hub.store.outbox(OutboxState::acked).size() == 2);
    // An acked row stays acked even if a late retry or rejection names it.
    q.mark_retry(hub.ids(0, 1), "late", now);
    q.mark_rejected(hub.ratings[0].id, "late", now);
    CHECK(hub.store.outbox(OutboxState::acked).size() == 2);
}

TEST_CASE("A retried row is due again only at its next attempt time and counts the attempt") {
    Hub hub(1);
    auto q = OutboxQueue::open(hub.db);
    auto now = hcp::now() + 1min;  // outbox rows are due from their recording time
    q.claim(1, now, now + 1min);
    q.mark_retry(hub.ids(0, 1), "transport failure", now + 30s);
    CHECK(q.claim(1, now + 29s, now + 2min).ratings.empty());
    REQUIRE(q.next_due());
    CHECK(*q.next_due() == now + 30s);
    CHECK(q.claim(1, now + 30s, now + 2min).ratings.size() == 1);
    CHECK(hub.store.outbox().at(0).attempts == 1);
}

TEST_CASE("After a restart rows that were in flight are due at once") {
    Hub hub(3);
    auto now = hcp::now() + 1min;  // outbox rows are due from their recording time
    {
        auto q = OutboxQueue::open(hub.db);
        q.claim(3, now, now + 10min);
    }
    auto q = OutboxQueue::open(hub.db);
    CHECK(q.claim(3, now, now + 10min).ratings.empty());
    CHECK(q.requeue_in_flight(now) == 3);
    CHECK(q.claim(3, now, now + 10min).ratings.size() == 3);
}

TEST_CASE("A resent rating carries the same tap time and hash as the first send") {
    Hub hub(2);
    auto q = OutboxQueue::open(hub.db);
    auto now = hcp::now() + 1min;
    auto first = q.claim(2, now, now + 1min);
    q.mark_retry(hub.ids(0, 2), "timeout", now);
    auto second = q.claim(2, now + 1h, now + 2h);
    REQUIRE(first.ratings.size() == 2);
    REQUIRE(second.ratings.size() == 2);
    for (size_t i = 0; i < 2; ++i) {
        CHECK(second.ratings[i].tapped_at == hub.ratings[i].tapped_at);
        CHECK(second.ratings[i].tapped_at == first.ratings[i].tapped_at);
        CHECK(second.ratings[i].hash == first.ratings[i].hash);
    }
}

TEST_CASE("Sync state counts what is not uploaded and how long the oldest has waited") {
    Hub hub(3);
    auto q = OutboxQueue::open(hub.db);
    auto now = base_time() + 3h + 12min;
    auto s = q.sync_state();
    CHECK(s.not_uploaded == 3);
    REQUIRE(s.oldest_not_uploaded);
    CHECK(*s.oldest_not_uploaded == base_time());
    CHECK(s.summary(now) == "3 not uploaded, oldest 3 h 12 min");
    CHECK(s.summary_zh(now).find("3 条评价未上传") != std::string::npos);
    CHECK(s.summary_zh(now).find("3 小时 12 分钟") != std::string::npos);
    q.note_error("HTTP 503 from the platform", now);
    q.mark_acked(hub.ids(0, 2), now);
    q.mark_rejected(hub.ratings[2].id, "bad", now);
    s = q.sync_state();
    CHECK(s.not_uploaded == 0);
    CHECK(s.uploaded == 2);
    CHECK(s.rejected == 1);
    CHECK(s.last_error == "HTTP 503 from the platform");
    CHECK(s.summary(now).find("last error: HTTP 503") != std::string::npos);
    q.note_success(now);
    CHECK(q.sync_state().last_error.empty());
    CHECK(q.sync_state().last_success_at == now);
    CHECK(format_age(std::chrono::hours{50}) == "2 d 2 h");
}

TEST_CASE("Personal data is purged only after every rating of the case was accepted N days ago") {
    Hub hub(3);
    auto q = OutboxQueue::open(hub.db);
    auto acked_at = base_time() + 1h;
    q.mark_acked(hub.ids(0, 2), acked_at);  // CASE-1, CASE-2 accepted; CASE-3 still waiting
    CHECK(q.purge_personal_data(acked_at + 24h * 29, 30) == 0);
    CHECK(hub.store.find_case("CASE-1")->applicant.name.reveal() == "张三丰");
    CHECK(q.purge_personal_data(acked_at + 24h * 30, 30) == 2);
    auto purged = hub.store.find_case("CASE-1");
    REQUIRE(purged);
    CHECK(purged->applicant.name.empty());
    CHECK(purged->applicant.phone.empty());
    CHECK(purged->applicant.id_number.empty());
    CHECK(hub.store.find_case("CASE-3")->applicant.phone.reveal() == "13812341234");
    // The ratings themselves are untouched (append-only) and still verify.
    CHECK(hub.store.find_rating(hub.ratings[0].id)->hash == hub.ratings[0].hash);
    CHECK(q.purge_personal_data(acked_at + 24h * 365, 30) == 0);  // nothing left to purge
}

TEST_CASE("Cases left unrated past their deadline get a default rating flagged as default") {
    Hub hub(0);
    // Completed Thursday 2026-10-08 09:00; Gansu: reminder after 24 h, default 5 working days later.
    auto completed = base_time();
    save_completed_case(hub.store, "CASE-X", completed);
    WorkCalendar calendar;
    auto policy = UnratedPolicy::gansu();
    auto due = *unrated_deadlines(completed, calendar, policy).default_due;
    ReminderBook book = ReminderBook::open(hub.db);
    const auto run_at = [&](TimePoint t) {
        return process_unrated_cases(hub.store, book, hub.hall.context(), calendar, policy, ReminderChannelKind::sms,
                                     t);
    };

    auto early = run_at(due - 1h);
    CHECK(early.defaults_recorded == 0);
    CHECK(early.reminders_filed == 1);  // the reminder fell due 24 h after completion
    CHECK(early.not_yet_due == 1);
    CHECK(hub.store.rating_count() == 0);
    REQUIRE(book.find("CASE-X"));
    CHECK(book.find("CASE-X")->state == ReminderState::pending);

    auto run = run_at(due + 1h);
    CHECK(run.defaults_recorded == 1);
    CHECK(run.reminders_filed == 0);  // a case is reminded once, ever
    CHECK(run.failures.empty());
    REQUIRE(hub.store.rating_count() == 1);
    auto r = hub.store.ratings_between(completed, due + 2h);
    REQUIRE(r.size() == 1);
    CHECK(r[0].is_default);
    CHECK(r[0].channel == Channel::system_default);
    CHECK(r[0].level == *policy.default_level);
    CHECK(r[0].case_nos == std::vector<std::string>{"CASE-X"});
    CHECK(hub.store.outbox(OutboxState::pending).size() == 1);  // uploaded like the rest
    // Running again records nothing more.
    CHECK(run_at(due + 5h).defaults_recorded == 0);
    CHECK(hub.store.rating_count() == 1);
    // The empty calendar knows no notice: the count is kept as provisional beside the rating.
    CHECK(hub.store.default_calendar(r[0].id) == "provisional 2026");
}

TEST_CASE("A default counted across a year without its notice is recorded on time and says so") {
    Hub hub(0);
    const WorkCalendar calendar =
        WorkCalendar::load_file(assets_dir() / "calendars" / "cn-2026.toml").with_statutory_years();
    auto policy = UnratedPolicy::gansu();
    save_completed_case(hub.store, "IN-2026", *parse_iso8601("2026-10-08T09:00:00+08:00"));
    save_completed_case(hub.store, "INTO-2027", *parse_iso8601("2026-12-28T09:00:00+08:00"));
    ReminderBook book = ReminderBook::open(hub.db);
    auto run = process_unrated_cases(hub.store, book, hub.hall.context(), calendar, policy, std::nullopt,
                                     *parse_iso8601("2027-01-20T09:00:00+08:00"));
    CHECK(run.defaults_recorded == 2);
    CHECK(run.provisional_defaults == 1);
    std::map<std::string, std::string> basis;
    for (const auto& r : hub.store.ratings_between(TimePoint{}, *parse_iso8601("2028-01-01T00:00:00+08:00")))
        basis[r.case_nos.front()] = hub.store.default_calendar(r.id);
    CHECK(basis["IN-2026"] == "notice");
    CHECK(basis["INTO-2027"] == "provisional 2027");
}

// The uploader against the reference platform on 127.0.0.1: the happy path, receiver faults,
// hostile replies, authentication, chain reports and the background thread.
#include <catch2/catch.hpp>

#include <httplib.h>
#include <sqlite3.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "upload_test_util.hpp"

using namespace hcp;
using namespace hcp::test;
using namespace std::chrono_literals;

namespace {

void require_exactly_once(const UploadWorld& w) {
    auto s = w.platform->stats();
    CHECK(s.accepted == static_cast<long long>(w.ratings.size()));
    CHECK(s.stored == static_cast<long long>(w.ratings.size()));
    for (const auto& r : w.ratings) CHECK(w.platform->arrivals_of(r.id) >= 1);
    auto st = w.state();
    CHECK(st.not_uploaded == 0);
    CHECK(st.uploaded == static_cast<long long>(w.ratings.size()));
    CHECK(w.platform->chain_events().empty());
}

}  // namespace

TEST_CASE("Every rating reaches the reference platform once and is marked uploaded") {
    UploadWorld w(60);
    auto up = w.uploader();
    auto r = up->drain_once();
    CHECK(r.requests == 3);  // 25 + 25 + 10
    CHECK(r.accepted == 60);
    CHECK_FALSE(r.stopped_on_error);
    require_exactly_once(w);
    CHECK(w.state().last_success_at.has_value());
    // A second pass has nothing to send.
    CHECK(up->drain_once().requests == 0);
}

TEST_CASE(
    "After errors resets timeouts garbage duplicate replies and 429 bursts every rating is accepted exactly once") {
    UploadWorld w(120);
    sim::Faults f;
    f.error_rate = 0.2;
    f.reset_rate = 0.15;
    f.timeout_rate = 0.1;
    f.timeout_ms = 2500;  // the uploader gives up after 2 s: outcome unknown
    f.garbage_rate = 0.15;
    f.duplicate_reply_rate = 0.3;
    f.burst_429 = 3;
    f.retry_after_seconds = 1;
    w.platform->set_faults(f);
    auto up = w.uploader();
    drain_until_done(*up, w.db, 12);
    auto faulty = w.platform->stats();
    CHECK(faulty.faults > 3);
    // The faults stop; within a bounded number of passes everything is through.
    w.platform->set_faults({});
    auto last = drain_until_done(*up, w.db, 40);
    CHECK_FALSE(last.stopped_on_error);
    require_exactly_once(w);
    CHECK(w.platform->stats().requests > faulty.requests - 1);
}

TEST_CASE("Hostile replies never mark a rating uploaded and the admin sees why") {
    for (const char* kind : {"malformed_json", "wrong_content_type", "giant_body", "redirect", "missing_results"}) {
        DYNAMIC_SECTION("reply kind " << kind) {
            UploadWorld w(10);
            sim::Faults f;
            f.hostile = kind;
            w.platform->set_faults(f);
            auto up = w.uploader();
            auto r = up->drain_once();
            CHECK(r.stopped_on_error);
            CHECK(r.accepted == 0);
            auto st = w.state();
            CHECK(st.uploaded == 0);
            CHECK(st.not_uploaded == 10);
            CHECK_FALSE(st.last_error.empty());
            CHECK(w.platform->stats().stored == 10);  // the platform did store them
            if (std::string(kind) == "redirect") CHECK(st.last_error.find("127.0.0.2") != std::string::npos);
            if (std::string(kind) == "giant_body") CHECK(st.last_error.find("larger than") != std::string::npos);
            // Once the platform behaves, the resend is answered "duplicate" and counts as uploaded.
            w.platform->set_faults({});
            drain_until_done(*up, w.db, 10);
            CHECK(w.state().uploaded == 10);
            CHECK(w.platform->stats().accepted == 10);
            CHECK(w.platform->stats().duplicates == 10);
        }
    }
}

TEST_CASE("A wrong hall secret is refused by the platform and nothing is marked uploaded") {
    UploadWorld w(5);
    auto up = w.uploader(w.config(), SecretKey::random());
    auto r = up->drain_once();
    CHECK(r.stopped_on_error);
    CHECK(r.last_error.find("HTTP 401") != std::string::npos);
    CHECK(w.platform->stats().auth_failures == 1);
    CHECK(w.platform->stats().stored == 0);
    CHECK(w.state().uploaded == 0);
    CHECK(w.state().last_error.find("hall secret") != std::string::npos);
}

TEST_CASE("A platform that cannot be reached is a transport error and the batch waits for its backoff") {
    UploadWorld w(3);
    auto c = w.config();
    c.base_url = "http://127.0.0.1:9";  // discard port: nothing listens
    c.backoff_base_ms = 60000;
    c.backoff_max_ms = 60000;
    auto up = w.uploader(c);
    auto r = up->drain_once();
    CHECK(r.stopped_on_error);
    CHECK(r.retried == 3);
    REQUIRE(r.next_attempt_at);
    CHECK(w.state().not_uploaded == 3);
    // Within the backoff, another pass sends nothing.
    CHECK(up->drain_once().requests == 0);
}

TEST_CASE("Rejected ratings are kept with the reason and do not block the ratings behind them") {
    UploadWorld w(4);
    // A rating the platform must refuse: level 2 without option or text cannot be recorded by the
    // store, so make the platform see a bad area code instead through a second hall context.
    w.hall.hall.area_code = "3709";
    w.add(1);
    w.hall.hall.area_code = "370921000000";
    w.add(2);
    auto up = w.uploader();
    auto r = up->drain_once();
    CHECK(r.rejected == 1);
    CHECK(r.accepted == 6);
    auto s = w.state();
    CHECK(s.rejected == 1);
    CHECK(s.not_uploaded == 0);
    auto rejected = w.store->outbox(OutboxState::rejected);
    REQUIRE(rejected.size() == 1);
    CHECK(rejected[0].last_error == "area_code must be 12 digits");
}

TEST_CASE("The platform reports a gap and a fork in a device chain") {
    UploadWorld w(3);
    {
        auto q = OutboxQueue::open(w.db);
        q.mark_acked({w.ratings[1].id}, hcp::now());  // seq 2 never leaves the hub
    }
    auto up = w.uploader();
    up->drain_once();
    auto events = w.platform->chain_events();
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == "gap");
    CHECK(events[0].seq == 2);

    // Another database claiming the same device id (a restored or forged copy) forks the chain.
    TempDir other;
    StoreOptions o;
    o.path = other / "copy.db";
    o.device_id = "hub-01";
    o.durability = Durability::off_for_fixtures;
    o.min_free_bytes = 0;
    {
        auto copy = Store::open(o, SecretKey::random());
        add_rated_case(copy, w.hall, 99, base_time() + 10h);
    }
    Uploader up2(w.config(), generic_profile(), test_hall_secret(), o.path, "DEMO-0001");
    up2.set_log([](const std::string&) {});
    up2.drain_once();
    bool fork = false;
    for (const auto& e : w.platform->chain_events()) fork = fork || e.kind == "fork" || e.kind == "head_rewritten";
    CHECK(fork);
}

TEST_CASE("The uploader thread sends new ratings after notify and stops promptly while a request hangs") {
    UploadWorld w(5);
    auto up = w.uploader();
    up->start();
    up->notify();
    for (int i = 0; i < 100 && w.state().not_uploaded > 0; ++i) std::this_thread::sleep_for(50ms);
    CHECK(w.state().not_uploaded == 0);
    w.add(5);
    up->notify();
    for (int i = 0; i < 100 && w.state().not_uploaded > 0; ++i) std::this_thread::sleep_for(50ms);
    CHECK(w.state().uploaded == 10);

    // A platform that holds the reply for a long time: stop() interrupts the request.
    sim::Faults f;
    f.timeout_rate = 1;
    f.timeout_ms = 60000;
    w.platform->set_faults(f);
    auto c = w.config();
    c.timeout_seconds = 120;
    auto slow = w.uploader(c);
    w.add(2);
    slow->start();
    slow->notify();
    for (int i = 0; i < 100 && w.platform->stats().stored < 12; ++i) std::this_thread::sleep_for(50ms);
    slow->stop();  // returns although the request would take a minute
    up->stop();
    w.platform->stop();
    CHECK(w.state().not_uploaded == 2);
}

// ---------------------------------------------------------------------------------------------
// The receiver recomputes hashes; the uploader survives wall-clock jumps.

namespace {

// Rewrites ratings behind the store's back, as someone with the database file could.
void tamper(const std::filesystem::path& db, const std::string& sql) {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &raw) == SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> h(raw, &sqlite3_close);
    char* err = nullptr;
    int rc = sqlite3_exec(
        raw, ("DROP TRIGGER IF EXISTS ratings_no_update; DROP TRIGGER IF EXISTS ratings_no_delete; " + sql).c_str(),
        nullptr, nullptr, &err);
    INFO((err ? err : ""));
    sqlite3_free(err);
    REQUIRE(rc == SQLITE_OK);
}

bool has_event(const sim::PlatformSim& p, const std::string& kind, long long seq) {
    for (const auto& e : p.chain_events())
        if (e.kind == kind && e.seq == seq) return true;
    return false;
}

}  // namespace

TEST_CASE("The platform rejects a rating altered after it was hashed and reports it") {
    UploadWorld w(4);
    tamper(w.db, "UPDATE ratings SET level = 5 WHERE seq = 3");
    auto up = w.uploader();
    auto r = up->drain_once();
    CHECK(r.accepted == 3);
    CHECK(r.rejected == 1);
    CHECK(has_event(*w.platform, "altered", 3));
    auto rejected = w.store->outbox(OutboxState::rejected);
    REQUIRE(rejected.size() == 1);
    CHECK(rejected[0].rating_id == w.ratings[2].id);
    CHECK(rejected[0].last_error.find("hash does not match") != std::string::npos);
    // The answer stays the same when the rating is sent again.
    tamper(w.db,
           "UPDATE outbox SET state = 'pending', next_attempt_at = 0 WHERE rating_id = '" + w.ratings[2].id + "'");
    auto again = up->drain_once();
    CHECK(again.rejected == 1);
    CHECK(again.duplicates == 0);
}

TEST_CASE("The platform reports a fork for another rating at an accepted seq and for an accepted id resent changed") {
    UploadWorld w(3);
    auto up = w.uploader();
    REQUIRE(up->drain_once().accepted == 3);
    // A changed copy of an accepted rating, hash recomputed (someone with the code but not the key).
    Rating changed = w.ratings[1];
    changed.level = Level::very_satisfied;
    changed.hash = chain_hash(changed.prev_hash, changed);
    tamper(w.db, "UPDATE ratings SET level = 5, hash = '" + changed.hash +
                     "' WHERE seq = 2; "
                     "UPDATE outbox SET state = 'pending', next_attempt_at = 0 WHERE rating_id = '" +
                     changed.id + "'");
    auto r = up->drain_once();
    CHECK(r.duplicates == 1);  // the first copy stands
    CHECK(has_event(*w.platform, "fork", 2));
    // A fabricated rating replacing seq 3 under a new id.
    Rating forged = w.ratings[2];
    forged.id = "00000000-0000-4000-8000-000000000003";
    forged.hash = chain_hash(forged.prev_hash, forged);
    tamper(w.db, "UPDATE ratings SET id = '" + forged.id + "', hash = '" + forged.hash +
                     "' WHERE seq = 3; "
                     "UPDATE outbox SET rating_id = '" +
                     forged.id +
                     "', state = 'pending', next_attempt_at = 0 "
                     "WHERE rating_id = '" +
                     w.ratings[2].id + "'");
    auto f = up->drain_once();
    CHECK(f.accepted == 1);
    bool two_claim = false;
    for (const auto& e : w.platform->chain_events())
        two_claim =
            two_claim || (e.kind == "fork" && e.seq == 3 && e.detail.find("two ratings claim") != std::string::npos);
    CHECK(two_claim);
}

TEST_CASE(
    "A wall clock stepped back two hours does not stall the uploader and a forward step does not skip its backoff") {
    UploadWorld w(10);
    // A platform that tolerates any skew, so that only the uploader's own clock handling is tested.
    w.platform->stop();
    sim::SimOptions so;
    so.database = w.dir / "platform-wide.db";
    so.secret = test_hall_secret();
    so.replay_window_seconds = 10 * 24 * 3600;
    w.platform = std::make_unique<sim::PlatformSim>(so);
    w.platform->start();
    auto c = w.config();
    c.max_retry_after_seconds = 1;
    auto up = w.uploader(c);
    std::atomic<long long> offset_ms{0};
    up->set_clock([&] { return hcp::now() + std::chrono::milliseconds{offset_ms.load()}; });
    // A 429 with Retry-After 1 s puts every rating into backoff, scheduled by the current clock.
    sim::Faults f;
    f.burst_429 = 1;
    f.retry_after_seconds = 1;
    w.platform->set_faults(f);
    auto first = up->drain_once();
    REQUIRE(first.stopped_on_error);
    // Forward three days: the rows look overdue, but the backoff runs on the steady clock.
    offset_ms = 3LL * 24 * 3600 * 1000;
    CHECK(up->drain_once().requests == 0);
    std::this_thread::sleep_for(1100ms);
    // Then back to two hours behind real time: rows scheduled by the clock of "three days ahead"
    // (and the ratings recorded before) would otherwise wait days.
    offset_ms = -2LL * 3600 * 1000;
    auto r = up->drain_once();
    CHECK(r.accepted == 10);
    require_exactly_once(w);
}

TEST_CASE("Rows scheduled days ahead by a clock that was wrong before a restart are sent at once") {
    UploadWorld w(4);
    {
        auto q = OutboxQueue::open(w.db);
        std::vector<std::string> ids;
        for (const auto& r : w.ratings) ids.push_back(r.id);
        q.mark_retry(ids, "HTTP 503 from the platform", hcp::now() + std::chrono::hours{72});
    }
    auto up = w.uploader();
    auto r = up->drain_once();
    CHECK(r.accepted == 4);
    require_exactly_once(w);
}

TEST_CASE("A hub clock outside the replay window gets an admin-visible error naming the skew and loses nothing") {
    UploadWorld w(5);
    auto up = w.uploader();
    up->set_clock([] { return hcp::now() + std::chrono::hours{26}; });
    auto r = up->drain_once();
    CHECK(r.stopped_on_error);
    CHECK(w.platform->stats().stored == 0);
    auto st = w.state();
    CHECK(st.not_uploaded == 5);
    CHECK(st.last_error.find("hub clock is 1 d 2 h ahead") != std::string::npos);
    CHECK(st.last_error.find("replay window") != std::string::npos);
    CHECK(st.summary_zh(hcp::now()).find("最近一次上传失败") != std::string::npos);
    // The clock is set right: everything goes.
    auto fixed = w.uploader();
    drain_until_done(*fixed, w.db, 10);
    require_exactly_once(w);
}

TEST_CASE("Hostile items get a rejection each instead of failing the whole batch") {
    UploadWorld w(0);
    nlohmann::json good =
        nlohmann::json::parse(render_batch(generic_profile(), OutboxBatch{"hub-01", ChainHead{}, {}}, "DEMO-0001"));
    good["items"] = nlohmann::json::array({5,
                                           "text",
                                           nlohmann::json::array(),
                                           {{"id", 7}},
                                           {{"id", "short"}},
                                           {{"id", "3f6c1b2a-8d4e-4f6a-9b1c-2d3e4f5a6b7c"}, {"seq", "1"}}});
    const std::string body = good.dump();
    const std::string ts =
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(hcp::now().time_since_epoch()).count());
    const std::string nonce = "0123456789abcdef0123456789abcdef";
    httplib::Client cli("127.0.0.1", w.platform->port());
    httplib::Headers h = {
        {"X-Hcp-Device", "hub-01"},
        {"X-Hcp-Timestamp", ts},
        {"X-Hcp-Nonce", nonce},
        {"X-Hcp-Signature", sign_request(test_hall_secret(), "POST", "/v1/evaluations:batch", ts, nonce, body)}};
    auto res = cli.Post("/v1/evaluations:batch", h, body, "application/json");
    REQUIRE(res);
    CHECK(res->status == 200);
    auto reply = nlohmann::json::parse(res->body);
    REQUIRE(reply["results"].size() == 6);
    for (const auto& r : reply["results"]) CHECK(r["status"] == "rejected");
    CHECK(w.platform->stats().accepted == 0);
}

TEST_CASE("A connection dropped before the answer is resent signed afresh and is never refused as a replay") {
    UploadWorld w(25);
    auto up = w.uploader();
    // The first batch goes through on a connection a client library would keep for the next one.
    REQUIRE(up->drain_once().accepted == 25);
    w.add(5);
    // The platform stores the next batch and the connection dies before a byte of the answer.
    sim::Faults f;
    f.drop_next = 1;
    w.platform->set_faults(f);
    auto r = up->drain_once();
    REQUIRE(r.stopped_on_error);
    INFO(r.last_error);
    CHECK(r.last_error.find("closed the connection without answering") != std::string::npos);
    CHECK(r.last_error.find("signature") != std::string::npos);  // "resent with a new signature"
    CHECK(r.last_error.find("hall secret") == std::string::npos);
    CHECK(w.platform->stats().auth_failures == 0);
    // The resend carries a new nonce: answered duplicate, nothing refused, nothing lost.
    auto last = drain_until_done(*up, w.db, 10);
    CHECK_FALSE(last.stopped_on_error);
    CHECK(w.platform->stats().auth_failures == 0);
    require_exactly_once(w);
}

TEST_CASE("A newer rating never overtakes an older one waiting out the platform's Retry-After even after a restart") {
    UploadWorld w(3);
    auto c = w.config();
    c.max_retry_after_seconds = 120;
    const TimePoint t0 = hcp::now();
    sim::Faults f;
    f.burst_429 = 1;
    f.retry_after_seconds = 60;
    w.platform->set_faults(f);
    {
        auto up = w.uploader(c);
        up->set_clock([t0] { return t0; });
        auto r = up->drain_once();
        REQUIRE(r.stopped_on_error);
        REQUIRE(r.next_attempt_at);
        CHECK(*r.next_attempt_at >= t0 + 60s);
    }  // the hub stops (or is killed): only the store remains
    w.add(2);
    // Restarted (or hcpctl sync): the new ratings are due, the older ones wait for the Retry-After.
    auto up = w.uploader(c);
    up->set_clock([t0] { return t0 + 5s; });
    auto early = up->drain_once();
    CHECK(early.requests == 0);
    CHECK(w.platform->stats().stored == 0);
    {
        auto q = OutboxQueue::open(w.db);
        REQUIRE(q.next_due());
        CHECK(*q.next_due() >= t0 + 60s);  // the uploader thread sleeps until then, not in a busy loop
    }
    // Once the wait is over all five go in one batch, oldest first.
    up->set_clock([t0] { return t0 + 61s; });
    auto r = up->drain_once();
    CHECK(r.requests == 1);
    CHECK(r.accepted == 5);
    const auto arrived = w.platform->arrivals("hub-01");
    REQUIRE(arrived.size() == 5);
    for (size_t i = 1; i < arrived.size(); ++i) CHECK(arrived[i - 1].seq < arrived[i].seq);
    require_exactly_once(w);
}

TEST_CASE("An outbox row whose rating was deleted is reported as missing and not as waiting for ever") {
    UploadWorld w(3);
    auto up = w.uploader();
    sim::Faults f;
    f.error_rate = 1;
    w.platform->set_faults(f);
    REQUIRE(up->drain_once().stopped_on_error);  // leaves an error behind
    w.platform->set_faults({});
    {
        // Someone removes a rating with the sqlite3 shell, past the append-only trigger.
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(w.db.c_str(), &db) == SQLITE_OK);
        const std::string sql =
            "DROP TRIGGER ratings_no_delete; DELETE FROM ratings WHERE id = '" + w.ratings[1].id + "';";
        REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    auto last = drain_until_done(*up, w.db, 20);
    CHECK_FALSE(last.stopped_on_error);
    const auto st = w.state();
    CHECK(st.uploaded == 2);
    CHECK(st.not_uploaded == 0);
    CHECK(st.missing == 1);
    const auto now = hcp::now();
    INFO(st.summary(now));
    CHECK(st.summary(now).find("no longer in the store") != std::string::npos);
    CHECK(st.summary_zh(now).find("已不在数据库中") != std::string::npos);
    CHECK(st.summary_zh(now).find("全部评价已上传") != std::string::npos);
    // Nothing is due: the uploader thread would sleep, not spin on the missing row.
    CHECK_FALSE(OutboxQueue::open(w.db).next_due());
}

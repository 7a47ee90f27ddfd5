// What the queue keeps on disk: numbers across restarts, kill -9 and business days, the
// schema migration from a version 1 database, the transition log, statistics, the snapshot
// and the ETA's moving average.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <set>

#include "fixtures.hpp"
#include "hcp/config/config.hpp"
#include "queue_fixture.hpp"

using namespace hcp;
using namespace std::chrono_literals;
using test::QueueHall;

TEST_CASE("Numbers continue after the engine and the store are reopened", "[queue]") {
    QueueHall hall;
    hall.sign_in(1);
    CHECK(hall.take("SBYB") == "A001");
    CHECK(hall.take("SBYB") == "A002");
    CHECK(hall.take("HJ") == "C001");
    hall.call(1);
    hall.reopen();
    CHECK(hall.take("SBYB") == "A003");
    CHECK(hall.take("HJ") == "C002");
    CHECK(hall.q().current(1)->number == "A001");  // the window session and its ticket survive
    CHECK(hall.q().session(1)->staff.number == "1001");
    CHECK(hall.order("SBYB") == std::vector<std::string>{"A002", "A003"});

    // A full restart: the store is opened (and its migrations checked) before the queue.
    hall.close();
    hall.restart_store();
    hall.reopen();
    CHECK(hall.take("SBYB") == "A004");
    CHECK(test::raw_int(hall.db(), "SELECT count(*) FROM tickets") == 6);
    CHECK(test::raw_int(hall.db(), "SELECT count(DISTINCT number) FROM tickets") == 6);
}

TEST_CASE("A new business day starts at 001 and cancels what is left of the previous day", "[queue]") {
    QueueHall hall;
    hall.sign_in(1);
    hall.take("SBYB");
    hall.take("SBYB");
    hall.take("SBYB", true);
    hall.call(1);  // A003 (priority) called and never finished
    hall.set("2026-10-09T08:45:00+08:00");
    CHECK_FALSE(hall.q().current(1));  // yesterday's ticket is not today's
    CHECK(hall.q().snapshot().categories[0].waiting == 0);
    CHECK(hall.take("SBYB") == "A001");
    CHECK(test::raw_int(hall.db(),
                        "SELECT count(*) FROM tickets WHERE business_day = '2026-10-08' AND "
                        "state = 'cancelled'") == 3);
    CHECK(test::raw_int(hall.db(), "SELECT count(*) FROM ticket_events WHERE action = 'expire'") == 3);
    // Window sessions do not carry over: staff sign in again each day.
    CHECK(hall.q().call_next(1).error().cause == QueueErrc::window_closed);
    hall.sign_in(1);
    auto r = hall.q().call_next(1);
    REQUIRE(r);
    CHECK(r.value().ticket.number == "A001");
    CHECK(r.value().ticket.business_day == "2026-10-09");
    // Yesterday's A001 and today's A001 are two tickets; numbers never repeat within a day.
    CHECK(test::raw_int(hall.db(), "SELECT count(*) FROM tickets WHERE number = 'A001'") == 2);
    CHECK(test::raw_int(hall.db(),
                        "SELECT count(*) FROM (SELECT business_day, number FROM tickets "
                        "GROUP BY business_day, number HAVING count(*) > 1)") == 0);
}

TEST_CASE("The business day changes at midnight China time, not UTC", "[queue]") {
    auto setup = test::small_hall_setup();
    setup.categories[0].opens = "00:00";
    setup.categories[0].closes = "23:59";
    QueueHall hall(setup, "2026-10-08T23:58:30+08:00");
    CHECK(hall.take("SBYB") == "A001");
    hall.set("2026-10-08T16:00:30Z");  // 00:00:30 on the 9th in China, still the 8th in UTC
    auto t = hall.q().take_ticket("SBYB");
    REQUIRE(t);
    CHECK(t.value().ticket.number == "A001");
    CHECK(t.value().ticket.business_day == "2026-10-09");
}

TEST_CASE("kill -9 while tickets are taken never loses a ticket nor issues a number twice", "[queue][faults]") {
    QueueHall hall;
    hall.close();  // no SQLite connection may cross fork()
    std::mt19937 rng(5);
    std::set<std::string> acked;
    for (int round = 0; round < 5; ++round) {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(fds[0]);
            auto setup = test::small_hall_setup();
            setup.clock = [] { return test::at("2026-10-08T10:00:00+08:00"); };
            auto engine = QueueEngine::open(hall.db(), setup);
            for (;;) {
                auto r = engine.take_ticket("SBYB", false);
                if (!r) ::_exit(3);
                std::string line = r.value().ticket.business_day + " " + r.value().ticket.number + "\n";
                if (::write(fds[1], line.data(), line.size()) < 0) ::_exit(2);
            }
        }
        ::close(fds[1]);
        ::usleep(static_cast<useconds_t>(std::uniform_int_distribution<int>(80, 300)(rng) * 1000));
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        std::string data;
        char buf[4096];
        ssize_t n;
        while ((n = ::read(fds[0], buf, sizeof buf)) > 0) data.append(buf, static_cast<size_t>(n));
        ::close(fds[0]);
        size_t pos = 0;
        while (true) {
            size_t end = data.find('\n', pos);
            if (end == std::string::npos) break;  // a torn last line was never acknowledged
            acked.insert(data.substr(pos, end - pos));
            pos = end + 1;
        }
    }
    REQUIRE(acked.size() > 5);
    CHECK(test::raw_text(hall.db(), "PRAGMA integrity_check") == "ok");
    for (const auto& a : acked) {
        auto day = a.substr(0, 10), number = a.substr(11);
        CAPTURE(a);
        CHECK(test::raw_int(hall.db(), "SELECT count(*) FROM tickets WHERE business_day = '" + day +
                                           "' AND number = '" + number + "'") == 1);
    }
    CHECK(test::raw_int(hall.db(),
                        "SELECT count(*) FROM (SELECT business_day, number FROM tickets "
                        "GROUP BY business_day, number HAVING count(*) > 1)") == 0);
    // Every ticket has its issue event; the counter is never behind the tickets.
    CHECK(test::raw_int(hall.db(),
                        "SELECT count(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_events e "
                        "WHERE e.ticket_id = t.id AND e.action = 'issue')") == 0);
    CHECK(test::raw_int(hall.db(),
                        "SELECT count(*) FROM tickets t JOIN queue_numbers n ON n.business_day = "
                        "t.business_day AND n.prefix = 'A' WHERE t.seq > n.last_seq") == 0);
}

TEST_CASE("A version 1 database migrates to the queue schema and keeps its ratings", "[queue]") {
    test::TempDir dir;
    test::HallFixture fixture(test::assets_dir());
    auto db = dir / "hub.db";
    auto key = SecretKey::random();
    StoreOptions o;
    o.path = db;
    o.device_id = "hub-01";
    o.min_free_bytes = 0;
    {
        auto store = Store::open(o, key);
        test::add_rated_case(store, fixture, 1, test::at("2026-10-08T09:30:00+08:00"));
    }
    // Turn it back into exactly what release 1 wrote.
    test::raw_exec(db,
                   "DROP TABLE ticket_events; DROP TABLE tickets; DROP TABLE queue_numbers; "
                   "DROP TABLE queue_streaks; DROP TABLE window_sessions; DROP TABLE appointments; "
                   "DROP TABLE reminders; DROP TABLE default_basis; DROP TABLE superseded_ratings; "
                   "DELETE FROM schema_version WHERE version >= 2; PRAGMA user_version = 1;");
    try {
        auto q = QueueEngine::open(db, test::small_hall_setup());
        FAIL("the queue opened an unmigrated database");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::store_failure);
        CHECK(std::string(e.what()).find("older schema") != std::string::npos);
    }
    {
        auto store = Store::open(o, key);
        CHECK(store.schema_version() == kStoreSchemaVersion);
        CHECK(store.rating_count() == 1);
    }
    CHECK(test::raw_int(db, "SELECT count(*) FROM schema_version") == kStoreSchemaVersion);
    auto setup = test::small_hall_setup();
    setup.clock = [] { return test::at("2026-10-08T10:00:00+08:00"); };
    auto q = QueueEngine::open(db, setup);
    auto t = q.take_ticket("SBYB");
    REQUIRE(t);
    CHECK(t.value().ticket.number == "A001");
}

TEST_CASE("The queue refuses files that are not current hcp-kiosk stores", "[queue]") {
    test::TempDir dir;
    CHECK_THROWS_AS(QueueEngine::open(dir / "missing.db", test::small_hall_setup()), Error);
    test::write_file(dir / "junk.db", std::string(4096, 'j'));
    try {
        auto q = QueueEngine::open(dir / "junk.db", test::small_hall_setup());
        FAIL("junk accepted");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::not_a_store);
    }
    QueueHall hall;
    hall.close();
    test::raw_exec(hall.db(), "PRAGMA user_version = 99");
    try {
        auto q = QueueEngine::open(hall.db(), test::small_hall_setup());
        FAIL("newer schema accepted");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::schema_too_new);
    }
}

TEST_CASE("An inconsistent queue setup is refused with every problem named", "[queue]") {
    QueueHall hall;
    hall.close();
    auto s = test::small_hall_setup();
    s.categories[1].prefix = 'A';
    s.categories[2].code = "SBYB";
    s.categories[0].opens = "18:00";
    s.windows.push_back(Window{7, "7号窗口", {"NOPE"}});
    s.policy.skip_max_requeues = -1;
    try {
        auto q = QueueEngine::open(hall.db(), s);
        FAIL("bad setup accepted");
    } catch (const Error& e) {
        std::string w = e.what();
        CHECK(e.code() == Errc::invalid_argument);
        CHECK(w.find("duplicate prefix") != std::string::npos);
        CHECK(w.find("duplicate code") != std::string::npos);
        CHECK(w.find("opens/closes") != std::string::npos);
        CHECK(w.find("unknown category NOPE") != std::string::npos);
        CHECK(w.find("skip_max_requeues") != std::string::npos);
    }
}

TEST_CASE("Every transition is stored with time, window and staff and the log is append-only", "[queue]") {
    QueueHall hall;
    hall.sign_in(1);
    hall.sign_in(3);
    hall.take("SBYB");
    hall.advance(1min);
    hall.call(1);
    hall.advance(1min);
    REQUIRE(hall.q().recall(1));
    REQUIRE(hall.q().hold(1));
    REQUIRE(hall.q().resume(3, "A001"));
    REQUIRE(hall.q().transfer(3, "HJ"));
    hall.advance(1min);
    CHECK(hall.call(3) == "A001");
    REQUIRE(hall.q().start(3));
    REQUIRE(hall.q().complete(3));
    auto log = hall.q().history("A001");
    std::vector<QueueAction> actions;
    for (const auto& e : log) actions.push_back(e.action);
    CHECK(actions == std::vector<QueueAction>{QueueAction::issue, QueueAction::call, QueueAction::recall,
                                              QueueAction::hold, QueueAction::resume, QueueAction::transfer,
                                              QueueAction::call, QueueAction::start, QueueAction::complete});
    CHECK(log[3].window == 1);
    CHECK(log[3].staff_number == "1001");
    CHECK(log[4].window == 3);
    CHECK(log[4].staff_number == "1003");
    CHECK(log[4].from == TicketState::held);
    for (size_t i = 1; i < log.size(); ++i) CHECK(log[i].at >= log[i - 1].at);
    CHECK(log.back().at == test::at("2026-10-08T09:03:00+08:00"));
    CHECK_THROWS(test::raw_exec(hall.db(), "UPDATE ticket_events SET reason = 'x'"));
    CHECK_THROWS(test::raw_exec(hall.db(), "DELETE FROM ticket_events"));
    CHECK(test::raw_int(hall.db(), "SELECT count(*) FROM ticket_events") == 9);
}

TEST_CASE("Wait and service statistics per category and day come from the stored transitions", "[queue]") {
    QueueHall hall;
    hall.sign_in(1);
    hall.take("SBYB");  // A001 09:00
    hall.take("SBYB");  // A002
    hall.take("SBYB");  // A003
    hall.set("2026-10-08T09:10:00+08:00");
    hall.call(1);
    hall.set("2026-10-08T09:15:00+08:00");
    hall.finish(1);  // A001: wait 10, service 5
    hall.set("2026-10-08T09:20:00+08:00");
    hall.call(1);
    REQUIRE(hall.q().start(1));
    hall.set("2026-10-08T09:27:00+08:00");
    hall.finish(1);  // A002: wait 20, service 7
    hall.set("2026-10-08T09:30:00+08:00");
    CHECK(hall.call(1) == "A003");  // wait 30
    REQUIRE(hall.q().skip(1));      // back in the queue once
    CHECK(hall.call(1) == "A003");
    REQUIRE(hall.q().skip(1));  // now a no-show
    hall.take("SBYB");          // A004
    REQUIRE(hall.q().cancel("A004", "群众离开"));
    hall.take("HJ");  // C001 09:30
    hall.sign_in(3);
    CHECK(hall.call(3) == "C001");  // wait 0
    REQUIRE(hall.q().transfer(3, "SBYB"));

    auto stats = hall.q().statistics("2026-10-08");
    REQUIRE(stats.size() == 3);
    const auto& a = stats[0];
    CHECK(a.category == "SBYB");
    CHECK(a.business_day == "2026-10-08");
    CHECK(a.issued == 4);
    CHECK(a.served == 2);
    CHECK(a.no_show == 1);
    CHECK(a.cancelled == 1);
    CHECK(a.waiting == 1);
    CHECK(a.transferred_in == 1);
    CHECK(a.requeued == 1);
    CHECK(a.wait_avg == std::chrono::milliseconds{15min});  // 0, 10, 20, 30
    CHECK(a.wait_p90 == std::chrono::milliseconds{30min});
    CHECK(a.wait_max == std::chrono::milliseconds{30min});
    CHECK(a.service_avg == std::chrono::milliseconds{6min});
    CHECK(a.service_p90 == std::chrono::milliseconds{7min});
    const auto& c = stats[2];
    CHECK(c.category == "HJ");
    CHECK(c.issued == 1);
    CHECK(c.served == 0);
    CHECK(c.waiting == 0);
    CHECK_FALSE(c.wait_avg);
    CHECK_FALSE(c.service_avg);
    auto other_day = hall.q().statistics("2026-10-07");
    REQUIRE(other_day.size() == 3);
    CHECK(other_day[0].issued == 0);
}

TEST_CASE("The snapshot shows waiting counts, now serving per window and the last calls", "[queue]") {
    auto setup = test::small_hall_setup();
    setup.policy.snapshot_last_calls = 3;
    QueueHall hall(setup);
    hall.sign_in(1);
    hall.sign_in(3);
    hall.take("SBYB");  // A001 09:00
    hall.advance(1min);
    hall.take("SBYB", true);  // A002 09:01
    hall.advance(1min);
    hall.take("HJ");  // C001 09:02
    hall.advance(1min);
    hall.take("BDC");  // B001 09:03
    hall.advance(2min);
    CHECK(hall.call(1) == "A002");
    CHECK(hall.call(3) == "A001");
    REQUIRE(hall.q().recall(3));
    auto s = hall.q().snapshot();
    CHECK(s.business_day == "2026-10-08");
    REQUIRE(s.categories.size() == 3);
    CHECK(s.categories[0].code == "SBYB");
    CHECK(s.categories[0].waiting == 0);
    CHECK(s.categories[1].waiting == 1);
    CHECK(s.categories[2].waiting == 1);
    CHECK(s.categories[0].policy_zh == "每3个普通号叫1个优先号；等候超过60分钟的号优先叫");
    CHECK(s.categories[0].issued_today == 2);
    // HJ: one waiting, one window open (3), cold start 8 minutes. Window 3 is still calling
    // A001 (called just now): the rest of that service (8 min) comes before the one ahead (8 min).
    // SBYB has nobody waiting, so window 3 counts in full for HJ.
    CHECK(s.categories[2].new_ticket.people_ahead == 1);
    CHECK(s.categories[2].new_ticket.windows_open == 1);
    CHECK(s.categories[2].new_ticket.window_capacity == 1.0);
    CHECK(s.categories[2].new_ticket.cold_start);
    CHECK(s.categories[2].new_ticket.until_window_free == std::chrono::seconds{480});
    CHECK(s.categories[2].new_ticket.wait == std::chrono::seconds{960});
    // BDC: nobody signed in at window 2 yet; its one configured window is assumed.
    CHECK(s.categories[1].new_ticket.windows_open == 0);
    CHECK(s.categories[1].new_ticket.windows_counted == 1);
    REQUIRE(s.windows.size() == 3);
    CHECK(s.windows[0].window == 1);
    CHECK(s.windows[0].open);
    CHECK(s.windows[0].current->number == "A002");
    CHECK(s.windows[1].window == 2);
    CHECK_FALSE(s.windows[1].open);
    CHECK_FALSE(s.windows[1].current);
    CHECK(s.windows[2].current->number == "A001");
    CHECK(s.windows[2].staff.name == "李晓燕");
    REQUIRE(s.last_calls.size() == 3);
    CHECK(s.last_calls[0].number == "A001");
    CHECK(s.last_calls[0].action == QueueAction::recall);
    CHECK(s.last_calls[1].number == "A001");
    CHECK(s.last_calls[1].window == 3);
    CHECK(s.last_calls[2].number == "A002");
    CHECK(s.last_calls[2].window == 1);
    REQUIRE(hall.q().hold(1));
    CHECK(hall.q().snapshot().categories[0].held == 1);
    CHECK(hall.q().snapshot().windows[0].held == 1);
}

TEST_CASE("The ETA follows the moving average of services and survives a restart", "[queue]") {
    QueueHall hall;
    hall.sign_in(1);
    hall.sign_in(3);
    CHECK(hall.q().average_service("SBYB") == std::chrono::seconds{480});
    auto cold = hall.q().estimate_new("SBYB");
    REQUIRE(cold);
    CHECK(cold.value().cold_start);
    hall.take("SBYB");
    hall.call(1);
    hall.advance(4min);
    hall.finish(1);
    hall.take("SBYB");
    hall.call(1);
    hall.advance(6min);
    hall.finish(1);
    const auto avg = std::chrono::seconds{264};  // 240, then 0.2 × 360 + 0.8 × 240
    CHECK(hall.q().average_service("SBYB") == avg);
    hall.reopen();
    CHECK(hall.q().average_service("SBYB") == avg);  // seeded from the stored services
    hall.take("SBYB");
    hall.take("SBYB");
    auto third = hall.q().take_ticket("SBYB");
    REQUIRE(third);
    const WaitEstimate& e = third.value().estimate;
    CHECK(e.people_ahead == 2);
    CHECK(e.windows_open == 2);
    CHECK(e.windows_counted == 2);
    CHECK(e.window_capacity == 2.0);   // HJ has nobody waiting: window 3 is all SBYB's
    CHECK(e.until_window_free == 0s);  // both windows are free
    CHECK_FALSE(e.cold_start);
    CHECK(e.wait == avg);  // 2 × 264 s ÷ 2 windows
    CHECK(e.wait_zh() == "约 5 分钟");
    auto mine = hall.q().estimate("A003");
    REQUIRE(mine);
    CHECK(mine.value().people_ahead == 0);
    CHECK(mine.value().wait.count() == 0);
    auto prio = hall.q().estimate_new("SBYB", true);
    REQUIRE(prio);
    CHECK(prio.value().people_ahead == 0);  // no priority ticket called today: it goes next
    hall.call(1);
    auto gone = hall.q().estimate("A003");
    CHECK(gone.error().cause == QueueErrc::illegal_transition);
    // Closing a window doubles the estimate for the same people ahead.
    hall.finish(1);
    REQUIRE(hall.q().close_window(3));
    auto one = hall.q().estimate("A005");
    REQUIRE(one);
    CHECK(one.value().people_ahead == 1);
    CHECK(one.value().windows_open == 1);
    CHECK(one.value().wait == one.value().average_service);
}

TEST_CASE("With every window busy a ticket with nobody ahead waits for the service that ends first", "[queue]") {
    QueueHall hall;  // BDC has one window, 2
    hall.sign_in(2);
    hall.take("BDC");  // B001
    CHECK(hall.call(2) == "B001");
    hall.advance(1min);
    REQUIRE(hall.q().start(2, "B001"));  // serving from 09:01, cold average 8 min

    auto next = hall.q().take_ticket("BDC");  // B002 at 09:01
    REQUIRE(next);
    const WaitEstimate& e = next.value().estimate;
    CHECK(e.people_ahead == 0);
    CHECK(e.windows_open == 1);
    CHECK(e.until_window_free == 480s);  // B001 has just started
    CHECK(e.wait == 480s);               // people × average ÷ windows alone said 0: 即将叫号
    CHECK(e.wait_zh() == "约 8 分钟");

    hall.advance(2min);  // 09:03: B001 served for 2 of its 8 minutes
    auto later = hall.q().estimate("B002");
    REQUIRE(later);
    CHECK(later.value().until_window_free == 360s);
    CHECK(later.value().wait == 360s);
    auto behind = hall.q().take_ticket("BDC");  // B003: one ahead, after the rest of B001
    REQUIRE(behind);
    CHECK(behind.value().estimate.people_ahead == 1);
    CHECK(behind.value().estimate.wait == 360s + 480s);

    hall.advance(7min);  // 09:10: B001 has run past the average; it is still not about to end
    auto overdue = hall.q().estimate("B002");
    REQUIRE(overdue);
    CHECK(overdue.value().until_window_free == 240s);  // half an average at least
    CHECK(overdue.value().wait == 240s);
    CHECK(overdue.value().wait_zh() == "约 4 分钟");

    hall.finish(2);  // the window is free: B002 goes next
    auto free = hall.q().estimate("B002");
    REQUIRE(free);
    CHECK(free.value().until_window_free == 0s);
    CHECK(free.value().wait == 0s);
    CHECK(free.value().wait_zh() == "即将叫号");
}

TEST_CASE("A ticket with nobody ahead hears 即将叫号 while one of its windows is free", "[queue]") {
    QueueHall hall;  // SBYB on windows 1 and 3
    hall.sign_in(1);
    hall.sign_in(3);
    hall.take("SBYB");
    CHECK(hall.call(1) == "A001");
    auto second = hall.q().take_ticket("SBYB");
    REQUIRE(second);
    CHECK(second.value().estimate.people_ahead == 0);
    CHECK(second.value().estimate.until_window_free == 0s);  // window 3 is free
    CHECK(second.value().estimate.wait == 0s);
    CHECK(hall.call(3) == "A002");  // now both are busy
    auto third = hall.q().take_ticket("SBYB");
    REQUIRE(third);
    CHECK(third.value().estimate.people_ahead == 0);
    CHECK(third.value().estimate.wait > 0s);
}

TEST_CASE("A window shared with a category that has people waiting counts as its share", "[queue]") {
    QueueHall hall;  // window 3 serves SBYB and HJ, window 1 SBYB only
    hall.sign_in(1);
    hall.sign_in(3);
    hall.take("SBYB");  // A001
    auto a2 = hall.q().take_ticket("SBYB");
    REQUIRE(a2);
    // Nobody waits for HJ: window 3 is all SBYB's. 1 ahead × 480 s ÷ 2 windows.
    CHECK(a2.value().estimate.windows_counted == 2);
    CHECK(a2.value().estimate.window_capacity == 2.0);
    CHECK(a2.value().estimate.wait == 240s);

    hall.take("HJ");  // C001: window 3 now has two categories with people waiting
    auto shared = hall.q().estimate("A002");
    REQUIRE(shared);
    CHECK(shared.value().windows_counted == 2);
    CHECK(shared.value().window_capacity == 1.5);
    CHECK(shared.value().wait == 320s);  // 480 s ÷ 1.5; a whole window 3 said 240 s

    // HJ's only window is window 3, shared with SBYB's two waiting tickets: half a window.
    auto c2 = hall.q().take_ticket("HJ");
    REQUIRE(c2);
    CHECK(c2.value().estimate.people_ahead == 1);
    CHECK(c2.value().estimate.windows_counted == 1);
    CHECK(c2.value().estimate.window_capacity == 0.5);
    CHECK(c2.value().estimate.wait == 960s);  // a whole window 3 said 480 s

    // Before anyone signs in the configured windows are shared the same way.
    REQUIRE(hall.q().close_window(1));
    REQUIRE(hall.q().close_window(3));
    auto closed = hall.q().estimate("A002");
    REQUIRE(closed);
    CHECK(closed.value().windows_open == 0);
    CHECK(closed.value().windows_counted == 2);
    CHECK(closed.value().window_capacity == 1.5);
    CHECK(closed.value().until_window_free == 0s);
    CHECK(closed.value().wait == 320s);
}

TEST_CASE("The queue setup comes from the shipped demo configuration", "[queue]") {
    Config cfg = load_config(test::assets_dir() / "config" / "demo-hall.toml");
    QueueSetup s = QueueSetup::from_config(cfg);
    REQUIRE(s.categories.size() == cfg.categories.size());
    CHECK(s.categories[0].prefix == 'A');
    CHECK(s.calendar.has_value());
    QueueHall hall(s);
    auto t = hall.q().take_ticket("SBYB");
    REQUIRE(t);
    CHECK(t.value().ticket.number == "A001");
    CHECK(t.value().category_name == "社保医保");
    auto b = hall.q().take_ticket("BDC");
    REQUIRE(b);
    CHECK(b.value().ticket.number == "B001");
}

TEST_CASE("A ticket with nobody ahead but no window of its category signed in is not told 即将叫号", "[queue]") {
    QueueHall hall;  // SBYB on windows 1 and 3, nobody signed in yet
    auto first = hall.q().take_ticket("SBYB");
    REQUIRE(first);
    CHECK(first.value().estimate.people_ahead == 0);
    CHECK(first.value().estimate.windows_open == 0);
    CHECK(first.value().estimate.wait_zh() == "待窗口开始办理后叫号");
    // Once a window of the category is signed in and free, it is.
    hall.sign_in(1);
    auto again = hall.q().estimate(first.value().ticket.number);
    REQUIRE(again);
    CHECK(again.value().wait_zh() == "即将叫号");
}

// The queue engine's operations on a real store: the journey of a ticket, priority and aging
// through real calls, 特呼, skip re-queue rules, hold/resume, transfer placement, and every
// refusal staff or a hostile client can provoke.
#include <catch2/catch.hpp>

#include <thread>

#include "queue_fixture.hpp"

using namespace hcp;
using namespace std::chrono_literals;
using test::QueueHall;

namespace {

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

template <class T>
QueueErrc cause_of(const QueueResult<T>& r) {
    REQUIRE_FALSE(r.ok());
    return r.error().cause;
}

}  // namespace

TEST_CASE("A ticket goes from taken to called to serving to done and hands over to the rating", "[queue]") {
    QueueHall hall;
    hall.sign_in(1);
    auto issued = hall.q().take_ticket("SBYB");
    REQUIRE(issued);
    CHECK(issued.value().ticket.number == "A001");
    CHECK(issued.value().ticket.state == TicketState::waiting);
    CHECK(issued.value().category_name == "社保医保");
    CHECK(issued.value().estimate.people_ahead == 0);
    CHECK(issued.value().estimate.wait.count() == 0);

    hall.advance(4min);
    auto called = hall.q().call_next(1);
    REQUIRE(called);
    CHECK(called.value().ticket.number == "A001");
    CHECK(called.value().ticket.state == TicketState::called);
    CHECK(called.value().window == 1);
    CHECK(called.value().window_name == "1号窗口 社保医保");
    CHECK(called.value().staff == test::staff_for(1));
    CHECK(called.value().explanation_zh == "按取号顺序");
    CHECK(hall.q().current(1)->number == "A001");

    hall.advance(1min);
    auto started = hall.q().start(1, "A001");
    REQUIRE(started);
    CHECK(started.value().state == TicketState::serving);

    hall.advance(7min);
    auto done = hall.q().complete(1, "A001");
    REQUIRE(done);
    const Completion& c = done.value();
    CHECK(c.ticket.number == "A001");
    CHECK(c.ticket.state == TicketState::done);
    CHECK(c.category.code == "SBYB");
    CHECK(c.category.items == std::vector<std::string>{"ITEM-SBYB"});
    CHECK(c.window == 1);
    CHECK(c.staff == test::staff_for(1));
    CHECK(c.waited == std::chrono::milliseconds{4min});
    CHECK(c.service == std::chrono::milliseconds{7min});
    CHECK_FALSE(hall.q().current(1));

    auto log = hall.q().history("A001");
    REQUIRE(log.size() == 4);
    CHECK(log[0].action == QueueAction::issue);
    CHECK_FALSE(log[0].from);
    CHECK(log[1].action == QueueAction::call);
    CHECK(log[1].from == TicketState::waiting);
    CHECK(log[1].to == TicketState::called);
    CHECK(log[1].window == 1);
    CHECK(log[1].staff_number == "1001");
    CHECK(log[1].at == test::at("2026-10-08T09:04:00+08:00"));
    CHECK(log[2].action == QueueAction::start);
    CHECK(log[3].action == QueueAction::complete);
    CHECK(log[3].to == TicketState::done);
    CHECK(log[3].at == test::at("2026-10-08T09:12:00+08:00"));
}

TEST_CASE("Completing a called ticket without start counts service from the call", "[queue]") {
    QueueHall hall;
    hall.sign_in(1);
    hall.take("SBYB");
    hall.call(1);
    hall.advance(5min);
    auto done = hall.q().complete(1);
    REQUIRE(done);
    CHECK(done.value().service == std::chrono::milliseconds{5min});
    CHECK(done.value().ticket.serving_at == done.value().ticket.called_at);
}

TEST_CASE("Priority tickets are called by the ratio and staff see why", "[queue]") {
    QueueHall hall;
    hall.sign_in(1);
    for (int i = 0; i < 5; ++i) {
        hall.take("SBYB");
        hall.advance(1min);
    }
    std::string p1 = hall.take("SBYB", true);  // A006
    std::string p2 = hall.take("SBYB", true);  // A007
    std::vector<std::string> called;
    std::vector<std::string> why;
    for (int i = 0; i < 7; ++i) {
        auto r = hall.q().call_next(1);
        REQUIRE(r);
        called.push_back(r.value().ticket.number);
        why.push_back(r.value().explanation_zh);
        hall.finish(1);
    }
    CHECK(called == std::vector<std::string>{"A006", "A001", "A002", "A003", "A007", "A004", "A005"});
    CHECK(why[0] == "优先号（今天还没有叫过优先号，先叫）");  // the day's first: not the ratio's doing
    CHECK(why[1] == "按取号顺序");
    CHECK(why[4] == "优先号（每3个普通号叫1个优先号）");
}

TEST_CASE("A ticket waiting longer than the max wait is called first and staff see it", "[queue]") {
    QueueHall hall;
    hall.sign_in(1);
    hall.take("SBYB", false);  // A001 at 09:00
    hall.advance(2min);
    hall.take("SBYB", true);  // A002 priority
    hall.call(1);             // the priority ticket goes first (none called yet today)
    hall.finish(1);
    hall.take("SBYB");  // A003
    hall.advance(59min);
    auto preview = hall.q().preview_next(1);
    REQUIRE(preview);
    REQUIRE(preview.value());
    CHECK(preview.value()->entry.number == "A001");
    CHECK(preview.value()->reason == PickReason::aged);
    CHECK(contains(explain_zh(*preview.value()), "等候超过60分钟"));
    auto r = hall.q().call_next(1);
    REQUIRE(r);
    CHECK(r.value().ticket.number == "A001");
    CHECK(contains(r.value().explanation_zh, "等候超过60分钟（已等61分钟）"));
}

TEST_CASE("A window serving two categories calls across them by the rules", "[queue]") {
    QueueHall hall;
    hall.sign_in(3);
    hall.take("HJ");  // C001 09:00
    hall.advance(1min);
    hall.take("SBYB");  // A001 09:01
    hall.advance(1min);
    hall.take("HJ");  // C002 09:02
    CHECK(hall.call(3) == "C001");
    hall.finish(3);
    CHECK(hall.call(3) == "A001");
    hall.finish(3);
    CHECK(hall.call(3) == "C002");
    hall.finish(3);
    auto empty = hall.q().call_next(3);
    CHECK(cause_of(empty) == QueueErrc::queue_empty);
    CHECK(empty.error().message_zh == "本窗口办理的业务目前没有人等候。");
}

TEST_CASE("Recall announces the called ticket again and is refused once service started", "[queue]") {
    QueueHall hall;
    hall.sign_in(1);
    hall.take("SBYB");
    hall.call(1);
    auto r = hall.q().recall(1, "A001");
    REQUIRE(r);
    CHECK(r.value().action == QueueAction::recall);
    CHECK(r.value().ticket.recalls == 1);
    CHECK(r.value().ticket.state == TicketState::called);
    REQUIRE(hall.q().start(1));
    auto again = hall.q().recall(1);
    CHECK(cause_of(again) == QueueErrc::illegal_transition);
    CHECK(again.error().message_zh == "A001 正在办理中，无需重呼。");
    CHECK(again.error().state == TicketState::serving);
}

TEST_CASE("Calling a given number needs a reason, is audited, and brings back a no-show", "[queue]") {
    QueueHall hall;
    hall.setup().policy.skip_max_requeues = 0;  // a skip is a no-show at once
    hall.reopen();
    hall.sign_in(1);
    hall.sign_in(2);
    hall.take("SBYB");  // A001
    hall.take("SBYB");  // A002
    hall.take("BDC");   // B001

    CHECK(cause_of(hall.q().call_number(1, "A002", "")) == QueueErrc::invalid_field);
    CHECK(hall.q().call_number(1, "A002", "  ").error().message_zh == "特呼需要填写原因（例如：群众返回、预约到场）。");
    CHECK(hall.q().call_number(1, "A002", " ").error().field == "reason");
    CHECK(cause_of(hall.q().call_number(1, "A002", std::string(201, 'x'))) == QueueErrc::invalid_field);
    CHECK(cause_of(hall.q().call_number(1, "A002", "\xff\xfe")) == QueueErrc::invalid_field);
    CHECK(cause_of(hall.q().call_number(1, "A099", "预约到场")) == QueueErrc::unknown_ticket);
    CHECK(cause_of(hall.q().call_number(1, "##", "预约到场")) == QueueErrc::invalid_field);
    auto wrong = hall.q().call_number(1, "B001", "预约到场");
    CHECK(cause_of(wrong) == QueueErrc::window_not_serving);
    CHECK(wrong.error().message_zh == "B001 属于“不动产登记”业务，1 号窗口不办理该业务。");

    auto given = hall.q().call_number(1, "a2", "预约到场");
    REQUIRE(given);
    CHECK(given.value().ticket.number == "A002");
    CHECK(given.value().action == QueueAction::call_given);
    CHECK(given.value().explanation_zh == "特呼：预约到场");
    auto log = hall.q().history("A002");
    REQUIRE(log.size() == 2);
    CHECK(log[1].action == QueueAction::call_given);
    CHECK(log[1].reason == "预约到场");
    CHECK(log[1].staff_number == "1001");

    auto skipped = hall.q().skip(1);
    REQUIRE(skipped);
    CHECK_FALSE(skipped.value().requeued);
    CHECK(skipped.value().ticket.state == TicketState::no_show);
    auto back = hall.q().call_number(1, "A002", "群众返回");
    REQUIRE(back);
    CHECK(back.value().ticket.state == TicketState::called);
    REQUIRE(hall.q().complete(1));
    auto twice = hall.q().call_number(1, "A002", "再叫一次");
    CHECK(cause_of(twice) == QueueErrc::illegal_transition);
    CHECK(twice.error().message_zh == "A002 已办结，不能特呼。请群众重新取号。");
}

TEST_CASE("A skipped ticket goes back behind N tickets at most K times, then it is a no-show", "[queue]") {
    struct Row {
        const char* name;
        int behind;
        int max_requeues;
        std::vector<std::string> after_first_skip;  // waiting order; empty: it became no_show
        int skips_until_no_show;
    };
    const std::vector<Row> table{
        {"behind 3, once", 3, 1, {"A002", "A003", "A004", "A001", "A005"}, 2},
        {"behind 2, twice", 2, 2, {"A002", "A003", "A001", "A004", "A005"}, 3},
        {"behind 0: back to the front", 0, 1, {"A001", "A002", "A003", "A004", "A005"}, 2},
        {"behind more than wait: at the end", 10, 1, {"A002", "A003", "A004", "A005", "A001"}, 2},
        {"no re-queue: no-show at once", 3, 0, {}, 1},
    };
    for (const auto& row : table) {
        SECTION(row.name) {
            QueueHall hall;
            hall.setup().policy.skip_requeue_behind = row.behind;
            hall.setup().policy.skip_max_requeues = row.max_requeues;
            hall.reopen();
            hall.sign_in(1);
            for (int i = 0; i < 5; ++i) {
                hall.take("SBYB");
                hall.advance(1min);
            }
            CHECK(hall.call(1) == "A001");
            auto s = hall.q().skip(1, "A001");
            REQUIRE(s);
            if (row.after_first_skip.empty()) {
                CHECK_FALSE(s.value().requeued);
                CHECK(s.value().ticket.state == TicketState::no_show);
                CHECK(hall.order("SBYB") == std::vector<std::string>{"A002", "A003", "A004", "A005"});
            } else {
                CHECK(s.value().requeued);
                CHECK(hall.order("SBYB") == row.after_first_skip);
                auto pos = std::find(row.after_first_skip.begin(), row.after_first_skip.end(), "A001");
                CHECK(s.value().people_ahead == static_cast<int>(pos - row.after_first_skip.begin()));
            }
            // Keep skipping A001 whenever it is called until it is a no-show.
            int skips = 1;
            auto state = s.value().ticket.state;
            while (state != TicketState::no_show) {
                std::string n = hall.call(1);
                if (n != "A001") {
                    hall.finish(1);
                    continue;
                }
                auto again = hall.q().skip(1);
                REQUIRE(again);
                ++skips;
                state = again.value().ticket.state;
            }
            CHECK(skips == row.skips_until_no_show);
            CHECK(hall.q().find("A001")->skips == row.skips_until_no_show);
        }
    }
}

TEST_CASE("A transferred ticket keeps its number and is placed by the configured rule", "[queue]") {
    struct Row {
        TransferPlacement placement;
        std::vector<std::string> expected;
    };
    for (const Row& row : {Row{TransferPlacement::take_time, {"A001", "C001", "C002"}},
                           Row{TransferPlacement::end_of_queue, {"C001", "C002", "A001"}}}) {
        SECTION(std::string(to_string(row.placement))) {
            QueueHall hall;
            hall.setup().policy.transfer_placement = row.placement;
            hall.reopen();
            hall.sign_in(1);
            hall.take("SBYB");  // A001 at 09:00
            hall.advance(5min);
            hall.take("HJ");  // C001
            hall.advance(5min);
            hall.take("HJ");  // C002
            hall.advance(5min);
            CHECK(hall.call(1) == "A001");
            auto t = hall.q().transfer(1, "HJ");
            REQUIRE(t);
            CHECK(t.value().number == "A001");
            CHECK(t.value().category == "HJ");
            CHECK(t.value().issued_category == "SBYB");
            CHECK_FALSE(t.value().priority);
            CHECK(t.value().state == TicketState::waiting);
            CHECK(t.value().transfers == 1);
            CHECK_FALSE(hall.q().current(1));
            CHECK(hall.order("HJ") == row.expected);
            auto log = hall.q().history("A001");
            CHECK(log.back().action == QueueAction::transfer);
            CHECK(log.back().reason == "from SBYB");
            CHECK(log.back().category == "HJ");
        }
    }
    SECTION("refusals") {
        QueueHall hall;
        hall.sign_in(1);
        CHECK(cause_of(hall.q().transfer(1, "HJ")) == QueueErrc::no_current_ticket);
        hall.take("SBYB");
        hall.call(1);
        CHECK(cause_of(hall.q().transfer(1, "SBYB")) == QueueErrc::same_category);
        CHECK(hall.q().transfer(1, "SBYB").error().message_zh == "A001 已在“社保医保”业务中，请选择其他业务类别。");
        CHECK(cause_of(hall.q().transfer(1, "NOPE")) == QueueErrc::unknown_category);
        CHECK(cause_of(hall.q().transfer(1, "HJ", "A777")) == QueueErrc::unknown_ticket);
        CHECK(hall.q().current(1)->number == "A001");
    }
    SECTION("the daily cap and ticket hours do not stop a transfer") {
        QueueHall hall;
        hall.sign_in(1);
        for (int i = 0; i < 5; ++i) hall.take("BDC");
        CHECK(cause_of(hall.q().take_ticket("BDC")) == QueueErrc::daily_cap_reached);
        hall.take("SBYB", true);
        hall.set("2026-10-08T16:45:00+08:00");  // BDC stopped taking tickets at 16:30
        hall.call(1);
        auto t = hall.q().transfer(1, "BDC");
        REQUIRE(t);
        CHECK(t.value().priority);  // a 绿色通道 ticket stays one
        CHECK(hall.order("BDC").size() == 6);
    }
}

TEST_CASE("A held ticket frees the window and comes back when resumed", "[queue]") {
    QueueHall hall;
    hall.sign_in(1);
    hall.sign_in(3);
    hall.take("SBYB");  // A001
    hall.take("SBYB");  // A002
    hall.take("HJ");    // C001
    hall.call(1);
    auto h = hall.q().hold(1, "A001");
    REQUIRE(h);
    CHECK(h.value().state == TicketState::held);
    CHECK_FALSE(hall.q().current(1));
    REQUIRE(hall.q().held(1).size() == 1);
    CHECK(hall.q().held(1)[0].number == "A001");
    CHECK(cause_of(hall.q().hold(1, "A001")) == QueueErrc::illegal_transition);

    CHECK(hall.call(1) == "A002");
    auto busy = hall.q().resume(1, "A001");
    CHECK(cause_of(busy) == QueueErrc::window_busy);
    CHECK(contains(busy.error().message_zh, "A002 还没有处理完"));
    hall.finish(1);
    CHECK(cause_of(hall.q().resume(1, "A002")) == QueueErrc::illegal_transition);
    CHECK(hall.q().resume(1, "A002").error().message_zh == "A002 没有挂起，不需要恢复。");

    // Window 2 does not serve SBYB; window 3 does and may pick it up.
    hall.sign_in(2);
    CHECK(cause_of(hall.q().resume(2, "A001")) == QueueErrc::window_not_serving);
    auto back = hall.q().resume(3, "A001");
    REQUIRE(back);
    CHECK(back.value().action == QueueAction::resume);
    CHECK(back.value().explanation_zh == "恢复挂起的号");
    CHECK(back.value().ticket.state == TicketState::called);
    CHECK(back.value().window == 3);
    CHECK(hall.q().current(3)->number == "A001");
    CHECK(hall.q().held(1).empty());

    // A held ticket can be transferred or cancelled by number.
    REQUIRE(hall.q().hold(3));
    auto moved = hall.q().transfer(3, "HJ", "A001");
    REQUIRE(moved);
    CHECK(moved.value().category == "HJ");
    CHECK(hall.call(3) == "A001");
    REQUIRE(hall.q().hold(3));
    auto gone = hall.q().cancel("A001", "群众离开");
    REQUIRE(gone);
    CHECK(gone.value().state == TicketState::cancelled);
    CHECK(hall.q().history("A001").back().reason == "群众离开");
}

TEST_CASE("Double clicks and stale pages never act on the wrong ticket", "[queue]") {
    QueueHall hall;
    hall.sign_in(1);
    hall.take("SBYB");
    hall.take("SBYB");
    hall.call(1);
    SECTION("double complete") {
        REQUIRE(hall.q().complete(1, "A001"));
        auto again = hall.q().complete(1, "A001");
        CHECK(cause_of(again) == QueueErrc::illegal_transition);
        CHECK(again.error().message_zh == "A001 已办结，不能重复办结。");
        auto bare = hall.q().complete(1);
        CHECK(cause_of(bare) == QueueErrc::no_current_ticket);
        CHECK(bare.error().message_zh == "本窗口当前没有叫到的号，请先叫号。");
    }
    SECTION("a stale number is refused and nothing changes") {
        auto waiting = hall.q().complete(1, "A002");
        CHECK(cause_of(waiting) == QueueErrc::illegal_transition);
        CHECK(waiting.error().message_zh == "A002 还在等候，尚未叫号，不能办结。请先叫号。");
        hall.sign_in(3);
        CHECK(hall.call(3) == "A002");
        auto stale = hall.q().complete(1, "A002");
        CHECK(cause_of(stale) == QueueErrc::ticket_mismatch);
        CHECK(stale.error().message_zh == "A002 不是本窗口当前的号（当前为 A001），请刷新页面后再操作。");
        CHECK(hall.q().find("A002")->state == TicketState::called);
        CHECK(hall.q().current(1)->number == "A001");
        CHECK(hall.q().current(3)->number == "A002");
        CHECK(cause_of(hall.q().skip(1, "A-2")) == QueueErrc::invalid_field);
    }
    SECTION("call next while a ticket is open at the window") {
        auto busy = hall.q().call_next(1);
        CHECK(cause_of(busy) == QueueErrc::window_busy);
        CHECK(busy.error().message_zh == "本窗口的 A001 还没有处理完，请先办结、过号或挂起，再叫下一个号。");
        CHECK(hall.q().find("A002")->state == TicketState::waiting);
    }
    SECTION("signing out with an open ticket") {
        CHECK(cause_of(hall.q().close_window(1)) == QueueErrc::window_busy);
        REQUIRE(hall.q().complete(1));
        auto closed = hall.q().close_window(1);
        REQUIRE(closed);
        CHECK(closed.value().closed_at);
        CHECK_FALSE(hall.q().session(1));
        CHECK(cause_of(hall.q().close_window(1)) == QueueErrc::window_closed);
    }
}

TEST_CASE("Unknown or signed-out windows and bad staff input get clear refusals", "[queue]") {
    QueueHall hall;
    hall.take("SBYB");
    for (int w : {0, -1, 4, 1000, 2147483647}) {
        CAPTURE(w);
        auto r = hall.q().call_next(w);
        CHECK(cause_of(r) == QueueErrc::unknown_window);
        CHECK(cause_of(hall.q().open_window(w, test::staff_for(1))) == QueueErrc::unknown_window);
        CHECK(cause_of(hall.q().preview_next(w)) == QueueErrc::unknown_window);
    }
    CHECK(hall.q().call_next(4).error().message_zh == "没有 4 号窗口，请检查窗口号。");
    auto closed = hall.q().call_next(1);
    CHECK(cause_of(closed) == QueueErrc::window_closed);
    CHECK(closed.error().message_zh == "1 号窗口尚未登录，请先用工号登录。");
    CHECK(cause_of(hall.q().recall(1)) == QueueErrc::window_closed);
    CHECK(cause_of(hall.q().complete(1)) == QueueErrc::window_closed);

    CHECK(cause_of(hall.q().open_window(1, Staff{"", "王丽"})) == QueueErrc::invalid_field);
    CHECK(cause_of(hall.q().open_window(1, Staff{std::string(33, '1'), "王丽"})) == QueueErrc::invalid_field);
    CHECK(cause_of(hall.q().open_window(1, Staff{"1001", "\xc3\x28"})) == QueueErrc::invalid_field);
    CHECK(cause_of(hall.q().open_window(1, Staff{"10\n01", "王丽"})) == QueueErrc::invalid_field);
    auto ok = hall.q().open_window(1, Staff{" 1001 ", "王丽"});
    REQUIRE(ok);
    CHECK(ok.value().staff.number == "1001");
    // Signing in again is harmless; another staff member takes the window over.
    auto again = hall.q().open_window(1, Staff{"1001", "王丽"});
    REQUIRE(again);
    CHECK(again.value().opened_at == ok.value().opened_at);
    auto other = hall.q().open_window(1, Staff{"1004", "刘洋"});
    REQUIRE(other);
    CHECK(hall.q().session(1)->staff.number == "1004");
    CHECK(hall.call(1) == "A001");
    CHECK(hall.q().history("A001").back().staff_number == "1004");
}

TEST_CASE("Unknown categories and hostile text are refused and the store stays intact", "[queue]") {
    QueueHall hall;
    for (const std::string& bad :
         {std::string(""), std::string("sbyb"), std::string("NOPE"), std::string("SBYB' OR '1'='1"),
          std::string("A'; DROP TABLE tickets;--"), std::string(100000, 'X'), std::string("\x00SBYB", 5)}) {
        auto r = hall.q().take_ticket(bad);
        CHECK(cause_of(r) == QueueErrc::unknown_category);
        CHECK(r.error().message_zh == "没有这个业务类别，请返回重新选择。");
        CHECK(cause_of(hall.q().estimate_new(bad)) == QueueErrc::unknown_category);
        CHECK(cause_of(hall.q().waiting_order(bad)) == QueueErrc::unknown_category);
    }
    // Refusals wrote nothing: the first real ticket is still A001.
    CHECK(hall.take("SBYB") == "A001");
    CHECK(test::raw_int(hall.db(), "SELECT count(*) FROM tickets") == 1);
    CHECK_FALSE(hall.q().find("A'; DROP TABLE tickets;--"));
    CHECK(hall.q().history("nonsense").empty());
    CHECK(cause_of(hall.q().cancel("A001", "")) == QueueErrc::invalid_field);
    CHECK(cause_of(hall.q().cancel("Z999", "离开")) == QueueErrc::unknown_ticket);
    CHECK(cause_of(hall.q().estimate("Z999")) == QueueErrc::unknown_ticket);
    CHECK(hall.q().statistics("not a day").empty());
    CHECK(hall.q().statistics("2026-02-30").empty());
}

TEST_CASE("Tickets are refused outside ticket hours, on non-working days and beyond the daily cap", "[queue]") {
    SECTION("hours") {
        QueueHall hall(test::small_hall_setup(), "2026-10-08T08:29:59+08:00");
        auto early = hall.q().take_ticket("SBYB");
        CHECK(cause_of(early) == QueueErrc::category_closed);
        CHECK(early.error().message_zh == "社保医保尚未开始取号，取号时间为 08:30–17:00。请稍后再来。");
        hall.set("2026-10-08T08:30:00+08:00");
        CHECK(hall.take("SBYB") == "A001");
        hall.set("2026-10-08T16:59:59+08:00");
        CHECK(hall.take("SBYB") == "A002");
        hall.set("2026-10-08T17:00:00+08:00");
        auto late = hall.q().take_ticket("SBYB");
        CHECK(cause_of(late) == QueueErrc::category_closed);
        CHECK(late.error().message_zh == "社保医保今日取号已结束（取号时间 08:30–17:00），请下个工作日再来。");
        CHECK(hall.q().snapshot().categories[0].taking_tickets == false);
        // Calling goes on after ticket hours: the people inside are still served.
        hall.sign_in(1);
        CHECK(hall.call(1) == "A001");
    }
    SECTION("non-working days when the policy says so") {
        auto setup = test::small_hall_setup();
        setup.policy.closed_on_non_working_days = true;
        setup.calendar = WorkCalendar{};                     // Monday to Friday
        QueueHall hall(setup, "2026-10-10T09:00:00+08:00");  // a Saturday
        auto r = hall.q().take_ticket("SBYB");
        CHECK(cause_of(r) == QueueErrc::category_closed);
        CHECK(contains(r.error().message_zh, "休息日"));
        hall.set("2026-10-12T09:00:00+08:00");  // Monday
        CHECK(hall.take("SBYB") == "A001");
    }
    SECTION("daily cap") {
        QueueHall hall;
        for (int i = 1; i <= 5; ++i) CHECK(hall.take("BDC") == "B00" + std::to_string(i));
        auto full = hall.q().take_ticket("BDC");
        CHECK(cause_of(full) == QueueErrc::daily_cap_reached);
        CHECK(full.error().message_zh ==
              "不动产登记今日号已取完（每日限 5 个），请下个工作日再来，或通过网上预约办理。");
        CHECK(hall.take("SBYB") == "A001");  // other categories are not affected
        auto snap = hall.q().snapshot();
        CHECK(snap.categories[1].issued_today == 5);
        CHECK_FALSE(snap.categories[1].taking_tickets);
        hall.set("2026-10-09T09:00:00+08:00");
        CHECK(hall.take("BDC") == "B001");  // a new day, a new cap
    }
}

TEST_CASE("An absurd clock is refused and a clock that goes back never makes time run backwards", "[queue]") {
    QueueHall hall(test::small_hall_setup(), "2026-10-08T10:00:00+08:00");
    hall.sign_in(1);
    hall.take("SBYB");
    hall.set("1970-01-01T08:00:00+08:00");
    auto r = hall.q().take_ticket("SBYB");
    CHECK(cause_of(r) == QueueErrc::clock_invalid);
    CHECK(r.error().message_zh == "设备时间异常，暂时不能操作。请联系管理员校准设备时间。");
    CHECK(cause_of(hall.q().call_next(1)) == QueueErrc::clock_invalid);
    CHECK(hall.q().snapshot().categories[0].waiting == 1);  // reads still work
    hall.set("2100-01-01T09:00:00+08:00");
    CHECK(cause_of(hall.q().take_ticket("SBYB")) == QueueErrc::clock_invalid);

    // Back by 40 minutes: time is held at the latest recorded instant.
    hall.set("2026-10-08T09:20:00+08:00");
    auto second = hall.q().take_ticket("SBYB");
    REQUIRE(second);
    CHECK(second.value().ticket.issued_at == test::at("2026-10-08T10:00:00+08:00"));
    hall.call(1);
    hall.set("2026-10-08T09:25:00+08:00");
    auto done = hall.q().complete(1);
    REQUIRE(done);
    CHECK(done.value().service.count() >= 0);
    CHECK(done.value().waited.count() >= 0);
    for (const auto& e : hall.q().history("A001")) CHECK(e.at >= test::at("2026-10-08T10:00:00+08:00"));
}

TEST_CASE("A storage failure refuses the operation and leaves no half-written ticket", "[queue]") {
    QueueHall hall;
    CHECK(hall.take("SBYB") == "A001");
    test::raw_exec(hall.db(),
                   "CREATE TRIGGER break_tickets BEFORE INSERT ON tickets "
                   "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;");
    auto r = hall.q().take_ticket("SBYB");
    CHECK(cause_of(r) == QueueErrc::storage_error);
    CHECK(r.error().message_zh == "操作未能保存，请重试；如仍失败请联系管理员。");
    CHECK(test::raw_int(hall.db(), "SELECT last_seq FROM queue_numbers WHERE prefix = 'A'") == 1);
    test::raw_exec(hall.db(), "DROP TRIGGER break_tickets");
    CHECK(hall.take("SBYB") == "A002");
}

TEST_CASE("Two windows calling at the same time never get the same ticket", "[queue]") {
    QueueHall hall;
    hall.sign_in(1);
    hall.sign_in(3);
    const int n = 60;
    for (int i = 0; i < n; ++i) hall.take("SBYB", i % 4 == 0);
    std::vector<std::string> got1, got3;
    auto worker = [&hall](int window, std::vector<std::string>& got) {
        for (;;) {
            auto r = hall.q().call_next(window);
            if (!r) {
                if (r.error().cause == QueueErrc::queue_empty) return;
                continue;
            }
            got.push_back(r.value().ticket.number);
            auto c = hall.q().complete(window, r.value().ticket.number);
            if (!c) return;
        }
    };
    std::thread a(worker, 1, std::ref(got1));
    std::thread b(worker, 3, std::ref(got3));
    a.join();
    b.join();
    std::vector<std::string> all = got1;
    all.insert(all.end(), got3.begin(), got3.end());
    std::sort(all.begin(), all.end());
    CHECK(all.size() == static_cast<size_t>(n));
    CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());
    CHECK(test::raw_int(hall.db(), "SELECT count(*) FROM tickets WHERE state = 'done'") == n);
    CHECK(test::raw_int(hall.db(), "SELECT count(*) FROM ticket_events WHERE action = 'call'") == n);
}

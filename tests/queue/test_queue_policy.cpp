// The queue's pure rules, table by table: numbers, the state machine, the call order (ratio,
// aging, across categories), explanations for staff, and the ETA arithmetic.
#include <catch2/catch.hpp>

#include <random>

#include "hcp/queue/policy.hpp"
#include "queue_fixture.hpp"

using namespace hcp;
using namespace std::chrono_literals;
using test::at;

namespace {

const TimePoint kNow = at("2026-10-08T11:00:00+08:00");

// A waiting ticket taken `minutes_ago` before kNow; order key by take time.
QueueEntry entry(std::int64_t id, const std::string& number, bool priority, int minutes_ago) {
    QueueEntry e;
    e.id = id;
    e.number = number;
    e.priority = priority;
    e.aging_since = kNow - std::chrono::minutes{minutes_ago};
    e.order_key = e.aging_since.time_since_epoch().count();
    return e;
}

std::vector<std::string> numbers_of(const std::vector<Pick>& picks) {
    std::vector<std::string> out;
    for (const auto& p : picks) out.push_back(p.entry.number);
    return out;
}

std::vector<PickReason> reasons_of(const std::vector<Pick>& picks) {
    std::vector<PickReason> out;
    for (const auto& p : picks) out.push_back(p.reason);
    return out;
}

}  // namespace

TEST_CASE("Ticket numbers are the prefix and the zero-padded sequence of the day", "[queue]") {
    struct Row {
        char prefix;
        long long seq;
        int digits;
        const char* expected;
    };
    for (const Row& r : {Row{'A', 1, 3, "A001"}, Row{'B', 42, 3, "B042"}, Row{'A', 999, 3, "A999"},
                         Row{'A', 1000, 3, "A1000"}, Row{'C', 7, 2, "C07"}, Row{'Z', 12345, 4, "Z12345"}}) {
        CAPTURE(r.expected);
        CHECK(format_ticket_number(r.prefix, r.seq, r.digits) == r.expected);
    }
    CHECK_THROWS_AS(format_ticket_number('a', 1, 3), Error);
    CHECK_THROWS_AS(format_ticket_number('A', 0, 3), Error);
    CHECK_THROWS_AS(format_ticket_number('A', -5, 3), Error);
    CHECK_THROWS_AS(format_ticket_number('A', 1, 0), Error);
}

TEST_CASE("Numbers typed or scanned by people are normalised or refused", "[queue]") {
    struct Row {
        const char* in;
        std::optional<std::string> out;
    };
    for (const Row& r :
         {Row{"A012", "A012"}, Row{"a12", "A012"}, Row{"  A012 \r\n", "A012"}, Row{"A0012", "A012"}, Row{"b7", "B007"},
          Row{"A1000", "A1000"}, Row{"12", std::nullopt}, Row{"AA1", std::nullopt}, Row{"A0", std::nullopt},
          Row{"A", std::nullopt}, Row{"", std::nullopt}, Row{"A-12", std::nullopt},
          Row{"\xEF\xBC\xA1"
              "12",
              std::nullopt},
          Row{"A12345678901", std::nullopt}, Row{"A1 2", std::nullopt},
          Row{"A'; DROP TABLE tickets;--", std::nullopt}}) {
        CAPTURE(r.in);
        CHECK(normalize_ticket_number(r.in, 3) == r.out);
    }
}

TEST_CASE("The business day is the China date of an instant", "[queue]") {
    CHECK(business_day(at("2026-10-08T23:59:59+08:00")) == "2026-10-08");
    CHECK(business_day(at("2026-10-09T00:00:00+08:00")) == "2026-10-09");
    CHECK(business_day(at("2026-10-08T16:00:00Z")) == "2026-10-09");
    CHECK(business_day(at("2026-10-08T15:59:59Z")) == "2026-10-08");
}

TEST_CASE("The state machine allows exactly the transitions of the design", "[queue]") {
    using S = TicketState;
    using A = QueueAction;
    const std::vector<S> all{S::waiting, S::called,      S::serving,   S::done,
                             S::no_show, S::transferred, S::cancelled, S::held};
    struct Row {
        A action;
        std::vector<S> allowed;
    };
    const std::vector<Row> table{
        {A::issue, {}},
        {A::call, {S::waiting}},
        {A::call_given, {S::waiting, S::no_show}},
        {A::recall, {S::called}},
        {A::start, {S::called}},
        {A::skip, {S::called}},
        {A::hold, {S::called, S::serving}},
        {A::resume, {S::held}},
        {A::transfer, {S::called, S::serving, S::held}},
        {A::complete, {S::called, S::serving}},
        {A::cancel, {S::waiting, S::held}},
        {A::expire, {S::waiting, S::called, S::serving, S::held}},
    };
    for (const auto& row : table) {
        for (S s : all) {
            bool expected = std::find(row.allowed.begin(), row.allowed.end(), s) != row.allowed.end();
            CAPTURE(to_string(row.action), to_string(s));
            CHECK(action_allowed(row.action, s) == expected);
            if (!expected) {
                std::string msg = illegal_transition_zh(row.action, s, "A012");
                CHECK(msg.find("A012") != std::string::npos);
                CHECK(msg.size() > 10);
            }
        }
    }
    for (S s : all) CHECK(is_final(s) == (s == S::done || s == S::no_show || s == S::transferred || s == S::cancelled));
}

TEST_CASE("Refused transitions tell staff in Chinese what happened and what to do", "[queue]") {
    CHECK(illegal_transition_zh(QueueAction::complete, TicketState::done, "A012") == "A012 已办结，不能重复办结。");
    CHECK(illegal_transition_zh(QueueAction::recall, TicketState::serving, "A012") == "A012 正在办理中，无需重呼。");
    CHECK(illegal_transition_zh(QueueAction::complete, TicketState::waiting, "B003").find("请先叫号") !=
          std::string::npos);
    CHECK(illegal_transition_zh(QueueAction::call_given, TicketState::cancelled, "C001").find("已作废") !=
          std::string::npos);
    CHECK(illegal_transition_zh(QueueAction::start, TicketState::held, "A001").find("请先恢复") != std::string::npos);
}

TEST_CASE("Actions, reasons and placements round-trip through their names", "[queue]") {
    for (auto a : {QueueAction::issue, QueueAction::call, QueueAction::call_given, QueueAction::recall,
                   QueueAction::start, QueueAction::skip, QueueAction::hold, QueueAction::resume, QueueAction::transfer,
                   QueueAction::complete, QueueAction::cancel, QueueAction::expire}) {
        CHECK(parse_queue_action(to_string(a)) == a);
        CHECK(!label_zh(a).empty());
    }
    CHECK(parse_queue_action("drop") == std::nullopt);
    CHECK(parse_transfer_placement("take_time") == TransferPlacement::take_time);
    CHECK(parse_transfer_placement("end_of_queue") == TransferPlacement::end_of_queue);
    CHECK(parse_transfer_placement("front") == std::nullopt);
    CHECK(parse_ticket_state("held") == TicketState::held);
    CHECK(to_string(TicketState::held) == "held");
}

TEST_CASE("The call order of one category follows the ratio and the aging rule", "[queue]") {
    using R = PickReason;
    struct Row {
        const char* name;
        int ratio;
        int max_wait;
        std::optional<int> streak;
        std::vector<QueueEntry> entries;
        std::vector<std::string> expected;
        std::vector<R> reasons;
    };
    const std::vector<Row> table{
        {"no priority tickets: by take time",
         3,
         60,
         std::nullopt,
         {entry(3, "A003", false, 5), entry(1, "A001", false, 10), entry(2, "A002", false, 8)},
         {"A001", "A002", "A003"},
         {R::in_order, R::in_order, R::in_order}},
        {"3:1 with no priority called yet today: the first priority ticket goes at once",
         3,
         60,
         std::nullopt,
         {entry(1, "A001", false, 20), entry(2, "A002", false, 19), entry(3, "A003", false, 18),
          entry(4, "A004", false, 17), entry(5, "A005", false, 16), entry(6, "A006", true, 15),
          entry(7, "A007", true, 14)},
         {"A006", "A001", "A002", "A003", "A007", "A004", "A005"},
         {R::priority_turn, R::in_order, R::in_order, R::in_order, R::priority_turn, R::in_order, R::in_order}},
        {"3:1 with one normal called since the last priority: two more normals first",
         3,
         60,
         1,
         {entry(1, "A001", false, 20), entry(2, "A002", false, 19), entry(3, "A003", false, 18),
          entry(4, "A004", false, 17), entry(5, "A005", false, 16), entry(6, "A006", true, 15),
          entry(7, "A007", true, 14)},
         {"A001", "A002", "A006", "A003", "A004", "A005", "A007"},
         {R::in_order, R::in_order, R::priority_turn, R::in_order, R::in_order, R::in_order, R::priority_only}},
        {"only priority tickets waiting",
         3,
         60,
         0,
         {entry(2, "A002", true, 3), entry(1, "A001", true, 4)},
         {"A001", "A002"},
         {R::priority_only, R::priority_only}},
        {"1:1 alternates",
         1,
         60,
         0,
         {entry(1, "A001", false, 9), entry(2, "A002", false, 8), entry(3, "A003", true, 7), entry(4, "A004", true, 6)},
         {"A001", "A003", "A002", "A004"},
         {R::in_order, R::priority_turn, R::in_order, R::priority_only}},
        {"tickets over the max wait go first, oldest first, whatever their class",
         3,
         60,
         0,
         {entry(3, "A003", false, 10), entry(2, "A002", true, 65), entry(1, "A001", false, 70)},
         {"A001", "A002", "A003"},
         {R::aged, R::aged, R::in_order}},
        {"aging beats a priority ticket's turn",
         3,
         60,
         std::nullopt,
         {entry(5, "A005", true, 5), entry(1, "A001", false, 61)},
         {"A001", "A005"},
         {R::aged, R::priority_only}},
        {"exactly max_wait counts as aged",
         3,
         60,
         0,
         {entry(2, "A002", false, 60), entry(1, "A001", false, 59)},
         {"A002", "A001"},
         {R::aged, R::in_order}},
        {"max wait 0 disables aging",
         3,
         0,
         0,
         {entry(2, "A002", false, 600), entry(1, "A001", false, 700)},
         {"A001", "A002"},
         {R::in_order, R::in_order}},
        {"equal take time: the earlier id first",
         3,
         60,
         0,
         {entry(9, "A009", false, 5), entry(4, "A004", false, 5)},
         {"A004", "A009"},
         {R::in_order, R::in_order}},
    };
    for (const auto& row : table) {
        SECTION(row.name) {
            ServiceCategory c =
                test::category("SBYB", "社保医保", 'A', {1}, row.ratio, row.max_wait, 0, "08:30", "17:00");
            CategoryQueue q{&c, row.entries, row.streak};
            auto order = predicted_order(q, kNow);
            CHECK(numbers_of(order) == row.expected);
            CHECK(reasons_of(order) == row.reasons);
            auto first = select_next({q}, kNow);
            REQUIRE(first);
            CHECK(first->entry.number == row.expected.front());
            CHECK(first->reason == row.reasons.front());
        }
    }
}

TEST_CASE("Across categories an aged ticket wins, then a priority turn, then the earliest taken", "[queue]") {
    ServiceCategory a = test::category("SBYB", "社保医保", 'A', {3}, 3, 90, 0, "08:30", "17:00");
    ServiceCategory c = test::category("HJ", "户籍", 'C', {3}, 3, 60, 0, "08:30", "17:00");
    SECTION("earliest taken across categories") {
        auto p = select_next(
            {CategoryQueue{&a, {entry(1, "A001", false, 12)}, 0}, CategoryQueue{&c, {entry(2, "C001", false, 15)}, 0}},
            kNow);
        REQUIRE(p);
        CHECK(p->entry.number == "C001");
        CHECK(p->category == "HJ");
    }
    SECTION("an aged ticket of a category with a shorter max wait beats an older one") {
        auto p = select_next(
            {CategoryQueue{&a, {entry(1, "A001", false, 80)}, 0}, CategoryQueue{&c, {entry(2, "C001", false, 61)}, 0}},
            kNow);
        REQUIRE(p);
        CHECK(p->entry.number == "C001");
        CHECK(p->reason == PickReason::aged);
    }
    SECTION("a priority ticket whose turn came beats an older normal ticket of another category") {
        auto p = select_next({CategoryQueue{&a, {entry(1, "A001", false, 30)}, 0},
                              CategoryQueue{&c, {entry(2, "C001", false, 20), entry(3, "C002", true, 2)}, 3}},
                             kNow);
        REQUIRE(p);
        CHECK(p->entry.number == "C002");
        CHECK(p->reason == PickReason::priority_turn);
    }
    SECTION("nothing waiting") {
        CHECK_FALSE(select_next({CategoryQueue{&a, {}, 0}, CategoryQueue{&c, {}, std::nullopt}}, kNow));
        CHECK_FALSE(select_next({}, kNow));
    }
    SECTION("a queue without a category is a programming error") {
        CHECK_THROWS_AS(select_next({CategoryQueue{nullptr, {}, 0}}, kNow), Error);
        CHECK_THROWS_AS(predicted_order(CategoryQueue{nullptr, {}, 0}, kNow), Error);
    }
}

TEST_CASE("The fast first pick always equals the head of the predicted order", "[queue]") {
    std::mt19937 rng(20261008);
    for (int round = 0; round < 500; ++round) {
        int ratio = std::uniform_int_distribution<int>(1, 5)(rng);
        int max_wait = std::uniform_int_distribution<int>(0, 1)(rng) == 0 ? 0 : 30;
        ServiceCategory c = test::category("SBYB", "社保医保", 'A', {1}, ratio, max_wait, 0, "08:30", "17:00");
        std::vector<QueueEntry> entries;
        int n = std::uniform_int_distribution<int>(1, 12)(rng);
        for (int i = 1; i <= n; ++i)
            entries.push_back(entry(i, "A" + std::to_string(i), std::uniform_int_distribution<int>(0, 3)(rng) == 0,
                                    std::uniform_int_distribution<int>(0, 50)(rng)));
        std::optional<int> streak;
        if (int s = std::uniform_int_distribution<int>(-1, 6)(rng); s >= 0) streak = s;
        CategoryQueue q{&c, entries, streak};
        auto order = predicted_order(q, kNow);
        auto first = select_next({q}, kNow);
        REQUIRE(first);
        REQUIRE(order.size() == entries.size());
        CHECK(first->entry.id == order.front().entry.id);
        CHECK(first->reason == order.front().reason);
    }
}

TEST_CASE("Staff see why a ticket was chosen and the category's policy", "[queue]") {
    Pick p;
    p.ratio = 3;
    p.max_wait_minutes = 60;
    p.reason = PickReason::priority_turn;
    CHECK(explain_zh(p) == "优先号（每3个普通号叫1个优先号）");
    p.reason = PickReason::aged;
    p.waited = 72min;
    CHECK(explain_zh(p) == "等候超过60分钟（已等72分钟），优先叫号");
    p.reason = PickReason::in_order;
    CHECK(explain_zh(p) == "按取号顺序");
    p.reason = PickReason::given_number;
    p.note = "群众返回";
    CHECK(explain_zh(p) == "特呼：群众返回");
    p.reason = PickReason::priority_only;
    CHECK(explain_zh(p).find("优先号") == 0);
    p.reason = PickReason::resumed;
    CHECK(explain_zh(p) == "恢复挂起的号");
    ServiceCategory c = test::category("SBYB", "社保医保", 'A', {1}, 3, 60, 0, "08:30", "17:00");
    CHECK(policy_summary_zh(c) == "每3个普通号叫1个优先号；等候超过60分钟的号优先叫");
}

TEST_CASE("The first priority ticket of the day is explained as first and not by the ratio", "[queue]") {
    ServiceCategory c = test::category("SBYB", "社保医保", 'A', {1}, 3, 60, 0, "08:30", "17:00");
    const std::vector<QueueEntry> waiting{entry(1, "A001", false, 20), entry(2, "A002", false, 19),
                                          entry(3, "A003", false, 18), entry(4, "A004", false, 17),
                                          entry(5, "A005", true, 15),  entry(6, "A006", true, 14)};
    // No priority ticket called yet today: A005 goes first, and says why.
    CategoryQueue today{&c, waiting, std::nullopt};
    const auto first = select_next({today}, kNow);
    REQUIRE(first);
    CHECK(first->entry.number == "A005");
    CHECK(first->reason == PickReason::priority_turn);
    CHECK(explain_zh(*first) == "优先号（今天还没有叫过优先号，先叫）");
    const auto order = predicted_order(today, kNow);
    CHECK(explain_zh(order.at(0)) == "优先号（今天还没有叫过优先号，先叫）");
    // The next priority ticket (after three normal ones) goes by the ratio.
    CHECK(order.at(4).entry.number == "A006");
    CHECK(explain_zh(order.at(4)) == "优先号（每3个普通号叫1个优先号）");
    // Later in the day, three normal tickets after a priority one: the ratio.
    CategoryQueue later{&c, waiting, 3};
    CHECK(explain_zh(*select_next({later}, kNow)) == "优先号（每3个普通号叫1个优先号）");
}

TEST_CASE("The wait estimate is people ahead times the average service over the windows", "[queue]") {
    struct Row {
        int ahead;
        long long avg_s;
        int windows;
        long long expected_s;
    };
    for (const Row& r :
         {Row{0, 300, 1, 0}, Row{3, 300, 1, 900}, Row{3, 300, 2, 450}, Row{5, 300, 3, 500}, Row{1, 301, 2, 151},
          Row{-2, 300, 1, 0}, Row{4, 300, 0, 1200}, Row{4, 300, -3, 1200}, Row{2, 0, 1, 0}}) {
        CAPTURE(r.ahead, r.avg_s, r.windows);
        auto w = estimate_wait(r.ahead, std::chrono::seconds{r.avg_s}, r.windows);
        CHECK(w.count() == r.expected_s);
        CHECK(w.count() >= 0);
    }
    CHECK(format_wait_zh(0s) == "即将叫号");
    CHECK(format_wait_zh(20s) == "约 1 分钟");
    CHECK(format_wait_zh(300s) == "约 5 分钟");
    CHECK(format_wait_zh(3600s) == "约 1 小时");
    CHECK(format_wait_zh(4801s) == "约 1 小时 21 分钟");
}

TEST_CASE("The service time average starts at the default, then follows services with clamping", "[queue]") {
    QueuePolicy p;
    p.eta_alpha = 0.5;
    ServiceTimeAverage avg(p);
    CHECK(avg.value() == std::chrono::seconds{8 * 60});
    CHECK(avg.samples() == 0);
    avg.add(std::chrono::minutes{4});
    CHECK(avg.value() == 240s);  // the first service replaces the guess
    avg.add(std::chrono::minutes{6});
    CHECK(avg.value() == 300s);  // 0.5 × 360 + 0.5 × 240
    avg.add(std::chrono::hours{8});
    CHECK(avg.value() == std::chrono::seconds{(7200 + 300) / 2});  // clamped to the 2 h ceiling
    ServiceTimeAverage fresh(p);
    fresh.add(std::chrono::milliseconds{200});
    CHECK(fresh.value() == 30s);  // the floor
}

TEST_CASE("Queue settings out of range are each named", "[queue]") {
    CHECK(validate(QueuePolicy{}).empty());
    QueuePolicy p;
    p.skip_requeue_behind = -1;
    p.skip_max_requeues = 11;
    p.eta_alpha = 0.0;
    p.number_digits = 1;
    p.service_floor = std::chrono::seconds{3000};
    p.service_ceiling = std::chrono::seconds{600};
    auto problems = validate(p);
    auto has = [&](const char* key) {
        return std::any_of(problems.begin(), problems.end(),
                           [&](const std::string& s) { return s.rfind(key, 0) == 0; });
    };
    CHECK(has("skip_requeue_behind"));
    CHECK(has("skip_max_requeues"));
    CHECK(has("eta_alpha"));
    CHECK(has("number_digits"));
    CHECK(has("service_floor_seconds"));
}

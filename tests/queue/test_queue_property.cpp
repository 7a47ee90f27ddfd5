// Property test: random sequences of operations from three windows keep every invariant of the
// queue — no number issued twice, no ticket lost, at most one current ticket per window, every
// call follows the priority policy (checked against an independent model of the ratio and the
// aging rule), and no estimate is ever negative.
#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "queue_fixture.hpp"

using namespace hcp;
using namespace std::chrono_literals;
using test::QueueHall;

namespace {

struct Model {
    std::map<std::string, std::optional<int>> streak;  // category → normal calls since a priority call
    long long issued = 0;
    int calls_checked = 0;
    int priority_turns = 0;
    int aged_calls = 0;

    void count_call(const std::string& category, bool priority) {
        auto& s = streak[category];
        if (priority) {
            s = 0;
        } else if (s) {
            ++*s;
        }
    }
};

bool aged(const QueueEntry& e, const ServiceCategory& c, TimePoint now) {
    return c.max_wait_minutes > 0 && now - e.aging_since >= std::chrono::minutes{c.max_wait_minutes};
}

// Checks a call_next result against the waiting tickets seen just before it.
void check_call(const Model& model, const QueueSetup& setup, int window,
                const std::map<std::string, std::vector<Pick>>& before, const CallOutcome& out, TimePoint now) {
    const Pick& pick = out.pick;
    const ServiceCategory* picked_cat = nullptr;
    for (const auto& c : setup.categories)
        if (c.code == pick.category) picked_cat = &c;
    REQUIRE(picked_cat != nullptr);
    CHECK(std::find(picked_cat->windows.begin(), picked_cat->windows.end(), window) != picked_cat->windows.end());
    // Oldest aged ticket among everything the window serves.
    std::optional<QueueEntry> oldest_aged;
    for (const auto& c : setup.categories) {
        auto it = before.find(c.code);
        if (it == before.end()) continue;
        for (const auto& p : it->second)
            if (aged(p.entry, c, now) && (!oldest_aged || p.entry.aging_since < oldest_aged->aging_since))
                oldest_aged = p.entry;
    }
    auto streak_of = [&](const std::string& code) {
        auto it = model.streak.find(code);
        return it == model.streak.end() ? std::optional<int>{} : it->second;
    };
    auto due = [&](const ServiceCategory& c) {
        auto s = streak_of(c.code);
        return !s || *s >= c.priority_ratio;
    };
    switch (pick.reason) {
        case PickReason::aged:
            REQUIRE(oldest_aged);
            CHECK(pick.entry.aging_since == oldest_aged->aging_since);
            CHECK(now - pick.entry.aging_since >= std::chrono::minutes{picked_cat->max_wait_minutes});
            break;
        case PickReason::priority_turn:
        case PickReason::priority_only:
            CHECK_FALSE(oldest_aged);
            CHECK(pick.entry.priority);
            if (pick.reason == PickReason::priority_turn) CHECK(due(*picked_cat));
            break;
        case PickReason::in_order: {
            CHECK_FALSE(oldest_aged);
            CHECK_FALSE(pick.entry.priority);
            // No category served here had a priority ticket whose turn came …
            for (const auto& c : setup.categories) {
                auto it = before.find(c.code);
                if (it == before.end()) continue;
                bool has_priority =
                    std::any_of(it->second.begin(), it->second.end(), [](const Pick& p) { return p.entry.priority; });
                bool has_normal =
                    std::any_of(it->second.begin(), it->second.end(), [](const Pick& p) { return !p.entry.priority; });
                CHECK_FALSE((has_priority && (due(c) || !has_normal)));
            }
            // … and the pick is the earliest normal ticket of its category.
            for (const auto& p : before.at(pick.category))
                if (!p.entry.priority) CHECK(pick.entry.order_key <= p.entry.order_key);
            break;
        }
        default: FAIL("call_next gave reason " << to_string(pick.reason));
    }
}

void run(unsigned seed, int ops) {
    auto setup = test::small_hall_setup();
    for (auto& c : setup.categories) {
        c.opens = "00:00";
        c.closes = "23:59";
    }
    setup.durability = Durability::off_for_fixtures;
    QueueHall hall(setup, "2026-10-08T07:00:00+08:00");
    const auto& cats = hall.setup().categories;
    std::mt19937 rng(seed);
    auto pick_int = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    Model model;
    for (int w = 1; w <= 3; ++w) hall.sign_in(w);
    const std::string day = "2026-10-08";

    for (int op = 0; op < ops; ++op) {
        hall.advance(std::chrono::seconds{pick_int(0, 40)});
        int w = pick_int(1, 3);
        int dice = pick_int(0, 99);
        CAPTURE(seed, op, dice, w);
        if (dice < 28) {
            const auto& c = cats[static_cast<size_t>(pick_int(0, 2))];
            auto r = hall.q().take_ticket(c.code, pick_int(0, 3) == 0);
            if (r) {
                ++model.issued;
                CHECK(r.value().estimate.wait.count() >= 0);
                CHECK(r.value().estimate.people_ahead >= 0);
            } else {
                CHECK(r.error().cause == QueueErrc::daily_cap_reached);
            }
        } else if (dice < 50) {
            std::map<std::string, std::vector<Pick>> before;
            for (const auto& c : cats)
                if (std::find(c.windows.begin(), c.windows.end(), w) != c.windows.end())
                    before[c.code] = hall.q().waiting_order(c.code).value();
            auto r = hall.q().call_next(w);
            if (r) {
                check_call(model, hall.setup(), w, before, r.value(), hall.now());
                model.count_call(r.value().ticket.category, r.value().ticket.priority);
                ++model.calls_checked;
                if (r.value().pick.reason == PickReason::priority_turn) ++model.priority_turns;
                if (r.value().pick.reason == PickReason::aged) ++model.aged_calls;
            } else {
                auto cause = r.error().cause;
                CHECK((cause == QueueErrc::window_busy || cause == QueueErrc::queue_empty ||
                       cause == QueueErrc::window_closed));
            }
        } else if (dice < 52) {
            (void)hall.q().recall(w);
        } else if (dice < 56) {
            (void)hall.q().start(w);
        } else if (dice < 62) {
            (void)hall.q().skip(w);
        } else if (dice < 65) {
            (void)hall.q().hold(w);
        } else if (dice < 69) {
            auto held = hall.q().held(pick_int(1, 3));
            if (!held.empty()) (void)hall.q().resume(w, held.front().number);
        } else if (dice < 72) {
            (void)hall.q().transfer(w, cats[static_cast<size_t>(pick_int(0, 2))].code);
        } else if (dice < 93) {
            (void)hall.q().complete(w);
        } else if (dice < 96) {
            auto order = hall.q().waiting_order(cats[static_cast<size_t>(pick_int(0, 2))].code).value();
            if (!order.empty()) REQUIRE(hall.q().cancel(order.back().entry.number, "群众离开"));
        } else if (dice < 98) {
            auto order = hall.q().waiting_order(cats[static_cast<size_t>(pick_int(0, 2))].code).value();
            if (!order.empty()) {
                auto r = hall.q().call_number(w, order.back().entry.number, "预约到场");
                if (r) model.count_call(r.value().ticket.category, r.value().ticket.priority);
            }
        } else if (hall.q().session(w)) {
            (void)hall.q().close_window(w);
        } else {
            hall.sign_in(w);
        }

        // ---- invariants ----
        const auto& db = hall.db();
        REQUIRE(test::raw_int(db, "SELECT count(*) FROM tickets") == model.issued);
        REQUIRE(test::raw_int(db, "SELECT count(DISTINCT number) FROM tickets") == model.issued);
        REQUIRE(test::raw_int(db,
                              "SELECT count(*) FROM tickets WHERE state NOT IN ('waiting', 'called', "
                              "'serving', 'held', 'done', 'no_show', 'cancelled')") == 0);
        REQUIRE(test::raw_int(db,
                              "SELECT count(*) FROM (SELECT window FROM tickets WHERE state IN "
                              "('called', 'serving') GROUP BY window HAVING count(*) > 1)") == 0);
        REQUIRE(test::raw_int(db,
                              "SELECT count(*) FROM tickets t WHERE (SELECT count(*) FROM ticket_events e "
                              "WHERE e.ticket_id = t.id AND e.action = 'issue') != 1") == 0);
        // The last logged state of every ticket is its state.
        REQUIRE(test::raw_int(db,
                              "SELECT count(*) FROM tickets t WHERE t.state != (SELECT e.to_state FROM "
                              "ticket_events e WHERE e.ticket_id = t.id ORDER BY e.id DESC LIMIT 1)") == 0);
        auto snap = hall.q().snapshot();
        long long waiting = 0;
        for (const auto& line : snap.categories) {
            waiting += line.waiting;
            CHECK(line.new_ticket.wait.count() >= 0);
            CHECK(line.new_ticket.people_ahead >= 0);
            CHECK(line.new_ticket.people_ahead <= line.waiting);
        }
        REQUIRE(waiting == test::raw_int(db,
                                         "SELECT count(*) FROM tickets WHERE state = 'waiting' AND "
                                         "business_day = '" +
                                             day + "'"));
    }
    // The run exercised the rules it claims to check.
    CHECK(model.calls_checked > ops / 30);
    INFO("calls " << model.calls_checked << ", priority turns " << model.priority_turns << ", aged "
                  << model.aged_calls);
    CHECK(model.priority_turns > 0);
}

}  // namespace

TEST_CASE("Random operations from several windows keep every queue invariant", "[queue][property]") {
    for (unsigned seed : {1u, 2u, 3u, 20261008u}) run(seed, 600);
}

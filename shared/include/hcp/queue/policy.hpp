#pragma once
// The queue's rules as pure functions (no SQLite, no clock): the ticket state machine, the
// order in which waiting tickets are called, why a ticket was chosen, ticket numbers, and the
// ETA arithmetic. The engine (hcp/queue.hpp) persists what these functions decide; tests drive
// them table by table. docs/queue.md explains every rule with examples.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hcp/base/time.hpp"
#include "hcp/domain/domain.hpp"

namespace hcp {

// ---- settings ------------------------------------------------------------------------------

// Where a transferred ticket is placed in its new category's queue.
enum class TransferPlacement {
    take_time,     // by the time it was taken, as if it had been taken in the new category
    end_of_queue,  // behind everything waiting there now
};
std::string_view to_string(TransferPlacement p) noexcept;
std::optional<TransferPlacement> parse_transfer_placement(std::string_view s) noexcept;

// Queue settings that are not per category. The caller fills it from configuration; the
// defaults are what a county hall expects. validate() lists every value out of range.
struct QueuePolicy {
    // 过号: a skipped ticket goes back to its queue behind this many waiting tickets of its
    // category and class (normal / priority), at most `skip_max_requeues` times; the skip after
    // that (or the first skip when it is 0) makes it no_show. 0..50 and 0..10.
    int skip_requeue_behind = 3;
    int skip_max_requeues = 1;
    // Where a transferred ticket lands in the new category.
    TransferPlacement transfer_placement = TransferPlacement::take_time;
    // Service time estimate: exponentially weighted moving average with this weight for the
    // newest service (0 < alpha ≤ 1), seeded at start from the last `eta_seed_services`
    // completions of each category; `default_service` until a category has any.
    double eta_alpha = 0.2;
    int eta_seed_services = 50;                                     // 0..1000
    std::chrono::seconds default_service{std::chrono::minutes{8}};  // 30 s .. 4 h
    // Durations outside [service_floor, service_ceiling] are clamped before they enter the
    // average: a ticket left open over lunch must not make every ETA four hours.
    std::chrono::seconds service_floor{30};
    std::chrono::seconds service_ceiling{std::chrono::hours{2}};
    // Digits of the sequence part of a number (A001 with 3). Numbers past 10^digits − 1 get one
    // more digit (A1000) rather than repeat. 2..5.
    int number_digits = 3;
    // Calls listed by snapshot() (hall screen, console). 1..100.
    int snapshot_last_calls = 10;
    // Refuse tickets on days the work calendar marks as non-working (holidays, weekends
    // without 调休). Off by default: township halls often open on Saturdays.
    bool closed_on_non_working_days = false;
    // Longest 特呼 / cancel reason, bytes of UTF-8. 1..1000.
    int max_reason_bytes = 200;
};

// Every problem as "key: what is wrong; what is allowed" (empty when valid).
std::vector<std::string> validate(const QueuePolicy& p);

// ---- state machine -------------------------------------------------------------------------

// What staff (or the system) do to a ticket; every action is one row of the transition log.
enum class QueueAction {
    issue,       // 取号: → waiting
    call,        // 叫号 (call next): waiting → called
    call_given,  // 特呼 (a given number, reason required): waiting | no_show → called
    recall,      // 重呼: called → called
    start,       // 开始办理: called → serving
    skip,        // 过号: called → waiting (re-queued) | no_show
    hold,        // 挂起: called | serving → held
    resume,      // 恢复: held → called (it is announced again)
    transfer,    // 转移: called | serving | held → waiting in another category
    complete,    // 办结: called | serving → done
    cancel,      // 作废: waiting | held → cancelled
    expire,      // 营业日结束: any open state of an earlier business day → cancelled
};
std::string_view to_string(QueueAction a) noexcept;
std::optional<QueueAction> parse_queue_action(std::string_view s) noexcept;
std::string_view label_zh(QueueAction a) noexcept;        // 叫号, 特呼, 重呼 …
std::string_view queue_label_zh(TicketState s) noexcept;  // 等候中, 已叫号 …

// True when `action` may be applied to a ticket in `from` (the table above).
bool action_allowed(QueueAction action, TicketState from) noexcept;
// True for done, no_show, transferred and cancelled: nothing moves the ticket any more,
// except call_given on no_show (a late citizen is called back with a reason).
bool is_final(TicketState s) noexcept;
// Plain Chinese for staff when `action` is refused on ticket `number` in state `from`,
// saying what to do instead: "A012 已办结，不能重复办结。"
std::string illegal_transition_zh(QueueAction action, TicketState from, std::string_view number);

// ---- numbering -----------------------------------------------------------------------------

// "A001": prefix + sequence zero-padded to `digits` (wider when the sequence needs it).
// Throws Error(invalid_argument) for seq < 1, a prefix outside A–Z or digits outside 1..9.
std::string format_ticket_number(char prefix, long long seq, int digits);
// Canonical form of a number typed or scanned by a person: trims spaces, uppercases the letter
// ("a12" → "A012" with digits 3). nullopt unless it is one letter A–Z and 1..9 digits with a
// sequence ≥ 1.
std::optional<std::string> normalize_ticket_number(std::string_view text, int digits);
// The business day of an instant: the China date, "YYYY-MM-DD".
std::string business_day(TimePoint t);

// ---- selection -----------------------------------------------------------------------------

// One waiting ticket as the selection rules see it.
struct QueueEntry {
    std::int64_t id = 0;
    std::string number;
    bool priority = false;
    std::int64_t order_key = 0;  // smaller = earlier in its category
    TimePoint aging_since{};     // the max-wait clock runs from here
};

// The waiting tickets of one category and its ratio state. `entries` may be in any order.
struct CategoryQueue {
    const ServiceCategory* category = nullptr;
    std::vector<QueueEntry> entries;
    // Normal tickets called in this category since the last priority ticket; nullopt when no
    // priority ticket was called yet today (a priority ticket then goes first).
    std::optional<int> normal_since_priority;
};

// Why a ticket is (or would be) called.
enum class PickReason {
    aged,           // waited at least max_wait_minutes: called first, oldest first
    priority_turn,  // a priority ticket whose turn came by the N : 1 ratio
    priority_only,  // a priority ticket, no normal ticket waiting
    in_order,       // the oldest normal ticket
    given_number,   // 特呼 by staff
    resumed,        // a held ticket brought back
};
std::string_view to_string(PickReason r) noexcept;

struct Pick {
    QueueEntry entry;
    std::string category;  // category code
    PickReason reason = PickReason::in_order;
    int ratio = 0;                   // the category's priority_ratio
    int max_wait_minutes = 0;        // the category's max_wait_minutes
    std::chrono::minutes waited{0};  // since aging_since at the time of the pick
    std::string note;                // the 特呼 reason, for given_number
    // priority_turn with no priority ticket called yet today: it goes first, whatever the ratio.
    bool first_priority_today = false;
};

// The order in which the tickets of one category would be called from `now` on if nothing
// else happened (no new tickets, no other category competing, no ticket ageing meanwhile):
//  1. tickets that waited ≥ max_wait_minutes (from aging_since), oldest aging_since first;
//  2. the rest by the ratio: a priority ticket goes when N (= priority_ratio) normal tickets
//     were called since the last priority ticket or no normal ticket waits; otherwise the
//     earliest normal ticket. Within a class, order_key then id.
// Every pick updates the ratio state as a real call does.
std::vector<Pick> predicted_order(const CategoryQueue& q, TimePoint now);

// The ticket a window serving `queues` calls next, nullopt when all are empty. Each category
// proposes its first ticket of predicted_order(); among the proposals an aged ticket wins
// (oldest aging_since first), then a priority ticket whose turn came, then the earliest
// order_key (ties: category code, then id).
std::optional<Pick> select_next(const std::vector<CategoryQueue>& queues, TimePoint now);

// For staff: why this ticket. "优先号（每3个普通号叫1个优先号）", "等候超过60分钟（已等72分钟）",
// "按取号顺序", "特呼：群众返回", "恢复挂起的号".
std::string explain_zh(const Pick& pick);
// For staff and the console: "普通号与优先号 3:1 轮叫；等候超过60分钟的号优先叫".
std::string policy_summary_zh(const ServiceCategory& c);

// ---- ETA -----------------------------------------------------------------------------------

// Exponentially weighted moving average of service durations, clamped by the policy.
class ServiceTimeAverage {
public:
    explicit ServiceTimeAverage(const QueuePolicy& p);
    void add(std::chrono::milliseconds duration);
    std::chrono::seconds value() const noexcept;
    int samples() const noexcept { return m_samples; }

private:
    double m_alpha;
    double m_floor_s, m_ceiling_s;
    double m_seconds;
    int m_samples = 0;
};

// Estimated wait: people_ahead × average service ÷ windows, never negative, rounded up to
// whole seconds. `windows` < 1 counts as 1.
std::chrono::seconds estimate_wait(int people_ahead, std::chrono::seconds average_service, int windows);
// For screens and tickets: "即将叫号" (0), "约 5 分钟", "约 1 小时 20 分钟".
std::string format_wait_zh(std::chrono::seconds wait);

}  // namespace hcp

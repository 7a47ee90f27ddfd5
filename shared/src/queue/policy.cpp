// The queue's pure rules: settings validation, the state machine and its messages, and the
// order in which tickets are called. No SQLite and no clock here, so every rule can be tested
// table by table and the engine only persists what these functions decide.
#include <algorithm>
#include <array>
#include <utility>

#include "hcp/base/error.hpp"
#include "hcp/base/name_table.hpp"
#include "hcp/queue/policy.hpp"

namespace hcp {

namespace {

constexpr NameTable<QueueAction, 12> kActions{{{QueueAction::issue, "issue"},
                                               {QueueAction::call, "call"},
                                               {QueueAction::call_given, "call_given"},
                                               {QueueAction::recall, "recall"},
                                               {QueueAction::start, "start"},
                                               {QueueAction::skip, "skip"},
                                               {QueueAction::hold, "hold"},
                                               {QueueAction::resume, "resume"},
                                               {QueueAction::transfer, "transfer"},
                                               {QueueAction::complete, "complete"},
                                               {QueueAction::cancel, "cancel"},
                                               {QueueAction::expire, "expire"}}};

constexpr NameTable<QueueAction, 12> kActionLabels{{{QueueAction::issue, "取号"},
                                                    {QueueAction::call, "叫号"},
                                                    {QueueAction::call_given, "特呼"},
                                                    {QueueAction::recall, "重呼"},
                                                    {QueueAction::start, "开始办理"},
                                                    {QueueAction::skip, "过号"},
                                                    {QueueAction::hold, "挂起"},
                                                    {QueueAction::resume, "恢复"},
                                                    {QueueAction::transfer, "转移"},
                                                    {QueueAction::complete, "办结"},
                                                    {QueueAction::cancel, "作废"},
                                                    {QueueAction::expire, "营业日结束作废"}}};

constexpr NameTable<TicketState, 8> kStateLabels{{{TicketState::waiting, "等候中"},
                                                  {TicketState::called, "已叫号"},
                                                  {TicketState::serving, "办理中"},
                                                  {TicketState::done, "已办结"},
                                                  {TicketState::no_show, "过号未到"},
                                                  {TicketState::transferred, "已转移"},
                                                  {TicketState::cancelled, "已作废"},
                                                  {TicketState::held, "已挂起"}}};

constexpr NameTable<PickReason, 6> kReasons{{{PickReason::aged, "aged"},
                                             {PickReason::priority_turn, "priority_turn"},
                                             {PickReason::priority_only, "priority_only"},
                                             {PickReason::in_order, "in_order"},
                                             {PickReason::given_number, "given_number"},
                                             {PickReason::resumed, "resumed"}}};

constexpr NameTable<TransferPlacement, 2> kPlacements{
    {{TransferPlacement::take_time, "take_time"}, {TransferPlacement::end_of_queue, "end_of_queue"}}};

// A state hint that tells staff what the ticket is waiting for.
std::string_view state_hint_zh(TicketState s) noexcept {
    switch (s) {
        case TicketState::waiting: return "该号还在等候，请先叫号。";
        case TicketState::called: return "该号已叫号，请等群众到窗口后办理。";
        case TicketState::serving: return "该号正在办理。";
        case TicketState::held: return "该号已挂起，请先恢复。";
        case TicketState::done: return "该号已办结。";
        case TicketState::no_show: return "该号已过号；群众到场时可特呼该号。";
        case TicketState::transferred: return "该号已转移。";
        case TicketState::cancelled: return "该号已作废，请群众重新取号。";
    }
    return "";
}

bool key_less(const QueueEntry& a, const QueueEntry& b) noexcept {
    if (a.order_key != b.order_key) return a.order_key < b.order_key;
    return a.id < b.id;
}

bool aged_less(const QueueEntry& a, const QueueEntry& b) noexcept {
    if (a.aging_since != b.aging_since) return a.aging_since < b.aging_since;
    return key_less(a, b);
}

bool is_aged(const QueueEntry& e, const ServiceCategory& c, TimePoint now) noexcept {
    return c.max_wait_minutes > 0 && now - e.aging_since >= std::chrono::minutes{c.max_wait_minutes};
}

Pick make_pick(const QueueEntry& e, const ServiceCategory& c, PickReason reason, TimePoint now) {
    Pick p;
    p.entry = e;
    p.category = c.code;
    p.reason = reason;
    p.ratio = c.priority_ratio;
    p.max_wait_minutes = c.max_wait_minutes;
    auto waited = std::chrono::duration_cast<std::chrono::minutes>(now - e.aging_since);
    p.waited = std::max(waited, std::chrono::minutes{0});
    return p;
}

// A priority ticket may go when no priority ticket was called yet today or N normal ones were
// called since the last one.
bool priority_due(const std::optional<int>& normal_since_priority, int ratio) noexcept {
    return !normal_since_priority || *normal_since_priority >= std::max(ratio, 1);
}

void count_call(std::optional<int>& normal_since_priority, bool priority) noexcept {
    if (priority) {
        normal_since_priority = 0;
    } else if (normal_since_priority) {
        ++*normal_since_priority;
    }
}

// The first pick of predicted_order() without sorting the whole queue: O(n).
std::optional<Pick> first_pick(const CategoryQueue& q, TimePoint now) {
    const ServiceCategory& c = *q.category;
    const QueueEntry* aged = nullptr;
    const QueueEntry* normal = nullptr;
    const QueueEntry* prio = nullptr;
    for (const auto& e : q.entries) {
        if (is_aged(e, c, now)) {
            if (aged == nullptr || aged_less(e, *aged)) aged = &e;
        } else if (e.priority) {
            if (prio == nullptr || key_less(e, *prio)) prio = &e;
        } else if (normal == nullptr || key_less(e, *normal)) {
            normal = &e;
        }
    }
    if (aged != nullptr) return make_pick(*aged, c, PickReason::aged, now);
    if (prio != nullptr && normal == nullptr) return make_pick(*prio, c, PickReason::priority_only, now);
    if (prio != nullptr && priority_due(q.normal_since_priority, c.priority_ratio)) {
        Pick p = make_pick(*prio, c, PickReason::priority_turn, now);
        p.first_priority_today = !q.normal_since_priority;
        return p;
    }
    if (normal != nullptr) return make_pick(*normal, c, PickReason::in_order, now);
    return std::nullopt;
}

int reason_rank(PickReason r) noexcept {
    switch (r) {
        case PickReason::aged: return 0;
        case PickReason::priority_turn:
        case PickReason::priority_only: return 1;
        default: return 2;
    }
}

}  // namespace

std::string_view to_string(TransferPlacement p) noexcept {
    return name_of(kPlacements, p);
}
std::optional<TransferPlacement> parse_transfer_placement(std::string_view s) noexcept {
    return parse_from(kPlacements, s);
}
std::string_view to_string(QueueAction a) noexcept {
    return name_of(kActions, a);
}
std::optional<QueueAction> parse_queue_action(std::string_view s) noexcept {
    return parse_from(kActions, s);
}
std::string_view label_zh(QueueAction a) noexcept {
    return name_of(kActionLabels, a);
}
std::string_view queue_label_zh(TicketState s) noexcept {
    return name_of(kStateLabels, s);
}
std::string_view to_string(PickReason r) noexcept {
    return name_of(kReasons, r);
}

std::vector<std::string> validate(const QueuePolicy& p) {
    std::vector<std::string> out;
    auto range = [&out](const char* key, long long v, long long lo, long long hi) {
        if (v < lo || v > hi)
            out.push_back(std::string(key) + ": is " + std::to_string(v) + "; allowed " + std::to_string(lo) + " to " +
                          std::to_string(hi));
    };
    range("skip_requeue_behind", p.skip_requeue_behind, 0, 50);
    range("skip_max_requeues", p.skip_max_requeues, 0, 10);
    range("eta_seed_services", p.eta_seed_services, 0, 1000);
    range("default_service_seconds", p.default_service.count(), 30, 4 * 3600);
    range("service_floor_seconds", p.service_floor.count(), 1, 3600);
    range("service_ceiling_seconds", p.service_ceiling.count(), 60, 24 * 3600);
    range("number_digits", p.number_digits, 2, 5);
    range("snapshot_last_calls", p.snapshot_last_calls, 1, 100);
    range("max_reason_bytes", p.max_reason_bytes, 1, 1000);
    if (!(p.eta_alpha > 0.0 && p.eta_alpha <= 1.0))
        out.push_back("eta_alpha: is " + std::to_string(p.eta_alpha) + "; allowed above 0 up to 1");
    if (p.service_floor >= p.service_ceiling)
        out.push_back("service_floor_seconds: must be below service_ceiling_seconds");
    return out;
}

// ---- state machine -------------------------------------------------------------------------

bool action_allowed(QueueAction action, TicketState from) noexcept {
    using S = TicketState;
    switch (action) {
        case QueueAction::issue: return false;  // creates a ticket; never applies to one
        case QueueAction::call: return from == S::waiting;
        case QueueAction::call_given: return from == S::waiting || from == S::no_show;
        case QueueAction::recall:
        case QueueAction::start:
        case QueueAction::skip: return from == S::called;
        case QueueAction::hold:
        case QueueAction::complete: return from == S::called || from == S::serving;
        case QueueAction::resume: return from == S::held;
        case QueueAction::transfer: return from == S::called || from == S::serving || from == S::held;
        case QueueAction::cancel: return from == S::waiting || from == S::held;
        case QueueAction::expire:
            return from == S::waiting || from == S::called || from == S::serving || from == S::held;
    }
    return false;
}

bool is_final(TicketState s) noexcept {
    return s == TicketState::done || s == TicketState::no_show || s == TicketState::transferred ||
           s == TicketState::cancelled;
}

std::string illegal_transition_zh(QueueAction action, TicketState from, std::string_view number) {
    const std::string n(number);
    using S = TicketState;
    // The cases staff actually hit get their own sentence; the rest share one pattern.
    if (action == QueueAction::complete && from == S::done) return n + " 已办结，不能重复办结。";
    if (action == QueueAction::complete && from == S::waiting) return n + " 还在等候，尚未叫号，不能办结。请先叫号。";
    if (action == QueueAction::recall && from == S::serving) return n + " 正在办理中，无需重呼。";
    if ((action == QueueAction::call || action == QueueAction::call_given) && (from == S::called || from == S::serving))
        return n + " 已被叫号，正在窗口办理或等候到窗，不能再次叫号。";
    if (action == QueueAction::call_given && from == S::done) return n + " 已办结，不能特呼。请群众重新取号。";
    if (action == QueueAction::skip && from == S::serving)
        return n + " 正在办理中，不能过号。如需暂停请挂起，办完请办结。";
    if (action == QueueAction::hold && from == S::held) return n + " 已经挂起。";
    if (action == QueueAction::resume && from != S::held) return n + " 没有挂起，不需要恢复。";
    if (action == QueueAction::cancel && (from == S::called || from == S::serving))
        return n + " 正在窗口叫号或办理，不能作废。请先过号或办结。";
    return n + " 当前为“" + std::string(queue_label_zh(from)) + "”，不能" + std::string(label_zh(action)) + "。" +
           std::string(state_hint_zh(from));
}

// ---- selection -----------------------------------------------------------------------------

std::vector<Pick> predicted_order(const CategoryQueue& q, TimePoint now) {
    if (q.category == nullptr) throw Error(Errc::invalid_argument, "predicted_order without a category");
    const ServiceCategory& c = *q.category;
    std::vector<QueueEntry> aged, normal, prio;
    for (const auto& e : q.entries) {
        if (is_aged(e, c, now)) {
            aged.push_back(e);
        } else {
            (e.priority ? prio : normal).push_back(e);
        }
    }
    std::sort(aged.begin(), aged.end(), aged_less);
    std::sort(normal.begin(), normal.end(), key_less);
    std::sort(prio.begin(), prio.end(), key_less);

    std::vector<Pick> out;
    out.reserve(q.entries.size());
    std::optional<int> streak = q.normal_since_priority;
    for (const auto& e : aged) {
        out.push_back(make_pick(e, c, PickReason::aged, now));
        count_call(streak, e.priority);
    }
    size_t i = 0, j = 0;
    while (i < normal.size() || j < prio.size()) {
        bool normals_left = i < normal.size();
        if (j < prio.size() && (!normals_left || priority_due(streak, c.priority_ratio))) {
            out.push_back(
                make_pick(prio[j++], c, normals_left ? PickReason::priority_turn : PickReason::priority_only, now));
            out.back().first_priority_today = normals_left && !streak;
            count_call(streak, true);
        } else {
            out.push_back(make_pick(normal[i++], c, PickReason::in_order, now));
            count_call(streak, false);
        }
    }
    return out;
}

std::optional<Pick> select_next(const std::vector<CategoryQueue>& queues, TimePoint now) {
    std::optional<Pick> best;
    for (const auto& q : queues) {
        if (q.category == nullptr) throw Error(Errc::invalid_argument, "select_next without a category");
        auto p = first_pick(q, now);
        if (!p) continue;
        if (!best) {
            best = std::move(p);
            continue;
        }
        int rp = reason_rank(p->reason), rb = reason_rank(best->reason);
        bool better = false;
        if (rp != rb) {
            better = rp < rb;
        } else if (rp == 0 && p->entry.aging_since != best->entry.aging_since) {
            better = p->entry.aging_since < best->entry.aging_since;
        } else if (p->entry.order_key != best->entry.order_key) {
            better = p->entry.order_key < best->entry.order_key;
        } else if (p->category != best->category) {
            better = p->category < best->category;
        } else {
            better = p->entry.id < best->entry.id;
        }
        if (better) best = std::move(p);
    }
    return best;
}

std::string explain_zh(const Pick& pick) {
    switch (pick.reason) {
        case PickReason::aged:
            return "等候超过" + std::to_string(pick.max_wait_minutes) + "分钟（已等" +
                   std::to_string(pick.waited.count()) + "分钟），优先叫号";
        case PickReason::priority_turn:
            if (pick.first_priority_today) return "优先号（今天还没有叫过优先号，先叫）";
            return "优先号（每" + std::to_string(pick.ratio) + "个普通号叫1个优先号）";
        case PickReason::priority_only: return "优先号（当前没有普通号等候）";
        case PickReason::in_order: return "按取号顺序";
        case PickReason::given_number: return "特呼：" + pick.note;
        case PickReason::resumed: return "恢复挂起的号";
    }
    return "";
}

std::string policy_summary_zh(const ServiceCategory& c) {
    std::string s = "每" + std::to_string(c.priority_ratio) + "个普通号叫1个优先号";
    if (c.max_wait_minutes > 0) s += "；等候超过" + std::to_string(c.max_wait_minutes) + "分钟的号优先叫";
    return s;
}

}  // namespace hcp

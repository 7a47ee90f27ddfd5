// People ahead, ETA and its moving average, the snapshot for screens and the console, and the
// wait/service statistics per category and day.
//
// ETA = (all signed-in windows of the category busy ? the expected rest of the soonest-ending
// service : 0) + people ahead × average service ÷ the windows' capacity, where a window shared
// by k categories that have tickets waiting counts 1/k. People ahead come from predicted_order(),
// so the estimate follows the same priority rules as the calls. The average is an EWMA over
// completed services of the category (durations clamped by the policy), seeded from the store at
// open so a restart does not fall back to the cold-start default.
//
// Why the two terms beyond people × average ÷ windows (docs/benchmarks.md, "ETA error on
// replayed hall days"): the tickets at the windows are not in predicted_order(), so a ticket
// with nobody waiting ahead was promised "即将叫号" while every window was still serving; and a
// window that also calls another category's tickets gives this category only part of its time.
// Both made the estimate systematically low (−6.4 min on the replayed days).
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>

#include "hcp/queue/queue.hpp"
#include "queue/impl.hpp"

namespace hcp {

using queue_db::from_ms;
using queue_db::to_ms;

// ---- the moving average and the formula ----------------------------------------------------

ServiceTimeAverage::ServiceTimeAverage(const QueuePolicy& p)
    : m_alpha(p.eta_alpha),
      m_floor_s(static_cast<double>(p.service_floor.count())),
      m_ceiling_s(static_cast<double>(p.service_ceiling.count())),
      m_seconds(static_cast<double>(p.default_service.count())) {}

void ServiceTimeAverage::add(std::chrono::milliseconds duration) {
    double x = static_cast<double>(duration.count()) / 1000.0;
    x = std::clamp(x, m_floor_s, m_ceiling_s);
    // The first real service replaces the default outright: an EWMA started from a guess would
    // need a dozen services to forget it.
    m_seconds = m_samples == 0 ? x : m_alpha * x + (1.0 - m_alpha) * m_seconds;
    ++m_samples;
}

std::chrono::seconds ServiceTimeAverage::value() const noexcept {
    return std::chrono::seconds{static_cast<long long>(std::llround(m_seconds))};
}

std::chrono::seconds estimate_wait(int people_ahead, std::chrono::seconds average_service, int windows) {
    if (people_ahead <= 0 || average_service.count() <= 0) return std::chrono::seconds{0};
    long long w = std::max(windows, 1);
    long long total = static_cast<long long>(people_ahead) * average_service.count();
    return std::chrono::seconds{(total + w - 1) / w};
}

std::string format_wait_zh(std::chrono::seconds wait) {
    if (wait.count() <= 0) return "即将叫号";
    long long minutes = (wait.count() + 59) / 60;
    if (minutes < 60) return "约 " + std::to_string(minutes) + " 分钟";
    long long h = minutes / 60, m = minutes % 60;
    if (m == 0) return "约 " + std::to_string(h) + " 小时";
    return "约 " + std::to_string(h) + " 小时 " + std::to_string(m) + " 分钟";
}

// ---- Impl helpers --------------------------------------------------------------------------

void QueueEngine::Impl::seed_averages() {
    sql::Statement st(db,
                      "SELECT finished_at - serving_at FROM tickets WHERE category = ? AND state = 'done' AND "
                      "serving_at IS NOT NULL AND finished_at IS NOT NULL ORDER BY finished_at DESC, id DESC LIMIT ?");
    for (const auto& c : setup.categories) {
        ServiceTimeAverage avg(setup.policy);
        std::vector<std::int64_t> recent;
        st.reset();
        st.bind(1, c.code).bind(2, setup.policy.eta_seed_services);
        while (st.step()) recent.push_back(st.column_int(0));
        for (auto it = recent.rbegin(); it != recent.rend(); ++it) avg.add(std::chrono::milliseconds{*it});
        averages.insert_or_assign(c.code, avg);
    }
}

std::chrono::seconds QueueEngine::Impl::average_of(std::string_view code, bool* cold) const {
    auto it = averages.find(code);
    if (it == averages.end()) {
        if (cold != nullptr) *cold = true;
        return setup.policy.default_service;
    }
    if (cold != nullptr) *cold = it->second.samples() == 0;
    return it->second.value();
}

namespace {

// What the windows serving a category can give it now: the windows counted, their capacity
// (shared windows as a share) and, when every signed-in one is busy, when the first frees. The
// capacity is a sum of 1/k, kept as an exact fraction so that whole windows divide exactly.
struct WindowOutlook {
    int open = 0;
    int counted = 0;
    long long capacity_num = 1, capacity_den = 1;
    std::chrono::seconds until_free{0};
};

bool has_waiting(const sql::Db& db, const std::string& day, const std::string& category) {
    sql::Statement st(db,
                      "SELECT 1 FROM tickets WHERE business_day = ? AND category = ? AND state = 'waiting' LIMIT 1");
    st.bind(1, day).bind(2, category);
    return st.step();
}

WindowOutlook outlook_of(const QueueEngine::Impl& im, const ServiceCategory& c, TimePoint now) {
    using std::chrono::seconds;
    const std::string day = business_day(now);
    const TimePoint day_start = china_midnight(china_date(now));
    // Two queries for all windows: who is signed in, and what each window is serving.
    std::set<int> signed_in;
    {
        sql::Statement st(im.db, "SELECT window FROM window_sessions WHERE closed_at IS NULL AND opened_at >= ?");
        st.bind(1, queue_db::to_ms(day_start));
        while (st.step()) signed_in.insert(static_cast<int>(st.column_int(0)));
    }
    // Expected rest of the service at each window that has a called or serving ticket. Timed
    // from the service start (from the call when it has not started), like the average. The rest
    // is never put below half an average: a service that has run past the average is not about
    // to end for that (service times have long tails), and half an average is what a service
    // seen at a random moment has left when service times do not vary at all (E[S²] ÷ 2E[S];
    // more when they do).
    std::map<int, seconds> rest;
    {
        // "+business_day": read the few current tickets through the tickets_current index, not
        // the whole day through tickets_queue.
        sql::Statement st(im.db,
                          "SELECT window, category, coalesce(serving_at, called_at) FROM tickets "
                          "WHERE state IN ('called', 'serving') AND +business_day = ?");
        st.bind(1, day);
        while (st.step()) {
            const seconds avg = im.average_of(st.column_text(1), nullptr);
            const TimePoint began = st.column_null(2) ? now : from_ms(st.column_int(2));
            const auto elapsed =
                std::chrono::duration_cast<seconds>(std::max(now - began, std::chrono::milliseconds{0}));
            rest[static_cast<int>(st.column_int(0))] = std::max(avg - elapsed, avg / 2);
        }
    }
    const size_t self = im.category_at.at(c.code);
    std::map<size_t, bool> waiting;  // other category → has a waiting ticket (asked once each)
    struct Slot {
        int sharing = 1;  // the window counts 1/sharing for this category
        bool open = false;
        std::optional<seconds> rest;  // the current service's expected rest; nullopt = free
    };
    std::vector<Slot> slots;
    for (const auto& [window, cats] : im.window_categories) {
        if (std::find(cats.begin(), cats.end(), self) == cats.end()) continue;
        Slot slot;
        // The ticket asking is waiting, so its own category always counts; another category
        // takes a share of the window only while it has tickets waiting for it.
        for (size_t other : cats) {
            if (other == self) continue;
            auto it = waiting.find(other);
            if (it == waiting.end())
                it = waiting.emplace(other, has_waiting(im.db, day, im.setup.categories[other].code)).first;
            if (it->second) ++slot.sharing;
        }
        slot.open = signed_in.count(window) != 0;
        if (auto r = rest.find(window); slot.open && r != rest.end()) slot.rest = r->second;
        slots.push_back(slot);
    }
    WindowOutlook o;
    o.open = static_cast<int>(std::count_if(slots.begin(), slots.end(), [](const Slot& s) { return s.open; }));
    bool all_busy = o.open > 0;
    std::optional<seconds> soonest;
    long long den = 1;
    for (const auto& s : slots)
        if (o.open == 0 || s.open) den = std::lcm(den, static_cast<long long>(s.sharing));
    long long num = 0;
    for (const auto& s : slots) {
        // Before anyone signs in the configured windows are the best guess of who will serve.
        if (o.open > 0 && !s.open) continue;
        ++o.counted;
        num += den / s.sharing;
        if (!s.open) continue;
        if (!s.rest)
            all_busy = false;
        else if (!soonest || *s.rest < *soonest)
            soonest = s.rest;
    }
    if (o.counted == 0) {  // a category no window serves: counted as one whole window
        o.counted = 1;
        num = den = 1;
    }
    o.capacity_num = num;
    o.capacity_den = den;
    if (all_busy && soonest) o.until_free = *soonest;
    return o;
}

}  // namespace

WaitEstimate QueueEngine::Impl::estimate_in(const ServiceCategory& c, const std::vector<QueueEntry>& entries,
                                            std::int64_t id, TimePoint now) const {
    std::string day = business_day(now);
    CategoryQueue q{&c, entries, queue_db::normal_since_priority(db, day, c.code)};
    auto order = predicted_order(q, now);
    WaitEstimate e;
    auto pos = std::find_if(order.begin(), order.end(), [id](const Pick& p) { return p.entry.id == id; });
    e.people_ahead = static_cast<int>(pos - order.begin());
    const WindowOutlook o = outlook_of(*this, c, now);
    e.windows_open = o.open;
    e.windows_counted = o.counted;
    e.window_capacity = static_cast<double>(o.capacity_num) / static_cast<double>(o.capacity_den);
    e.until_window_free = o.until_free;
    e.average_service = average_of(c.code, &e.cold_start);
    // people × average ÷ (num/den), rounded up to whole seconds: part of a second is still a wait.
    const long long work = static_cast<long long>(std::max(e.people_ahead, 0)) *
                           std::max<long long>(e.average_service.count(), 0) * o.capacity_den;
    e.wait = e.until_window_free + std::chrono::seconds{(work + o.capacity_num - 1) / o.capacity_num};
    return e;
}

namespace {

// A ticket that would be taken now, for estimates before taking one.
QueueEntry hypothetical(bool priority, TimePoint now) {
    QueueEntry e;
    e.id = std::numeric_limits<std::int64_t>::max();
    e.number = "";
    e.priority = priority;
    e.order_key = queue_db::key_at(now) + queue_db::kKeyStep;  // behind anything taken this very ms
    e.aging_since = now;
    return e;
}

std::optional<std::chrono::milliseconds> avg_of(const std::vector<std::int64_t>& v) {
    if (v.empty()) return std::nullopt;
    long double sum = 0;
    for (auto x : v) sum += static_cast<long double>(x);
    return std::chrono::milliseconds{static_cast<long long>(std::llround(sum / static_cast<long double>(v.size())))};
}

// Nearest-rank percentile of a sorted list.
std::optional<std::chrono::milliseconds> pct_of(const std::vector<std::int64_t>& sorted, double p) {
    if (sorted.empty()) return std::nullopt;
    auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
    rank = std::clamp<size_t>(rank, 1, sorted.size());
    return std::chrono::milliseconds{sorted[rank - 1]};
}

std::vector<std::int64_t> column_values(const sql::Db& db, const char* sql, const std::string& day,
                                        const std::string& category) {
    sql::Statement st(db, sql);
    st.bind(1, day).bind(2, category);
    std::vector<std::int64_t> out;
    while (st.step()) out.push_back(std::max<std::int64_t>(st.column_int(0), 0));
    std::sort(out.begin(), out.end());
    return out;
}

long long count_of(const sql::Db& db, const char* sql, const std::string& day, const std::string& category) {
    sql::Statement st(db, sql);
    st.bind(1, day).bind(2, category);
    return st.step() ? st.column_int(0) : 0;
}

}  // namespace

// ---- engine queries ------------------------------------------------------------------------

QueueResult<WaitEstimate> QueueEngine::estimate_new(std::string_view code, bool priority) const {
    auto& im = *m_impl;
    std::lock_guard lock(im.mutex);
    const ServiceCategory* c = im.category(code);
    if (c == nullptr)
        return queue_failure(QueueErrc::unknown_category, "unknown category '" + std::string(code) + "'",
                             "没有这个业务类别，请返回重新选择。");
    TimePoint now = im.read_now();
    auto entries = queue_db::waiting_entries(im.db, business_day(now), c->code);
    entries.push_back(hypothetical(priority, now));
    return im.estimate_in(*c, entries, entries.back().id, now);
}

QueueResult<WaitEstimate> QueueEngine::estimate(std::string_view number) const {
    auto& im = *m_impl;
    std::lock_guard lock(im.mutex);
    TimePoint now = im.read_now();
    std::string day = business_day(now);
    auto n = normalize_ticket_number(number, im.setup.policy.number_digits);
    auto t = n ? queue_db::ticket_by_number(im.db, day, *n) : std::nullopt;
    if (!t)
        return queue_failure(QueueErrc::unknown_ticket, "no ticket " + std::string(number) + " today",
                             "今天没有这个号，请核对号码。");
    if (t->state != TicketState::waiting) {
        QueueFailure f =
            queue_failure(QueueErrc::illegal_transition, t->number + " is not waiting",
                          t->number + " 当前为“" + std::string(queue_label_zh(t->state)) + "”，不在等候队列中。");
        f.state = t->state;
        return f;
    }
    const ServiceCategory* c = im.category(t->category);
    if (c == nullptr)
        return queue_failure(QueueErrc::unknown_category, "ticket category no longer configured",
                             "该号所属的业务类别已停用，请咨询工作人员。");
    return im.estimate_in(*c, queue_db::waiting_entries(im.db, day, c->code), t->id, now);
}

std::chrono::seconds QueueEngine::average_service(std::string_view code) const {
    auto& im = *m_impl;
    std::lock_guard lock(im.mutex);
    return im.average_of(code, nullptr);
}

QueueSnapshot QueueEngine::snapshot() const {
    auto& im = *m_impl;
    std::lock_guard lock(im.mutex);
    QueueSnapshot s;
    s.at = im.read_now();
    s.business_day = business_day(s.at);
    const TimePoint day_start = china_midnight(china_date(s.at));

    for (const auto& c : im.setup.categories) {
        QueueSnapshot::CategoryLine line;
        line.code = c.code;
        line.name = c.name;
        line.prefix = c.prefix;
        line.policy_zh = policy_summary_zh(c);
        line.issued_today = static_cast<int>(queue_db::numbers_issued(im.db, s.business_day, c.prefix));
        line.taking_tickets = !im.ticket_refusal(c, s.at).has_value();
        auto entries = queue_db::waiting_entries(im.db, s.business_day, c.code);
        line.waiting = static_cast<int>(entries.size());
        line.waiting_priority = static_cast<int>(
            std::count_if(entries.begin(), entries.end(), [](const QueueEntry& e) { return e.priority; }));
        entries.push_back(hypothetical(false, s.at));
        line.new_ticket = im.estimate_in(c, entries, entries.back().id, s.at);
        s.categories.push_back(std::move(line));
    }
    {
        sql::Statement st(im.db,
                          "SELECT category, count(*) FROM tickets WHERE business_day = ? AND state = 'held' "
                          "GROUP BY category");
        st.bind(1, s.business_day);
        while (st.step()) {
            std::string code = st.column_text(0);
            for (auto& line : s.categories)
                if (line.code == code) line.held = static_cast<int>(st.column_int(1));
        }
    }
    for (const auto& [window, cats] : im.window_categories) {
        QueueSnapshot::WindowLine w;
        w.window = window;
        w.name = im.window_name(window);
        if (auto session = queue_db::open_session(im.db, window, day_start)) {
            w.open = true;
            w.staff = session->staff;
        }
        auto cur = queue_db::ticket_at_window(im.db, window);
        if (cur && cur->business_day == s.business_day) w.current = std::move(cur);
        w.held = static_cast<int>(queue_db::held_at_window(im.db, s.business_day, window).size());
        s.windows.push_back(std::move(w));
    }
    {
        sql::Statement st(im.db,
                          "SELECT t.number, e.category, e.window, e.action, e.at FROM ticket_events e "
                          "JOIN tickets t ON t.id = e.ticket_id "
                          "WHERE e.at >= ? AND e.action IN ('call', 'call_given', 'recall', 'resume') "
                          "ORDER BY e.id DESC LIMIT ?");
        st.bind(1, to_ms(day_start)).bind(2, im.setup.policy.snapshot_last_calls);
        while (st.step()) {
            QueueSnapshot::CallLine call;
            call.number = st.column_text(0);
            call.category = st.column_text(1);
            call.window = static_cast<int>(st.column_int(2));
            call.action = parse_queue_action(st.column_text(3)).value_or(QueueAction::call);
            call.at = from_ms(st.column_int(4));
            s.last_calls.push_back(std::move(call));
        }
    }
    return s;
}

std::vector<CategoryStats> QueueEngine::statistics(std::string_view day_text) const {
    auto& im = *m_impl;
    std::lock_guard lock(im.mutex);
    std::vector<CategoryStats> out;
    auto date = parse_date(day_text);
    if (!date) return out;
    const std::string day = format_date(*date);
    for (const auto& c : im.setup.categories) {
        CategoryStats s;
        s.category = c.code;
        s.business_day = day;
        s.issued = static_cast<int>(count_of(
            im.db, "SELECT count(*) FROM tickets WHERE business_day = ? AND issued_category = ?", day, c.code));
        {
            sql::Statement st(im.db,
                              "SELECT state, count(*) FROM tickets WHERE business_day = ? AND category = ? "
                              "GROUP BY state");
            st.bind(1, day).bind(2, c.code);
            while (st.step()) {
                auto state = parse_ticket_state(st.column_text(0));
                int n = static_cast<int>(st.column_int(1));
                if (!state) continue;
                switch (*state) {
                    case TicketState::done: s.served += n; break;
                    case TicketState::no_show: s.no_show += n; break;
                    case TicketState::cancelled: s.cancelled += n; break;
                    case TicketState::transferred: break;
                    default: s.waiting += n; break;
                }
            }
        }
        s.transferred_in = static_cast<int>(count_of(
            im.db,
            "SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.business_day = ? "
            "AND e.action = 'transfer' AND e.category = ?",
            day, c.code));
        s.requeued = static_cast<int>(count_of(
            im.db,
            "SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.business_day = ? "
            "AND e.action = 'skip' AND e.to_state = 'waiting' AND e.category = ?",
            day, c.code));
        auto waits = column_values(im.db,
                                   "SELECT first_called_at - issued_at FROM tickets WHERE business_day = ? AND "
                                   "category = ? AND first_called_at IS NOT NULL",
                                   day, c.code);
        s.wait_avg = avg_of(waits);
        s.wait_p90 = pct_of(waits, 0.9);
        if (!waits.empty()) s.wait_max = std::chrono::milliseconds{waits.back()};
        auto services = column_values(im.db,
                                      "SELECT finished_at - serving_at FROM tickets WHERE business_day = ? AND "
                                      "category = ? AND state = 'done' AND serving_at IS NOT NULL",
                                      day, c.code);
        s.service_avg = avg_of(services);
        s.service_p90 = pct_of(services, 0.9);
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace hcp

// The queue engine's operations: one SQLite transaction each, the rules from queue_policy.cpp,
// refusals as values with plain Chinese for staff. ETA, snapshot and statistics live in
// queue_stats.cpp; the SQL in queue_store.cpp.
#include <algorithm>
#include <cctype>
#include <set>

#include "hcp/base/utf8.hpp"
#include "hcp/domain/calendar_sources.hpp"
#include "hcp/queue/queue.hpp"
#include "queue/impl.hpp"
#include "store/schema.hpp"

namespace hcp {

using queue_db::to_ms;

namespace {

// Instants outside [2020, 2100) are a broken clock, not a business day.
const TimePoint kEarliest = china_midnight(Date{std::chrono::year{2020}, std::chrono::January, std::chrono::day{1}});
const TimePoint kLatest = china_midnight(Date{std::chrono::year{2100}, std::chrono::January, std::chrono::day{1}});

constexpr size_t kMaxStaffNumberBytes = 32;
constexpr size_t kMaxStaffNameBytes = 64;

// Reasons, staff numbers and names: well-formed UTF-8 with no C0 control but tab (DEL passes).
bool valid_text(std::string_view s) {
    return utf8::is_clean(s, "\t\x7F");
}

std::string trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    return std::string(s);
}

std::optional<int> clock_minutes(const std::string& hhmm) {
    if (hhmm.size() != 5 || hhmm[2] != ':') return std::nullopt;
    for (size_t i : {0u, 1u, 3u, 4u})
        if (hhmm[i] < '0' || hhmm[i] > '9') return std::nullopt;
    int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0');
    int m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
    if (h > 23 || m > 59) return std::nullopt;
    return h * 60 + m;
}

std::string zh_quoted(std::string_view s) {
    return "“" + std::string(s) + "”";
}

QueueFailure illegal(QueueAction action, const QueueTicket& t) {
    QueueFailure f = queue_failure(QueueErrc::illegal_transition,
                                   std::string(to_string(action)) + " is not allowed on " + t.number + " in state " +
                                       std::string(to_string(t.state)),
                                   illegal_transition_zh(action, t.state, t.number));
    f.state = t.state;
    return f;
}

QueueFailure invalid_field(std::string field, std::string message, std::string message_zh) {
    QueueFailure f = queue_failure(QueueErrc::invalid_field, std::move(message), std::move(message_zh));
    f.field = std::move(field);
    return f;
}

}  // namespace

std::string_view to_string(QueueErrc e) noexcept {
    switch (e) {
        case QueueErrc::invalid_field: return "invalid_field";
        case QueueErrc::unknown_category: return "unknown_category";
        case QueueErrc::unknown_window: return "unknown_window";
        case QueueErrc::unknown_ticket: return "unknown_ticket";
        case QueueErrc::window_not_serving: return "window_not_serving";
        case QueueErrc::window_closed: return "window_closed";
        case QueueErrc::window_busy: return "window_busy";
        case QueueErrc::no_current_ticket: return "no_current_ticket";
        case QueueErrc::ticket_mismatch: return "ticket_mismatch";
        case QueueErrc::queue_empty: return "queue_empty";
        case QueueErrc::illegal_transition: return "illegal_transition";
        case QueueErrc::same_category: return "same_category";
        case QueueErrc::category_closed: return "category_closed";
        case QueueErrc::daily_cap_reached: return "daily_cap_reached";
        case QueueErrc::unknown_appointment: return "unknown_appointment";
        case QueueErrc::appointment_used: return "appointment_used";
        case QueueErrc::appointment_other_day: return "appointment_other_day";
        case QueueErrc::clock_invalid: return "clock_invalid";
        case QueueErrc::storage_error: return "storage_error";
    }
    return "unknown";
}

QueueFailure queue_failure(QueueErrc cause, std::string message, std::string message_zh) {
    QueueFailure f;
    f.cause = cause;
    f.message = std::move(message);
    f.message_zh = std::move(message_zh);
    return f;
}

QueueSetup QueueSetup::from_config(const Config& config) {
    QueueSetup s;
    s.categories = config.categories;
    s.windows = config.windows;
    s.policy = config.queue;
    s.calendar = load_hall_calendar(config.calendar).calendar;
    return s;
}

// ---- Impl ----------------------------------------------------------------------------------

namespace {

void check_setup(const QueueSetup& s) {
    std::vector<std::string> problems = validate(s.policy);
    std::set<std::string> codes;
    std::set<char> prefixes;
    for (const auto& c : s.categories) {
        std::string where = "category " + (c.code.empty() ? std::string("(no code)") : c.code);
        if (c.code.empty()) problems.push_back(where + ": empty code");
        if (!codes.insert(c.code).second) problems.push_back(where + ": duplicate code");
        if (c.prefix < 'A' || c.prefix > 'Z') problems.push_back(where + ": prefix must be A-Z");
        if (!prefixes.insert(c.prefix).second) problems.push_back(where + ": duplicate prefix");
        if (c.priority_ratio < 1) problems.push_back(where + ": priority_ratio must be at least 1");
        if (c.max_wait_minutes < 0) problems.push_back(where + ": max_wait_minutes must not be negative");
        if (c.daily_cap < 0) problems.push_back(where + ": daily_cap must not be negative");
        auto o = clock_minutes(c.opens), e = clock_minutes(c.closes);
        if (!o || !e || *o >= *e) problems.push_back(where + ": opens/closes must be HH:MM with opens < closes");
        for (int w : c.windows)
            if (w < 1 || w > 999) problems.push_back(where + ": window " + std::to_string(w) + " outside 1..999");
    }
    for (const auto& w : s.windows) {
        if (w.number < 1 || w.number > 999)
            problems.push_back("window " + std::to_string(w.number) + ": number outside 1..999");
        for (const auto& c : w.categories)
            if (codes.count(c) == 0)
                problems.push_back("window " + std::to_string(w.number) + ": unknown category " + c);
    }
    if (!problems.empty()) {
        std::string all;
        for (const auto& p : problems) all += (all.empty() ? "" : "; ") + p;
        throw Error(Errc::invalid_argument, "queue setup: " + all);
    }
}

}  // namespace

QueueEngine::Impl::Impl(const std::filesystem::path& path, QueueSetup s)
    : setup(std::move(s)), db(path, sql::Db::Mode::read_write_create) {
    if (!setup.clock) setup.clock = [] { return hcp::now(); };
    for (size_t i = 0; i < setup.categories.size(); ++i) {
        category_at.emplace(setup.categories[i].code, i);
        for (int w : setup.categories[i].windows) {
            auto& list = window_categories[w];
            if (std::find(list.begin(), list.end(), i) == list.end()) list.push_back(i);
        }
    }
    for (const auto& w : setup.windows) {
        window_names[w.number] = w.name;
        auto& list = window_categories[w.number];
        for (const auto& code : w.categories) {
            size_t i = category_at.at(code);
            if (std::find(list.begin(), list.end(), i) == list.end()) list.push_back(i);
        }
    }
    for (auto& [w, list] : window_categories) std::sort(list.begin(), list.end());
}

const ServiceCategory* QueueEngine::Impl::category(std::string_view code) const {
    auto it = category_at.find(code);
    return it == category_at.end() ? nullptr : &setup.categories[it->second];
}

bool QueueEngine::Impl::serves(int window, std::string_view code) const {
    auto it = window_categories.find(window);
    if (it == window_categories.end()) return false;
    return std::any_of(it->second.begin(), it->second.end(),
                       [&](size_t i) { return setup.categories[i].code == code; });
}

std::string QueueEngine::Impl::window_name(int window) const {
    auto it = window_names.find(window);
    if (it != window_names.end() && !it->second.empty()) return it->second;
    return std::to_string(window) + "号窗口";
}

std::optional<TimePoint> QueueEngine::Impl::write_now() const {
    TimePoint t = setup.clock();
    if (t < kEarliest || t >= kLatest) return std::nullopt;
    return std::max(t, last_at);
}

TimePoint QueueEngine::Impl::read_now() const {
    auto t = write_now();
    return t ? *t : last_at;
}

void QueueEngine::set_calendar(WorkCalendar calendar) {
    std::lock_guard lock(m_impl->mutex);
    m_impl->setup.calendar = std::move(calendar);
}

std::optional<QueueFailure> QueueEngine::Impl::ticket_refusal(const ServiceCategory& c, TimePoint now) const {
    auto tod = static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(china_time_of_day(now)).count());
    int opens = clock_minutes(c.opens).value_or(0);
    int closes = clock_minutes(c.closes).value_or(24 * 60);
    std::string hours = c.opens + "–" + c.closes;
    if (tod < opens)
        return queue_failure(QueueErrc::category_closed, c.code + " takes tickets from " + c.opens,
                             c.name + "尚未开始取号，取号时间为 " + hours + "。请稍后再来。");
    if (tod >= closes)
        return queue_failure(QueueErrc::category_closed, c.code + " stopped taking tickets at " + c.closes,
                             c.name + "今日取号已结束（取号时间 " + hours + "），请下个工作日再来。");
    if (setup.policy.closed_on_non_working_days && setup.calendar && !setup.calendar->is_working_day(china_date(now)))
        return queue_failure(QueueErrc::category_closed, "not a working day",
                             "今天是休息日，" + c.name + "暂停办理，请在工作日前来。");
    if (c.daily_cap > 0 && queue_db::numbers_issued(db, business_day(now), c.prefix) >= c.daily_cap)
        return queue_failure(QueueErrc::daily_cap_reached,
                             c.code + " reached its daily cap of " + std::to_string(c.daily_cap),
                             c.name + "今日号已取完（每日限 " + std::to_string(c.daily_cap) +
                                 " 个），请下个工作日再来，或通过网上预约办理。");
    return std::nullopt;
}

template <class T, class Body>
QueueResult<T> QueueEngine::Impl::mutate(Body&& body) {
    std::lock_guard lock(mutex);
    auto now = write_now();
    if (!now)
        return queue_failure(QueueErrc::clock_invalid,
                             "device clock reads " + format_iso8601(setup.clock()) + ", outside 2020..2099",
                             "设备时间异常，暂时不能操作。请联系管理员校准设备时间。");
    after_commit.clear();
    try {
        sql::Transaction tx(db);
        std::string day = business_day(*now);
        if (day != swept_day) {
            queue_db::expire_before(db, day, china_midnight(china_date(*now)), *now);
            after_commit.push_back([this, day] { swept_day = day; });
        }
        QueueResult<T> r = body(*now, day);
        if (!r.ok()) {
            after_commit.clear();
            return r;  // the transaction rolls back: a refusal writes nothing
        }
        tx.commit();
        last_at = std::max(last_at, *now);
        for (auto& f : after_commit) f();
        after_commit.clear();
        return r;
    } catch (const sql::SqliteError& e) {
        after_commit.clear();
        return queue_failure(QueueErrc::storage_error, e.what(),
                             e.disk_full() ? "设备存储空间不足，操作未能保存。请联系管理员清理空间。"
                                           : "操作未能保存，请重试；如仍失败请联系管理员。");
    } catch (const Error& e) {
        after_commit.clear();
        return queue_failure(QueueErrc::storage_error, e.what(), "操作未能保存，请重试；如仍失败请联系管理员。");
    }
}

// ---- engine --------------------------------------------------------------------------------

QueueEngine::QueueEngine(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
QueueEngine::~QueueEngine() = default;
QueueEngine::QueueEngine(QueueEngine&&) noexcept = default;
QueueEngine& QueueEngine::operator=(QueueEngine&&) noexcept = default;
const QueueSetup& QueueEngine::setup() const noexcept {
    return m_impl->setup;
}

QueueEngine QueueEngine::open(const std::filesystem::path& db_path, QueueSetup setup) {
    check_setup(setup);
    if (!std::filesystem::exists(db_path)) throw Error(Errc::io_failure, db_path.string() + " does not exist");
    auto impl = std::make_unique<Impl>(db_path, std::move(setup));
    schema::check_store_file(impl->db, db_path, schema::SchemaAge::current);
    // synchronous is per connection: this one must be FULL too, or a "taken" ticket could be lost.
    impl->db.exec(impl->setup.durability == Durability::full ? "PRAGMA synchronous = FULL"
                                                             : "PRAGMA synchronous = OFF");
    impl->db.exec("PRAGMA foreign_keys = ON");
    impl->last_at = queue_db::latest_instant(impl->db);
    impl->seed_averages();
    return QueueEngine(std::move(impl));
}

// ---- ticket station ----

QueueResult<IssuedTicket> QueueEngine::take_ticket(std::string_view code, bool priority) {
    auto& im = *m_impl;
    return im.mutate<IssuedTicket>([&](TimePoint now, const std::string& day) -> QueueResult<IssuedTicket> {
        return im.issue(code, priority, now, day);
    });
}

QueueResult<IssuedTicket> QueueEngine::Impl::issue(std::string_view code, bool priority, TimePoint now,
                                                   const std::string& day) {
    auto& im = *this;
    {
        const ServiceCategory* c = im.category(code);
        if (c == nullptr)
            return queue_failure(QueueErrc::unknown_category, "unknown category '" + std::string(code) + "'",
                                 "没有这个业务类别，请返回重新选择。");
        if (auto refusal = im.ticket_refusal(*c, now)) return *refusal;
        QueueTicket t;
        t.business_day = day;
        t.seq = queue_db::allocate_number(im.db, day, c->prefix);
        t.number = format_ticket_number(c->prefix, t.seq, im.setup.policy.number_digits);
        t.issued_category = c->code;
        t.category = c->code;
        t.priority = priority;
        t.state = TicketState::waiting;
        t.order_key = queue_db::key_at(now);
        t.issued_at = now;
        t.aging_since = now;
        t.id = queue_db::insert_ticket(im.db, t);
        queue_db::log_event(im.db, t, now, QueueAction::issue, std::nullopt, "", priority ? "priority" : "");
        IssuedTicket out;
        out.estimate = im.estimate_in(*c, queue_db::waiting_entries(im.db, day, c->code), t.id, now);
        out.ticket = std::move(t);
        out.category_name = c->name;
        return out;
    }
}

// ---- appointments ----

std::optional<std::string> normalize_appointment_code(std::string_view code) {
    if (code.size() < 4 || code.size() > 32) return std::nullopt;
    std::string out;
    for (char ch : code) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) == 0 || c >= 0x80) return std::nullopt;
        out.push_back(static_cast<char>(std::toupper(c)));
    }
    return out;
}

namespace {

// How long a repeated check-in of a code gives its ticket again instead of a refusal.
constexpr std::chrono::minutes kCheckInRetry{2};

QueueFailure bad_appointment_code(const char* field) {
    QueueFailure f = queue_failure(QueueErrc::invalid_field, "appointment code must be 4 to 32 of A-Z, 0-9",
                                   "预约码格式不对，应为 4 到 32 位字母或数字，请核对后重新输入。");
    f.field = field;
    return f;
}

QueueFailure no_appointment(const std::string& code) {
    return queue_failure(QueueErrc::unknown_appointment, "no booked appointment " + code,
                         "没有找到预约码 " + code + " 的预约（可能已取消），请核对预约码，或直接按业务取号。");
}

}  // namespace

QueueResult<IssuedTicket> QueueEngine::check_in(std::string_view code_in) {
    auto& im = *m_impl;
    auto code = normalize_appointment_code(code_in);
    if (!code) return bad_appointment_code("appointment_code");
    return im.mutate<IssuedTicket>([&](TimePoint now, const std::string& day) -> QueueResult<IssuedTicket> {
        auto a = queue_db::appointment_by_code(im.db, *code);
        if (!a || a->state == Appointment::State::cancelled) return no_appointment(*code);
        if (a->state == Appointment::State::checked_in && a->checked_in_at &&
            now - *a->checked_in_at <= kCheckInRetry) {
            // The station lost the reply (a timeout) and asks again, or the citizen scans twice:
            // the same ticket while it waits, never a second number and never a lost one.
            auto t = queue_db::ticket_by_number(im.db, day, a->ticket_number);
            const ServiceCategory* c = t ? im.category(t->category) : nullptr;
            if (t && c != nullptr && t->state == TicketState::waiting) {
                IssuedTicket out;
                out.estimate = im.estimate_in(*c, queue_db::waiting_entries(im.db, day, c->code), t->id, now);
                out.ticket = std::move(*t);
                out.category_name = c->name;
                return out;
            }
        }
        if (a->state == Appointment::State::checked_in)
            return queue_failure(QueueErrc::appointment_used,
                                 "appointment " + *code + " was checked in as " + a->ticket_number,
                                 "预约码 " + *code + " 已签到取号（" + a->ticket_number +
                                     "），请留意叫号；如小票丢失，请到综合服务台。");
        if (a->business_day != day)
            return queue_failure(
                QueueErrc::appointment_other_day,
                "appointment " + *code + " is for " + a->business_day + ", today is " + day,
                "该预约是 " + a->business_day + " 的，不是今天。请在预约当天来签到，或直接按业务取号。");
        auto t = im.issue(a->category, a->priority, now, day);
        if (!t) return t;  // hours, cap: the appointment stays booked (the transaction rolls back)
        a->state = Appointment::State::checked_in;
        a->checked_in_at = now;
        a->ticket_number = t.value().ticket.number;
        queue_db::update_appointment(im.db, *a);
        return t;
    });
}

QueueResult<Appointment> QueueEngine::book_appointment(std::string_view code_in, std::string_view category,
                                                       std::string_view day_text, bool priority) {
    auto& im = *m_impl;
    auto code = normalize_appointment_code(code_in);
    if (!code) return bad_appointment_code("code");
    return im.mutate<Appointment>([&](TimePoint now, const std::string& today) -> QueueResult<Appointment> {
        if (im.category(category) == nullptr)
            return queue_failure(QueueErrc::unknown_category, "unknown category '" + std::string(category) + "'",
                                 "没有这个业务类别：" + std::string(category) + "。");
        auto day = parse_date(day_text);
        if (!day || format_date(*day) < today) {
            QueueFailure f = queue_failure(QueueErrc::invalid_field, "day must be a date YYYY-MM-DD, today or later",
                                           "预约日期应为今天或以后的日期，格式 YYYY-MM-DD。");
            f.field = "day";
            return f;
        }
        if (auto old = queue_db::appointment_by_code(im.db, *code); old && old->state == Appointment::State::checked_in)
            return queue_failure(QueueErrc::appointment_used, "appointment " + *code + " was checked in already",
                                 "预约码 " + *code + " 已签到取号（" + old->ticket_number + "），不能再改约。");
        Appointment a;
        a.code = *code;
        a.business_day = format_date(*day);
        a.category = std::string(category);
        a.priority = priority;
        a.state = Appointment::State::booked;
        a.booked_at = now;
        queue_db::upsert_appointment(im.db, a);
        return a;
    });
}

QueueResult<Appointment> QueueEngine::cancel_appointment(std::string_view code_in) {
    auto& im = *m_impl;
    auto code = normalize_appointment_code(code_in);
    if (!code) return bad_appointment_code("code");
    return im.mutate<Appointment>([&](TimePoint, const std::string&) -> QueueResult<Appointment> {
        auto a = queue_db::appointment_by_code(im.db, *code);
        if (!a || a->state == Appointment::State::cancelled) return no_appointment(*code);
        if (a->state == Appointment::State::checked_in)
            return queue_failure(
                QueueErrc::appointment_used, "appointment " + *code + " was checked in already",
                "预约码 " + *code + " 已签到取号（" + a->ticket_number + "），不能取消预约；请作废其号码。");
        a->state = Appointment::State::cancelled;
        queue_db::update_appointment(im.db, *a);
        return *a;
    });
}

std::optional<Appointment> QueueEngine::appointment(std::string_view code) const {
    auto& im = *m_impl;
    std::lock_guard lock(im.mutex);
    auto n = normalize_appointment_code(code);
    if (!n) return std::nullopt;
    return queue_db::appointment_by_code(im.db, *n);
}

QueueResult<QueueTicket> QueueEngine::cancel(std::string_view number, std::string_view reason_in) {
    auto& im = *m_impl;
    return im.mutate<QueueTicket>([&](TimePoint now, const std::string& day) -> QueueResult<QueueTicket> {
        std::string reason = trim(reason_in);
        if (reason.empty() || !valid_text(reason) ||
            reason.size() > static_cast<size_t>(im.setup.policy.max_reason_bytes))
            return invalid_field(
                "reason",
                "cancel needs a reason (UTF-8, at most " + std::to_string(im.setup.policy.max_reason_bytes) + " bytes)",
                "作废需要填写原因（不超过 " + std::to_string(im.setup.policy.max_reason_bytes) + " 字节）。");
        auto n = normalize_ticket_number(number, im.setup.policy.number_digits);
        if (!n)
            return invalid_field("number", "malformed ticket number", "号码格式不对，应为一个字母加数字，例如 A012。");
        auto t = queue_db::ticket_by_number(im.db, day, *n);
        if (!t)
            return queue_failure(QueueErrc::unknown_ticket, "no ticket " + *n + " today",
                                 "今天没有 " + *n + " 这个号，请核对号码。");
        if (!action_allowed(QueueAction::cancel, t->state)) return illegal(QueueAction::cancel, *t);
        TicketState from = t->state;
        t->state = TicketState::cancelled;
        t->finished_at = now;
        queue_db::update_ticket(im.db, *t);
        queue_db::log_event(im.db, *t, now, QueueAction::cancel, from, "", reason);
        return *t;
    });
}

// ---- windows ----

namespace {

struct WindowCtx {
    WindowSession session;
    std::optional<QueueTicket> current;
};

}  // namespace

// Checks the window exists and is signed in; loads its current ticket.
static std::optional<QueueFailure> window_ready(const QueueEngine::Impl& im, int window, TimePoint now, WindowCtx& ctx);

QueueResult<WindowSession> QueueEngine::open_window(int window, const Staff& staff_in) {
    auto& im = *m_impl;
    return im.mutate<WindowSession>([&](TimePoint now, const std::string&) -> QueueResult<WindowSession> {
        if (!im.known_window(window))
            return queue_failure(QueueErrc::unknown_window, "window " + std::to_string(window) + " is not configured",
                                 "没有 " + std::to_string(window) + " 号窗口，请检查窗口号。");
        Staff staff{trim(staff_in.number), trim(staff_in.name)};
        if (staff.number.empty() || staff.number.size() > kMaxStaffNumberBytes || !valid_text(staff.number))
            return invalid_field("staff_number", "staff number empty, too long or not UTF-8", "请填写正确的工号。");
        if (staff.name.size() > kMaxStaffNameBytes || !valid_text(staff.name))
            return invalid_field("staff_name", "staff name too long or not UTF-8", "姓名过长或含有无法识别的字符。");
        auto day_start = china_midnight(china_date(now));
        if (auto s = queue_db::open_session(im.db, window, day_start); s && s->staff == staff) {
            s->name = im.window_name(window);
            return *s;  // signing in twice is harmless
        }
        queue_db::close_sessions(im.db, window, now);
        queue_db::insert_session(im.db, window, staff, now);
        WindowSession s;
        s.window = window;
        s.name = im.window_name(window);
        s.staff = staff;
        s.opened_at = now;
        return s;
    });
}

QueueResult<WindowSession> QueueEngine::close_window(int window) {
    auto& im = *m_impl;
    return im.mutate<WindowSession>([&](TimePoint now, const std::string&) -> QueueResult<WindowSession> {
        WindowCtx ctx;
        if (auto f = window_ready(im, window, now, ctx)) return *f;
        if (ctx.current)
            return queue_failure(
                QueueErrc::window_busy, "window has a current ticket " + ctx.current->number,
                "本窗口的 " + ctx.current->number + " 还没有处理完，请先办结、过号或挂起，再退出登录。");
        queue_db::close_sessions(im.db, window, now);
        ctx.session.closed_at = now;
        return ctx.session;
    });
}

static std::optional<QueueFailure> window_ready(const QueueEngine::Impl& im, int window, TimePoint now,
                                                WindowCtx& ctx) {
    if (!im.known_window(window))
        return queue_failure(QueueErrc::unknown_window, "window " + std::to_string(window) + " is not configured",
                             "没有 " + std::to_string(window) + " 号窗口，请检查窗口号。");
    auto s = queue_db::open_session(im.db, window, china_midnight(china_date(now)));
    if (!s)
        return queue_failure(QueueErrc::window_closed, "window " + std::to_string(window) + " is signed out",
                             std::to_string(window) + " 号窗口尚未登录，请先用工号登录。");
    ctx.session = *s;
    ctx.session.name = im.window_name(window);
    ctx.current = queue_db::ticket_at_window(im.db, window);
    return std::nullopt;
}

namespace {

// The window's current ticket when `expect` (if given) names it; otherwise the refusal that
// explains what happened to the ticket the staff member sees.
std::optional<QueueFailure> check_expect(const QueueEngine::Impl& im, const WindowCtx& ctx, std::string_view expect,
                                         QueueAction action, const std::string& day) {
    if (trim(expect).empty()) {
        if (!ctx.current)
            return queue_failure(QueueErrc::no_current_ticket, "no current ticket at the window",
                                 "本窗口当前没有叫到的号，请先叫号。");
        return std::nullopt;
    }
    auto n = normalize_ticket_number(expect, im.setup.policy.number_digits);
    if (!n) return invalid_field("number", "malformed ticket number", "号码格式不对，应为一个字母加数字，例如 A012。");
    if (ctx.current && ctx.current->number == *n) return std::nullopt;
    auto t = queue_db::ticket_by_number(im.db, day, *n);
    if (!t)
        return queue_failure(QueueErrc::unknown_ticket, "no ticket " + *n + " today",
                             "今天没有 " + *n + " 这个号，请核对号码。");
    if (!action_allowed(action, t->state)) return illegal(action, *t);
    std::string now_zh = ctx.current ? "当前为 " + ctx.current->number : "本窗口当前没有号";
    return queue_failure(QueueErrc::ticket_mismatch, *n + " is not the window's current ticket",
                         *n + " 不是本窗口当前的号（" + now_zh + "），请刷新页面后再操作。");
}

// The preamble of every action on the window's current ticket: the window is signed in,
// `expect` (when given) names its current ticket, and that ticket's state allows `action`.
// Fills ctx; returns the refusal otherwise.
std::optional<QueueFailure> current_ready_for(const QueueEngine::Impl& im, int window, std::string_view expect,
                                              QueueAction action, TimePoint now, const std::string& day,
                                              WindowCtx& ctx) {
    if (auto f = window_ready(im, window, now, ctx)) return f;
    if (auto f = check_expect(im, ctx, expect, action, day)) return f;
    if (!action_allowed(action, ctx.current->state)) return illegal(action, *ctx.current);
    return std::nullopt;
}

QueueFailure busy(const QueueTicket& cur) {
    return queue_failure(QueueErrc::window_busy, "window has a current ticket " + cur.number,
                         "本窗口的 " + cur.number + " 还没有处理完，请先办结、过号或挂起，再叫下一个号。");
}

}  // namespace

// Moves `t` to called at the window and logs `action` with `reason`.
static CallOutcome apply_call(QueueEngine::Impl& im, QueueTicket t, const WindowCtx& ctx, QueueAction action, Pick pick,
                              TimePoint now, const std::string& day, const std::string& reason) {
    TicketState from = t.state;
    bool first_call_here = action != QueueAction::recall;
    t.state = TicketState::called;
    t.window = ctx.session.window;
    t.staff = ctx.session.staff;
    if (action == QueueAction::recall) {
        ++t.recalls;
    } else {
        t.called_at = now;
        t.serving_at.reset();
        if (!t.first_called_at) t.first_called_at = now;
    }
    queue_db::update_ticket(im.db, t);
    queue_db::log_event(im.db, t, now, action, from, ctx.session.staff.number, reason);
    // The ratio counts every first call of a waiting ticket (next or 特呼), not recalls/resumes.
    if (first_call_here && (action == QueueAction::call || action == QueueAction::call_given))
        queue_db::count_call(im.db, day, t.category, t.priority);
    CallOutcome out;
    out.action = action;
    out.pick = std::move(pick);
    out.explanation_zh = explain_zh(out.pick);
    out.window = ctx.session.window;
    out.window_name = ctx.session.name;
    out.staff = ctx.session.staff;
    out.ticket = std::move(t);
    return out;
}

static Pick pick_of(const QueueTicket& t, const ServiceCategory* c, PickReason reason, TimePoint now) {
    Pick p;
    p.entry = QueueEntry{t.id, t.number, t.priority, t.order_key, t.aging_since};
    p.category = t.category;
    p.reason = reason;
    if (c != nullptr) {
        p.ratio = c->priority_ratio;
        p.max_wait_minutes = c->max_wait_minutes;
    }
    p.waited = std::max(std::chrono::duration_cast<std::chrono::minutes>(now - t.aging_since), std::chrono::minutes{0});
    return p;
}

// The categories a window serves with their candidates, ready for select_next().
static std::vector<CategoryQueue> queues_for(const QueueEngine::Impl& im, int window, const std::string& day,
                                             TimePoint now) {
    std::vector<CategoryQueue> qs;
    for (size_t i : im.window_categories.at(window)) {
        const ServiceCategory& c = im.setup.categories[i];
        CategoryQueue q;
        q.category = &c;
        TimePoint aged_before =
            c.max_wait_minutes > 0 ? now - std::chrono::minutes{c.max_wait_minutes} : TimePoint{};  // nothing ages
        q.entries = queue_db::candidate_entries(im.db, day, c.code, aged_before);
        q.normal_since_priority = queue_db::normal_since_priority(im.db, day, c.code);
        qs.push_back(std::move(q));
    }
    return qs;
}

QueueResult<CallOutcome> QueueEngine::call_next(int window) {
    auto& im = *m_impl;
    return im.mutate<CallOutcome>([&](TimePoint now, const std::string& day) -> QueueResult<CallOutcome> {
        WindowCtx ctx;
        if (auto f = window_ready(im, window, now, ctx)) return *f;
        if (ctx.current) return busy(*ctx.current);
        auto pick = select_next(queues_for(im, window, day, now), now);
        if (!pick)
            return queue_failure(QueueErrc::queue_empty, "nothing waiting for window " + std::to_string(window),
                                 "本窗口办理的业务目前没有人等候。");
        auto t = queue_db::ticket_by_number(im.db, day, pick->entry.number);
        if (!t || t->state != TicketState::waiting)
            throw Error(Errc::store_failure, "selected ticket " + pick->entry.number + " is not waiting");
        std::string reason(to_string(pick->reason));
        return apply_call(im, std::move(*t), ctx, QueueAction::call, std::move(*pick), now, day, reason);
    });
}

QueueResult<CallOutcome> QueueEngine::call_number(int window, std::string_view number, std::string_view reason_in) {
    auto& im = *m_impl;
    return im.mutate<CallOutcome>([&](TimePoint now, const std::string& day) -> QueueResult<CallOutcome> {
        WindowCtx ctx;
        if (auto f = window_ready(im, window, now, ctx)) return *f;
        std::string reason = trim(reason_in);
        const int max = im.setup.policy.max_reason_bytes;
        if (reason.empty())
            return invalid_field("reason", "特呼 needs a reason", "特呼需要填写原因（例如：群众返回、预约到场）。");
        if (reason.size() > static_cast<size_t>(max) || !valid_text(reason))
            return invalid_field("reason", "reason longer than " + std::to_string(max) + " bytes or not UTF-8",
                                 "原因太长或含有无法识别的字符，请控制在 " + std::to_string(max) + " 字节以内。");
        auto n = normalize_ticket_number(number, im.setup.policy.number_digits);
        if (!n)
            return invalid_field("number", "malformed ticket number", "号码格式不对，应为一个字母加数字，例如 A012。");
        auto t = queue_db::ticket_by_number(im.db, day, *n);
        if (!t)
            return queue_failure(QueueErrc::unknown_ticket, "no ticket " + *n + " today",
                                 "今天没有 " + *n + " 这个号，请核对号码。");
        const ServiceCategory* c = im.category(t->category);
        if (!im.serves(window, t->category))
            return queue_failure(
                QueueErrc::window_not_serving,
                *n + " is in category " + t->category + ", not served at window " + std::to_string(window),
                *n + " 属于" + zh_quoted(c != nullptr ? c->name : t->category) + "业务，" + std::to_string(window) +
                    " 号窗口不办理该业务。");
        if (!action_allowed(QueueAction::call_given, t->state)) return illegal(QueueAction::call_given, *t);
        if (ctx.current) return busy(*ctx.current);
        Pick pick = pick_of(*t, c, PickReason::given_number, now);
        pick.note = reason;
        return apply_call(im, std::move(*t), ctx, QueueAction::call_given, std::move(pick), now, day, reason);
    });
}

QueueResult<CallOutcome> QueueEngine::recall(int window, std::string_view expect) {
    auto& im = *m_impl;
    return im.mutate<CallOutcome>([&](TimePoint now, const std::string& day) -> QueueResult<CallOutcome> {
        WindowCtx ctx;
        if (auto f = current_ready_for(im, window, expect, QueueAction::recall, now, day, ctx)) return *f;
        Pick pick = pick_of(*ctx.current, im.category(ctx.current->category), PickReason::in_order, now);
        auto out = apply_call(im, *ctx.current, ctx, QueueAction::recall, std::move(pick), now, day, "");
        out.explanation_zh = "重呼";
        return out;
    });
}

QueueResult<QueueTicket> QueueEngine::start(int window, std::string_view expect) {
    auto& im = *m_impl;
    return im.mutate<QueueTicket>([&](TimePoint now, const std::string& day) -> QueueResult<QueueTicket> {
        WindowCtx ctx;
        if (auto f = current_ready_for(im, window, expect, QueueAction::start, now, day, ctx)) return *f;
        QueueTicket t = *ctx.current;
        t.state = TicketState::serving;
        t.serving_at = now;
        queue_db::update_ticket(im.db, t);
        queue_db::log_event(im.db, t, now, QueueAction::start, TicketState::called, ctx.session.staff.number, "");
        return t;
    });
}

QueueResult<SkipOutcome> QueueEngine::skip(int window, std::string_view expect) {
    auto& im = *m_impl;
    return im.mutate<SkipOutcome>([&](TimePoint now, const std::string& day) -> QueueResult<SkipOutcome> {
        WindowCtx ctx;
        if (auto f = current_ready_for(im, window, expect, QueueAction::skip, now, day, ctx)) return *f;
        QueueTicket t = *ctx.current;
        const auto& policy = im.setup.policy;
        SkipOutcome out;
        out.requeued = t.skips < policy.skip_max_requeues;
        ++t.skips;
        if (out.requeued) {
            t.order_key = queue_db::requeue_key(im.db, day, t.category, t.priority, policy.skip_requeue_behind, now);
            t.aging_since = now;  // it missed its call: the max-wait clock starts again
            t.state = TicketState::waiting;
        } else {
            t.state = TicketState::no_show;
            t.finished_at = now;
        }
        queue_db::update_ticket(im.db, t);
        queue_db::log_event(im.db, t, now, QueueAction::skip, TicketState::called, ctx.session.staff.number,
                            out.requeued ? "requeue" : "no_show");
        if (out.requeued) {
            const ServiceCategory* c = im.category(t.category);
            if (c != nullptr)
                out.people_ahead =
                    im.estimate_in(*c, queue_db::waiting_entries(im.db, day, t.category), t.id, now).people_ahead;
        }
        out.ticket = std::move(t);
        return out;
    });
}

QueueResult<QueueTicket> QueueEngine::hold(int window, std::string_view expect) {
    auto& im = *m_impl;
    return im.mutate<QueueTicket>([&](TimePoint now, const std::string& day) -> QueueResult<QueueTicket> {
        WindowCtx ctx;
        if (auto f = current_ready_for(im, window, expect, QueueAction::hold, now, day, ctx)) return *f;
        QueueTicket t = *ctx.current;
        TicketState from = t.state;
        t.state = TicketState::held;
        queue_db::update_ticket(im.db, t);
        queue_db::log_event(im.db, t, now, QueueAction::hold, from, ctx.session.staff.number, "");
        return t;
    });
}

QueueResult<CallOutcome> QueueEngine::resume(int window, std::string_view number) {
    auto& im = *m_impl;
    return im.mutate<CallOutcome>([&](TimePoint now, const std::string& day) -> QueueResult<CallOutcome> {
        WindowCtx ctx;
        if (auto f = window_ready(im, window, now, ctx)) return *f;
        auto n = normalize_ticket_number(number, im.setup.policy.number_digits);
        if (!n)
            return invalid_field("number", "malformed ticket number", "号码格式不对，应为一个字母加数字，例如 A012。");
        auto t = queue_db::ticket_by_number(im.db, day, *n);
        if (!t)
            return queue_failure(QueueErrc::unknown_ticket, "no ticket " + *n + " today",
                                 "今天没有 " + *n + " 这个号，请核对号码。");
        if (!action_allowed(QueueAction::resume, t->state)) return illegal(QueueAction::resume, *t);
        const ServiceCategory* c = im.category(t->category);
        if (!im.serves(window, t->category))
            return queue_failure(QueueErrc::window_not_serving,
                                 *n + " is not served at window " + std::to_string(window),
                                 *n + " 属于" + zh_quoted(c != nullptr ? c->name : t->category) + "业务，" +
                                     std::to_string(window) + " 号窗口不办理该业务。");
        if (ctx.current) return busy(*ctx.current);
        Pick pick = pick_of(*t, c, PickReason::resumed, now);
        return apply_call(im, std::move(*t), ctx, QueueAction::resume, std::move(pick), now, day, "");
    });
}

QueueResult<QueueTicket> QueueEngine::transfer(int window, std::string_view to_code, std::string_view number) {
    auto& im = *m_impl;
    return im.mutate<QueueTicket>([&](TimePoint now, const std::string& day) -> QueueResult<QueueTicket> {
        WindowCtx ctx;
        if (auto f = window_ready(im, window, now, ctx)) return *f;
        const ServiceCategory* to = im.category(to_code);
        if (to == nullptr)
            return queue_failure(QueueErrc::unknown_category, "unknown category '" + std::string(to_code) + "'",
                                 "没有这个业务类别，请重新选择要转去的业务。");
        std::optional<QueueTicket> t;
        if (trim(number).empty()) {
            if (auto f = check_expect(im, ctx, "", QueueAction::transfer, day)) return *f;
            t = ctx.current;
        } else {
            auto n = normalize_ticket_number(number, im.setup.policy.number_digits);
            if (!n)
                return invalid_field("number", "malformed ticket number",
                                     "号码格式不对，应为一个字母加数字，例如 A012。");
            t = queue_db::ticket_by_number(im.db, day, *n);
            bool held_here = t && t->state == TicketState::held && t->window == window;
            bool current_here = ctx.current && ctx.current->number == *n;
            if (!held_here && !current_here) {
                if (auto f = check_expect(im, ctx, *n, QueueAction::transfer, day)) return *f;
            }
        }
        if (!action_allowed(QueueAction::transfer, t->state)) return illegal(QueueAction::transfer, *t);
        if (t->category == to->code)
            return queue_failure(QueueErrc::same_category, t->number + " is already in " + to->code,
                                 t->number + " 已在" + zh_quoted(to->name) + "业务中，请选择其他业务类别。");
        TicketState from = t->state;
        std::string from_category = t->category;
        t->category = to->code;
        t->state = TicketState::waiting;
        ++t->transfers;
        if (im.setup.policy.transfer_placement == TransferPlacement::take_time) {
            t->order_key = queue_db::key_at(t->issued_at);
        } else {
            t->order_key = queue_db::end_of_queue_key(im.db, day, to->code, now);
            t->aging_since = now;
        }
        t->called_at.reset();
        t->serving_at.reset();
        queue_db::update_ticket(im.db, *t);
        queue_db::log_event(im.db, *t, now, QueueAction::transfer, from, ctx.session.staff.number,
                            "from " + from_category);
        return *t;
    });
}

QueueResult<Completion> QueueEngine::complete(int window, std::string_view expect) {
    auto& im = *m_impl;
    return im.mutate<Completion>([&](TimePoint now, const std::string& day) -> QueueResult<Completion> {
        WindowCtx ctx;
        if (auto f = current_ready_for(im, window, expect, QueueAction::complete, now, day, ctx)) return *f;
        QueueTicket t = *ctx.current;
        TicketState from = t.state;
        if (!t.serving_at) t.serving_at = t.called_at.value_or(now);
        t.state = TicketState::done;
        t.finished_at = now;
        queue_db::update_ticket(im.db, t);
        queue_db::log_event(im.db, t, now, QueueAction::complete, from, ctx.session.staff.number, "");
        Completion out;
        const ServiceCategory* c = im.category(t.category);
        if (c != nullptr) out.category = *c;
        out.window = window;
        out.window_name = ctx.session.name;
        out.staff = ctx.session.staff;
        out.at = now;
        out.waited = std::max(t.first_called_at.value_or(now) - t.issued_at, std::chrono::milliseconds{0});
        out.service = std::max(now - *t.serving_at, std::chrono::milliseconds{0});
        std::string code = t.category;
        auto service = out.service;
        im.after_commit.push_back([&im, code, service] {
            auto it = im.averages.find(code);
            if (it != im.averages.end()) it->second.add(service);
        });
        out.ticket = std::move(t);
        return out;
    });
}

// ---- queries -------------------------------------------------------------------------------

std::optional<QueueTicket> QueueEngine::find(std::string_view number) const {
    auto& im = *m_impl;
    std::lock_guard lock(im.mutex);
    auto n = normalize_ticket_number(number, im.setup.policy.number_digits);
    if (!n) return std::nullopt;
    return queue_db::ticket_by_number(im.db, business_day(im.read_now()), *n);
}

std::optional<QueueTicket> QueueEngine::current(int window) const {
    auto& im = *m_impl;
    std::lock_guard lock(im.mutex);
    auto t = queue_db::ticket_at_window(im.db, window);
    if (t && t->business_day != business_day(im.read_now())) return std::nullopt;  // left from an earlier day
    return t;
}

std::vector<QueueTicket> QueueEngine::held(int window) const {
    auto& im = *m_impl;
    std::lock_guard lock(im.mutex);
    return queue_db::held_at_window(im.db, business_day(im.read_now()), window);
}

std::optional<WindowSession> QueueEngine::session(int window) const {
    auto& im = *m_impl;
    std::lock_guard lock(im.mutex);
    auto s = queue_db::open_session(im.db, window, china_midnight(china_date(im.read_now())));
    if (s) s->name = im.window_name(window);
    return s;
}

std::vector<TicketEvent> QueueEngine::history(std::string_view number) const {
    auto& im = *m_impl;
    std::lock_guard lock(im.mutex);
    auto n = normalize_ticket_number(number, im.setup.policy.number_digits);
    if (!n) return {};
    auto t = queue_db::ticket_by_number(im.db, business_day(im.read_now()), *n);
    if (!t) return {};
    return queue_db::events_of(im.db, t->id);
}

QueueResult<std::vector<Pick>> QueueEngine::waiting_order(std::string_view code) const {
    auto& im = *m_impl;
    std::lock_guard lock(im.mutex);
    const ServiceCategory* c = im.category(code);
    if (c == nullptr)
        return queue_failure(QueueErrc::unknown_category, "unknown category '" + std::string(code) + "'",
                             "没有这个业务类别。");
    TimePoint now = im.read_now();
    std::string day = business_day(now);
    CategoryQueue q{c, queue_db::waiting_entries(im.db, day, c->code),
                    queue_db::normal_since_priority(im.db, day, c->code)};
    return predicted_order(q, now);
}

QueueResult<std::optional<Pick>> QueueEngine::preview_next(int window) const {
    auto& im = *m_impl;
    std::lock_guard lock(im.mutex);
    if (!im.known_window(window))
        return queue_failure(QueueErrc::unknown_window, "window " + std::to_string(window) + " is not configured",
                             "没有 " + std::to_string(window) + " 号窗口，请检查窗口号。");
    TimePoint now = im.read_now();
    return select_next(queues_for(im, window, business_day(now), now), now);
}

}  // namespace hcp

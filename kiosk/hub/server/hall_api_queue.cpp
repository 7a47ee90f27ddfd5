// The queue endpoints of the hall API (docs/hall-api.md "Queue"): tickets, the
// queue as screens and the staff console see it, and the window actions, on the QueueEngine the
// hub owns. Every success is published on the hub's event bus, so a call made here reaches the
// hall display and its voice exactly like one made anywhere else.
#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <mutex>

#include "hall_api_routes.hpp"
#include "hcp/base/time.hpp"
#include "hcp/hub_server/receipt_printers.hpp"
#include "staff_sessions.hpp"

namespace hcp {

void publish_queue_call(EventBus& bus, const CallOutcome& call) {
    HubEvent e;
    e.type = HubEventType::queue_called;
    e.window = call.window;
    e.call = QueueCallNotice{call.ticket.number, call.ticket.category, call.window, call.window_name,
                             std::string(to_string(call.action))};
    bus.publish(std::move(e));
}

void publish_queue_changed(EventBus& bus) {
    HubEvent e;
    e.type = HubEventType::queue_changed;
    e.window = HubEvent::kAllWindows;
    bus.publish(std::move(e));
}

namespace api {

namespace {

// Limits of the JSON layer (bytes of UTF-8). The engine applies its own, stricter rules (工号
// 32 bytes, reasons policy.max_reason_bytes, number format) and answers them with 422 and the
// Chinese the console shows; these only keep absurd input out.
constexpr size_t kMaxCategoryBytes = 64;
constexpr size_t kMaxAppointmentCodeBytes = 64;  // the engine allows 4–32 of A-Z, 0-9
constexpr size_t kMaxNumberBytes = 32;
constexpr size_t kMaxReasonBytes = 1000;
constexpr size_t kMaxStaffNoBytes = 64;
constexpr int kMaxWindow = 999;

// HTTP status of a refusal of the queue. 404: the thing named does not exist; 409: it exists
// but the queue's state does not allow the action now (closed category and daily cap included:
// the request is fine, the hall is not taking it; `code` says which); 422: a field the engine
// refuses; 503: the device (clock, storage) cannot serve now.
int status_of(QueueErrc e) {
    switch (e) {
        case QueueErrc::invalid_field: return 422;
        case QueueErrc::unknown_category:
        case QueueErrc::unknown_window:
        case QueueErrc::unknown_ticket:
        case QueueErrc::unknown_appointment: return 404;
        case QueueErrc::window_not_serving:
        case QueueErrc::window_closed:
        case QueueErrc::window_busy:
        case QueueErrc::no_current_ticket:
        case QueueErrc::ticket_mismatch:
        case QueueErrc::queue_empty:
        case QueueErrc::illegal_transition:
        case QueueErrc::same_category:
        case QueueErrc::category_closed:
        case QueueErrc::daily_cap_reached:
        case QueueErrc::appointment_used:
        case QueueErrc::appointment_other_day: return 409;
        case QueueErrc::clock_invalid:
        case QueueErrc::storage_error: return 503;
    }
    return 500;
}

void send_failure(httplib::Response& res, const QueueFailure& f) {
    json body = error_json(to_string(f.cause), f.message_zh.empty() ? f.message : f.message_zh, f.message);
    if (!f.field.empty()) body["error"]["field"] = f.field;
    if (f.state) body["error"]["state"] = std::string(to_string(*f.state));
    send_json(res, status_of(f.cause), body);
}

bool has_control(std::string_view s) {
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f) return true;
    }
    return false;
}

bool blank(std::string_view s) {
    return s.find_first_not_of(" \t") == std::string_view::npos;
}

// Reads the string fields of a body. Absent or null is "" (a problem when required); another
// type, more than `max` bytes or control characters are problems. The first problem is kept
// and answered as 400 invalid_field naming the field. (Invalid UTF-8 never gets here: the JSON
// parser refuses it with 400 invalid_json.)
class Fields {
public:
    explicit Fields(const json& body) : m_body(body) {}

    std::string text(const char* key, size_t max, bool required = false) {
        if (!m_bad.empty()) return {};
        auto it = m_body.find(key);
        if (it == m_body.end() || it->is_null()) {
            if (required) fail(key, max, "is required");
            return {};
        }
        if (!it->is_string()) {
            fail(key, max, "must be a string");
            return {};
        }
        std::string v = it->get<std::string>();
        if (v.size() > max)
            fail(key, max, "is longer than " + std::to_string(max) + " bytes");
        else if (has_control(v))
            fail(key, max, "contains control characters");
        else if (required && blank(v))
            fail(key, max, "is empty");
        return v;
    }

    bool flag(const char* key) {
        if (!m_bad.empty()) return false;
        auto it = m_body.find(key);
        if (it == m_body.end() || it->is_null()) return false;
        if (!it->is_boolean()) {
            m_bad = key;
            m_why = std::string(key) + " must be true or false";
            m_zh = "请求中的 " + std::string(key) + " 须为 true 或 false。";
            return false;
        }
        return it->get<bool>();
    }

    // Answers the first problem; returns false when there was one.
    bool ok(httplib::Response& res) const {
        if (m_bad.empty()) return true;
        send_error(res, 400, "invalid_field", m_zh, m_why, m_bad);
        return false;
    }

private:
    void fail(const char* key, size_t max, const std::string& why) {
        m_bad = key;
        m_why = std::string(key) + " " + why;
        m_zh =
            "请求中的 " + std::string(key) + " 缺少或格式不正确（须为不超过 " + std::to_string(max) + " 字节的文字）。";
    }

    const json& m_body;
    std::string m_bad, m_why, m_zh;
};

// The {w} of a path: 1–3 digits without a leading zero, 1..999. Anything else is refused
// before the engine sees it.
std::optional<int> parse_window(const std::string& s) {
    if (s.empty() || s.size() > 3 || s.front() == '0') return std::nullopt;
    int v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    if (v < 1 || v > kMaxWindow) return std::nullopt;
    return v;
}

json time_or_null(const std::optional<TimePoint>& t) {
    return t ? json(format_iso8601(*t)) : json(nullptr);
}

json staff_json(const Staff& s) {
    return {{"number", s.number}, {"name", s.name}};
}

std::string category_name(const QueueEngine& q, const std::string& code) {
    for (const auto& c : q.setup().categories)
        if (c.code == code) return c.name;
    return code;
}

json ticket_json(const QueueEngine& q, const QueueTicket& t) {
    return {{"number", t.number},
            {"business_day", t.business_day},
            {"category", t.category},
            {"category_name", category_name(q, t.category)},
            {"issued_category", t.issued_category},
            {"priority", t.priority},
            {"state", std::string(to_string(t.state))},
            {"state_zh", std::string(queue_label_zh(t.state))},
            {"window", t.window},
            {"staff", t.window != 0 && !t.staff.number.empty() ? staff_json(t.staff) : json(nullptr)},
            {"issued_at", format_iso8601(t.issued_at)},
            {"called_at", time_or_null(t.called_at)},
            {"serving_at", time_or_null(t.serving_at)},
            {"finished_at", time_or_null(t.finished_at)},
            {"skips", t.skips},
            {"recalls", t.recalls},
            {"transfers", t.transfers}};
}

json estimate_json(const WaitEstimate& e) {
    return {{"people_ahead", e.people_ahead},
            {"windows_open", e.windows_open},
            {"windows_counted", e.windows_counted},
            {"window_capacity", e.window_capacity},
            {"until_window_free_seconds", e.until_window_free.count()},
            {"average_service_seconds", e.average_service.count()},
            {"cold_start", e.cold_start},
            {"eta_seconds", e.wait.count()},
            {"eta_zh", e.wait_zh()}};
}

json call_json(const QueueEngine& q, const CallOutcome& c) {
    return {{"call",
             {{"number", c.ticket.number},
              {"category", c.ticket.category},
              {"window", c.window},
              {"window_name", c.window_name},
              {"action", std::string(to_string(c.action))},
              {"reason", std::string(to_string(c.pick.reason))},
              {"explanation_zh", c.explanation_zh}}},
            {"ticket", ticket_json(q, c.ticket)},
            {"staff", staff_json(c.staff)}};
}

json snapshot_json(const QueueEngine& q, const QueueSnapshot& s) {
    json categories = json::array();
    for (const auto& c : s.categories) {
        json line = {{"code", c.code},
                     {"name", c.name},
                     {"prefix", std::string(1, c.prefix)},
                     {"waiting", c.waiting},
                     {"waiting_priority", c.waiting_priority},
                     {"held", c.held},
                     {"taking_tickets", c.taking_tickets},
                     {"issued_today", c.issued_today},
                     {"new_ticket", estimate_json(c.new_ticket)},
                     {"policy_zh", c.policy_zh}};
        categories.push_back(std::move(line));
    }
    json windows = json::array();
    std::map<int, std::string> names;
    for (const auto& w : s.windows) {
        names[w.window] = w.name;
        windows.push_back({{"window", w.window},
                           {"name", w.name},
                           {"open", w.open},
                           {"staff", w.open ? staff_json(w.staff) : json(nullptr)},
                           {"current", w.current ? ticket_json(q, *w.current) : json(nullptr)},
                           {"held", w.held}});
    }
    json calls = json::array();
    for (const auto& c : s.last_calls) {
        auto n = names.find(c.window);
        calls.push_back({{"number", c.number},
                         {"category", c.category},
                         {"window", c.window},
                         {"window_name", n != names.end() ? n->second : std::to_string(c.window) + "号窗口"},
                         {"action", std::string(to_string(c.action))},
                         {"at", format_iso8601(c.at)}});
    }
    return {{"at", format_iso8601(s.at)},
            {"business_day", s.business_day},
            {"categories", categories},
            {"windows", windows},
            {"last_calls", calls}};
}

// What the routes share: the server's context and one lock per window, so the actions of one
// window (one staff member, a double click, a stale second tab) run one after the other. The
// engine is consistent without it; the lock keeps 办结 — a case report and a queue transition —
// from interleaving with another action on the same window. Different windows never wait for
// each other here.
struct QueueRoutes {
    RouteContext ctx;
    std::array<std::mutex, kMaxWindow + 1> window_locks;

    explicit QueueRoutes(RouteContext c) : ctx(std::move(c)) {}

    EventBus& bus() { return ctx.hub.events(); }

    void take_ticket(const httplib::Request& req, httplib::Response& res) {
        auto who = ctx.require(req, res, true, true, false);
        if (!who) return;
        // Tickets come from ticket stations and the business system: a rating terminal's or a
        // display's token (on a citizen-facing screen) could otherwise empty a day's cap.
        if (who->kind == Caller::Kind::device && who->roles.count(DeviceRole::ticket) == 0)
            return send_error(res, 403, "forbidden", "此终端不能取号；请在取号机上取号。",
                              "device " + who->id + " has no ticket role in the tokens file");
        if (auto wait = ctx.ticket_limits->acquire(
                (who->kind == Caller::Kind::device ? "device:" : "system:") + who->id, RateLimiter::Clock::now())) {
            const long long seconds = std::max(1LL, static_cast<long long>((wait->count() + 999) / 1000));
            res.set_header("Retry-After", std::to_string(seconds));
            return send_error(res, 429, "rate_limited", "取号过于频繁，请在 " + std::to_string(seconds) + " 秒后重试。",
                              "ticket rate limit: retry after " + std::to_string(wait->count()) + " ms");
        }
        QueueEngine* q = ctx.queue_or_404(res);
        if (q == nullptr) return;
        auto body = ctx.json_body(req, res);
        if (!body) return;
        Fields f(*body);
        // 取号 by category, or 预约签到 by the appointment's code (its category and priority).
        const std::string code = f.text("appointment_code", kMaxAppointmentCodeBytes);
        const std::string category = f.text("category", kMaxCategoryBytes, code.empty());
        const bool priority = f.flag("priority");
        if (!f.ok(res)) return;
        auto r = code.empty() ? q->take_ticket(category, priority) : q->check_in(code);
        if (!r) return send_failure(res, r.error());
        publish_queue_changed(bus());
        const IssuedTicket& t = r.value();
        const WaitEstimate& e = t.estimate;
        std::string text = "您的号码：" + t.ticket.number + "（" + t.category_name + "）。";
        // "即将叫号" only when the estimate says so: nobody ahead but every window busy still waits.
        if (e.wait.count() == 0 && e.windows_open == 0)
            text += "前面没有人等候，" + e.wait_zh() + "，请留意叫号屏和语音。";
        else if (e.wait.count() == 0)
            text += "前面没有人等候，即将叫号，请留意叫号屏和语音。";
        else if (e.people_ahead == 0)
            text += "前面没有人等候，窗口正忙，预计等候" + e.wait_zh() + "。请留意叫号屏和语音。";
        else
            text += "前面还有 " + std::to_string(e.people_ahead) + " 人等候，预计等候" + e.wait_zh() +
                    "。请留意叫号屏和语音。";
        send_json(res, 201,
                  {{"number", t.ticket.number},
                   {"category", t.ticket.category},
                   {"category_name", t.category_name},
                   {"priority", t.ticket.priority},
                   {"people_ahead", e.people_ahead},
                   {"eta_seconds", e.wait.count()},
                   {"eta_zh", e.wait_zh()},
                   {"estimate", estimate_json(e)},
                   {"text_zh", text},
                   {"appointment_code", code.empty() ? json(nullptr) : json(code)},
                   {"ticket", ticket_json(*q, t.ticket)}});
    }

    // POST /appointments {code, category, day, priority?}: the business system books (or
    // rebooks) an appointment; DELETE /appointments/{code} cancels it; GET reads it.
    void book_appointment(const httplib::Request& req, httplib::Response& res) {
        if (!ctx.require(req, res, false, true, false)) return;
        QueueEngine* q = ctx.queue_or_404(res);
        if (q == nullptr) return;
        auto body = ctx.json_body(req, res);
        if (!body) return;
        Fields f(*body);
        const std::string code = f.text("code", kMaxAppointmentCodeBytes, true);
        const std::string category = f.text("category", kMaxCategoryBytes, true);
        const std::string day = f.text("day", 10, true);
        const bool priority = f.flag("priority");
        if (!f.ok(res)) return;
        auto r = q->book_appointment(code, category, day, priority);
        if (!r) return send_failure(res, r.error());
        send_json(res, 201, appointment_json(r.value()));
    }

    void appointment(const httplib::Request& req, httplib::Response& res) {
        if (!ctx.require(req, res, false, true, false)) return;
        QueueEngine* q = ctx.queue_or_404(res);
        if (q == nullptr) return;
        const std::string code = req.matches[1];
        if (req.method == "DELETE") {
            auto r = q->cancel_appointment(code);
            if (!r) return send_failure(res, r.error());
            return send_json(res, 200, appointment_json(r.value()));
        }
        auto a = q->appointment(code);
        if (!a)
            return send_error(res, 404, "unknown_appointment", "没有找到这个预约码的预约。", "no appointment " + code);
        send_json(res, 200, appointment_json(*a));
    }

    static json appointment_json(const Appointment& a) {
        static constexpr const char* kState[] = {"booked", "checked_in", "cancelled"};
        return {{"code", a.code},
                {"day", a.business_day},
                {"category", a.category},
                {"priority", a.priority},
                {"state", kState[static_cast<int>(a.state)]},
                {"booked_at", format_iso8601(a.booked_at)},
                {"checked_in_at", time_or_null(a.checked_in_at)},
                {"ticket_number", a.ticket_number.empty() ? json(nullptr) : json(a.ticket_number)}};
    }

    void get_queue(const httplib::Request& req, httplib::Response& res) {
        if (!ctx.require(req, res, true, true, true)) return;
        QueueEngine* q = ctx.queue_or_404(res);
        if (q == nullptr) return;
        send_json(res, 200, snapshot_json(*q, q->snapshot()));
    }

    void window_action(const httplib::Request& req, httplib::Response& res) {
        auto who = ctx.require(req, res, true, true, true);
        if (!who) return;
        QueueEngine* q = ctx.queue_or_404(res);
        if (q == nullptr) return;
        auto w = parse_window(req.matches[1].str());
        if (!w)
            return send_error(res, 400, "invalid_field", "窗口号不正确，应为 1–999 的数字，例如 /windows/3/call-next。",
                              "window in the path must be 1..999 without leading zeros", "window");
        if (who->kind == Caller::Kind::staff && who->window != *w)
            return send_error(res, 403, "wrong_window",
                              "您已在 " + std::to_string(who->window) + " 号窗口登录，只能操作该窗口。",
                              "staff session of window " + std::to_string(who->window), "window");
        // A device token lives on a citizen-facing terminal (the rating tablet): with it one could
        // invent a case at its window through 办结 and rate it. Window actions need the business
        // system's token or a staff session (signed in with 工号 and PIN).
        if (who->kind == Caller::Kind::device)
            return send_error(
                res, 403, "forbidden", "终端设备不能操作窗口叫号；请在窗口工作台用工号和密码登录后操作。",
                "device " + who->id + ": window actions need a staff session or the business system's token");
        const std::string action = req.matches[2].str();
        // Actions without fields may come without a body; a body that is there must be JSON.
        json body = json::object();
        if (!req.body.empty()) {
            auto b = ctx.json_body(req, res);
            if (!b) return;
            body = std::move(*b);
        }
        if (action == "sign-in" && who->kind == Caller::Kind::staff)
            return send_error(res, 403, "forbidden", "您已登录本窗口；换人请先退出，再用工号和密码登录。",
                              "a staff session cannot sign a window in; use POST /api/v1/staff/sign-in");
        std::lock_guard lock(window_locks[static_cast<size_t>(*w)]);
        if (action == "sign-in") return sign_in(*q, *w, body, res);
        if (action == "sign-out") return sign_out(*q, *w, res);
        if (action == "complete") return complete(*q, *w, body, res);
        if (action == "print-receipt") return reprint_receipt(*w, body, res);
        if (action == "transfer") return transfer(*q, *w, body, res);
        if (action == "skip") return skip(*q, *w, body, res);

        Fields f(body);
        if (action == "hold") {
            const std::string expect = f.text("expect", kMaxNumberBytes);
            if (!f.ok(res)) return;
            auto r = q->hold(*w, expect);
            if (!r) return send_failure(res, r.error());
            publish_queue_changed(bus());
            return send_json(res, 200, {{"ticket", ticket_json(*q, r.value())}, {"window", *w}});
        }
        QueueResult<CallOutcome> r = QueueFailure{};
        if (action == "call-next") {
            r = q->call_next(*w);
        } else if (action == "recall") {
            const std::string expect = f.text("expect", kMaxNumberBytes);
            if (!f.ok(res)) return;
            r = q->recall(*w, expect);
        } else if (action == "call") {
            const std::string number = f.text("number", kMaxNumberBytes, true);
            const std::string reason = f.text("reason", kMaxReasonBytes);  // the engine says when it is missing
            if (!f.ok(res)) return;
            r = q->call_number(*w, number, reason);
        } else if (action == "resume") {
            const std::string number = f.text("number", kMaxNumberBytes, true);
            if (!f.ok(res)) return;
            r = q->resume(*w, number);
        } else {
            return send_error(res, 404, "not_found", "没有这个接口。");  // the route's pattern prevents it
        }
        if (!r) return send_failure(res, r.error());
        publish_queue_call(bus(), r.value());
        publish_queue_changed(bus());
        send_json(res, 200, call_json(*q, r.value()));
    }

    void sign_in(QueueEngine& q, int w, const json& body, httplib::Response& res) {
        Fields f(body);
        const std::string number = f.text("staff_no", kMaxStaffNoBytes, true);
        std::string name = f.text("staff_name", kMaxNameBytes);
        if (!f.ok(res)) return;
        if (blank(name)) name = ctx.staff_name(number);
        if (blank(name))
            return send_error(res, 422, "invalid_field",
                              "工号 " + number + " 未在本大厅配置中登记，请同时填写姓名（staff_name）。",
                              "staff_no is not a configured [[staff]]; give staff_name", "staff_name");
        auto r = q.open_window(w, Staff{number, name});
        if (!r) return send_failure(res, r.error());
        publish_queue_changed(bus());
        const WindowSession& s = r.value();
        send_json(res, 200,
                  {{"window", s.window},
                   {"window_name", s.name},
                   {"staff", staff_json(s.staff)},
                   {"opened_at", format_iso8601(s.opened_at)},
                   {"closed_at", nullptr}});
    }

    void sign_out(QueueEngine& q, int w, httplib::Response& res) {
        auto r = q.close_window(w);
        if (!r) return send_failure(res, r.error());
        if (ctx.sessions != nullptr) ctx.sessions->revoke_window(w);  // the console there is signed out too
        publish_queue_changed(bus());
        const WindowSession& s = r.value();
        send_json(res, 200,
                  {{"window", s.window},
                   {"window_name", s.name},
                   {"staff", staff_json(s.staff)},
                   {"opened_at", format_iso8601(s.opened_at)},
                   {"closed_at", time_or_null(s.closed_at)}});
    }

    void skip(QueueEngine& q, int w, const json& body, httplib::Response& res) {
        Fields f(body);
        const std::string expect = f.text("expect", kMaxNumberBytes);
        if (!f.ok(res)) return;
        auto r = q.skip(w, expect);
        if (!r) return send_failure(res, r.error());
        publish_queue_changed(bus());
        const SkipOutcome& s = r.value();
        std::string text =
            s.requeued ? s.ticket.number + " 已过号，已重新排队（前面 " + std::to_string(s.people_ahead) + " 人）。"
                       : s.ticket.number + " 已过号，记为未到；群众返回后可用特呼再叫。";
        send_json(res, 200,
                  {{"ticket", ticket_json(q, s.ticket)},
                   {"requeued", s.requeued},
                   {"people_ahead", s.requeued ? json(s.people_ahead) : json(nullptr)},
                   {"text_zh", text},
                   {"window", w}});
    }

    void transfer(QueueEngine& q, int w, const json& body, httplib::Response& res) {
        Fields f(body);
        const std::string to = f.text("to_category", kMaxCategoryBytes, true);
        std::string number = f.text("number", kMaxNumberBytes);
        const std::string expect = f.text("expect", kMaxNumberBytes);
        if (!f.ok(res)) return;
        // The engine checks a named number against the window's current (or held) ticket, so
        // `expect` is that number when no other is given.
        if (blank(number)) number = expect;
        auto r = q.transfer(w, to, number);
        if (!r) return send_failure(res, r.error());
        publish_queue_changed(bus());
        const QueueTicket& t = r.value();
        json out = {{"ticket", ticket_json(q, t)},
                    {"to_category", t.category},
                    {"to_category_name", category_name(q, t.category)},
                    {"estimate", nullptr},
                    {"window", w}};
        if (auto e = q.estimate(t.number)) out["estimate"] = estimate_json(e.value());
        send_json(res, 200, out);
    }

    // 办结: the ticket is done and the case goes to the rating journey through the code path
    // of POST /cases (stored, rating_requested on this window's terminal, receipt QR). The case
    // is reported first: a report the hub refuses (bad case number …) leaves the ticket at the
    // window, so staff correct it and press 办结 again.
    void complete(QueueEngine& q, int w, const json& body, httplib::Response& res) {
        Fields f(body);
        const std::string case_no = f.text("case_no", kMaxCaseNoBytes, true);
        const std::string item_code = f.text("item_code", kMaxCodeBytes, true);
        std::string item_name = f.text("item_name", kMaxNameBytes);
        const std::string department = f.text("department", kMaxNameBytes);
        const std::string kind = f.text("kind", 16);
        const std::string expect = f.text("expect", kMaxNumberBytes);
        // Print the 办件回执 on this window's printer (when it has one); staff may say no.
        bool print = true;
        if (auto it = body.find("print_receipt"); it != body.end() && !it->is_null()) print = f.flag("print_receipt");
        if (!f.ok(res)) return;
        CaseReport report;
        if (kind.empty() || kind == "immediate")
            report.kind = CaseKind::immediate;
        else if (kind == "promised")
            report.kind = CaseKind::promised;
        else
            return send_error(res, 400, "invalid_field",
                              "办件类型（kind）只能是 immediate（即办件）或 promised（承诺件）。",
                              "kind must be immediate or promised", "kind");
        if (blank(item_name)) item_name = ctx.item_name(item_code);
        if (blank(item_name))
            return send_error(res, 400, "invalid_field",
                              "事项编码 " + item_code + " 未在本大厅配置中登记，请同时填写事项名称（item_name）。",
                              "item_code is not a configured [[item]]; give item_name", "item_name");

        auto current = q.current(w);
        auto session = q.session(w);
        std::optional<std::string> want;
        if (!expect.empty()) want = normalize_ticket_number(expect, q.setup().policy.number_digits);
        const bool ready = current && session && (expect.empty() || (want && *want == current->number));
        std::optional<Completion> done;
        Staff staff;
        if (ready) {
            staff = session->staff;
        } else {
            // Nothing to complete, or not what the staff sees: the engine says why in its words.
            auto r = q.complete(w, expect);
            if (!r) return send_failure(res, r.error());
            done = r.value();  // only when the queue moved outside the API meanwhile
            staff = done->staff;
            publish_queue_changed(bus());
        }
        if (blank(staff.name)) staff.name = ctx.staff_name(staff.number);

        report.case_no = case_no;
        report.item_code = item_code;
        report.item_name = item_name;
        report.department = department;
        report.stage = Stage::completed;
        report.window = w;
        report.staff_no = staff.number;
        report.staff_name = staff.name;
        auto out = ctx.report_case(report, res);
        if (!out) return;  // answered; the ticket is still at the window (unless `done`)
        if (!done) {
            auto r = q.complete(w, current->number);
            if (!r) {
                QueueFailure fl = r.error();
                fl.message += " (the case was stored and its rating opened; complete the ticket again)";
                return send_failure(res, fl);
            }
            done = r.value();
            publish_queue_changed(bus());
        }
        (*out)["ticket"] = ticket_json(q, done->ticket);
        (*out)["window"] = done->window;
        (*out)["window_name"] = done->window_name;
        (*out)["waited_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(done->waited).count();
        (*out)["service_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(done->service).count();
        if (print) {
            if (auto c = ctx.hub.find_case(case_no))
                (*out)["receipt_print"] = print_receipt(w, done->window_name, *c, *out);
            else
                (*out)["receipt_print"] = {{"status", "failed"},
                                           {"message_zh", "办件记录暂时读不到，回执未打印，请稍后按“重打回执”。"}};
        } else {
            (*out)["receipt_print"] = {{"status", "not_requested"}};
        }
        send_json(res, 200, *out);
    }

    // POST /windows/{w}/print-receipt {case_no}: prints a case's 办件回执 again (paper jam, a
    // second copy) on this window's printer, with a fresh QR for the same case and stage.
    void reprint_receipt(int w, const json& body, httplib::Response& res) {
        Fields f(body);
        const std::string case_no = f.text("case_no", kMaxCaseNoBytes, true);
        if (!f.ok(res)) return;
        auto c = ctx.hub.find_case(case_no);
        if (!c)
            return send_error(res, 404, "unknown_case", "没有找到办件 " + case_no + "，请核对办件编号。",
                              "no such case", "case_no");
        if (c->window != w)
            return send_error(res, 409, "wrong_window",
                              "办件 " + case_no + " 不是在本窗口办理的，请到办理该件的窗口打印回执。",
                              "case " + case_no + " was handled at window " + std::to_string(c->window), "case_no");
        json qr;
        ctx.add_receipt(qr, *c);
        json printed = print_receipt(w, ctx.window_name(w), *c, qr);
        // 409: the window has no printer; 503: its printer could not be set up (configuration);
        // 500: this receipt could not be laid out.
        const int status = printed["status"] == "queued"                              ? 202
                           : printed["status"] == "no_printer"                        ? 409
                           : printed.value("cause", std::string()) == "printer_setup" ? 503
                                                                                      : 500;
        if (status != 202) {
            return send_error(res, status,
                              printed["status"] == "no_printer" ? "no_receipt_printer" : "receipt_not_printed",
                              printed["message_zh"].get<std::string>(), printed.value("detail", std::string()));
        }
        send_json(res, status, {{"case_no", case_no}, {"window", w}, {"receipt_print", printed}});
    }

    // Queues the 办件回执 of `c` on window w's printer with the QR of `qr_reply` (rating_url,
    // short_code, rating_url_expires_at, as in the reply): the "receipt_print" object of a reply.
    // The job's end reaches the console as the receipt_printed event.
    json print_receipt(int w, const std::string& window_name, const Case& c, const json& qr_reply) {
        ReceiptPrinters* printers = ctx.services.receipt_printers;
        if (printers == nullptr || !printers->has(w))
            return {{"status", "no_printer"},
                    {"message_zh", std::to_string(w) + " 号窗口没有配置回执打印机，回执未打印。如需打印，请管理员在配置"
                                                       "文件该窗口的 [[window]] 中设置 receipt_printer。"}};
        ReceiptExtras x;
        x.window_name = window_name;
        x.printed_at = ctx.services.clock ? ctx.services.clock() : hcp::now();
        if (auto u = qr_reply.find("rating_url"); u != qr_reply.end() && u->is_string()) {
            x.qr_url = u->get<std::string>();
            x.short_code = qr_reply.value("short_code", std::string());
            if (auto at = parse_iso8601(qr_reply.value("rating_url_expires_at", std::string()))) x.qr_expires_at = *at;
        }
        auto r = printers->print(w, c, ctx.services.hall_name, x);
        if (!r) {
            ctx.services.log("receipt of case " + c.case_no + " not printed: " + r.error().detail);
            return {{"status", "failed"},
                    {"cause", std::string(to_string(r.error().cause))},
                    {"message_zh", r.error().message_zh},
                    {"detail", r.error().detail}};
        }
        return {{"status", "queued"}, {"job_id", r.value()}, {"printer", printers->describe(w)}};
    }
};

}  // namespace

void send_queue_failure(httplib::Response& res, const QueueFailure& f) {
    send_failure(res, f);
}

QueueEngine* RouteContext::queue_or_404(httplib::Response& res) const {
    if (services.queue != nullptr) return services.queue;
    send_error(res, 404, "queue_not_configured",
               "本大厅未启用排队叫号。请在配置文件中设置业务类别（[[category]]）和窗口后重启中心。",
               "the hub runs without a queue: no [[category]] in its configuration");
    return nullptr;
}

std::string RouteContext::staff_name(const std::string& number) const {
    for (const auto& s : services.staff)
        if (s.number == number) return s.name;
    return {};
}

std::string RouteContext::window_name(int window) const {
    if (services.queue != nullptr)
        for (const auto& w : services.queue->setup().windows)
            if (w.number == window && !w.name.empty()) return w.name;
    return std::to_string(window) + "号窗口";
}

std::string RouteContext::item_name(const std::string& code) const {
    for (const auto& i : services.items)
        if (i.code == code) return i.name;
    return {};
}

void register_queue_routes(httplib::Server& svr, RouteContext ctx) {
    auto routes = std::make_shared<QueueRoutes>(std::move(ctx));
    svr.Post("/api/v1/tickets",
             [routes](const httplib::Request& req, httplib::Response& res) { routes->take_ticket(req, res); });
    svr.Get("/api/v1/queue",
            [routes](const httplib::Request& req, httplib::Response& res) { routes->get_queue(req, res); });
    svr.Post("/api/v1/appointments",
             [routes](const httplib::Request& req, httplib::Response& res) { routes->book_appointment(req, res); });
    svr.Get(R"(/api/v1/appointments/([A-Za-z0-9]{1,64}))",
            [routes](const httplib::Request& req, httplib::Response& res) { routes->appointment(req, res); });
    svr.Delete(R"(/api/v1/appointments/([A-Za-z0-9]{1,64}))",
               [routes](const httplib::Request& req, httplib::Response& res) { routes->appointment(req, res); });
    svr.Post(
        R"(/api/v1/windows/([^/]+)/(sign-in|sign-out|call-next|recall|call|skip|hold|resume|transfer|complete|print-receipt))",
        [routes](const httplib::Request& req, httplib::Response& res) { routes->window_action(req, res); });
}

}  // namespace api

}  // namespace hcp

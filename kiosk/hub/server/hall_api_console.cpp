// The window staff console (docs/hall-api.md "Staff console"): sign-in with
// window, 工号 and PIN into a short-lived session token, and the console's page itself, served
// as static files from <paths.assets>/web/console at GET /console/.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "hall_api_routes.hpp"
#include "hcp/hub_server/receipt_printers.hpp"
#include "staff_sessions.hpp"

namespace hcp::api {

namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxStaffNoBytes = 32;
constexpr size_t kMaxPinBytes = 64;
constexpr size_t kMaxStaticBytes = 4 * 1024 * 1024;

std::string minutes_zh(std::chrono::seconds s) {
    const long long m = std::max<long long>(1, (s.count() + 59) / 60);
    return std::to_string(m) + " 分钟";
}

// Content types of what the console folder may hold; any other file is not served.
std::optional<std::string> content_type(const fs::path& p) {
    const std::string ext = p.extension().string();
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".js") return "text/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".json") return "application/json; charset=utf-8";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".png") return "image/png";
    if (ext == ".ico") return "image/x-icon";
    if (ext == ".woff2") return "font/woff2";
    if (ext == ".txt") return "text/plain; charset=utf-8";
    return std::nullopt;
}

struct ConsoleRoutes {
    RouteContext ctx;

    explicit ConsoleRoutes(RouteContext c) : ctx(std::move(c)) {}

    StaffSessions& sessions() { return *ctx.sessions; }

    // What the page needs about its window: who, until when, and the categories (those the
    // window serves first-hand for 办结, all of them for 转移) with their items.
    json session_json(const QueueEngine& q, const StaffSessions::Session& s) const {
        const auto left = std::chrono::duration_cast<std::chrono::seconds>(s.expires - StaffSessions::Clock::now());
        json categories = json::array();
        for (const auto& c : q.setup().categories) {
            json items = json::array();
            for (const auto& code : c.items)
                items.push_back({{"code", code}, {"name", ctx.item_name(code).empty() ? code : ctx.item_name(code)}});
            const bool serves = std::find(c.windows.begin(), c.windows.end(), s.window) != c.windows.end();
            categories.push_back({{"code", c.code}, {"name", c.name}, {"serves", serves}, {"items", items}});
        }
        json held = json::array();
        for (const auto& t : q.held(s.window)) held.push_back({{"number", t.number}, {"category", t.category}});
        return {{"window", s.window},
                {"window_name", ctx.window_name(s.window)},
                {"receipt_printer",
                 ctx.services.receipt_printers != nullptr && ctx.services.receipt_printers->has(s.window)},
                {"held", held},
                {"staff", {{"number", s.staff.number}, {"name", s.staff.name}}},
                {"expires_at", format_iso8601(ctx.services.clock() + left)},
                {"expires_in_seconds", left.count()},
                {"categories", categories}};
    }

    void sign_in(const httplib::Request& req, httplib::Response& res) {
        // The reply carries the session token: no browser or proxy may keep it.
        res.set_header("Cache-Control", "no-store");
        QueueEngine* q = ctx.queue_or_404(res);
        if (q == nullptr) return;
        auto body = ctx.json_body(req, res);
        if (!body) return;
        const json& b = *body;
        auto w = b.find("window");
        if (w == b.end() || !w->is_number_integer() || w->get<long long>() < 1 || w->get<long long>() > 999)
            return send_error(res, 400, "invalid_field", "请选择窗口号（1–999）。", "window must be 1..999", "window");
        const int window = static_cast<int>(w->get<long long>());
        auto text = [&](const char* key, size_t max) -> std::optional<std::string> {
            auto it = b.find(key);
            if (it == b.end() || !it->is_string() || it->get<std::string>().empty() ||
                it->get<std::string>().size() > max)
                return std::nullopt;
            return it->get<std::string>();
        };
        auto staff_no = text("staff_no", kMaxStaffNoBytes);
        if (!staff_no)
            return send_error(res, 400, "invalid_field", "请输入工号。", "staff_no missing or too long", "staff_no");
        auto pin = text("pin", kMaxPinBytes);
        if (!pin) return send_error(res, 400, "invalid_field", "请输入密码。", "pin missing or too long", "pin");
        if (!sessions().configured())
            return send_error(res, 503, "staff_pins_not_configured",
                              "本大厅尚未设置工作人员密码，暂时无法登录。请联系管理员设置密码文件（staff-pins.toml）。",
                              "no staff PIN file ([api].staff_pins_file)");

        const std::string address = req.remote_addr;
        const auto now = StaffSessions::Clock::now();
        auto refuse_locked = [&](std::chrono::seconds left) {
            res.set_header("Retry-After", std::to_string(left.count()));
            send_error(
                res, 429, "pin_locked",
                "密码错误次数过多，登录已暂时锁定。请 " + minutes_zh(left) + "后再试；忘记密码请联系管理员重设。",
                "too many wrong PINs for this staff number or address");
        };
        if (auto left = sessions().locked(*staff_no, address, now)) return refuse_locked(*left);
        if (!sessions().check_pin(*staff_no, *pin)) {
            const int tries = sessions().record_wrong(*staff_no, address, StaffSessions::Clock::now());
            ctx.services.log("staff console: wrong PIN for staff " + *staff_no + " at window " +
                             std::to_string(window) + " from " + address);
            if (tries == 0) {
                auto left = sessions().locked(*staff_no, address, StaffSessions::Clock::now());
                return refuse_locked(left.value_or(std::chrono::seconds{60}));
            }
            return send_error(res, 401, "wrong_pin",
                              "工号或密码不正确，请重新输入（还可再试 " + std::to_string(tries) + " 次）。",
                              "unknown staff number or wrong PIN");
        }
        sessions().record_right(*staff_no);
        const std::string name = ctx.staff_name(*staff_no);
        if (name.empty())
            return send_error(res, 422, "unknown_staff",
                              "工号 " + *staff_no + " 未在本大厅配置中登记（[[staff]]），请联系管理员。",
                              "staff_no has a PIN but is not a configured [[staff]]", "staff_no");
        auto r = q->open_window(window, Staff{*staff_no, name});
        if (!r) return send_queue_failure(res, r.error());
        publish_queue_changed(ctx.hub.events());
        const std::string token =
            sessions().open(window, r.value().staff, r.value().opened_at, StaffSessions::Clock::now());
        ctx.services.log("staff console: staff " + *staff_no + " signed in at window " + std::to_string(window));
        auto s = sessions().find(token, StaffSessions::Clock::now());
        if (!s) return send_error(res, 409, "window_taken", "该窗口刚被其他人登录，请重新登录。");
        json out = session_json(*q, *s);
        out["token"] = token;
        send_json(res, 200, out);
    }

    void sign_out(const httplib::Request& req, httplib::Response& res) {
        auto who = ctx.require(req, res, false, false, true);
        if (!who) return;
        QueueEngine* q = ctx.queue_or_404(res);
        if (q == nullptr) return;
        auto r = q->close_window(who->window);
        if (!r) return send_queue_failure(res, r.error());
        sessions().revoke_window(who->window);
        publish_queue_changed(ctx.hub.events());
        send_json(res, 200,
                  {{"window", who->window},
                   {"signed_out", true},
                   {"closed_at", r.value().closed_at ? json(format_iso8601(*r.value().closed_at)) : json(nullptr)}});
    }

    void session(const httplib::Request& req, httplib::Response& res) {
        res.set_header("Cache-Control", "no-store");
        auto who = ctx.require(req, res, false, false, true);
        if (!who) return;
        QueueEngine* q = ctx.queue_or_404(res);
        if (q == nullptr) return;
        auto s = sessions().find(who->session, StaffSessions::Clock::now());
        if (!s) return send_error(res, 401, "unauthorized", "登录已失效，请重新登录。");
        send_json(res, 200, session_json(*q, *s));
    }

    // GET /console/<rel>: a file under <web_root>/console. Refused: "." or ".." segments,
    // hidden files, backslashes, control characters, anything outside the folder after
    // resolving links, and types not in content_type(). A folder is never listed: its
    // index.html is served when the path ends with "/", otherwise 404.
    void serve_static(const httplib::Request& req, httplib::Response& res) {
        if (ctx.services.web_root.empty()) return send_error(res, 404, "not_found", "本中心未安装工作人员页面。");
        const std::string rel = req.matches[1].str();
        std::vector<std::string> parts;
        std::string part;
        for (size_t i = 0; i <= rel.size(); ++i) {
            if (i == rel.size() || rel[i] == '/') {
                const bool last = i == rel.size();
                if (part.empty() && !last)
                    return send_error(res, 400, "invalid_path", "路径不正确。", "empty path segment");
                if (part == "." || part == ".." || (!part.empty() && part.front() == '.'))
                    return send_error(res, 400, "invalid_path", "路径不正确。", "dot segment or hidden file");
                if (!part.empty()) parts.push_back(part);
                part.clear();
                continue;
            }
            const auto c = static_cast<unsigned char>(rel[i]);
            if (c < 0x20 || c == 0x7f || c == '\\' || c == ':')
                return send_error(res, 400, "invalid_path", "路径不正确。", "control character, backslash or colon");
            part += rel[i];
        }
        const fs::path root = ctx.services.web_root / "console";
        fs::path file = root;
        for (const auto& p : parts) file /= p;
        if (rel.empty() || rel.back() == '/') file /= "index.html";
        std::error_code ec;
        const fs::path real_root = fs::canonical(root, ec);
        if (ec) return send_error(res, 404, "not_found", "本中心未安装工作人员页面。", "no " + root.string());
        const fs::path real = fs::canonical(file, ec);
        auto type = content_type(file);
        if (ec || !type || !fs::is_regular_file(real, ec)) return send_error(res, 404, "not_found", "没有这个页面。");
        const std::string r = real.string(), base = real_root.string() + "/";
        if (r.compare(0, base.size(), base) != 0)
            return send_error(res, 404, "not_found", "没有这个页面。", "resolves outside the console folder");
        if (fs::file_size(real, ec) > kMaxStaticBytes || ec) return send_error(res, 404, "not_found", "没有这个页面。");
        std::ifstream in(real, std::ios::binary);
        std::ostringstream data;
        data << in.rdbuf();
        if (!in && !in.eof()) return send_error(res, 500, "internal_error", "页面文件无法读取。");
        res.status = 200;
        res.set_header("Cache-Control", "no-cache");
        res.set_header("X-Content-Type-Options", "nosniff");
        res.set_header("X-Frame-Options", "DENY");
        res.set_header("Referrer-Policy", "no-referrer");
        res.set_header("Content-Security-Policy",
                       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
        res.set_content(data.str(), type->c_str());
    }
};

}  // namespace

void register_console_routes(httplib::Server& svr, RouteContext ctx) {
    auto routes = std::make_shared<ConsoleRoutes>(std::move(ctx));
    svr.Post("/api/v1/staff/sign-in",
             [routes](const httplib::Request& req, httplib::Response& res) { routes->sign_in(req, res); });
    svr.Post("/api/v1/staff/sign-out",
             [routes](const httplib::Request& req, httplib::Response& res) { routes->sign_out(req, res); });
    svr.Get("/api/v1/staff/session",
            [routes](const httplib::Request& req, httplib::Response& res) { routes->session(req, res); });
    svr.Get("/console", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/console/", 301); });
    svr.Get(R"(/console/(.*))",
            [routes](const httplib::Request& req, httplib::Response& res) { routes->serve_static(req, res); });
}

}  // namespace hcp::api

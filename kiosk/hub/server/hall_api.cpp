// The hall API server on cpp-httplib (Debian's split build: header + libcpp-httplib): listening,
// authentication, body and size limits, rate limiting, the error replies and GET /health. The
// routes of each resource live in hall_api_<resource>.cpp and get what they need from here in
// one RouteContext (hall_api_routes.hpp).
#include "hcp/hub_server/hall_api.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <cmath>
#include <iostream>
#include <thread>

#include "hall_api_routes.hpp"
#include "hcp/base/crypto.hpp"
#include "hcp/hub_client/hub_json.hpp"
#include "hcp/hub_server/rate_limit.hpp"
#include "staff_sessions.hpp"
#include "stream_budget.hpp"

namespace hcp {

namespace api {

void send_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, int status, std::string_view code, std::string_view message,
                std::string_view detail, std::string_view field) {
    json body = error_json(code, message, detail);
    if (!field.empty()) body["error"]["field"] = field;
    send_json(res, status, body);
}

namespace {

int status_of(HubErrc e, const std::optional<RuleViolation>& v) {
    switch (e) {
        case HubErrc::invalid_field: return 400;
        case HubErrc::unknown_window: return 422;
        case HubErrc::unknown_case: return 404;
        case HubErrc::wrong_window: return 403;
        case HubErrc::conflict: return 409;
        case HubErrc::already_rated: return 409;
        case HubErrc::forbidden: return 403;
        case HubErrc::out_of_order: return 409;
        case HubErrc::rule_violation: return v == RuleViolation::already_rated ? 409 : 422;
        case HubErrc::disk_nearly_full: return 507;
        case HubErrc::storage_error: return 500;
    }
    return 500;
}

bool is_json(const httplib::Request& req) {
    auto ct = req.get_header_value("Content-Type");
    return ct.rfind("application/json", 0) == 0;
}

// Parses the body as a JSON object; answers 415/400 itself when it cannot.
std::optional<json> json_body(const httplib::Request& req, httplib::Response& res) {
    // An action without fields may come as `Content-Type: application/json` and no body.
    if (req.body.empty() && is_json(req)) return json::object();
    if (!is_json(req)) {
        send_error(res, 415, "unsupported_media_type", "请求体必须是 JSON（Content-Type: application/json）。");
        return std::nullopt;
    }
    try {
        json j = json::parse(req.body);
        if (!j.is_object()) {
            send_error(res, 400, "invalid_json", "请求体必须是 JSON 对象。");
            return std::nullopt;
        }
        return j;
    } catch (const json::exception& e) {
        // nlohmann's parser also refuses invalid UTF-8 inside strings.
        send_error(res, 400, "invalid_json", "请求体不是有效的 JSON 或含有非 UTF-8 文字。", e.what());
        return std::nullopt;
    }
}

}  // namespace

std::string escape_log(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const auto b = static_cast<unsigned char>(ch);
        if (b < 0x20 || b == 0x7f || b == '\\') {
            out += "\\x";
            out += kHex[b >> 4];
            out += kHex[b & 0xf];
        } else {
            out += ch;
        }
    }
    return out;
}

void send_hub_failure(httplib::Response& res, const HubFailure& f) {
    std::string code = f.violation && f.cause == HubErrc::rule_violation ? std::string(to_string(*f.violation))
                                                                         : std::string(to_string(f.cause));
    send_error(res, status_of(f.cause, f.violation), code, f.message_zh.empty() ? f.message : f.message_zh, f.message);
}

}  // namespace api

using api::Caller;
using api::json;
using api::send_error;
using api::send_json;

namespace {

constexpr int kStreamsPerToken = 2;

int rating_terminals(const HallApiConfig& cfg) {
    int n = 0;
    for (const auto& d : cfg.devices) {
        const auto roles = effective_roles(d);
        if (roles.count(DeviceRole::rater) != 0 || roles.count(DeviceRole::selfservice) != 0) ++n;
    }
    return n;
}

}  // namespace

struct HallApiServer::Impl {
    Hub& hub;
    HallApiConfig cfg;
    HallApiServices services;
    RateLimiter token_limits;
    RateLimiter anon_limits;
    RateLimiter ticket_limits;
    api::StaffSessions sessions;
    api::StreamBudget streams;
    httplib::Server svr;
    std::thread thread;
    std::atomic<bool> stopping{false};
    std::atomic<int> sse_clients{0};
    std::atomic<int> port{0};
    std::atomic<long long> rate_limited{0};
    std::atomic<bool> receipt_reason_logged{false};
    bool running = false;

    Impl(Hub& h, HallApiConfig c, HallApiServices s)
        : hub(h),
          cfg(std::move(c)),
          services(std::move(s)),
          token_limits(cfg.rate_per_second, cfg.rate_burst),
          anon_limits(cfg.anon_rate_per_second, cfg.anon_rate_burst),
          ticket_limits(cfg.ticket_rate_per_second, cfg.ticket_burst),
          sessions(cfg, services.queue),
          // Two streams per rating terminal (a reconnect may overlap the stream the server has
          // not yet found dead) are kept for them, up to half of all.
          streams(cfg.max_sse_clients, std::min(cfg.max_sse_clients / 2, 2 * rating_terminals(cfg)), kStreamsPerToken) {
        if (!services.clock) services.clock = [] { return hcp::now(); };
        if (!services.log) services.log = [](const std::string& line) { std::cerr << "hall-api: " << line << '\n'; };
        // Log lines carry fields from requests (a 工号, a device id): control characters in them
        // are written as \xNN, so nobody can forge a log line or send escape sequences to the
        // terminal that reads the log.
        services.log = [inner = std::move(services.log)](const std::string& line) { inner(api::escape_log(line)); };
    }

    // Token bucket of the caller (its token, else its address). Answers 429 itself when empty.
    // Health is exempt: it reads counters only, and a monitor or the installer's `hcpctl check`
    // must still see the hub alive while some client floods it from the same address.
    bool within_rate(const httplib::Request& req, httplib::Response& res) {
        if (req.path == "/api/v1/health") return true;
        const Caller who = authenticate(req);
        std::optional<std::chrono::milliseconds> wait;
        const auto t = RateLimiter::Clock::now();
        if (who.kind == Caller::Kind::none)
            wait = anon_limits.acquire("ip:" + req.remote_addr, t);
        else
            wait = token_limits.acquire(std::string(who.kind == Caller::Kind::device   ? "device:"
                                                    : who.kind == Caller::Kind::system ? "system:"
                                                                                       : "") +
                                            who.id,
                                        t);
        if (!wait) return true;
        rate_limited.fetch_add(1);
        const long long seconds = std::max(1LL, static_cast<long long>((wait->count() + 999) / 1000));
        res.set_header("Retry-After", std::to_string(seconds));
        send_error(res, 429, "rate_limited", "请求过于频繁，请在 " + std::to_string(seconds) + " 秒后重试。",
                   "rate limit: retry after " + std::to_string(wait->count()) + " ms");
        return false;
    }

    // How a request's body is framed, decided before httplib reads it (the pre-routing handler
    // runs between the headers and the body):
    // - Transfer-Encoding (chunked): 411. httplib would read such a body without the
    //   max_body_bytes limit, and no client of the hall API needs it.
    // - Neither Content-Length nor Transfer-Encoding: no body (RFC 9112 6.3). httplib would wait
    //   for the connection to close (the read timeout) and answer 400, so the request is given
    //   its Content-Length: 0. The Request is httplib's own non-const object, handed here as const.
    bool body_framing_ok(const httplib::Request& req, httplib::Response& res) {
        if (req.has_header("Transfer-Encoding")) {
            res.set_header("Connection", "close");
            send_error(res, 411, "length_required", "请求体须带 Content-Length（不支持分块传输）。",
                       "Transfer-Encoding is not accepted; send Content-Length");
            return false;
        }
        const bool may_have_body = req.method == "POST" || req.method == "PUT" || req.method == "PATCH" ||
                                   req.method == "DELETE" || req.method == "PRI";
        if (may_have_body && !req.has_header("Content-Length"))
            const_cast<httplib::Request&>(req).headers.emplace("Content-Length", "0");
        return true;
    }

    std::optional<HubSyncStatus> sync_status() const {
        if (services.status == nullptr) return std::nullopt;
        return services.status->sync_status();
    }

    // rating_url / short_code of the receipt QR for a reported case (null when unavailable).
    void add_receipt(json& reply, const Case& c) {
        reply["rating_url"] = nullptr;
        reply["short_code"] = nullptr;
        reply["rating_url_expires_at"] = nullptr;
        if (services.receipts == nullptr) return;
        auto qr = services.receipts->issue(c.case_no, c.stage, services.clock());
        if (!qr) {
            // A missing key is said once; a case number a token cannot carry, every time.
            if (qr.error().cause != ReceiptQrErrc::disabled || !receipt_reason_logged.exchange(true))
                services.log("rating_url is null: " + qr.error().reason);
            return;
        }
        reply["rating_url"] = qr.value().url;
        reply["short_code"] = qr.value().short_code;
        reply["rating_url_expires_at"] = format_iso8601(qr.value().expires_at);
    }

    // POST /cases, and 办结 at a window (hall_api_queue.cpp): one code path.
    std::optional<json> report_case(const CaseReport& report, httplib::Response& res) {
        auto r = hub.report_case(report);
        if (!r) {
            api::send_hub_failure(res, r.error());
            return std::nullopt;
        }
        const auto& reply = r.value();
        json rating = {{"opened", reply.rating_opened}};
        if (reply.rating_opened) {
            rating["window"] = reply.opened_window;
            rating["target"] = std::string(to_string(*reply.target));
            rating["event_id"] = reply.event_id;
        }
        json out = {{"case", api::case_json(reply.c, true)}, {"case_nos", reply.case_nos}, {"rating", rating}};
        add_receipt(out, reply.c);
        return out;
    }

    Caller authenticate(const httplib::Request& req) {
        Caller who;
        // From the header map itself: httplib's get_header_value() goes through a C string and
        // would cut "Bearer TOKEN\0junk" down to the token. Two Authorization headers are none.
        std::string auth;
        if (req.headers.count("Authorization") == 1) auth = req.headers.find("Authorization")->second;
        static constexpr std::string_view kBearer = "Bearer ";
        // EventSource cannot send headers: the event stream also takes a staff session token as
        // ?access_token= (never a device or system token; docs/hall-api.md "Staff console").
        if (auth.empty() && req.path == "/api/v1/events" && req.has_param("access_token"))
            return staff_session(req.get_param_value("access_token"));
        if (auth.size() <= kBearer.size() || auth.compare(0, kBearer.size(), kBearer) != 0) return who;
        std::string_view token(auth);
        token.remove_prefix(kBearer.size());
        // Compare against every token (constant time each) so timing says nothing about which.
        for (const auto& d : cfg.devices)
            if (d.token.size() == token.size() && equal_constant_time(d.token, token))
                who = Caller{Caller::Kind::device, d.id, d.window, {}, effective_roles(d)};
        for (const auto& s : cfg.systems)
            if (s.token.size() == token.size() && equal_constant_time(s.token, token))
                who = Caller{Caller::Kind::system, s.id, 0, {}};
        if (who.kind == Caller::Kind::none) who = staff_session(token);
        return who;
    }

    Caller staff_session(std::string_view token) {
        auto s = sessions.find(token, api::StaffSessions::Clock::now());
        if (!s) return {};
        return Caller{Caller::Kind::staff, "staff:" + s->staff.number, s->window, std::string(token)};
    }

    // Answers 401 for a missing/unknown token, 403 for the wrong kind of caller.
    std::optional<Caller> require(const httplib::Request& req, httplib::Response& res, bool device_ok, bool system_ok,
                                  bool staff_ok = false) {
        Caller who = authenticate(req);
        if (who.kind == Caller::Kind::none) {
            res.set_header("WWW-Authenticate", "Bearer");
            send_error(res, 401, "unauthorized", "缺少或无效的访问令牌（Authorization: Bearer …）。");
            return std::nullopt;
        }
        if ((who.kind == Caller::Kind::device && !device_ok) || (who.kind == Caller::Kind::system && !system_ok) ||
            (who.kind == Caller::Kind::staff && !staff_ok)) {
            send_error(res, 403, "forbidden", "此令牌无权执行该操作。");
            return std::nullopt;
        }
        return who;
    }

    void routes() {
        // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which would let a second hub
        // bind the same port and silently take half of the requests.
        svr.set_socket_options([](socket_t sock) {
            int yes = 1;
            setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        });
        svr.set_payload_max_length(cfg.max_body_bytes);
        svr.set_read_timeout(5, 0);
        svr.set_write_timeout(5, 0);
        svr.set_keep_alive_max_count(100);
        // Replies are small and written in pieces: without TCP_NODELAY each one on a kept-alive
        // connection waits for the client's delayed ACK (~40 ms on Linux; the staff console's
        // browser keeps connections open). Measured: 44 ms → 1–4 ms per request (benchmarks.md).
        svr.set_tcp_nodelay(true);
        const size_t threads = static_cast<size_t>(cfg.request_threads + cfg.max_sse_clients);
        svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
        svr.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
            if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
            switch (res.status) {
                case 404: send_error(res, 404, "not_found", "没有这个接口。"); break;
                case 413: send_error(res, 413, "payload_too_large", "请求体过大。"); break;
                case 400: send_error(res, 400, "bad_request", "请求格式不正确。"); break;
                default: send_error(res, res.status, "http_error", "请求未能处理。"); break;
            }
            return httplib::Server::HandlerResponse::Handled;
        }));
        svr.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
            send_error(res, 500, "internal_error", "服务器内部错误，请稍后重试。");
        });
        // Before routing, so a flood is refused before its body is read or parsed.
        svr.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
            if (!body_framing_ok(req, res)) return httplib::Server::HandlerResponse::Handled;
            return within_rate(req, res) ? httplib::Server::HandlerResponse::Unhandled
                                         : httplib::Server::HandlerResponse::Handled;
        });

        // Health belongs to the server, not to a resource: it reports the server's own counters
        // (event streams, refusals by the rate limit) and is the one route without a token and
        // outside the rate limit (within_rate).
        svr.Get("/api/v1/health", [this](const httplib::Request&, httplib::Response& res) {
            // No token: counts only (no error texts, no addresses, nothing secret).
            json body = {{"status", "ok"},
                         {"hall", hub.hall().code},
                         {"ratings", hub.rating_count()},
                         {"last_event_id", hub.events().last_id()},
                         {"sse_clients", sse_clients.load()},
                         {"rate_limited", rate_limited.load()},
                         {"version", HCP_VERSION}};
            try {
                if (auto st = sync_status()) {
                    body["upload_configured"] = st->upload_configured;
                    body["not_uploaded"] = st->sync.not_uploaded;
                    body["rejected"] = st->sync.rejected;
                }
            } catch (const std::exception&) {
                body["status"] = "store_error";
            }
            // Whether the store can record the next rating (its chain head); not what is wrong.
            const bool can_rate = hub.store_damage(Store::Check::cheap).empty();
            body["store"] = can_rate ? "ok" : "cannot_rate";
            if (!can_rate) body["status"] = "store_error";
            // Calendar warnings: years counted without the State Council's notice (no personal
            // data, nothing secret; the installer reads them here and in `hcpctl check`).
            if (services.status != nullptr) {
                const HubCalendarStatus cal = services.status->calendar_status();
                body["calendar"] = {{"provisional_years", cal.provisional_years},
                                    {"uncovered_years", cal.uncovered_years},
                                    {"reload_failed", !cal.reload_error.empty()}};
                if (!cal.warning_zh.empty()) {
                    body["calendar"]["warning_zh"] = cal.warning_zh;
                    body["calendar"]["fix"] = cal.fix;
                }
            }
            send_json(res, 200, body);
        });

        const api::RouteContext ctx{
            .hub = hub,
            .config = cfg,
            .services = services,
            .require = [this](const httplib::Request& req, httplib::Response& res, bool d, bool s,
                              bool st) { return require(req, res, d, s, st); },
            .json_body = api::json_body,
            .report_case = [this](const CaseReport& r, httplib::Response& res) { return report_case(r, res); },
            .add_receipt = [this](json& reply, const Case& c) { add_receipt(reply, c); },
            .sessions = &sessions,
            .stopping = &stopping,
            .sse_clients = &sse_clients,
            .streams = &streams,
            .ticket_limits = &ticket_limits,
        };
        api::register_sync_routes(svr, ctx);
        api::register_cases_routes(svr, ctx);
        api::register_ratings_routes(svr, ctx);
        api::register_events_routes(svr, ctx);
        api::register_queue_routes(svr, ctx);
        api::register_console_routes(svr, ctx);
    }
};

HallApiServer::HallApiServer(Hub& hub, HallApiConfig config, HallApiServices services)
    : m_impl(std::make_unique<Impl>(hub, std::move(config), std::move(services))) {}

HallApiServer::~HallApiServer() {
    stop();
}

Result<int, ServeFailure> HallApiServer::start() {
    auto& im = *m_impl;
    if (im.running) return ServeFailure{ServeErrc::already_running, "already serving"};
    im.routes();
    int port = im.cfg.listen_port;
    if (port == 0) {
        port = im.svr.bind_to_any_port(im.cfg.listen_host);
        if (port <= 0) return ServeFailure{ServeErrc::bind_failed, "cannot bind " + im.cfg.listen_host};
    } else if (!im.svr.bind_to_port(im.cfg.listen_host, port)) {
        return ServeFailure{ServeErrc::bind_failed, "cannot listen on " + im.cfg.listen_host + ":" +
                                                        std::to_string(port) + " (address in use or not local)"};
    }
    im.port = port;
    im.stopping = false;
    im.running = true;
    im.thread = std::thread([&im] { im.svr.listen_after_bind(); });
    // Wait (bounded) until the server loop is accepting, so callers can connect at once.
    for (int i = 0; i < 500 && !im.svr.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return port;
}

void HallApiServer::stop() {
    auto& im = *m_impl;
    if (!im.running) return;
    im.stopping = true;
    im.hub.events().notify_all();  // SSE streams waiting on the bus look at `stopping`
    im.svr.stop();
    if (im.thread.joinable()) im.thread.join();
    im.running = false;
}

int HallApiServer::port() const noexcept {
    return m_impl->port.load();
}
int HallApiServer::sse_clients() const noexcept {
    return m_impl->sse_clients.load();
}

}  // namespace hcp

// The hall API server on cpp-httplib (Debian's split build: header + libcpp-httplib).
#include "hcp/hub_server/hall_api.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <cmath>
#include <iostream>
#include <thread>

#include "hcp/base/crypto.hpp"
#include "hcp/hub_server/rate_limit.hpp"
#include "hall_api_routes.hpp"
#include "hcp/hub_client/hub_json.hpp"
#include "staff_sessions.hpp"

namespace hcp {

namespace {

using api::json;
using api::Caller;

void send_error(httplib::Response& res, int status, std::string_view code, std::string_view message,
                std::string_view detail = {}) {
    res.status = status;
    res.set_content(api::error_json(code, message, detail).dump(-1, ' ', false, json::error_handler_t::replace),
                    "application/json; charset=utf-8");
}

void send_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json; charset=utf-8");
}

int status_of(HubErrc e, const std::optional<RuleViolation>& v) {
    switch (e) {
        case HubErrc::invalid_field: return 400;
        case HubErrc::unknown_window: return 422;
        case HubErrc::unknown_case: return 404;
        case HubErrc::wrong_window: return 403;
        case HubErrc::conflict: return 409;
        case HubErrc::already_rated: return 409;
        case HubErrc::rule_violation: return v == RuleViolation::already_rated ? 409 : 422;
        case HubErrc::disk_nearly_full: return 507;
        case HubErrc::storage_error: return 500;
    }
    return 500;
}

void send_failure(httplib::Response& res, const HubFailure& f) {
    std::string code = f.violation && f.cause == HubErrc::rule_violation ? std::string(to_string(*f.violation))
                                                                          : std::string(to_string(f.cause));
    send_error(res, status_of(f.cause, f.violation), code, f.message_zh.empty() ? f.message : f.message_zh,
               f.message);
}

bool is_json(const httplib::Request& req) {
    auto ct = req.get_header_value("Content-Type");
    return ct.rfind("application/json", 0) == 0;
}

// Parses the body as a JSON object; answers 415/400 itself when it cannot.
std::optional<json> json_body(const httplib::Request& req, httplib::Response& res) {
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

std::optional<std::string> opt_string(const json& j, const char* key, std::string& bad) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::string();
    if (!it->is_string()) {
        bad = key;
        return std::nullopt;
    }
    return it->get<std::string>();
}

std::optional<CaseReport> report_from_json(const json& j, std::string& bad) {
    CaseReport r;
    for (auto [key, out] : {std::pair{"case_no", &r.case_no}, std::pair{"item_code", &r.item_code},
                            std::pair{"item_name", &r.item_name}, std::pair{"department", &r.department},
                            std::pair{"staff_no", &r.staff_no}, std::pair{"staff_name", &r.staff_name}}) {
        auto v = opt_string(j, key, bad);
        if (!v) return std::nullopt;
        *out = *v;
    }
    std::string s;
    auto kind = opt_string(j, "kind", bad);
    if (!kind) return std::nullopt;
    if (*kind == "immediate") r.kind = CaseKind::immediate;
    else if (*kind == "promised") r.kind = CaseKind::promised;
    else { bad = "kind"; return std::nullopt; }
    auto stage = opt_string(j, "stage", bad);
    if (!stage || !parse_stage(*stage)) { bad = "stage"; return std::nullopt; }
    r.stage = *parse_stage(*stage);
    auto w = j.find("window");
    if (w == j.end() || !w->is_number_integer()) { bad = "window"; return std::nullopt; }
    auto wv = w->get<std::int64_t>();
    if (wv < 0 || wv > 999) { bad = "window"; return std::nullopt; }
    r.window = static_cast<int>(wv);
    if (auto a = j.find("applicant"); a != j.end() && !a->is_null()) {
        if (!a->is_object()) { bad = "applicant"; return std::nullopt; }
        auto n = opt_string(*a, "name", bad), p = opt_string(*a, "phone", bad), i = opt_string(*a, "id_no", bad);
        if (!n || !p || !i) { bad = "applicant." + bad; return std::nullopt; }
        r.applicant.name = PersonalField(PersonalKind::name, *n);
        r.applicant.phone = PersonalField(PersonalKind::phone, *p);
        r.applicant.id_number = PersonalField(PersonalKind::id_number, *i);
    }
    if (auto b = j.find("batch"); b != j.end() && !b->is_null()) {
        if (!b->is_array() || b->size() > kMaxBatchCases) { bad = "batch"; return std::nullopt; }
        for (const auto& no : *b) {
            if (!no.is_string()) { bad = "batch"; return std::nullopt; }
            r.batch.push_back(no.get<std::string>());
        }
    }
    if (auto t = j.find("theme"); t != j.end() && !t->is_null()) {
        if (!t->is_object()) { bad = "theme"; return std::nullopt; }
        auto id = opt_string(*t, "id", bad);
        if (!id || id->empty()) { bad = "theme.id"; return std::nullopt; }
        r.theme_id = *id;
        if (auto items = t->find("items"); items != t->end()) {
            if (!items->is_array() || items->size() > kMaxThemeItems) { bad = "theme.items"; return std::nullopt; }
            for (const auto& it : *items) {
                if (!it.is_object()) { bad = "theme.items"; return std::nullopt; }
                ThemeItem ti;
                auto c = opt_string(it, "case_no", bad), ic = opt_string(it, "item_code", bad),
                     in = opt_string(it, "item_name", bad);
                if (!c || !ic || !in) { bad = "theme.items." + bad; return std::nullopt; }
                ti.case_no = *c;
                ti.item_code = *ic;
                ti.item_name = *in;
                r.theme_items.push_back(std::move(ti));
            }
        }
    }
    return r;
}

json time_or_null(const std::optional<TimePoint>& t) {
    return t ? json(format_iso8601(*t)) : json(nullptr);
}

// GET /api/v1/sync: what the admin sees about the upload (docs/hall-api.md).
json sync_json(const HubSyncStatus& st) {
    const SyncState& s = st.sync;
    json out = {{"upload_configured", st.upload_configured},
                {"not_uploaded", s.not_uploaded},
                {"uploaded", s.uploaded},
                {"rejected", s.rejected},
                {"oldest_pending_at", time_or_null(s.oldest_not_uploaded)},
                {"oldest_pending_age_seconds", nullptr},
                {"oldest_pending_age", nullptr},
                {"last_error", s.last_error.empty() ? json(nullptr) : json(s.last_error)},
                {"last_error_at", time_or_null(s.last_error_at)},
                {"last_success_at", time_or_null(s.last_success_at)},
                {"summary_zh", s.summary_zh(st.now)},
                {"summary", s.summary(st.now)},
                {"at", format_iso8601(st.now)}};
    if (s.oldest_not_uploaded) {
        auto age = std::max(std::chrono::milliseconds{0}, st.now - *s.oldest_not_uploaded);
        out["oldest_pending_age_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(age).count();
        out["oldest_pending_age"] = format_age(age);
    }
    if (!st.upload_configured)
        out["summary_zh"] = s.summary_zh(st.now) + "（未配置上传平台：评价保存在本机，配置 [upload] 后上传）";
    return out;
}

}  // namespace

struct HallApiServer::Impl {
    Hub& hub;
    HallApiConfig cfg;
    HallApiServices services;
    RateLimiter token_limits;
    RateLimiter anon_limits;
    api::StaffSessions sessions;
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
          sessions(cfg, services.queue) {
        if (!services.clock) services.clock = [] { return hcp::now(); };
        if (!services.log) services.log = [](const std::string& line) { std::cerr << "hall-api: " << line << '\n'; };
    }

    // Token bucket of the caller (its token, else its address). Answers 429 itself when empty.
    // Health is exempt: it reads counters only, and a monitor or the installer's `hcpctl check`
    // must still see the hub alive while some client floods it from the same address.
    bool within_rate(const httplib::Request& req, httplib::Response& res) {
        if (req.path == "/api/v1/health") return true;
        const Caller who = authenticate(req);
        std::optional<std::chrono::milliseconds> wait;
        const auto t = RateLimiter::Clock::now();
        if (who.kind == Caller::Kind::none) wait = anon_limits.acquire("ip:" + req.remote_addr, t);
        else wait = token_limits.acquire(std::string(who.kind == Caller::Kind::device   ? "device:"
                                                     : who.kind == Caller::Kind::system ? "system:"
                                                                                        : "") + who.id, t);
        if (!wait) return true;
        rate_limited.fetch_add(1);
        const long long seconds = std::max(1LL, static_cast<long long>((wait->count() + 999) / 1000));
        res.set_header("Retry-After", std::to_string(seconds));
        send_error(res, 429, "rate_limited", "请求过于频繁，请在 " + std::to_string(seconds) + " 秒后重试。",
                   "rate limit: retry after " + std::to_string(wait->count()) + " ms");
        return false;
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
            send_failure(res, r.error());
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
        const std::string auth = req.get_header_value("Authorization");
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
                who = Caller{Caller::Kind::device, d.id, d.window, {}};
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
            return within_rate(req, res) ? httplib::Server::HandlerResponse::Unhandled
                                         : httplib::Server::HandlerResponse::Handled;
        });

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
            send_json(res, 200, body);
        });

        svr.Get("/api/v1/sync", [this](const httplib::Request& req, httplib::Response& res) {
            if (!require(req, res, true, true)) return;
            std::optional<HubSyncStatus> st;
            try {
                st = sync_status();
            } catch (const std::exception& e) {
                return send_error(res, 500, "storage_error", "暂时无法读取上传状态，请稍后重试。", e.what());
            }
            if (!st) return send_error(res, 503, "sync_unavailable", "此服务未提供上传状态。");
            send_json(res, 200, sync_json(*st));
        });

        svr.Post("/api/v1/cases", [this](const httplib::Request& req, httplib::Response& res) {
            if (!require(req, res, false, true)) return;
            auto body = json_body(req, res);
            if (!body) return;
            std::string bad;
            auto report = report_from_json(*body, bad);
            if (!report) {
                send_error(res, 400, "invalid_field", "办件信息格式不正确（" + bad + "）。", bad + ": wrong type or value");
                return;
            }
            if (auto out = report_case(*report, res)) send_json(res, 201, *out);
        });

        svr.Get(R"(/api/v1/cases/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
            if (!require(req, res, true, true)) return;
            const std::string no = req.matches[1];
            auto c = hub.find_case(no);
            if (!c) return send_error(res, 404, "unknown_case", std::string(message_zh(RuleViolation::unknown_case)));
            json rated = json::array();
            for (const auto& s : hub.rated_slots(no))
                rated.push_back({{"stage", std::string(to_string(s.stage))}, {"target", std::string(to_string(s.target))}});
            bool open = false;
            for (const auto& r : hub.open_requests(c->window))
                for (const auto& oc : r.cases) open = open || oc.case_no == no;
            send_json(res, 200, {{"case", api::case_json(*c, true)}, {"rated", rated}, {"rating_open", open}});
        });

        svr.Post("/api/v1/ratings", [this](const httplib::Request& req, httplib::Response& res) {
            auto who = require(req, res, true, false);
            if (!who) return;
            auto body = json_body(req, res);
            if (!body) return;
            if (auto fwd = body->find("forwarded"); fwd != body->end()) {
                std::string why;
                auto rating = api::rating_from_json(*fwd, why);
                if (!rating) return send_error(res, 400, "invalid_field", "转发的评价数据不完整。", why);
                auto r = hub.accept_forwarded(*rating);
                if (!r) return send_failure(res, r.error());
                const bool dup = r.value() == ForwardOutcome::duplicate;
                return send_json(res, dup ? 200 : 201,
                                 {{"rating_id", rating->id}, {"outcome", dup ? "duplicate" : "stored"}});
            }
            std::string field, why;
            auto draft = api::draft_from_json(*body, field, why);
            if (!draft) return send_error(res, 400, "invalid_field", "评价数据格式不正确（" + field + "）。", field + ": " + why);
            if (!detail_text_ok(draft->text))
                return send_error(res, 422, std::string(to_string(RuleViolation::text_invalid)),
                                  std::string(message_zh(RuleViolation::text_invalid)));
            auto r = hub.submit_rating(*draft, Submitter{who->window});
            if (!r) return send_failure(res, r.error());
            send_json(res, 201, {{"rating_id", r.value().id}, {"seq", r.value().seq},
                                 {"device_id", r.value().device_id}, {"outcome", "stored"}});
        });

        svr.Post("/api/v1/not-rated", [this](const httplib::Request& req, httplib::Response& res) {
            auto who = require(req, res, true, false);
            if (!who) return;
            auto body = json_body(req, res);
            if (!body) return;
            std::string bad;
            auto no = opt_string(*body, "case_no", bad);
            if (!no || no->empty() || no->size() > kMaxCaseNoBytes)
                return send_error(res, 400, "invalid_field", "缺少办件编号（case_no）。");
            // The window is the device's own, whatever the body says.
            if (!hub.record_not_rated(*no, who->window))
                return send_error(res, 404, "not_open", "这笔办件当前没有在本窗口开放评价。");
            send_json(res, 200, {{"case_no", *no}, {"recorded", "not_rated"}});
        });

        svr.Get("/api/v1/events", [this](const httplib::Request& req, httplib::Response& res) {
            auto who = require(req, res, true, true, true);
            if (!who) return;
            EventFilter filter;
            if (req.has_param("window")) {
                const std::string w = req.get_param_value("window");
                int v = -1;
                try {
                    size_t used = 0;
                    v = std::stoi(w, &used);
                    if (used != w.size()) v = -1;
                } catch (const std::exception&) {
                    v = -1;
                }
                if (v < 0 || v > 999) return send_error(res, 400, "invalid_field", "window 参数必须是 0–999 的整数。");
                filter.window = v;
            }
            if (who->kind == Caller::Kind::staff) filter.window = who->window;  // its own window's events only
            long long after = hub.events().last_id();
            std::string last = req.get_header_value("Last-Event-ID");
            if (last.empty() && req.has_param("last_event_id")) last = req.get_param_value("last_event_id");
            const bool resume = !last.empty();
            if (resume) {
                try {
                    after = std::stoll(last);
                } catch (const std::exception&) {
                    return send_error(res, 400, "invalid_field", "Last-Event-ID 必须是整数。");
                }
            }
            if (sse_clients.fetch_add(1) >= cfg.max_sse_clients) {
                sse_clients.fetch_sub(1);
                res.set_header("Retry-After", "5");
                return send_error(res, 503, "too_many_streams", "事件连接过多，请稍后重试。");
            }
            // Requests already open on the window are sent first to a fresh reader (no id: they
            // do not move its position).
            std::string preamble = "retry: 1000\n\n";
            if (!resume && filter.window) {
                for (const auto& r : hub.open_requests(*filter.window)) {
                    HubEvent e;
                    e.type = HubEventType::rating_requested;
                    e.window = r.window;
                    e.stage = r.stage;
                    e.request = r;
                    e.at = now();
                    for (const auto& c : r.cases) e.case_nos.push_back(c.case_no);
                    preamble += "event: rating_requested\ndata: " + api::event_json(e).dump() + "\n\n";
                }
            }
            struct StreamState {
                long long after;
                std::string preamble;
                std::string session;  // a staff session's stream ends with the session
            };
            auto state = std::make_shared<StreamState>(StreamState{after, std::move(preamble), who->session});
            res.set_header("Cache-Control", "no-cache");
            res.set_header("X-Accel-Buffering", "no");
            res.set_chunked_content_provider(
                "text/event-stream",
                [this, state, filter](size_t, httplib::DataSink& sink) {
                    if (!state->preamble.empty()) {
                        std::string p = std::move(state->preamble);
                        state->preamble.clear();
                        if (!sink.write(p.data(), p.size())) return false;
                    }
                    if (stopping.load()) return false;
                    if (!state->session.empty() && !sessions.find(state->session, api::StaffSessions::Clock::now()))
                        return false;
                    auto batch = hub.events().wait(state->after, filter,
                                                   std::chrono::seconds(cfg.sse_keepalive_seconds), &stopping, 64);
                    if (batch.closed || stopping.load()) return false;
                    std::string out;
                    if (batch.gap) out += "event: gap\ndata: {}\n\n";
                    for (const auto& e : batch.events)
                        out += "id: " + std::to_string(e.id) + "\nevent: " + std::string(to_string(e.type)) +
                               "\ndata: " + api::event_json(e).dump(-1, ' ', false, json::error_handler_t::replace) +
                               "\n\n";
                    if (out.empty()) out = ": keep-alive\n\n";  // also finds dead clients
                    state->after = batch.last_id;
                    return sink.write(out.data(), out.size());
                },
                [this](bool) { sse_clients.fetch_sub(1); });
        });

        const api::RouteContext ctx{
            hub, services,
            [this](const httplib::Request& req, httplib::Response& res, bool d, bool s, bool st) {
                return require(req, res, d, s, st);
            },
            json_body, [this](const CaseReport& r, httplib::Response& res) { return report_case(r, res); },
            [this](json& reply, const Case& c) { add_receipt(reply, c); }, &sessions};
        api::register_queue_routes(svr, ctx);
        api::register_console_routes(svr, ctx);
    }

    static bool detail_text_ok(const std::string& text) {
        // Text reaches the rules' own check; here only the JSON layer's limit (the rules say
        // the rest, with the Chinese message).
        return text.size() <= 4 * kMaxRatingTextBytes;
    }
};

HallApiServer::HallApiServer(Hub& hub, HallApiConfig config, HallApiServices services)
    : m_impl(std::make_unique<Impl>(hub, std::move(config), std::move(services))) {}

HallApiServer::~HallApiServer() { stop(); }

Result<int, ServeFailure> HallApiServer::start() {
    auto& im = *m_impl;
    if (im.running) return ServeFailure{ServeErrc::already_running, "already serving"};
    im.routes();
    int port = im.cfg.listen_port;
    if (port == 0) {
        port = im.svr.bind_to_any_port(im.cfg.listen_host);
        if (port <= 0) return ServeFailure{ServeErrc::bind_failed, "cannot bind " + im.cfg.listen_host};
    } else if (!im.svr.bind_to_port(im.cfg.listen_host, port)) {
        return ServeFailure{ServeErrc::bind_failed,
                            "cannot listen on " + im.cfg.listen_host + ":" + std::to_string(port) +
                                " (address in use or not local)"};
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

int HallApiServer::port() const noexcept { return m_impl->port.load(); }
int HallApiServer::sse_clients() const noexcept { return m_impl->sse_clients.load(); }

}  // namespace hcp

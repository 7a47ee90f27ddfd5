// GET /api/v1/events (docs/hall-api.md): the hub's event bus as server-sent events, for rating
// terminals (their window's rating requests), screens and the staff console. Each stream holds
// one of the server's request threads for as long as it is open, hence max_sse_clients.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "hall_api_routes.hpp"
#include "staff_sessions.hpp"
#include "stream_budget.hpp"

namespace hcp::api {

namespace {

// `text` as a window number 0–999, or nullopt (not a number, trailing characters, out of range).
std::optional<int> window_param(const std::string& text) {
    try {
        size_t used = 0;
        const int v = std::stoi(text, &used);
        if (used != text.size() || v < 0 || v > 999) return std::nullopt;
        return v;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// What a stream remembers between two chunks.
struct StreamState {
    long long after;       // the last event id sent (or the reader's Last-Event-ID)
    std::string preamble;  // sent before the first wait
    std::string session;   // a staff session's stream ends with the session
};

}  // namespace

void register_events_routes(httplib::Server& svr, RouteContext ctx) {
    auto c = std::make_shared<const RouteContext>(std::move(ctx));

    svr.Get("/api/v1/events", [c](const httplib::Request& req, httplib::Response& res) {
        auto who = c->require(req, res, true, true, true);
        if (!who) return;
        EventFilter filter;
        if (req.has_param("window")) {
            const auto w = window_param(req.get_param_value("window"));
            if (!w) return send_error(res, 400, "invalid_field", "window 参数必须是 0–999 的整数。");
            filter.window = *w;
        }
        if (who->kind == Caller::Kind::staff) filter.window = who->window;  // its own window's events only
        long long after = c->hub.events().last_id();
        std::string last = req.get_header_value("Last-Event-ID");
        if (last.empty() && req.has_param("last_event_id")) last = req.get_param_value("last_event_id");
        const bool resume = !last.empty();
        if (resume) {
            // Only what this server sends as an id: decimal digits (std::stoll would take "1e5"
            // as 1, " 7" as 7 and "-3" as -3).
            const bool digits = last.size() <= 18 &&
                                std::all_of(last.begin(), last.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
            if (!digits) return send_error(res, 400, "invalid_field", "Last-Event-ID 必须是整数。");
            after = std::stoll(last);
        }
        const bool rater = who->kind == Caller::Kind::device &&
                           (who->roles.count(DeviceRole::rater) != 0 || who->roles.count(DeviceRole::selfservice) != 0);
        const std::string key = who->kind == Caller::Kind::device   ? "device:" + who->id
                                : who->kind == Caller::Kind::system ? "system:" + who->id
                                                                    : "session:" + who->session;
        if (auto refused = c->streams->admit(key, rater)) {
            res.set_header("Retry-After", "5");
            if (*refused == StreamBudget::Refusal::per_token)
                return send_error(res, 503, "too_many_streams", "本终端的事件连接过多，请关闭其他连接后重试。",
                                  "this token already holds its streams");
            return send_error(res, 503, "too_many_streams", "事件连接过多，请稍后重试。");
        }
        c->sse_clients->fetch_add(1);
        // Requests already open on the window are sent first to a fresh reader (no id: they
        // do not move its position).
        std::string preamble = "retry: 1000\n\n";
        if (!resume && filter.window) {
            for (const auto& r : c->hub.open_requests(*filter.window)) {
                HubEvent e;
                e.type = HubEventType::rating_requested;
                e.window = r.window;
                e.stage = r.stage;
                e.request = r;
                e.at = now();
                for (const auto& oc : r.cases) e.case_nos.push_back(oc.case_no);
                preamble += "event: rating_requested\ndata: " + event_json(e).dump() + "\n\n";
            }
        }
        auto state = std::make_shared<StreamState>(StreamState{after, std::move(preamble), who->session});
        res.set_header("Cache-Control", "no-cache");
        res.set_header("X-Accel-Buffering", "no");
        res.set_chunked_content_provider(
            "text/event-stream",
            [c, state, filter](size_t, httplib::DataSink& sink) {
                if (!state->preamble.empty()) {
                    std::string p = std::move(state->preamble);
                    state->preamble.clear();
                    if (!sink.write(p.data(), p.size())) return false;
                }
                if (c->stopping->load()) return false;
                if (!state->session.empty() && !c->sessions->find(state->session, StaffSessions::Clock::now()))
                    return false;
                auto batch = c->hub.events().wait(
                    state->after, filter, std::chrono::seconds(c->config.sse_keepalive_seconds), c->stopping, 64);
                if (batch.closed || c->stopping->load()) return false;
                std::string out;
                if (batch.gap) out += "event: gap\ndata: {}\n\n";
                for (const auto& e : batch.events)
                    out += "id: " + std::to_string(e.id) + "\nevent: " + std::string(to_string(e.type)) +
                           "\ndata: " + event_json(e).dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
                if (out.empty()) out = ": keep-alive\n\n";  // also finds dead clients
                state->after = batch.last_id;
                return sink.write(out.data(), out.size());
            },
            [c, key, rater](bool) {
                c->sse_clients->fetch_sub(1);
                c->streams->release(key, rater);
            });
    });
}

}  // namespace hcp::api

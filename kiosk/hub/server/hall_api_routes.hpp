#pragma once
// Internal: what the route files of the hall API share with the server (hall_api.cpp). Each
// resource's routes (hall_api_{cases,ratings,events,sync,queue,console}.cpp) get everything they
// need from the server in one RouteContext, so authentication, body parsing, the case report
// and the error replies stay in one place.
#include <httplib.h>

#include <atomic>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "hcp/hub_client/hub_json.hpp"
#include "hcp/hub_server/hall_api.hpp"
#include "hcp/hub_server/rate_limit.hpp"

namespace hcp::api {

// Who sent a request, from its bearer token.
// A staff console session (POST /api/v1/staff/sign-in) acts like a device token of its window
// on the queue's window endpoints, GET /queue and GET /events only.
struct Caller {
    enum class Kind { none, device, system, staff } kind = Kind::none;
    std::string id;
    int window = 0;                // a device's or a staff session's window (0 = self-service)
    std::string session;           // a staff session's token
    std::set<DeviceRole> roles{};  // a device's (effective_roles); empty for the other kinds
};

class StaffSessions;
class StreamBudget;

struct RouteContext {
    Hub& hub;
    const HallApiConfig& config;
    const HallApiServices& services;
    // Answers 401 (no or unknown token) or 403 (wrong kind of token) itself and returns nullopt.
    std::function<std::optional<Caller>(const httplib::Request&, httplib::Response&, bool device_ok, bool system_ok,
                                        bool staff_ok)>
        require;
    // The body as a JSON object; answers 415 / 400 itself and returns nullopt.
    std::function<std::optional<json>(const httplib::Request&, httplib::Response&)> json_body;
    // The code path of POST /api/v1/cases: stores the case, opens the rating on its window and
    // returns the reply body (case, case_nos, rating, receipt QR). On failure it answers
    // itself (statuses of the cases endpoint) and returns nullopt.
    std::function<std::optional<json>(const CaseReport&, httplib::Response&)> report_case;
    // Sets rating_url, short_code and rating_url_expires_at of `reply` for the case (null when
    // the hall has no QR key), as POST /cases does.
    std::function<void(json& reply, const Case& c)> add_receipt;
    // The staff console's sessions (never null while the server runs).
    StaffSessions* sessions = nullptr;
    // Set once the server stops: replies that stay open (the event stream) end when they see it.
    const std::atomic<bool>* stopping = nullptr;
    // Event streams open now: GET /events counts itself in and out (limit max_sse_clients),
    // GET /health reports it.
    std::atomic<int>* sse_clients = nullptr;
    // Who may hold the event streams (stream_budget.hpp); never null while serving.
    StreamBudget* streams = nullptr;
    // Tickets per caller (ticket_rate_per_second, ticket_burst); never null while serving.
    RateLimiter* ticket_limits = nullptr;

    // The hub's queue, or null after answering 404 queue_not_configured (no [[category]]).
    QueueEngine* queue_or_404(httplib::Response& res) const;
    // Names from the configuration ([[staff]], [[item]]); empty when the number or code is not there.
    std::string staff_name(const std::string& number) const;
    std::string item_name(const std::string& code) const;
    // The configured [[window]] name, or "3号窗口".
    std::string window_name(int window) const;
};

// `text` for one log line: control characters (newline, ESC…) and the backslash as \xNN.
std::string escape_log(std::string_view text);
// The JSON reply of every endpoint: `body` with `status`, as UTF-8 (invalid bytes replaced).
void send_json(httplib::Response& res, int status, const json& body);
// The error reply of every endpoint (docs/hall-api.md "Conventions"): {"error": {code, message
// (Chinese, for people), detail (English, for logs)}} plus "field" when one field is at fault.
void send_error(httplib::Response& res, int status, std::string_view code, std::string_view message,
                std::string_view detail = {}, std::string_view field = {});
// Answers a refusal of the hub (cases, ratings) with its status (400/403/404/409/422/500/507)
// and Chinese message; a rule violation is named by the rule.
void send_hub_failure(httplib::Response& res, const HubFailure& f);
// Answers a refusal of the queue engine with its status (404/409/422/503) and Chinese message.
void send_queue_failure(httplib::Response& res, const QueueFailure& f);

// POST /cases and GET /cases/{case_no} (hall_api_cases.cpp).
void register_cases_routes(httplib::Server& svr, RouteContext ctx);
// POST /ratings (a device's own or a forwarded one) and POST /not-rated (hall_api_ratings.cpp).
void register_ratings_routes(httplib::Server& svr, RouteContext ctx);
// GET /events: the hub's event bus as server-sent events (hall_api_events.cpp).
void register_events_routes(httplib::Server& svr, RouteContext ctx);
// GET /sync: the upload's state for the admin (hall_api_sync.cpp).
void register_sync_routes(httplib::Server& svr, RouteContext ctx);
// POST /tickets, GET /queue and POST /windows/{w}/… (docs/hall-api.md "Queue").
void register_queue_routes(httplib::Server& svr, RouteContext ctx);
// POST /staff/sign-in|sign-out, GET /staff/session and the console's page at GET /console/
// (hall_api_console.cpp, docs/hall-api.md "Staff console").
void register_console_routes(httplib::Server& svr, RouteContext ctx);

}  // namespace hcp::api

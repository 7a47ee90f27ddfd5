#pragma once
// Internal: what the route files of the hall API share with the server (hall_api.cpp). The
// queue routes (hall_api_queue.cpp) get everything they need from the server in one
// RouteContext, so authentication, body parsing and the case report stay in one place.
#include <httplib.h>

#include <functional>
#include <optional>
#include <string>

#include "hcp/hall_api.hpp"
#include "hub_json.hpp"

namespace hcp::api {

// Who sent a request, from its bearer token.
struct Caller {
    enum class Kind { none, device, system } kind = Kind::none;
    std::string id;
    int window = 0;  // a device's window (0 = self-service)
};

struct RouteContext {
    Hub& hub;
    const HallApiServices& services;
    // Answers 401 (no or unknown token) or 403 (wrong kind of token) itself and returns nullopt.
    std::function<std::optional<Caller>(const httplib::Request&, httplib::Response&, bool device_ok, bool system_ok)>
        require;
    // The body as a JSON object; answers 415 / 400 itself and returns nullopt.
    std::function<std::optional<json>(const httplib::Request&, httplib::Response&)> json_body;
    // The code path of POST /api/v1/cases: stores the case, opens the rating on its window and
    // returns the reply body (case, case_nos, rating, receipt QR). On failure it answers
    // itself (statuses of the cases endpoint) and returns nullopt.
    std::function<std::optional<json>(const CaseReport&, httplib::Response&)> report_case;
};

// POST /tickets, GET /queue and POST /windows/{w}/… (docs/hall-api.md "Queue").
void register_queue_routes(httplib::Server& svr, RouteContext ctx);

}  // namespace hcp::api

#pragma once
// Internal: an HTTP client towards the hub's hall API, as every client in kiosk/hub makes it
// (RemoteHubLink, RemoteQueue, SseClient): bearer token, deadlines, one connection per request
// (a terminal's requests are rare; a new connection never inherits a dead one).
#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>

namespace hcp::api {

inline std::unique_ptr<httplib::Client> hub_client(const std::string& hub_url, const std::string& token,
                                                   std::chrono::milliseconds connect_timeout,
                                                   std::chrono::milliseconds read_timeout) {
    auto split = [](std::chrono::milliseconds d) {
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
        return std::pair<time_t, time_t>{static_cast<time_t>(us / 1000000), static_cast<time_t>(us % 1000000)};
    };
    auto c = std::make_unique<httplib::Client>(hub_url);
    const auto [cs, cu] = split(connect_timeout);
    const auto [rs, ru] = split(read_timeout);
    c->set_connection_timeout(cs, cu);
    c->set_read_timeout(rs, ru);
    c->set_write_timeout(cs, cu);
    c->set_bearer_token_auth(token);
    c->set_keep_alive(false);
    return c;
}

}  // namespace hcp::api

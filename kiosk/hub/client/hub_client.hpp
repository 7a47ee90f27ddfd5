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

// The largest reply a client takes from the hub: the queue snapshot of a large hall is well
// under 1 MiB. A larger reply (a broken or hostile server) is cut off and the request fails
// (httplib::Error::Canceled) instead of growing the terminal's memory.
inline constexpr size_t kMaxHubReplyBytes = 4 * 1024 * 1024;

// `method` `path` (with `body` of `content_type` when not empty) whose reply body is read into
// Response::body up to kMaxHubReplyBytes.
inline httplib::Result capped_request(httplib::Client& client, const std::string& method, const std::string& path,
                                      const std::string& body = {}, const std::string& content_type = {}) {
    httplib::Request req;
    req.method = method;
    req.path = path;
    if (!content_type.empty()) {
        req.set_header("Content-Type", content_type);
        req.body = body;
    }
    auto received = std::make_shared<std::string>();
    req.content_receiver = [received](const char* data, size_t len, uint64_t, uint64_t) {
        if (received->size() + len > kMaxHubReplyBytes) return false;
        received->append(data, len);
        return true;
    };
    auto res = client.send(req);
    if (res) res->body = std::move(*received);
    return res;
}

}  // namespace hcp::api

#pragma once
// A hub with its hall API on a free loopback port, tokens for window 2 and 3 terminals and one
// business system, and small HTTP helpers.
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "hcp/hub_server/hall_api.hpp"
#include "hub_fixture.hpp"

namespace hcp::test {

using json = nlohmann::json;

inline constexpr const char* kSystemToken = "biz-system-token-0123456789";
inline constexpr const char* kWindow2Token = "rater-02-token-0123456789";
inline constexpr const char* kWindow3Token = "rater-03-token-0123456789";

// A loopback port nobody listens on right now (bound to port 0, read back, closed).
inline int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("bind failed");
    }
    ::close(fd);
    return ntohs(a.sin_port);
}

inline HallApiConfig api_config(int port = 0) {
    HallApiConfig c;
    c.listen_host = "127.0.0.1";
    c.listen_port = port;
    c.max_body_bytes = 16 * 1024;
    c.sse_keepalive_seconds = 1;
    c.max_sse_clients = 4;
    c.request_threads = 4;
    c.devices = {{"rater-02", kWindow2Token, 2}, {"rater-03", kWindow3Token, 3}};
    c.systems = {{"bizsys", kSystemToken}};
    return c;
}

struct ApiFixture : HubFixture {
    std::unique_ptr<HallApiServer> server;
    int port = 0;
    ApiFixture() {
        server = std::make_unique<HallApiServer>(*hub, api_config());
        auto r = server->start();
        if (!r) throw std::runtime_error("server did not start: " + r.error().detail);
        port = r.value();
    }
    ~ApiFixture() { server->stop(); }

    httplib::Client client(const std::string& token = {}) const {
        httplib::Client c("127.0.0.1", port);
        c.set_connection_timeout(2, 0);
        c.set_read_timeout(5, 0);
        if (!token.empty()) c.set_bearer_token_auth(token);
        return c;
    }
    httplib::Result post(const std::string& path, const std::string& body, const std::string& token,
                         const std::string& type = "application/json") const {
        auto c = client(token);
        return c.Post(path, body, type);
    }
};

inline json case_body(const std::string& case_no, int window = 2) {
    return {{"case_no", case_no},
            {"item_code", "11370921MB1873562E4000153001000"},
            {"item_name", "基本医疗保险参保信息变更登记"},
            {"kind", "immediate"},
            {"stage", "completed"},
            {"window", window},
            {"staff_no", "1002"},
            {"staff_name", "李娜"},
            {"applicant", {{"name", "张三丰"}, {"phone", "13812341234"}, {"id_no", "110101199003071234"}}}};
}

inline json rating_body(const std::string& case_no, int level = 5) {
    return {{"case_nos", {case_no}}, {"stage", "completed"}, {"target", "both"}, {"level", level}};
}

inline std::string error_code(const httplib::Result& r) {
    if (!r) return "no response";
    auto j = json::parse(r->body, nullptr, false);
    if (j.is_discarded() || !j.contains("error")) return "not an error body: " + r->body;
    return j["error"].value("code", "");
}

// Reads SSE events (id, event, data) until `n` events arrived or the stream ends (bounded by
// the client's read timeout).
struct SseEvent {
    long long id = -1;
    std::string type;
    json data;
};
inline std::vector<SseEvent> read_events(const ApiFixture& f, const std::string& path, size_t n,
                                         const std::string& token, const std::string& last_id = {}) {
    auto c = f.client(token);
    c.set_read_timeout(3, 0);
    httplib::Headers h;
    if (!last_id.empty()) h.emplace("Last-Event-ID", last_id);
    std::vector<SseEvent> out;
    std::string buf;
    c.Get(path, h, [&](const char* d, size_t len) {
        buf.append(d, len);
        size_t sep;
        while ((sep = buf.find("\n\n")) != std::string::npos) {
            std::string block = buf.substr(0, sep);
            buf.erase(0, sep + 2);
            SseEvent e;
            size_t pos = 0;
            while (pos < block.size()) {
                size_t end = block.find('\n', pos);
                if (end == std::string::npos) end = block.size();
                std::string line = block.substr(pos, end - pos);
                pos = end + 1;
                if (line.rfind("id: ", 0) == 0) e.id = std::stoll(line.substr(4));
                if (line.rfind("event: ", 0) == 0) e.type = line.substr(7);
                if (line.rfind("data: ", 0) == 0) e.data = json::parse(line.substr(6), nullptr, false);
            }
            if (!e.type.empty()) out.push_back(std::move(e));
        }
        return out.size() < n;
    });
    return out;
}

}  // namespace hcp::test

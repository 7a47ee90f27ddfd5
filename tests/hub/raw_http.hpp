#pragma once
// A raw HTTP/1.1 exchange over loopback for requests httplib's client will not send (no
// Content-Length, chunked bodies, hostile headers): writes `request` as given and reads one reply.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace hcp::test {

struct RawReply {
    int status = -1;  // -1: no reply (connection closed or nothing within the wait)
    std::string head;
    std::string body;
};

// Sends `request` and reads one reply (headers and a Content-Length body), waiting at most
// `wait_seconds` for each read. The connection stays open for writing while reading, as a
// keep-alive client's would.
inline RawReply raw_exchange(int port, const std::string& request, int wait_seconds = 10) {
    RawReply out;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return out;
    timeval tv{wait_seconds, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return out;
    }
    size_t sent = 0;
    while (sent < request.size()) {
        const auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
    }
    std::string buf;
    char chunk[4096];
    size_t header_end = std::string::npos;
    size_t want = 0;
    for (;;) {
        if (header_end == std::string::npos) {
            header_end = buf.find("\r\n\r\n");
            if (header_end != std::string::npos) {
                out.head = buf.substr(0, header_end);
                const auto cl = out.head.find("Content-Length: ");
                want = cl == std::string::npos ? 0 : std::strtoull(out.head.c_str() + cl + 16, nullptr, 10);
            }
        }
        if (header_end != std::string::npos && buf.size() >= header_end + 4 + want) break;
        const auto n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        buf.append(chunk, static_cast<size_t>(n));
    }
    ::close(fd);
    if (header_end == std::string::npos || out.head.size() < 12) return out;
    out.status = std::atoi(out.head.c_str() + 9);
    out.body = buf.substr(header_end + 4, want);
    return out;
}

}  // namespace hcp::test

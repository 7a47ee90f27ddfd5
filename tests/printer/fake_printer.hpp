#pragma once
// A fake ESC/POS printer on 127.0.0.1 (TCP, like port 9100) for tests and the bench. It answers
// DLE EOT 1/2/4 according to its mode and can be told to go paper-out, offline, silent, slow,
// to stall after answering the pre-job status, to drop the connection after some bytes, to never
// read at all (deaf), or to read at a set pace (paced, like a printer that prints as it reads).
// A small receive buffer makes the kernel window printer-sized, so unread bytes stay unacknowledged.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace hcp::printer::test {

class FakePrinter {
public:
    enum class Mode { ready, paper_near_end, paper_out, cover_open, offline, silent, slow, stall, drop, deaf, paced };

    // receive_buffer > 0: SO_RCVBUF of the accepted connections (set on the listening socket).
    explicit FakePrinter(int receive_buffer = 0) {
        m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        ::setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (receive_buffer > 0) ::setsockopt(m_listen, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = 0;
        if (::bind(m_listen, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(m_listen, 4) != 0)
            throw std::runtime_error("fake printer: bind/listen failed");
        socklen_t len = sizeof a;
        ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&a), &len);
        m_port = ntohs(a.sin_port);
        m_thread = std::thread([this] { serve(); });
    }
    ~FakePrinter() {
        m_stop = true;
        m_thread.join();
        ::close(m_listen);
    }
    FakePrinter(const FakePrinter&) = delete;
    FakePrinter& operator=(const FakePrinter&) = delete;

    int port() const { return m_port; }
    void set_mode(Mode m) { m_mode = m; }
    void drop_after(size_t bytes) { m_drop_after = bytes; }
    // Mode::paced: bytes read a second.
    void pace(size_t bytes_per_second) { m_pace = bytes_per_second; }
    std::vector<std::uint8_t> received() {
        std::lock_guard lock(m_mutex);
        return m_received;
    }
    int connections() const { return m_connections; }

private:
    std::uint8_t reply(std::uint8_t n) const {
        const Mode m = m_mode;
        std::uint8_t r = 0x12;
        if (n == 1 && (m == Mode::offline || m == Mode::paper_out || m == Mode::cover_open)) r |= 0x08;
        if (n == 2 && m == Mode::cover_open) r |= 0x04;
        if (n == 2 && m == Mode::paper_out) r |= 0x20;
        if (n == 2 && m == Mode::offline) r |= 0x40;
        if (n == 4 && m == Mode::paper_out) r |= 0x60;
        if (n == 4 && m == Mode::paper_near_end) r |= 0x0C;
        return r;
    }

    void serve() {
        while (!m_stop) {
            pollfd p{m_listen, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int fd = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            ++m_connections;
            handle(fd);
            ::close(fd);
        }
    }

    void handle(int fd) {
        std::vector<std::uint8_t> tail;  // last bytes, to spot DLE EOT n across reads
        size_t total = 0;
        int answered = 0;  // stall mode answers the pre-job status (3 queries), then stops reading
        while (!m_stop) {
            if (m_mode == Mode::deaf || (m_mode == Mode::stall && answered >= 3)) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                continue;
            }
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            std::uint8_t buf[4096];
            // paced: a tenth of a second's worth each 100 ms
            const size_t want = m_mode == Mode::slow    ? 256
                                : m_mode == Mode::paced ? std::min(sizeof buf, std::max<size_t>(m_pace / 10, 1))
                                                        : sizeof buf;
            const ssize_t n = ::read(fd, buf, want);
            if (n <= 0) return;
            {
                std::lock_guard lock(m_mutex);
                m_received.insert(m_received.end(), buf, buf + n);
            }
            total += static_cast<size_t>(n);
            if (m_mode == Mode::drop && total >= m_drop_after) return;
            for (ssize_t i = 0; i < n; ++i) {
                tail.push_back(buf[i]);
                if (tail.size() > 3) tail.erase(tail.begin());
                if (tail.size() == 3 && tail[0] == 0x10 && tail[1] == 0x04 &&
                    (tail[2] == 1 || tail[2] == 2 || tail[2] == 4)) {
                    if (m_mode != Mode::silent) {
                        const std::uint8_t r = reply(tail[2]);
                        if (::send(fd, &r, 1, MSG_NOSIGNAL) != 1) return;
                        ++answered;
                    }
                    tail.clear();
                }
            }
            if (m_mode == Mode::slow) std::this_thread::sleep_for(std::chrono::milliseconds(2));
            if (m_mode == Mode::paced) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }

    int m_listen = -1;
    int m_port = 0;
    std::atomic<bool> m_stop{false};
    std::atomic<Mode> m_mode{Mode::ready};
    std::atomic<size_t> m_drop_after{1000};
    std::atomic<size_t> m_pace{5000};
    std::atomic<int> m_connections{0};
    std::mutex m_mutex;
    std::vector<std::uint8_t> m_received;
    std::thread m_thread;
};

}  // namespace hcp::printer::test

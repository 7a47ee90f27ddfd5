// Transports over file descriptors with poll() deadlines, plus CUPS through `lp -o raw`.
#include "hcp/printer/transport.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "hcp/base/io.hpp"

namespace hcp::printer {

std::string_view to_string(TransportFault f) noexcept {
    switch (f) {
        case TransportFault::unreachable: return "unreachable";
        case TransportFault::connect_timeout: return "connect_timeout";
        case TransportFault::timeout: return "timeout";
        case TransportFault::disconnected: return "disconnected";
        case TransportFault::io_error: return "io_error";
        case TransportFault::not_supported: return "not_supported";
    }
    return "?";
}

TransportResult MemoryTransport::write(const std::uint8_t* data, size_t size, Millis) {
    std::lock_guard lock(m_state->mutex);
    m_state->written.insert(m_state->written.end(), data, data + size);
    return Done{};
}

Result<std::vector<std::uint8_t>, TransportError> MemoryTransport::read(size_t max, Millis) {
    if (!m_bidi) return TransportError{TransportFault::not_supported, "memory transport is one-way"};
    std::lock_guard lock(m_state->mutex);
    const size_t n = std::min(max, m_state->responses.size());
    std::vector<std::uint8_t> out(m_state->responses.begin(),
                                  m_state->responses.begin() + static_cast<std::ptrdiff_t>(n));
    m_state->responses.erase(m_state->responses.begin(), m_state->responses.begin() + static_cast<std::ptrdiff_t>(n));
    return out;
}

namespace {

std::string errno_text(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

int poll_ms(Millis m) {
    return static_cast<int>(std::min<long long>(m.count(), 24LL * 3600 * 1000));
}

// Shared write/read over a non-blocking descriptor.
class FdTransport : public Transport {
public:
    ~FdTransport() override { FdTransport::close(); }
    TransportResult write(const std::uint8_t* data, size_t size, Millis timeout) override {
        if (!m_fd) return TransportError{TransportFault::io_error, "not open"};
        size_t done = 0;
        while (done < size) {
            pollfd p{m_fd.get(), POLLOUT, 0};
            const int r = ::poll(&p, 1, poll_ms(timeout));
            if (r == 0)
                return TransportError{TransportFault::timeout,
                                      "printer did not take data for " + std::to_string(timeout.count()) + " ms"};
            if (r < 0) {
                if (errno == EINTR) continue;
                return TransportError{TransportFault::io_error, errno_text("poll")};
            }
            if ((p.revents & (POLLERR | POLLHUP)) != 0)
                return TransportError{TransportFault::disconnected,
                                      "link closed after " + std::to_string(done) + " bytes"};
            const ssize_t w = send_or_write(m_fd.get(), data + done, size - done, m_socket);
            if (w < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
                if (errno == EPIPE || errno == ECONNRESET)
                    return TransportError{TransportFault::disconnected, errno_text("write")};
                return TransportError{TransportFault::io_error, errno_text("write")};
            }
            done += static_cast<size_t>(w);
        }
        return Done{};
    }
    Result<std::vector<std::uint8_t>, TransportError> read(size_t max, Millis timeout) override {
        if (!m_fd) return TransportError{TransportFault::io_error, "not open"};
        pollfd p{m_fd.get(), POLLIN, 0};
        const int r = ::poll(&p, 1, poll_ms(timeout));
        if (r == 0) return std::vector<std::uint8_t>{};
        if (r < 0) return TransportError{TransportFault::io_error, errno_text("poll")};
        std::vector<std::uint8_t> buf(max);
        const ssize_t n = ::read(m_fd.get(), buf.data(), max);
        if (n == 0) return TransportError{TransportFault::disconnected, "link closed"};
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return std::vector<std::uint8_t>{};
            return TransportError{TransportFault::io_error, errno_text("read")};
        }
        buf.resize(static_cast<size_t>(n));
        return buf;
    }
    void close() override { m_fd.reset(); }

protected:
    // TIOCOUTQ (= SIOCOUTQ on sockets): bytes the far end has not taken (TCP: not acknowledged).
    // A stall of `stall` with no progress, or an error on the link, ends the wait.
    TransportResult drain_queue(Millis stall) {
        if (!m_fd) return TransportError{TransportFault::io_error, "not open"};
        int last = -1;
        auto last_progress = std::chrono::steady_clock::now();
        for (;;) {
            int queued = 0;
            const bool known = ::ioctl(m_fd.get(), TIOCOUTQ, &queued) == 0;
            // No events asked: poll() wakes only for an error or hang-up (a reset from the printer).
            pollfd p{m_fd.get(), 0, 0};
            if (::poll(&p, 1, 10) < 0 && errno != EINTR)
                return TransportError{TransportFault::io_error, errno_text("poll")};
            if ((p.revents & (POLLERR | POLLHUP)) != 0) {
                int err = 0;
                socklen_t len = sizeof err;
                ::getsockopt(m_fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
                const int seen = known && queued > 0 ? queued : last;
                const size_t pending = seen > 0 ? static_cast<size_t>(seen) : 0;
                return TransportError{TransportFault::disconnected,
                                      "link closed with " + std::to_string(pending) + " bytes not taken" +
                                          (err != 0 ? std::string(": ") + std::strerror(err) : std::string()),
                                      pending};
            }
            if (!known) return TransportError{TransportFault::io_error, errno_text("TIOCOUTQ")};
            if (queued <= 0) return Done{};
            const auto now = std::chrono::steady_clock::now();
            if (queued != last) {
                last = queued;
                last_progress = now;
            } else if (now - last_progress >= stall) {
                return TransportError{TransportFault::timeout,
                                      "printer took nothing of the last " + std::to_string(queued) + " bytes for " +
                                          std::to_string(stall.count()) + " ms",
                                      static_cast<size_t>(queued)};
            }
        }
    }
    static ssize_t send_or_write(int fd, const std::uint8_t* d, size_t n, bool socket) {
        return socket ? ::send(fd, d, n, MSG_NOSIGNAL) : ::write(fd, d, n);
    }
    hcp::io::UniqueFd m_fd;
    bool m_socket = false;
};

class TcpTransport final : public FdTransport {
public:
    TcpTransport(std::string host, int port) : m_host(std::move(host)), m_port(port) { m_socket = true; }
    bool bidirectional() const override { return true; }
    TransportResult drain(Millis stall) override { return drain_queue(stall); }
    std::string describe() const override { return "tcp:" + m_host + ":" + std::to_string(m_port); }
    TransportResult open(Millis timeout) override {
        close();
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* res = nullptr;
        if (::getaddrinfo(m_host.c_str(), std::to_string(m_port).c_str(), &hints, &res) != 0 || res == nullptr)
            return TransportError{TransportFault::unreachable, "cannot resolve " + m_host};
        std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(res, &::freeaddrinfo);
        m_fd.reset(::socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, res->ai_protocol));
        if (!m_fd) return TransportError{TransportFault::io_error, errno_text("socket")};
        if (::connect(m_fd.get(), res->ai_addr, res->ai_addrlen) != 0 && errno != EINPROGRESS) {
            close();
            return TransportError{TransportFault::unreachable, errno_text("connect " + describe())};
        }
        pollfd p{m_fd.get(), POLLOUT, 0};
        const int r = ::poll(&p, 1, poll_ms(timeout));
        int err = 0;
        socklen_t len = sizeof err;
        if (r == 0) {
            close();
            return TransportError{TransportFault::connect_timeout, "connect " + describe() + ": no answer within " +
                                                                       std::to_string(timeout.count()) + " ms"};
        }
        if (r < 0 || ::getsockopt(m_fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
            close();
            return TransportError{TransportFault::unreachable, "connect " + describe() + ": " + std::strerror(err)};
        }
        // Status queries are 3 bytes: without TCP_NODELAY Nagle holds them for a delayed ACK (~40 ms).
        int one = 1;
        ::setsockopt(m_fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return Done{};
    }

private:
    std::string m_host;
    int m_port;
};

// /dev/usb/lpN: non-blocking so the kernel's endless 1.5 s retry never holds our thread.
class DeviceTransport : public FdTransport {
public:
    explicit DeviceTransport(std::string path) : m_path(std::move(path)) {}
    bool bidirectional() const override { return m_bidi; }
    std::string describe() const override { return "device:" + m_path; }
    TransportResult open(Millis) override {
        close();
        m_fd.reset(::open(m_path.c_str(), O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
        m_bidi = m_fd.valid();
        if (!m_fd) m_fd.reset(::open(m_path.c_str(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
        if (!m_fd) return TransportError{TransportFault::unreachable, errno_text("open " + m_path)};
        return configure();
    }

protected:
    virtual TransportResult configure() { return Done{}; }
    std::string m_path;
    bool m_bidi = false;
};

class SerialTransport final : public DeviceTransport {
public:
    SerialTransport(std::string path, int baud, bool rtscts)
        : DeviceTransport(std::move(path)), m_baud(baud), m_rtscts(rtscts) {}
    std::string describe() const override { return "serial:" + m_path + "@" + std::to_string(m_baud); }
    TransportResult drain(Millis stall) override { return drain_queue(stall); }
    // 8N1: ten bits on the wire for each byte.
    std::optional<int> link_bytes_per_second() const override { return m_baud / 10; }

private:
    TransportResult configure() override {
        termios t{};
        if (::tcgetattr(m_fd.get(), &t) != 0)
            return TransportError{TransportFault::io_error, errno_text("tcgetattr " + m_path)};
        ::cfmakeraw(&t);
        speed_t speed = B9600;
        switch (m_baud) {
            case 9600: speed = B9600; break;
            case 19200: speed = B19200; break;
            case 38400: speed = B38400; break;
            case 57600: speed = B57600; break;
            case 115200: speed = B115200; break;
            default: return TransportError{TransportFault::io_error, "unsupported baud " + std::to_string(m_baud)};
        }
        ::cfsetispeed(&t, speed);
        ::cfsetospeed(&t, speed);
        t.c_cflag |= CLOCAL | CREAD;
        if (m_rtscts) {
            t.c_cflag |= CRTSCTS;
        } else {
            t.c_iflag |= IXON | IXOFF;
        }
        if (::tcsetattr(m_fd.get(), TCSANOW, &t) != 0)
            return TransportError{TransportFault::io_error, errno_text("tcsetattr " + m_path)};
        return Done{};
    }
    int m_baud;
    bool m_rtscts;
};

class FileTransport final : public Transport {
public:
    explicit FileTransport(std::string path) : m_path(std::move(path)) {}
    TransportResult open(Millis) override {
        m_out.open(m_path, std::ios::binary | std::ios::app);
        if (!m_out) return TransportError{TransportFault::unreachable, "cannot open " + m_path};
        return Done{};
    }
    TransportResult write(const std::uint8_t* d, size_t n, Millis) override {
        m_out.write(reinterpret_cast<const char*>(d), static_cast<std::streamsize>(n));
        m_out.flush();
        if (!m_out) return TransportError{TransportFault::io_error, "write " + m_path};
        return Done{};
    }
    Result<std::vector<std::uint8_t>, TransportError> read(size_t, Millis) override {
        return TransportError{TransportFault::not_supported, "a file cannot answer status queries"};
    }
    bool bidirectional() const override { return false; }
    void close() override { m_out.close(); }
    std::string describe() const override { return "file:" + m_path; }

private:
    std::string m_path;
    std::ofstream m_out;
};

// CUPS raw queue through the `lp` client (cups-client): one job per open/close, one-way.
// Chosen over libcups to keep the dependency a command, not a library; the bytes are
// streamed into lp's stdin and its exit status decides success.
class CupsTransport final : public Transport {
public:
    explicit CupsTransport(std::string queue) : m_queue(std::move(queue)) {}
    ~CupsTransport() override { reap(Millis(2000)); }
    TransportResult open(Millis) override {
        reap(Millis(0));
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) return TransportError{TransportFault::io_error, errno_text("pipe")};
        hcp::io::UniqueFd read_end(fds[0]);
        hcp::io::UniqueFd write_end(fds[1]);
        m_pid = ::fork();
        if (m_pid < 0) return TransportError{TransportFault::io_error, errno_text("fork")};
        if (m_pid == 0) {
            ::dup2(fds[0], 0);
            const int devnull = ::open("/dev/null", O_WRONLY);
            if (devnull >= 0) ::dup2(devnull, 1);
            ::execlp("lp", "lp", "-s", "-d", m_queue.c_str(), "-o", "raw", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        read_end.reset();
        m_fd = std::move(write_end);
        ::fcntl(m_fd.get(), F_SETFL, O_NONBLOCK);
        return Done{};
    }
    TransportResult write(const std::uint8_t* d, size_t n, Millis timeout) override {
        size_t done = 0;
        while (done < n) {
            pollfd p{m_fd.get(), POLLOUT, 0};
            const int r = ::poll(&p, 1, poll_ms(timeout));
            if (r == 0) return TransportError{TransportFault::timeout, "lp did not take data"};
            const ssize_t w = ::write(m_fd.get(), d + done, n - done);
            if (w < 0) {
                if (errno == EAGAIN || errno == EINTR) continue;
                return TransportError{TransportFault::io_error, errno_text("write to lp")};
            }
            done += static_cast<size_t>(w);
        }
        return Done{};
    }
    Result<std::vector<std::uint8_t>, TransportError> read(size_t, Millis) override {
        return TransportError{TransportFault::not_supported, "CUPS raw queues cannot answer status queries"};
    }
    bool bidirectional() const override { return false; }
    void close() override { reap(Millis(10000)); }
    TransportResult end_job(Millis timeout) override {
        const int status = reap(timeout);
        if (status != 0)
            return TransportError{TransportFault::unreachable,
                                  "lp -d " + m_queue + " exited with " + std::to_string(status)};
        return Done{};
    }
    std::string describe() const override { return "cups:" + m_queue; }

private:
    int reap(Millis timeout) {
        m_fd.reset();
        if (m_pid <= 0) return 0;
        int status = 0;
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (::waitpid(m_pid, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() >= end) {
                ::kill(m_pid, SIGKILL);
                ::waitpid(m_pid, &status, 0);
                break;
            }
            ::usleep(10000);
        }
        m_pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::string m_queue;
    hcp::io::UniqueFd m_fd;
    pid_t m_pid = -1;
};

}  // namespace

std::unique_ptr<Transport> make_transport(const TransportSpec& s) {
    switch (s.kind) {
        case TransportSpec::Kind::file: return std::make_unique<FileTransport>(s.target);
        case TransportSpec::Kind::tcp: return std::make_unique<TcpTransport>(s.target, s.port);
        case TransportSpec::Kind::device: return std::make_unique<DeviceTransport>(s.target);
        case TransportSpec::Kind::serial: return std::make_unique<SerialTransport>(s.target, s.baud, s.rtscts);
        case TransportSpec::Kind::cups: return std::make_unique<CupsTransport>(s.target);
    }
    return nullptr;
}

}  // namespace hcp::printer

#include "hcp/base/sd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include "hcp/base/utf8.hpp"

namespace hcp::sd {

namespace {

// Closes the socket on every path out of send().
class Fd {
public:
    explicit Fd(int fd) noexcept : m_fd(fd) {}
    ~Fd() {
        if (m_fd >= 0) ::close(m_fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const noexcept { return m_fd; }

private:
    int m_fd;
};

// A strictly decimal, non-negative integer that fits; anything else (sign, spaces, hex, empty,
// overflow) is nullopt. systemd writes these variables itself, so leniency would only hide a
// broken environment.
std::optional<unsigned long long> parse_decimal(const char* text) {
    if (text == nullptr || *text == '\0') return std::nullopt;
    const char* end = text + std::strlen(text);
    unsigned long long value = 0;
    const auto [ptr, ec] = std::from_chars(text, end, value);
    if (ec != std::errc{} || ptr != end) return std::nullopt;
    return value;
}

NotifyError error(NotifyError::Cause cause, int sys_errno, std::string message) {
    return NotifyError{cause, sys_errno, std::move(message)};
}

}  // namespace

std::string_view to_string(NotifyError::Cause cause) noexcept {
    switch (cause) {
        case NotifyError::Cause::bad_socket_address: return "bad_socket_address";
        case NotifyError::Cause::socket_failed: return "socket_failed";
        case NotifyError::Cause::send_failed: return "send_failed";
        case NotifyError::Cause::invalid_state: return "invalid_state";
    }
    return "unknown";
}

Notifier Notifier::from_values(const char* notify_socket, const char* watchdog_usec, const char* watchdog_pid,
                               pid_t self) {
    Notifier n;
    if (notify_socket == nullptr || *notify_socket == '\0') return n;
    n.m_socket = notify_socket;
    const auto usec = parse_decimal(watchdog_usec);
    if (!usec || *usec == 0) return n;
    if (watchdog_pid != nullptr) {
        // Set by systemd when the variable may be inherited by children: only the named process
        // is watched. An unparsable value cannot name us, so it means "no watchdog" too.
        const auto pid = parse_decimal(watchdog_pid);
        if (!pid || *pid != static_cast<unsigned long long>(self)) return n;
    }
    // Bounded so the duration cannot overflow (systemd itself caps WatchdogSec far below this).
    constexpr unsigned long long kMaxUsec = 365ULL * 24 * 3600 * 1000000;
    n.m_watchdog = std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(std::min(*usec, kMaxUsec)));
    return n;
}

Notifier Notifier::from_environment() {
    // Read once at start-up, before any thread exists, so getenv() races are not a concern.
    return from_values(std::getenv("NOTIFY_SOCKET"), std::getenv("WATCHDOG_USEC"), std::getenv("WATCHDOG_PID"),
                       ::getpid());
}

std::optional<std::chrono::microseconds> Notifier::watchdog_ping_interval() const noexcept {
    if (!m_watchdog) return std::nullopt;
    return std::max(std::chrono::microseconds(1), *m_watchdog / 2);
}

std::string Notifier::sanitize_status(std::string_view text) {
    std::string out;
    out.reserve(std::min(text.size(), kMaxStatusBytes));
    std::string piece;
    for (std::size_t i = 0; i < text.size();) {
        const utf8::Char c = utf8::char_at(text, i);
        piece.clear();
        if (!c.valid) utf8::append(piece, utf8::kReplacement);
        else if (c.code_point < 0x20U || c.code_point == 0x7FU) piece = " ";
        else piece = text.substr(i, c.size);
        if (out.size() + piece.size() > kMaxStatusBytes) break;
        out += piece;
        i += c.size;
    }
    return out;
}

NotifyResult Notifier::ready(std::string_view status) const {
    std::string msg = "READY=1";
    if (!status.empty()) msg += "\nSTATUS=" + sanitize_status(status);
    return send(msg);
}

NotifyResult Notifier::status(std::string_view text) const { return send("STATUS=" + sanitize_status(text)); }

NotifyResult Notifier::watchdog() const { return send("WATCHDOG=1"); }

NotifyResult Notifier::stopping(std::string_view status) const {
    std::string msg = "STOPPING=1";
    if (!status.empty()) msg += "\nSTATUS=" + sanitize_status(status);
    return send(msg);
}

NotifyResult Notifier::notify(std::string_view state) const {
    if (state.empty()) return error(NotifyError::Cause::invalid_state, 0, "empty notification");
    if (state.find('\0') != std::string_view::npos)
        return error(NotifyError::Cause::invalid_state, 0, "notification contains a NUL byte");
    std::size_t start = 0;
    while (start <= state.size()) {
        const std::size_t end = std::min(state.find('\n', start), state.size());
        const std::string_view line = state.substr(start, end - start);
        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos || eq == 0)
            return error(NotifyError::Cause::invalid_state, 0,
                         "notification line '" + std::string(line.substr(0, 64)) + "' is not VAR=VALUE");
        start = end + 1;
    }
    return send(std::string(state));
}

NotifyResult Notifier::send(const std::string& datagram) const {
    if (m_socket.empty()) return NotifyOutcome::not_under_systemd;

    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    // "/path" is a file system socket; "@name" is in the abstract namespace, where the name
    // starts with a NUL byte and is not NUL-terminated (its length is passed instead).
    if (m_socket.front() != '/' && m_socket.front() != '@')
        return error(NotifyError::Cause::bad_socket_address, 0,
                     "NOTIFY_SOCKET '" + m_socket.substr(0, 120) + "' is neither an absolute path nor @abstract");
    if (m_socket.size() < 2 || m_socket.size() > sizeof(addr.sun_path) - (m_socket.front() == '/' ? 1 : 0))
        return error(NotifyError::Cause::bad_socket_address, 0,
                     "NOTIFY_SOCKET has " + std::to_string(m_socket.size()) + " bytes; a unix socket address holds " +
                         std::to_string(sizeof(addr.sun_path) - 1));
    std::memcpy(addr.sun_path, m_socket.data(), m_socket.size());
    if (m_socket.front() == '@') addr.sun_path[0] = '\0';
    const auto addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + m_socket.size() +
                                                 (m_socket.front() == '/' ? 1 : 0));

    Fd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) {
        const int e = errno;
        return error(NotifyError::Cause::socket_failed, e, std::string("socket(AF_UNIX): ") + std::strerror(e));
    }
    // The whole state in one datagram: a datagram socket never sends part of a message.
    // MSG_NOSIGNAL: a vanished peer must not kill the service with SIGPIPE.
    ssize_t sent = -1;
    do {
        sent = ::sendto(fd.get(), datagram.data(), datagram.size(), MSG_NOSIGNAL,
                        reinterpret_cast<const sockaddr*>(&addr), addr_len);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) {
        const int e = errno;
        return error(NotifyError::Cause::send_failed, e,
                     "sendto(" + m_socket.substr(0, 120) + "): " + std::strerror(e));
    }
    return NotifyOutcome::sent;
}

}  // namespace hcp::sd

#include "hcp/base/sd_notify.hpp"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>

#include "hcp/base/utf8.hpp"

namespace hcp::sd {

namespace {

NotifyError error(NotifyError::Cause cause, int sys_errno, std::string message) {
    return NotifyError{cause, sys_errno, std::move(message)};
}

}  // namespace

std::string_view to_string(NotifyError::Cause cause) noexcept {
    switch (cause) {
        case NotifyError::Cause::bad_socket_address: return "bad_socket_address";
        case NotifyError::Cause::send_failed: return "send_failed";
        case NotifyError::Cause::invalid_state: return "invalid_state";
    }
    return "unknown";
}

Notifier Notifier::from_environment() {
    // Read at start-up, before any thread exists, so getenv() races are not a concern.
    Notifier n;
    const char* socket = std::getenv("NOTIFY_SOCKET");
    // libsystemd treats an empty value as a malformed address; for us it is "not set", as for
    // a unit whose environment was cleared by hand.
    n.m_enabled = socket != nullptr && *socket != '\0';
    if (!n.m_enabled) return n;
    std::uint64_t usec = 0;
    // > 0: a watchdog for this process; 0: none or another process's; < 0: a value systemd
    // would never write, which cannot be trusted either.
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return n;
    // Bounded so the duration cannot overflow (systemd itself caps WatchdogSec far below this).
    constexpr std::uint64_t kMaxUsec = 365ULL * 24 * 3600 * 1000000;
    n.m_watchdog = std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(std::min(usec, kMaxUsec)));
    return n;
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
        if (!c.valid)
            utf8::append(piece, utf8::kReplacement);
        else if (c.code_point < 0x20U || c.code_point == 0x7FU)
            piece = " ";
        else
            piece = text.substr(i, c.size);
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

NotifyResult Notifier::status(std::string_view text) const {
    return send("STATUS=" + sanitize_status(text));
}

NotifyResult Notifier::watchdog() const {
    return send("WATCHDOG=1");
}

NotifyResult Notifier::stopping(std::string_view status) const {
    std::string msg = "STOPPING=1";
    if (!status.empty()) msg += "\nSTATUS=" + sanitize_status(status);
    return send(msg);
}

NotifyResult Notifier::notify(std::string_view state) const {
    // libsystemd sends whatever it gets; a malformed line would be dropped by systemd with
    // only a debug message, so it is refused here, where the caller can see it.
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

NotifyResult Notifier::send(const std::string& state) const {
    if (!m_enabled) return NotifyOutcome::not_under_systemd;
    const int r = sd_notify(0, state.c_str());
    if (r > 0) return NotifyOutcome::sent;
    // 0: $NOTIFY_SOCKET disappeared from the environment since from_environment().
    if (r == 0) return NotifyOutcome::not_under_systemd;
    const int e = -r;
    const char* socket = std::getenv("NOTIFY_SOCKET");
    const std::string where = std::string(socket != nullptr ? socket : "").substr(0, 120);
    // libsystemd refuses an address it cannot use with EINVAL (not "/path" or "@name") or
    // ENAMETOOLONG (longer than a unix socket address holds) before it makes a socket.
    if (e == EINVAL || e == ENAMETOOLONG)
        return error(NotifyError::Cause::bad_socket_address, e,
                     "NOTIFY_SOCKET '" + where + "' is not a usable unix socket address: " + std::strerror(e));
    return error(NotifyError::Cause::send_failed, e, "sd_notify(" + where + "): " + std::strerror(e));
}

}  // namespace hcp::sd

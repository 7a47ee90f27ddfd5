#pragma once
// A tiny, dependency-free client of systemd's service notification protocol (sd_notify(3)), so a
// service started with Type=notify and WatchdogSec= can say when it is ready, what it is doing and
// that it is still healthy — without linking libsystemd.
//
// Protocol (systemd.service(5), sd_notify(3)): the service manager passes the path of a unix
// datagram socket in $NOTIFY_SOCKET ("/run/systemd/notify", or "@name" for a socket in the
// abstract namespace). Each notification is one datagram of newline-separated VAR=VALUE lines:
// READY=1, STATUS=free text, WATCHDOG=1, STOPPING=1. The watchdog interval is in $WATCHDOG_USEC
// and applies to this process only if $WATCHDOG_PID is unset or equals our pid.
//
// Contracts:
// - Without $NOTIFY_SOCKET (not started by systemd, or by a unit that is not Type=notify) every
//   call is a no-op that returns NotifyOutcome::not_under_systemd and makes no system call.
// - A notification is sent whole in one datagram or not at all; failures come back as a
//   NotifyError with a cause, never as an exception, and never stop the caller (the service
//   keeps running; systemd will notice a missing READY or WATCHDOG on its own).
// - STATUS text is made safe before it is sent: control characters (newline included, which
//   would otherwise start a second assignment such as READY=1) become spaces, invalid UTF-8
//   becomes U+FFFD, and it is cut at kMaxStatusBytes on a character boundary.
// - Thread-safe: a Notifier holds no socket between calls (each call opens, sends and closes
//   one CLOEXEC datagram socket), so the watchdog and status may be sent from different threads.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "hcp/base/error.hpp"

namespace hcp::sd {

// What happened to a notification that did not fail.
enum class NotifyOutcome {
    sent,               // one datagram reached the notification socket
    not_under_systemd,  // $NOTIFY_SOCKET was not set: nothing to do
};

// Why a notification could not be sent.
struct NotifyError {
    enum class Cause {
        bad_socket_address,  // $NOTIFY_SOCKET is neither "/path" nor "@abstract", or too long for sockaddr_un
        socket_failed,       // socket(AF_UNIX, SOCK_DGRAM) failed (e.g. RestrictAddressFamilies without AF_UNIX)
        send_failed,         // sendto() failed: no listener (ECONNREFUSED), no such path (ENOENT), EACCES …
        invalid_state,       // the raw state text is empty, has an empty line or a line without '='
    };
    Cause cause;
    int sys_errno = 0;  // errno of the failing call, 0 when not a system call
    std::string message;  // English, for the log
};

std::string_view to_string(NotifyError::Cause cause) noexcept;

using NotifyResult = Result<NotifyOutcome, NotifyError>;

class Notifier {
public:
    // STATUS= text longer than this is cut (on a UTF-8 character boundary).
    static constexpr std::size_t kMaxStatusBytes = 1024;

    // A notifier that does nothing (not under systemd).
    Notifier() = default;

    // Built from explicit values, as they would be read from the environment (nullptr = unset):
    // notify_socket = $NOTIFY_SOCKET, watchdog_usec = $WATCHDOG_USEC, watchdog_pid = $WATCHDOG_PID,
    // self = this process's pid. A $WATCHDOG_USEC that is not a positive decimal integer, or a
    // $WATCHDOG_PID naming another process or not a number, means "no watchdog". An empty
    // $NOTIFY_SOCKET means "not under systemd"; a malformed one is kept and reported by each send.
    static Notifier from_values(const char* notify_socket, const char* watchdog_usec, const char* watchdog_pid,
                                pid_t self);

    // from_values() with this process's environment and pid. The environment is read once, here.
    static Notifier from_environment();

    // True when $NOTIFY_SOCKET was set, i.e. notifications are expected.
    bool enabled() const noexcept { return !m_socket.empty(); }

    // The watchdog interval systemd enforces (WatchdogSec=), or nullopt when there is none.
    std::optional<std::chrono::microseconds> watchdog_interval() const noexcept { return m_watchdog; }

    // How often to send WATCHDOG=1: half the interval, as sd_watchdog_enabled(3) recommends,
    // so one late tick is not a missed deadline. nullopt when there is no watchdog.
    std::optional<std::chrono::microseconds> watchdog_ping_interval() const noexcept;

    // READY=1, with an optional STATUS= in the same datagram (sent once start-up is complete:
    // the database is open and the service accepts requests).
    NotifyResult ready(std::string_view status = {}) const;
    // STATUS=text, shown by `systemctl status`.
    NotifyResult status(std::string_view text) const;
    // WATCHDOG=1. Send it only after a real health check passed, never from a free-running timer.
    NotifyResult watchdog() const;
    // STOPPING=1, with an optional STATUS= (sent when an orderly shutdown begins).
    NotifyResult stopping(std::string_view status = {}) const;

    // Sends state as given: newline-separated VAR=VALUE lines (checked: not empty, every line
    // has a '=' after a non-empty name). For assignments the helpers above do not cover.
    NotifyResult notify(std::string_view state) const;

    // The STATUS value that would be sent for text (see the contract above). For tests and logs.
    static std::string sanitize_status(std::string_view text);

private:
    NotifyResult send(const std::string& datagram) const;

    std::string m_socket;  // as given in $NOTIFY_SOCKET; empty = disabled
    std::optional<std::chrono::microseconds> m_watchdog;
};

}  // namespace hcp::sd

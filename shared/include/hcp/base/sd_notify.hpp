#pragma once
// systemd's service notification (sd_notify(3)) for a service started with Type=notify and
// WatchdogSec=: say when it is ready, what it is doing and that it is still healthy. The
// datagrams are sent by libsystemd; this wrapper adds what the hub needs around it.
//
// The service manager passes the notification socket in $NOTIFY_SOCKET ("/run/systemd/notify",
// or "@name" in the abstract namespace) and the watchdog interval in $WATCHDOG_USEC, which
// applies to this process only if $WATCHDOG_PID is unset or names it (sd_watchdog_enabled(3)).
//
// Contracts:
// - Without $NOTIFY_SOCKET (not started by systemd, or by a unit that is not Type=notify; an
//   empty value counts as unset) every call is a no-op that returns
//   NotifyOutcome::not_under_systemd and makes no system call.
// - A notification is sent whole in one datagram or not at all; failures come back as a
//   NotifyError with a cause, never as an exception, and never stop the caller (the service
//   keeps running; systemd will notice a missing READY or WATCHDOG on its own).
// - STATUS text is made safe before it is sent: control characters (newline included, which
//   would otherwise start a second assignment such as READY=1) become spaces, invalid UTF-8
//   becomes U+FFFD, and it is cut at kMaxStatusBytes on a character boundary.
// - Thread-safe: each call sends on its own socket, so the watchdog and status may be sent from
//   different threads. The process must not change $NOTIFY_SOCKET while a Notifier is in use
//   (libsystemd reads it at every send).
#include <chrono>
#include <cstddef>
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
        bad_socket_address,  // $NOTIFY_SOCKET is neither "/path" nor "@abstract", or too long for a socket address
        send_failed,         // the socket could not be made or the datagram not sent: no listener
                             // (ECONNREFUSED), no such path (ENOENT), EACCES, no AF_UNIX …
        invalid_state,       // the raw state text is empty, has an empty line or a line without '='
    };
    Cause cause;
    int sys_errno = 0;    // errno of the failure, 0 when not a system call
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

    // Reads $NOTIFY_SOCKET (set or not) and the watchdog of this process ($WATCHDOG_USEC,
    // $WATCHDOG_PID), once, here. A watchdog value libsystemd refuses, one meant for another
    // process, or one without a notification socket to feed it through means "no watchdog".
    static Notifier from_environment();

    // True when $NOTIFY_SOCKET was set, i.e. notifications are expected.
    bool enabled() const noexcept { return m_enabled; }

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

    // Sends state as given: newline-separated VAR=VALUE lines (checked: not empty, no NUL, every
    // line has a '=' after a non-empty name). For assignments the helpers above do not cover.
    NotifyResult notify(std::string_view state) const;

    // The STATUS value that would be sent for text (see the contract above). For tests and logs.
    static std::string sanitize_status(std::string_view text);

private:
    NotifyResult send(const std::string& state) const;

    bool m_enabled = false;
    std::optional<std::chrono::microseconds> m_watchdog;
};

}  // namespace hcp::sd

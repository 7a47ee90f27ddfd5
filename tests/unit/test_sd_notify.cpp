// The systemd notification client (shared/include/hcp/base/sd_notify.hpp): each test binds a real
// unix datagram socket where systemd's would be, points NOTIFY_SOCKET at it and checks what arrives.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <string>

#include "hcp/base/sd_notify.hpp"

using hcp::sd::Notifier;
using hcp::sd::NotifyError;
using hcp::sd::NotifyOutcome;
using namespace std::chrono_literals;

namespace {

std::string unique_name(const char* stem) {
    std::random_device rd;
    return std::string(stem) + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
}

// What systemd's end looks like: a bound datagram socket that asks the kernel for the sender's
// credentials (systemd checks them for NotifyAccess=main).
class Listener {
public:
    // path starting with '@' = abstract namespace, else a file system path.
    explicit Listener(std::string address) : m_address(std::move(address)) {
        m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        REQUIRE(m_fd >= 0);
        const int one = 1;
        REQUIRE(::setsockopt(m_fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) == 0);
        timeval tv{};
        tv.tv_sec = 2;  // a missing datagram fails the test instead of hanging it
        REQUIRE(::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, m_address.data(), m_address.size());
        const bool abstract = m_address.front() == '@';
        if (abstract) addr.sun_path[0] = '\0';
        const auto len =
            static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + m_address.size() + (abstract ? 0 : 1));
        REQUIRE(::bind(m_fd, reinterpret_cast<const sockaddr*>(&addr), len) == 0);
    }
    ~Listener() {
        ::close(m_fd);
        if (m_address.front() == '/') ::unlink(m_address.c_str());
    }
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    struct Datagram {
        std::string text;
        pid_t sender_pid = 0;
    };

    // The next datagram, or nullopt after the 2 s timeout.
    std::optional<Datagram> receive() {
        char buf[8192];
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
        iovec iov{buf, sizeof buf};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(m_fd, &msg, 0);
        if (n < 0) return std::nullopt;
        Datagram d;
        d.text.assign(buf, static_cast<size_t>(n));
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
                ucred cred{};
                std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
                d.sender_pid = cred.pid;
            }
        }
        return d;
    }

    const std::string& address() const { return m_address; }

private:
    std::string m_address;
    int m_fd = -1;
};

std::string temp_socket_path() {
    return (std::filesystem::temp_directory_path() / unique_name("hcp-notify")).string();
}

// Sets NOTIFY_SOCKET / WATCHDOG_* for one test and restores them after.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : m_name(name) {
        if (const char* old = std::getenv(name)) m_old = old;
        if (value != nullptr)
            ::setenv(name, value, 1);
        else
            ::unsetenv(name);
    }
    ~ScopedEnv() {
        if (m_old)
            ::setenv(m_name.c_str(), m_old->c_str(), 1);
        else
            ::unsetenv(m_name.c_str());
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string m_name;
    std::optional<std::string> m_old;
};

// The service manager's environment for one test: NOTIFY_SOCKET and the watchdog variables
// (nullptr = unset). It must outlive the sends, which read NOTIFY_SOCKET each time.
struct SystemdEnv {
    explicit SystemdEnv(const char* socket, const char* watchdog_usec = nullptr, const char* watchdog_pid = nullptr)
        : socket_var("NOTIFY_SOCKET", socket),
          usec_var("WATCHDOG_USEC", watchdog_usec),
          pid_var("WATCHDOG_PID", watchdog_pid) {}
    explicit SystemdEnv(const std::string& socket) : SystemdEnv(socket.c_str()) {}
    ScopedEnv socket_var, usec_var, pid_var;
};

NotifyError::Cause cause_of(const hcp::sd::NotifyResult& r) {
    REQUIRE_FALSE(r.ok());
    return r.error().cause;
}

}  // namespace

TEST_CASE("Without NOTIFY_SOCKET every notification is a no-op", "[sd_notify]") {
    ScopedEnv sock("NOTIFY_SOCKET", nullptr);
    ScopedEnv wd("WATCHDOG_USEC", "30000000");
    const Notifier n = Notifier::from_environment();
    CHECK_FALSE(n.enabled());
    CHECK_FALSE(n.watchdog_interval().has_value());  // a watchdog without a socket cannot be fed
    for (const auto& r : {n.ready("x"), n.status("x"), n.watchdog(), n.stopping(), n.notify("X=1")}) {
        REQUIRE(r.ok());
        CHECK(r.value() == NotifyOutcome::not_under_systemd);
    }
    // An empty NOTIFY_SOCKET is "not set" too.
    {
        SystemdEnv empty("");
        const Notifier e = Notifier::from_environment();
        CHECK_FALSE(e.enabled());
        REQUIRE(e.ready().ok());
        CHECK(e.ready().value() == NotifyOutcome::not_under_systemd);
    }
    // A default notifier stays silent even under systemd.
    Listener l("@" + unique_name("hcp-notify-default"));
    SystemdEnv env(l.address());
    CHECK_FALSE(Notifier().enabled());
    REQUIRE(Notifier().ready().ok());
    CHECK(Notifier().ready().value() == NotifyOutcome::not_under_systemd);
}

TEST_CASE("READY with a status arrives as one datagram on a file system socket", "[sd_notify]") {
    Listener l(temp_socket_path());
    ScopedEnv sock("NOTIFY_SOCKET", l.address().c_str());
    const Notifier n = Notifier::from_environment();
    REQUIRE(n.enabled());
    const auto r = n.ready("大厅接口已在 0.0.0.0:8787 监听");
    REQUIRE(r.ok());
    CHECK(r.value() == NotifyOutcome::sent);
    const auto d = l.receive();
    REQUIRE(d);
    CHECK(d->text == "READY=1\nSTATUS=大厅接口已在 0.0.0.0:8787 监听");
    // systemd (NotifyAccess=main) accepts only datagrams whose kernel-attached sender is the main pid.
    CHECK(d->sender_pid == ::getpid());
}

TEST_CASE("An @name socket is reached in the abstract namespace", "[sd_notify]") {
    Listener l("@" + unique_name("hcp-notify-abstract"));
    SystemdEnv env(l.address());
    const Notifier n = Notifier::from_environment();
    REQUIRE(n.watchdog().ok());
    auto d = l.receive();
    REQUIRE(d);
    CHECK(d->text == "WATCHDOG=1");
    REQUIRE(n.stopping("正在停止").ok());
    d = l.receive();
    REQUIRE(d);
    CHECK(d->text == "STOPPING=1\nSTATUS=正在停止");
    REQUIRE(n.stopping().ok());
    d = l.receive();
    REQUIRE(d);
    CHECK(d->text == "STOPPING=1");
    REQUIRE(n.status("同步积压 12 条").ok());
    d = l.receive();
    REQUIRE(d);
    CHECK(d->text == "STATUS=同步积压 12 条");
}

TEST_CASE("A status with a newline cannot smuggle in a second assignment", "[sd_notify]") {
    Listener l("@" + unique_name("hcp-notify-inject"));
    SystemdEnv env(l.address());
    const Notifier n = Notifier::from_environment();
    REQUIRE(n.status("ok\nREADY=1\r\nWATCHDOG=1\x1b[2J\x7f").ok());
    const auto d = l.receive();
    REQUIRE(d);
    CHECK(d->text.find('\n') == std::string::npos);
    CHECK(d->text == "STATUS=ok READY=1  WATCHDOG=1 [2J ");
}

TEST_CASE("Status text is cut on a character boundary and bad UTF-8 is replaced", "[sd_notify]") {
    std::string long_chinese;
    for (int i = 0; i < 500; ++i) long_chinese += "评";  // 3 bytes each
    const std::string cut = Notifier::sanitize_status(long_chinese);
    CHECK(cut.size() == 1023);  // 341 whole characters, not 1024 bytes with half a character
    CHECK(cut.size() <= Notifier::kMaxStatusBytes);
    CHECK(cut.substr(cut.size() - 3) == "评");

    // One U+FFFD for each byte that starts no well-formed character; what follows survives.
    CHECK(Notifier::sanitize_status("a\xff"
                                    "b") ==
          "a\xEF\xBF\xBD"
          "b");
    CHECK(Notifier::sanitize_status("\xE8\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // a truncated 评
    CHECK(Notifier::sanitize_status("\xE8\xAF"
                                    "ok") ==
          "\xEF\xBF\xBD\xEF\xBF\xBD"
          "ok");
    CHECK(Notifier::sanitize_status("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
    CHECK(Notifier::sanitize_status("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
    CHECK(Notifier::sanitize_status(std::string("a\0b", 3)) == "a b");
    CHECK(Notifier::sanitize_status("") == "");
    CHECK(Notifier::sanitize_status("𠀀 ok") == "𠀀 ok");  // 4-byte characters (rare name characters) survive

    // The cut status really is what is sent.
    Listener l("@" + unique_name("hcp-notify-long"));
    SystemdEnv env(l.address());
    const Notifier n = Notifier::from_environment();
    REQUIRE(n.status(long_chinese).ok());
    const auto d = l.receive();
    REQUIRE(d);
    CHECK(d->text == "STATUS=" + cut);
}

TEST_CASE("notify sends well-formed assignments and refuses malformed ones", "[sd_notify]") {
    Listener l("@" + unique_name("hcp-notify-raw"));
    SystemdEnv env(l.address());
    const Notifier n = Notifier::from_environment();
    REQUIRE(n.notify("EXTEND_TIMEOUT_USEC=30000000\nSTATUS=迁移数据库").ok());
    const auto d = l.receive();
    REQUIRE(d);
    CHECK(d->text == "EXTEND_TIMEOUT_USEC=30000000\nSTATUS=迁移数据库");

    CHECK(cause_of(n.notify("")) == NotifyError::Cause::invalid_state);
    CHECK(cause_of(n.notify("READY")) == NotifyError::Cause::invalid_state);
    CHECK(cause_of(n.notify("=1")) == NotifyError::Cause::invalid_state);
    CHECK(cause_of(n.notify("READY=1\n")) == NotifyError::Cause::invalid_state);  // empty last line
    CHECK(cause_of(n.notify("READY=1\n\nSTATUS=x")) == NotifyError::Cause::invalid_state);
    CHECK(cause_of(n.notify(std::string("READY=1\0X=1", 11))) == NotifyError::Cause::invalid_state);
}

TEST_CASE("Bad or unreachable NOTIFY_SOCKET values are reported with their cause", "[sd_notify]") {
    // What the notifier says when sending to `address`.
    auto ready_at = [](const std::string& address) {
        SystemdEnv env(address);
        return Notifier::from_environment().ready();
    };
    CHECK(cause_of(ready_at("relative/notify")) == NotifyError::Cause::bad_socket_address);
    CHECK(cause_of(ready_at("@")) == NotifyError::Cause::bad_socket_address);
    CHECK(cause_of(ready_at("/" + std::string(200, 'x'))) == NotifyError::Cause::bad_socket_address);
    // 107 bytes plus the NUL fit sun_path exactly (and name no socket); 108 do not fit.
    CHECK(cause_of(ready_at("/" + std::string(106, 'y'))) == NotifyError::Cause::send_failed);
    CHECK(cause_of(ready_at("/" + std::string(107, 'y'))) == NotifyError::Cause::bad_socket_address);

    // No such socket file.
    const std::string missing = temp_socket_path();
    {
        SystemdEnv env(missing);
        const auto r = Notifier::from_environment().watchdog();
        CHECK(cause_of(r) == NotifyError::Cause::send_failed);
        CHECK(r.error().sys_errno == ENOENT);
        CHECK(r.error().message.find(missing) != std::string::npos);
    }

    // A socket file left behind by a manager that is gone (bound, closed, never unlinked): nobody listens.
    const std::string stale = temp_socket_path();
    {
        const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd >= 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, stale.c_str(), stale.size() + 1);
        REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
        ::close(fd);
    }
    const auto refused = ready_at(stale);
    CHECK(cause_of(refused) == NotifyError::Cause::send_failed);
    CHECK(refused.error().sys_errno == ECONNREFUSED);
    ::unlink(stale.c_str());

    // An abstract name nobody bound.
    CHECK(cause_of(ready_at("@" + unique_name("hcp-notify-nobody"))) == NotifyError::Cause::send_failed);
    CHECK(hcp::sd::to_string(NotifyError::Cause::send_failed) == "send_failed");
}

TEST_CASE("The watchdog interval comes from WATCHDOG_USEC for this process only", "[sd_notify]") {
    const std::string self = std::to_string(::getpid());
    const std::string other = std::to_string(::getpid() + 1);
    // The watchdog a notifier sees in this environment.
    auto interval = [](const char* usec, const char* pid) {
        SystemdEnv env("@x", usec, pid);
        return Notifier::from_environment().watchdog_interval();
    };
    {
        SystemdEnv env("@x", "30000000");
        const auto n = Notifier::from_environment();
        REQUIRE(n.watchdog_interval());
        CHECK(*n.watchdog_interval() == 30s);
        CHECK(*n.watchdog_ping_interval() == 15s);  // half, so one late tick is not a miss
    }
    CHECK(interval("30000000", self.c_str()) == std::optional(30000000us));
    CHECK_FALSE(interval("30000000", other.c_str()));  // another process's
    CHECK_FALSE(interval("30000000", ""));
    CHECK_FALSE(interval("30000000", "42x"));
    CHECK_FALSE(interval(nullptr, nullptr));
    for (const char* bad : {"", "0", "-5", "5 ", "abc", "1e6", "99999999999999999999999"}) {
        INFO("WATCHDOG_USEC=" << bad);
        CHECK_FALSE(interval(bad, nullptr));
    }
    // One microsecond still gives a positive ping interval.
    {
        SystemdEnv env("@x", "1");
        CHECK(*Notifier::from_environment().watchdog_ping_interval() == 1us);
    }
    // A huge (but valid) value is capped instead of overflowing.
    const auto huge = interval("18446744073709551614", nullptr);
    REQUIRE(huge);
    CHECK(*huge > 24h);
}

TEST_CASE("from_environment reads the watchdog of this process from the environment", "[sd_notify]") {
    Listener l("@" + unique_name("hcp-notify-env"));
    const std::string me = std::to_string(::getpid());
    ScopedEnv sock("NOTIFY_SOCKET", l.address().c_str());
    ScopedEnv usec("WATCHDOG_USEC", "10000000");
    ScopedEnv pid("WATCHDOG_PID", me.c_str());
    const Notifier n = Notifier::from_environment();
    REQUIRE(n.watchdog_ping_interval());
    CHECK(*n.watchdog_ping_interval() == 5s);
    REQUIRE(n.watchdog().ok());
    const auto d = l.receive();
    REQUIRE(d);
    CHECK(d->text == "WATCHDOG=1");
}

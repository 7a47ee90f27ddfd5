// `hcpctl hub`: the hub headless (HubService), serving the hall API until SIGTERM; SIGUSR1
// prints the sync summary.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstring>
#include <thread>

#include "api_fixture.hpp"

using namespace hcp;
using namespace hcp::test;

namespace {

// The demo hall's hub in `dir`: [api] on `port`, the store key, the tokens file and (unless
// told otherwise) the platform secret the demo's [upload] names.
void write_hub_files(const TempDir& dir, int port, bool platform_secret = true) {
    std::string config = read_file(assets_dir() / "config" / "demo-hall.toml");
    auto replace = [&](const std::string& from, const std::string& to) {
        auto p = config.find(from);
        REQUIRE(p != std::string::npos);
        config.replace(p, from.size(), to);
    };
    replace("assets = \"..\"", "assets = \"" + assets_dir().string() + "\"");
    replace("data = \"../../var/demo\"", "data = \"" + dir.path().string() + "\"");
    replace("\n[terminal]\n", "\n[api]\nlisten = \"127.0.0.1:" + std::to_string(port) +
                                  "\"\ntokens_file = \"api-tokens.toml\"\n\n[terminal]\n");
    REQUIRE(config.find("secret_file = \"platform.secret\"") != std::string::npos);  // the demo uploads
    write_file(dir / "hall.toml", config);
    SecretKey::create_file(dir / "store.key");
    const auto private_file = std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
    write_file(dir / "api-tokens.toml", "[[system]]\nid = \"biz\"\ntoken = \"" + std::string(kSystemToken) + "\"\n");
    std::filesystem::permissions(dir / "api-tokens.toml", private_file);
    if (platform_secret) {
        write_file(dir / "platform.secret", std::string(64, 'a') + "\n");
        std::filesystem::permissions(dir / "platform.secret", private_file);
    }
}

bool wait_for_text(const std::filesystem::path& file, const std::string& text) {
    for (int i = 0; i < 100; ++i) {  // bounded: 10 s
        if (std::filesystem::exists(file) && read_file(file).find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

}  // namespace

TEST_CASE("hcpctl hub runs the hub service prints the sync summary on SIGUSR1 and stops on SIGTERM") {
    TempDir dir;
    const int port = free_port();
    write_hub_files(dir, port);
    auto launched = run_command(hcpctl_path() + " hub --config " + (dir / "hall.toml").string() + " > " +
                                (dir / "hub.log").string() + " 2>&1 & echo $!");
    REQUIRE(launched.exit_code == 0);
    const std::string pid = launched.output.substr(0, launched.output.find('\n'));
    REQUIRE(wait_for_text(dir / "hub.log", "serving on http://127.0.0.1:" + std::to_string(port)));
    CHECK(read_file(dir / "hub.log").find("uploading") != std::string::npos);

    httplib::Client c("127.0.0.1", port);
    c.set_bearer_token_auth(kSystemToken);
    auto posted = c.Post("/api/v1/cases", case_body("HCPCTL-2").dump(), "application/json");
    REQUIRE(posted);
    CHECK(posted->status == 201);
    auto sync = c.Get("/api/v1/sync");
    REQUIRE(sync);
    CHECK(sync->status == 200);

    CHECK(run_command("kill -USR1 " + pid).exit_code == 0);
    CHECK(wait_for_text(dir / "hub.log", "hcpctl hub: sync: "));
    CHECK(wait_for_text(dir / "hub.log", "全部评价已上传"));  // nothing rated yet
    // Still serving after SIGUSR1.
    CHECK(c.Get("/api/v1/health"));

    auto stopped = run_command("kill -TERM " + pid + "; for i in $(seq 100); do kill -0 " + pid +
                               " 2>/dev/null || exit 0; sleep 0.1; done; kill -KILL " + pid + "; exit 1");
    CHECK(stopped.exit_code == 0);
    const std::string log = read_file(dir / "hub.log");
    CHECK(log.find("hcpctl hub: stopping") != std::string::npos);
    CHECK(log.find("hub: stopped") != std::string::npos);
    CHECK(log.find("张三丰") == std::string::npos);  // no personal data in the log
}

TEST_CASE("hcpctl hub refuses to start without the platform secret and says what to do") {
    TempDir dir;
    write_hub_files(dir, free_port(), false);
    auto r = run_command(hcpctl_path() + " hub --config " + (dir / "hall.toml").string() + " 2>&1");
    CHECK(r.exit_code != 0);
    CHECK(r.output.find("platform.secret") != std::string::npos);
    CHECK(r.output.find("chmod 600") != std::string::npos);
    CHECK(r.output.find("密钥") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "hub.db"));  // refused before anything was opened
}

TEST_CASE("hcpctl hub serves the hall API from the main config and stops on SIGTERM") {
    TempDir dir;
    std::string config = read_file(assets_dir() / "config" / "demo-hall.toml");
    auto replace = [&](const std::string& from, const std::string& to) {
        auto p = config.find(from);
        REQUIRE(p != std::string::npos);
        config.replace(p, from.size(), to);
    };
    replace("assets = \"..\"", "assets = \"" + assets_dir().string() + "\"");
    replace("data = \"../../var/demo\"", "data = \"" + dir.path().string() + "\"");
    const int port = free_port();
    // [api] must come before the [[category]] arrays of tables: insert it after [calendar].
    replace("\n[terminal]\n", "\n[api]\nlisten = \"127.0.0.1:" + std::to_string(port) +
                                  "\"\ntokens_file = \"api-tokens.toml\"\n\n[terminal]\n");
    write_file(dir / "hall.toml", config);
    SecretKey::create_file(dir / "store.key");
    write_file(dir / "api-tokens.toml", "[[system]]\nid = \"biz\"\ntoken = \"" + std::string(kSystemToken) + "\"\n");
    std::filesystem::permissions(dir / "api-tokens.toml",
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    write_file(dir / "platform.secret", std::string(64, 'b') + "\n");  // the demo's [upload] needs it
    std::filesystem::permissions(dir / "platform.secret",
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

    auto launched = run_command(hcpctl_path() + " hub --config " + (dir / "hall.toml").string() + " > " +
                                (dir / "hub.log").string() + " 2>&1 & echo $!");
    REQUIRE(launched.exit_code == 0);
    const std::string pid = launched.output.substr(0, launched.output.find('\n'));

    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(1, 0);
    bool up = false;
    for (int i = 0; i < 100 && !up; ++i) {  // bounded: 10 s
        auto r = c.Get("/api/v1/health");
        up = r && r->status == 200;
        if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    CHECK(up);
    c.set_bearer_token_auth(kSystemToken);
    auto posted = c.Post("/api/v1/cases", case_body("HCPCTL-1").dump(), "application/json");
    REQUIRE(posted);
    CHECK(posted->status == 201);

    auto stopped = run_command("kill -TERM " + pid + "; for i in $(seq 100); do kill -0 " + pid +
                               " 2>/dev/null || exit 0; sleep 0.1; done; kill -KILL " + pid + "; exit 1");
    CHECK(stopped.exit_code == 0);
    const std::string log = read_file(dir / "hub.log");
    CHECK(log.find("serving on http://127.0.0.1:" + std::to_string(port)) != std::string::npos);
    CHECK(log.find("stopping") != std::string::npos);
    CHECK(raw_int(dir / "hub.db", "SELECT count(*) FROM cases WHERE case_no = 'HCPCTL-1'") == 1);
}

TEST_CASE("hcpctl hub refuses a tokens file that others can read and says how to fix it") {
    TempDir dir;
    std::string config = read_file(assets_dir() / "config" / "demo-hall.toml");
    auto replace = [&](const std::string& from, const std::string& to) {
        auto p = config.find(from);
        REQUIRE(p != std::string::npos);
        config.replace(p, from.size(), to);
    };
    replace("assets = \"..\"", "assets = \"" + assets_dir().string() + "\"");
    replace("data = \"../../var/demo\"", "data = \"" + dir.path().string() + "\"");
    replace("\n[terminal]\n", "\n[api]\nlisten = \"127.0.0.1:0\"\n\n[terminal]\n");
    write_file(dir / "hall.toml", config);
    SecretKey::create_file(dir / "store.key");
    write_file(dir / "api-tokens.toml", "[[system]]\nid = \"biz\"\ntoken = \"" + std::string(kSystemToken) + "\"\n");
    std::filesystem::permissions(dir / "api-tokens.toml", std::filesystem::perms::owner_read |
                                                              std::filesystem::perms::owner_write |
                                                              std::filesystem::perms::others_read);
    auto r = run_command(hcpctl_path() + " hub --config " + (dir / "hall.toml").string() + " 2>&1");
    CHECK(r.exit_code != 0);
    CHECK(r.output.find("chmod 600") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "hub.db"));  // refused before anything was opened
}

namespace {

// The service manager's side of sd_notify: a datagram socket whose messages the test reads.
class NotifySocket {
public:
    explicit NotifySocket(const std::filesystem::path& path) : m_path(path) {
        m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        REQUIRE(m_fd >= 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        REQUIRE(path.string().size() < sizeof(addr.sun_path));
        std::strcpy(addr.sun_path, path.c_str());
        REQUIRE(::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    }
    ~NotifySocket() { ::close(m_fd); }
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    // The next datagram, or empty after `timeout`.
    std::string next(std::chrono::milliseconds timeout) {
        pollfd p{m_fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return {};
        char buf[4096];
        const auto n = ::recv(m_fd, buf, sizeof buf, 0);
        return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
    }
    // Reads datagrams until one contains `text` (true) or `timeout` passes (false).
    bool wait_for(const std::string& text, std::chrono::milliseconds timeout) {
        const auto until = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < until) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
            if (next(left).find(text) != std::string::npos) return true;
        }
        return false;
    }

private:
    std::filesystem::path m_path;
    int m_fd = -1;
};

}  // namespace

TEST_CASE("hcpctl hub under systemd says READY, feeds the watchdog after health checks and says STOPPING") {
    TempDir dir;
    const int port = free_port();
    write_hub_files(dir, port);
    NotifySocket systemd(dir / "notify.sock");
    // WatchdogSec=0.4s: a health check and WATCHDOG=1 every 200 ms.
    auto launched = run_command("NOTIFY_SOCKET=" + (dir / "notify.sock").string() + " WATCHDOG_USEC=400000 " +
                                hcpctl_path() + " hub --config " + (dir / "hall.toml").string() + " > " +
                                (dir / "hub.log").string() + " 2>&1 & echo $!");
    REQUIRE(launched.exit_code == 0);
    const std::string pid = launched.output.substr(0, launched.output.find('\n'));

    const std::string first = systemd.next(std::chrono::seconds(10));
    CHECK(first.find("READY=1") != std::string::npos);
    CHECK(first.find("STATUS=hall DEMO-0001") != std::string::npos);
    // READY comes after the API listens: it answers now.
    CHECK(httplib::Client("127.0.0.1", port).Get("/api/v1/health"));
    int pings = 0;
    for (int i = 0; i < 3; ++i) pings += systemd.wait_for("WATCHDOG=1", std::chrono::seconds(3)) ? 1 : 0;
    CHECK(pings == 3);

    CHECK(run_command("kill -TERM " + pid).exit_code == 0);
    CHECK(systemd.wait_for("STOPPING=1", std::chrono::seconds(10)));
    auto gone = run_command("for i in $(seq 100); do kill -0 " + pid +
                            " 2>/dev/null || exit 0; sleep 0.1; done; kill -KILL " + pid + "; exit 1");
    CHECK(gone.exit_code == 0);
}

TEST_CASE("hcpctl staff set-pin writes only an argon2id hash, mode 0600, and replaces that 工号's line") {
    TempDir dir;
    write_hub_files(dir, free_port());
    const std::string config = (dir / "hall.toml").string();
    const auto pins_file = dir / "staff-pins.toml";
    auto set_pin = [&](const std::string& staff, const std::string& pin) {
        return run_command("printf '%s\\n' '" + pin + "' | " + hcpctl_path() + " staff set-pin --config " + config +
                           " --staff " + staff + " 2>&1");
    };
    auto first = set_pin("1001", "135790");
    INFO(first.output);
    REQUIRE(first.exit_code == 0);
    CHECK((std::filesystem::status(pins_file).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    CHECK(read_file(pins_file).find("135790") == std::string::npos);  // never the PIN itself
    auto pins = load_staff_pins(pins_file);
    REQUIRE(pins.size() == 1);
    CHECK(pins[0].staff_no == "1001");
    CHECK(verify_staff_pin(pins[0].pin_hash, "135790"));

    REQUIRE(set_pin("1002", "24680").exit_code == 0);
    REQUIRE(set_pin("1001", "97531").exit_code == 0);  // changed: still one line for 1001
    pins = load_staff_pins(pins_file);
    REQUIRE(pins.size() == 2);
    CHECK(pins[0].staff_no == "1001");
    CHECK(verify_staff_pin(pins[0].pin_hash, "97531"));
    CHECK_FALSE(verify_staff_pin(pins[0].pin_hash, "135790"));
    CHECK(verify_staff_pin(pins[1].pin_hash, "24680"));

    // Refusals change nothing: a PIN that is not 4-12 digits, a 工号 that is not a [[staff]].
    const std::string before = read_file(pins_file);
    auto letters = set_pin("1001", "12ab");
    CHECK(letters.exit_code == 2);
    auto unknown = set_pin("9999", "123456");
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.output.find("9999") != std::string::npos);
    CHECK(read_file(pins_file) == before);
    // Each message in one language, the one the prompts use.
    CHECK(unknown.output.find("不在") != std::string::npos);
    CHECK(unknown.output.find("is not") == std::string::npos);
    CHECK(letters.output.find("4 到 12 位数字") != std::string::npos);
    CHECK(first.output.find("已设置") != std::string::npos);
    CHECK(first.output.find(" the console PIN") == std::string::npos);
}

// hcpctl platform-sim and hcpctl sync, as an installer would run them.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdio>

#include "upload_test_util.hpp"

using namespace hcp;
using namespace hcp::test;

namespace {

// `hcpctl platform-sim` in the background; reads its first line to learn the port.
struct SimProcess {
    pid_t pid = -1;
    FILE* out = nullptr;
    std::string first_line;
    SimProcess(const std::filesystem::path& secret, const std::filesystem::path& db) {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::dup2(fds[1], STDOUT_FILENO);
            ::close(fds[0]);
            ::close(fds[1]);
            const std::string ctl = hcpctl_path();
            ::execl(ctl.c_str(), ctl.c_str(), "platform-sim", "--secret", secret.c_str(), "--db", db.c_str(), "--port",
                    "0", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(fds[1]);
        out = ::fdopen(fds[0], "r");
        char buf[512] = {};
        if (std::fgets(buf, sizeof buf, out)) first_line = buf;
    }
    std::string url() const {
        auto at = first_line.find("http://127.0.0.1:");
        if (at == std::string::npos) return {};
        auto end = first_line.find_first_of(" (", at);
        return first_line.substr(at, end - at);
    }
    int stop(std::string& rest) {
        ::kill(pid, SIGTERM);
        char buf[512];
        while (std::fgets(buf, sizeof buf, out)) rest += buf;
        std::fclose(out);
        int status = 0;
        ::waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
};

}  // namespace

TEST_CASE("hcpctl sync uploads the outbox to hcpctl platform-sim and reports the state") {
    TempDir dir;
    HallFixture hall(assets_dir());
    auto db = dir / "hub.db";
    {
        StoreOptions o;
        o.path = db;
        o.device_id = "hub-01";
        o.durability = Durability::off_for_fixtures;
        o.min_free_bytes = 0;
        auto store = Store::open(o, SecretKey::random());
        for (int i = 1; i <= 7; ++i) add_rated_case(store, hall, i, base_time());
    }
    auto secret = dir / "hall.secret";
    write_file(secret, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n");
    ::chmod(secret.c_str(), 0600);

    SimProcess sim(secret, dir / "platform.db");
    REQUIRE_FALSE(sim.url().empty());
    write_file(dir / "upload.toml", "[upload]\nbase_url = \"" + sim.url() + "\"\nsecret_file = \"hall.secret\"\n");

    auto before = run_command(hcpctl_path() + " sync " + (dir / "upload.toml").string() + " --db " + db.string() +
                              " --hall DEMO-0001 --status");
    CHECK(before.exit_code == 1);
    CHECK(before.output.find("7 not uploaded") != std::string::npos);

    auto sync = run_command(hcpctl_path() + " sync " + (dir / "upload.toml").string() + " --db " + db.string() +
                            " --hall DEMO-0001");
    CHECK(sync.exit_code == 0);
    CHECK(sync.output.find("accepted 7") != std::string::npos);
    CHECK(sync.output.find("all uploaded") != std::string::npos);

    auto page = run_command("curl -s " + sim.url() + "/");
    if (page.exit_code == 0) CHECK(page.output.find("accepted 7") != std::string::npos);

    std::string rest;
    CHECK(sim.stop(rest) == 0);
    CHECK(rest.find("7 accepted") != std::string::npos);
}

TEST_CASE("hcpctl sync names a bad upload setting with its line") {
    TempDir dir;
    write_file(dir / "upload.toml", "[upload]\nbase_url = \"http://127.0.0.1:9\"\nsecret_file = \"s\"\nbatch = 5\n");
    HallFixture hall(assets_dir());
    StoreOptions o;
    o.path = dir / "hub.db";
    o.device_id = "hub-01";
    o.min_free_bytes = 0;
    { auto store = Store::open(o, SecretKey::random()); }
    auto r = run_command(hcpctl_path() + " sync " + (dir / "upload.toml").string() + " --db " + o.path.string() +
                         " --hall DEMO-0001");
    CHECK(r.exit_code != 0);
    CHECK(r.output.find("upload.toml:4") != std::string::npos);
    CHECK(r.output.find("batch_size") != std::string::npos);
}

TEST_CASE("hcpctl sync --config reads [upload], the store and the hall from the main configuration") {
    TempDir dir;
    HallFixture hall(assets_dir());
    {
        StoreOptions o;
        o.path = dir / "hub.db";
        o.device_id = "hub-01";
        o.durability = Durability::off_for_fixtures;
        o.min_free_bytes = 0;
        auto store = Store::open(o, SecretKey::random());
        for (int i = 1; i <= 3; ++i) add_rated_case(store, hall, i, base_time());
    }
    auto secret = dir / "platform.secret";
    write_file(secret, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n");
    ::chmod(secret.c_str(), 0600);
    SimProcess sim(secret, dir / "platform.db");
    REQUIRE_FALSE(sim.url().empty());

    // The demo hall's configuration with its data here and [upload] pointed at the platform.
    std::string cfg = read_file(assets_dir() / "config" / "demo-hall.toml");
    auto set_line = [&cfg](const std::string& key, const std::string& value) {
        const auto at = cfg.find("\n" + key + " = ");
        REQUIRE(at != std::string::npos);
        const auto end = cfg.find('\n', at + 1);
        cfg.replace(at + 1, end - at - 1, key + " = \"" + value + "\"");
    };
    set_line("assets", assets_dir().string());
    set_line("data", dir.path().string());
    set_line("base_url", sim.url());
    write_file(dir / "hall.toml", cfg);
    const std::string config = " --config " + (dir / "hall.toml").string();

    auto before = run_command(hcpctl_path() + " sync" + config + " --status");
    CHECK(before.exit_code == 1);
    CHECK(before.output.find("3 not uploaded") != std::string::npos);
    CHECK(before.output.find("3 条评价未上传") != std::string::npos);

    auto sync = run_command(hcpctl_path() + " sync" + config);
    CHECK(sync.exit_code == 0);
    CHECK(sync.output.find("accepted 3") != std::string::npos);
    auto after = run_command(hcpctl_path() + " sync" + config + " --status");
    CHECK(after.exit_code == 0);

    // Without [upload] there is nothing to upload to: said plainly, nothing marked uploaded.
    const auto upload_at = cfg.find("\n[upload]");
    REQUIRE(upload_at != std::string::npos);
    const auto next_section = cfg.find("\n[", upload_at + 1);
    write_file(dir / "no-upload.toml", cfg.substr(0, upload_at) + cfg.substr(next_section));
    auto none = run_command(hcpctl_path() + " sync --config " + (dir / "no-upload.toml").string());
    CHECK(none.exit_code != 0);
    CHECK(none.output.find("no [upload] section") != std::string::npos);
    std::string rest;
    CHECK(sim.stop(rest) == 0);
}

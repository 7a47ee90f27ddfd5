// `hcpctl hub`: the hub headless, serving the hall API until SIGTERM.
#include <catch2/catch.hpp>

#include <thread>

#include "api_fixture.hpp"

using namespace hcp;
using namespace hcp::test;

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
    write_file(dir / "hall.toml", config);
    SecretKey::create_file(dir / "store.key");
    const int port = free_port();
    write_file(dir / "hall-api.toml", "[api]\nlisten = \"127.0.0.1:" + std::to_string(port) +
                                          "\"\n[[system]]\nid = \"biz\"\ntoken = \"" + kSystemToken + "\"\n");

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

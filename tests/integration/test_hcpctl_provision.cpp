// hcpctl provision end to end: the real binary fills the shipped packaging/hall.toml (as the .deb
// installs it) in a temp folder; the result passes `hcpctl config check`; a second run changes
// nothing; bad values name their option and leave every file as it was (kiosk/hcpctl/cmd_provision.cpp).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <string>

#include "test_support.hpp"

using Catch::Matchers::Contains;

namespace {

namespace fs = std::filesystem;
using hcp::test::CommandResult;
using hcp::test::TempDir;

// Single-quoted for the shell.
template <class T>
std::string q(const T& s) {
    return hcp::test::shell_quote(s);
}

CommandResult hcpctl(const std::string& args) {
    return hcp::test::run_hcpctl(args);
}

fs::path packaging_hall_toml() {
    return hcp::test::assets_dir().parent_path() / "packaging" / "hall.toml";
}

// The shipped file as installed, with the assets of this source tree (the .deb's live in /usr/share).
struct Installed {
    TempDir dir;
    fs::path config = dir / "hall.toml";
    fs::path data = dir / "data";
    std::string shipped;

    Installed() {
        shipped = hcp::test::read_file(packaging_hall_toml());
        const std::string from = "assets = \"/usr/share/hcp-kiosk/assets\"";
        auto pos = shipped.find(from);
        REQUIRE(pos != std::string::npos);
        shipped.replace(pos, from.size(), "assets = \"" + hcp::test::assets_dir().string() + "\"");
        hcp::test::write_file(config, shipped);
    }

    std::string hub_args() const {
        return "provision --config " + q(config) +
               " --hall-code NY-0001 --hall-name 宁阳县政务服务中心 --area-code 370921000000 --level county"
               " --device-id hub-01 --roles hub --unrated taian --data " +
               q(data);
    }
    std::string rater_args(const std::string& extra) const {
        return "provision --config " + q(config) +
               " --hall-code NY-0001 --hall-name 宁阳县政务服务中心 --area-code 370921000000 --level county"
               " --device-id win-03 --roles rater --hub-url http://192.168.1.10:8787 --unrated taian --data " +
               q(data) + " " + extra;
    }
};

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("provision fills the shipped hall.toml, creates data folder and key, and the result passes config check",
          "[hcpctl][provision]") {
    Installed inst;
    auto r = hcpctl(inst.hub_args());
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.output, Contains("hall.code = \"NY-0001\""));
    CHECK_THAT(r.output, Contains("已创建存储密钥"));
    CHECK_THAT(r.output, Contains("platform.secret"));  // what is left: the platform's key
    CHECK_THAT(r.output, Contains("hcpctl check --config"));

    auto check = hcpctl("config check " + q(inst.config));
    INFO(check.output);
    CHECK(check.exit_code == 0);
    CHECK_THAT(check.output, Contains("NY-0001 宁阳县政务服务中心"));

    // Only the keys it sets changed; the comments of the shipped file are still there.
    const auto text = hcp::test::read_file(inst.config);
    CHECK_THAT(text, Contains("code = \"NY-0001\"\n"));
    CHECK_THAT(text, Contains("roles = [\"hub\"]\n"));
    CHECK_THAT(text, Contains("preset = \"taian\"\n"));
    CHECK_THAT(text, Contains("# 本设备编号，写入每条评价"));
    for (size_t start = 0, end; start < text.size(); start = end + 1) {  // no value still to fill
        end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const auto line = text.substr(start, end - start);
        if (!line.empty() && line[0] != '#') CHECK(line.find("待填写") == std::string::npos);
    }
    CHECK(hcp::test::read_file(inst.config.string() + ".bak") == inst.shipped);

    REQUIRE(fs::is_directory(inst.data));
    CHECK(mode_of(inst.data) == 0750);
    REQUIRE(fs::exists(inst.data / "store.key"));
    CHECK(mode_of(inst.data / "store.key") == 0600);

    SECTION("a second run with the same values changes nothing") {
        const auto key_before = hcp::test::read_file(inst.data / "store.key");
        const auto bak_before = hcp::test::read_file(inst.config.string() + ".bak");
        const auto mtime = fs::last_write_time(inst.config);
        auto again = hcpctl(inst.hub_args());
        INFO(again.output);
        REQUIRE(again.exit_code == 0);
        CHECK_THAT(again.output, Contains("已是这些值，未改动"));
        CHECK_THAT(again.output, Contains("已存在"));
        CHECK(hcp::test::read_file(inst.config) == text);
        CHECK(fs::last_write_time(inst.config) == mtime);
        CHECK(hcp::test::read_file(inst.data / "store.key") == key_before);
        CHECK(hcp::test::read_file(inst.config.string() + ".bak") == bak_before);
    }

    SECTION("another value for a key already filled needs --force; with it the old file is the .bak") {
        auto clash = hcpctl(inst.hub_args() + " --hall-code NY-0002");
        INFO(clash.output);
        CHECK(clash.exit_code == 1);
        CHECK_THAT(clash.output, Contains("--force"));
        CHECK_THAT(clash.output, Contains("NY-0001"));
        CHECK(hcp::test::read_file(inst.config) == text);

        auto forced = hcpctl(inst.hub_args() + " --hall-code NY-0002 --force");
        INFO(forced.output);
        REQUIRE(forced.exit_code == 0);
        CHECK_THAT(hcp::test::read_file(inst.config), Contains("code = \"NY-0002\"\n"));
        CHECK(hcp::test::read_file(inst.config.string() + ".bak") == text);
    }
}

TEST_CASE("provision never overwrites an existing key", "[hcpctl][provision]") {
    Installed inst;
    fs::create_directories(inst.data);
    auto made = hcpctl("key create " + q(inst.data / "store.key"));
    REQUIRE(made.exit_code == 0);
    const auto key = hcp::test::read_file(inst.data / "store.key");
    auto r = hcpctl(inst.hub_args());
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.output, Contains("已存在"));
    CHECK(hcp::test::read_file(inst.data / "store.key") == key);
}

TEST_CASE("provision of a terminal sets window, hub URL and token file and says the token is missing",
          "[hcpctl][provision]") {
    Installed inst;
    auto r = hcpctl(inst.rater_args("--window 3"));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.output, Contains("hub.token"));
    const auto text = hcp::test::read_file(inst.config);
    CHECK_THAT(text, Contains("\nwindow = 3\n"));
    CHECK_THAT(text, Contains("\nhub_url = \"http://192.168.1.10:8787\"\n"));
    CHECK_THAT(text, Contains("\nhub_token_file = \"hub.token\"\n"));
    auto check = hcpctl("config check " + q(inst.config));
    INFO(check.output);
    CHECK(check.exit_code == 0);
}

TEST_CASE("provision writes a new configuration from the embedded shipped file", "[hcpctl][provision]") {
    TempDir dir;
    const auto config = dir / "etc" / "hall.toml";
    auto r = hcpctl("provision --config " + q(config) +
                    " --hall-code T-01 --hall-name 葛石镇便民服务中心 --area-code 370921101000 --level township"
                    " --device-id box-01 --roles hub,ticket,rater,display --window 1 --unrated gansu --assets " +
                    q(hcp::test::assets_dir()) + " --data " + q(dir / "data"));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_FALSE(fs::exists(config.string() + ".bak"));
    CHECK(mode_of(config) == 0640);
    // Same comments as packaging/hall.toml: the embedded copy is that file.
    CHECK_THAT(hcp::test::read_file(config), Contains("# /etc/hcp-kiosk/hall.toml — 本设备的配置"));
    auto check = hcpctl("config check " + q(config));
    INFO(check.output);
    CHECK(check.exit_code == 0);
    CHECK_THAT(check.output, Contains("roles hub ticket rater display"));
}

TEST_CASE("provision refuses bad values, names the option, and writes nothing", "[hcpctl][provision]") {
    Installed inst;
    struct Bad {
        std::string args;
        std::string option;
    };
    const std::vector<Bad> cases = {
        {"--window 3 --area-code 3709211", "--area-code"},
        {"--window 3 --roles rater,waiter", "--roles"},
        {"", "--window"},  // a rater without its window
        {"--window 1000", "--window"},
        {"--window 3 --hub-url ftp://hub", "--hub-url"},
        {"--window 3 --level town", "--level"},
    };
    for (const auto& bad : cases) {
        // A later --roles replaces the earlier one (the option parser keeps the last value).
        auto r = hcpctl(inst.rater_args(bad.args));
        INFO(bad.args << "\n" << r.output);
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.output, Contains(bad.option));
        CHECK(hcp::test::read_file(inst.config) == inst.shipped);
        CHECK_FALSE(fs::exists(inst.config.string() + ".bak"));
        CHECK_FALSE(fs::exists(inst.data));
    }
    // The message says what is allowed.
    auto r = hcpctl(inst.rater_args("--window 3 --area-code 3709211"));
    CHECK_THAT(r.output, Contains("12-digit"));
    auto roles = hcpctl(inst.rater_args("--window 3 --roles rater,waiter"));
    CHECK_THAT(roles.output, Contains("hub, ticket, rater, selfservice, display"));
}

// hcpctl check end to end: the real binary on real files in a temp folder (kiosk/hcpctl/cmd_check.cpp).
// Exit codes: 0 every line ok, 1 warnings only, 3 at least one error, 2 usage.
//
// The environment is pinned so the results do not depend on the machine: TZ=Asia/Shanghai, and
// PATH holds only a fake `timedatectl` (answering "yes" unless a test says otherwise), so no
// real NTP state, time zone or display leaks in. --now pins the date where the calendar matters.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "hcp/base/crypto.hpp"
#include "hcp/store/store.hpp"
#include "test_support.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

namespace fs = std::filesystem;
using hcp::test::CommandResult;
using hcp::test::TempDir;

// Single-quoted for the shell.
template <class T>
std::string q(const T& s) {
    return hcp::test::shell_quote(s);
}

// A date inside the shipped calendar (cn-2026), so the calendar line is ok whatever today is.
const std::string kNow = "2026-06-01T10:00:00+08:00";

// A port nothing listens on: bound once to learn a free one, then closed.
int closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    ::close(fd);
    return ntohs(a.sin_port);
}

// One device set up in a temp folder: data/, a hub configuration, a 0600 store key, an empty
// current-schema database, and bin/timedatectl.
struct Site {
    TempDir dir;
    fs::path data = dir / "data";
    fs::path bin = dir / "bin";
    fs::path config = dir / "hall.toml";
    fs::path key = data / "store.key";
    fs::path db = data / "hub.db";

    explicit Site(const std::string& ntp_answer = "yes") {
        fs::create_directories(data);
        fs::create_directories(bin);
        hcp::test::write_file(bin / "timedatectl", "#!/bin/sh\necho " + ntp_answer + "\n");
        fs::permissions(bin / "timedatectl", fs::perms::owner_all);
        const auto k = hcp::SecretKey::create_file(key);
        hcp::StoreOptions options;
        options.path = db;
        options.device_id = "hub-01";
        (void)hcp::Store::open(options, k);  // creates the schema, closes
        write_config("");
    }

    // The configuration of a hub, plus `extra` TOML appended (sections such as [printer]).
    void write_config(const std::string& extra, const std::string& hall_code_line = "code = \"DEMO-0001\"",
                      const std::string& device = "id = \"hub-01\"\nroles = [\"hub\"]\n") {
        hcp::test::write_file(config,
                              "[hall]\n" + hall_code_line +
                                  "\n"
                                  "name = \"宁阳县政务服务中心\"\n"
                                  "area_code = \"370921000000\"\n"
                                  "level = \"county\"\n\n"
                                  "[device]\n" +
                                  device +
                                  "\n[paths]\n"
                                  "assets = \"" +
                                  hcp::test::assets_dir().string() +
                                  "\"\n"
                                  "data = \"" +
                                  data.string() +
                                  "\"\n\n"
                                  "[store]\ndatabase = \"hub.db\"\nkey_file = \"store.key\"\nmin_free_mb = 1\n\n"
                                  "[rating]\ncatalog = \"catalog/cn-004.toml\"\n\n"
                                  "[rating.unrated]\npreset = \"taian\"\n\n"
                                  "[calendar]\nfiles = [\"calendars/cn-2026.toml\"]\n\n" +
                                  extra);
    }

    // hcpctl check with the pinned environment; `env` adds VAR=value words.
    CommandResult check(const std::string& args, const std::string& env = "") const {
        return hcp::test::run_command("env -i TZ=Asia/Shanghai PATH=" + q(bin) + " " + env + " " +
                                      q(hcp::test::hcpctl_path()) + " check --config " + q(config) + " " + args);
    }
};

struct Line {
    std::string level, name, text;
};

// The result lines ("LEVEL   NAME           message — detail"), header and summary left out.
std::vector<Line> result_lines(const std::string& output) {
    std::vector<Line> lines;
    std::istringstream in(output);
    std::string l;
    while (std::getline(in, l)) {
        std::istringstream words(l);
        Line line;
        words >> line.level >> line.name;
        if (line.level != "ok" && line.level != "warning" && line.level != "error") continue;
        line.text = l;
        lines.push_back(line);
    }
    return lines;
}

// The lines named `name`; fails when there is none.
std::vector<Line> lines_named(const std::string& output, const std::string& name) {
    std::vector<Line> found;
    for (const auto& l : result_lines(output))
        if (l.name == name) found.push_back(l);
    INFO(output);
    REQUIRE_FALSE(found.empty());
    return found;
}

Line line_named(const std::string& output, const std::string& name) {
    auto found = lines_named(output, name);
    REQUIRE(found.size() == 1);
    return found[0];
}

bool has_line(const std::string& output, const std::string& name) {
    for (const auto& l : result_lines(output))
        if (l.name == name) return true;
    return false;
}

}  // namespace

TEST_CASE("hcpctl check on a complete hub configuration prints only ok lines and exits 0") {
    Site site;
    auto r = site.check("--skip-network --now " + kNow);
    INFO(r.output);
    CHECK(r.exit_code == 0);
    const auto lines = result_lines(r.output);
    for (const auto& l : lines) CHECK(l.level == "ok");
    for (const char* name : {"config", "catalog", "calendar", "store-key", "qr-key", "database", "chain", "outbox",
                             "disk", "data-dir", "clock", "ntp", "timezone"})
        CHECK(line_named(r.output, name).level == "ok");
    CHECK_THAT(line_named(r.output, "config").text, Contains("配置有效：大厅 DEMO-0001"));
    CHECK_THAT(line_named(r.output, "database").text,
               Contains("数据库完好（完整性检查通过，版本 " + std::to_string(hcp::kStoreSchemaVersion) + "）"));
    CHECK_THAT(line_named(r.output, "chain").text, Contains("评价链完整：0 条评价"));
    CHECK_THAT(line_named(r.output, "store-key").text, Contains("存储密钥正常（权限 0600）"));
    CHECK_THAT(line_named(r.output, "clock").text, Contains("系统时间 2026-06-01 10:00（北京时间）"));
    CHECK_THAT(r.output, Contains("结果：全部正常。"));
    // A hub without a screen or a printer has no font or display line.
    CHECK_FALSE(has_line(r.output, "display"));
    CHECK_FALSE(has_line(r.output, "printer"));
}

TEST_CASE("hcpctl check names a missing [hall] code with its file and line, and exits 3") {
    Site site;
    site.write_config("", "# code still to fill in");
    auto r = site.check("--skip-network --now " + kNow);
    INFO(r.output);
    CHECK(r.exit_code == 3);
    const auto l = line_named(r.output, "config");
    CHECK(l.level == "error");
    CHECK_THAT(l.text, Contains("配置项 hall.code 缺少或填写有误：请打开 " + site.config.string() + " 第 1 行"));
    CHECK_THAT(l.text, Contains(site.config.string() + ":1:1: hall.code: missing"));
    // Nothing that needs the configuration runs on a broken one; the clock still does.
    CHECK_FALSE(has_line(r.output, "database"));
    CHECK(line_named(r.output, "clock").level == "ok");
    CHECK_THAT(r.output, Contains("结果：1 个错误，0 个警告。"));
}

TEST_CASE("hcpctl check on a missing configuration file says where it looked, exit 3") {
    TempDir dir;
    auto r = hcp::test::run_command(q(hcp::test::hcpctl_path()) + " check --config " + q(dir / "nope.toml") +
                                    " --skip-network");
    INFO(r.output);
    CHECK(r.exit_code == 3);
    const auto l = line_named(r.output, "config");
    CHECK(l.level == "error");
    CHECK_THAT(l.text, Contains("找不到配置文件 " + (dir / "nope.toml").string()));
}

TEST_CASE("hcpctl check says chmod 600 for a store key that others can read") {
    Site site;
    fs::permissions(site.key,
                    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    auto r = site.check("--skip-network --now " + kNow);
    INFO(r.output);
    CHECK(r.exit_code == 3);
    const auto l = line_named(r.output, "store-key");
    CHECK(l.level == "error");
    CHECK_THAT(l.text,
               Contains("的权限为 0644，其他账户也能读取，服务会拒绝使用。请运行：chmod 600 " + site.key.string()));
    CHECK_THAT(l.text, Contains("mode 0644, must be 0600"));
}

TEST_CASE("hcpctl check says when the store key is not the key the database was made with") {
    Site site;
    fs::remove(site.key);
    (void)hcp::SecretKey::create_file(site.key);
    auto r = site.check("--skip-network --now " + kNow);
    INFO(r.output);
    CHECK(r.exit_code == 3);
    const auto lines = lines_named(r.output, "store-key");
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].level == "ok");  // the file itself is fine
    CHECK(lines[1].level == "error");
    CHECK_THAT(lines[1].text,
               Contains("与数据库不匹配（数据库是用另一个密钥建立的）：请从备份恢复原来的密钥文件，切勿新建密钥。"));
    CHECK(line_named(r.output, "chain").level == "ok");  // hashes and sequence still checked
}

TEST_CASE("hcpctl check reports a garbage database file as damaged and writes nothing to it") {
    Site site;
    fs::remove(site.db);
    std::string garbage;
    for (int i = 0; i < 8192; ++i) garbage += static_cast<char>((i * 37 + 11) % 251);
    hcp::test::write_file(site.db, garbage);
    const auto mtime = fs::last_write_time(site.db);

    auto r = site.check("--skip-network --now " + kNow);
    INFO(r.output);
    CHECK(r.exit_code == 3);
    const auto l = line_named(r.output, "database");
    CHECK(l.level == "error");
    CHECK_THAT(l.text, Contains("已损坏，无法识别为数据库"));
    CHECK_THAT(l.text, Contains("不要删除或覆盖该文件"));
    CHECK_FALSE(has_line(r.output, "chain"));  // nothing to verify on a file that is not a database
    CHECK(hcp::test::read_file(site.db) == garbage);
    CHECK(fs::last_write_time(site.db) == mtime);
    for (const char* suffix : {"-journal", "-wal", "-shm"}) CHECK_FALSE(fs::exists(site.db.string() + suffix));
}

TEST_CASE("hcpctl check reports a printer on a closed TCP port within 3 seconds") {
    Site site;
    const int port = closed_port();
    site.write_config("[printer]\nprofile = \"generic-80\"\ntransport = \"tcp:127.0.0.1:" + std::to_string(port) +
                      "\"\n");
    const auto started = std::chrono::steady_clock::now();
    auto r = site.check("--skip-network --now " + kNow);
    const auto took = std::chrono::steady_clock::now() - started;
    INFO(r.output);
    CHECK(took < std::chrono::seconds(3));
    CHECK(r.exit_code == 3);
    const auto l = line_named(r.output, "printer");
    CHECK(l.level == "error");
    CHECK_THAT(l.text, Contains("打印机无法连接（tcp:127.0.0.1:" + std::to_string(port) +
                                "）：请检查打印机电源、网线和 IP 地址"));
    CHECK_FALSE(has_line(r.output, "printer-status"));
}

TEST_CASE("hcpctl check reports a missing USB printer device by its path") {
    Site site;
    const auto dev = site.dir / "lp9";
    site.write_config("[printer]\nprofile = \"generic-80\"\ntransport = \"device:" + dev.string() + "\"\n");
    auto r = site.check("--skip-network --now " + kNow);
    INFO(r.output);
    CHECK(r.exit_code == 3);
    const auto l = line_named(r.output, "printer");
    CHECK(l.level == "error");
    CHECK_THAT(l.text, Contains("打印机无法连接（device:" + dev.string() + "）：找不到设备 " + dev.string()));
}

TEST_CASE("hcpctl check checks every window receipt printer of a hub by its window") {
    Site site;
    const int port = closed_port();
    const auto ok_file = site.dir / "receipts-1.bin";
    site.write_config("[[window]]\nnumber = 1\nname = \"1号窗口\"\nreceipt_printer = \"file:" + ok_file.string() +
                      "\"\n\n[[window]]\nnumber = 2\nname = \"2号窗口\"\nreceipt_printer = \"tcp:127.0.0.1:" +
                      std::to_string(port) + "\"\n");
    auto r = site.check("--skip-network --now " + kNow);
    INFO(r.output);
    CHECK(r.exit_code == 3);
    CHECK(line_named(r.output, "receipt-printer-1").level == "ok");
    const auto l = line_named(r.output, "receipt-printer-2");
    CHECK(l.level == "error");
    CHECK_THAT(l.text, Contains("2 号窗口的回执打印机（[[window]] receipt_printer）：打印机无法连接（tcp:127.0.0.1:" +
                                std::to_string(port) + "）"));
    CHECK_FALSE(has_line(r.output, "printer"));  // the hub itself has no [printer]
}

TEST_CASE("hcpctl check reports a wrong hub URL on a terminal as an error") {
    Site site;
    const int port = closed_port();
    hcp::test::write_file(site.data / "hub.token", "abcdefghijklmnopqrstuvwxyz012345\n");
    fs::permissions(site.data / "hub.token", fs::perms::owner_read | fs::perms::owner_write);
    site.write_config("", "code = \"DEMO-0001\"",
                      "id = \"win-03\"\nroles = [\"rater\"]\nwindow = 3\nhub_url = \"http://127.0.0.1:" +
                          std::to_string(port) + "\"\nhub_token_file = \"hub.token\"\n");
    const auto started = std::chrono::steady_clock::now();
    auto r = site.check("--now " + kNow, "DISPLAY=:0");
    const auto took = std::chrono::steady_clock::now() - started;
    INFO(r.output);
    CHECK(took < std::chrono::seconds(5));
    CHECK(r.exit_code == 3);
    CHECK(line_named(r.output, "hub-token").level == "ok");
    const auto l = line_named(r.output, "hub");
    CHECK(l.level == "error");
    CHECK_THAT(l.text,
               Contains("连接不上中心 127.0.0.1:" + std::to_string(port) + "：请确认中心已开机、hcp-hub 服务在运行"));
    CHECK(line_named(r.output, "display").level == "ok");  // DISPLAY given
    CHECK(line_named(r.output, "font").level == "ok");

    // --skip-network leaves the hub alone and says so.
    auto skipped = site.check("--skip-network --now " + kNow, "DISPLAY=:0");
    INFO(skipped.output);
    CHECK(skipped.exit_code == 0);
    CHECK_THAT(line_named(skipped.output, "hub").text, Contains("未检查中心连接（使用了 --skip-network）"));
}

TEST_CASE("hcpctl check reports an unreachable platform, and a missing hall secret") {
    Site site;
    const int port = closed_port();
    site.write_config("[upload]\nbase_url = \"http://127.0.0.1:" + std::to_string(port) +
                      "\"\nsecret_file = \"platform.secret\"\n");
    auto r = site.check("--now " + kNow);
    INFO(r.output);
    CHECK(r.exit_code == 3);
    CHECK(line_named(r.output, "upload-secret").level == "error");
    CHECK_THAT(line_named(r.output, "upload-secret").text,
               Contains("平台大厅密钥 " + (site.data / "platform.secret").string() + " 不存在"));
    const auto l = line_named(r.output, "platform");
    CHECK(l.level == "error");
    CHECK_THAT(l.text, Contains("连接不上省级平台 127.0.0.1:" + std::to_string(port) + "：请检查外网连接"));

    hcp::test::write_file(site.data / "platform.secret", std::string(64, 'a') + "\n");
    fs::permissions(site.data / "platform.secret", fs::perms::owner_read | fs::perms::owner_write);
    auto fixed = site.check("--skip-network --now " + kNow);
    INFO(fixed.output);
    CHECK(fixed.exit_code == 0);
    CHECK(line_named(fixed.output, "upload-secret").level == "ok");
    CHECK_THAT(line_named(fixed.output, "platform").text, Contains("未检查省级平台连接（使用了 --skip-network）"));
}

TEST_CASE("the clock check refuses a clock years off and accepts a plausible one") {
    Site site;
    auto past = site.check("--skip-network --now 2003-01-01T09:00:00+08:00");
    INFO(past.output);
    CHECK(past.exit_code == 3);
    const auto l = line_named(past.output, "clock");
    CHECK(l.level == "error");
    CHECK_THAT(l.text, StartsWith("error   clock          系统时间为 2003-01-01 09:00，请校准时间（NTP）"));
    // The calendar also sees the wrong year.
    CHECK(line_named(past.output, "calendar").level == "warning");

    auto future = site.check("--skip-network --now 2100-01-01T00:00:00+08:00");
    CHECK(line_named(future.output, "clock").level == "error");
    CHECK_THAT(line_named(future.output, "clock").text, Contains("系统时间为 2100-01-01 00:00"));

    auto edge = site.check("--skip-network --now 2024-01-01T00:00:00+08:00");
    CHECK(line_named(edge.output, "clock").level == "ok");
    CHECK(site.check("--now yesterday").exit_code == 2);  // a malformed --now is a usage error
}

TEST_CASE("hcpctl check warns 60 days ahead that next year is provisional, says how to import, exits 1") {
    Site site;
    // 2026-12-07: the 60 days ahead reach into 2027, whose notice is not imported.
    auto r = site.check("--skip-network --now 2026-12-07T10:00:00+08:00");
    INFO(r.output);
    CHECK(r.exit_code == 1);
    const auto l = line_named(r.output, "calendar");
    CHECK(l.level == "warning");
    CHECK_THAT(l.text, Contains("2027 年的放假安排尚未导入"));
    CHECK_THAT(r.output, Contains("hcpctl calendar import"));
    CHECK_THAT(r.output, Contains("结果：0 个错误，1 个警告。"));
    // In October the same calendar is fine.
    auto early = site.check("--skip-network --now 2026-10-08T10:00:00+08:00");
    CHECK(line_named(early.output, "calendar").level == "ok");
    // The region's rule is explained in one line.
    CHECK_THAT(line_named(early.output, "unrated").text,
               Contains("提醒：办结后 1 个工作日；默认：提醒发出后 4 个工作日 满意"));
}

TEST_CASE("hcpctl check warns when NTP is not synchronized and when the time zone is not China's") {
    Site unsynced("no");
    auto r = unsynced.check("--skip-network --now " + kNow);
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK(line_named(r.output, "ntp").level == "warning");
    CHECK_THAT(line_named(r.output, "ntp").text,
               Contains("系统时间未与网络时间同步（NTP）：请运行 timedatectl set-ntp true"));

    Site site;
    auto utc = hcp::test::run_command("env -i TZ=UTC PATH=" + q(site.bin) + " " + q(hcp::test::hcpctl_path()) +
                                      " check --config " + q(site.config) + " --skip-network --now " + kNow);
    INFO(utc.output);
    CHECK(utc.exit_code == 1);
    CHECK(line_named(utc.output, "timezone").level == "warning");
    CHECK_THAT(line_named(utc.output, "timezone").text, Contains("请运行 timedatectl set-timezone Asia/Shanghai"));

    // Without timedatectl (no systemd) the NTP line is left out, not guessed.
    fs::remove(site.bin / "timedatectl");
    auto none = site.check("--skip-network --now " + kNow);
    CHECK(none.exit_code == 0);
    CHECK_FALSE(has_line(none.output, "ntp"));
}

TEST_CASE("hcpctl check --json prints an array of {level, name, message, detail}") {
    Site site;
    site.write_config("", "# code still to fill in");
    auto r = hcp::test::run_command("env -i TZ=Asia/Shanghai PATH=" + q(site.bin) + " " + q(hcp::test::hcpctl_path()) +
                                    " check --json --skip-network --config " + q(site.config) + " 2>/dev/null");
    INFO(r.output);
    CHECK(r.exit_code == 3);
    const auto j = nlohmann::json::parse(r.output);
    REQUIRE(j.is_array());
    REQUIRE_FALSE(j.empty());
    bool config_error = false;
    for (const auto& e : j) {
        REQUIRE(e.size() == 4);
        const std::string level = e.at("level");
        CHECK((level == "ok" || level == "warning" || level == "error"));
        CHECK_FALSE(e.at("name").get<std::string>().empty());
        CHECK_FALSE(e.at("message").get<std::string>().empty());
        CHECK(e.at("detail").is_string());
        if (e.at("name") == "config" && level == "error") {
            config_error = true;
            CHECK_THAT(e.at("message").get<std::string>(), Contains("配置项 hall.code"));
        }
    }
    CHECK(config_error);
}

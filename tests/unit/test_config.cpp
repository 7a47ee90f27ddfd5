// The typed configuration: the shipped demo loads, every validation rule rejects what it should
// with file:line:column and the dotted key, and hostile files fail cleanly.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "hcp/config/config.hpp"
#include "hcp/detail/toml_util.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using hcp::ConfigError;
using hcp::ConfigIssue;

namespace {

// A small valid configuration; tests edit one thing at a time.
const std::string kBase = R"toml([hall]
code = "T-1"
name = "测试大厅"
area_code = "370921000000"
level = "county"

[device]
id = "dev-1"
roles = ["hub", "rater"]
window = 1

[paths]
assets = "assets"
data = "/var/lib/hcp"

[rating]
catalog = "catalog/cn-004.toml"

[rating.unrated]
preset = "taian"

[calendar]
files = ["calendars/cn-2026.toml"]

[[category]]
code = "A1"
name = "社保"
prefix = "A"
windows = [1]
items = ["ITEM1"]

[[item]]
code = "ITEM1"
name = "事项一"
department = "人社局"

[[window]]
number = 1
name = "一号窗口"
categories = ["A1"]

[[staff]]
number = "1001"
name = "王丽"
)toml";

const fs::path kBaseDir = "/etc/hcp";

// kBase (or `text`) with the first occurrence of `from` replaced by `to`.
std::string edit(std::string text, const std::string& from, const std::string& to) {
    auto pos = text.find(from);
    INFO("edit target: " << from);
    REQUIRE(pos != std::string::npos);
    text.replace(pos, from.size(), to);
    return text;
}
std::string edit(const std::string& from, const std::string& to) {
    return edit(kBase, from, to);
}

hcp::Config parse(const std::string& text) {
    return hcp::parse_config(text, "test.toml", kBaseDir);
}

std::vector<ConfigIssue> problems(const std::string& text) {
    try {
        parse(text);
    } catch (const ConfigError& e) {
        return e.issues();
    }
    FAIL("the configuration was accepted");
    return {};
}

std::string listing(const std::vector<ConfigIssue>& issues) {
    std::string out;
    for (const auto& i : issues) out += i.to_string() + "\n";
    return out;
}

// The first issue naming `key`; fails the test when there is none.
ConfigIssue issue_for(const std::string& text, const std::string& key) {
    auto issues = problems(text);
    INFO("issues:\n" << listing(issues));
    auto it = std::find_if(issues.begin(), issues.end(), [&](const auto& i) { return i.key == key; });
    REQUIRE(it != issues.end());
    return *it;
}

bool mentions(const std::vector<ConfigIssue>& issues, const std::string& key) {
    return std::any_of(issues.begin(), issues.end(), [&](const auto& i) { return i.key == key; });
}

// 1-based line of the first occurrence of `needle`.
int line_of(const std::string& text, const std::string& needle) {
    auto pos = text.find(needle);
    REQUIRE(pos != std::string::npos);
    return static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n')) + 1;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The shipped configuration

TEST_CASE("The shipped demo hall configuration loads and its paths resolve", "[config]") {
    const fs::path file = hcp::test::assets_dir() / "config/demo-hall.toml";
    const hcp::Config cfg = hcp::load_config(file);
    const fs::path assets = hcp::test::assets_dir().lexically_normal();
    const fs::path data = (hcp::test::assets_dir() / "../var/demo").lexically_normal();

    CHECK(cfg.source == fs::absolute(file).lexically_normal());
    CHECK(cfg.hall.code == "DEMO-0001");
    CHECK(cfg.hall.area_code.size() == 12);
    CHECK(cfg.hall.level == hcp::HallLevel::county);
    CHECK(cfg.device.roles == std::set<hcp::DeviceRole>{hcp::DeviceRole::hub, hcp::DeviceRole::ticket,
                                                        hcp::DeviceRole::rater, hcp::DeviceRole::display});
    CHECK(cfg.device.window == 1);
    CHECK(cfg.device.hub_url.empty());
    CHECK(cfg.paths.assets == assets);
    CHECK(cfg.paths.data == data);
    CHECK(cfg.store.database == data / "hub.db");
    CHECK(cfg.store.key_file == data / "store.key");
    CHECK(cfg.rating.catalog == assets / "catalog/cn-004.toml");
    CHECK(cfg.calendar.files.empty());  // every notice of <assets>/calendars
    CHECK(cfg.calendar.shipped_dir == assets / "calendars");
    CHECK(cfg.calendar.local_dir == cfg.source.parent_path() / "calendars");
    CHECK(cfg.categories.size() == 4);
    CHECK(cfg.items.size() == 8);
    CHECK(cfg.windows.size() == 4);
    CHECK(cfg.staff.size() == 5);
    std::string prefixes;
    for (const auto& c : cfg.categories) prefixes += c.prefix;
    CHECK(prefixes == "ABCD");
}

TEST_CASE("The demo hall uses the Tai'an rule for unrated cases", "[config]") {
    const hcp::Config cfg = hcp::load_config(hcp::test::assets_dir() / "config/demo-hall.toml");
    const auto& u = cfg.rating.unrated;
    // policy/001 二(四)4: reminder after 1 working day, 满意 after 4 more working days.
    CHECK(u.reminder_unit == hcp::UnratedPolicy::ReminderUnit::working_days);
    CHECK(u.reminder_after == 1);
    CHECK(u.default_after_working_days == 4);
    CHECK(u.default_from == hcp::UnratedPolicy::DefaultFrom::reminder);
    CHECK(u.default_level == hcp::Level::satisfied);
}

TEST_CASE("A minimal configuration loads with the documented defaults", "[config]") {
    const hcp::Config cfg = parse(kBase);
    CHECK(cfg.source == "test.toml");
    CHECK(cfg.paths.assets == "/etc/hcp/assets");
    CHECK(cfg.paths.data == "/var/lib/hcp");
    CHECK(cfg.store.database == "/var/lib/hcp/hub.db");
    CHECK(cfg.store.key_file == "/var/lib/hcp/store.key");
    CHECK(cfg.store.min_free_mb == 64);
    CHECK(cfg.rating.timeout_seconds == 60);
    CHECK(cfg.rating.catalog == "/etc/hcp/assets/catalog/cn-004.toml");
    REQUIRE(cfg.categories.size() == 1);
    const auto& c = cfg.categories[0];
    CHECK(c.priority_ratio == 3);
    CHECK(c.max_wait_minutes == 60);
    CHECK(c.daily_cap == 0);
    CHECK(c.opens == "09:00");
    CHECK(c.closes == "17:00");
    CHECK(c.windows == std::vector<int>{1});
    CHECK(c.items == std::vector<std::string>{"ITEM1"});
    CHECK(cfg.windows.at(0).categories == std::vector<std::string>{"A1"});
    CHECK(cfg.items.at(0) == hcp::ServiceItem{"ITEM1", "事项一", "人社局"});
    CHECK(cfg.staff.at(0) == hcp::Staff{"1001", "王丽"});
}

TEST_CASE("A configuration without queue sections is valid", "[config]") {
    std::string text = kBase.substr(0, kBase.find("[[category]]"));
    const hcp::Config cfg = parse(text);
    CHECK(cfg.categories.empty());
    CHECK(cfg.windows.empty());
    CHECK(cfg.items.empty());
    CHECK(cfg.staff.empty());
}

TEST_CASE("Paths resolve against the config file's folder, paths.data and paths.assets", "[config]") {
    hcp::test::TempDir dir;
    fs::create_directories(dir.path() / "etc");
    std::string text = edit(kBase, "assets = \"assets\"", "assets = \"../share/hcp\"");
    text = edit(text, "data = \"/var/lib/hcp\"", "data = \"state\"");
    text = edit(text, "[rating]", "[store]\ndatabase = \"db/x.db\"\nkey_file = \"/opt/keys/./k.key\"\n\n[rating]");
    text = edit(text, "files = [\"calendars/cn-2026.toml\"]",
                "files = [\"calendars/cn-2026.toml\", \"/srv/cal/extra.toml\"]");
    hcp::test::write_file(dir / "etc/hall.toml", text);

    const hcp::Config cfg = hcp::load_config(dir / "etc/hall.toml");
    const fs::path base = dir.path().lexically_normal() / "etc";
    CHECK(cfg.paths.assets == (base / "../share/hcp").lexically_normal());
    CHECK(cfg.paths.data == base / "state");
    CHECK(cfg.store.database == base / "state/db/x.db");
    CHECK(cfg.store.key_file == "/opt/keys/./k.key");  // absolute paths stay as written
    CHECK(cfg.rating.catalog == (base / "../share/hcp/catalog/cn-004.toml").lexically_normal());
    REQUIRE(cfg.calendar.files.size() == 2);
    CHECK(cfg.calendar.files[1] == "/srv/cal/extra.toml");
}

TEST_CASE("Catalog and calendar files are not required to exist when loading", "[config]") {
    auto cfg = parse(edit("catalog = \"catalog/cn-004.toml\"", "catalog = \"nowhere/none.toml\""));
    CHECK(cfg.rating.catalog == "/etc/hcp/assets/nowhere/none.toml");
}

// ---------------------------------------------------------------------------------------------
// Messages

TEST_CASE("A config issue prints as file:line:column: key: message", "[config]") {
    CHECK(ConfigIssue{"f.toml", 3, 7, "hall.code", "bad"}.to_string() == "f.toml:3:7: hall.code: bad");
    CHECK(ConfigIssue{"f.toml", 0, 0, "hall", "missing"}.to_string() == "f.toml: hall: missing");
    CHECK(ConfigIssue{"f.toml", 4, 0, "x", "m"}.to_string() == "f.toml:4: x: m");
    CHECK(ConfigIssue{"f.toml", 1, 2, "", "syntax"}.to_string() == "f.toml:1:2: syntax");
}

TEST_CASE("A config error counts its problems and lists one per line", "[config]") {
    ConfigError e({{"a.toml", 1, 1, "hall.code", "bad"}, {"a.toml", 0, 0, "device", "missing"}});
    CHECK(e.code() == hcp::Errc::config_invalid);
    CHECK(std::string(e.what()) ==
          "configuration has 2 problem(s):\na.toml:1:1: hall.code: bad\na.toml: device: missing");
    CHECK(e.issues().size() == 2);
}

TEST_CASE("A config error with very many problems lists the first hundred", "[config]") {
    std::string text = kBase;
    std::string extra;
    for (int i = 0; i < 150; ++i) extra += "junk_key_" + std::to_string(i) + " = 1\n";
    text = edit(text, "[device]", extra + "\n[device]");
    try {
        parse(text);
        FAIL("accepted");
    } catch (const ConfigError& e) {
        CHECK(e.issues().size() == 150);
        std::string what = e.what();
        CHECK_THAT(what, Contains("configuration has 150 problem(s):"));
        CHECK_THAT(what, Contains("... and 50 more problem(s)"));
        CHECK(std::count(what.begin(), what.end(), '\n') == 101);
    }
}

// ---------------------------------------------------------------------------------------------
// did_you_mean

TEST_CASE("did_you_mean suggests the closest key for a typo", "[config][did_you_mean]") {
    std::vector<std::string> keys{"code", "name", "area_code", "level"};
    CHECK(hcp::did_you_mean("aera_code", keys) == "area_code");
    CHECK(hcp::did_you_mean("nam", keys) == "name");
    CHECK(hcp::did_you_mean("levl", keys) == "level");
    // Two neighbouring letters swapped count as one edit.
    CHECK(hcp::did_you_mean("levle", keys) == "level");
    CHECK(hcp::did_you_mean("nmae", keys) == "name");
    CHECK(hcp::did_you_mean("lable", {"label", "code"}) == "label");
    CHECK(hcp::did_you_mean("Level", keys) == "level");
}

TEST_CASE("did_you_mean stays silent when nothing is close", "[config][did_you_mean]") {
    std::vector<std::string> keys{"code", "name", "area_code", "level"};
    CHECK(hcp::did_you_mean("printer", keys).empty());
    CHECK(hcp::did_you_mean("x", {}).empty());
    CHECK(hcp::did_you_mean(std::string(100000, 'a'), keys).empty());
}

TEST_CASE("did_you_mean allows a distance of a third of the word, at least one", "[config][did_you_mean]") {
    CHECK(hcp::did_you_mean("ab", {"xb"}) == "xb");              // len 2 → 1 edit allowed
    CHECK(hcp::did_you_mean("ab", {"xy"}).empty());              // 2 edits
    CHECK(hcp::did_you_mean("abcdef", {"abcxyf"}) == "abcxyf");  // len 6 → 2 edits
    CHECK(hcp::did_you_mean("abcdef", {"axyzef"}).empty());      // 3 edits
}

TEST_CASE("did_you_mean picks the best match and the first on a tie", "[config][did_you_mean]") {
    CHECK(hcp::did_you_mean("windws", {"window", "windows"}) == "windows");
    CHECK(hcp::did_you_mean("cat", {"bat", "cut"}) == "bat");
    CHECK(hcp::did_you_mean("cat", {"cut", "bat"}) == "cut");
}

TEST_CASE("did_you_mean counts code points, not bytes", "[config][did_you_mean]") {
    // 名字 vs 名称: one code point differs (three bytes).
    CHECK(hcp::did_you_mean("名字", {"名称"}) == "名称");
    CHECK(hcp::did_you_mean("窗口号", {"窗口名"}) == "窗口名");
    CHECK(hcp::did_you_mean("\xff\xfe", {"ab"}).empty());
}

// ---------------------------------------------------------------------------------------------
// Unknown keys

TEST_CASE("An unknown key suggests the key that was meant", "[config]") {
    std::string text = edit("area_code = ", "aera_code = ");
    auto i = issue_for(text, "hall.aera_code");
    CHECK_THAT(i.message, Contains("did you mean 'area_code'?"));
    CHECK(i.line == line_of(text, "aera_code"));
    CHECK(i.file == "test.toml");
    CHECK(mentions(problems(text), "hall.area_code"));  // and the real key is still missing
}

TEST_CASE("An unknown top-level section is reported with a suggestion", "[config]") {
    auto text = edit("[calendar]", "[calender]");
    CHECK_THAT(issue_for(text, "calender").message, Contains("did you mean 'calendar'?"));
    auto other = kBase + "\n[scanner]\nport = 9100\n";
    auto i = issue_for(other, "scanner");
    CHECK_THAT(i.message, Contains("allowed here:"));
    CHECK(i.line == line_of(other, "[scanner]"));
}

TEST_CASE("Unknown keys are found in every table and every array entry", "[config]") {
    std::string text = edit("id = \"dev-1\"", "id = \"dev-1\"\nrole = [\"hub\"]");
    text = edit(text, "data = \"/var/lib/hcp\"", "data = \"/var/lib/hcp\"\nlogs = \"x\"");
    text = edit(text, "preset = \"taian\"", "preset = \"taian\"\nlevel = 4");
    text = edit(text, "prefix = \"A\"", "prefix = \"A\"\ncolour = \"red\"");
    text = edit(text, "department = \"人社局\"", "department = \"人社局\"\ndept = \"x\"");
    text = edit(text, "categories = [\"A1\"]", "categories = [\"A1\"]\ncategory = [\"A1\"]");
    text = edit(text, "name = \"王丽\"", "name = \"王丽\"\nphone = \"123\"");
    text = edit(text, "files = [", "file = 1\nfiles = [");
    auto issues = problems(text);
    INFO(listing(issues));
    CHECK(mentions(issues, "device.role"));
    CHECK(mentions(issues, "paths.logs"));
    CHECK(mentions(issues, "rating.unrated.level"));
    CHECK(mentions(issues, "category[0].colour"));
    CHECK(mentions(issues, "item[0].dept"));
    CHECK(mentions(issues, "window[0].category"));
    CHECK(mentions(issues, "staff[0].phone"));
    CHECK(mentions(issues, "calendar.file"));
    CHECK(issues.size() == 8);
    CHECK_THAT(issue_for(text, "device.role").message, Contains("did you mean 'roles'?"));
}

// ---------------------------------------------------------------------------------------------
// [hall]

TEST_CASE("The hall code allows letters, digits, '_' and '-' up to 32", "[config][hall]") {
    CHECK_THAT(issue_for(edit("code = \"T-1\"", "code = \"T 1\""), "hall.code").message,
               Contains("1 to 32 characters"));
    CHECK(mentions(problems(edit("code = \"T-1\"", "code = \"" + std::string(33, 'X') + "\"")), "hall.code"));
    CHECK(mentions(problems(edit("code = \"T-1\"", "code = \"\"")), "hall.code"));
    CHECK(parse(edit("code = \"T-1\"", "code = \"" + std::string(32, 'X') + "\"")).hall.code.size() == 32);
}

TEST_CASE("The hall name is required and not blank", "[config][hall]") {
    CHECK_THAT(issue_for(edit("name = \"测试大厅\"\n", ""), "hall.name").message, Contains("missing"));
    CHECK_THAT(issue_for(edit("name = \"测试大厅\"", "name = \"  \""), "hall.name").message,
               Contains("must not be empty"));
    CHECK(mentions(problems(edit("name = \"测试大厅\"", "name = \"\xE3\x80\x80\"")), "hall.name"));
}

TEST_CASE("The area code must have exactly 12 digits", "[config][hall]") {
    auto six = issue_for(edit("\"370921000000\"", "\"370921\""), "hall.area_code");
    CHECK_THAT(six.message, Contains("pad a 6-digit code with zeros: '370921000000'"));
    CHECK(mentions(problems(edit("\"370921000000\"", "\"37092100000\"")), "hall.area_code"));
    CHECK(mentions(problems(edit("\"370921000000\"", "\"3709210000001\"")), "hall.area_code"));
    CHECK(mentions(problems(edit("\"370921000000\"", "\"37092100000A\"")), "hall.area_code"));
    CHECK(mentions(problems(edit("\"370921000000\"", "\"３７０９２１０００００\"")), "hall.area_code"));
}

TEST_CASE("The hall level is one of the five administrative levels", "[config][hall]") {
    for (auto level : {"province", "city", "county", "township", "village"})
        CHECK_NOTHROW(parse(edit("level = \"county\"", std::string("level = \"") + level + "\"")));
    CHECK_THAT(issue_for(edit("level = \"county\"", "level = \"district\""), "hall.level").message,
               Contains("province, city, county, township, village"));
}

// ---------------------------------------------------------------------------------------------
// [device]

TEST_CASE("The device id allows letters, digits, '_' and '-' up to 32", "[config][device]") {
    CHECK(mentions(problems(edit("id = \"dev-1\"", "id = \"dev/1\"")), "device.id"));
    CHECK(mentions(problems(edit("id = \"dev-1\"", "id = \"" + std::string(33, 'd') + "\"")), "device.id"));
}

TEST_CASE("Device roles must be known, listed once and at least one", "[config][device]") {
    const std::string roles = "roles = [\"hub\", \"rater\"]";
    auto unknown = issue_for(edit(roles, "roles = [\"hub\", \"ratr\"]"), "device.roles[1]");
    CHECK_THAT(unknown.message, Contains("did you mean 'rater'?"));
    CHECK_THAT(issue_for(edit(roles, "roles = [\"hub\", \"hub\", \"rater\"]"), "device.roles[1]").message,
               Contains("listed twice"));
    CHECK_THAT(issue_for(edit(roles, "roles = []"), "device.roles").message, Contains("at least one"));
    CHECK(mentions(problems(edit(roles, "roles = [\"hub\", 3]")), "device.roles[1]"));
    auto cfg = parse(edit(roles, "roles = [\"hub\", \"ticket\", \"rater\", \"selfservice\", \"display\"]"));
    CHECK(cfg.device.roles.size() == 5);
}

TEST_CASE("A rater device needs its window number", "[config][device]") {
    auto missing = issue_for(edit("window = 1\n", ""), "device.window");
    CHECK_THAT(missing.message, Contains("role 'rater' needs the number of its window"));
    auto zero_text = edit("window = 1\n", "window = 0\n");
    auto zero = issue_for(zero_text, "device.window");
    CHECK(zero.line == line_of(zero_text, "window = 0"));
    auto big = problems(edit("window = 1\n", "window = 1000\n"));
    CHECK(big.size() == 1);  // out of range, reported once
    // Without the rater role the window may be left out.
    CHECK_NOTHROW(parse(edit(edit("window = 1\n", ""), "\"hub\", \"rater\"", "\"hub\"")));
}

TEST_CASE("The device window must be one of the configured windows", "[config][device]") {
    auto text = edit("window = 1\n", "window = 7\n");
    auto i = issue_for(text, "device.window");
    CHECK_THAT(i.message, Contains("window 7 is not a configured [[window]]"));
    CHECK(i.line == line_of(text, "window = 7"));
    // Without [[window]] entries any number is accepted.
    auto no_queue = kBase.substr(0, kBase.find("[[category]]"));
    CHECK(parse(edit(no_queue, "window = 1\n", "window = 7\n")).device.window == 7);
}

TEST_CASE("A device that is not the hub needs a valid hub_url", "[config][device]") {
    const std::string roles = "roles = [\"hub\", \"rater\"]";
    auto no_hub = edit(roles, "roles = [\"rater\"]");
    CHECK_THAT(issue_for(no_hub, "device.hub_url").message, Contains("required when roles does not contain 'hub'"));
    CHECK(mentions(problems(edit(no_hub, "window = 1", "window = 1\nhub_url = \"\"")), "device.hub_url"));
    auto ok = parse(edit(no_hub, "window = 1",
                         "window = 1\nhub_url = \"http://192.168.1.10:8080\"\nhub_token_file = \"hub.token\""));
    CHECK(ok.device.hub_url == "http://192.168.1.10:8080");
    CHECK(ok.device.hub_token_file == fs::path("/var/lib/hcp/hub.token"));
    CHECK_NOTHROW(parse(
        edit(no_hub, "window = 1", "window = 1\nhub_url = \"https://hub.local/\"\nhub_token_file = \"/etc/hcp/t\"")));
    // Without its token a terminal could never talk to the hub: refused at load, not at 401.
    CHECK_THAT(issue_for(edit(no_hub, "window = 1", "window = 1\nhub_url = \"http://192.168.1.10:8080\""),
                         "device.hub_token_file")
                   .message,
               Contains("required with hub_url"));
    for (auto bad : {"ftp://hub", "hub:8080", "http://", "http:///x", "http://hub 1:8080", "HTTP://hub"}) {
        INFO(bad);
        CHECK_THAT(issue_for(edit(no_hub, "window = 1", std::string("window = 1\nhub_url = \"") + bad + "\""),
                             "device.hub_url")
                       .message,
                   Contains("http:// or https://"));
    }
}

TEST_CASE("The hub itself has no hub_url", "[config][device]") {
    auto text = edit("window = 1", "window = 1\nhub_url = \"http://10.0.0.1:8080\"");
    auto i = issue_for(text, "device.hub_url");
    CHECK_THAT(i.message, Contains("this device is the hub"));
    CHECK(i.line == line_of(text, "hub_url"));
    CHECK_NOTHROW(parse(edit("window = 1", "window = 1\nhub_url = \"\"")));
    CHECK_THAT(
        issue_for(edit("window = 1", "window = 1\nhub_token_file = \"hub.token\""), "device.hub_token_file").message,
        Contains("this device is the hub"));
}

// ---------------------------------------------------------------------------------------------
// [paths], [store]

TEST_CASE("Both data and asset paths are required and not empty", "[config][paths]") {
    CHECK(mentions(problems(edit("assets = \"assets\"\n", "")), "paths.assets"));
    CHECK(mentions(problems(edit("assets = \"assets\"", "assets = \"\"")), "paths.assets"));
    CHECK_THAT(issue_for(edit("data = \"/var/lib/hcp\"", "data = \"~/hcp\""), "paths.data").message,
               Contains("'~' is not expanded"));
    CHECK(mentions(problems(edit("data = \"/var/lib/hcp\"", "data = \"/var/" + std::string(2000, 'x') + "\"")),
                   "paths.data"));
}

TEST_CASE("The store section is optional and checks its values", "[config][store]") {
    auto with_store = [](const std::string& body) { return edit("[rating]", "[store]\n" + body + "\n\n[rating]"); };
    CHECK(parse(with_store("min_free_mb = 1")).store.min_free_mb == 1);
    CHECK(parse(with_store("min_free_mb = 1048576")).store.min_free_mb == 1048576);
    CHECK(mentions(problems(with_store("min_free_mb = 0")), "store.min_free_mb"));
    CHECK(mentions(problems(with_store("min_free_mb = 1048577")), "store.min_free_mb"));
    CHECK(mentions(problems(with_store("database = \"\"")), "store.database"));
    CHECK_THAT(issue_for(with_store("database = \"a.db\"\nkey_file = \"./a.db\""), "store.key_file").message,
               Contains("same file as store.database"));
    CHECK(mentions(problems(with_store("database = \"store.key\"")), "store.key_file"));
    CHECK(mentions(problems(with_store("path = \"x\"")), "store.path"));
}

// ---------------------------------------------------------------------------------------------
// [rating]

TEST_CASE("The rating section needs a catalog and a timeout in range", "[config][rating]") {
    CHECK(mentions(problems(edit("catalog = \"catalog/cn-004.toml\"\n", "")), "rating.catalog"));
    CHECK(parse(edit("catalog = \"catalog/cn-004.toml\"", "catalog = \"catalog/cn-004.toml\"\ntimeout_seconds = 10"))
              .rating.timeout_seconds == 10);
    CHECK(mentions(
        problems(edit("catalog = \"catalog/cn-004.toml\"", "catalog = \"catalog/cn-004.toml\"\ntimeout_seconds = 9")),
        "rating.timeout_seconds"));
    CHECK(mentions(
        problems(edit("catalog = \"catalog/cn-004.toml\"", "catalog = \"catalog/cn-004.toml\"\ntimeout_seconds = 601")),
        "rating.timeout_seconds"));
}

TEST_CASE("The unrated rule must be chosen explicitly", "[config][rating]") {
    auto text = edit("[rating.unrated]\npreset = \"taian\"\n", "");
    CHECK_THAT(issue_for(text, "rating.unrated").message,
               Contains("preset = \"xilinguole\", \"taian\", \"gansu\" or \"county\""));
}

TEST_CASE("The gansu preset gives a 24-hour reminder and 基本满意 after 5 working days", "[config][rating]") {
    auto u = parse(edit("preset = \"taian\"", "preset = \"gansu\"")).rating.unrated;
    CHECK(u.reminder_unit == hcp::UnratedPolicy::ReminderUnit::hours);
    CHECK(u.reminder_after == 24);
    CHECK(u.default_after_working_days == 5);
    CHECK(u.default_from == hcp::UnratedPolicy::DefaultFrom::completion);
    CHECK(u.default_level == hcp::Level::basically_satisfied);
}

TEST_CASE("An unknown preset names the known ones", "[config][rating]") {
    CHECK_THAT(issue_for(edit("preset = \"taian\"", "preset = \"beijing\""), "rating.unrated.preset").message,
               Contains("\"taian\" (policy/001), \"gansu\" (policy/002)"));
}

TEST_CASE("Explicit unrated values next to a preset are an error", "[config][rating]") {
    auto text = edit("preset = \"taian\"", "preset = \"taian\"\ndefault_level = 3\nreminder_after_hours = 24");
    CHECK(problems(text).size() == 2);
    auto level = issue_for(text, "rating.unrated.default_level");
    CHECK_THAT(level.message, Contains("remove either preset or default_level"));
    CHECK(level.line == line_of(text, "default_level"));
    CHECK_THAT(issue_for(text, "rating.unrated.reminder_after_hours").message,
               Contains("remove either preset or reminder_after_hours"));
}

TEST_CASE("Explicit unrated values load without a preset", "[config][rating]") {
    auto u = parse(edit("preset = \"taian\"",
                        "reminder_after_hours = 48\ndefault_after_working_days = 7\n"
                        "default_counted_from = \"completion\"\ndefault_level = 5"))
                 .rating.unrated;
    CHECK(u.reminder_unit == hcp::UnratedPolicy::ReminderUnit::hours);
    CHECK(u.reminder_after == 48);
    CHECK(u.default_after_working_days == 7);
    CHECK(u.default_from == hcp::UnratedPolicy::DefaultFrom::completion);
    CHECK(u.default_level == hcp::Level::very_satisfied);

    auto d = parse(edit("preset = \"taian\"",
                        "reminder_after_working_days = 2\ndefault_after_working_days = 3\n"
                        "default_counted_from = \"reminder\"\ndefault_level = 3"))
                 .rating.unrated;
    CHECK(d.reminder_unit == hcp::UnratedPolicy::ReminderUnit::working_days);
    CHECK(d.reminder_after == 2);
    CHECK(d.default_level == hcp::Level::basically_satisfied);
}

TEST_CASE("Explicit unrated values are each checked", "[config][rating]") {
    const std::string good =
        "reminder_after_hours = 24\ndefault_after_working_days = 5\n"
        "default_counted_from = \"completion\"\ndefault_level = 3";
    auto with = [&](const std::string& from, const std::string& to) {
        return edit("preset = \"taian\"", edit(good, from, to));
    };
    CHECK_NOTHROW(parse(edit("preset = \"taian\"", good)));
    CHECK_THAT(
        issue_for(with("reminder_after_hours = 24", "reminder_after_hours = 24\nreminder_after_working_days = 1"),
                  "rating.unrated.reminder_after_working_days")
            .message,
        Contains("only one of"));
    CHECK(mentions(problems(with("reminder_after_hours = 24\n", "")), "rating.unrated.reminder_after_hours"));
    CHECK_NOTHROW(parse(with("= 24", "= 0")));  // a reminder at completion
    CHECK(mentions(problems(with("= 24", "= -1")), "rating.unrated.reminder_after_hours"));
    CHECK(mentions(problems(with("= 24", "= 721")), "rating.unrated.reminder_after_hours"));
    CHECK(mentions(problems(with("reminder_after_hours = 24", "reminder_after_working_days = 31")),
                   "rating.unrated.reminder_after_working_days"));
    CHECK(mentions(problems(with("default_after_working_days = 5", "default_after_working_days = 61")),
                   "rating.unrated.default_after_working_days"));
    CHECK(
        mentions(problems(with("default_after_working_days = 5\n", "")), "rating.unrated.default_after_working_days"));
    CHECK_THAT(issue_for(with("\"completion\"", "\"accepted\""), "rating.unrated.default_counted_from").message,
               Contains("\"reminder\" or \"completion\""));
    CHECK(mentions(problems(with("default_level = 3", "default_level = 6")), "rating.unrated.default_level"));
    // Without default_level: no default rating, and the keys that time one are refused.
    CHECK_THAT(issue_for(with("\ndefault_level = 3", ""), "rating.unrated.default_after_working_days").message,
               Contains("has no effect without default_level"));
}

TEST_CASE("A default rating is never a 差评", "[config][rating]") {
    const std::string explicit_values =
        "reminder_after_hours = 24\ndefault_after_working_days = 5\n"
        "default_counted_from = \"completion\"\ndefault_level = ";
    for (auto level : {"1", "2"}) {
        auto i = issue_for(edit("preset = \"taian\"", explicit_values + level), "rating.unrated.default_level");
        CHECK_THAT(i.message, Contains("never a 差评"));
    }
}

TEST_CASE("Counted from completion, the default must come after the reminder", "[config][rating]") {
    auto days = edit("preset = \"taian\"",
                     "reminder_after_working_days = 5\ndefault_after_working_days = 5\n"
                     "default_counted_from = \"completion\"\ndefault_level = 4");
    CHECK_THAT(issue_for(days, "rating.unrated.default_after_working_days").message, Contains("before the reminder"));
    auto hours = edit("preset = \"taian\"",
                      "reminder_after_hours = 72\ndefault_after_working_days = 3\n"
                      "default_counted_from = \"completion\"\ndefault_level = 4");
    CHECK(mentions(problems(hours), "rating.unrated.default_after_working_days"));
    // Counted from the reminder, any order is fine.
    CHECK_NOTHROW(parse(edit("preset = \"taian\"",
                             "reminder_after_working_days = 5\ndefault_after_working_days = 1\n"
                             "default_counted_from = \"reminder\"\ndefault_level = 4")));
}

// ---------------------------------------------------------------------------------------------
// [calendar]

TEST_CASE("Calendar files, when listed, are listed once, and without the list every shipped notice loads",
          "[config][calendar]") {
    CHECK(mentions(problems(edit("files = [\"calendars/cn-2026.toml\"]", "files = []")), "calendar.files"));
    CHECK(mentions(problems(edit("files = [\"calendars/cn-2026.toml\"]", "files = [\"a.toml\", \"a.toml\"]")),
                   "calendar.files[1]"));
    CHECK(mentions(problems(edit("files = [\"calendars/cn-2026.toml\"]", "files = [\"\"]")), "calendar.files[0]"));
    auto cfg = parse(edit("files = [\"calendars/cn-2026.toml\"]", ""));
    CHECK(cfg.calendar.files.empty());
    auto local = parse(edit("files = [\"calendars/cn-2026.toml\"]", "local_dir = \"/srv/hall-calendars\""));
    CHECK(local.calendar.local_dir == "/srv/hall-calendars");
    CHECK(mentions(problems(edit("files = [\"calendars/cn-2026.toml\"]", "local_dir = \"\"")), "calendar.local_dir"));
}

// ---------------------------------------------------------------------------------------------
// [[category]], [[item]], [[window]], [[staff]]

TEST_CASE("Category codes are short identifiers and unique", "[config][category]") {
    CHECK(mentions(problems(edit("code = \"A1\"", "code = \"A 1\"")), "category[0].code"));
    CHECK(mentions(problems(edit("code = \"A1\"", "code = \"" + std::string(17, 'C') + "\"")), "category[0].code"));
    auto second = kBase + "\n[[category]]\ncode = \"A1\"\nname = \"x\"\nprefix = \"B\"\nwindows = [1]\n";
    auto i = issue_for(second, "category[1].code");
    CHECK_THAT(i.message, Contains("'A1' is already used by category[0]"));
    CHECK(i.line == line_of(second, "code = \"A1\"\nname = \"x\""));
}

TEST_CASE("Category prefixes are one uppercase letter, unique", "[config][category]") {
    for (auto bad : {"a", "AB", "1", "", "Ａ"}) {
        INFO(bad);
        CHECK(
            mentions(problems(edit("prefix = \"A\"", std::string("prefix = \"") + bad + "\"")), "category[0].prefix"));
    }
    auto dup = edit("windows = [1]\nitems = [\"ITEM1\"]",
                    "windows = [1]\nitems = [\"ITEM1\"]\n\n[[category]]\ncode = \"B1\"\nname = \"y\"\n"
                    "prefix = \"A\"\nwindows = [1]");
    dup = edit(dup, "categories = [\"A1\"]", "categories = [\"A1\", \"B1\"]");
    auto i = issue_for(dup, "category[1].prefix");
    CHECK_THAT(i.message, Contains("already used by category[0]"));
}

TEST_CASE("Category numbers and hours are checked against their ranges", "[config][category]") {
    auto with = [](const std::string& line) { return edit("prefix = \"A\"", "prefix = \"A\"\n" + line); };
    auto cfg =
        parse(with("priority_ratio = 20\nmax_wait_minutes = 5\ndaily_cap = 9999\nopens = "
                   "\"00:00\"\ncloses = \"23:59\""));
    CHECK(cfg.categories[0].priority_ratio == 20);
    CHECK(cfg.categories[0].daily_cap == 9999);
    CHECK(cfg.categories[0].opens == "00:00");
    CHECK(mentions(problems(with("priority_ratio = 0")), "category[0].priority_ratio"));
    CHECK(mentions(problems(with("priority_ratio = 21")), "category[0].priority_ratio"));
    CHECK(mentions(problems(with("max_wait_minutes = 4")), "category[0].max_wait_minutes"));
    CHECK(mentions(problems(with("max_wait_minutes = 601")), "category[0].max_wait_minutes"));
    CHECK(mentions(problems(with("daily_cap = -1")), "category[0].daily_cap"));
    CHECK(mentions(problems(with("daily_cap = 10000")), "category[0].daily_cap"));
    for (auto bad : {"9:00", "24:00", "08:60", "0800", "08:00:00", "ab:cd"}) {
        INFO(bad);
        CHECK_THAT(issue_for(with(std::string("opens = \"") + bad + "\""), "category[0].opens").message,
                   Contains("HH:MM"));
    }
    CHECK(mentions(problems(with("opens = 08:30:00")),
                   "category[0].opens"));  // a TOML time, not text
    CHECK_THAT(issue_for(with("opens = \"12:00\"\ncloses = \"12:00\""), "category[0].closes").message,
               Contains("later than opens"));
    CHECK(mentions(problems(with("closes = \"08:00\"")),
                   "category[0].closes"));  // default opens 09:00
}

TEST_CASE("A category lists at least one window, each once", "[config][category]") {
    CHECK(mentions(problems(edit("windows = [1]", "windows = []")), "category[0].windows"));
    CHECK(mentions(problems(edit("windows = [1]\n", "")), "category[0].windows"));
    CHECK_THAT(issue_for(edit("windows = [1]", "windows = [1, 1]"), "category[0].windows[1]").message,
               Contains("listed twice"));
    CHECK(mentions(problems(edit("windows = [1]", "windows = [0]")), "category[0].windows[0]"));
    CHECK(mentions(problems(edit("windows = [1]", "windows = [\"1\"]")), "category[0].windows[0]"));
}

TEST_CASE("A category naming an unknown window points at that value", "[config][category]") {
    auto text = edit("windows = [1]", "windows = [1,\n  5]");
    auto i = issue_for(text, "category[0].windows[1]");
    CHECK_THAT(i.message, Contains("window 5 is not a configured [[window]]"));
    CHECK(i.line == line_of(text, "  5]"));
    CHECK(i.column == 3);
}

TEST_CASE("A category naming an unknown item points at that value", "[config][category]") {
    auto text = edit("items = [\"ITEM1\"]", "items = [\"ITEM1\", \"ITEM9\"]");
    auto i = issue_for(text, "category[0].items[1]");
    CHECK_THAT(i.message, Contains("'ITEM9' is not a configured [[item]] code"));
    CHECK(i.line == line_of(text, "ITEM9"));
}

TEST_CASE("Categories and windows must name each other", "[config][category]") {
    auto text = edit("[[staff]]", "[[window]]\nnumber = 2\nname = \"二号窗口\"\n\n[[staff]]");
    text = edit(text, "windows = [1]", "windows = [1, 2]");
    auto i = issue_for(text, "category[0].windows[1]");
    CHECK_THAT(i.message, Contains("lists window 2, but that [[window]] does not list category 'A1'"));
    auto other = edit("[[staff]]", "[[window]]\nnumber = 2\nname = \"二号窗口\"\ncategories = [\"A1\"]\n\n[[staff]]");
    auto j = issue_for(other, "window[1].categories[0]");
    CHECK_THAT(j.message, Contains("does not list window 2"));
}

TEST_CASE("A window naming an unknown category points at that value", "[config][window]") {
    auto text = edit("categories = [\"A1\"]", "categories = [\"A1\", \"ZZ\"]");
    auto i = issue_for(text, "window[0].categories[1]");
    CHECK_THAT(i.message, Contains("'ZZ' is not a configured [[category]] code"));
    CHECK(i.line == line_of(text, "\"ZZ\""));
}

TEST_CASE("Window numbers are 1 to 999 and unique", "[config][window]") {
    CHECK(mentions(problems(edit("number = 1\n", "number = 0\n")), "window[0].number"));
    CHECK(mentions(problems(edit("number = 1\n", "number = 1000\n")), "window[0].number"));
    CHECK(mentions(problems(edit("number = 1\nname = \"一号窗口\"\n", "name = \"一号窗口\"\n")), "window[0].number"));
    auto dup = edit("[[staff]]", "[[window]]\nnumber = 1\nname = \"又一号\"\n\n[[staff]]");
    CHECK_THAT(issue_for(dup, "window[1].number").message, Contains("already used by window[0]"));
    CHECK(mentions(problems(edit("name = \"一号窗口\"", "name = \"\"")), "window[0].name"));
}

TEST_CASE("A window's receipt printer is read on the hub with its profile and jobs folder", "[config][window]") {
    const std::string with =
        edit("categories = [\"A1\"]\n", "categories = [\"A1\"]\nreceipt_printer = \"tcp:10.0.0.31:9100\"\n");
    auto cfg = parse(with);
    REQUIRE(cfg.receipt_printers.size() == 1);
    CHECK(cfg.receipt_printers[0].window == 1);
    CHECK(cfg.receipt_printers[0].printer.transport_text == "tcp:10.0.0.31:9100");
    CHECK(cfg.receipt_printers[0].printer.profile == "generic-80");  // receipts are usually 80 mm
    CHECK(cfg.receipt_printers[0].printer.jobs_dir == fs::path("/var/lib/hcp/print-jobs/window-1"));
    auto narrow = parse(edit(with, "9100\"\n", "9100\"\nreceipt_printer_profile = \"generic-58\"\n"));
    CHECK(narrow.receipt_printers.at(0).printer.profile == "generic-58");
    CHECK(parse(kBase).receipt_printers.empty());
}

TEST_CASE("A window's receipt printer refuses bad transports, a lone profile and non-hub devices", "[config][window]") {
    auto bad = edit("categories = [\"A1\"]\n", "categories = [\"A1\"]\nreceipt_printer = \"lpt1\"\n");
    CHECK(issue_for(bad, "window[0].receipt_printer").line == line_of(bad, "receipt_printer"));
    auto number = edit("categories = [\"A1\"]\n", "categories = [\"A1\"]\nreceipt_printer = 9100\n");
    CHECK(mentions(problems(number), "window[0].receipt_printer"));
    auto lone = edit("categories = [\"A1\"]\n", "categories = [\"A1\"]\nreceipt_printer_profile = \"generic-58\"\n");
    CHECK_THAT(issue_for(lone, "window[0].receipt_printer_profile").message, Contains("receipt_printer is not"));
    auto empty = edit("categories = [\"A1\"]\n",
                      "categories = [\"A1\"]\nreceipt_printer = \"tcp:10.0.0.31\"\nreceipt_printer_profile = \"\"\n");
    CHECK(mentions(problems(empty), "window[0].receipt_printer_profile"));
    // A window terminal (not the hub) naming one: the hub prints receipts, so it is refused.
    auto terminal =
        edit(edit(edit("categories = [\"A1\"]\n", "categories = [\"A1\"]\nreceipt_printer = \"tcp:10.0.0.31\"\n"),
                  "\"hub\", \"rater\"", "\"rater\""),
             "window = 1\n", "window = 1\nhub_url = \"http://192.168.1.10:8787\"\nhub_token_file = \"hub.token\"\n");
    CHECK_THAT(issue_for(terminal, "window[0].receipt_printer").message, Contains("only the hub prints receipts"));
    // One printer, one queue: a second window (or the device's own [printer]) on the same one is refused.
    auto twice =
        edit(edit("categories = [\"A1\"]\n", "categories = [\"A1\"]\nreceipt_printer = \"tcp:10.0.0.31\"\n"),
             "[[staff]]", "[[window]]\nnumber = 2\nname = \"二号\"\nreceipt_printer = \"tcp:10.0.0.31\"\n\n[[staff]]");
    CHECK_THAT(issue_for(twice, "window[1].receipt_printer").message,
               Contains("same printer as window[0].receipt_printer"));
    auto own =
        edit(edit("categories = [\"A1\"]\n", "categories = [\"A1\"]\nreceipt_printer = \"device:/dev/usb/lp0\"\n"),
             "[[category]]", "[printer]\ntransport = \"device:/dev/usb/lp0\"\n\n[[category]]");
    CHECK_THAT(issue_for(own, "window[0].receipt_printer").message, Contains("same printer as printer.transport"));
    CHECK_THAT(issue_for(edit("categories = [\"A1\"]\n", "categories = [\"A1\"]\nreceipt_printr = \"tcp:x\"\n"),
                         "window[0].receipt_printr")
                   .message,
               Contains("receipt_printer"));
}

TEST_CASE("Item codes are alphanumeric 实施编码 up to 32, unique", "[config][item]") {
    auto item_code = [](const std::string& code) {
        auto t = edit("code = \"ITEM1\"", "code = \"" + code + "\"");
        return edit(t, "items = [\"ITEM1\"]", "items = [\"" + code + "\"]");
    };
    CHECK_NOTHROW(parse(item_code("11370921MB2856789P1000109001000")));
    CHECK_NOTHROW(parse(item_code(std::string(32, '9'))));
    CHECK(mentions(problems(item_code(std::string(33, '9'))), "item[0].code"));
    CHECK(mentions(problems(item_code("1137-0921")), "item[0].code"));
    CHECK(mentions(problems(item_code("事项")), "item[0].code"));
    auto dup = kBase + "\n[[item]]\ncode = \"ITEM1\"\nname = \"重复\"\ndepartment = \"x\"\n";
    CHECK_THAT(issue_for(dup, "item[1].code").message, Contains("already used by item[0]"));
    CHECK(mentions(problems(edit("department = \"人社局\"\n", "")), "item[0].department"));
    CHECK(mentions(problems(edit("name = \"事项一\"\n", "")), "item[0].name"));
}

TEST_CASE("Staff numbers (工号) are alphanumeric up to 10 without '-', unique", "[config][staff]") {
    auto number = [](const std::string& n) { return edit("number = \"1001\"", "number = \"" + n + "\""); };
    CHECK_NOTHROW(parse(number("A123456789")));
    CHECK_THAT(issue_for(number("10-01"), "staff[0].number").message, Contains("no '-'"));
    CHECK(mentions(problems(number("12345678901")), "staff[0].number"));
    CHECK(mentions(problems(number("")), "staff[0].number"));
    CHECK(mentions(problems(number("10 01")), "staff[0].number"));
    auto dup = kBase + "\n[[staff]]\nnumber = \"1001\"\nname = \"李四\"\n";
    CHECK_THAT(issue_for(dup, "staff[1].number").message, Contains("already used by staff[0]"));
    CHECK(mentions(problems(edit("name = \"王丽\"", "name = \"" + std::string(91, 'x') + "\"")), "staff[0].name"));
}

TEST_CASE("Array sections must be written as double-bracket section entries", "[config]") {
    auto text = kBase.substr(0, kBase.find("[[category]]")) + "[category]\ncode = \"A1\"\n";
    CHECK_THAT(issue_for(text, "category").message, Contains("[[category]] entries"));
    CHECK(mentions(problems(kBase + "\nstaff_extra = 1\n"), "staff[0].staff_extra"));
    auto mixed = kBase.substr(0, kBase.find("[[category]]"));
    mixed = edit(mixed, "[hall]", "item = [1, 2]\n\n[hall]");
    CHECK(mentions(problems(mixed), "item"));
}

// ---------------------------------------------------------------------------------------------
// Hostile and broken input

TEST_CASE("A TOML syntax error reports the file and line", "[config][hostile]") {
    auto text = edit("level = \"county\"", "level = \"county");
    auto issues = problems(text);
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].line == line_of(text, "level ="));
    CHECK_THAT(issues[0].to_string(), Contains("test.toml:" + std::to_string(issues[0].line) + ":"));
    CHECK_THAT(issues[0].message, Contains("TOML syntax error"));
}

TEST_CASE("NUL bytes are refused as not text", "[config][hostile]") {
    std::string text = kBase;
    text.insert(10, std::string("\0\0", 2));
    auto issues = problems(text);
    REQUIRE(issues.size() == 1);
    CHECK_THAT(issues[0].message, Contains("NUL"));
}

TEST_CASE("Binary garbage is a clean error", "[config][hostile]") {
    std::string junk;
    unsigned x = 12345;
    for (int i = 0; i < 4096; ++i) {
        x = x * 1103515245u + 12345u;
        junk.push_back(static_cast<char>((x >> 16) & 0xFF));
    }
    junk.erase(std::remove(junk.begin(), junk.end(), '\0'), junk.end());
    auto issues = problems(junk);
    CHECK(!issues.empty());
    CHECK(issues[0].file == "test.toml");
}

TEST_CASE("A 10 MB file is refused before parsing", "[config][hostile]") {
    std::string junk(10 * 1024 * 1024, 'x');
    auto issues = problems(junk);
    REQUIRE(issues.size() == 1);
    CHECK_THAT(issues[0].message, Contains("at most 1048576 bytes"));
}

TEST_CASE("Invalid UTF-8 is a syntax error with a position", "[config][hostile]") {
    auto text = edit("name = \"测试大厅\"", "name = \"\xff\xfe\"");
    auto issues = problems(text);
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].line == line_of(text, "name = "));
    auto in_comment = edit("[device]", "# \xc3\x28 broken\n[device]");
    CHECK(problems(in_comment).size() == 1);
}

TEST_CASE("Deeply nested tables and values fail without crashing", "[config][hostile]") {
    std::string header = "[deep";
    for (int i = 0; i < 2000; ++i) header += ".x";
    auto tables = problems(kBase + "\n" + header + "]\nv = 1\n");
    CHECK(mentions(tables, "deep"));
    std::string arrays = "deep = " + std::string(5000, '[') + std::string(5000, ']') + "\n";
    CHECK(problems(arrays + kBase).size() == 1);
    std::string inline_tables = "deep = ";
    for (int i = 0; i < 3000; ++i) inline_tables += "{a=";
    inline_tables += "1" + std::string(3000, '}') + "\n";
    CHECK(!problems(inline_tables + kBase).empty());
}

TEST_CASE("An empty file lists every missing required section", "[config][hostile]") {
    auto issues = problems("");
    INFO(listing(issues));
    std::vector<std::string> keys;
    for (const auto& i : issues) keys.push_back(i.key);
    CHECK(keys == std::vector<std::string>{"hall", "device", "paths", "rating"});  // [calendar] is optional
    for (const auto& i : issues) {
        CHECK(i.line == 0);
        CHECK_THAT(i.message, Contains("section is required"));
    }
    CHECK(problems("# only a comment\n\n").size() == 4);
}

TEST_CASE("Wrong value types are reported for every key", "[config][hostile]") {
    const std::string text = R"toml(
[hall]
code = 1
name = true
area_code = 370921000000
level = 3

[device]
id = []
roles = "hub"
window = "1"
hub_url = 1

[paths]
assets = 1
data = false

[store]
database = 1
key_file = 2
min_free_mb = "64"

[rating]
catalog = 1
timeout_seconds = 1.5
unrated = "taian"

[calendar]
files = "calendars/cn-2026.toml"

[[category]]
code = 1
name = 2
prefix = 65
windows = 1
priority_ratio = "3"
max_wait_minutes = true
daily_cap = 1.0
opens = 9
closes = []
items = "ITEM1"

[[item]]
code = 1
name = 2
department = 3

[[window]]
number = "1"
name = 1
categories = "A1"

[[staff]]
number = 1001
name = 1
)toml";
    auto issues = problems(text);
    INFO(listing(issues));
    for (auto key : {"hall.code",
                     "hall.name",
                     "hall.area_code",
                     "hall.level",
                     "device.id",
                     "device.roles",
                     "device.window",
                     "device.hub_url",
                     "paths.assets",
                     "paths.data",
                     "store.database",
                     "store.key_file",
                     "store.min_free_mb",
                     "rating.catalog",
                     "rating.timeout_seconds",
                     "rating.unrated",
                     "calendar.files",
                     "category[0].code",
                     "category[0].name",
                     "category[0].prefix",
                     "category[0].windows",
                     "category[0].priority_ratio",
                     "category[0].max_wait_minutes",
                     "category[0].daily_cap",
                     "category[0].opens",
                     "category[0].closes",
                     "category[0].items",
                     "item[0].code",
                     "item[0].name",
                     "item[0].department",
                     "window[0].number",
                     "window[0].name",
                     "window[0].categories",
                     "staff[0].number",
                     "staff[0].name"}) {
        INFO(key);
        CHECK(mentions(issues, key));
    }
    for (const auto& i : issues) CHECK(i.line > 0);
    CHECK_THAT(issue_for(text, "hall.area_code").message, Contains("text value in quotes"));
}

TEST_CASE("Overlong strings are refused with their length", "[config][hostile]") {
    std::string name;
    for (int i = 0; i < 1000; ++i) name += "字";
    auto i = issue_for(edit("name = \"测试大厅\"", "name = \"" + name + "\""), "hall.name");
    CHECK_THAT(i.message, Contains("3000 bytes long; at most 200"));
    CHECK(mentions(problems(edit("id = \"dev-1\"", "id = \"" + std::string(100000, 'd') + "\"")), "device.id"));
}

TEST_CASE("Control characters in names are refused", "[config][hostile]") {
    CHECK_THAT(issue_for(edit("name = \"测试大厅\"", "name = \"测试\\u0007大厅\""), "hall.name").message,
               Contains("control characters"));
    CHECK(mentions(problems(edit("name = \"王丽\"", "name = \"王\\n丽\"")), "staff[0].name"));
    CHECK(mentions(problems(edit("name = \"一号窗口\"", "name = \"一号\\t窗口\"")), "window[0].name"));
    CHECK(mentions(problems(edit("name = \"事项一\"", "name = \"事项\\u001b[31m一\"")), "item[0].name"));
    CHECK(mentions(problems(edit("\"calendars/cn-2026.toml\"", "\"cal\\u0000.toml\"")), "calendar.files[0]"));
}

TEST_CASE("Negative and huge integers are refused", "[config][hostile]") {
    CHECK(mentions(problems(edit("window = 1\n", "window = -1\n")), "device.window"));
    CHECK(mentions(problems(edit("window = 1\n", "window = 9223372036854775807\n")), "device.window"));
    CHECK(mentions(problems(edit("window = 1\n", "window = -9223372036854775808\n")), "device.window"));
    auto overflow = problems(edit("window = 1\n", "window = 99999999999999999999\n"));
    REQUIRE(overflow.size() == 1);
    CHECK_THAT(overflow[0].message, Contains("TOML syntax error"));
    CHECK(mentions(problems(edit("number = 1\n", "number = 4294967297\n")), "window[0].number"));
}

TEST_CASE("Several problems are reported together", "[config]") {
    auto text = edit("code = \"T-1\"", "code = \"T 1\"");
    text = edit(text, "roles = [\"hub\", \"rater\"]", "roles = [\"hub\", \"printer\"]");
    text = edit(text, "prefix = \"A\"", "prefix = \"a\"");
    text = edit(text, "number = \"1001\"", "number = \"10-01\"");
    try {
        parse(text);
        FAIL("accepted");
    } catch (const ConfigError& e) {
        INFO(e.what());
        CHECK(e.issues().size() == 4);
        std::string what = e.what();
        CHECK(what.rfind("configuration has 4 problem(s):\n", 0) == 0);
        CHECK_THAT(what, Contains("test.toml:2:8: hall.code:"));
        CHECK_THAT(what, Contains("device.roles[1]"));
        CHECK_THAT(what, Contains("category[0].prefix"));
        CHECK_THAT(what, Contains("staff[0].number"));
    }
}

TEST_CASE("A missing or unreadable file is an I/O failure, not a config error", "[config]") {
    hcp::test::TempDir dir;
    try {
        hcp::load_config(dir / "absent.toml");
        FAIL("loaded a missing file");
    } catch (const ConfigError&) {
        FAIL("a missing file is not a config error");
    } catch (const hcp::Error& e) {
        CHECK(e.code() == hcp::Errc::io_failure);
        CHECK_THAT(std::string(e.what()), Contains("absent.toml"));
    }
    try {
        hcp::load_config(dir.path());
        FAIL("loaded a directory");
    } catch (const ConfigError&) {
        FAIL("a directory is not a config error");
    } catch (const hcp::Error& e) {
        CHECK(e.code() == hcp::Errc::io_failure);
    }
}

TEST_CASE("Errors from a loaded file name that file", "[config]") {
    hcp::test::TempDir dir;
    hcp::test::write_file(dir / "hall.toml", edit("level = \"county\"", "level = \"town\""));
    try {
        hcp::load_config(dir / "hall.toml");
        FAIL("accepted");
    } catch (const ConfigError& e) {
        REQUIRE(e.issues().size() == 1);
        CHECK(e.issues()[0].file == (dir / "hall.toml").string());
        CHECK(e.issues()[0].line == 5);
    }
}

TEST_CASE("Problems are listed in file order, missing sections first", "[config]") {
    auto text = edit(edit("[rating]\ncatalog = \"catalog/cn-004.toml\"\n\n[rating.unrated]\npreset = \"taian\"\n", ""),
                     "windows = [1]", "windows = [1, 9]");
    text = edit(text, "level = \"county\"", "level = \"town\"");
    text = edit(text, "number = \"1001\"", "number = \"10-01\"");
    auto issues = problems(text);
    INFO(listing(issues));
    REQUIRE(issues.size() == 4);
    CHECK(issues[0].key == "rating");
    CHECK(issues[1].key == "hall.level");
    CHECK(issues[2].key == "category[0].windows[1]");
    CHECK(issues[3].key == "staff[0].number");
}

TEST_CASE("A list that failed its own check causes no follow-up cross-reference errors", "[config]") {
    auto issues = problems(edit("windows = [1]", "windows = \"1\""));
    INFO(listing(issues));
    CHECK(issues.size() == 1);
    auto typo = problems(edit("categories = [\"A1\"]", "categories = [\"A1\", 2]"));
    INFO(listing(typo));
    CHECK(typo.size() == 1);
}

TEST_CASE("Long lists in a hostile file are checked without quadratic work", "[config][hostile]") {
    std::string many = "items = [";
    for (int i = 0; i < 60000; ++i) many += "\"I" + std::to_string(i) + "\",";
    many += "\"I0\"]";
    auto issues = problems(edit("items = [\"ITEM1\"]", many));
    CHECK(issues.size() == 60001);  // every item unknown, the last one listed twice
    CHECK(issues.back().key == "category[0].items[60000]");
}

TEST_CASE("Floats are not taken for integers anywhere", "[config][hostile]") {
    auto window = problems(edit("window = 1\n", "window = 0.0\n"));
    INFO(listing(window));
    CHECK(window.size() == 1);
    auto level = problems(edit("preset = \"taian\"",
                               "reminder_after_hours = 24\ndefault_after_working_days = 5\n"
                               "default_counted_from = \"completion\"\ndefault_level = 2.0"));
    INFO(listing(level));
    REQUIRE(level.size() == 1);
    CHECK_THAT(level[0].message, Contains("must be an integer"));
}

TEST_CASE("Config: a device, a FIFO or a folder in place of a settings file is refused at once") {
    hcp::test::TempDir dir;
    const auto fifo = dir / "hall.toml";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    for (const std::filesystem::path& p : {std::filesystem::path("/dev/zero"), fifo, dir.path()}) {
        INFO(p);
        try {
            (void)hcp::detail::read_text_file(p);
            FAIL("expected an error");
        } catch (const hcp::Error& e) {
            CHECK(e.code() == hcp::Errc::io_failure);
            CHECK(std::string(e.what()).find("not a regular file") != std::string::npos);
        }
        CHECK_THROWS(hcp::load_config(p));
    }
}

TEST_CASE("Config: a settings file larger than any real one is refused, not read") {
    hcp::test::TempDir dir;
    const auto big = dir / "catalog.toml";
    {
        std::ofstream out(big, std::ios::binary);
        out.seekp(static_cast<std::streamoff>(hcp::detail::kMaxTextFileBytes + 1));
        out.put('\n');
    }
    try {
        (void)hcp::detail::read_text_file(big);
        FAIL("expected an error");
    } catch (const hcp::Error& e) {
        CHECK(std::string(e.what()).find("more than a settings file can be") != std::string::npos);
    }
}

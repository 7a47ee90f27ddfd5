// hcpctl end to end: the real binary, run through a shell, on real files (kiosk/hcpctl/).
// Exit codes: 0 ok, 1 problems found, 2 usage error, 3 could not run.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "hcp/base/time.hpp"
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
    return hcp::test::run_command(q(hcp::test::hcpctl_path()) + " " + args);
}

// Runs hcpctl with stdout into `out_file`; the result's output holds stderr only.
CommandResult hcpctl_to_file(const std::string& args, const fs::path& out_file) {
    return hcp::test::run_command("{ " + q(hcp::test::hcpctl_path()) + " " + args + " > " + q(out_file) + "; }");
}

CommandResult sh(const std::string& command) {
    return hcp::test::run_command(command);
}

std::string replace_line(std::string text, const std::string& line, const std::string& with) {
    auto pos = text.find("\n" + line + "\n");
    REQUIRE(pos != std::string::npos);
    text.replace(pos + 1, line.size(), with);
    return text;
}

// 1-based number of the line that starts with `prefix`.
int line_of(const std::string& text, const std::string& prefix) {
    int n = 1;
    size_t start = 0;
    while (start < text.size()) {
        if (text.compare(start, prefix.size(), prefix) == 0) return n;
        auto nl = text.find('\n', start);
        if (nl == std::string::npos) break;
        start = nl + 1;
        ++n;
    }
    FAIL("no line starts with " << prefix);
    return 0;
}

// The demo configuration with its [paths] made absolute: assets from the source tree, data in `data`.
std::string demo_config_text(const fs::path& data) {
    auto text = hcp::test::read_file(hcp::test::assets_dir() / "config/demo-hall.toml");
    text = replace_line(text, "assets = \"..\"", "assets = \"" + hcp::test::assets_dir().string() + "\"");
    text = replace_line(text, "data = \"../../var/demo\"", "data = \"" + data.string() + "\"");
    return text;
}

// A tiny RFC 4180 reader (quoted fields, doubled quotes, embedded newlines).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"' && field.empty()) {
            quoted = true;
        } else if (c == ',') {
            row.push_back(field);
            field.clear();
        } else if (c == '\n') {
            row.push_back(field);
            field.clear();
            rows.push_back(row);
            row.clear();
        } else {
            field += c;
        }
    }
    REQUIRE_FALSE(quoted);
    REQUIRE(row.empty());
    return rows;
}

// The demo's applicants, as the demo enters them (kiosk/hcpctl/cmd_demo.cpp).
const std::vector<std::string> kDemoPlain = {
    "13812345678",
    "13987654321",
    "15011112222",
    "04712345678",
    "18600001111",
    "13700002222",
    "13500003333",
    "150102198801011234",
    "150102196505052345",
    "15010219900303456X",
    "150102200001011111",
    "张伟",
    "李秀英",
    "赵磊",
    "孙丽",
    "周杰",
};

// One demo run shared by the tests that inspect its database (the demo takes a moment).
struct DemoRun {
    TempDir dir;
    fs::path data = dir / "data";
    fs::path config = dir / "demo.toml";
    fs::path db = data / "hub.db";
    fs::path key = data / "store.key";
    CommandResult result;

    DemoRun() {
        hcp::test::write_file(config, demo_config_text(data));
        result = hcpctl("demo --config " + q(config));
    }
};

const DemoRun& demo() {
    static const DemoRun run;
    return run;
}

// Copies the demo database with SQLite's online backup (safe even if a WAL is still present).
fs::path copy_demo_db(const TempDir& dir, const std::string& name) {
    auto dst = dir / name;
    auto r = sh("sqlite3 " + q(demo().db) + " " + q(".backup " + dst.string()));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    REQUIRE(fs::exists(dst));
    return dst;
}

std::string today() {
    return hcp::format_date(hcp::china_date(hcp::now()));
}
// The demo taps ratings up to ~70 minutes ahead of now; near midnight they spill into tomorrow.
std::string last_demo_day() {
    return hcp::format_date(hcp::china_date(hcp::now() + std::chrono::hours{2}));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Basics

TEST_CASE("hcpctl --version prints the tool name and a version, exit 0") {
    auto r = hcpctl("--version");
    CHECK(r.exit_code == 0);
    CHECK(std::regex_search(r.output, std::regex("^hcpctl [0-9]+\\.[0-9]+")));
}

TEST_CASE("hcpctl without arguments prints the usage and exits 2") {
    auto r = hcpctl("");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Contains("usage: hcpctl"));
    CHECK_THAT(r.output, Contains("verify"));
}

TEST_CASE("hcpctl --help lists every command and exits 0") {
    for (const char* help : {"--help", "-h", "help"}) {
        auto r = hcpctl(help);
        INFO(help << "\n" << r.output);
        CHECK(r.exit_code == 0);
        CHECK_THAT(r.output, Contains("usage: hcpctl"));
        CHECK_THAT(r.output, Contains("exit codes"));
        for (const char* command : {"check", "config", "provision", "backup", "restore", "key", "verify", "export",
                                    "demo", "platform-sim", "sync", "print", "token", "staff", "hub"})
            CHECK_THAT(r.output, Contains(std::string("\n  ") + command + " "));
    }
}

TEST_CASE("hcpctl COMMAND --help describes every command and subcommand with its options, exit 0") {
    const std::vector<std::pair<std::string, std::vector<std::string>>> commands = {
        {"check", {"--config FILE", "--json", "--skip-network", "--now ISO8601"}},
        {"config", {"check"}},
        {"config check", {"FILE"}},
        {"provision",
         {"--config FILE", "--hall-code C", "--area-code 12DIGITS", "--roles R1,R2", "--window N", "--hub-url URL",
          "--unrated xilinguole|taian|gansu|county", "--force"}},
        {"backup", {"DB", "OUT", "--key FILE", "--force"}},
        {"restore", {"BACKUP", "DB", "--key FILE", "--force"}},
        {"key", {"create"}},
        {"key create", {"FILE"}},
        {"verify", {"DB", "--key FILE", "--json"}},
        {"export", {"DB", "--from DATE", "--to DATE", "--format csv|json", "--key FILE", "--unmasked"}},
        {"demo", {"--config FILE"}},
        {"platform-sim",
         {"--secret FILE", "--db FILE", "--port N", "--error-rate P", "--burst-429 N", "--hostile KIND",
          "--tls-cert PEM"}},
        {"sync", {"UPLOAD_TOML", "--config CONFIG", "--db DB", "--hall CODE", "--status"}},
        {"print", {"ticket", "receipt", "selftest", "status", "jobs", "render", "TRANSPORT"}},
        {"print ticket",
         {"--config HALL.toml", "--profile", "--file OUT.bin", "--png OUT.png", "--printer TRANSPORT", "--key FILE",
          "--valid-days N", "--number", "--ahead N"}},
        {"print receipt", {"--case NO", "--staff-no", "--prefix URL_PREFIX"}},
        {"print selftest", {"--profile", "--printer TRANSPORT"}},
        {"print status", {"--printer TRANSPORT", "--config HALL.toml"}},
        {"print jobs", {"--jobs DIR"}},
        {"print render", {"IN.bin", "--png OUT.png", "--profile"}},
        {"token", {"keygen", "pubkey", "issue", "verify"}},
        {"token keygen", {"--scheme hmac|ed25519", "--out FILE"}},
        {"token pubkey", {"FILE"}},
        {"token issue",
         {"--key FILE", "--hall CODE", "--subject CASE_NO", "--stage ticket|accepted|completed", "--valid-days N",
          "--expires UNIX_SECONDS", "--prefix URL_PREFIX"}},
        {"token verify", {"TOKEN_OR_URL", "--key FILE", "--pubkey HEX_OR_BASE32", "--now UNIX_SECONDS"}},
        {"staff", {"set-pin"}},
        {"staff set-pin", {"--config CONFIG", "--staff"}},
        {"hub", {"--config FILE", "--listen HOST:PORT"}},
        {"calendar", {"show", "import", "law"}},
        {"calendar import", {"NOTICE", "--config", "--out FILE", "--dry-run"}},
        {"calendar law", {"--from", "--to"}},
        {"reminders", {"--config", "--all", "--show-phone", "called"}},
    };
    for (const auto& [command, names] : commands) {
        auto r = hcpctl(command + " --help");
        INFO(command << "\n" << r.output);
        CHECK(r.exit_code == 0);
        CHECK_THAT(r.output, Contains("usage: hcpctl " + command));
        for (const auto& name : names) CHECK_THAT(r.output, Contains(name));
    }
}

TEST_CASE("hcpctl with an unknown command names it and exits 2") {
    auto r = hcpctl("frobnicate");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Contains("frobnicate"));
    CHECK_THAT(r.output, Contains("hcpctl --help"));
    CHECK(hcpctl("'; rm -rf /'").exit_code == 2);
    CHECK(hcpctl("''").exit_code == 2);
}

TEST_CASE("hcpctl subcommands refuse unknown options and missing arguments with exit 2") {
    CHECK(hcpctl("verify").exit_code == 2);
    CHECK(hcpctl("verify a.db b.db").exit_code == 2);
    auto r = hcpctl("verify x.db --bogus");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Contains("--bogus"));
    CHECK_THAT(r.output, Contains("hcpctl verify --help"));
    CHECK(hcpctl("verify x.db --key").exit_code == 2);  // option without its value
    CHECK(hcpctl("config").exit_code == 2);
    CHECK(hcpctl("config lint x.toml").exit_code == 2);
    CHECK(hcpctl("key").exit_code == 2);
    CHECK(hcpctl("key delete x.key").exit_code == 2);
    CHECK(hcpctl("export x.db").exit_code == 2);  // --from/--to required
    CHECK(hcpctl("token").exit_code == 2);
    CHECK(hcpctl("token issue --key k --hall 1 --subject s").exit_code == 2);  // --stage required
    CHECK(hcpctl("print").exit_code == 2);
    CHECK(hcpctl("platform-sim --secret s --port 70000").exit_code == 2);
    CHECK(hcpctl("platform-sim --secret s --error-rate lots").exit_code == 2);
    // Required options are given: CLI11 reports missing ones before unexpected ones.
    for (const char* command : {"check", "provision --config x", "hub --config x", "print ticket",
                                "token issue --key k --hall 1 --subject s --stage ticket",
                                "staff set-pin --config x --staff 1", "sync", "demo", "backup a b", "key create x"}) {
        auto unknown = hcpctl(std::string(command) + " --frobnicate");
        INFO(command << "\n" << unknown.output);
        CHECK(unknown.exit_code == 2);
        CHECK_THAT(unknown.output, Contains("--frobnicate"));
        CHECK_THAT(unknown.output, Contains("--help"));
    }
}

// ---------------------------------------------------------------------------------------------
// config check

TEST_CASE("hcpctl config check accepts the shipped demo configuration, exit 0 and ok") {
    auto r = hcpctl("config check " + q(hcp::test::assets_dir() / "config/demo-hall.toml"));
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.output, Contains(": ok"));
    CHECK_THAT(r.output, Contains("catalog   cn-004"));
    CHECK_THAT(r.output, Contains("DEMO-0001"));
}

TEST_CASE("hcpctl config check reports a broken configuration with file:line, the key and a suggestion") {
    TempDir dir;
    auto file = dir / "broken.toml";
    auto text = demo_config_text(dir / "data");
    text = replace_line(text, "area_code = \"370921000000\"", "area_code = \"370921\"");
    text = replace_line(text, "level = \"county\"", "level = \"county\"\nlevl = \"city\"");
    hcp::test::write_file(file, text);
    const int area_line = line_of(text, "area_code = ");
    const int typo_line = line_of(text, "levl = ");

    auto r = hcpctl("config check " + q(file));
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Contains(file.string() + ":" + std::to_string(area_line) + ":"));
    CHECK_THAT(r.output, Contains("hall.area_code"));
    CHECK_THAT(r.output, Contains("12-digit"));
    CHECK_THAT(r.output, Contains("'370921000000'"));  // the padding it suggests
    CHECK_THAT(r.output, Contains(file.string() + ":" + std::to_string(typo_line) + ":"));
    CHECK_THAT(r.output, Contains("hall.levl"));
    CHECK_THAT(r.output, Contains("did you mean 'level'"));
    CHECK_THAT(r.output, Contains("2 problem(s)"));
}

TEST_CASE("hcpctl config check on a missing, non-TOML or empty file fails with a message") {
    TempDir dir;
    auto missing = hcpctl("config check " + q(dir / "nope.toml"));
    CHECK(missing.exit_code == 3);  // could not run
    CHECK_THAT(missing.output, Contains("cannot read"));
    CHECK_THAT(missing.output, Contains("nope.toml"));

    auto garbage_file = dir / "garbage.toml";
    hcp::test::write_file(garbage_file, "[[[ this is not toml\n\x01\x02");
    auto garbage = hcpctl("config check " + q(garbage_file));
    INFO(garbage.output);
    CHECK(garbage.exit_code == 1);  // a finding, with its position
    CHECK_THAT(garbage.output, Contains(garbage_file.string() + ":1:"));
    CHECK_THAT(garbage.output, Contains("TOML syntax error"));

    hcp::test::write_file(dir / "empty.toml", "");
    auto empty = hcpctl("config check " + q(dir / "empty.toml"));
    INFO(empty.output);
    CHECK(empty.exit_code == 1);
    CHECK_THAT(empty.output, Contains("a [hall] section is required"));
}

// ---------------------------------------------------------------------------------------------
// key create

TEST_CASE("hcpctl key create makes a 0600 key file and refuses to overwrite it (exit 3)") {
    TempDir dir;
    auto key = dir / "store.key";
    auto first = hcpctl("key create " + q(key));
    INFO(first.output);
    CHECK(first.exit_code == 0);
    CHECK_THAT(first.output, Contains("fingerprint"));
    struct stat st {};
    REQUIRE(::stat(key.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
    const auto before = hcp::test::read_file(key);
    CHECK(std::regex_match(before, std::regex("hcp-key-v1 [0-9a-f]{64}\n")));

    auto second = hcpctl("key create " + q(key));
    CHECK(second.exit_code == 3);
    CHECK_THAT(second.output, Contains("already exists"));
    CHECK(hcp::test::read_file(key) == before);
}

// ---------------------------------------------------------------------------------------------
// demo, verify, export

TEST_CASE("hcpctl demo runs a morning end to end: exit 0, an intact chain, masked applicants") {
    const auto& d = demo();
    INFO(d.result.output);
    CHECK(d.result.exit_code == 0);
    CHECK_THAT(d.result.output, Contains("评价链完整"));
    CHECK_THAT(d.result.output, Contains("138****5678"));
    for (const auto& plain : kDemoPlain) {
        INFO("plain value shown: " << plain);
        CHECK(d.result.output.find(plain) == std::string::npos);
    }
    CHECK(fs::exists(d.db));
    struct stat st {};
    REQUIRE(::stat(d.key.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
}

TEST_CASE("hcpctl demo never writes the applicants' plain data into the database file") {
    const auto& d = demo();
    REQUIRE(d.result.exit_code == 0);
    TempDir dir;
    auto copy = copy_demo_db(dir, "copy.db");
    auto bytes = hcp::test::read_file(copy);
    for (const auto& plain : kDemoPlain) {
        INFO(plain);
        CHECK(bytes.find(plain) == std::string::npos);
    }
}

TEST_CASE("hcpctl verify of the demo database with its key says ok, exit 0") {
    const auto& d = demo();
    REQUIRE(d.result.exit_code == 0);
    auto r = hcpctl("verify " + q(d.db) + " --key " + q(d.key));
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.output, Contains("ok: every chain is intact"));
    CHECK_THAT(r.output, Contains("device MACs checked"));
    CHECK_THAT(r.output, Contains("7 ratings"));
}

TEST_CASE("hcpctl verify --json prints a parseable report") {
    const auto& d = demo();
    REQUIRE(d.result.exit_code == 0);
    TempDir dir;
    auto out = dir / "report.json";
    auto r = hcpctl_to_file("verify " + q(d.db) + " --json", out);
    INFO(r.output);
    CHECK(r.exit_code == 0);
    auto j = nlohmann::json::parse(hcp::test::read_file(out));
    CHECK(j["ok"] == true);
    CHECK(j["ratings"] == 7);
    CHECK(j["devices"] == 1);
    CHECK(j["mac_checked"] == false);
    CHECK(j["findings"] == nlohmann::json::array());

    auto with_key = hcpctl_to_file("verify " + q(d.db) + " --key=" + q(d.key) + " --json", out);
    CHECK(with_key.exit_code == 0);
    CHECK(nlohmann::json::parse(hcp::test::read_file(out))["mac_checked"] == true);
}

TEST_CASE("hcpctl verify with another key file reports every rating as forged (exit 1)") {
    const auto& d = demo();
    REQUIRE(d.result.exit_code == 0);
    TempDir dir;
    REQUIRE(hcpctl("key create " + q(dir / "other.key")).exit_code == 0);
    auto r = hcpctl("verify " + q(d.db) + " --key " + q(dir / "other.key"));
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Contains("MAC invalid"));
}

TEST_CASE("hcpctl export of today's ratings is a masked CSV with a header and every demo rating") {
    const auto& d = demo();
    REQUIRE(d.result.exit_code == 0);
    TempDir dir;
    auto out = dir / "today.csv";
    auto r = hcpctl_to_file("export " + q(d.db) + " --from " + today() + " --to " + last_demo_day(), out);
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.output, Contains("exported 7 rating(s)"));
    CHECK_THAT(r.output, Contains("masked"));
    auto text = hcp::test::read_file(out);
    auto rows = parse_csv(text);
    REQUIRE(rows.size() >= 8);  // header + 7 ratings
    CHECK(rows.front().front() == "id");
    CHECK(rows.front().back() == "default_calendar");
    for (const auto& row : rows) CHECK(row.size() == rows.front().size());
    for (const auto& plain : kDemoPlain) {
        INFO(plain);
        CHECK(text.find(plain) == std::string::npos);
    }
    CHECK_THAT(text, Contains("138****5678"));  // the key beside the database lets it mask
    CHECK_THAT(text, Contains("张*"));
}

TEST_CASE("hcpctl export --format json prints a parseable array of the demo ratings") {
    const auto& d = demo();
    REQUIRE(d.result.exit_code == 0);
    TempDir dir;
    auto out = dir / "today.json";
    auto r =
        hcpctl_to_file("export " + q(d.db) + " --from " + today() + " --to " + last_demo_day() + " --format json", out);
    INFO(r.output);
    CHECK(r.exit_code == 0);
    auto j = nlohmann::json::parse(hcp::test::read_file(out));
    REQUIRE(j.is_array());
    CHECK(j.size() == 7);
    for (const auto& rec : j) CHECK(rec["applicant"]["masked"] == true);
}

TEST_CASE("hcpctl export --unmasked without --key is a usage error (exit 2)") {
    const auto& d = demo();
    REQUIRE(d.result.exit_code == 0);
    auto r = hcpctl("export " + q(d.db) + " --from " + today() + " --to " + today() + " --unmasked");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Contains("--key"));
    CHECK(r.output.find("13812345678") == std::string::npos);
}

TEST_CASE("hcpctl export refuses an unknown format and invalid dates with exit 2") {
    const auto& d = demo();
    REQUIRE(d.result.exit_code == 0);
    const std::string db = q(d.db);
    auto xml = hcpctl("export " + db + " --from " + today() + " --to " + today() + " --format xml");
    CHECK(xml.exit_code == 2);
    CHECK_THAT(xml.output, Contains("csv or json"));

    auto month13 = hcpctl("export " + db + " --from 2026-13-01 --to 2026-12-31");
    CHECK(month13.exit_code == 2);
    CHECK_THAT(month13.output, Contains("2026-13-01"));

    for (const char* bad : {"2026-02-30", "2026-1-1", "yesterday", "''", "2026-10-08T00:00:00Z"}) {
        INFO(bad);
        CHECK(hcpctl("export " + db + " --from " + bad + " --to 2026-12-31").exit_code == 2);
        CHECK(hcpctl("export " + db + " --from 2026-01-01 --to " + bad).exit_code == 2);
    }
    auto inverted = hcpctl("export " + db + " --from 2026-10-09 --to 2026-10-01");
    CHECK(inverted.exit_code == 2);
    CHECK_THAT(inverted.output, Contains("before"));
}

TEST_CASE("hcpctl export of a day without ratings prints the header only") {
    const auto& d = demo();
    REQUIRE(d.result.exit_code == 0);
    TempDir dir;
    auto out = dir / "empty.csv";
    auto r = hcpctl_to_file("export " + q(d.db) + " --from 2000-01-01 --to 2000-01-01", out);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.output, Contains("exported 0 rating(s)"));
    auto rows = parse_csv(hcp::test::read_file(out));
    CHECK(rows.size() == 1);
}

// ---------------------------------------------------------------------------------------------
// Files that are not stores

TEST_CASE("hcpctl verify of a file that is not a database fails with exit 3 and says so") {
    TempDir dir;
    auto garbage = dir / "garbage.db";
    std::string bytes;
    for (int i = 0; i < 8192; ++i) bytes += static_cast<char>((i * 7919) % 251);
    hcp::test::write_file(garbage, bytes);
    auto r = hcpctl("verify " + q(garbage));
    INFO(r.output);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.output, Contains("not an SQLite database"));
    CHECK(hcp::test::read_file(garbage) == bytes);  // left untouched

    hcp::test::write_file(dir / "short.db", "hello, I am a text file\n");
    auto s = hcpctl("verify " + q(dir / "short.db"));
    INFO(s.output);
    CHECK(s.exit_code == 3);
    CHECK_THAT(s.output, Contains("not an"));
}

TEST_CASE("hcpctl verify of an SQLite database of another program fails with exit 3") {
    TempDir dir;
    auto other = dir / "other.db";
    REQUIRE(sh("sqlite3 " + q(other) + " 'CREATE TABLE t(x); INSERT INTO t VALUES (1);'").exit_code == 0);
    auto r = hcpctl("verify " + q(other));
    INFO(r.output);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.output, Contains("not an hcp-kiosk database"));

    hcp::test::write_file(dir / "empty.db", "");
    auto e = hcpctl("verify " + q(dir / "empty.db"));
    CHECK(e.exit_code == 3);
    CHECK_THAT(e.output, Contains("not an hcp-kiosk database"));
}

TEST_CASE("hcpctl verify and export of a directory fail with exit 3") {
    TempDir dir;
    fs::create_directory(dir / "db.d");
    auto v = hcpctl("verify " + q(dir / "db.d"));
    INFO(v.output);
    CHECK(v.exit_code == 3);
    CHECK_THAT(v.output, Contains("db.d"));
    auto e = hcpctl("export " + q(dir / "db.d") + " --from 2026-01-01 --to 2026-01-01");
    INFO(e.output);
    CHECK(e.exit_code == 3);
}

TEST_CASE("hcpctl verify and export of a missing file fail with exit 3 and name the file") {
    TempDir dir;
    auto missing = dir / "missing.db";
    auto v = hcpctl("verify " + q(missing));
    CHECK(v.exit_code == 3);
    CHECK_THAT(v.output, Contains("missing.db does not exist"));
    auto e = hcpctl("export " + q(missing) + " --from 2026-01-01 --to 2026-01-01");
    CHECK(e.exit_code == 3);
    CHECK_THAT(e.output, Contains("does not exist"));
    CHECK_FALSE(fs::exists(missing));  // not created by looking at it
}

TEST_CASE("hcpctl verify with a missing or world-readable key file fails with exit 3") {
    const auto& d = demo();
    REQUIRE(d.result.exit_code == 0);
    TempDir dir;
    auto r = hcpctl("verify " + q(d.db) + " --key " + q(dir / "none.key"));
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.output, Contains("hcpctl key create"));
    auto open = dir / "open.key";
    hcp::test::write_file(open, hcp::test::read_file(d.key));
    REQUIRE(::chmod(open.c_str(), 0644) == 0);
    auto w = hcpctl("verify " + q(d.db) + " --key " + q(open));
    CHECK(w.exit_code == 3);
    CHECK_THAT(w.output, Contains("chmod 600"));
}

// ---------------------------------------------------------------------------------------------
// Tampering through SQLite, found by verify

TEST_CASE("hcpctl verify finds a rating deleted behind the triggers' back (exit 1, seq 3 deleted)") {
    const auto& d = demo();
    REQUIRE(d.result.exit_code == 0);
    TempDir dir;
    auto db = copy_demo_db(dir, "deleted.db");
    auto tamper = sh("sqlite3 " + q(db) +
                     " 'DROP TRIGGER ratings_no_update; DROP TRIGGER ratings_no_delete; "
                     "DELETE FROM ratings WHERE seq = 3;'");
    INFO(tamper.output);
    REQUIRE(tamper.exit_code == 0);

    auto r = hcpctl("verify " + q(db) + " --key " + q(d.key));
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Contains("seq 3 deleted"));
    CHECK_THAT(r.output, Contains("triggers removed"));
    CHECK_THAT(r.output, Contains("6 ratings"));
    // Only seq 3 is blamed.
    CHECK(r.output.find("seq 4") == std::string::npos);
    CHECK(r.output.find("seq 2 ") == std::string::npos);
}

TEST_CASE("hcpctl verify finds a rating whose level was changed (exit 1, seq 2 altered)") {
    const auto& d = demo();
    REQUIRE(d.result.exit_code == 0);
    TempDir dir;
    auto db = copy_demo_db(dir, "altered.db");
    auto tamper = sh("sqlite3 " + q(db) +
                     " 'DROP TRIGGER ratings_no_update; DROP TRIGGER ratings_no_delete; "
                     "UPDATE ratings SET level = 5 WHERE seq = 2;'");
    INFO(tamper.output);
    REQUIRE(tamper.exit_code == 0);

    auto r = hcpctl("verify " + q(db));
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Contains("seq 2 altered"));
    CHECK(r.output.find("seq 3") == std::string::npos);

    auto out = dir / "report.json";
    auto j_run = hcpctl_to_file("verify " + q(db) + " --json", out);
    CHECK(j_run.exit_code == 1);
    auto j = nlohmann::json::parse(hcp::test::read_file(out));
    CHECK(j["ok"] == false);
    bool altered_2 = false;
    for (const auto& f : j["findings"])
        if (f["kind"] == "altered" && f["seq_first"] == 2) altered_2 = true;
    CHECK(altered_2);
}

TEST_CASE("The append-only triggers stop a plain DELETE or UPDATE on the demo database") {
    const auto& d = demo();
    REQUIRE(d.result.exit_code == 0);
    TempDir dir;
    auto db = copy_demo_db(dir, "guarded.db");
    CHECK(sh("sqlite3 " + q(db) + " 'DELETE FROM ratings WHERE seq = 3;'").exit_code != 0);
    CHECK(sh("sqlite3 " + q(db) + " 'UPDATE ratings SET level = 5 WHERE seq = 2;'").exit_code != 0);
    auto r = hcpctl("verify " + q(db) + " --key " + q(d.key));
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.output, Contains("7 ratings"));
}

// The service sections of the main configuration: [terminal], [printer], [receipt_qr], [api],
// [upload] — defaults, values, hostile input, and the rules tying them to the device's roles.
#include <catch2/catch.hpp>

#include <algorithm>

#include "hcp/config/config.hpp"

using Catch::Matchers::Contains;
using hcp::ConfigError;
using hcp::ConfigIssue;
namespace fs = std::filesystem;

namespace {

std::string base(const std::string& roles = "[\"hub\", \"rater\"]", const std::string& extra = "") {
    return R"toml([hall]
code = "T-1"
name = "测试大厅"
area_code = "370921000000"
level = "county"

[device]
id = "dev-1"
roles = )toml" +
           roles + R"toml(
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
)toml" + extra;
}

hcp::Config parse(const std::string& text) {
    return hcp::parse_config(text, "hall.toml", "/etc/hcp");
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

ConfigIssue issue_for(const std::string& text, const std::string& key) {
    auto issues = problems(text);
    std::string all;
    for (const auto& i : issues) all += i.to_string() + "\n";
    INFO("issues:\n" << all);
    auto it = std::find_if(issues.begin(), issues.end(), [&](const auto& i) { return i.key == key; });
    REQUIRE(it != issues.end());
    return *it;
}

}  // namespace

TEST_CASE("Without service sections the documented defaults apply", "[config][services]") {
    auto cfg = parse(base());
    CHECK(cfg.terminal.language == hcp::TerminalConfig::Language::zh_CN);
    CHECK_FALSE(cfg.terminal.large_text);
    CHECK(cfg.terminal.thanks_seconds == 6);
    CHECK(cfg.terminal.message_seconds == 12);
    CHECK(cfg.terminal.admin_pin.empty());
    CHECK_FALSE(cfg.printer.has_value());
    CHECK_FALSE(cfg.api.has_value());
    CHECK_FALSE(cfg.upload.has_value());
    CHECK(cfg.receipt_qr.url_prefix == "HTTPS://HCP.EXAMPLE.CN/R/");
    CHECK(cfg.receipt_qr.key_file == fs::path("/var/lib/hcp/qr-token.key"));
    CHECK(cfg.receipt_qr.valid_days == 30);
}

TEST_CASE("Every service section loads its values and resolves its files against paths.data", "[config][services]") {
    auto cfg = parse(base("[\"hub\", \"rater\"]", R"toml(
[terminal]
language = "en"
large_text = true
thanks_seconds = 4
message_seconds = 20
admin_pin = "402816"

[printer]
profile = "generic-80"
transport = "tcp:192.168.1.50:9100"
jobs_dir = "jobs"

[receipt_qr]
url_prefix = "HTTPS://PJ.EXAMPLE.GOV.CN/R/"
key_file = "/etc/hcp/qr.key"
valid_days = 15

[api]
listen = "0.0.0.0:8080"
tokens_file = "tokens.toml"
max_body_bytes = 8192
sse_keepalive_seconds = 5
max_sse_clients = 64
request_threads = 4

[upload]
base_url = "https://hcp.example.gov.cn/api/"
secret_file = "hall.secret"
batch_size = 100
purge_after_days = 60
)toml"));
    CHECK(cfg.terminal.language == hcp::TerminalConfig::Language::en);
    CHECK(cfg.terminal.large_text);
    CHECK(cfg.terminal.thanks_seconds == 4);
    CHECK(cfg.terminal.message_seconds == 20);
    CHECK(cfg.terminal.admin_pin == "402816");
    REQUIRE(cfg.printer);
    CHECK(cfg.printer->profile == "generic-80");
    CHECK(cfg.printer->transport.kind == hcp::TransportSpec::Kind::tcp);
    CHECK(cfg.printer->transport.target == "192.168.1.50");
    CHECK(cfg.printer->transport.port == 9100);
    CHECK(cfg.printer->jobs_dir == fs::path("/var/lib/hcp/jobs"));
    CHECK(cfg.receipt_qr.url_prefix == "HTTPS://PJ.EXAMPLE.GOV.CN/R/");
    CHECK(cfg.receipt_qr.key_file == fs::path("/etc/hcp/qr.key"));
    CHECK(cfg.receipt_qr.valid_days == 15);
    REQUIRE(cfg.api);
    CHECK(cfg.api->listen_host == "0.0.0.0");
    CHECK(cfg.api->listen_port == 8080);
    CHECK(cfg.api->tokens_file == fs::path("/var/lib/hcp/tokens.toml"));
    CHECK(cfg.api->max_body_bytes == 8192);
    CHECK(cfg.api->sse_keepalive_seconds == 5);
    CHECK(cfg.api->max_sse_clients == 64);
    CHECK(cfg.api->request_threads == 4);
    REQUIRE(cfg.upload);
    CHECK(cfg.upload->base_url == "https://hcp.example.gov.cn/api");  // trailing '/' dropped
    CHECK(cfg.upload->secret_file == fs::path("/var/lib/hcp/hall.secret"));
    CHECK(cfg.upload->batch_size == 100);
    CHECK(cfg.upload->purge_after_days == 60);
    CHECK(parse(base("[\"hub\"]", "[printer]\ntransport = \"file:out.bin\"\n")).printer->jobs_dir ==
          fs::path("/var/lib/hcp/print-jobs"));
}

TEST_CASE("Terminal values out of range or of the wrong kind are reported with their line", "[config][services]") {
    auto text =
        base("[\"hub\", \"rater\"]", "\n[terminal]\nlanguage = \"fr\"\nthanks_seconds = 0\nlarge_text = \"yes\"\n");
    CHECK_THAT(issue_for(text, "terminal.language").message, Contains("\"zh_CN\" or \"en\""));
    CHECK(issue_for(text, "terminal.language").line == 26);
    CHECK_THAT(issue_for(text, "terminal.thanks_seconds").message, Contains("2"));
    CHECK_THAT(issue_for(text, "terminal.large_text").message, Contains("true or false"));
    for (auto pin : {"12", "123456789", "12a4", "0000", "٣٤٥٦"}) {
        INFO(pin);
        CHECK_THAT(
            issue_for(base("[\"hub\"]", std::string("[terminal]\nadmin_pin = \"") + pin + "\"\n"), "terminal.admin_pin")
                .message,
            Contains("digit"));
    }
    CHECK_THAT(issue_for(base("[\"hub\"]", "[terminal]\nadmin_pin = 4028\n"), "terminal.admin_pin").message,
               Contains("in quotes"));
    CHECK_THAT(issue_for(base("[\"hub\"]", "[terminal]\nlanguag = \"en\"\n"), "terminal.languag").message,
               Contains("did you mean 'language'"));
}

TEST_CASE("A printer needs a valid transport and says which forms exist", "[config][services]") {
    CHECK_THAT(issue_for(base("[\"hub\"]", "[printer]\nprofile = \"generic-58\"\n"), "printer.transport").message,
               Contains("missing"));
    for (auto bad :
         {"usb:/dev/usb/lp0", "tcp:", "tcp:host:99999", "serial:/dev/ttyS0@1234", "cups:bad queue", "nothing"}) {
        INFO(bad);
        CHECK_THAT(
            issue_for(base("[\"hub\"]", std::string("[printer]\ntransport = \"") + bad + "\"\n"), "printer.transport")
                .message,
            Contains("tcp:HOST[:PORT]"));
    }
    auto serial = parse(base("[\"hub\"]", "[printer]\ntransport = \"serial:/dev/ttyS0@115200,xonxoff\"\n"));
    CHECK(serial.printer->transport.kind == hcp::TransportSpec::Kind::serial);
    CHECK(serial.printer->transport.baud == 115200);
    CHECK_FALSE(serial.printer->transport.rtscts);
    CHECK_THAT(
        issue_for(base("[\"hub\"]", "[printer]\ntransport = \"file:x\"\nprofile = \"\"\n"), "printer.profile").message,
        Contains("generic-58"));
    CHECK_THAT(
        issue_for(base("[\"hub\"]", "[printer]\ntransport = \"file:x\"\njobs_dir = \"~/jobs\"\n"), "printer.jobs_dir")
            .message,
        Contains("'~' is not expanded"));
}

TEST_CASE("The receipt QR prefix must stay in QR alphanumeric mode and be a web address", "[config][services]") {
    for (auto bad : {"https://hcp.example.cn/r/", "HTTPS://HCP.EXAMPLE.CN/R/?X=", ""}) {
        INFO(bad);
        CHECK_THAT(issue_for(base("[\"hub\"]", std::string("[receipt_qr]\nurl_prefix = \"") + bad + "\"\n"),
                             "receipt_qr.url_prefix")
                       .message,
                   Contains("uppercase"));
    }
    CHECK_THAT(
        issue_for(base("[\"hub\"]", "[receipt_qr]\nurl_prefix = \"FTP://X/\"\n"), "receipt_qr.url_prefix").message,
        Contains("HTTPS://"));
    CHECK_THAT(issue_for(base("[\"hub\"]", "[receipt_qr]\nvalid_days = 0\n"), "receipt_qr.valid_days").message,
               Contains("3650"));
}

TEST_CASE("A hall that issues queue tickets gets a prefix no longer than a ticket's QR allows", "[config][services]") {
    const std::string queue = R"toml(
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
)toml";
    // 80 characters at most; a ticket token for 20261122A012 is 53: 27 are left.
    const std::string p27 = "HTTPS://PJ.EXAMPLE.GOV.CN/R";
    REQUIRE(p27.size() == 27);
    CHECK(parse(base("[\"hub\"]", queue + "[receipt_qr]\nurl_prefix = \"" + p27 + "\"\n")).receipt_qr.url_prefix ==
          p27);
    for (const std::string& bad : {p27 + "/", std::string("HTTPS://PJ.EXAMPLE.GOV.CN/R/X/")}) {
        INFO(bad);
        const auto issue = issue_for(base("[\"hub\"]", queue + "[receipt_qr]\nurl_prefix = \"" + bad + "\"\n"),
                                     "receipt_qr.url_prefix");
        CHECK_THAT(issue.message, Contains("at most 27"));
        CHECK(issue.line > 0);
    }
    // Four-digit ticket numbers leave two characters less.
    CHECK_THAT(
        issue_for(base("[\"hub\"]", queue + "[queue]\nnumber_digits = 4\n[receipt_qr]\nurl_prefix = \"" + p27 + "\"\n"),
                  "receipt_qr.url_prefix")
            .message,
        Contains("at most 25"));
    // Without a queue no ticket is issued: receipts allow longer prefixes (their QR may be larger).
    CHECK(parse(base("[\"hub\"]", "[receipt_qr]\nurl_prefix = \"" + p27 + "/\"\n")).receipt_qr.url_prefix == p27 + "/");
}

TEST_CASE("Only the hub serves the API and uploads", "[config][services]") {
    const std::string terminal = "[\"rater\"]";
    auto with = [&](const std::string& extra) {
        std::string t = base(terminal, extra);
        auto at = t.find("window = 1\n");
        t.insert(at + 11, "hub_url = \"http://10.0.0.1:8787\"\nhub_token_file = \"hub.token\"\n");
        return t;
    };
    CHECK_NOTHROW(parse(with("")));
    CHECK_THAT(issue_for(with("[api]\nlisten = \"0.0.0.0:8787\"\n"), "api").message, Contains("only the hub"));
    CHECK_THAT(issue_for(with("[upload]\nbase_url = \"https://x\"\nsecret_file = \"s\"\n"), "upload").message,
               Contains("only the hub"));
}

TEST_CASE("API and upload values are checked like every other key", "[config][services]") {
    for (auto bad : {"8787", "host:", ":80", "host:65536", "host:80x", "a b:80"}) {
        INFO(bad);
        CHECK_THAT(issue_for(base("[\"hub\"]", std::string("[api]\nlisten = \"") + bad + "\"\n"), "api.listen").message,
                   Contains("HOST:PORT"));
    }
    CHECK(issue_for(base("[\"hub\"]", "[api]\nmax_body_bytes = 10\n"), "api.max_body_bytes").line == 25);
    CHECK_THAT(issue_for(base("[\"hub\"]", "[upload]\nsecret_file = \"s\"\n"), "upload.base_url").message,
               Contains("missing"));
    CHECK_THAT(
        issue_for(base("[\"hub\"]", "[upload]\nbase_url = \"ftp://x\"\nsecret_file = \"s\"\n"), "upload.base_url")
            .message,
        Contains("https://"));
    CHECK_THAT(issue_for(base("[\"hub\"]", "[upload]\nbase_url = \"https://x\"\nsecret_file = \"s\"\nbatch_sise = 5\n"),
                         "upload.batch_sise")
                   .message,
               Contains("did you mean 'batch_size'"));
    CHECK_THAT(issue_for(base("[\"hub\"]",
                              "[upload]\nbase_url = \"https://x\"\nsecret_file = \"s\"\n"
                              "backoff_base_ms = 5000\nbackoff_max_ms = 10\n"),
                         "upload.backoff_max_ms")
                   .message,
               Contains("backoff_base_ms"));
}

TEST_CASE("Mistakes in several service sections are all reported at once", "[config][services]") {
    auto issues = problems(base("[\"hub\"]",
                                "[terminal]\nthanks_seconds = 999\n[printer]\ntransport = \"x\"\n"
                                "[api]\nlisten = \"x\"\n[upload]\nbatch_size = 0\n"));
    std::set<std::string> keys;
    for (const auto& i : issues) keys.insert(i.key);
    CHECK(keys.count("terminal.thanks_seconds") == 1);
    CHECK(keys.count("printer.transport") == 1);
    CHECK(keys.count("api.listen") == 1);
    CHECK(keys.count("upload.batch_size") == 1);
    CHECK(keys.count("upload.base_url") == 1);
    CHECK(keys.count("upload.secret_file") == 1);
}

TEST_CASE("The display section defaults to a spoken call in Mandarin and loads its values",
          "[config][services][display]") {
    auto def = parse(base());
    CHECK(def.display.voice);
    CHECK(def.display.voice_template == "请{number}号到{window}号窗口办理");
    CHECK(def.display.voice_name == "cmn-latn-pinyin");
    CHECK(def.display.voice_repeat == 2);
    CHECK(def.display.recent_calls == 6);
    CHECK(def.display.notice.empty());

    auto cfg = parse(base("[\"hub\", \"display\"]", R"toml(
[display]
notice = "请保管好随身物品，过号请到服务台重新取号"
recent_calls = 8
voice = false
voice_template = "请{number}号到{window_name}办理"
voice_name = "sit/cmn"
voice_repeat = 3
voice_rate = 120
voice_volume = 150
)toml"));
    CHECK(cfg.display.notice == "请保管好随身物品，过号请到服务台重新取号");
    CHECK(cfg.display.recent_calls == 8);
    CHECK_FALSE(cfg.display.voice);
    CHECK(cfg.display.voice_template == "请{number}号到{window_name}办理");
    CHECK(cfg.display.voice_name == "sit/cmn");
    CHECK(cfg.display.voice_repeat == 3);
    CHECK(cfg.display.voice_rate == 120);
    CHECK(cfg.display.voice_volume == 150);
}

TEST_CASE("Hostile display values are refused with file, line and key", "[config][services][display]") {
    auto bad = [](const std::string& line, const std::string& key) {
        auto i = issue_for(base("[\"hub\", \"display\"]", "\n[display]\n" + line + "\n"), key);
        CHECK(i.file == "hall.toml");
        CHECK(i.line > 0);
        return i.message;
    };
    CHECK_THAT(bad("voice_template = \"请到{window}号窗口\"", "display.voice_template"), Contains("{number}"));
    CHECK_THAT(bad("voice_template = \"请{nubmer}号\"", "display.voice_template"), Contains("{nubmer}"));
    CHECK_THAT(bad("voice_template = \"请{number\"", "display.voice_template"), Contains("placeholders"));
    CHECK_THAT(bad("voice_template = \"请{number}\\n号\"", "display.voice_template"), Contains("control"));
    CHECK_THAT(bad("notice = \"第一行\\u0007\"", "display.notice"), Contains("control"));
    CHECK_THAT(bad("notice = \"" + std::string(400, 'x') + "\"", "display.notice"), Contains("300"));
    CHECK_THAT(bad("voice_name = \"../../etc/passwd\"", "display.voice_name"), Contains("espeak-ng voice"));
    CHECK_THAT(bad("voice_name = \"cmn; rm -rf /\"", "display.voice_name"), Contains("espeak-ng voice"));
    CHECK_THAT(bad("voice_name = \"\"", "display.voice_name"), Contains("espeak-ng voice"));
    bad("voice_repeat = 0", "display.voice_repeat");
    bad("voice_repeat = 99", "display.voice_repeat");
    bad("voice_rate = 10000", "display.voice_rate");
    bad("voice_volume = -5", "display.voice_volume");
    bad("recent_calls = 0", "display.recent_calls");
    bad("voice = \"yes\"", "display.voice");
    CHECK_THAT(bad("voice_speed = 2", "display.voice_speed"), Contains("voice_rate"));
}

TEST_CASE("The queue section sets the skip, transfer and ETA rules the engine uses", "[config][services][queue]") {
    auto def = parse(base());
    CHECK(def.queue.skip_requeue_behind == 3);
    CHECK(def.queue.skip_max_requeues == 1);
    CHECK(def.queue.transfer_placement == hcp::TransferPlacement::take_time);
    CHECK(def.queue.default_service == std::chrono::minutes{8});
    CHECK(hcp::validate(def.queue).empty());

    auto cfg = parse(base("[\"hub\", \"ticket\"]", R"toml(
[queue]
skip_requeue_behind = 5
skip_max_requeues = 0
transfer_placement = "end_of_queue"
default_service_minutes = 12
number_digits = 4
recent_calls = 20
closed_on_non_working_days = true
max_reason_chars = 50
)toml"));
    CHECK(cfg.queue.skip_requeue_behind == 5);
    CHECK(cfg.queue.skip_max_requeues == 0);
    CHECK(cfg.queue.transfer_placement == hcp::TransferPlacement::end_of_queue);
    CHECK(cfg.queue.default_service == std::chrono::minutes{12});
    CHECK(cfg.queue.number_digits == 4);
    CHECK(cfg.queue.snapshot_last_calls == 20);
    CHECK(cfg.queue.closed_on_non_working_days);
    CHECK(cfg.queue.max_reason_bytes == 150);
    CHECK(hcp::validate(cfg.queue).empty());
}

TEST_CASE("Hostile queue values are refused with file, line and key", "[config][services][queue]") {
    auto bad = [](const std::string& line, const std::string& key) {
        auto i = issue_for(base("[\"hub\", \"ticket\"]", "\n[queue]\n" + line + "\n"), key);
        CHECK(i.file == "hall.toml");
        CHECK(i.line > 0);
        return i.message;
    };
    CHECK_THAT(bad("transfer_placement = \"front\"", "queue.transfer_placement"), Contains("end_of_queue"));
    bad("skip_requeue_behind = -1", "queue.skip_requeue_behind");
    bad("skip_requeue_behind = 51", "queue.skip_requeue_behind");
    bad("skip_max_requeues = 11", "queue.skip_max_requeues");
    bad("default_service_minutes = 0", "queue.default_service_minutes");
    bad("default_service_minutes = 100000", "queue.default_service_minutes");
    bad("number_digits = 1", "queue.number_digits");
    bad("number_digits = \"3\"", "queue.number_digits");
    bad("closed_on_non_working_days = 1", "queue.closed_on_non_working_days");
    CHECK_THAT(bad("skip_requeue = 2", "queue.skip_requeue"), Contains("skip_requeue_behind"));
}

// The window staff console: the page served at /console/ (content types,
// traversal refused, no listing, 404), sign-in with window + 工号 + PIN (right, wrong, unknown,
// locked, window unknown), the session token on the window endpoints (own window, other window,
// after sign-out, after a takeover, after expiry, on the event stream) and the PIN file.
//
// The hub runs as HubService from the demo hall's configuration (SBYB on windows 1 and 3, BDC on
// window 2), with its clock at 10:00 China time so ticket hours do not depend on the test's time.
#include <catch2/catch.hpp>

#include <regex>
#include <thread>

#include "service_fixture.hpp"

using namespace hcp;
using namespace hcp::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kStationToken = "ticket-01-token-0123456789";

// PIN hashes are argon2id at interactive limits (~0.1 s each): made once for the whole run.
const std::string& pin_hash_1001() {
    static const std::string h = hash_staff_pin("246810");
    return h;
}
const std::string& pin_hash_1002() {
    static const std::string h = hash_staff_pin("13579");
    return h;
}

long long offset_to_china(int hour, int minute) {
    const TimePoint n = hcp::now();
    const TimePoint target = china_midnight(china_date(n)) + std::chrono::hours(hour) + std::chrono::minutes(minute);
    return (target - n).count();
}

struct ConsoleWorld : ServiceWorld {
    HallApiConfig api;

    // `pins`: the PIN file's text (empty: no file). `staff_lock`, `ttl`: the limits under test.
    explicit ConsoleWorld(std::optional<std::string> pins = std::nullopt, std::chrono::seconds staff_lock = 300s,
                          std::chrono::seconds ttl = 12h)
        : ServiceWorld(ServiceSettings{false, true, true, "generic", 30, ""}) {
        clock_offset_ms = offset_to_china(10, 0);
        write_private(dir / "api-tokens.toml",
                      std::string("[[system]]\nid = \"bizsys\"\ntoken = \"") + kSystemToken + "\"\n\n" +
                          "[[device]]\nid = \"rater-02\"\ntoken = \"" + kWindow2Token + "\"\nwindow = 2\n\n" +
                          "[[device]]\nid = \"ticket-01\"\ntoken = \"" + kStationToken + "\"\nwindow = 0\n");
        if (!pins)
            pins = "[[staff]]\nnumber = \"1001\"\npin_hash = \"" + pin_hash_1001() +
                   "\"\n\n[[staff]]\nnumber = \"1002\"\n" + "pin_hash = \"" + pin_hash_1002() +
                   "\"\n\n[[staff]]\nnumber = \"9999\"\npin_hash = \"" + pin_hash_1001() + "\"\n";
        if (!pins->empty()) write_private(dir / "staff-pins.toml", *pins);
        api = hall_api_config(config);  // reads staff-pins.toml from paths.data (the default name)
        api.listen_port = 0;
        api.staff_lock = staff_lock;
        api.staff_session_ttl = ttl;
        HubServiceOptions o = options();
        o.api = api;
        auto r = HubService::start(config, store_key, o);
        if (!r) throw std::runtime_error("hub did not start: " + r.error().detail);
        service = std::move(r.value());
    }

    httplib::Result post(const std::string& path, const json& body, const std::string& token = {}) {
        return client(token).Post(path, body.dump(), "application/json");
    }
    httplib::Result sign_in(int window, const std::string& staff_no, const std::string& pin) {
        return post("/api/v1/staff/sign-in", {{"window", window}, {"staff_no", staff_no}, {"pin", pin}});
    }
    std::string token_of(int window, const std::string& staff_no, const std::string& pin) {
        auto r = sign_in(window, staff_no, pin);
        REQUIRE(r);
        INFO(r->body);
        REQUIRE(r->status == 200);
        return json::parse(r->body).at("token").get<std::string>();
    }
    httplib::Result act(int window, const std::string& action, const std::string& token,
                        const json& body = json::object()) {
        return post("/api/v1/windows/" + std::to_string(window) + "/" + action, body, token);
    }
    void take(const std::string& category) {
        auto r = post("/api/v1/tickets", {{"category", category}}, kStationToken);
        REQUIRE(r);
        REQUIRE(r->status == 201);
    }
    json window_line(int window) {
        auto r = client(kSystemToken).Get("/api/v1/queue");
        REQUIRE(r);
        REQUIRE(r->status == 200);
        const json q = json::parse(r->body);
        for (const auto& w : q["windows"])
            if (w["window"] == window) return w;
        return {{"window", window}, {"open", false}};  // the snapshot lists open windows only
    }
};

std::string message_of(const httplib::Result& r) {
    if (!r) return "no response";
    auto j = json::parse(r->body, nullptr, false);
    return j.is_discarded() ? r->body : j["error"].value("message", "");
}

}  // namespace

TEST_CASE("Staff console page: served from <assets>/web/console with its content types and strict headers") {
    ConsoleWorld w;
    auto c = w.client();
    auto page = c.Get("/console/");
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(page->get_header_value("Content-Type") == "text/html; charset=utf-8");
    CHECK(page->body.find("窗口工作人员登录") != std::string::npos);
    CHECK(page->get_header_value("X-Content-Type-Options") == "nosniff");
    CHECK(page->get_header_value("Content-Security-Policy").find("default-src 'self'") != std::string::npos);
    // Nothing from outside: no http(s) URL in the page, its script or its style.
    for (const std::string path : {"/console/", "/console/console.js", "/console/console.css"}) {
        auto r = c.Get(path);
        REQUIRE(r);
        INFO(path);
        CHECK(r->status == 200);
        CHECK(r->body.find("http://") == std::string::npos);
        CHECK(r->body.find("https://") == std::string::npos);
    }
    CHECK(c.Get("/console/index.html")->get_header_value("Content-Type") == "text/html; charset=utf-8");
    CHECK(c.Get("/console/console.js")->get_header_value("Content-Type") == "text/javascript; charset=utf-8");
    CHECK(c.Get("/console/console.css")->get_header_value("Content-Type") == "text/css; charset=utf-8");
    auto bare = c.Get("/console");
    REQUIRE(bare);
    CHECK(bare->status == 301);
    CHECK(bare->get_header_value("Location") == "/console/");
    auto missing = c.Get("/console/nothing-here.js");
    REQUIRE(missing);
    CHECK(missing->status == 404);
    CHECK(error_code(missing) == "not_found");
}

TEST_CASE("Staff console page: traversal, hidden files, unknown types, links out and folders are refused") {
    HubFixture f;
    const auto web = f.dir / "web";
    std::filesystem::create_directories(web / "console" / "sub");
    write_file(web / "console" / "index.html", "<p>console</p>");
    write_file(web / "console" / "sub" / "index.html", "<p>sub</p>");
    write_file(web / "console" / "sub" / "note.txt", "note");
    write_file(web / "console" / ".secret.txt", "HIDDEN-CONTENT");
    write_file(web / "console" / "tool.sh", "#!/bin/sh");
    write_file(web / "outside.txt", "outside the console folder");
    write_file(f.dir / "secret.html", "the hub's data folder");
    std::filesystem::create_symlink(f.dir / "secret.html", web / "console" / "escape.html");
    HallApiServices services;
    services.web_root = web;
    HallApiServer server(*f.hub, api_config(), services);
    auto port = server.start();
    REQUIRE(port);
    httplib::Client c("127.0.0.1", port.value());
    c.set_read_timeout(5, 0);

    CHECK(c.Get("/console/")->body == "<p>console</p>");
    CHECK(c.Get("/console/sub/")->body == "<p>sub</p>");
    CHECK(c.Get("/console/sub/note.txt")->get_header_value("Content-Type") == "text/plain; charset=utf-8");
    for (const std::string path :
         {"/console/../outside.txt", "/console/%2e%2e/outside.txt", "/console/sub/../../outside.txt",
          "/console/..%2f..%2fsecret.html", "/console/.secret.txt", "/console/sub//note.txt",
          "/console/..\\outside.txt", "/console/%2e%2e%2f%2e%2e%2fsecret.html"}) {
        auto r = c.Get(path);
        INFO(path);
        REQUIRE(r);
        CHECK((r->status == 400 || r->status == 404));
        CHECK(r->body.find("outside the console folder") == std::string::npos);
        CHECK(r->body.find("HIDDEN-CONTENT") == std::string::npos);
        CHECK(r->body.find("data folder") == std::string::npos);
    }
    CHECK(c.Get("/console/.secret.txt")->status == 400);
    CHECK(c.Get("/console/%2e%2e/outside.txt")->status == 400);
    // A link leading out of the folder, a type not served, a folder without its slash: 404.
    CHECK(c.Get("/console/escape.html")->status == 404);
    CHECK(c.Get("/console/tool.sh")->status == 404);
    auto folder = c.Get("/console/sub");
    REQUIRE(folder);
    CHECK(folder->status == 404);
    CHECK(folder->body.find("note.txt") == std::string::npos);  // never a listing
    server.stop();

    // No web root (an embedded hub without the page): /console answers 404 in Chinese.
    HallApiServer bare(*f.hub, api_config());
    auto p2 = bare.start();
    REQUIRE(p2);
    httplib::Client c2("127.0.0.1", p2.value());
    auto r = c2.Get("/console/");
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(message_of(r) == "本中心未安装工作人员页面。");
}

TEST_CASE("Staff sign-in: the right PIN opens the window and returns a session token for it") {
    ConsoleWorld w;
    auto r = w.sign_in(1, "1001", "246810");
    REQUIRE(r);
    INFO(r->body);
    REQUIRE(r->status == 200);
    const json s = json::parse(r->body);
    CHECK(std::regex_match(s["token"].get<std::string>(), std::regex("[0-9a-f]{64}")));
    CHECK(s["window"] == 1);
    CHECK(s["window_name"] == "1号窗口 社保医保");
    CHECK(s["staff"]["name"] == "王丽");
    CHECK(s["expires_in_seconds"].get<long long>() > 11 * 3600);
    bool serves_sbyb = false;
    for (const auto& c : s["categories"])
        if (c["code"] == "SBYB") serves_sbyb = c["serves"].get<bool>() && !c["items"].empty();
    CHECK(serves_sbyb);
    const json line = w.window_line(1);
    CHECK(line["open"] == true);
    CHECK(line["staff"]["number"] == "1001");
    // The PIN never appears in the hub's log.
    CHECK(w.log().find("246810") == std::string::npos);
}

TEST_CASE("Staff sign-in: wrong PIN, unknown staff, missing fields, unknown window, no PIN file") {
    SECTION("wrong PIN and unknown 工号 get the same answer, with the tries left") {
        ConsoleWorld w;
        auto wrong = w.sign_in(1, "1001", "111111");
        REQUIRE(wrong);
        CHECK(wrong->status == 401);
        CHECK(error_code(wrong) == "wrong_pin");
        CHECK(message_of(wrong) == "工号或密码不正确，请重新输入（还可再试 4 次）。");
        auto unknown = w.sign_in(1, "4242", "246810");
        REQUIRE(unknown);
        CHECK(unknown->status == 401);
        CHECK(error_code(unknown) == "wrong_pin");
        CHECK(w.window_line(1)["open"] == false);
    }
    SECTION("fields") {
        ConsoleWorld w;
        auto no_pin = w.post("/api/v1/staff/sign-in", {{"window", 1}, {"staff_no", "1001"}});
        REQUIRE(no_pin);
        CHECK(no_pin->status == 400);
        CHECK(message_of(no_pin) == "请输入密码。");
        auto bad_window = w.post("/api/v1/staff/sign-in", {{"window", "1"}, {"staff_no", "1001"}, {"pin", "246810"}});
        REQUIRE(bad_window);
        CHECK(bad_window->status == 400);
        CHECK(message_of(bad_window) == "请选择窗口号（1–999）。");
    }
    SECTION("a window the hall does not have") {
        ConsoleWorld w;
        auto r = w.sign_in(99, "1001", "246810");
        REQUIRE(r);
        CHECK(r->status == 404);
        CHECK(error_code(r) == "unknown_window");
        CHECK_FALSE(message_of(r).empty());
    }
    SECTION("a PIN for a 工号 that is not a configured [[staff]]") {
        ConsoleWorld w;
        auto r = w.sign_in(1, "9999", "246810");
        REQUIRE(r);
        CHECK(r->status == 422);
        CHECK(error_code(r) == "unknown_staff");
        CHECK(w.window_line(1)["open"] == false);
    }
    SECTION("no PIN file: nobody signs in, the message says what to do") {
        ConsoleWorld w(std::string{});
        auto r = w.sign_in(1, "1001", "246810");
        REQUIRE(r);
        CHECK(r->status == 503);
        CHECK(error_code(r) == "staff_pins_not_configured");
        CHECK(message_of(r).find("staff-pins.toml") != std::string::npos);
    }
}

TEST_CASE("Staff sign-in: 5 wrong PINs lock the 工号, 10 lock the address, the lock ends") {
    SECTION("per 工号") {
        ConsoleWorld w(std::nullopt, 2s);
        for (int i = 1; i <= 4; ++i) CHECK(w.sign_in(1, "1001", "000000")->status == 401);
        auto fifth = w.sign_in(1, "1001", "000000");
        REQUIRE(fifth);
        CHECK(fifth->status == 429);
        CHECK(error_code(fifth) == "pin_locked");
        CHECK(message_of(fifth).find("密码错误次数过多") != std::string::npos);
        CHECK(std::stoi(fifth->get_header_value("Retry-After")) >= 1);
        // Even the right PIN is refused while locked …
        auto right = w.sign_in(1, "1001", "246810");
        REQUIRE(right);
        CHECK(right->status == 429);
        // … but a colleague at the same PC is not (the address has 5 of its 10).
        CHECK(w.sign_in(2, "1002", "13579")->status == 200);
        std::this_thread::sleep_for(2100ms);
        CHECK(w.sign_in(1, "1001", "246810")->status == 200);
    }
    SECTION("per address, whatever the 工号") {
        ConsoleWorld w;
        for (int i = 0; i < 9; ++i) CHECK(w.sign_in(1, "50" + std::to_string(i), "000000")->status == 401);
        CHECK(w.sign_in(1, "5099", "000000")->status == 429);
        auto r = w.sign_in(2, "1002", "13579");
        REQUIRE(r);
        CHECK(r->status == 429);
        CHECK(error_code(r) == "pin_locked");
    }
    SECTION("a right PIN clears the 工号's count") {
        ConsoleWorld w;
        for (int i = 0; i < 4; ++i) CHECK(w.sign_in(1, "1001", "000000")->status == 401);
        CHECK(w.sign_in(1, "1001", "246810")->status == 200);
        CHECK(message_of(w.sign_in(1, "1001", "000000")) == "工号或密码不正确，请重新输入（还可再试 4 次）。");
    }
}

TEST_CASE("Staff session token: acts for its own window only, ends at sign-out, takeover and expiry") {
    SECTION("own window, other window, other endpoints") {
        ConsoleWorld w;
        const std::string token = w.token_of(1, "1001", "246810");
        w.take("SBYB");
        auto call = w.act(1, "call-next", token);
        REQUIRE(call);
        INFO(call->body);
        CHECK(call->status == 200);
        CHECK(json::parse(call->body)["call"]["window"] == 1);
        auto other = w.act(2, "call-next", token);
        REQUIRE(other);
        CHECK(other->status == 403);
        CHECK(error_code(other) == "wrong_window");
        CHECK(message_of(other) == "您已在 1 号窗口登录，只能操作该窗口。");
        CHECK(w.client(token).Get("/api/v1/queue")->status == 200);
        auto session = w.client(token).Get("/api/v1/staff/session");
        REQUIRE(session);
        CHECK(session->status == 200);
        CHECK(json::parse(session->body)["staff"]["number"] == "1001");
        // Not a device: no tickets, no ratings, no case reports, no signing the window in again.
        CHECK(w.post("/api/v1/tickets", {{"category", "SBYB"}}, token)->status == 403);
        CHECK(w.post("/api/v1/ratings", rating_body("C-1"), token)->status == 403);
        CHECK(w.post("/api/v1/cases", case_body("C-1", 1), token)->status == 403);
        CHECK(w.act(1, "sign-in", token, {{"staff_no", "1002"}})->status == 403);
        // Device and system tokens do not open /staff/session.
        CHECK(w.client(kSystemToken).Get("/api/v1/staff/session")->status == 403);
    }
    SECTION("after sign-out: 401") {
        ConsoleWorld w;
        const std::string token = w.token_of(1, "1001", "246810");
        auto out = w.post("/api/v1/staff/sign-out", json::object(), token);
        REQUIRE(out);
        CHECK(out->status == 200);
        CHECK(w.window_line(1)["open"] == false);
        auto after = w.act(1, "call-next", token);
        REQUIRE(after);
        CHECK(after->status == 401);
        CHECK(w.client(token).Get("/api/v1/staff/session")->status == 401);
    }
    SECTION("sign-out is refused while a ticket is at the window; the session stays") {
        ConsoleWorld w;
        const std::string token = w.token_of(1, "1001", "246810");
        w.take("SBYB");
        REQUIRE(w.act(1, "call-next", token)->status == 200);
        auto out = w.post("/api/v1/staff/sign-out", json::object(), token);
        REQUIRE(out);
        CHECK(out->status == 409);
        CHECK(error_code(out) == "window_busy");
        CHECK(w.act(1, "recall", token)->status == 200);
    }
    SECTION("signed out through the window endpoint, or taken over by another sign-in") {
        ConsoleWorld w;
        const std::string a = w.token_of(1, "1001", "246810");
        CHECK(w.act(1, "sign-out", a)->status == 200);
        CHECK(w.act(1, "call-next", a)->status == 401);
        const std::string b = w.token_of(1, "1001", "246810");
        // Someone else signs in at window 1 (the business system here): the old session ends.
        REQUIRE(w.act(1, "sign-in", kSystemToken, {{"staff_no", "1002"}})->status == 200);
        CHECK(w.act(1, "call-next", b)->status == 401);
        // A new console sign-in at window 3 does not touch window 1's sessions.
        const std::string c = w.token_of(3, "1002", "13579");
        w.take("HJ");
        CHECK(w.act(3, "call-next", c)->status == 200);
    }
    SECTION("after the session's lifetime: 401") {
        ConsoleWorld w(std::nullopt, 300s, 1s);
        const std::string token = w.token_of(1, "1001", "246810");
        CHECK(w.client(token).Get("/api/v1/queue")->status == 200);
        std::this_thread::sleep_for(1100ms);
        CHECK(w.client(token).Get("/api/v1/queue")->status == 401);
    }
}

TEST_CASE("Staff session token: the event stream takes it as ?access_token= (and no other token that way)") {
    ConsoleWorld w;
    const std::string token = w.token_of(1, "1001", "246810");
    std::vector<std::string> types;
    std::thread reader([&] {
        auto c = w.client();
        c.set_read_timeout(3, 0);
        std::string buf;
        c.Get("/api/v1/events?access_token=" + token, [&](const char* d, size_t n) {
            buf.append(d, n);
            size_t p;
            while ((p = buf.find("event: ")) != std::string::npos) {
                auto end = buf.find('\n', p);
                if (end == std::string::npos) break;
                types.push_back(buf.substr(p + 7, end - p - 7));
                buf.erase(0, end);
            }
            return types.size() < 2;
        });
    });
    std::this_thread::sleep_for(300ms);
    w.take("SBYB");
    REQUIRE(w.act(1, "call-next", token)->status == 200);
    reader.join();
    REQUIRE(types.size() >= 2);
    CHECK(types[0] == "queue_changed");
    CHECK(std::find(types.begin(), types.end(), "queue_called") != types.end());

    auto c = w.client();
    c.set_read_timeout(2, 0);
    auto device = c.Get(std::string("/api/v1/events?access_token=") + kWindow2Token);
    REQUIRE(device);
    CHECK(device->status == 401);
    auto bogus = c.Get("/api/v1/events?access_token=" + std::string(64, 'a'));
    REQUIRE(bogus);
    CHECK(bogus->status == 401);
    // Only the event stream takes it: the queue does not.
    auto queue = c.Get("/api/v1/queue?access_token=" + token);
    REQUIRE(queue);
    CHECK(queue->status == 401);
}

TEST_CASE("Staff PIN file: argon2id hashes, mode 0600, strict keys with file and line") {
    const std::string h = hash_staff_pin("2468");
    CHECK(h.rfind("$argon2id$", 0) == 0);
    CHECK(hash_staff_pin("2468") != h);  // a fresh salt every time
    CHECK(verify_staff_pin(h, "2468"));
    CHECK_FALSE(verify_staff_pin(h, "2469"));
    CHECK_FALSE(verify_staff_pin("2468", "2468"));  // a PIN written as its own hash never matches
    CHECK_THROWS_AS(hash_staff_pin("12a4"), Error);
    CHECK_THROWS_AS(hash_staff_pin("123"), Error);
    CHECK(staff_pin_problem("1234567890123") == "密码须为 4 到 12 位数字。");
    CHECK(staff_pin_problem("1234").empty());

    TempDir dir;
    const auto path = dir / "staff-pins.toml";
    write_file(path, "[[staff]]\nnumber = \"1001\"\npin_hash = \"" + h + "\"\n");
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                           std::filesystem::perms::group_read | std::filesystem::perms::others_read);
    try {
        load_staff_pins(path);
        FAIL("a PIN file readable by others was accepted");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::key_invalid);
        CHECK(std::string(e.what()).find("chmod 600 " + path.string()) != std::string::npos);
    }
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    auto pins = load_staff_pins(path);
    REQUIRE(pins.size() == 1);
    CHECK(pins[0].staff_no == "1001");
    CHECK(pins[0].pin_hash == h);

    try {
        parse_staff_pins(
            "[[staff]]\nnumber = \"1001\"\npin_hash = \"246810\"\n\n"
            "[[staff]]\nnumber = \"1001\"\npin_hsh = \"x\"\n\n[staf]\n",
            "staff-pins.toml");
        FAIL("expected a ConfigError");
    } catch (const ConfigError& e) {
        std::string all;
        for (const auto& i : e.issues()) all += i.to_string() + "\n";
        INFO(all);
        CHECK(all.find("staff-pins.toml:3") != std::string::npos);  // the plain PIN, with its line
        CHECK(all.find("argon2id") != std::string::npos);
        CHECK(all.find("listed twice") != std::string::npos);
        CHECK(all.find("did you mean 'pin_hash'") != std::string::npos);
        CHECK(all.find("did you mean 'staff'") != std::string::npos);
    }

    // The hub refuses to start on a PIN file readable by others, and says which files to fix.
    ConsoleWorld ok;  // a good world to borrow the configuration from
    write_file(ok.dir / "staff-pins.toml", "[[staff]]\nnumber = \"1001\"\npin_hash = \"" + h + "\"\n");
    std::filesystem::permissions(ok.dir / "staff-pins.toml", std::filesystem::perms::owner_read |
                                                                 std::filesystem::perms::owner_write |
                                                                 std::filesystem::perms::others_read);
    ok.service->stop();
    ok.service.reset();
    auto again = HubService::start(ok.config, ok.store_key, ok.options());
    REQUIRE_FALSE(again);
    CHECK(again.error().cause == HubStartErrc::api_tokens);
    CHECK(again.error().message_zh.find("staff_pins_file") != std::string::npos);
}

TEST_CASE("Staff PIN file: [api].staff_pins_file is read from the configuration, against paths.data") {
    ConsoleWorld w;
    REQUIRE(w.config.api);
    CHECK(w.config.api->staff_pins_file == w.dir / "staff-pins.toml");
    std::string text = read_file(w.dir / "hall.toml");
    const auto p = text.find("\n[api]\n");
    REQUIRE(p != std::string::npos);
    text.insert(p + 7, "staff_pins_file = \"secrets/pins.toml\"\n");
    write_file(w.dir / "hall2.toml", text);
    const Config c = load_config(w.dir / "hall2.toml");
    REQUIRE(c.api);
    CHECK(c.api->staff_pins_file == w.dir / "secrets" / "pins.toml");
}

TEST_CASE("Staff console: sign-in replies are never cached and a hostile 工号 cannot forge log lines",
          "[staff_console]") {
    ConsoleWorld w;
    auto ok = w.sign_in(1, "1001", "246810");
    REQUIRE(ok);
    CHECK(ok->status == 200);
    CHECK(ok->get_header_value("Cache-Control") == "no-store");
    auto wrong = w.sign_in(1, "1002", "000000");
    REQUIRE(wrong);
    CHECK(wrong->get_header_value("Cache-Control") == "no-store");

    auto injected = w.sign_in(2, "9\nhall-api: 1001 out\x1b[2J", "000000");
    REQUIRE(injected);
    CHECK(injected->status == 401);
    const std::string log = w.log();
    INFO(log);
    CHECK(log.find("\x1b") == std::string::npos);
    CHECK(log.find("\nhall-api: 1001 out") == std::string::npos);
    CHECK(log.find("staff 9\\x0ahall-api: 1001 out\\x1b[2J") != std::string::npos);
}

TEST_CASE("Staff console: the event stream takes Last-Event-ID only as decimal digits", "[staff_console]") {
    ConsoleWorld w;
    for (const std::string bad : {"1e5", "-3", "+4", "0x10", "99999999999999999999", "7x"}) {
        INFO(bad);
        auto c = w.client(kSystemToken);
        c.set_read_timeout(2, 0);
        auto r = c.Get("/api/v1/events", httplib::Headers{{"Last-Event-ID", bad}});
        REQUIRE(r);
        CHECK(r->status == 400);
    }
}

TEST_CASE("Staff console: a session ended by someone else's sign-in stays ended when its staff signs in again",
          "[staff_console]") {
    ConsoleWorld w;
    const std::string token = w.token_of(1, "1001", "246810");
    CHECK(w.client(token).Get("/api/v1/staff/session")->status == 200);
    // The business system signs 1002 in at window 1, then 1001 again, with no request in between.
    REQUIRE(w.act(1, "sign-in", kSystemToken, {{"staff_no", "1002"}})->status == 200);
    REQUIRE(w.act(1, "sign-in", kSystemToken, {{"staff_no", "1001"}})->status == 200);
    auto r = w.client(token).Get("/api/v1/staff/session");
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK(w.act(1, "call-next", token)->status == 401);
}

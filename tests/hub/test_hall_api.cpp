// The hall API over loopback: every endpoint, its tokens, limits and JSON errors, hostile input.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

#include "api_fixture.hpp"
#include "hcp/hub_client/hub_json.hpp"
#include "raw_http.hpp"

using namespace hcp;
using namespace hcp::test;

TEST_CASE("Hall API: health answers without a token") {
    ApiFixture f;
    auto r = f.client().Get("/api/v1/health");
    REQUIRE(r);
    CHECK(r->status == 200);
    auto j = json::parse(r->body);
    CHECK(j["status"] == "ok");
    CHECK(j["hall"] == "DEMO-0001");
}

TEST_CASE("Hall API: a missing or unknown token gets 401 and the wrong kind of token 403") {
    ApiFixture f;
    auto body = case_body("C-1").dump();
    auto none = f.post("/api/v1/cases", body, "");
    REQUIRE(none);
    CHECK(none->status == 401);
    CHECK(error_code(none) == "unauthorized");
    CHECK(f.post("/api/v1/cases", body, "not-a-real-token-123456")->status == 401);
    auto device = f.post("/api/v1/cases", body, kWindow2Token);
    CHECK(device->status == 403);
    CHECK(error_code(device) == "forbidden");
    auto system_rating = f.post("/api/v1/ratings", rating_body("C-1").dump(), kSystemToken);
    CHECK(system_rating->status == 403);
    CHECK_FALSE(f.hub->find_case("C-1"));
}

TEST_CASE("Hall API: a reported case is stored, opens its window and the reply masks the applicant") {
    ApiFixture f;
    auto r = f.post("/api/v1/cases", case_body("C-1").dump(), kSystemToken);
    REQUIRE(r);
    CHECK(r->status == 201);
    auto j = json::parse(r->body);
    CHECK(j["rating"]["opened"] == true);
    CHECK(j["rating"]["window"] == 2);
    CHECK(j["rating"]["target"] == "both");
    CHECK(j["case"]["applicant"]["name"] == "张**");
    CHECK(r->body.find("张三丰") == std::string::npos);
    CHECK(r->body.find("13812341234") == std::string::npos);
    CHECK(f.hub->open_requests(2).size() == 1);

    auto get = f.client(kWindow2Token).Get("/api/v1/cases/C-1");
    REQUIRE(get);
    CHECK(get->status == 200);
    auto g = json::parse(get->body);
    CHECK(g["rating_open"] == true);
    CHECK(g["rated"].empty());
    CHECK(get->body.find("110101199003071234") == std::string::npos);
}

TEST_CASE("Hall API: bad case reports get clear JSON errors and store nothing") {
    ApiFixture f;
    auto plain = f.post("/api/v1/cases", case_body("C-1").dump(), kSystemToken, "text/plain");
    CHECK(plain->status == 415);
    CHECK(error_code(plain) == "unsupported_media_type");

    auto broken = f.post("/api/v1/cases", "{\"case_no\": ", kSystemToken);
    CHECK(broken->status == 400);
    CHECK(error_code(broken) == "invalid_json");

    auto missing = case_body("C-2");
    missing.erase("item_name");
    auto m = f.post("/api/v1/cases", missing.dump(), kSystemToken);
    CHECK(m->status == 400);
    CHECK(error_code(m) == "invalid_field");
    CHECK(m->body.find("item_name") != std::string::npos);

    auto wrong_type = case_body("C-3");
    wrong_type["window"] = "two";
    CHECK(f.post("/api/v1/cases", wrong_type.dump(), kSystemToken)->status == 400);

    std::string non_utf8 = case_body("C-4").dump();
    non_utf8.replace(non_utf8.find("李娜"), std::string("李娜").size(), "\xff\xfe");
    auto bad_text = f.post("/api/v1/cases", non_utf8, kSystemToken);
    CHECK(bad_text->status == 400);

    auto long_name = case_body("C-5");
    long_name["staff_name"] = std::string(500, 'x');
    auto ln = f.post("/api/v1/cases", long_name.dump(), kSystemToken);
    CHECK(ln->status == 400);
    CHECK(ln->body.find("staff_name") != std::string::npos);

    auto huge = case_body("C-6");
    huge["department"] = std::string(20 * 1024, 'x');
    auto h = f.post("/api/v1/cases", huge.dump(), kSystemToken);
    REQUIRE(h);
    CHECK(h->status == 413);
    CHECK(error_code(h) == "payload_too_large");

    auto unknown_window = f.post("/api/v1/cases", case_body("C-7", 77).dump(), kSystemToken);
    CHECK(unknown_window->status == 422);
    CHECK(error_code(unknown_window) == "unknown_window");

    for (const char* no : {"C-2", "C-3", "C-4", "C-5", "C-6", "C-7"}) CHECK_FALSE(f.hub->find_case(no));
    CHECK(f.hub->events().last_id() == 0);
}

TEST_CASE("Hall API: an unknown case or path is a JSON 404") {
    ApiFixture f;
    auto r = f.client(kWindow2Token).Get("/api/v1/cases/NOPE");
    CHECK(r->status == 404);
    CHECK(error_code(r) == "unknown_case");
    auto p = f.client(kWindow2Token).Get("/api/v1/nothing-here");
    CHECK(p->status == 404);
    CHECK(error_code(p) == "not_found");
    auto rating = f.post("/api/v1/ratings", rating_body("NOPE").dump(), kWindow2Token);
    CHECK(rating->status == 404);
}

TEST_CASE("Hall API: ratings are stored once, refused on the wrong window, and a bare 差评 gets 422") {
    ApiFixture f;
    REQUIRE(f.post("/api/v1/cases", case_body("C-1").dump(), kSystemToken)->status == 201);

    auto wrong = f.post("/api/v1/ratings", rating_body("C-1").dump(), kWindow3Token);
    CHECK(wrong->status == 403);
    CHECK(error_code(wrong) == "wrong_window");

    auto bare_bad = f.post("/api/v1/ratings", rating_body("C-1", 1).dump(), kWindow2Token);
    CHECK(bare_bad->status == 422);
    CHECK(error_code(bare_bad) == "bad_rating_needs_reason");
    CHECK(json::parse(bare_bad->body)["error"]["message"] ==
          std::string(message_zh(RuleViolation::bad_rating_needs_reason)));

    auto bad_level = rating_body("C-1");
    bad_level["level"] = 9;
    CHECK(f.post("/api/v1/ratings", bad_level.dump(), kWindow2Token)->status == 400);

    auto ok = f.post("/api/v1/ratings", rating_body("C-1").dump(), kWindow2Token);
    REQUIRE(ok);
    CHECK(ok->status == 201);
    CHECK(json::parse(ok->body)["outcome"] == "stored");

    auto again = f.post("/api/v1/ratings", rating_body("C-1").dump(), kWindow2Token);
    CHECK(again->status == 409);
    CHECK(error_code(again) == "already_rated");
    CHECK(f.hub->rating_count() == 1);
}

TEST_CASE("Hall API: a 差评 with non-UTF-8 or oversized text is refused and nothing is stored") {
    ApiFixture f;
    REQUIRE(f.post("/api/v1/cases", case_body("C-1").dump(), kSystemToken)->status == 201);
    auto long_text = rating_body("C-1", 2);
    long_text["text"] = std::string(kMaxRatingTextBytes + 10, 'a');
    auto r = f.post("/api/v1/ratings", long_text.dump(), kWindow2Token);
    CHECK(r->status == 422);
    CHECK(error_code(r) == "text_too_long");
    std::string raw = rating_body("C-1", 2).dump();
    raw.insert(raw.size() - 1, ",\"text\":\"\xc3\x28\"");
    CHECK(f.post("/api/v1/ratings", raw, kWindow2Token)->status == 400);
    CHECK(f.hub->rating_count() == 0);
}

TEST_CASE("Hall API: the event stream sends the open request, then new events, never the level") {
    ApiFixture f;
    REQUIRE(f.post("/api/v1/cases", case_body("C-1").dump(), kSystemToken)->status == 201);
    auto first = read_events(f, "/api/v1/events?window=2", 1, kWindow2Token);
    REQUIRE(first.size() == 1);
    CHECK(first[0].type == "rating_requested");
    CHECK(first[0].data["request"]["cases"][0]["case_no"] == "C-1");
    CHECK(first[0].data["request"]["cases"][0]["staff"]["name"] == "李娜");
    CHECK_FALSE(first[0].data["request"]["cases"][0].contains("applicant"));

    auto bad = rating_body("C-1", 2);
    bad["option_codes"] = {"303"};
    REQUIRE(f.post("/api/v1/ratings", bad.dump(), kWindow2Token)->status == 201);
    // Reconnect with the last id seen (the case event was id 1): the stored rating is replayed.
    auto replay = read_events(f, "/api/v1/events?window=2", 1, kWindow2Token, "1");
    REQUIRE(replay.size() == 1);
    CHECK(replay[0].type == "rating_stored");
    CHECK(replay[0].id == 2);
    CHECK_FALSE(replay[0].data.contains("level"));
    // Neither the chosen option (a quoted "303"; a bare 303 may occur in the rating id or time).
    CHECK_FALSE(replay[0].data.contains("option_codes"));
    CHECK(replay[0].data.dump().find("\"303\"") == std::string::npos);
    CHECK(replay[0].data.dump().find("level") == std::string::npos);
}

TEST_CASE("Hall API: the event stream filters by window and refuses a malformed window") {
    ApiFixture f;
    REQUIRE(f.post("/api/v1/cases", case_body("C-3", 3).dump(), kSystemToken)->status == 201);
    REQUIRE(f.post("/api/v1/cases", case_body("C-2", 2).dump(), kSystemToken)->status == 201);
    auto events = read_events(f, "/api/v1/events?window=2", 1, kWindow2Token, "0");
    REQUIRE(events.size() == 1);
    CHECK(events[0].data["case_nos"][0] == "C-2");
    auto bad = f.client(kWindow2Token).Get("/api/v1/events?window=abc");
    CHECK(bad->status == 400);
    CHECK(f.client().Get("/api/v1/events")->status == 401);
}

TEST_CASE("Hall API: a flood of bad and good requests gets the right answer every time") {
    ApiFixture f;
    int unauthorized = 0, limited = 0, created = 0;
    for (int i = 0; i < 100; ++i) {
        auto r = f.post("/api/v1/cases", case_body("F-" + std::to_string(i)).dump(),
                        i % 2 ? kSystemToken : "wrong-token-0000000000");
        REQUIRE(r);
        if (r->status == 401) ++unauthorized;
        if (r->status == 429) ++limited;
        if (r->status == 201) ++created;
    }
    // Bad tokens share their address's bucket (anon_rate_burst = 20 by default): the first get
    // 401, the rest 429. The valid token has its own bucket and is never slowed down.
    CHECK(unauthorized + limited == 50);
    CHECK(unauthorized >= HallApiConfig{}.anon_rate_burst);
    CHECK(created == 50);
    CHECK(f.client().Get("/api/v1/health")->status == 200);
    CHECK_FALSE(f.hub->find_case("F-0"));
    CHECK(f.hub->find_case("F-99"));
}

TEST_CASE("Hall API: event streams beyond the limit get 503 and the server still stops promptly") {
    ApiFixture f;
    // Four streams allowed (api_config), two per token: hold them open on other threads.
    std::vector<std::thread> readers;
    for (const char* token : {kWindow2Token, kWindow2Token, kWindow3Token, kWindow3Token})
        readers.emplace_back([&f, token] { read_events(f, "/api/v1/events", 1000, token); });
    // Bounded wait until the four streams are counted.
    for (int i = 0; i < 200 && f.server->sse_clients() < 4; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(f.server->sse_clients() == 4);
    auto extra = f.client(kWindow2Token).Get("/api/v1/events");
    REQUIRE(extra);
    CHECK(extra->status == 503);
    f.server->stop();
    for (auto& t : readers) t.join();
    CHECK(f.server->sse_clients() == 0);
}

TEST_CASE(
    "Hall API tokens file: unknown keys, short, reused tokens and twice-listed ids are reported with file and line") {
    const std::string text =
        "[api]\nlisten = \"127.0.0.1:9000\"\n\n"
        "[[device]]\nid = \"rater-02\"\ntoken = \"short\"\nwindow = 2\nwindw = 3\n\n"
        "[[device]]\nid = \"rater-02\"\ntoken = \"0123456789abcdef\"\nwindow = 3\n\n"
        "[[system]]\nid = \"biz\"\ntoken = \"0123456789abcdef\"\n";
    try {
        parse_api_tokens(text, "api-tokens.toml");
        FAIL("expected a ConfigError");
    } catch (const ConfigError& e) {
        std::string all;
        for (const auto& i : e.issues()) all += i.to_string() + "\n";
        CHECK(all.find("api-tokens.toml:1") != std::string::npos);  // [api] belongs in the main config
        CHECK(all.find("at least 16") != std::string::npos);
        CHECK(all.find("did you mean 'window'") != std::string::npos);
        CHECK(all.find("listed twice") != std::string::npos);
        CHECK(all.find("used twice") != std::string::npos);
    }
    auto ok = parse_api_tokens(
        "[[system]]\nid = \"biz\"\ntoken = \"0123456789abcdef\"\n"
        "[[device]]\nid = \"rater-01\"\ntoken = \"fedcba9876543210\"\nwindow = 1\n",
        "x.toml");
    REQUIRE(ok.systems.size() == 1);
    REQUIRE(ok.devices.size() == 1);
    CHECK(ok.devices[0].window == 1);
    CHECK(ok.devices[0].token == "fedcba9876543210");
}

TEST_CASE("Hall API config: listen and limits come from [api] of the main config, tokens from their own file") {
    TempDir dir;
    std::filesystem::path tokens = dir / "api-tokens.toml";
    write_file(tokens, "[[system]]\nid = \"biz\"\ntoken = \"0123456789abcdef\"\n");
    std::filesystem::permissions(tokens, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    Config cfg;
    CHECK(hall_api_config(cfg).systems.empty());  // no [api]: defaults, no tokens
    cfg.api.emplace();
    cfg.api->listen_host = "0.0.0.0";
    cfg.api->listen_port = 8788;
    cfg.api->max_body_bytes = 4096;
    cfg.api->tokens_file = tokens;
    auto api = hall_api_config(cfg);
    CHECK(api.listen_host == "0.0.0.0");
    CHECK(api.listen_port == 8788);
    CHECK(api.max_body_bytes == 4096);
    REQUIRE(api.systems.size() == 1);
    std::filesystem::permissions(tokens, std::filesystem::perms::group_read, std::filesystem::perm_options::add);
    CHECK_THROWS_WITH(hall_api_config(cfg), Catch::Contains("chmod 600"));
    cfg.api->tokens_file = dir / "missing.toml";
    CHECK_THROWS_WITH(hall_api_config(cfg), Catch::Contains("tokens_file"));
}

TEST_CASE("A terminal's hub token file must be private and one line of printable characters") {
    TempDir dir;
    auto write_token = [&](const std::string& text, std::filesystem::perms mode) {
        write_file(dir / "hub.token", text);
        std::filesystem::permissions(dir / "hub.token", mode);
        return dir / "hub.token";
    };
    const auto owner = std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
    CHECK(load_hub_token(write_token("0123456789abcdef\n", owner)) == "0123456789abcdef");
    CHECK_THROWS_WITH(load_hub_token(write_token("0123456789abcdef\n", owner | std::filesystem::perms::others_read)),
                      Catch::Contains("chmod 600"));
    CHECK_THROWS_WITH(load_hub_token(write_token("short\n", owner)), Catch::Contains("16 to 200"));
    CHECK_THROWS_WITH(load_hub_token(write_token("0123456789 abcdef\n", owner)), Catch::Contains("printable"));
    CHECK_THROWS_WITH(load_hub_token(write_token(std::string("0123456789abcdef\0x", 18), owner)),
                      Catch::Contains("printable"));
    CHECK_THROWS_WITH(load_hub_token(dir / "absent.token"), Catch::Contains("cannot read"));
}

TEST_CASE("Hall API: a second server cannot take a port the hub already listens on") {
    ApiFixture f;
    HallApiServer second(*f.hub, api_config(f.port));
    auto r = second.start();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().cause == ServeErrc::bind_failed);
    CHECK(f.client().Get("/api/v1/health")->status == 200);
}

TEST_CASE("Hall API: forwarded ratings with integers out of range or of the wrong kind are refused, nothing stored") {
    ApiFixture f;
    REQUIRE(f.post("/api/v1/cases", case_body("C-1").dump(), kSystemToken)->status == 201);
    // What rater-02 recorded while the hub was away.
    TempDir tdir;
    auto tsetup = hub_setup(tdir / "terminal.db", "rater-02");
    Hub terminal(tsetup, SecretKey::random());
    REQUIRE(terminal.report_case(completed_report("C-1", 2)).ok());
    auto local = terminal.submit_rating(good_draft("C-1"));
    REQUIRE(local.ok());
    const json honest = api::rating_json(local.value());

    const std::vector<std::pair<const char*, json>> forged = {
        {"seq", json(std::numeric_limits<long long>::max())},
        {"seq", json(std::numeric_limits<std::uint64_t>::max())},
        {"seq", json(-1)},
        {"seq", json(1.5)},
        {"window", json(4294967298LL)},
        {"window", json(2.0)},
        {"level", json(4294967301LL)},
        {"level", json(5.5)},
        {"catalog_version", json(std::numeric_limits<std::uint64_t>::max())},
        {"tapped_at_ms", json(1e300)},
        {"tapped_at_ms", json(std::numeric_limits<std::uint64_t>::max())},
    };
    for (const auto& [field, value] : forged) {
        json body = {{"forwarded", honest}};
        body["forwarded"][field] = value;
        auto r = f.post("/api/v1/ratings", body.dump(), kWindow2Token);
        REQUIRE(r);
        INFO(field << " = " << value.dump());
        CHECK(r->status == 400);
    }
    // Another terminal's token cannot forward rater-02's rating.
    auto other = f.post("/api/v1/ratings", json{{"forwarded", honest}}.dump(), kWindow3Token);
    REQUIRE(other);
    CHECK(other->status == 403);
    CHECK(f.hub->rating_count() == 0);
    CHECK(raw_int(f.dir / "hub.db", "SELECT count(*) FROM chain_heads") == 0);

    // The honest forward is taken, and the hub's own chain starts at 1.
    auto ok = f.post("/api/v1/ratings", json{{"forwarded", honest}}.dump(), kWindow2Token);
    REQUIRE(ok);
    CHECK(ok->status == 201);
    REQUIRE(f.post("/api/v1/cases", case_body("C-2").dump(), kSystemToken)->status == 201);
    auto own = f.post("/api/v1/ratings", rating_body("C-2").dump(), kWindow2Token);
    REQUIRE(own);
    CHECK(json::parse(own->body)["seq"] == 1);
}

TEST_CASE("Hall API tokens file: a device's roles decide what it may do, with defaults by window") {
    auto tokens = parse_api_tokens(
        "[[device]]\nid = \"rater-01\"\ntoken = \"fedcba9876543210\"\nwindow = 1\n"
        "[[device]]\nid = \"kiosk-0\"\ntoken = \"0123456789abcdef\"\nwindow = 0\n"
        "[[device]]\nid = \"display-01\"\ntoken = \"0123456789abcdeg\"\nwindow = 0\nroles = [\"display\"]\n",
        "x.toml");
    REQUIRE(tokens.devices.size() == 3);
    CHECK(effective_roles(tokens.devices[0]) == std::set<DeviceRole>{DeviceRole::rater});
    CHECK(effective_roles(tokens.devices[1]).count(DeviceRole::ticket) == 1);
    CHECK(effective_roles(tokens.devices[2]) == std::set<DeviceRole>{DeviceRole::display});
    try {
        parse_api_tokens(
            "[[device]]\nid = \"x\"\ntoken = \"0123456789abcdef\"\nwindow = 0\nroles = [\"hub\", \"tickets\"]\n",
            "x.toml");
        FAIL("expected a ConfigError");
    } catch (const ConfigError& e) {
        std::string all;
        for (const auto& i : e.issues()) all += i.to_string() + "\n";
        CHECK(all.find("roles[0]") != std::string::npos);
        CHECK(all.find("roles[1]") != std::string::npos);
    }
}

TEST_CASE("Hall API: a display's token can neither rate nor forward") {
    auto cfg = api_config();
    cfg.devices.push_back({"display-01", "display-01-token-0123456789", 2, {DeviceRole::display}});
    HubFixture hf;
    HallApiServer server(*hf.hub, cfg);
    auto port = server.start();
    REQUIRE(port.ok());
    httplib::Client c("127.0.0.1", port.value());
    c.set_bearer_token_auth("display-01-token-0123456789");
    REQUIRE(hf.hub->report_case(completed_report("C-1", 2)).ok());
    auto r = c.Post("/api/v1/ratings", rating_body("C-1").dump(), "application/json");
    REQUIRE(r);
    CHECK(r->status == 403);
    CHECK(hf.hub->rating_count() == 0);
    server.stop();
}

TEST_CASE("Hall API: one token cannot hold every event stream, rating terminals keep theirs") {
    ApiFixture f;  // four streams, two rating terminals: two kept for them, two per token
    std::vector<std::thread> readers;
    auto open_stream = [&](const char* token) {
        readers.emplace_back([&f, token] { read_events(f, "/api/v1/events", 1000, token); });
    };
    auto wait_count = [&](int n) {
        for (int i = 0; i < 300 && f.server->sse_clients() < n; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return f.server->sse_clients();
    };
    open_stream(kSystemToken);
    open_stream(kSystemToken);
    REQUIRE(wait_count(2) == 2);
    // A third stream of the same token, and any stream beyond the others' share, is refused.
    auto third = f.client(kSystemToken).Get("/api/v1/events");
    REQUIRE(third);
    CHECK(third->status == 503);
    CHECK(error_code(third) == "too_many_streams");
    // Each rating terminal still gets its stream.
    open_stream(kWindow2Token);
    open_stream(kWindow3Token);
    CHECK(wait_count(4) == 4);
    f.server->stop();
    for (auto& t : readers) t.join();
    CHECK(f.server->sse_clients() == 0);
}

TEST_CASE("Hall API: a bearer token followed by a NUL and more is not that token") {
    ApiFixture f;
    std::string request = "GET /api/v1/sync HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ";
    request += kSystemToken;
    request += std::string("\0junk", 5);
    request += "\r\n\r\n";
    auto r = raw_exchange(f.port, request);
    CHECK(r.status == 401);
    std::string plain = "GET /api/v1/sync HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ";
    plain += kSystemToken;
    plain += "\r\n\r\n";
    CHECK(raw_exchange(f.port, plain).status != 401);
}

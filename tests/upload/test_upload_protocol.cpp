// The generic upload protocol without a network: signing, the documented example, reply
// classification, backoff, settings, the hall secret and province profiles.
#include <sys/stat.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "hcp/domain/catalog.hpp"
#include "upload_test_util.hpp"

using namespace hcp;
using namespace hcp::test;
using json = nlohmann::json;

namespace {

// The text of the first fenced block after `marker` in the protocol doc.
std::string block_after(const std::string& doc, const std::string& marker) {
    auto at = doc.find(marker);
    REQUIRE(at != std::string::npos);
    auto open = doc.find("```", at);
    auto line = doc.find('\n', open);
    auto close = doc.find("\n```", line);
    return doc.substr(line + 1, close - line - 1);
}

std::string line_value(const std::string& doc, const std::string& prefix) {
    auto at = doc.find(prefix);
    REQUIRE(at != std::string::npos);
    auto end = doc.find('\n', at);
    return doc.substr(at + prefix.size(), end - at - prefix.size());
}

OutboxBatch sample_batch(const UploadWorld& w) {
    OutboxBatch b;
    b.device_id = "hub-01";
    b.chain_head = w.store->chain_head();
    b.ratings = {w.ratings.at(0), w.ratings.at(1)};
    return b;
}

}  // namespace

TEST_CASE("The worked example in docs/upload-protocol.md signs to the signature printed there") {
    const std::string doc = read_file(assets_dir().parent_path() / "docs" / "upload-protocol.md");
    const std::string body = block_after(doc, "Body (exact bytes");
    const std::string documented = line_value(doc, "X-Hcp-Signature: ");
    const std::string secret_hex = line_value(doc, "Hall secret (hex): `").substr(0, 64);
    REQUIRE(json::parse(body).at("items").size() == 1);
    auto secret = parse_hall_secret(secret_hex);
    CHECK(sign_request(secret, "POST", "/v1/evaluations:batch", "1791423000", "0123456789abcdef0123456789abcdef",
                       body) == documented);
    CHECK(doc.find(sha256_hex(body)) != std::string::npos);
    // One changed byte of the body changes the signature.
    std::string altered = body;
    altered[altered.find("\"level\":2") + 8] = '3';
    CHECK(sign_request(secret, "POST", "/v1/evaluations:batch", "1791423000", "0123456789abcdef0123456789abcdef",
                       altered) != documented);
}

TEST_CASE("The signing string joins method path timestamp nonce and the body hash with newlines") {
    CHECK(signing_string("POST", "/api/v1/evaluations:batch", "17", "abc", "") ==
          "POST\n/api/v1/evaluations:batch\n17\nabc\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(url_path("https://hcp.example.gov.cn:8443/api/v1/evaluations:batch?x=1") == "/api/v1/evaluations:batch");
    CHECK(url_path("http://127.0.0.1:8780/v1/evaluations:batch") == "/v1/evaluations:batch");
    CHECK(url_path("http://127.0.0.1:8780").empty());
}

TEST_CASE("A well-formed reply is split into accepted duplicate and rejected items") {
    std::vector<std::string> ids = {"a", "b", "c", "d"};
    auto r = classify_reply(
        200, "application/json; charset=utf-8",
        R"({"results":[{"id":"a","status":"accepted"},{"id":"b","status":"duplicate"},)"
        R"({"id":"c","status":"rejected","reason":"level must be 1..5"},{"id":"zz","status":"accepted"}]})",
        std::nullopt, ids);
    REQUIRE(r.ok());
    REQUIRE(r.results.size() == 3);  // "zz" was not sent, "d" was not answered
    CHECK(r.results[0].status == ItemStatus::accepted);
    CHECK(r.results[1].status == ItemStatus::duplicate);
    CHECK(r.results[2].status == ItemStatus::rejected);
    CHECK(r.results[2].reason == "level must be 1..5");
}

TEST_CASE("Repeated answers are harmless but contradicting answers make the reply unusable") {
    std::vector<std::string> ids = {"a"};
    auto twice = classify_reply(200, "application/json",
                                R"({"results":[{"id":"a","status":"accepted"},{"id":"a","status":"accepted"}]})",
                                std::nullopt, ids);
    REQUIRE(twice.ok());
    CHECK(twice.results.size() == 1);
    auto contra = classify_reply(200, "application/json",
                                 R"({"results":[{"id":"a","status":"accepted"},{"id":"a","status":"rejected"}]})",
                                 std::nullopt, ids);
    CHECK(contra.cause == AttemptCause::protocol_error);
    CHECK(contra.results.empty());
}

TEST_CASE("Hostile replies are protocol errors that mark nothing") {
    std::vector<std::string> ids = {"a"};
    const std::string good = R"({"results":[{"id":"a","status":"accepted"}]})";
    auto redirect = classify_reply(302, "", "", std::nullopt, ids, "http://127.0.0.2:9/x");
    CHECK(redirect.cause == AttemptCause::protocol_error);
    CHECK(redirect.message.find("127.0.0.2") != std::string::npos);
    CHECK(classify_reply(200, "text/html", good, std::nullopt, ids).cause == AttemptCause::protocol_error);
    CHECK(classify_reply(200, "application/json", good.substr(0, 20), std::nullopt, ids).cause ==
          AttemptCause::protocol_error);
    CHECK(classify_reply(200, "application/json", R"({"results":{}})", std::nullopt, ids).cause ==
          AttemptCause::protocol_error);
    CHECK(classify_reply(200, "application/json", R"({"results":[{"id":"a","status":"maybe"}]})", std::nullopt, ids)
              .cause == AttemptCause::protocol_error);
    for (const auto& r : {redirect, classify_reply(200, "text/html", good, std::nullopt, ids)})
        CHECK(r.results.empty());
}

TEST_CASE("Busy replies carry Retry-After in seconds or as an HTTP date and auth failures say what to check") {
    std::vector<std::string> ids = {"a"};
    auto busy = classify_reply(429, "application/json", "{}", std::string_view("7"), ids);
    CHECK(busy.cause == AttemptCause::http_status);
    REQUIRE(busy.retry_after);
    CHECK(*busy.retry_after == std::chrono::seconds{7});
    auto now = *parse_iso8601("2026-10-08T00:00:00Z");
    auto date = parse_retry_after("Thu, 08 Oct 2026 00:01:40 GMT", now);
    REQUIRE(date);
    CHECK(*date == std::chrono::seconds{100});
    CHECK_FALSE(parse_retry_after("soon", now));
    auto auth = classify_reply(401, "application/json", "{}", std::nullopt, ids);
    CHECK(auth.cause == AttemptCause::http_status);
    CHECK(auth.message.find("hall secret") != std::string::npos);
    CHECK(classify_reply(500, "text/plain", "", std::nullopt, ids).cause == AttemptCause::http_status);
    // 403: the platform knows who asks and says no; the secret and the clock are not the problem.
    auto forbidden =
        classify_reply(403, "application/json", R"({"error":"device rater-09 not registered"})", std::nullopt, ids);
    CHECK(forbidden.cause == AttemptCause::http_status);
    CHECK(forbidden.message.find("not a signature problem") != std::string::npos);
    CHECK(forbidden.message.find("registered") != std::string::npos);
    CHECK(forbidden.message.find("hall secret") == std::string::npos);
    CHECK(forbidden.message.find("device rater-09 not registered") != std::string::npos);
    // A replayed nonce is named as such, not blamed on the secret.
    auto replay = classify_reply(401, "application/json", R"({"error":"X-Hcp-Nonce replayed","server_time":0})",
                                 std::nullopt, ids, {}, TimePoint{});
    CHECK(replay.message.find("nonce") != std::string::npos);
    CHECK(replay.message.find("hall secret") == std::string::npos);
}

TEST_CASE("Full-jitter backoff stays between zero and the exponential cap") {
    bool saw_above_base = false;
    for (int i = 0; i < 200; ++i) {
        auto first = backoff_delay(1, 100, 10000);
        CHECK(first.count() >= 0);
        CHECK(first.count() <= 100);
        auto fifth = backoff_delay(5, 100, 10000);
        CHECK(fifth.count() <= 1600);
        if (fifth.count() > 100) saw_above_base = true;
        CHECK(backoff_delay(30, 100, 10000).count() <= 10000);
    }
    CHECK(saw_above_base);
}

TEST_CASE("Upload settings load with defaults and resolve paths against the file") {
    auto c = parse_upload_config(
        "[upload]\nbase_url = \"https://hcp.example.gov.cn/api/\"\nsecret_file = \"hall.secret\"\n"
        "batch_size = 50\n",
        "upload.toml", "/etc/hcp");
    CHECK(c.base_url == "https://hcp.example.gov.cn/api");
    CHECK(c.secret_file == std::filesystem::path("/etc/hcp/hall.secret"));
    CHECK(c.batch_size == 50);
    CHECK(c.profile == "generic");
    CHECK(c.purge_after_days == 30);
    CHECK(c.ca_bundle.empty());
}

TEST_CASE("Upload settings report every problem with file line and a suggestion") {
    try {
        parse_upload_config(
            "[upload]\nbase_url = \"ftp://x\"\nsecret_file = \"s\"\nbatch_sise = 5\ntimeout_seconds = 0\n",
            "upload.toml", "/");
        FAIL("accepted a bad file");
    } catch (const ConfigError& e) {
        std::string all;
        for (const auto& i : e.issues()) all += i.to_string() + "\n";
        CHECK(all.find("upload.toml:2") != std::string::npos);
        CHECK(all.find("batch_size") != std::string::npos);  // did you mean
        CHECK(all.find("timeout_seconds") != std::string::npos);
        CHECK(e.issues().size() >= 3);
    }
}

TEST_CASE("The hall secret must be 64 hex digits and readable by its owner only") {
    CHECK_THROWS_AS(parse_hall_secret("abc"), Error);
    CHECK_THROWS_AS(parse_hall_secret(std::string(64, 'g')), Error);
    CHECK(parse_hall_secret(std::string(64, 'A')).bytes()[0] == 0xaa);
    TempDir dir;
    auto p = dir / "hall.secret";
    write_file(p, std::string(64, '1') + "\n");
    ::chmod(p.c_str(), 0644);
    try {
        load_hall_secret(p);
        FAIL("a world-readable secret was accepted");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("chmod 600") != std::string::npos);
    }
    ::chmod(p.c_str(), 0600);
    CHECK(load_hall_secret(p).bytes()[0] == 0x11);
}

TEST_CASE("The generic profile renders every protocol field with the tap time in +08:00") {
    UploadWorld w(2);
    auto body = json::parse(render_batch(generic_profile(), sample_batch(w), "DEMO-0001"));
    CHECK(body["device"] == "hub-01");
    CHECK(body["hall"] == "DEMO-0001");
    CHECK(body["chain_head"]["seq"] == 2);
    REQUIRE(body["items"].size() == 2);
    const auto& it = body["items"][0];
    for (const char* f : {"id",
                          "seq",
                          "prev_hash",
                          "hash",
                          "case_nos",
                          "item_code",
                          "item_name",
                          "stage",
                          "target",
                          "kind",
                          "level",
                          "options",
                          "option_labels",
                          "text",
                          "channel",
                          "window",
                          "staff_no",
                          "staff_name",
                          "area_code",
                          "tapped_at",
                          "catalog_id",
                          "catalog_version",
                          "public",
                          "default"})
        CHECK(it.contains(f));
    CHECK(it.size() == 24);
    CHECK(it["target"] == "both");
    CHECK(it["catalog_id"] == "cn-004");
    CHECK(it["id"] == w.ratings[0].id);
    CHECK(it["prev_hash"] == kGenesisHash);
    CHECK(it["tapped_at"] == "2026-10-08T09:00:00+08:00");
    CHECK(it["level"] == to_int(w.ratings[0].level));
    CHECK(it["channel"] == "window_rater");
    CHECK(it["area_code"] == "370921000000");
    CHECK(body["items"][1]["prev_hash"] == w.ratings[0].hash);
}

TEST_CASE("The zhejiang profile renames fields and maps pf promiseTime level and the date format") {
    UploadWorld w(3);
    auto p = load_platform_profile(assets_dir() / "platforms" / "zhejiang.json");
    OutboxBatch batch{"hub-01", w.store->chain_head(), {w.ratings[0], w.ratings[2]}};
    // Fixture rating 3 is a 差评 (不满意) with option 303; make rating 1 (满意) a default rating.
    batch.ratings[0].is_default = true;
    batch.ratings[0].channel = Channel::system_default;
    batch.ratings[1].kind = CaseKind::promised;
    auto body = json::parse(render_batch(p, batch, "DEMO-0001"));
    CHECK_FALSE(body.contains("device"));
    REQUIRE(body["data"].size() == 2);
    const auto& a = body["data"][0];
    const auto& b = body["data"][1];
    CHECK(a["evalId"] == w.ratings[0].id);
    CHECK(a["pf"] == "7");
    CHECK(b["pf"] == "4");
    CHECK(a["promiseTime"] == "2");
    CHECK(b["promiseTime"] == "1");
    CHECK(a["assessTime"] == "2026-10-08 09:00:00");
    CHECK(a["satisfaction"] == 4);
    CHECK(b["satisfaction"] == 2);
    CHECK(b["evalDetail"] == "303");
    CHECK(a["projectNo"] == "CASE-1");
    CHECK(a["dataSource"] == "133");
    CHECK_FALSE(a.contains("default"));
    CHECK_FALSE(a.contains("hash"));
    CHECK_FALSE(a.contains("target"));
    CHECK_FALSE(a.contains("catalog_id"));
}

TEST_CASE("A descending profile sends 2 for 满意 and a 6-digit area code when configured") {
    UploadWorld w(1);
    auto p = parse_platform_profile(R"({"name":"gb","level_direction":"1_is_best","area_code_length":6})", "gb.json");
    REQUIRE(w.ratings[0].level == Level::satisfied);
    auto body = json::parse(render_batch(p, OutboxBatch{"hub-01", {}, {w.ratings[0]}}, "X"));
    CHECK(body["items"][0]["level"] == 2);
    CHECK(body["items"][0]["area_code"] == "370921");
}

TEST_CASE("A profile naming an unknown field or channel is refused with a suggestion") {
    try {
        parse_platform_profile(R"({"fields":{"levle":"satisfaction"}})", "bad.json");
        FAIL("accepted");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("did you mean \"level\"") != std::string::npos);
    }
    CHECK_THROWS_AS(parse_platform_profile(R"({"channel_codes":{"window_rater":"4"}})", "bad.json"), Error);
    CHECK_THROWS_AS(parse_platform_profile(R"({"envelop":"list"})", "bad.json"), Error);
    CHECK_THROWS_AS(parse_platform_profile("[1,2]", "bad.json"), Error);
}

TEST_CASE("Every shipped platform profile loads") {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(assets_dir() / "platforms")) {
        if (e.path().extension() != ".json") continue;
        CHECK_NOTHROW(load_platform_profile(e.path()));
        ++n;
    }
    CHECK(n >= 2);
}

// ---------------------------------------------------------------------------------------------
// Recomputing an item's hash (docs/upload-protocol.md §2.1)

namespace {

// A rating with every canonical field set to something awkward: quotes, backslash, control
// characters, CJK, milliseconds in the tap time.
Rating awkward_rating() {
    Rating r;
    r.id = "0b9f8e7d-6c5b-4a39-8281-7f6e5d4c3b2a";
    r.device_id = "hub-07";
    r.seq = 41;
    r.case_nos = {"11370921MB0000001202610080001", "B-2"};
    r.stage = Stage::accepted;
    r.target = RatingTarget::staff;
    r.level = Level::very_dissatisfied;
    r.option_codes = {"201", "305"};
    r.option_labels = {"不能跑一个大厅办完", "未在承诺时限内办结"};
    r.text = "排队\t太久 \"真的\" \\ / \x01\x1f\x7f 😀";
    r.channel = Channel::qr_code;
    r.tapped_at = *parse_iso8601("2026-10-08T23:59:59.250+08:00");
    r.catalog_id = "cn-004";
    r.catalog_version = 3;
    r.is_public = false;
    r.is_default = true;
    r.hall_code = "DEMO-0001";
    r.area_code = "370921000000";
    r.item_code = "11370921MB0000001";
    r.item_name = "居民身份证换领（补领）";
    r.kind = CaseKind::promised;
    r.window = 12;
    r.staff_number = "1002";
    r.staff_name = "李娜";
    r.prev_hash = sha256_hex("previous");
    r.hash = chain_hash(r.prev_hash, r);
    return r;
}

std::string item_json(const Rating& r) {
    OutboxBatch b{r.device_id, ChainHead{r.seq, r.hash}, {r}};
    return json::parse(render_batch(generic_profile(), b, r.hall_code))["items"][0].dump();
}

}  // namespace

TEST_CASE("The worked example item's hash is what a receiver recomputes from its fields and the documented record") {
    const std::string doc = read_file(assets_dir().parent_path() / "docs" / "upload-protocol.md");
    const json body = json::parse(block_after(doc, "Body (exact bytes"));
    const json& item = body.at("items").at(0);
    std::string why;
    auto h = sim::recompute_item_hash(item.dump(), body["device"], body["hall"], &why);
    REQUIRE(h);
    CHECK(*h == item["hash"]);
    CHECK(body["chain_head"]["hash"] == item["hash"]);
    // The canonical record printed in §2.1 is byte for byte what the hub's chain hashes.
    const std::string documented = block_after(doc, "The canonical record of the worked example");
    Rating r;
    r.id = item["id"];
    r.device_id = body["device"];
    r.seq = item["seq"];
    r.case_nos = item["case_nos"].get<std::vector<std::string>>();
    r.stage = *parse_stage(item["stage"].get<std::string>());
    r.target = *parse_rating_target(item["target"].get<std::string>());
    r.level = *level_from_int(item["level"].get<int>());
    r.option_codes = item["options"].get<std::vector<std::string>>();
    r.option_labels = item["option_labels"].get<std::vector<std::string>>();
    r.text = item["text"];
    r.channel = *parse_channel(item["channel"].get<std::string>());
    r.tapped_at = *parse_iso8601(item["tapped_at"].get<std::string>());
    r.catalog_id = item["catalog_id"];
    r.catalog_version = item["catalog_version"];
    r.is_public = item["public"];
    r.is_default = item["default"];
    r.hall_code = body["hall"];
    r.area_code = item["area_code"];
    r.item_code = item["item_code"];
    r.item_name = item["item_name"];
    r.kind = *parse_case_kind(item["kind"].get<std::string>());
    r.window = item["window"];
    r.staff_number = item["staff_no"];
    r.staff_name = item["staff_name"];
    CHECK(canonical_record(r) == documented);
    CHECK(chain_hash(kGenesisHash, r) == item["hash"]);
}

TEST_CASE("A receiver recomputes the hub's hash for awkward text milliseconds and every field") {
    const Rating r = awkward_rating();
    const std::string it = item_json(r);
    auto h = sim::recompute_item_hash(it, r.device_id, r.hall_code);
    REQUIRE(h);
    CHECK(*h == r.hash);
    // The body's device and hall are part of the record.
    CHECK(*sim::recompute_item_hash(it, "hub-08", r.hall_code) != r.hash);
    CHECK(*sim::recompute_item_hash(it, r.device_id, "DEMO-0002") != r.hash);
    // Any field changed after hashing is noticed.
    const json base = json::parse(it);
    for (auto f = base.begin(); f != base.end(); ++f) {
        if (f.key() == "hash") continue;
        json changed = base;
        json& v = changed[f.key()];
        if (v.is_string())
            v = v.get<std::string>() + "x";
        else if (v.is_boolean())
            v = !v.get<bool>();
        else if (v.is_number_integer())
            v = v.get<long long>() + 1;
        else if (v.is_array())
            v.push_back("x");
        if (f.key() == "tapped_at") v = "2026-10-08T23:59:59.251+08:00";
        if (f.key() == "prev_hash") v = sha256_hex("other");
        INFO("field " << f.key());
        auto again = sim::recompute_item_hash(changed.dump(), r.device_id, r.hall_code);
        REQUIRE(again);
        CHECK(*again != r.hash);
    }
}

TEST_CASE("An item missing a hashed field or carrying a wrong type cannot be recomputed and says which field") {
    const Rating r = awkward_rating();
    const json base = json::parse(item_json(r));
    for (const char* f : {"target", "catalog_id", "tapped_at", "staff_no", "options", "window", "public"}) {
        json missing = base;
        missing.erase(f);
        std::string why;
        CHECK_FALSE(sim::recompute_item_hash(missing.dump(), r.device_id, r.hall_code, &why));
        CHECK(why.find(f) != std::string::npos);
    }
    json wrong = base;
    wrong["case_nos"] = json::array({1, 2});
    std::string why;
    CHECK_FALSE(sim::recompute_item_hash(wrong.dump(), r.device_id, r.hall_code, &why));
    CHECK(why.find("case_nos") != std::string::npos);
    CHECK_FALSE(sim::recompute_item_hash("[1,2]", r.device_id, r.hall_code, &why));
    CHECK_FALSE(sim::recompute_item_hash("not json", r.device_id, r.hall_code, &why));
}

TEST_CASE("A refusal for the clock names the skew and the platform's reason for the admin") {
    std::vector<std::string> ids = {"a"};
    const long long three_days_ago =
        std::chrono::duration_cast<std::chrono::seconds>(hcp::now().time_since_epoch()).count() - 3 * 86400;
    auto r = classify_reply(
        401, "application/json",
        json{{"error", "X-Hcp-Timestamp outside the replay window (259200 s skew)"}, {"server_time", three_days_ago}}
            .dump(),
        std::nullopt, ids);
    CHECK_FALSE(r.ok());
    CHECK(r.message.find("hub clock is 3 d 0 h ahead") != std::string::npos);
    CHECK(r.message.find("replay window") != std::string::npos);
    // A platform whose clock agrees with ours: the reason is passed on, no skew is claimed.
    auto same = classify_reply(
        401, "application/json",
        json{{"error", "bad X-Hcp-Signature"}, {"server_time", three_days_ago + 3 * 86400}}.dump(), std::nullopt, ids);
    CHECK(same.message.find("hall secret") != std::string::npos);
    CHECK(same.message.find("bad X-Hcp-Signature") != std::string::npos);
    CHECK(same.message.find("hub clock is") == std::string::npos);
    // Hostile bodies do not break the classification.
    for (const char* body : {"", "[]", "{\"error\": 5, \"server_time\": \"x\"}", "{\"server_time\": 1e400}"})
        CHECK(classify_reply(401, "application/json", body, std::nullopt, ids).message.find("hall secret") !=
              std::string::npos);
}

TEST_CASE("The protocol's worked example and its policy citations agree with the shipped catalog and the texts") {
    const auto root = assets_dir().parent_path();
    const std::string doc = read_file(root / "docs" / "upload-protocol.md");
    const auto catalog = OptionCatalog::load_file(assets_dir() / "catalog" / "cn-004.toml");
    const json body = json::parse(block_after(doc, "Body (exact bytes"));
    for (const auto& item : body.at("items")) {
        const auto& codes = item.at("options");
        const auto& labels = item.at("option_labels");
        REQUIRE(codes.size() == labels.size());
        for (size_t i = 0; i < codes.size(); ++i) {
            const auto* option = catalog.find(codes[i].get<std::string>());
            REQUIRE(option != nullptr);
            CHECK(option->label == labels[i].get<std::string>());
        }
    }
    const json record = json::parse(block_after(doc, "The canonical record of the worked example"));
    for (size_t i = 0; i < record.at("option_codes").size(); ++i) {
        const auto* option = catalog.find(record["option_codes"][i].get<std::string>());
        REQUIRE(option != nullptr);
        CHECK(option->label == record["option_labels"][i].get<std::string>());
    }
    // policy/001's unrated rule sits in 二、评价实施 (四) 评价规则, point 4.
    const std::string config_doc = read_file(root / "docs" / "config.md");
    CHECK(config_doc.find("二(四)4 评价时间限制") != std::string::npos);
    CHECK(config_doc.find("四.4") == std::string::npos);
}

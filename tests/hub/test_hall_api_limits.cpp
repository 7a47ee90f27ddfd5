// The hall API under floods (token buckets → 429) and on a nearly full disk (507, nothing
// stored), plus the rate limiter on its own with a controlled clock.
#include <catch2/catch.hpp>

#include "api_fixture.hpp"
#include "hcp/hub_server/rate_limit.hpp"

using namespace hcp;
using namespace hcp::test;
using namespace std::chrono_literals;

TEST_CASE("A token bucket allows its burst then says how long to wait and refills at its rate", "[rate_limit]") {
    RateLimiter lim(2.0, 3.0);  // 2 per second, 3 at once
    const auto t0 = RateLimiter::Clock::now();
    for (int i = 0; i < 3; ++i) CHECK_FALSE(lim.acquire("a", t0));
    auto wait = lim.acquire("a", t0);
    REQUIRE(wait);
    CHECK(*wait == 500ms);              // one token at 2/s
    CHECK_FALSE(lim.acquire("b", t0));  // another client has its own bucket
    CHECK(lim.acquire("a", t0 + 499ms));
    CHECK_FALSE(lim.acquire("a", t0 + 1000ms));
    // A long pause refills to the burst, not beyond.
    const auto t1 = t0 + 1h;
    for (int i = 0; i < 3; ++i) CHECK_FALSE(lim.acquire("a", t1));
    CHECK(lim.acquire("a", t1));
}

TEST_CASE("A rate of zero disables the limit", "[rate_limit]") {
    RateLimiter lim(0, 1);
    CHECK_FALSE(lim.enabled());
    const auto t = RateLimiter::Clock::now();
    for (int i = 0; i < 1000; ++i) REQUIRE_FALSE(lim.acquire("x", t));
    CHECK(lim.keys() == 0);
}

TEST_CASE("A flood of new client keys cannot grow the table past its bound", "[rate_limit]") {
    RateLimiter lim(1.0, 2.0, 64);
    auto t = RateLimiter::Clock::now();
    // A busy client that is still limited…
    CHECK_FALSE(lim.acquire("busy", t));
    CHECK_FALSE(lim.acquire("busy", t));
    for (int i = 0; i < 10000; ++i) {
        lim.acquire("ip:10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), t);
        REQUIRE(lim.keys() <= 64);
    }
    CHECK(lim.keys() <= 64);
    // …refills and is usable again after a pause whatever was dropped.
    t += 5s;
    CHECK_FALSE(lim.acquire("busy", t));
}

namespace {

struct LimitedApi : HubFixture {
    std::unique_ptr<HallApiServer> server;
    int port = 0;
    explicit LimitedApi(HallApiConfig cfg) {
        server = std::make_unique<HallApiServer>(*hub, cfg);
        auto r = server->start();
        if (!r) throw std::runtime_error(r.error().detail);
        port = r.value();
    }
    httplib::Client client(const std::string& token = {}) const {
        httplib::Client c("127.0.0.1", port);
        c.set_connection_timeout(2, 0);
        c.set_read_timeout(5, 0);
        if (!token.empty()) c.set_bearer_token_auth(token);
        return c;
    }
};

HallApiConfig slow_config() {
    auto c = api_config();
    c.rate_per_second = 0.2;  // one request every 5 s after the burst
    c.rate_burst = 3;
    c.anon_rate_per_second = 0.2;
    c.anon_rate_burst = 2;
    return c;
}

}  // namespace

TEST_CASE("A flood from one token gets 429 with Retry-After and a JSON error and stores nothing", "[hall_api]") {
    LimitedApi api(slow_config());
    auto sys = api.client(kSystemToken);
    for (int i = 0; i < 3; ++i) {
        auto r = sys.Post("/api/v1/cases", case_body("FLOOD-" + std::to_string(i)).dump(), "application/json");
        REQUIRE(r);
        CHECK(r->status == 201);
    }
    auto r = sys.Post("/api/v1/cases", case_body("FLOOD-X").dump(), "application/json");
    REQUIRE(r);
    CHECK(r->status == 429);
    CHECK(error_code(r) == "rate_limited");
    REQUIRE(r->has_header("Retry-After"));
    const int after = std::stoi(r->get_header_value("Retry-After"));
    CHECK(after >= 1);
    CHECK(after <= 5);
    auto body = json::parse(r->body);
    CHECK(body["error"]["message"].get<std::string>().find("请求过于频繁") != std::string::npos);
    CHECK_FALSE(api.hub->find_case("FLOOD-X"));  // refused before the body was looked at
    for (int i = 0; i < 50; ++i) {
        auto more = sys.Get("/api/v1/cases/FLOOD-0");
        REQUIRE(more);
        CHECK(more->status == 429);
    }
    // Another caller is not slowed down by the flood.
    auto dev = api.client(kWindow2Token).Get("/api/v1/cases/FLOOD-0");
    REQUIRE(dev);
    CHECK(dev->status == 200);
    // Health counts the refusals.
    auto h = api.client().Get("/api/v1/health");
    REQUIRE(h);
    CHECK(json::parse(h->body)["rate_limited"].get<long long>() >= 51);
}

TEST_CASE("Requests without a valid token are limited per address", "[hall_api]") {
    LimitedApi api(slow_config());
    auto anon = api.client();
    CHECK(anon.Get("/api/v1/cases/X")->status == 401);
    auto bad = api.client("not-a-valid-token-at-all");
    CHECK(bad.Get("/api/v1/cases/X")->status == 401);
    // The address's bucket (2) is empty now, whatever token-looking header comes with it.
    auto r = anon.Get("/api/v1/cases/X");
    REQUIRE(r);
    CHECK(r->status == 429);
    CHECK(r->has_header("Retry-After"));
    CHECK(bad.Get("/api/v1/cases/X")->status == 429);
    // Health is never limited: a monitor still sees the hub alive during the flood.
    auto h = anon.Get("/api/v1/health");
    REQUIRE(h);
    CHECK(h->status == 200);
    CHECK(json::parse(h->body)["rate_limited"].get<long long>() >= 2);
    // A valid token has its own bucket.
    CHECK(api.client(kSystemToken).Get("/api/v1/cases/X")->status == 404);
}

TEST_CASE("The default limits let ordinary traffic through", "[hall_api]") {
    ApiFixture f;
    for (int i = 0; i < 30; ++i) {
        auto r = f.post("/api/v1/cases", case_body("BUSY-" + std::to_string(i)).dump(), kSystemToken);
        REQUIRE(r);
        REQUIRE(r->status == 201);
    }
}

TEST_CASE("Below the disk reserve POST cases and ratings answer 507 with the message and nothing is stored",
          "[hall_api]") {
    TempDir dir;
    const SecretKey key = SecretKey::random();
    {
        // A case stored while there was room.
        Hub before(hub_setup(dir / "hub.db"), key);
        REQUIRE(before.report_case(completed_report("DISK-OLD")));
    }
    auto setup = hub_setup(dir / "hub.db");
    setup.store.min_free_bytes = 1LL << 60;  // an exabyte: no disk has that much free
    Hub hub(setup, key);
    HallApiServer server(hub, api_config());
    auto started = server.start();
    REQUIRE(started);
    httplib::Client c("127.0.0.1", started.value());
    c.set_read_timeout(5, 0);
    const long long events = hub.events().last_id();
    const long long cases = raw_int(dir / "hub.db", "SELECT count(*) FROM cases");

    c.set_bearer_token_auth(kSystemToken);
    auto r = c.Post("/api/v1/cases", case_body("DISK-NEW").dump(), "application/json");
    REQUIRE(r);
    CHECK(r->status == 507);
    CHECK(error_code(r) == "disk_nearly_full");
    CHECK(json::parse(r->body)["error"]["message"].get<std::string>().find("存储空间不足") != std::string::npos);
    auto batch = case_body("DISK-B1");
    batch["batch"] = {"DISK-B2", "DISK-B3"};
    r = c.Post("/api/v1/cases", batch.dump(), "application/json");
    REQUIRE(r);
    CHECK(r->status == 507);

    c.set_bearer_token_auth(kWindow2Token);
    r = c.Post("/api/v1/ratings", rating_body("DISK-OLD").dump(), "application/json");
    REQUIRE(r);
    CHECK(r->status == 507);
    CHECK(error_code(r) == "disk_nearly_full");
    CHECK(json::parse(r->body)["error"]["message"].get<std::string>().find("扫描回执上的二维码") != std::string::npos);

    // Nothing half-stored: no case, no rating, no outbox row, no event.
    CHECK(raw_int(dir / "hub.db", "SELECT count(*) FROM cases") == cases);
    CHECK(raw_int(dir / "hub.db", "SELECT count(*) FROM ratings") == 0);
    CHECK(raw_int(dir / "hub.db", "SELECT count(*) FROM outbox") == 0);
    CHECK(hub.events().last_id() == events);
    // Reading still works.
    CHECK(c.Get("/api/v1/cases/DISK-OLD")->status == 200);
    server.stop();
}

TEST_CASE("Default ratings on a nearly full disk are refused by the store and reported", "[hub]") {
    TempDir dir;
    const SecretKey key = SecretKey::random();
    {
        Hub before(hub_setup(dir / "hub.db"), key);
        REQUIRE(before.report_case(completed_report("FULL-1")));
    }
    auto setup = hub_setup(dir / "hub.db");
    setup.store.min_free_bytes = 1LL << 60;
    Hub hub(setup, key);
    auto run = hub.process_unrated(now() + std::chrono::hours{24 * 30});
    CHECK(run.defaults_recorded == 0);
    REQUIRE(run.failures.size() == 1);
    CHECK(run.failures[0].find("FULL-1") != std::string::npos);
    CHECK(hub.rating_count() == 0);
}

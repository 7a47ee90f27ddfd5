// RemoteHubLink: a terminal on another "host" (its own store) against the hall API over
// loopback, including the hub going away and coming back: nothing lost, nothing doubled.
#include <catch2/catch.hpp>

#include "api_fixture.hpp"
#include "hcp/hub_client/remote_hub_link.hpp"
#include "hcp/store/verify.hpp"

using namespace hcp;
using namespace hcp::test;

namespace {

RemoteHubLinkOptions terminal_options(const TempDir& dir, int port) {
    HallFixture hall(assets_dir());
    RemoteHubLinkOptions o;
    o.hub_url = "http://127.0.0.1:" + std::to_string(port);
    o.token = kWindow2Token;
    o.store.path = dir / "terminal.db";
    o.store.device_id = "rater-02";
    o.store.min_free_bytes = 1024 * 1024;
    o.hall = hall.hall;
    o.catalog = hall.catalog;
    o.request_timeout = std::chrono::milliseconds(1000);
    o.sse_read_timeout = std::chrono::milliseconds(3000);
    o.reconnect_delay = std::chrono::milliseconds(100);
    o.forward_interval = std::chrono::milliseconds(200);
    return o;
}

// Waits (bounded) for the next rating_stored event on the hub's bus after `after`.
bool wait_rating_stored(Hub& hub, long long after) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    long long last = after;
    while (std::chrono::steady_clock::now() < deadline) {
        auto b = hub.events().wait(last, EventFilter{}, std::chrono::milliseconds(500));
        for (const auto& e : b.events)
            if (e.type == HubEventType::rating_stored) return true;
        last = b.last_id;
    }
    return false;
}

}  // namespace

TEST_CASE("Remote hub link: a case reported on the hub opens on the remote terminal and the rating is stored there") {
    ApiFixture f;
    TempDir tdir;
    RemoteHubLink link(terminal_options(tdir, f.port), f.key);
    Inbox<TerminalEvent> inbox;
    link.subscribe(2, [&](const TerminalEvent& e) {
        if (e.kind == TerminalEvent::Kind::rating_requested) inbox.push(e);
    });
    REQUIRE(f.post("/api/v1/cases", case_body("C-1").dump(), kSystemToken)->status == 201);
    auto got = inbox.wait_for(1);
    REQUIRE(got.size() == 1);
    CHECK(got.front().request->cases.front().case_no == "C-1");
    auto r = link.submit(good_draft("C-1"));
    REQUIRE(r.ok());
    CHECK(r.value().outcome == SubmitOutcome::stored);
    CHECK(f.hub->rating_count() == 1);
    auto again = link.submit(good_draft("C-1"));
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().violation == RuleViolation::already_rated);
    CHECK_FALSE(again.error().message_zh.empty());
    CHECK(link.status().online);
}

TEST_CASE("Remote hub link: with the hub down the rating is kept locally and forwarded once when it returns") {
    ApiFixture f;
    TempDir tdir;
    RemoteHubLink link(terminal_options(tdir, f.port), SecretKey::random());
    Inbox<TerminalEvent> requests;
    link.subscribe(2, [&](const TerminalEvent& e) {
        if (e.kind == TerminalEvent::Kind::rating_requested) requests.push(e);
    });
    REQUIRE(f.post("/api/v1/cases", case_body("C-1").dump(), kSystemToken)->status == 201);
    REQUIRE(requests.wait_for(1).size() == 1);

    // The hub's API goes away (the hub keeps its store).
    f.server->stop();
    auto local = link.submit(good_draft("C-1"));
    REQUIRE(local.ok());
    CHECK(local.value().outcome == SubmitOutcome::stored_locally);
    CHECK(link.status().pending_forward == 1);
    CHECK_FALSE(link.status().online);
    CHECK(f.hub->rating_count() == 0);
    CHECK(raw_int(tdir / "terminal.db", "SELECT count(*) FROM outbox WHERE target = 'hub'") == 1);

    // Back on the same port.
    const long long before = f.hub->events().last_id();
    f.server = std::make_unique<HallApiServer>(*f.hub, api_config(f.port));
    REQUIRE(f.server->start().ok());
    link.forward_now();
    REQUIRE(wait_rating_stored(*f.hub, before));
    CHECK(f.hub->rating_count() == 1);
    CHECK(raw_text(f.dir / "hub.db", "SELECT id FROM ratings") == local.value().rating_id);
    CHECK(raw_text(f.dir / "hub.db", "SELECT device_id FROM ratings") == "rater-02");

    // Bounded wait for the terminal's outbox row to be acknowledged.
    for (int i = 0; i < 100 && raw_int(tdir / "terminal.db", "SELECT count(*) FROM outbox WHERE state = 'acked'") == 0;
         ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(raw_int(tdir / "terminal.db", "SELECT count(*) FROM outbox WHERE state = 'acked'") == 1);

    // The acknowledgement was lost (the terminal did not hear the hub's answer): the terminal
    // sends the same rating again and the hub takes it as a duplicate, not a second rating.
    raw_exec(tdir / "terminal.db", "UPDATE outbox SET state = 'pending' WHERE target = 'hub'");
    link.forward_now();
    for (int i = 0; i < 100 && raw_int(tdir / "terminal.db", "SELECT count(*) FROM outbox WHERE state = 'acked'") == 0;
         ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(raw_int(tdir / "terminal.db", "SELECT count(*) FROM outbox WHERE state = 'acked'") == 1);
    CHECK(f.hub->rating_count() == 1);
    auto again = link.submit(good_draft("C-1"));
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().violation == RuleViolation::already_rated);
    CHECK(f.hub->rating_count() == 1);
}

TEST_CASE(
    "Remote hub link: a terminal that never reached its hub refuses a case it was never shown and stores nothing") {
    TempDir tdir;
    // Nothing listens on this port: take a free one and close it.
    const int dead_port = free_port();
    RemoteHubLink link(terminal_options(tdir, dead_port), SecretKey::random());
    auto r = link.submit(good_draft("UNSEEN"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().violation == RuleViolation::unknown_case);
    CHECK_FALSE(link.status().online);
    CHECK(link.status().pending_forward == 0);
    CHECK(raw_int(tdir / "terminal.db", "SELECT count(*) FROM ratings") == 0);
}

TEST_CASE("Remote hub link: the event stream reconnects after the hub returns and replays what it missed") {
    ApiFixture f;
    TempDir tdir;
    RemoteHubLink link(terminal_options(tdir, f.port), SecretKey::random());
    Inbox<TerminalEvent> inbox;
    link.subscribe(2, [&](const TerminalEvent& e) { inbox.push(e); });
    REQUIRE(f.post("/api/v1/cases", case_body("C-1").dump(), kSystemToken)->status == 201);
    auto first = inbox.wait_for(2);  // hub_online, rating_requested C-1
    REQUIRE(first.size() >= 2);

    f.server->stop();
    // While the API is down the hub itself moves on: a new case opens on window 2.
    REQUIRE(f.hub->report_case(completed_report("C-2", 2)).ok());
    f.server = std::make_unique<HallApiServer>(*f.hub, api_config(f.port));
    REQUIRE(f.server->start().ok());

    // Bounded wait for the request for C-2 (after the cancellation of C-1, and the offline /
    // online notices whose number depends on timing).
    bool c2 = false;
    for (size_t want = first.size() + 1; want < first.size() + 8 && !c2; ++want) {
        auto got = inbox.wait_for(want, std::chrono::seconds(10));
        for (size_t i = first.size(); i < got.size(); ++i) {
            const auto& e = got[i];
            if (e.kind == TerminalEvent::Kind::rating_requested && e.request->cases.front().case_no == "C-2") c2 = true;
        }
        if (got.size() < want) break;
    }
    CHECK(c2);
    // And the terminal can rate the replayed case straight away.
    auto r = link.submit(good_draft("C-2"));
    REQUIRE(r.ok());
    CHECK(r.value().outcome == SubmitOutcome::stored);
}

TEST_CASE("Remote hub link: a forwarded rating whose case was rated meanwhile leaves no gap in the terminal's chain") {
    ApiFixture f;
    TempDir tdir;
    RemoteHubLink link(terminal_options(tdir, f.port), SecretKey::random());
    Inbox<TerminalEvent> requests;
    link.subscribe(2, [&](const TerminalEvent& e) {
        if (e.kind == TerminalEvent::Kind::rating_requested) requests.push(e);
    });
    REQUIRE(f.post("/api/v1/cases", case_body("C-1").dump(), kSystemToken)->status == 201);
    REQUIRE(!requests.wait_for(1).empty());

    f.server->stop();
    auto local = link.submit(good_draft("C-1"));
    REQUIRE(local.ok());
    REQUIRE(local.value().outcome == SubmitOutcome::stored_locally);
    // Meanwhile the citizen rated C-1 at the hub (e.g. by the receipt QR).
    auto at_hub = f.hub->submit_rating(good_draft("C-1"));
    REQUIRE(at_hub.ok());

    f.server = std::make_unique<HallApiServer>(*f.hub, api_config(f.port));
    REQUIRE(f.server->start().ok());
    link.forward_now();
    const auto settled = [&] {
        return raw_int(tdir / "terminal.db", "SELECT count(*) FROM outbox WHERE state = 'rejected'") == 1;
    };
    for (int i = 0; i < 200 && !settled(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(settled());
    CHECK(f.hub->rating_count() == 1);

    // hcpctl verify's view: rater-02's link is there, superseded, and nothing reads as deleted.
    auto report = verify_store(f.dir / "hub.db", std::nullopt);
    CHECK(report.ok());
    REQUIRE(report.superseded.size() == 1);
    CHECK(report.superseded.front().seq == 1);
    CHECK(report.superseded.front().superseded_by == at_hub.value().id);
}

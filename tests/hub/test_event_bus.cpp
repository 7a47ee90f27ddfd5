// The hub's event bus: increasing ids, bounded replay by last id, blocking waits that end on
// events, timeouts, stop flags and close, and RAII subscriptions.
#include <catch2/catch.hpp>

#include <thread>

#include "hcp/hub/event_bus.hpp"
#include "hub_fixture.hpp"

using namespace hcp;

namespace {
HubEvent ev(int window, HubEventType type = HubEventType::case_updated) {
    HubEvent e;
    e.type = type;
    e.window = window;
    e.case_nos = {"C-" + std::to_string(window)};
    return e;
}
}  // namespace

TEST_CASE("Event bus: ids increase by one from 1") {
    EventBus bus(8);
    CHECK(bus.last_id() == 0);
    CHECK(bus.publish(ev(1)) == 1);
    CHECK(bus.publish(ev(2)) == 2);
    CHECK(bus.publish(ev(1)) == 3);
    CHECK(bus.last_id() == 3);
}

TEST_CASE("Event bus: a reader that reconnects with its last id gets exactly what it missed") {
    EventBus bus(16);
    for (int i = 0; i < 10; ++i) bus.publish(ev(i % 2 + 1));
    auto all = bus.since(4, EventFilter{});
    REQUIRE(all.events.size() == 6);
    CHECK(all.events.front().id == 5);
    CHECK(all.events.back().id == 10);
    CHECK_FALSE(all.gap);
    auto w1 = bus.since(4, EventFilter{1});
    for (const auto& e : w1.events) CHECK(e.window == 1);
    CHECK(w1.events.size() == 3);
}

TEST_CASE("Event bus: the replay buffer is bounded and says when events were dropped") {
    EventBus bus(4);
    for (int i = 0; i < 10; ++i) bus.publish(ev(1));
    auto b = bus.since(2, EventFilter{});
    CHECK(b.gap);
    REQUIRE(b.events.size() == 4);
    CHECK(b.events.front().id == 7);
    CHECK_FALSE(bus.since(6, EventFilter{}).gap);
}

TEST_CASE("Event bus: broadcasts reach every window filter") {
    EventBus bus;
    bus.publish(ev(HubEvent::kAllWindows));
    bus.publish(ev(3));
    CHECK(bus.since(0, EventFilter{2}).events.size() == 1);
    CHECK(bus.since(0, EventFilter{3}).events.size() == 2);
}

TEST_CASE("Event bus: a waiting reader wakes when a matching event is published") {
    EventBus bus;
    std::thread publisher([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        bus.publish(ev(1));
        bus.publish(ev(2));
    });
    auto b = bus.wait(0, EventFilter{2}, std::chrono::seconds(10));
    publisher.join();
    REQUIRE(b.events.size() == 1);
    CHECK(b.events.front().window == 2);
    CHECK(b.events.front().id == 2);
}

TEST_CASE("Event bus: a wait without events returns empty after its timeout") {
    EventBus bus;
    bus.publish(ev(1));
    auto b = bus.wait(1, EventFilter{}, std::chrono::milliseconds(30));
    CHECK(b.events.empty());
    CHECK_FALSE(b.closed);
    CHECK(b.last_id == 1);
}

TEST_CASE("Event bus: closing the bus ends every wait") {
    EventBus bus;
    std::thread closer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        bus.close();
    });
    auto b = bus.wait(0, EventFilter{}, std::chrono::seconds(60));
    closer.join();
    CHECK(b.closed);
    CHECK(bus.wait(0, EventFilter{}, std::chrono::seconds(60)).closed);
}

TEST_CASE("Event bus: a subscription delivers in order and stops for good when destroyed") {
    EventBus bus;
    test::Inbox<long long> inbox;
    {
        auto sub = bus.subscribe(EventFilter{1}, [&](const HubEvent& e) { inbox.push(e.id); });
        bus.publish(ev(1));
        bus.publish(ev(2));
        bus.publish(ev(1));
        auto got = inbox.wait_for(2);
        REQUIRE(got.size() == 2);
        CHECK(got[0] == 1);
        CHECK(got[1] == 3);
    }
    bus.publish(ev(1));
    // The subscription is gone: a wait on the bus itself proves the event exists, the inbox stays.
    CHECK(bus.since(3, EventFilter{1}).events.size() == 1);
    CHECK(inbox.size() == 2);
}

TEST_CASE("Event bus: a reader with an id from before a hub restart is told of the gap and gets what there is") {
    EventBus bus(8);
    bus.publish(ev(1));
    bus.publish(ev(1));
    auto b = bus.since(500, EventFilter{});
    CHECK(b.gap);
    REQUIRE(b.events.size() == 2);
    CHECK(b.last_id == 2);
    auto w = bus.wait(500, EventFilter{}, std::chrono::seconds(10));
    CHECK(w.gap);
    CHECK(w.events.size() == 2);
}

TEST_CASE("Event bus: a callback that throws does not stop later deliveries") {
    EventBus bus;
    test::Inbox<long long> inbox;
    auto sub = bus.subscribe(EventFilter{}, [&](const HubEvent& e) {
        inbox.push(e.id);
        if (e.id == 1) throw std::runtime_error("screen queue full");
    });
    bus.publish(ev(1));
    bus.publish(ev(1));
    auto got = inbox.wait_for(2);
    REQUIRE(got.size() == 2);
    CHECK(got[1] == 2);
}

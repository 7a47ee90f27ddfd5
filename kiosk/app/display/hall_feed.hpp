#pragma once
// Where the hall display's data comes from: the queue's snapshot and its events. The display
// never touches SQLite itself; the feed's thread reads the snapshot and the app posts it to the
// main-thread queue.
#include <functional>
#include <mutex>

#include "hcp/hub/event_bus.hpp"
#include "hcp/hub_client/remote_queue.hpp"
#include "hcp/queue/queue.hpp"

namespace hcp::ui {

class HallFeed {
public:
    virtual ~HallFeed() = default;
    // Any thread. Today's counts, windows and last calls.
    virtual hcp::QueueSnapshot snapshot() = 0;
    // queue_called and queue_changed events, on the feed's own thread, until unsubscribe().
    virtual void subscribe(std::function<void(const hcp::HubEvent&)> on_event) = 0;
    // Afterwards the callback is not running and will not run again.
    virtual void unsubscribe() = 0;
    // Whether the data is current: false while a remote hub cannot be reached (the screen then
    // says so; a change is announced with a queue_changed event).
    virtual bool online() const { return true; }
    // False when snapshot() is a network round trip: then the first snapshot is read on the
    // feed's thread (subscribe() announces the connection with a queue_changed), never on the
    // UI thread while the first frame waits.
    virtual bool local() const { return true; }
};

// The queue in this process: the engine's snapshot and the hub's event bus.
class LocalHallFeed final : public HallFeed {
public:
    LocalHallFeed(const hcp::QueueEngine& engine, hcp::EventBus& bus) : m_engine(engine), m_bus(bus) {}
    hcp::QueueSnapshot snapshot() override { return m_engine.snapshot(); }
    void subscribe(std::function<void(const hcp::HubEvent&)> on_event) override;
    void unsubscribe() override { m_sub.reset(); }

private:
    const hcp::QueueEngine& m_engine;
    hcp::EventBus& m_bus;
    hcp::EventBus::Subscription m_sub;
};

// The queue of a hub on another host (device.hub_url): the hall API's snapshot and event
// stream. While the hub cannot be reached, snapshot() returns the last one it could read.
class RemoteHallFeed final : public HallFeed {
public:
    explicit RemoteHallFeed(hcp::RemoteQueue& queue) : m_queue(queue) {}
    hcp::QueueSnapshot snapshot() override;
    void subscribe(std::function<void(const hcp::HubEvent&)> on_event) override {
        m_queue.subscribe(std::move(on_event));
    }
    void unsubscribe() override { m_queue.unsubscribe(); }
    bool online() const override { return m_queue.online(); }
    bool local() const override { return false; }

private:
    hcp::RemoteQueue& m_queue;
    std::mutex m_mutex;
    hcp::QueueSnapshot m_last;
};

}  // namespace hcp::ui

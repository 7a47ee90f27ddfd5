#pragma once
// The hall's queue seen from a device that does not run the hub: a hall display or a ticket
// station on another host (device.hub_url), over the hall API (docs/hall-api.md "Queue").
//
// Contracts:
// - snapshot() is GET /api/v1/queue; take() is POST /api/v1/tickets. Each has a deadline
//   (request_timeout) and never throws. A refusal of the hub comes back as the engine's own
//   QueueFailure (cause from the error code, the hub's Chinese message); a hub that cannot be
//   reached, or an answer that is not the hub's, is a QueueFailure with cause storage_error
//   (the hall cannot serve now) and a plain Chinese message that says what to do.
// - subscribe() reads GET /api/v1/events on its own thread and calls back with queue_called
//   and queue_changed events. After every (re)connection, and after a gap in the stream, it
//   also calls back with a queue_changed, so a screen re-reads the snapshot it may have
//   missed changes of. online() is false from a failed connection until the next one succeeds
//   (true before the first attempt: not known to be offline); a change of it is announced with
//   a queue_changed too.
// - unsubscribe() (and the destructor) stops the reader; afterwards no callback runs. Never
//   call it (or subscribe()) from inside the callback: it joins the thread the callback runs on.
// - Thread-safe otherwise.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "hcp/hub/event_bus.hpp"
#include "hcp/queue/queue.hpp"

namespace hcp {

struct RemoteQueueOptions {
    std::string hub_url;  // "http://192.168.1.10:8787"
    std::string token;    // this device's bearer token ([[device]] in the hub's tokens file)
    std::chrono::milliseconds request_timeout{3000};
    std::chrono::milliseconds sse_read_timeout{45000};  // > the hub's keep-alive interval
    std::chrono::milliseconds reconnect_delay{1000};
};

class RemoteQueue {
public:
    explicit RemoteQueue(RemoteQueueOptions options);
    ~RemoteQueue();
    RemoteQueue(const RemoteQueue&) = delete;
    RemoteQueue& operator=(const RemoteQueue&) = delete;

    QueueResult<QueueSnapshot> snapshot() const;
    QueueResult<IssuedTicket> take(std::string_view category, bool priority) const;
    // POST /api/v1/tickets {"appointment_code"}: 预约签到.
    QueueResult<IssuedTicket> check_in(std::string_view appointment_code) const;

    void subscribe(std::function<void(const HubEvent&)> on_event);
    void unsubscribe();
    bool online() const noexcept { return m_online.load(); }

private:
    QueueResult<IssuedTicket> post_ticket(const nlohmann::json& body) const;
    struct Reader;
    RemoteQueueOptions m_opt;
    std::mutex m_reader_mutex;  // guards m_reader (subscribe / unsubscribe from any thread)
    std::unique_ptr<Reader> m_reader;
    std::atomic<bool> m_online{true};  // not known to be offline until a connection fails
};

}  // namespace hcp

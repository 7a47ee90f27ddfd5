#pragma once
// The hub's event bus: what terminals and displays learn about cases and ratings.
//
// Contracts:
// - publish() assigns ids that increase by one from 1 for the life of the bus.
// - The last `capacity` events are kept for replay: a reader that reconnects with the last id it
//   saw gets everything after it, or `gap = true` when some of it has already been dropped.
// - wait() blocks on a condition variable until an event matching the filter arrives, the
//   timeout passes, the caller's stop flag is set (after notify_all()) or the bus is closed. No
//   polling.
// - Subscription runs the callback on its own thread; destroying it (or reset()) stops and joins
//   that thread: afterwards the callback is not running and will not run again.
// - Events never carry the level of a rating (DESIGN §5.7: staff never learn the level).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hcp/base/time.hpp"
#include "hcp/hub/hub_link.hpp"

namespace hcp {

enum class HubEventType {
    rating_requested,  // a terminal should open the rating screen (request is set)
    rating_cancelled,  // an open request was withdrawn (case_nos)
    rating_stored,     // a rating was committed (rating_id, case_nos; never the level)
    not_rated,         // the terminal timed out (case_nos)
    case_updated,      // a case was saved without opening a rating (case_nos)
    queue_called,      // a ticket was called to a window (call is set; window = that window)
    queue_changed,     // waiting counts changed (ticket taken, skipped, transferred …); window = kAllWindows
    receipt_printed,   // a window's 办件回执 job ended, printed or not (receipt is set; window = that window)
};
std::string_view to_string(HubEventType t) noexcept;

// A call of the queue as displays and voices announce it (queue_called).
struct QueueCallNotice {
    std::string number;    // "A012"
    std::string category;  // category code
    int window = 0;
    std::string window_name;  // "3号窗口" or the configured name
    std::string action;       // "call" | "call_given" | "recall" | "resume" (to_string(QueueAction))
};

// How a receipt job at a window ended (receipt_printed): for the staff console at that window.
struct ReceiptPrintNotice {
    std::string job_id;
    bool printed = false;
    std::string reason_zh;  // when not printed: what to check, plain Chinese
};

struct HubEvent {
    long long id = 0;  // assigned by publish()
    HubEventType type = HubEventType::case_updated;
    int window = 0;                        // 0 = self-service / no window; kAllWindows = everyone
    TimePoint at{};                        // assigned by publish()
    std::optional<RatingRequest> request;  // rating_requested
    std::vector<std::string> case_nos;
    std::string rating_id;                      // rating_stored
    std::optional<QueueCallNotice> call;        // queue_called
    std::optional<ReceiptPrintNotice> receipt;  // receipt_printed (case_nos: the case)
    Stage stage = Stage::completed;
    static constexpr int kAllWindows = -1;
};

// Which events a reader wants: all, or those of one window (plus broadcasts).
struct EventFilter {
    std::optional<int> window;
    bool matches(const HubEvent& e) const noexcept {
        return !window || e.window == *window || e.window == HubEvent::kAllWindows;
    }
};

struct EventBatch {
    std::vector<HubEvent> events;  // in id order
    bool gap = false;              // events after `after_id` were already dropped from the buffer
    bool closed = false;           // the bus was closed (shutdown)
    long long last_id = 0;         // highest id examined (use as the next after_id)
};

class EventBus {
public:
    // 8192 events: a busy hall's queue publishes about 1000 an hour, so a terminal that lost its
    // link for several hours still gets every rating request it missed replayed. Beyond that a
    // resuming reader only learns `gap` (known gap: RemoteHubLink does not yet re-read the open
    // requests then).
    explicit EventBus(size_t capacity = 8192);
    EventBus(const EventBus&) = delete;
    EventBus& operator=(const EventBus&) = delete;
    ~EventBus();

    // Stores the event (id and time assigned), wakes waiters, returns the id.
    long long publish(HubEvent event);
    long long last_id() const;
    size_t capacity() const noexcept { return m_capacity; }

    // Events with id > after_id that match, without blocking (at most `max` of them).
    EventBatch since(long long after_id, const EventFilter& filter, size_t max = 256) const;
    // Like since(), but blocks up to `timeout` until at least one matching event exists.
    // Returns early with an empty batch when *stop becomes true (call notify_all() after
    // setting it) or the bus is closed.
    EventBatch wait(long long after_id, const EventFilter& filter, std::chrono::milliseconds timeout,
                    const std::atomic<bool>* stop = nullptr, size_t max = 256) const;
    // Wakes every waiter so it can look at its stop flag.
    void notify_all() const;
    // Wakes every waiter for good: later waits return at once with closed = true.
    void close();
    bool closed() const;

    class Subscription {
    public:
        Subscription();
        Subscription(Subscription&&) noexcept;
        Subscription& operator=(Subscription&&) noexcept;
        ~Subscription();
        void reset();  // stop and join
        bool active() const noexcept { return m_state != nullptr; }

    private:
        friend class EventBus;
        struct State;
        std::unique_ptr<State> m_state;
    };
    // Delivers matching events with id > after_id (default: only new ones) to `callback` on a
    // dedicated thread. The bus must outlive the subscription.
    Subscription subscribe(EventFilter filter, std::function<void(const HubEvent&)> callback,
                           std::optional<long long> after_id = std::nullopt);

private:
    const size_t m_capacity;
    mutable std::mutex m_mutex;
    mutable std::condition_variable m_cv;
    std::deque<HubEvent> m_events;
    long long m_next_id = 1;
    bool m_closed = false;
};

}  // namespace hcp

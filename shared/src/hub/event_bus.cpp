#include "hcp/hub/event_bus.hpp"

#include <utility>

namespace hcp {

std::string_view to_string(HubEventType t) noexcept {
    switch (t) {
        case HubEventType::rating_requested: return "rating_requested";
        case HubEventType::rating_cancelled: return "rating_cancelled";
        case HubEventType::rating_stored: return "rating_stored";
        case HubEventType::not_rated: return "not_rated";
        case HubEventType::case_updated: return "case_updated";
        case HubEventType::queue_called: return "queue_called";
        case HubEventType::queue_changed: return "queue_changed";
        case HubEventType::receipt_printed: return "receipt_printed";
    }
    return "unknown";
}

EventBus::EventBus(size_t capacity) : m_capacity(capacity == 0 ? 1 : capacity) {}

EventBus::~EventBus() {
    close();
}

long long EventBus::publish(HubEvent event) {
    long long id = 0;
    {
        std::lock_guard lock(m_mutex);
        id = m_next_id++;
        event.id = id;
        event.at = now();
        m_events.push_back(std::move(event));
        while (m_events.size() > m_capacity) m_events.pop_front();
    }
    m_cv.notify_all();
    return id;
}

long long EventBus::last_id() const {
    std::lock_guard lock(m_mutex);
    return m_next_id - 1;
}

namespace {

// Collects matching events after `after_id` from a buffer whose ids are consecutive.
EventBatch collect(const std::deque<HubEvent>& events, long long next_id, long long after_id, const EventFilter& filter,
                   size_t max) {
    EventBatch b;
    if (after_id > next_id - 1) {
        // An id from the future: the reader saw an earlier life of the hub (ids restart at 1 after
        // a restart). Tell it, and carry on from what this bus has.
        b.gap = true;
        after_id = 0;
    }
    b.last_id = after_id < 0 ? 0 : after_id;
    if (events.empty()) {
        if (after_id < next_id - 1) b.gap = true;
        b.last_id = std::max(b.last_id, next_id - 1);
        return b;
    }
    const long long first = events.front().id;
    if (after_id + 1 < first) b.gap = true;
    const long long start = std::max(after_id + 1, first);
    for (long long id = start; id < next_id; ++id) {
        const HubEvent& e = events[static_cast<size_t>(id - first)];
        b.last_id = id;
        if (filter.matches(e)) {
            b.events.push_back(e);
            if (b.events.size() >= max) break;
        }
    }
    return b;
}

}  // namespace

EventBatch EventBus::since(long long after_id, const EventFilter& filter, size_t max) const {
    std::lock_guard lock(m_mutex);
    EventBatch b = collect(m_events, m_next_id, after_id, filter, max);
    b.closed = m_closed;
    return b;
}

EventBatch EventBus::wait(long long after_id, const EventFilter& filter, std::chrono::milliseconds timeout,
                          const std::atomic<bool>* stop, size_t max) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(m_mutex);
    long long seen = after_id;
    for (;;) {
        if (m_closed) {
            EventBatch b;
            b.closed = true;
            b.last_id = seen;
            return b;
        }
        if (stop && stop->load()) {
            EventBatch b;
            b.last_id = seen;
            return b;
        }
        // Only examine what arrived since the last look; non-matching events move `seen` on.
        EventBatch b = collect(m_events, m_next_id, after_id, filter, max);
        if (!b.events.empty() || b.gap) return b;
        seen = b.last_id;
        if (m_cv.wait_until(lock, deadline) == std::cv_status::timeout) {
            EventBatch t = collect(m_events, m_next_id, after_id, filter, max);
            t.closed = m_closed;
            return t;
        }
    }
}

void EventBus::notify_all() const {
    // Take the lock so a waiter between its stop check and its wait cannot miss the wake-up.
    { std::lock_guard lock(m_mutex); }
    m_cv.notify_all();
}

void EventBus::close() {
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
    }
    m_cv.notify_all();
}

bool EventBus::closed() const {
    std::lock_guard lock(m_mutex);
    return m_closed;
}

struct EventBus::Subscription::State {
    EventBus* bus = nullptr;
    std::atomic<bool> stop{false};
    std::thread thread;
};

EventBus::Subscription::Subscription() = default;
EventBus::Subscription::Subscription(Subscription&&) noexcept = default;
EventBus::Subscription& EventBus::Subscription::operator=(Subscription&& other) noexcept {
    if (this != &other) {
        reset();
        m_state = std::move(other.m_state);
    }
    return *this;
}
EventBus::Subscription::~Subscription() {
    reset();
}

void EventBus::Subscription::reset() {
    if (!m_state) return;
    m_state->stop.store(true);
    m_state->bus->notify_all();
    if (m_state->thread.joinable()) {
        // A callback that drops its own subscription must not join itself.
        if (m_state->thread.get_id() == std::this_thread::get_id()) {
            // The running thread still reads its state: leave it (a few bytes) rather than free it.
            m_state->thread.detach();
            (void)m_state.release();
            return;
        }
        m_state->thread.join();
    }
    m_state.reset();
}

EventBus::Subscription EventBus::subscribe(EventFilter filter, std::function<void(const HubEvent&)> callback,
                                           std::optional<long long> after_id) {
    Subscription sub;
    sub.m_state = std::make_unique<Subscription::State>();
    Subscription::State* st = sub.m_state.get();
    st->bus = this;
    long long start = after_id.value_or(last_id());
    st->thread = std::thread([this, st, filter, cb = std::move(callback), start]() {
        long long last = start;
        while (!st->stop.load()) {
            EventBatch b = wait(last, filter, std::chrono::seconds(30), &st->stop);
            if (b.closed) return;
            for (const auto& e : b.events) {
                if (st->stop.load()) return;
                // A throwing callback must not take the process down (std::terminate) nor stop
                // later deliveries; the event is dropped for this subscriber only.
                try {
                    cb(e);
                } catch (...) {}
            }
            last = b.last_id;
        }
    });
    return sub;
}

}  // namespace hcp

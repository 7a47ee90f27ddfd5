#pragma once
// The main-thread queue: background threads (hub events, timers) post work here and wake the
// event loop with SDL_PushEvent; only the main thread runs the work, so nothing but the main
// thread ever touches ImGui or a screen (DESIGN §7).
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

namespace hcp::ui {

class MainQueue {
public:
    // Needs SDL's event subsystem initialised (SDL_Init(SDL_INIT_VIDEO) does that).
    MainQueue();
    MainQueue(const MainQueue&) = delete;
    MainQueue& operator=(const MainQueue&) = delete;

    // Any thread. Queues `work` and wakes the loop blocked in SDL_WaitEventTimeout.
    void post(std::function<void()> work);
    // Main thread. Runs everything queued so far; returns how many items ran.
    int drain();
    // The SDL event type used as the wake-up signal.
    std::uint32_t wake_event() const noexcept { return m_event; }

private:
    std::uint32_t m_event = 0;
    std::mutex m_mutex;
    std::deque<std::function<void()>> m_items;
};

}  // namespace hcp::ui

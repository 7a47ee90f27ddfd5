#include "shell/main_queue.hpp"

#include <SDL.h>

#include <stdexcept>
#include <utility>

namespace hcp::ui {

MainQueue::MainQueue() : m_event(SDL_RegisterEvents(1)) {
    if (m_event == static_cast<std::uint32_t>(-1)) throw std::runtime_error("SDL_RegisterEvents failed");
}

void MainQueue::post(std::function<void()> work) {
    {
        std::lock_guard lock(m_mutex);
        m_items.push_back(std::move(work));
    }
    SDL_Event ev{};
    ev.type = m_event;
    // If SDL's queue is full the item still runs on the next wake-up; nothing is lost.
    SDL_PushEvent(&ev);
}

int MainQueue::drain() {
    std::deque<std::function<void()>> items;
    {
        std::lock_guard lock(m_mutex);
        items.swap(m_items);
    }
    for (auto& work : items) work();
    return static_cast<int>(items.size());
}

}  // namespace hcp::ui

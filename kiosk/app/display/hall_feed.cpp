#include "display/hall_feed.hpp"

#include <iostream>

namespace hcp::ui {

void LocalHallFeed::subscribe(std::function<void(const hcp::HubEvent&)> on_event) {
    // Every window's events: the hall display shows them all.
    m_sub = m_bus.subscribe(hcp::EventFilter{}, [cb = std::move(on_event)](const hcp::HubEvent& ev) {
        if (ev.type == hcp::HubEventType::queue_called || ev.type == hcp::HubEventType::queue_changed) cb(ev);
    });
}

hcp::QueueSnapshot RemoteHallFeed::snapshot() {
    auto r = m_queue.snapshot();
    std::lock_guard lock(m_mutex);
    if (r)
        m_last = std::move(r.value());
    else
        std::cerr << "hcp-kiosk: queue snapshot not read, showing the last one: " << r.error().message << '\n';
    return m_last;
}

}  // namespace hcp::ui

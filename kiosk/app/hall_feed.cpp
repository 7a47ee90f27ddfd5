#include "hall_feed.hpp"

namespace hcp::ui {

void LocalHallFeed::subscribe(std::function<void(const hcp::HubEvent&)> on_event) {
    // Every window's events: the hall display shows them all.
    m_sub = m_bus.subscribe(hcp::EventFilter{}, [cb = std::move(on_event)](const hcp::HubEvent& ev) {
        if (ev.type == hcp::HubEventType::queue_called || ev.type == hcp::HubEventType::queue_changed) cb(ev);
    });
}

}  // namespace hcp::ui

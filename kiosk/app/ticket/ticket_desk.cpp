#include "ticket/ticket_desk.hpp"

#include "hcp/hub_server/hall_api.hpp"

namespace hcp::ui {

hcp::QueueResult<hcp::IssuedTicket> LocalTicketDesk::take(std::string_view category, bool priority) {
    auto r = m_engine.take_ticket(category, priority);
    if (r) hcp::publish_queue_changed(m_bus);
    return r;
}

hcp::QueueResult<hcp::IssuedTicket> LocalTicketDesk::check_in(std::string_view appointment_code) {
    auto r = m_engine.check_in(appointment_code);
    if (r) hcp::publish_queue_changed(m_bus);
    return r;
}

}  // namespace hcp::ui

#pragma once
// Where the ticket station takes its tickets: the hall's queue. The station never touches
// SQLite itself; TicketStation calls take() on its worker thread.
//
// Contract: take() returns the engine's result unchanged (refusals such as category_closed or
// daily_cap_reached are values with plain Chinese) and, when a ticket was issued, publishes
// queue_changed on the hub's event bus so every hall display and staff console updates.
#include <string>
#include <string_view>

#include "hcp/hub/event_bus.hpp"
#include "hcp/hub_client/remote_queue.hpp"
#include "hcp/queue/queue.hpp"

namespace hcp::ui {

class TicketDesk {
public:
    virtual ~TicketDesk() = default;
    // Any thread.
    virtual hcp::QueueResult<hcp::IssuedTicket> take(std::string_view category, bool priority) = 0;
    // 预约签到: the appointment's ticket (QueueEngine::check_in), or the hub's refusal.
    virtual hcp::QueueResult<hcp::IssuedTicket> check_in(std::string_view appointment_code) = 0;
};

// The queue of the hub in this process.
class LocalTicketDesk final : public TicketDesk {
public:
    LocalTicketDesk(hcp::QueueEngine& engine, hcp::EventBus& bus) : m_engine(engine), m_bus(bus) {}
    hcp::QueueResult<hcp::IssuedTicket> take(std::string_view category, bool priority) override;
    hcp::QueueResult<hcp::IssuedTicket> check_in(std::string_view appointment_code) override;

private:
    hcp::QueueEngine& m_engine;
    hcp::EventBus& m_bus;
};

// The queue of a hub on another host: POST /api/v1/tickets (the hub publishes the change).
class RemoteTicketDesk final : public TicketDesk {
public:
    explicit RemoteTicketDesk(const hcp::RemoteQueue& queue) : m_queue(queue) {}
    hcp::QueueResult<hcp::IssuedTicket> take(std::string_view category, bool priority) override {
        return m_queue.take(category, priority);
    }
    hcp::QueueResult<hcp::IssuedTicket> check_in(std::string_view appointment_code) override {
        return m_queue.check_in(appointment_code);
    }

private:
    const hcp::RemoteQueue& m_queue;
};

}  // namespace hcp::ui

#pragma once
// The ticket station role: the station's state, its printer and its screens. It needs the
// configuration, a TicketDesk and a HallFeed (services.desk, services.hall). Keys go to the
// station straight from SDL (a wedge scanner types like a keyboard).
#include <memory>
#include <vector>

#include "shell/role.hpp"
#include "shell/screen.hpp"
#include "ticket/ticket_printer.hpp"
#include "ticket/ticket_station.hpp"

namespace hcp::ui {

class TicketRole final : public Role {
public:
    explicit TicketRole(const RoleContext& ctx);
    ~TicketRole() override;
    TicketRole(const TicketRole&) = delete;
    TicketRole& operator=(const TicketRole&) = delete;

    void draw(Ui& ui) override;
    void tick(Clock::time_point now) override;
    std::uint64_t version() const override { return m_station->version(); }
    std::optional<Clock::time_point> next_deadline() const override { return m_station->next_deadline(); }
    // No screen of the station shows the time.
    bool redraw_each_minute() const override { return false; }
    bool input(const SDL_Event& ev, Clock::time_point now) override;
    bool typed(const std::string& utf8, Clock::time_point now) override;
    void back_to_start() override { m_station->back_to_start(); }

private:
    const AppServices& m_services;
    MainQueue& m_queue;
    Fonts& m_fonts;
    Presentation& m_presentation;
    std::unique_ptr<TicketPrinter> m_printer;
    std::unique_ptr<TicketStation> m_station;
    std::vector<std::unique_ptr<Screen>> m_screens;  // indexed by TicketScreen
    TicketScreen m_screen = TicketScreen::start;
};

}  // namespace hcp::ui

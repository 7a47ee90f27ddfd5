#pragma once
// The second menu level of the ticket station: the categories of the chosen group, each with its waiting count and estimated wait; a tap takes the ticket.
#include "shell/screen.hpp"

namespace hcp::ui {

class Fonts;
class TicketStation;

class TicketCategoriesScreen final : public Screen {
public:
    TicketCategoriesScreen(TicketStation& station, Fonts& fonts) : m_station(station), m_fonts(fonts) {}
    void draw(Ui& ui) override;

private:
    TicketStation& m_station;
    Fonts& m_fonts;
};

}  // namespace hcp::ui

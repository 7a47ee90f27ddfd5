#pragma once
// Appointment check-in (预约签到): the code typed on big keys (category letters and digits) or scanned; a valid code takes a ticket in the category it names, anything else gets a plain message.
#include "shell/screen.hpp"

namespace hcp::ui {

class Fonts;
class TicketStation;

class TicketCodeScreen final : public Screen {
public:
    TicketCodeScreen(TicketStation& station, Fonts& fonts) : m_station(station), m_fonts(fonts) {}
    void draw(Ui& ui) override;

private:
    TicketStation& m_station;
    Fonts& m_fonts;
};

}  // namespace hcp::ui

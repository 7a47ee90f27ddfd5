#pragma once
// The maintenance PIN keypad ([terminal].admin_pin); wrong PINs are counted, five in a row lock it for 60 s.
#include "shell/screen.hpp"

namespace hcp::ui {

class Fonts;
class TicketStation;

class TicketPinScreen final : public Screen {
public:
    TicketPinScreen(TicketStation& station, Fonts& fonts) : m_station(station), m_fonts(fonts) {}
    void draw(Ui& ui) override;

private:
    TicketStation& m_station;
    Fonts& m_fonts;
};

}  // namespace hcp::ui

#pragma once
// The ticket station's start screen (role ticket): the hall name, the 绿色通道 switch, the first menu level (groups 个人业务 / 企业业务, or the categories themselves when there is one group), appointment check-in, and a hidden hot corner (5 taps) for the maintenance PIN.
#include "shell/screen.hpp"

namespace hcp::ui {

class Fonts;
class TicketStation;

class TicketStartScreen final : public Screen {
public:
    TicketStartScreen(TicketStation& station, Fonts& fonts) : m_station(station), m_fonts(fonts) {}
    void draw(Ui& ui) override;

private:
    TicketStation& m_station;
    Fonts& m_fonts;
};

}  // namespace hcp::ui

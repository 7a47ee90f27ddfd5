#pragma once
// No ticket now: outside ticket hours (category_closed), the day's tickets gone (daily_cap_reached) or another refusal, with the queue's plain message.
#include "shell/screen.hpp"

namespace hcp::ui {

class Fonts;
class TicketStation;

class TicketRefusedScreen final : public Screen {
public:
    TicketRefusedScreen(TicketStation& station, Fonts& fonts) : m_station(station), m_fonts(fonts) {}
    void draw(Ui& ui) override;

private:
    TicketStation& m_station;
    Fonts& m_fonts;
};

}  // namespace hcp::ui

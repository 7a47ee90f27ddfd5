#pragma once
// The ticket just taken: the number very large, the category, people ahead, the estimated wait, the time and the print status. When the ticket could not be printed the number and its QR stay on screen with what to do.
#include "shell/screen.hpp"
#include "ticket/qr_view.hpp"

namespace hcp::ui {

class Fonts;
class TicketStation;

class TicketConfirmScreen final : public Screen {
public:
    TicketConfirmScreen(TicketStation& station, Fonts& fonts) : m_station(station), m_fonts(fonts) {}
    void enter() override;
    void draw(Ui& ui) override;

private:
    TicketStation& m_station;
    Fonts& m_fonts;
    QrView m_qr;
};

}  // namespace hcp::ui

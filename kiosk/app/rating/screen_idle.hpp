#pragma once
#include <string>

#include "shell/screen.hpp"

namespace hcp::ui {

class Journey;

// Idle: hall name, window number, clock and the line telling the citizen that rating opens
// when the case is finished. Redrawn once a minute for the clock and otherwise never.
class IdleScreen final : public Screen {
public:
    IdleScreen(const Journey& journey, std::string hall_name, int window, bool self_service)
        : m_journey(journey), m_hall(std::move(hall_name)), m_window(window), m_self_service(self_service) {}
    void draw(Ui& ui) override;

private:
    const Journey& m_journey;
    std::string m_hall;
    int m_window;
    bool m_self_service;
};

}  // namespace hcp::ui

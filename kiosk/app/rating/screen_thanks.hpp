#pragma once
#include "shell/screen.hpp"

namespace hcp::ui {

class Journey;

// Thank-you: shown only after HubLink::submit() returned ok (the rating is durable). Says so
// when the hub was unreachable and the rating waits in this terminal's outbox.
class ThanksScreen final : public Screen {
public:
    explicit ThanksScreen(Journey& journey) : m_journey(journey) {}
    void draw(Ui& ui) override;

private:
    Journey& m_journey;
};

}  // namespace hcp::ui

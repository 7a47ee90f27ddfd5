#pragma once
#include "shell/screen.hpp"

namespace hcp::ui {

class Journey;

// Plain messages that say what happened and what to do: already rated, refused by a rule,
// disk nearly full, storage error, configuration error. (Hub unreachable is not an error for
// the citizen: the rating is stored locally and the thank-you screen says so; idle shows it.)
class MessageScreen final : public Screen {
public:
    explicit MessageScreen(Journey& journey) : m_journey(journey) {}
    void draw(Ui& ui) override;

private:
    Journey& m_journey;
};

}  // namespace hcp::ui

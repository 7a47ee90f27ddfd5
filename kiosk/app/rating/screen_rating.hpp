#pragma once
#include "shell/screen.hpp"

namespace hcp::ui {

class Journey;

// Rating: item name, staff name and 工号 (window terminal; self-service shows the item only),
// five large level buttons with stars, 非常满意 … 非常不满意.
class RatingScreen final : public Screen {
public:
    explicit RatingScreen(Journey& journey) : m_journey(journey) {}
    void draw(Ui& ui) override;

private:
    Journey& m_journey;
};

}  // namespace hcp::ui

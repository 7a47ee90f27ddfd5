#pragma once
#include "shell/screen.hpp"

namespace hcp::ui {

class Journey;

// 主题式服务 (一件事): the theme's linked items, then the citizen's choice — one rating for the
// whole theme, or each item rated alone (DESIGN §5.5; the core checks either way).
class ThemeChoiceScreen final : public Screen {
public:
    explicit ThemeChoiceScreen(Journey& journey) : m_journey(journey) {}
    void draw(Ui& ui) override;

private:
    Journey& m_journey;
};

}  // namespace hcp::ui

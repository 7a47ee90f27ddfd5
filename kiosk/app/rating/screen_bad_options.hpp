#pragma once
#include "shell/screen.hpp"

namespace hcp {
class OptionCatalog;
}

namespace hcp::ui {

class Journey;
class OnscreenKeyboard;

// 差评 reasons (shown after 不满意 / 非常不满意): the catalog's options grouped by dimension,
// multi-select, and a free-text field for 其他. Submit stays disabled until an option is
// chosen or text entered, and the screen says why. Tapping the field brings up the on-screen
// keyboard in place of the options (完成 brings them back); the text obeys the rules' length
// limit (hcp::kMaxRatingTextBytes).
class BadOptionsScreen final : public Screen {
public:
    BadOptionsScreen(Journey& journey, const hcp::OptionCatalog& catalog, OnscreenKeyboard& keyboard)
        : m_journey(journey), m_catalog(catalog), m_keyboard(keyboard) {}
    void enter() override;
    void draw(Ui& ui) override;
    void leave() override;

private:
    void draw_options(Ui& ui);
    void draw_text_field(Ui& ui, float width, float height);

    Journey& m_journey;
    const hcp::OptionCatalog& m_catalog;
    OnscreenKeyboard& m_keyboard;
    bool m_typing = false;  // the keyboard is up
};

}  // namespace hcp::ui

#pragma once
// The frame around the screens of a citizen-facing role (rating journey, ticket station): the
// header with a title and the language and text-size buttons, the screen area below it with
// 2 em margins and touch scrolling, and a veil with a card while the role is busy (nothing on
// the screen can be tapped then).
#include <functional>
#include <string>
#include <string_view>

namespace hcp::ui {

class Fonts;
class Presentation;
class Ui;

struct ChromeFrame {
    std::string title;           // left in the header
    bool header_enabled = true;  // false: the header's buttons are drawn disabled
    bool busy = false;           // the screen is disabled and the veil says busy_key's text
    std::string_view busy_key;
};

// Draws the frame and calls `screen` inside the screen area. Exceptions from `screen` pass
// through (the shell's frame boundary closes ImGui's stacks).
void draw_chrome(Ui& ui, Fonts& fonts, Presentation& presentation, const ChromeFrame& frame,
                 const std::function<void()>& screen);

}  // namespace hcp::ui

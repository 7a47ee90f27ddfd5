#pragma once
// The contract of a screen (one class per screen, one file each): enter() when it comes up,
// draw() once per frame inside the full-screen root window, leave() when it goes. Screens call
// the Journey and the Ui kit; they never touch SQLite, curl or SDL.
namespace hcp::ui {

class Ui;

class Screen {
public:
    virtual ~Screen() = default;
    virtual void enter() {}
    virtual void draw(Ui& ui) = 0;
    virtual void leave() {}
};

}  // namespace hcp::ui

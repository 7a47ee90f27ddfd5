#pragma once
// The hall display (叫号屏, role display): the number called now with its window, very large;
// the latest call of each window; the waiting counts per category; the hall name, the clock and
// a notice line. Laid out for 1920×1080 and read from across the hall. Draws the whole screen
// (no header bar, nothing to tap).
#include <string>

#include "shell/screen.hpp"

namespace hcp::ui {

class Fonts;
class HallBoard;

class HallDisplayScreen final : public Screen {
public:
    // The display font's size, in em (Fonts::set_display_scale).
    static constexpr float kNumberEm = 8.5F;

    HallDisplayScreen(const HallBoard& board, Fonts& fonts, std::string hall_name, std::string notice);
    void draw(Ui& ui) override;

private:
    void draw_header(Ui& ui, float w, float h);
    void draw_current(Ui& ui, float x0, float y0, float x1, float y1);
    void draw_recent(Ui& ui, float x0, float y0, float x1, float y1);
    void draw_waiting(Ui& ui, float x0, float y0, float x1, float y1);
    // The bottom line: the configured notice, or (normal = false) a warning on red.
    void draw_notice(Ui& ui, const std::string& text, bool normal, float y0, float w, float h);

    const HallBoard& m_board;
    Fonts& m_fonts;
    std::string m_hall;
    std::string m_notice;
};

}  // namespace hcp::ui

#pragma once
// Widgets of the kiosk, sized in em units (the body font height, scaled once for the screen),
// and the record of labelled widgets that scripts tap and expect by their visible text.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <imgui.h>

#include "hcp/domain/domain.hpp"

namespace hcp::ui {

class Fonts;
class I18n;

// A widget's visible label and where it was drawn in the last frame.
struct Labelled {
    std::string text;
    ImVec2 min;
    ImVec2 max;
    bool enabled = true;
    bool clickable = false;
    bool visible = true;  // inside the visible part of its window (not scrolled away)
};

enum class Tone { plain, primary, quiet };

class Ui {
public:
    Ui(const I18n& i18n, Fonts& fonts) : m_i18n(i18n), m_fonts(fonts) {}

    // Called by the app around each frame.
    void begin_frame(float em) {
        m_em = em;
        m_labels.clear();
    }
    const std::vector<Labelled>& labels() const noexcept { return m_labels; }

    float em() const noexcept { return m_em; }
    ImVec2 em2(float x, float y) const noexcept { return {x * m_em, y * m_em}; }
    const std::string& tr(std::string_view key) const;

    // Text: `title` uses the 1.6 em font. Every drawn string is also offered to the font so a
    // new character is baked before the next frame.
    void text(std::string_view s, bool title = false, ImU32 color = 0);
    void text_centered(std::string_view s, bool title = false, ImU32 color = 0);
    // Wraps at `wrap_x` (window coordinates; 0 = the window edge).
    void text_wrapped(std::string_view s, ImU32 color = 0, float wrap_x = 0.0F);

    // A large touch button; returns true when tapped. Disabled buttons are drawn faded and
    // recorded as disabled, so scripts can tell "blocked" from "missing".
    // `title_font`: the 1.6 em font for the label; by default buttons at least 2.4 em high get it.
    bool button(std::string_view label, ImVec2 size, Tone tone = Tone::plain, bool enabled = true,
                std::optional<bool> title_font = std::nullopt);
    // A multi-select chip; flips `on` when tapped.
    bool toggle(std::string_view label, bool& on, ImVec2 size);
    // One of the five level buttons: stars on top, the label below.
    // `title_font` is chosen by the caller for all five so their labels match.
    bool level_button(hcp::Level level, std::string_view label, ImVec2 size, bool title_font);
    // Width of `s` in the title font.
    float title_width_of(std::string_view s) const;
    // Records a labelled area that is not a button (the free-text field …).
    void record(std::string_view label, bool clickable);
    // Records a labelled rectangle drawn without an item (overlays).
    void record_rect(std::string_view label, ImVec2 min, ImVec2 max);

    // Offers `s` to the font (for text drawn straight to a draw list).
    void want(std::string_view s);

    // Width of `s` in the body font.
    float width_of(std::string_view s) const;

private:
    const I18n& m_i18n;
    Fonts& m_fonts;
    float m_em = 16.0F;
    std::vector<Labelled> m_labels;
};

// Colours of the kiosk theme (calm, high contrast for older eyes).
namespace colors {
inline constexpr ImU32 text = IM_COL32(0x1F, 0x29, 0x37, 0xFF);
inline constexpr ImU32 muted = IM_COL32(0x4B, 0x55, 0x63, 0xFF);
inline constexpr ImU32 accent = IM_COL32(0x0B, 0x5C, 0xAD, 0xFF);
inline constexpr ImU32 warn = IM_COL32(0xB4, 0x23, 0x18, 0xFF);
inline constexpr ImU32 star = IM_COL32(0xF5, 0xA6, 0x23, 0xFF);
inline constexpr ImU32 star_empty = IM_COL32(0xD1, 0xD5, 0xDB, 0xFF);
inline constexpr ImU32 card = IM_COL32(0xFF, 0xFF, 0xFF, 0xFF);
inline constexpr ImU32 background = IM_COL32(0xEE, 0xF2, 0xF7, 0xFF);
inline constexpr ImU32 header = IM_COL32(0x0B, 0x5C, 0xAD, 0xFF);
// A button that cannot be pressed yet (提交评价 before a reason is chosen): still readable,
// 6.1:1, where the faded enabled colours gave about 2:1.
inline constexpr ImU32 disabled_fill = IM_COL32(0xE5, 0xE7, 0xEB, 0xFF);
inline constexpr ImU32 disabled_text = IM_COL32(0x4B, 0x55, 0x63, 0xFF);
}  // namespace colors

// WCAG 2.x contrast ratio of two opaque colours (1 to 21); text a citizen reads needs 4.5.
double contrast_ratio(ImU32 a, ImU32 b);

}  // namespace hcp::ui

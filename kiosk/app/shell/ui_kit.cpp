#include "shell/ui_kit.hpp"

#include <imgui_internal.h>  // the item flags, to record what ImGui::BeginDisabled() covers

#include <algorithm>
#include <array>
#include <cmath>

#include "shell/fonts.hpp"
#include "shell/i18n.hpp"

namespace hcp::ui {

namespace {

// A five-pointed star as ten triangles around its centre (the outline is not convex).
void draw_star(ImDrawList* dl, ImVec2 c, float r, ImU32 color) {
    constexpr float kPi = 3.14159265F;
    std::array<ImVec2, 10> p{};
    for (size_t i = 0; i < p.size(); ++i) {
        const float radius = (i % 2 == 0) ? r : r * 0.42F;
        const float a = -kPi / 2.0F + static_cast<float>(i) * kPi / 5.0F;
        p[i] = ImVec2(c.x + radius * std::cos(a), c.y + radius * std::sin(a));
    }
    for (size_t i = 0; i < p.size(); ++i) dl->AddTriangleFilled(c, p[i], p[(i + 1) % p.size()], color);
}

ImU32 text_color(ImU32 color) {
    return color == 0 ? colors::text : color;
}

// True when the last item sits inside ImGui::BeginDisabled() (e.g. while a rating is stored).
bool last_item_disabled() {
    return (ImGui::GetCurrentContext()->LastItemData.InFlags & ImGuiItemFlags_Disabled) != 0;
}

// The last item's label and rectangle, as scripts see them.
Labelled last_item(std::string_view text, bool enabled, bool clickable) {
    return {std::string(text), ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), enabled && !last_item_disabled(),
            clickable,         ImGui::IsItemVisible()};
}

}  // namespace

double contrast_ratio(ImU32 a, ImU32 b) {
    auto luminance = [](ImU32 c) {
        auto channel = [](unsigned v) {
            const double s = static_cast<double>(v) / 255.0;
            return s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
        };
        return 0.2126 * channel((c >> IM_COL32_R_SHIFT) & 0xFFU) + 0.7152 * channel((c >> IM_COL32_G_SHIFT) & 0xFFU) +
               0.0722 * channel((c >> IM_COL32_B_SHIFT) & 0xFFU);
    };
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

const std::string& Ui::tr(std::string_view key) const {
    return m_i18n.tr(key);
}

float Ui::width_of(std::string_view s) const {
    const std::string v = m_fonts.shown(s);
    return ImGui::CalcTextSize(v.data(), v.data() + v.size()).x;
}

void Ui::record(std::string_view label, bool clickable) {
    m_labels.push_back(last_item(label, true, clickable));
}

void Ui::want(std::string_view s) {
    m_fonts.want(s);
}

void Ui::record_rect(std::string_view label, ImVec2 min, ImVec2 max) {
    m_labels.push_back({std::string(label), min, max, true, false, true});
}

void Ui::text(std::string_view s, bool title, ImU32 color) {
    m_fonts.want(s);
    if (title) ImGui::PushFont(m_fonts.title());
    ImGui::PushStyleColor(ImGuiCol_Text, text_color(color));
    const std::string v = m_fonts.shown(s);
    ImGui::TextUnformatted(v.data(), v.data() + v.size());
    ImGui::PopStyleColor();
    if (title) ImGui::PopFont();
    m_labels.push_back(last_item(s, true, false));
}

void Ui::text_centered(std::string_view s, bool title, ImU32 color) {
    if (title) ImGui::PushFont(m_fonts.title());
    const float w = width_of(s);
    if (title) ImGui::PopFont();
    const float avail = ImGui::GetContentRegionAvail().x;
    if (w < avail) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (avail - w) / 2.0F);
    text(s, title, color);
}

void Ui::text_wrapped(std::string_view s, ImU32 color, float wrap_x) {
    m_fonts.want(s);
    ImGui::PushStyleColor(ImGuiCol_Text, text_color(color));
    ImGui::PushTextWrapPos(wrap_x);
    const std::string v = m_fonts.shown(s);
    ImGui::TextUnformatted(v.data(), v.data() + v.size());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    m_labels.push_back(last_item(s, true, false));
}

bool Ui::button(std::string_view label, ImVec2 size, Tone tone, bool enabled, std::optional<bool> title_font) {
    m_fonts.want(label);
    const std::string id(label);
    int colors_pushed = 0;
    if (tone == Tone::primary) {
        ImGui::PushStyleColor(ImGuiCol_Button, IM_COL32(0x0B, 0x5C, 0xAD, 0xFF));
        ImGui::PushStyleColor(ImGuiCol_ButtonHovered, IM_COL32(0x0B, 0x5C, 0xAD, 0xFF));
        ImGui::PushStyleColor(ImGuiCol_ButtonActive, IM_COL32(0x08, 0x44, 0x82, 0xFF));
        ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(0xFF, 0xFF, 0xFF, 0xFF));
        colors_pushed = 4;
    } else if (tone == Tone::quiet) {
        ImGui::PushStyleColor(ImGuiCol_Button, IM_COL32(0xE5, 0xE7, 0xEB, 0xFF));
        colors_pushed = 1;
    }
    // Big buttons get the big font: older eyes, a finger-sized target.
    const bool big = title_font.value_or(size.y >= 2.4F * m_em);
    if (big) ImGui::PushFont(m_fonts.title());
    if (!enabled) {
        // Its own readable colours instead of ImGui's fading of the enabled ones.
        ImGui::PushStyleColor(ImGuiCol_Button, colors::disabled_fill);
        ImGui::PushStyleColor(ImGuiCol_Text, colors::disabled_text);
        ImGui::PushStyleVar(ImGuiStyleVar_DisabledAlpha, 1.0F);
        colors_pushed += 2;
        ImGui::BeginDisabled();
    }
    const bool tapped = ImGui::Button(m_fonts.shown(id).c_str(), size);
    if (!enabled) {
        ImGui::EndDisabled();
        ImGui::PopStyleVar();
    }
    if (big) ImGui::PopFont();
    ImGui::PopStyleColor(colors_pushed);
    m_labels.push_back(last_item(id, enabled, true));
    return tapped && enabled;
}

bool Ui::toggle(std::string_view label, bool& on, ImVec2 size) {
    m_fonts.want(label);
    // A chosen chip gets a check mark drawn as a shape in front of its label (an em space keeps
    // its place, an ideographic space: one em in a CJK font): "√" is the square-root sign, not a
    // check.
    const std::string text = (on ? "\u3000" : "") + std::string(label);
    m_fonts.want(text);
    ImGui::PushID(label.data(), label.data() + label.size());
    ImGui::PushStyleColor(ImGuiCol_Button, on ? IM_COL32(0xFD, 0xE8, 0xE6, 0xFF) : colors::card);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, on ? IM_COL32(0xFD, 0xE8, 0xE6, 0xFF) : colors::card);
    ImGui::PushStyleColor(ImGuiCol_Border, on ? colors::warn : IM_COL32(0x9C, 0xA3, 0xAF, 0xFF));
    ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, on ? 0.12F * m_em : 0.05F * m_em);
    const std::string shown = m_fonts.shown(text);
    const bool tapped = ImGui::Button(shown.c_str(), size);
    if (on) {
        const ImVec2 min = ImGui::GetItemRectMin();
        const ImVec2 max = ImGui::GetItemRectMax();
        const float w = ImGui::CalcTextSize(shown.c_str()).x;
        const float room = ImGui::CalcTextSize("\u3000").x;  // the space kept in front of the label
        const float x = std::max(min.x + 0.2F * m_em, (min.x + max.x - w) / 2.0F);
        const float y = (min.y + max.y) / 2.0F;
        const std::array<ImVec2, 3> tick = {ImVec2(x + 0.08F * room, y), ImVec2(x + 0.34F * room, y + 0.26F * room),
                                            ImVec2(x + 0.78F * room, y - 0.32F * room)};
        ImGui::GetWindowDrawList()->AddPolyline(tick.data(), static_cast<int>(tick.size()), colors::warn, 0,
                                                0.16F * m_em);
    }
    ImGui::PopStyleVar();
    ImGui::PopStyleColor(3);
    ImGui::PopID();
    m_labels.push_back(last_item(label, true, true));
    if (tapped) on = !on;
    return tapped;
}

float Ui::title_width_of(std::string_view s) const {
    ImGui::PushFont(m_fonts.title());
    const std::string v = m_fonts.shown(s);
    const float w = ImGui::CalcTextSize(v.data(), v.data() + v.size()).x;
    ImGui::PopFont();
    return w;
}

bool Ui::level_button(hcp::Level level, std::string_view label, ImVec2 size, bool title_font) {
    m_fonts.want(label);
    const std::string id = "level" + std::to_string(hcp::to_int(level));
    const bool tapped = ImGui::InvisibleButton(id.c_str(), size);
    const bool held = ImGui::IsItemActive();
    const float inset = 0.06F * m_em;  // keeps the border inside the clip rectangle
    const ImVec2 a(ImGui::GetItemRectMin().x + inset, ImGui::GetItemRectMin().y + inset);
    const ImVec2 b(ImGui::GetItemRectMax().x - inset, ImGui::GetItemRectMax().y - inset);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const bool bad = hcp::is_bad(level);
    dl->AddRectFilled(a, b, held ? IM_COL32(0xDB, 0xEA, 0xFE, 0xFF) : colors::card, 0.4F * m_em);
    dl->AddRect(a, b, bad ? IM_COL32(0xE5, 0x8E, 0x86, 0xFF) : IM_COL32(0x93, 0xC5, 0xFD, 0xFF), 0.4F * m_em, 0,
                0.1F * m_em);
    // Stars: as many filled as the level, in one row near the top.
    const int filled = hcp::to_int(level);
    const float r = std::min(size.x / 12.0F, 0.75F * m_em);
    const float gap = r * 2.15F;
    const float row_w = gap * 4.0F;
    const float sy = a.y + size.y * 0.34F;
    for (int i = 0; i < 5; ++i) {
        const ImVec2 c(a.x + (size.x - row_w) / 2.0F + gap * static_cast<float>(i), sy);
        draw_star(dl, c, r, i < filled ? colors::star : colors::star_empty);
    }
    ImGui::PushFont(title_font ? m_fonts.title() : m_fonts.body());
    const std::string shown = m_fonts.shown(label);
    const ImVec2 ts = ImGui::CalcTextSize(shown.data(), shown.data() + shown.size());
    const ImVec2 tp(a.x + (size.x - ts.x) / 2.0F, a.y + size.y * 0.62F);
    dl->AddText(tp, bad ? colors::warn : colors::text, shown.data(), shown.data() + shown.size());
    ImGui::PopFont();
    m_labels.push_back({std::string(label), a, b, !last_item_disabled(), true, ImGui::IsItemVisible()});
    return tapped;
}

}  // namespace hcp::ui

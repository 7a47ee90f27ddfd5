#include "rating/screen_bad_options.hpp"

#include <algorithm>

#include <imgui.h>

#include "hcp/domain/catalog.hpp"
#include "hcp/domain/rules.hpp"
#include "keyboard/onscreen_keyboard.hpp"
#include "rating/journey.hpp"
#include "shell/ui_kit.hpp"

namespace hcp::ui {

void BadOptionsScreen::enter() {
    m_typing = false;
}

void BadOptionsScreen::leave() {
    if (m_typing) m_keyboard.detach();
    m_typing = false;
}

void BadOptionsScreen::draw(Ui& ui) {
    if (!m_typing) {
        draw_options(ui);
        return;
    }
    if (m_keyboard.draw(ui) == OnscreenKeyboard::Action::done) {
        m_keyboard.detach();
        m_typing = false;
    }
}

void BadOptionsScreen::draw_text_field(Ui& ui, float width, float height) {
    // A tappable box, not a text input: a kiosk has no keyboard of its own, the on-screen one
    // comes up instead. It shows the start of the text (or the invitation to write).
    const std::string& label = ui.tr("bad.text_field");
    if (ImGui::InvisibleButton("##other", ImVec2(width, height))) {
        m_keyboard.attach(m_journey.text(), hcp::kMaxRatingTextBytes);
        m_typing = true;
    }
    ui.record(label, true);
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(a, b, colors::card, 0.2F * ui.em());
    dl->AddRect(a, b, colors::accent, 0.2F * ui.em(), 0, 0.06F * ui.em());
    const ImVec2 at(a.x + 0.5F * ui.em(), a.y + (height - ImGui::GetTextLineHeight()) / 2.0F);
    const std::string& text = m_journey.text();
    if (text.empty()) {
        dl->AddText(at, colors::muted, label.c_str());
        return;
    }
    // One line: as much of the text as fits, then "…" (ImGui stops measuring at the width,
    // on a character boundary).
    std::string shown = text;
    const float room = width - 1.0F * ui.em();
    if (ui.width_of(shown) > room) {
        ImFont* font = ImGui::GetFont();
        const char* cut = text.data();
        font->CalcTextSizeA(font->FontSize, room - ui.width_of("…"), 0.0F, text.data(), text.data() + text.size(),
                            &cut);
        shown.assign(text.data(), cut);
        shown += "…";
    }
    ui.want(shown);
    dl->AddText(at, colors::text, shown.c_str());
    // Scripts read the text back as a label on the field.
    ui.record_rect(text, a, b);
}

void BadOptionsScreen::draw_options(Ui& ui) {
    ui.text_centered(ui.tr("bad.title"), true);
    ui.text_centered(ui.tr("bad.subtitle"), false, colors::muted);
    ImGui::Dummy(ui.em2(1.0F, 0.1F));

    const float label_w = 5.0F * ui.em();
    const float right = ImGui::GetContentRegionAvail().x + ImGui::GetCursorPosX();
    const float gap = 0.5F * ui.em();
    const float chip_h = 1.65F * ui.em();
    const float pad_x = 0.6F * ui.em();
    const bool ready = m_journey.can_submit_bad();
    const ImVec2 button(7.0F * ui.em(), 2.4F * ui.em());
    for (const auto& dim : m_catalog.dimensions()) {
        const float row_x = ImGui::GetCursorPosX();
        const float row_y = ImGui::GetCursorPosY();
        const float row_h = dim.free_text ? button.y : chip_h;
        ImGui::SetCursorPosY(row_y + (row_h - ImGui::GetTextLineHeight()) / 2.0F);
        // The catalog's names are official Chinese; the free-text row is the screen's own word,
        // the one bad.subtitle points to ("write under Other").
        ui.text(dim.free_text ? ui.tr("bad.other_row") : dim.name, false, colors::muted);
        ImGui::SameLine(row_x + label_w);
        ImGui::SetCursorPosY(row_y);
        if (dim.free_text) {
            // The free-text field shares its row with the two actions, so the screen fits
            // 1080 lines without scrolling at the normal text size.
            // Each action at least as wide as its label in the title font (English "Choose again"
            // is wider than 7 em).
            const ImVec2 back(std::max(button.x, ui.title_width_of(ui.tr("bad.back")) + 1.6F * ui.em()), button.y);
            const ImVec2 submit(std::max(button.x, ui.title_width_of(ui.tr("bad.submit")) + 1.6F * ui.em()), button.y);
            const float field_w = right - ImGui::GetCursorPosX() - back.x - submit.x - 2.0F * gap;
            draw_text_field(ui, field_w, button.y);
            ImGui::SameLine(0.0F, gap);
            if (ui.button(ui.tr("bad.back"), back, Tone::quiet)) {
                m_journey.back_to_levels();
                return;
            }
            ImGui::SameLine(0.0F, gap);
            if (ui.button(ui.tr("bad.submit"), submit, Tone::primary, ready)) {
                m_journey.submit_bad();
                return;
            }
            continue;
        }
        bool first = true;
        for (const auto& opt : dim.options) {
            const float w = ui.width_of(opt.label) + 2.0F * pad_x + 1.0F * ui.em();
            if (!first) {
                ImGui::SameLine(0.0F, gap);
                if (ImGui::GetCursorPosX() + w > right) {
                    ImGui::NewLine();
                    ImGui::SetCursorPosX(row_x + label_w);
                }
            }
            first = false;
            bool on = m_journey.option_selected(opt.code);
            if (ui.toggle(opt.label, on, ImVec2(w, chip_h))) m_journey.set_option(opt.code, on);
        }
        ImGui::Dummy(ui.em2(1.0F, 0.05F));
    }
    // Why submit is disabled, right under it (the same line keeps its place when hidden).
    const std::string& why = ready ? std::string() : ui.tr("bad.why_disabled");
    if (!why.empty()) {
        ImGui::SetCursorPosX(right - ui.width_of(why));
        ui.text(why, false, colors::warn);
    }
}

}  // namespace hcp::ui

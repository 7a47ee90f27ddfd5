#include "screens/screen_bad_options.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include "hcp/catalog.hpp"
#include "journey.hpp"
#include "ui_kit.hpp"

namespace hcp::ui {

void BadOptionsScreen::draw(Ui& ui) {
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
        ui.text(dim.name, false, colors::muted);
        ImGui::SameLine(row_x + label_w);
        ImGui::SetCursorPosY(row_y);
        if (dim.free_text) {
            // The free-text field shares its row with the two actions, so the screen fits
            // 1080 lines without scrolling at the normal text size.
            const float field_w = right - ImGui::GetCursorPosX() - 2.0F * button.x - 2.0F * gap;
            ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 0.06F * ui.em());
            ImGui::InputTextMultiline("##other", &m_journey.text(), ImVec2(field_w, button.y));
            ImGui::PopStyleVar();
            ui.record(ui.tr("bad.text_field"), true);
            if (m_journey.text().empty() && !ImGui::IsItemActive()) {
                const ImVec2 at = ImGui::GetItemRectMin();
                ImGui::GetWindowDrawList()->AddText(ImVec2(at.x + 0.4F * ui.em(), at.y + 0.3F * ui.em()), colors::muted,
                                                    ui.tr("bad.text_field").c_str());
            }
            ImGui::SameLine(0.0F, gap);
            if (ui.button(ui.tr("bad.back"), button, Tone::quiet)) {
                m_journey.back_to_levels();
                return;
            }
            ImGui::SameLine(0.0F, gap);
            if (ui.button(ui.tr("bad.submit"), button, Tone::primary, ready)) {
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

#include "ticket/screen_ticket_start.hpp"

#include <imgui.h>

#include "shell/fonts.hpp"
#include "shell/ui_kit.hpp"
#include "ticket/ticket_station.hpp"
#include "ticket/ticket_widgets.hpp"

namespace hcp::ui {

void TicketStartScreen::draw(Ui& ui) {
    const float em = ui.em();
    ImGui::Dummy(ui.em2(1.0F, 0.6F));
    ui.text_centered(m_station.config().hall.name, true, colors::accent);
    ImGui::Dummy(ui.em2(1.0F, 0.2F));
    ui.text_centered(ui.tr("ticket.start_hint"), false, colors::muted);
    ImGui::Dummy(ui.em2(1.0F, 0.6F));
    ticket_priority_switch(ui, m_fonts, m_station);
    ImGui::Dummy(ui.em2(1.0F, 0.6F));
    // What is left for the menu: the appointment row (2.8 em) and margins stay below it.
    const float menu_h = ImGui::GetContentRegionAvail().y - 5.4F * em;
    if (m_station.show_groups()) {
        const auto& groups = m_station.groups();
        const auto loose = m_station.start_categories();
        const float gap = 0.8F * em;
        const float w = ImGui::GetContentRegionAvail().x;
        const float n = static_cast<float>(groups.size());
        const ImVec2 size((w - gap * (n - 1.0F)) / n, loose.empty() ? std::min(menu_h, 7.0F * em) : 4.5F * em);
        for (size_t i = 0; i < groups.size(); ++i) {
            if (i > 0) ImGui::SameLine(0.0F, gap);
            if (ui.button(groups[i], size, Tone::primary, true, true)) m_station.choose_group(groups[i]);
        }
        if (!loose.empty()) {
            ImGui::Dummy(ui.em2(1.0F, 0.4F));
            ticket_category_grid(ui, m_fonts, m_station, loose, menu_h - size.y - 1.0F * em);
        }
    } else {
        ticket_category_grid(ui, m_fonts, m_station, m_station.start_categories(), menu_h);
    }
    ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY() + 0.8F * em, ImGui::GetWindowHeight() - 4.0F * em));
    const ImVec2 size(16.0F * em, 2.8F * em);
    ImGui::SetCursorPosX((ImGui::GetWindowWidth() - size.x) / 2.0F);
    if (ui.button(ui.tr("ticket.appointment"), size, Tone::plain, true, true)) m_station.open_code_entry();
    if (!m_station.scanned().empty()) {
        ImGui::SameLine(0.0F, 1.0F * em);
        ui.text(ui.tr("ticket.scanning") + m_station.scanned(), false, colors::accent);
    }
    // The hidden hot corner (bottom right): five quick taps open the maintenance PIN keypad.
    if (m_station.has_pin()) {
        ImGui::SetCursorPos(ImVec2(ImGui::GetWindowWidth() - 3.0F * em, ImGui::GetWindowHeight() - 3.0F * em));
        if (ImGui::InvisibleButton("##corner", ui.em2(3.0F, 3.0F)))
            m_station.hot_corner_tap(TicketStation::Clock::now());
        ui.record("maintenance-corner", true);
    }
}

}  // namespace hcp::ui

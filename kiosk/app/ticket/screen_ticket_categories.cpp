#include "ticket/screen_ticket_categories.hpp"

#include <imgui.h>

#include "shell/fonts.hpp"
#include "shell/ui_kit.hpp"
#include "ticket/ticket_station.hpp"
#include "ticket/ticket_widgets.hpp"

namespace hcp::ui {

void TicketCategoriesScreen::draw(Ui& ui) {
    const float em = ui.em();
    ImGui::Dummy(ui.em2(1.0F, 0.6F));
    ui.text_centered(m_station.group(), true, colors::accent);
    ImGui::Dummy(ui.em2(1.0F, 0.2F));
    ui.text_centered(ui.tr("ticket.choose_category"), false, colors::muted);
    ImGui::Dummy(ui.em2(1.0F, 0.6F));
    if (m_station.priority()) {
        ui.text_centered(ui.tr("ticket.priority_on"), true, IM_COL32(0x15, 0x80, 0x3D, 0xFF));
        ImGui::Dummy(ui.em2(1.0F, 0.4F));
    }
    ticket_category_grid(ui, m_fonts, m_station, m_station.group_categories(),
                         ImGui::GetContentRegionAvail().y - 5.4F * em);
    ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY() + 0.8F * em, ImGui::GetWindowHeight() - 4.0F * em));
    const ImVec2 size(10.0F * em, 2.8F * em);
    ImGui::SetCursorPosX((ImGui::GetWindowWidth() - size.x) / 2.0F);
    if (ui.button(ui.tr("ticket.back"), size, Tone::quiet, true, true)) m_station.back();
}

}  // namespace hcp::ui

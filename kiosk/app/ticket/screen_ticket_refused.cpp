#include "ticket/screen_ticket_refused.hpp"

#include <imgui.h>

#include "shell/ui_kit.hpp"
#include "ticket/ticket_station.hpp"

namespace hcp::ui {

void TicketRefusedScreen::draw(Ui& ui) {
    const float em = ui.em();
    // A clock face: the hall is not broken, it is a matter of time.
    ImGui::Dummy(ui.em2(1.0F, 2.0F));
    const float r = 2.2F * em;
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const ImVec2 c(at.x + ImGui::GetContentRegionAvail().x / 2.0F, at.y + r);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddCircleFilled(c, r, IM_COL32(0xD9, 0x77, 0x06, 0xFF), 48);
    dl->AddCircle(c, r * 0.78F, IM_COL32(0xFF, 0xFF, 0xFF, 0xFF), 48, 0.14F * em);
    dl->AddLine(c, ImVec2(c.x, c.y - r * 0.55F), IM_COL32(0xFF, 0xFF, 0xFF, 0xFF), 0.18F * em);
    dl->AddLine(c, ImVec2(c.x + r * 0.4F, c.y), IM_COL32(0xFF, 0xFF, 0xFF, 0xFF), 0.18F * em);
    ImGui::Dummy(ImVec2(1.0F, 2.0F * r + 1.0F * em));
    ui.text_centered(ui.tr(m_station.refused_title_key()), true, colors::warn);
    ImGui::Dummy(ui.em2(1.0F, 1.0F));
    const std::string& msg = m_station.refused_zh().empty() ? ui.tr("ticket.refused_body") : m_station.refused_zh();
    const float w = ImGui::GetContentRegionAvail().x * 0.8F;
    if (ui.width_of(msg) <= w) {
        ui.text_centered(msg, true);
    } else {
        ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (ImGui::GetContentRegionAvail().x - w) / 2.0F);
        ui.text_wrapped(msg, 0, ImGui::GetCursorPosX() + w);
    }
    ImGui::Dummy(ui.em2(1.0F, 0.8F));
    ui.text_centered(ui.tr("ticket.refused_hint"), false, colors::muted);
    ImGui::Dummy(ui.em2(1.0F, 2.0F));
    const ImVec2 size(12.0F * em, 2.8F * em);
    ImGui::SetCursorPosX((ImGui::GetWindowWidth() - size.x) / 2.0F);
    if (ui.button(ui.tr("common.back"), size, Tone::primary, true, true)) m_station.back_to_start();
}

}  // namespace hcp::ui

#include "ticket/screen_ticket_pin.hpp"

#include <imgui.h>

#include "shell/fonts.hpp"
#include "shell/ui_kit.hpp"
#include "ticket/ticket_station.hpp"
#include "ticket/ticket_widgets.hpp"

namespace hcp::ui {

void TicketPinScreen::draw(Ui& ui) {
    const float em = ui.em();
    const auto now = TicketStation::Clock::now();
    const bool locked = m_station.pin_locked(now);
    ImGui::Dummy(ui.em2(1.0F, 0.6F));
    ui.text_centered(ui.tr("ticket.pin_title"), true, colors::accent);
    ImGui::Dummy(ui.em2(1.0F, 0.6F));
    std::string dots;
    for (size_t i = 0; i < m_station.pin().size(); ++i) dots += "●";
    ticket_field(ui, m_fonts, dots, ui.tr("ticket.pin_placeholder"), 12.0F * em);
    ImGui::Dummy(ui.em2(1.0F, 0.3F));
    if (m_station.pin_error_key() == "ticket.pin_wrong") {
        ui.text_centered(
            ui.tr("ticket.pin_wrong") + std::to_string(m_station.pin_tries_left()) + ui.tr("ticket.pin_wrong_suffix"),
            false, colors::warn);
    } else if (!m_station.pin_error_key().empty()) {
        ui.text_centered(ui.tr(m_station.pin_error_key()), false, colors::warn);
    } else {
        ImGui::Dummy(ImVec2(1.0F, ImGui::GetTextLineHeight()));
    }
    ImGui::Dummy(ui.em2(1.0F, 0.4F));
    const ImVec2 key(4.6F * em, 2.5F * em);
    const float grid_w = 3.0F * key.x + 2.0F * 0.5F * em;
    ImGui::SetCursorPosX((ImGui::GetWindowWidth() - grid_w) / 2.0F);
    const std::string& backspace = ui.tr("kb.backspace");
    const std::string& ok = ui.tr("ticket.pin_ok");
    if (locked) ImGui::BeginDisabled();
    ticket_keys(ui, {"1", "2", "3", "4", "5", "6", "7", "8", "9", backspace, "0", ok}, 3, key,
                [&](const std::string& k) {
                    if (k == backspace)
                        m_station.pin_backspace();
                    else if (k == ok)
                        m_station.pin_enter(now);
                    else
                        m_station.pin_key(k[0]);
                });
    if (locked) ImGui::EndDisabled();
    ImGui::Dummy(ui.em2(1.0F, 0.6F));
    const ImVec2 size(10.0F * em, 2.6F * em);
    ImGui::SetCursorPosX((ImGui::GetWindowWidth() - size.x) / 2.0F);
    if (ui.button(ui.tr("ticket.back"), size, Tone::quiet, true, true)) m_station.back();
}

}  // namespace hcp::ui

#include "ticket/screen_ticket_code.hpp"

#include <imgui.h>

#include "shell/fonts.hpp"
#include "shell/ui_kit.hpp"
#include "ticket/ticket_station.hpp"
#include "ticket/ticket_widgets.hpp"

namespace hcp::ui {

void TicketCodeScreen::draw(Ui& ui) {
    const float em = ui.em();
    ImGui::Dummy(ui.em2(1.0F, 0.5F));
    ui.text_centered(ui.tr("ticket.code_title"), true, colors::accent);
    ImGui::Dummy(ui.em2(1.0F, 0.2F));
    ui.text_centered(ui.tr("ticket.code_hint"), false, colors::muted);
    ImGui::Dummy(ui.em2(1.0F, 0.5F));
    ticket_field(ui, m_fonts, m_station.code(), ui.tr("ticket.code_placeholder"), 16.0F * em);
    ImGui::Dummy(ui.em2(1.0F, 0.3F));
    if (!m_station.code_error_key().empty())
        ui.text_centered(ui.tr(m_station.code_error_key()), false, colors::warn);
    else
        ImGui::Dummy(ImVec2(1.0F, ImGui::GetTextLineHeight()));
    ImGui::Dummy(ui.em2(1.0F, 0.4F));
    // The category letters on the first row, then the digits as on a phone.
    std::vector<std::string> letters;
    for (const auto& c : m_station.config().categories) letters.emplace_back(1, c.prefix);
    const ImVec2 key(4.2F * em, 2.4F * em);
    const float gap = 0.5F * em;
    const int cols = 6;
    const float grid_w = static_cast<float>(cols) * key.x + static_cast<float>(cols - 1) * gap;
    const float x0 = (ImGui::GetWindowWidth() - grid_w) / 2.0F;
    const std::string& backspace = ui.tr("kb.backspace");
    const std::string& clear = ui.tr("kb.clear");
    auto on_key = [this, &backspace, &clear](const std::string& k) {
        if (k == backspace)
            m_station.code_backspace();
        else if (k == clear)
            m_station.code_clear();
        else
            m_station.code_key(k[0]);
    };
    ImGui::SetCursorPosX(x0);
    ticket_keys(ui, letters, cols, key, on_key);
    ImGui::Dummy(ui.em2(1.0F, 0.2F));
    ImGui::SetCursorPosX(x0);
    ticket_keys(ui, {"1", "2", "3", "4", "5", backspace, "6", "7", "8", "9", "0", clear}, cols, key, on_key);
    ImGui::Dummy(ui.em2(1.0F, 0.6F));
    const ImVec2 big(11.0F * em, 2.8F * em);
    ImGui::SetCursorPosX((ImGui::GetWindowWidth() - 2.0F * big.x - 1.0F * em) / 2.0F);
    if (ui.button(ui.tr("ticket.back"), big, Tone::quiet, true, true)) m_station.back();
    ImGui::SameLine(0.0F, 1.0F * em);
    if (ui.button(ui.tr("ticket.code_submit"), big, Tone::primary, !m_station.code().empty() && !m_station.busy(),
                  true))
        m_station.check_in();
}

}  // namespace hcp::ui

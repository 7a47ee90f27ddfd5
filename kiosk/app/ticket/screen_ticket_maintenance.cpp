#include "ticket/screen_ticket_maintenance.hpp"

#include <imgui.h>

#include <cstdio>
#include <system_error>

#include "shell/ui_kit.hpp"
#include "ticket/ticket_printer.hpp"
#include "ticket/ticket_station.hpp"

#ifndef HCP_VERSION
#error "HCP_VERSION comes from the top-level CMakeLists.txt"
#endif

namespace hcp::ui {

void TicketMaintenanceScreen::enter() {
    // Read once: the summary and free space are cheap but not free, and the screen stays still.
    m_printer_line = m_printer.status_zh();
    m_upload_line = m_upload_summary ? m_upload_summary() : std::string("本机未运行中心服务");
    std::error_code ec;
    const auto space = std::filesystem::space(m_data_dir, ec);
    if (ec) {
        m_disk_line = "无法读取（" + m_data_dir.string() + "）";
    } else {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(space.available) / 1e9);
        m_disk_line = std::string(buf) + "（" + m_data_dir.string() + "）";
    }
}

void TicketMaintenanceScreen::draw(Ui& ui) {
    const float em = ui.em();
    const auto& cfg = m_station.config();
    ImGui::Dummy(ui.em2(1.0F, 0.6F));
    ui.text_centered(ui.tr("ticket.maint_title"), true, colors::accent);
    ImGui::Dummy(ui.em2(1.0F, 0.8F));
    const float label_w = 8.0F * em;
    auto row = [&](const char* key, const std::string& value) {
        ImGui::SetCursorPosX(4.0F * em);
        ui.text(ui.tr(key), false, colors::muted);
        ImGui::SameLine(4.0F * em + label_w);
        ui.text_wrapped(value, colors::text, ImGui::GetWindowWidth() - 4.0F * em);
        ImGui::Dummy(ui.em2(1.0F, 0.3F));
    };
    row("ticket.maint_version", HCP_VERSION);
    row("ticket.maint_device", cfg.device.id);
    row("ticket.maint_hall", cfg.hall.name + "（" + cfg.hall.code + "）");
    row("ticket.maint_printer", m_printer_line);
    row("ticket.maint_upload", m_upload_line);
    row("ticket.maint_disk", m_disk_line);
    ImGui::Dummy(ui.em2(1.0F, 1.2F));
    const ImVec2 size(14.0F * em, 2.8F * em);
    ImGui::SetCursorPosX((ImGui::GetWindowWidth() - size.x) / 2.0F);
    if (ui.button(ui.tr("ticket.maint_back"), size, Tone::primary, true, true)) m_station.back_to_start();
}

}  // namespace hcp::ui

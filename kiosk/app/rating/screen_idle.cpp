#include "rating/screen_idle.hpp"

#include <chrono>
#include <cstdio>

#include "hcp/base/time.hpp"
#include "rating/journey.hpp"
#include "shell/ui_kit.hpp"

namespace hcp::ui {

void IdleScreen::draw(Ui& ui) {
    const auto tod = hcp::china_time_of_day(hcp::now());
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(tod).count();
    char clock[8];
    std::snprintf(clock, sizeof clock, "%02d:%02d", static_cast<int>(minutes / 60), static_cast<int>(minutes % 60));

    ImGui::Dummy(ui.em2(1.0F, 3.0F));
    ui.text_centered(m_hall, true, colors::accent);
    ImGui::Dummy(ui.em2(1.0F, 0.8F));
    if (!m_self_service) {
        std::string window = ui.tr("idle.window_prefix") + std::to_string(m_window) + ui.tr("idle.window_suffix");
        ui.text_centered(window, true);
    } else {
        ui.text_centered(ui.tr("idle.self_service"), true);
    }
    ImGui::Dummy(ui.em2(1.0F, 1.5F));
    ui.text_centered(clock, true, colors::muted);
    ImGui::Dummy(ui.em2(1.0F, 2.0F));
    ui.text_centered(ui.tr("idle.hint"));
    ImGui::Dummy(ui.em2(1.0F, 0.5F));
    ui.text_centered(ui.tr("idle.hint_qr"), false, colors::muted);
    if (!m_journey.hub_online()) {
        ImGui::Dummy(ui.em2(1.0F, 1.5F));
        ui.text_centered(ui.tr("status.hub_offline"), false, colors::warn);
    }
}

}  // namespace hcp::ui

#include "rating/screen_theme_choice.hpp"

#include <string>

#include "rating/journey.hpp"
#include "rating/rating_widgets.hpp"
#include "shell/ui_kit.hpp"

namespace hcp::ui {

void ThemeChoiceScreen::draw(Ui& ui) {
    const hcp::RatingRequest* req = m_journey.request();
    if (req == nullptr) return;
    ImGui::Dummy(ui.em2(1.0F, 0.6F));
    ui.text_centered(ui.tr("theme.title"), true);
    ImGui::Dummy(ui.em2(1.0F, 0.3F));
    const std::string count =
        ui.tr("theme.count_prefix") + std::to_string(req->cases.size()) + ui.tr("theme.count_suffix");
    ui.text_centered(count, false, colors::muted);
    ImGui::Dummy(ui.em2(1.0F, 0.6F));

    // The linked items, numbered, on a card (with the staff member on a window terminal).
    const float pad = 1.2F * ui.em();
    const bool staff = m_journey.shows_staff();
    const float lines = static_cast<float>(req->cases.size()) + (staff ? 1.0F : 0.0F);
    const float card_w = ImGui::GetContentRegionAvail().x * 0.8F;
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (ImGui::GetContentRegionAvail().x - card_w) / 2.0F);
    ImGui::PushStyleColor(ImGuiCol_ChildBg, colors::card);
    ImGui::PushStyleVar(ImGuiStyleVar_ChildRounding, 0.4F * ui.em());
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(pad, pad * 0.6F));
    ImGui::BeginChild("theme_items", ImVec2(card_w, (lines * 1.5F + 1.2F) * ui.em()), false,
                      ImGuiWindowFlags_AlwaysUseWindowPadding);
    for (size_t i = 0; i < req->cases.size(); ++i) {
        ui.text(std::to_string(i + 1) + ".", false, colors::accent);
        ImGui::SameLine();
        ui.text(req->cases[i].item.name);
    }
    if (staff) staff_line(ui, req->cases.front().staff);
    ImGui::EndChild();
    ImGui::PopStyleVar(2);
    ImGui::PopStyleColor();

    // Two large choices side by side, each with a line saying what it means.
    ImGui::Dummy(ui.em2(1.0F, 1.0F));
    const float gap = 1.5F * ui.em();
    const ImVec2 size((card_w - gap) / 2.0F, 3.2F * ui.em());
    const float x0 = ImGui::GetCursorPosX() + (ImGui::GetContentRegionAvail().x - card_w) / 2.0F;
    ImGui::SetCursorPosX(x0);
    if (ui.button(ui.tr("theme.whole"), size, Tone::primary)) {
        m_journey.choose_theme_mode(Journey::ThemeMode::whole);
        return;
    }
    ImGui::SameLine(0.0F, gap);
    if (ui.button(ui.tr("theme.per_item"), size, Tone::plain)) {
        m_journey.choose_theme_mode(Journey::ThemeMode::per_item);
        return;
    }
    const auto caption = [&](const std::string& s, float x) {
        ImGui::SetCursorPosX(x + (size.x - ui.width_of(s)) / 2.0F);
        ui.text(s, false, colors::muted);
    };
    const float y = ImGui::GetCursorPosY();
    caption(ui.tr("theme.whole_note"), x0);
    ImGui::SetCursorPosY(y);
    caption(ui.tr("theme.per_item_note"), x0 + size.x + gap);
    ImGui::Dummy(ui.em2(1.0F, 1.0F));
    std::string hint =
        ui.tr("rating.timeout_prefix") + std::to_string(m_journey.seconds_left()) + ui.tr("rating.timeout_suffix");
    ui.text_centered(hint, false, colors::muted);
}

}  // namespace hcp::ui

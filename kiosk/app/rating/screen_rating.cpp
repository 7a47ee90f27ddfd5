#include "rating/screen_rating.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "rating/journey.hpp"
#include "rating/rating_widgets.hpp"
#include "shell/ui_kit.hpp"

namespace hcp::ui {

void RatingScreen::draw(Ui& ui) {
    const hcp::RatingRequest* req = m_journey.request();
    if (req == nullptr) return;
    ImGui::Dummy(ui.em2(1.0F, 1.0F));
    ui.text_centered(ui.tr("rating.title"), true);
    ImGui::Dummy(ui.em2(1.0F, 0.8F));

    // The service being rated, on a card.
    const float pad = 1.2F * ui.em();
    ImGui::PushStyleColor(ImGuiCol_ChildBg, colors::card);
    ImGui::PushStyleVar(ImGuiStyleVar_ChildRounding, 0.4F * ui.em());
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(pad, pad * 0.6F));
    const bool staff = m_journey.shows_staff();
    // A batch (批量业务) names one item several times: each item once, and how many cases the
    // one rating covers.
    const auto scope = m_journey.scope();
    std::vector<std::string> items;
    for (const auto* c : scope) {
        if (std::find(items.begin(), items.end(), c->item.name) == items.end()) items.push_back(c->item.name);
    }
    const bool theme = m_journey.is_theme();
    const bool per_item = theme && m_journey.theme_mode() == Journey::ThemeMode::per_item;
    const bool several = scope.size() > 1;
    const float card_w = ImGui::GetContentRegionAvail().x * 0.8F;
    // A long item name (不动产 items run to ~56 characters) wraps beside its label instead of
    // being cut: the card grows by the lines it takes.
    const float name_w = card_w - 2.0F * pad - ui.width_of(ui.tr("rating.item")) - ImGui::GetStyle().ItemSpacing.x;
    float item_lines = 0.0F;
    for (const auto& name : items) item_lines += std::max(1.0F, std::ceil(ui.width_of(name) / std::max(name_w, 1.0F)));
    const float lines = item_lines + (staff ? 1.0F : 0.0F) + (several || per_item ? 1.0F : 0.0F);
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (ImGui::GetContentRegionAvail().x - card_w) / 2.0F);
    ImGui::BeginChild("service", ImVec2(card_w, (lines * 1.6F + 1.4F) * ui.em()), false,
                      ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_AlwaysUseWindowPadding);
    for (const auto& name : items) {
        ui.text(ui.tr("rating.item"), false, colors::muted);
        ImGui::SameLine();
        ui.text_wrapped(name);
    }
    if (staff) staff_line(ui, req->cases.front().staff);
    if (per_item) {
        // Which item of the theme this rating is for.
        std::string where = ui.tr("theme.item_prefix") + std::to_string(m_journey.item_index() + 1) +
                            ui.tr("theme.item_middle") + std::to_string(m_journey.item_total()) +
                            ui.tr("theme.item_suffix");
        if (m_journey.items_rated() > 0) where += ui.tr("theme.previous_saved");
        ui.text(where, false, colors::accent);
    } else if (theme) {
        ui.text(ui.tr("theme.whole_prefix") + std::to_string(scope.size()) + ui.tr("theme.whole_suffix"), false,
                colors::accent);
    } else if (several) {
        ui.text(ui.tr("rating.cases_prefix") + std::to_string(scope.size()) + ui.tr("rating.cases_suffix"), false,
                colors::accent);
    }
    ImGui::EndChild();
    ImGui::PopStyleVar(2);
    ImGui::PopStyleColor();

    ImGui::Dummy(ui.em2(1.0F, 1.2F));
    static constexpr std::array<std::pair<hcp::Level, const char*>, 5> kLevels{{
        {hcp::Level::very_satisfied, "level.5"},
        {hcp::Level::satisfied, "level.4"},
        {hcp::Level::basically_satisfied, "level.3"},
        {hcp::Level::dissatisfied, "level.2"},
        {hcp::Level::very_dissatisfied, "level.1"},
    }};
    const float gap = 0.8F * ui.em();
    const float avail = ImGui::GetContentRegionAvail().x;
    const float w = (avail - gap * 4.0F) / 5.0F;
    const ImVec2 size(w, std::min(w * 0.9F, 7.5F * ui.em()));
    // One font for all five labels: the title font when the longest fits.
    float widest = 0.0F;
    for (const auto& [level, key] : kLevels) widest = std::max(widest, ui.title_width_of(ui.tr(key)));
    const bool title_font = widest <= w * 0.9F;
    for (size_t i = 0; i < kLevels.size(); ++i) {
        if (i > 0) ImGui::SameLine(0.0F, gap);
        if (ui.level_button(kLevels[i].first, ui.tr(kLevels[i].second), size, title_font)) {
            m_journey.choose_level(kLevels[i].first);
        }
    }
    ImGui::Dummy(ui.em2(1.0F, 1.2F));
    std::string hint =
        ui.tr("rating.timeout_prefix") + std::to_string(m_journey.seconds_left()) + ui.tr("rating.timeout_suffix");
    ui.text_centered(hint, false, colors::muted);
}

}  // namespace hcp::ui

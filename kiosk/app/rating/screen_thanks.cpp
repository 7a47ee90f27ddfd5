#include "rating/screen_thanks.hpp"

#include "rating/journey.hpp"
#include "shell/ui_kit.hpp"

namespace hcp::ui {

void ThanksScreen::draw(Ui& ui) {
    // A large check mark in a green disc above the title.
    ImGui::Dummy(ui.em2(1.0F, 2.0F));
    const float r = 2.2F * ui.em();
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const ImVec2 c(at.x + ImGui::GetContentRegionAvail().x / 2.0F, at.y + r);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddCircleFilled(c, r, IM_COL32(0x16, 0xA3, 0x4A, 0xFF), 48);
    const ImVec2 p1(c.x - 0.95F * ui.em(), c.y + 0.05F * ui.em());
    const ImVec2 p2(c.x - 0.25F * ui.em(), c.y + 0.8F * ui.em());
    const ImVec2 p3(c.x + 1.05F * ui.em(), c.y - 0.75F * ui.em());
    // One polyline, so the two strokes meet in a joined corner (two lines leave a notch), with
    // round ends.
    const ImU32 white = IM_COL32(0xFF, 0xFF, 0xFF, 0xFF);
    const float thick = 0.32F * ui.em();
    const ImVec2 tick[3] = {p1, p2, p3};
    dl->AddPolyline(tick, 3, white, 0, thick);
    dl->AddCircleFilled(p1, thick / 2.0F, white, 12);
    dl->AddCircleFilled(p2, thick / 2.0F, white, 12);
    dl->AddCircleFilled(p3, thick / 2.0F, white, 12);
    ImGui::Dummy(ImVec2(1.0F, 2.0F * r + 1.0F * ui.em()));
    ui.text_centered(ui.tr("thanks.title"), true, colors::accent);
    ImGui::Dummy(ui.em2(1.0F, 1.0F));
    ui.text_centered(ui.tr("thanks.saved"));
    if (m_journey.stored_locally()) {
        ImGui::Dummy(ui.em2(1.0F, 0.6F));
        ui.text_centered(ui.tr("thanks.stored_locally"), false, colors::accent);
    }
    ImGui::Dummy(ui.em2(1.0F, 2.5F));
    const ImVec2 size(8.0F * ui.em(), 2.6F * ui.em());
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (ImGui::GetContentRegionAvail().x - size.x) / 2.0F);
    if (ui.button(ui.tr("common.done"), size, Tone::primary)) m_journey.finish();
}

}  // namespace hcp::ui

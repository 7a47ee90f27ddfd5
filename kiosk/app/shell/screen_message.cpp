#include "shell/screen_message.hpp"

#include "rating/journey.hpp"
#include "shell/ui_kit.hpp"

namespace hcp::ui {

namespace {

struct Keys {
    const char* title;
    const char* body;
};

Keys keys_of(MessageKind kind) {
    switch (kind) {
        case MessageKind::already_rated: return {"msg.already_rated.title", "msg.already_rated.body"};
        case MessageKind::refused: return {"msg.refused.title", "msg.refused.body"};
        case MessageKind::disk_nearly_full: return {"msg.disk_full.title", "msg.disk_full.body"};
        case MessageKind::storage_error: return {"msg.storage_error.title", "msg.storage_error.body"};
        case MessageKind::config_error: return {"msg.config_error.title", "msg.config_error.body"};
    }
    return {"msg.refused.title", "msg.refused.body"};
}

}  // namespace

void MessageScreen::draw(Ui& ui) {
    const Keys keys = keys_of(m_journey.message_kind());
    // An exclamation mark in an amber disc: something needs attention, nothing is broken by you.
    ImGui::Dummy(ui.em2(1.0F, 2.0F));
    const float r = 2.0F * ui.em();
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const ImVec2 c(at.x + ImGui::GetContentRegionAvail().x / 2.0F, at.y + r);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddCircleFilled(c, r, IM_COL32(0xD9, 0x77, 0x06, 0xFF), 48);
    dl->AddRectFilled(ImVec2(c.x - 0.17F * ui.em(), c.y - 1.1F * ui.em()),
                      ImVec2(c.x + 0.17F * ui.em(), c.y + 0.35F * ui.em()), IM_COL32(0xFF, 0xFF, 0xFF, 0xFF),
                      0.1F * ui.em());
    dl->AddCircleFilled(ImVec2(c.x, c.y + 0.85F * ui.em()), 0.22F * ui.em(), IM_COL32(0xFF, 0xFF, 0xFF, 0xFF), 16);
    ImGui::Dummy(ImVec2(1.0F, 2.0F * r + 0.8F * ui.em()));
    ui.text_centered(ui.tr(keys.title), true, colors::warn);
    ImGui::Dummy(ui.em2(1.0F, 1.0F));
    ui.text_centered(ui.tr(keys.body));
    // The core's own words (which rule, which file and line); the body already says it all
    // when the service was simply rated before.
    const auto& detail = m_journey.message_detail();
    const auto kind = m_journey.message_kind();
    if (!detail.empty() && kind != MessageKind::already_rated && kind != MessageKind::disk_nearly_full) {
        ImGui::Dummy(ui.em2(1.0F, 0.8F));
        const float w = ImGui::GetContentRegionAvail().x * 0.8F;
        if (detail.find('\n') == std::string::npos && ui.width_of(detail) <= w) {
            ui.text_centered(detail, false, colors::muted);
        } else {
            ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (ImGui::GetContentRegionAvail().x - w) / 2.0F);
            ui.text_wrapped(detail, colors::muted, ImGui::GetCursorPosX() + w);
        }
    }
    if (m_journey.message_kind() == MessageKind::config_error) return;  // nothing to go back to
    ImGui::Dummy(ui.em2(1.0F, 2.0F));
    const ImVec2 size(8.0F * ui.em(), 2.6F * ui.em());
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (ImGui::GetContentRegionAvail().x - size.x) / 2.0F);
    if (ui.button(ui.tr("common.back"), size, Tone::primary)) m_journey.finish();
}

}  // namespace hcp::ui

#include "shell/chrome.hpp"

#include <imgui.h>
#include <imgui_internal.h>  // ClearActiveID for touch scrolling

#include "shell/fonts.hpp"
#include "shell/presentation.hpp"
#include "shell/ui_kit.hpp"

namespace hcp::ui {

namespace {

void draw_header(Ui& ui, Presentation& presentation, const std::string& title) {
    const ImVec2 size = ImGui::GetIO().DisplaySize;
    const float h = 2.6F * ui.em();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(0, 0), ImVec2(size.x, h), colors::header);
    ImGui::SetCursorPos(ImVec2(1.0F * ui.em(), (h - ImGui::GetTextLineHeight()) / 2.0F));
    ui.text(title, false, IM_COL32(0xFF, 0xFF, 0xFF, 0xFF));
    // Language and large text, always reachable, on the right.
    const ImVec2 b(6.0F * ui.em(), 1.9F * ui.em());
    ImGui::SetCursorPos(ImVec2(size.x - 2.0F * b.x - 1.6F * ui.em(), (h - b.y) / 2.0F));
    if (ui.button(ui.tr("header.switch_lang"), b, Tone::plain)) presentation.switch_lang();
    ImGui::SameLine(0.0F, 0.6F * ui.em());
    if (ui.button(ui.tr(presentation.large_text() ? "header.normal_text" : "header.large_text"), b, Tone::plain)) {
        presentation.set_large_text(!presentation.large_text());
    }
    ImGui::SetCursorPos(ImVec2(0.0F, h + 0.4F * ui.em()));
}

void draw_busy(Ui& ui, Fonts& fonts, std::string_view key) {
    // A veil over the screen and a card in the middle: the citizen sees the tap was taken.
    const ImVec2 size = ImGui::GetIO().DisplaySize;
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    dl->AddRectFilled(ImVec2(0, 0), size, IM_COL32(0xEE, 0xF2, 0xF7, 0xB0));
    const std::string& label = ui.tr(key);
    fonts.want(label);
    ImGui::PushFont(fonts.title());
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    ImGui::PopFont();
    const ImVec2 pad = ui.em2(2.0F, 1.4F);
    const ImVec2 a((size.x - ts.x) / 2.0F - pad.x, (size.y - ts.y) / 2.0F - pad.y);
    const ImVec2 b(a.x + ts.x + 2.0F * pad.x, a.y + ts.y + 2.0F * pad.y);
    dl->AddRectFilled(a, b, colors::card, 0.5F * ui.em());
    dl->AddRect(a, b, colors::accent, 0.5F * ui.em(), 0, 0.1F * ui.em());
    dl->AddText(fonts.title(), fonts.title()->FontSize, ImVec2(a.x + pad.x, a.y + pad.y), colors::accent,
                label.c_str());
    ui.record_rect(label, a, b);
}

}  // namespace

void draw_chrome(Ui& ui, Fonts& fonts, Presentation& presentation, const ChromeFrame& frame,
                 const std::function<void()>& screen) {
    const ImGuiIO& io = ImGui::GetIO();
    if (!frame.header_enabled) ImGui::BeginDisabled();
    draw_header(ui, presentation, frame.title);
    if (!frame.header_enabled) ImGui::EndDisabled();
    // The screen area: below the header, 2 em margins left and right.
    const float margin = 2.0F * ui.em();
    ImGui::SetCursorPosX(margin);
    ImGui::BeginChild("##screen", ImVec2(io.DisplaySize.x - 2.0F * margin, 0.0F), false, ImGuiWindowFlags_NoBackground);
    if (frame.busy) ImGui::BeginDisabled();
    screen();
    if (frame.busy) ImGui::EndDisabled();
    // Touch scrolling (ImGui 1.86 has none): a drag that starts anywhere on the screen area
    // scrolls it and cancels the press on the widget under the finger.
    if (ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem | ImGuiHoveredFlags_ChildWindows) &&
        ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0.5F * ui.em()) && !io.WantTextInput &&
        ImGui::GetScrollMaxY() > 0.0F) {
        ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseDelta.y);
        ImGui::ClearActiveID();
    }
    ImGui::EndChild();
    if (frame.busy) draw_busy(ui, fonts, frame.busy_key);
}

}  // namespace hcp::ui

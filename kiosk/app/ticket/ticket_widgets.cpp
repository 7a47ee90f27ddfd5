#include "ticket/ticket_widgets.hpp"

#include <algorithm>
#include <cmath>

#include "shell/fonts.hpp"
#include "shell/ui_kit.hpp"
#include "ticket/ticket_station.hpp"

namespace hcp::ui {

namespace {
constexpr ImU32 kGreen = IM_COL32(0x15, 0x80, 0x3D, 0xFF);
constexpr ImU32 kGreenLight = IM_COL32(0xDC, 0xFC, 0xE7, 0xFF);
constexpr ImU32 kRule = IM_COL32(0x93, 0xC5, 0xFD, 0xFF);

void put(Ui& ui, ImFont* font, ImVec2 at, ImU32 color, const std::string& s) {
    ui.want(s);
    ImGui::GetWindowDrawList()->AddText(font, font->FontSize, at, color, s.c_str(), s.c_str() + s.size());
}
}  // namespace

std::string wait_text(const Ui& ui, const hcp::WaitEstimate& estimate) {
    const std::chrono::seconds wait = estimate.wait;
    if (wait.count() <= 0) return ui.tr(estimate.windows_open == 0 ? "ticket.eta_no_window" : "ticket.eta_soon");
    const long long minutes = (wait.count() + 59) / 60;
    const std::string& pre = ui.tr("ticket.eta_minutes_prefix");
    if (minutes < 60) return pre + std::to_string(minutes) + ui.tr("ticket.eta_minutes_suffix");
    const long long h = minutes / 60, m = minutes % 60;
    std::string out = pre + std::to_string(h) + ui.tr("ticket.eta_hours_suffix");
    if (m != 0) out += " " + std::to_string(m) + ui.tr("ticket.eta_minutes_suffix");
    return out;
}

void ticket_category_grid(Ui& ui, Fonts& fonts, TicketStation& station,
                          const std::vector<const hcp::ServiceCategory*>& categories, float height) {
    if (categories.empty()) return;
    const float em = ui.em();
    const float gap = 0.8F * em;
    const float width = ImGui::GetContentRegionAvail().x;
    const int n = static_cast<int>(categories.size());
    const int cols = n <= 1 ? 1 : (n <= 4 ? 2 : 3);
    const int rows = (n + cols - 1) / cols;
    const ImVec2 size(
        (width - gap * static_cast<float>(cols - 1)) / static_cast<float>(cols),
        std::clamp((height - gap * static_cast<float>(rows - 1)) / static_cast<float>(rows), 4.2F * em, 6.5F * em));
    const float x0 = ImGui::GetCursorPosX();
    for (int i = 0; i < n; ++i) {
        const hcp::ServiceCategory& c = *categories[static_cast<size_t>(i)];
        if (i % cols != 0)
            ImGui::SameLine(0.0F, gap);
        else
            ImGui::SetCursorPosX(x0);
        const hcp::QueueSnapshot::CategoryLine* line = station.line_of(c.code);
        const bool open = line == nullptr || line->taking_tickets;
        ImGui::PushID(c.code.c_str());
        const bool tapped = ImGui::InvisibleButton("cat", size);
        const bool held = ImGui::IsItemActive();
        ImGui::PopID();
        ui.record(c.name, true);
        const ImVec2 a = ImGui::GetItemRectMin();
        const ImVec2 b = ImGui::GetItemRectMax();
        ImDrawList* dl = ImGui::GetWindowDrawList();
        const bool prio = station.priority();
        dl->AddRectFilled(a, b, held ? IM_COL32(0xDB, 0xEA, 0xFE, 0xFF) : colors::card, 0.4F * em);
        dl->AddRect(a, b, prio ? kGreen : kRule, 0.4F * em, 0, 0.12F * em);
        // The ticket letter in a disc on the left, the name large, the queue below it.
        const float r = std::min(size.y * 0.28F, 1.5F * em);
        const ImVec2 cc(a.x + 1.0F * em + r, (a.y + b.y) / 2.0F);
        dl->AddCircleFilled(cc, r, prio ? kGreen : colors::accent, 40);
        const std::string letter(1, c.prefix);
        ImFont* title = fonts.title();
        const ImVec2 ls = title->CalcTextSizeA(title->FontSize, 1e6F, 0.0F, letter.c_str());
        put(ui, title, ImVec2(cc.x - ls.x / 2.0F, cc.y - ls.y / 2.0F), IM_COL32(0xFF, 0xFF, 0xFF, 0xFF), letter);
        const float tx = cc.x + r + 0.9F * em;
        const float name_y = a.y + size.y * 0.5F - title->FontSize - 0.1F * em;
        put(ui, title, ImVec2(tx, name_y), colors::text, c.name);
        std::string queue_line;
        ImU32 queue_color = colors::muted;
        if (line == nullptr) {
            queue_line = ui.tr("ticket.queue_unknown");
        } else if (!open) {
            queue_line = ui.tr("ticket.not_taking");
            queue_color = colors::warn;
        } else {
            queue_line = ui.tr("ticket.waiting_prefix") + std::to_string(line->waiting) +
                         ui.tr("ticket.waiting_suffix") + "  ·  " + ui.tr("ticket.eta") +
                         wait_text(ui, line->new_ticket);
        }
        put(ui, fonts.body(), ImVec2(tx, a.y + size.y * 0.5F + 0.25F * em), queue_color, queue_line);
        // "社保医保 等候 2 人 约 16 分钟" for scripts.
        ui.record_rect(c.name + " " + queue_line, a, b);
        if (tapped) station.take(c.code);
    }
}

void ticket_priority_switch(Ui& ui, Fonts& fonts, TicketStation& station) {
    const float em = ui.em();
    const bool on = station.priority();
    const std::string& label = ui.tr("ticket.priority");
    const ImVec2 size(ImGui::GetContentRegionAvail().x, 2.8F * em);
    const bool tapped = ImGui::InvisibleButton("priority", size);
    ui.record(label, true);
    const ImVec2 a = ImGui::GetItemRectMin();
    const ImVec2 b = ImGui::GetItemRectMax();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(a, b, on ? kGreen : kGreenLight, 0.4F * em);
    dl->AddRect(a, b, kGreen, 0.4F * em, 0, 0.12F * em);
    // A check box on the left so the state is seen without reading.
    const float box = 1.5F * em;
    const ImVec2 ba(a.x + 1.0F * em, (a.y + b.y - box) / 2.0F);
    dl->AddRectFilled(ba, ImVec2(ba.x + box, ba.y + box), IM_COL32(0xFF, 0xFF, 0xFF, 0xFF), 0.2F * em);
    dl->AddRect(ba, ImVec2(ba.x + box, ba.y + box), kGreen, 0.2F * em, 0, 0.12F * em);
    if (on) {
        dl->AddLine(ImVec2(ba.x + 0.3F * em, ba.y + 0.8F * em), ImVec2(ba.x + 0.65F * em, ba.y + 1.15F * em), kGreen,
                    0.22F * em);
        dl->AddLine(ImVec2(ba.x + 0.65F * em, ba.y + 1.15F * em), ImVec2(ba.x + 1.25F * em, ba.y + 0.35F * em), kGreen,
                    0.22F * em);
    }
    ImFont* title = fonts.title();
    const std::string text = on ? ui.tr("ticket.priority_on") : label;
    ui.want(text);
    const float px = title->FontSize;
    dl->AddText(title, px, ImVec2(ba.x + box + 0.8F * em, (a.y + b.y - px) / 2.0F),
                on ? IM_COL32(0xFF, 0xFF, 0xFF, 0xFF) : kGreen, text.c_str());
    if (on) ui.record_rect(text, a, b);
    if (tapped) station.toggle_priority();
}

void ticket_keys(Ui& ui, const std::vector<std::string>& keys, int cols, ImVec2 key,
                 const std::function<void(const std::string&)>& on_key) {
    const float gap = 0.5F * ui.em();
    const float x0 = ImGui::GetCursorPosX();
    for (size_t i = 0; i < keys.size(); ++i) {
        if (i % static_cast<size_t>(cols) != 0)
            ImGui::SameLine(0.0F, gap);
        else
            ImGui::SetCursorPosX(x0);
        if (ui.button(keys[i], key, Tone::plain, true, true)) on_key(keys[i]);
    }
}

void ticket_field(Ui& ui, Fonts& fonts, const std::string& text, const std::string& placeholder, float width) {
    const float em = ui.em();
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (ImGui::GetContentRegionAvail().x - width) / 2.0F);
    const ImVec2 a = ImGui::GetCursorScreenPos();
    const ImVec2 b(a.x + width, a.y + 2.8F * em);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(a, b, colors::card, 0.3F * em);
    dl->AddRect(a, b, colors::accent, 0.3F * em, 0, 0.1F * em);
    ImGui::Dummy(ImVec2(width, 2.8F * em));
    const std::string& s = text.empty() ? placeholder : text;
    ImFont* title = fonts.title();
    ui.want(s);
    const ImVec2 ts = title->CalcTextSizeA(title->FontSize, 1e6F, 0.0F, s.c_str());
    dl->AddText(title, title->FontSize, ImVec2(a.x + (width - ts.x) / 2.0F, a.y + (2.8F * em - ts.y) / 2.0F),
                text.empty() ? colors::muted : colors::text, s.c_str());
    ui.record_rect(s, a, b);
}

}  // namespace hcp::ui

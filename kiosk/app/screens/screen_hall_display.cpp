#include "screens/screen_hall_display.hpp"

#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "fonts.hpp"
#include "hall_board.hpp"
#include "hcp/time.hpp"
#include "ui_kit.hpp"

namespace hcp::ui {

namespace {

// The called number in a strong red: the one thing on the screen that must be seen from afar.
constexpr ImU32 kCalled = IM_COL32(0xC0, 0x1F, 0x1F, 0xFF);
constexpr ImU32 kWhite = IM_COL32(0xFF, 0xFF, 0xFF, 0xFF);
constexpr ImU32 kRule = IM_COL32(0xD1, 0xD5, 0xDB, 0xFF);
constexpr ImU32 kFresh = IM_COL32(0xFD, 0xF2, 0xE9, 0xFF);  // the newest line of the list

ImVec2 size_of(ImFont* font, float px, const std::string& s) {
    return font->CalcTextSizeA(px, 1.0e6F, 0.0F, s.c_str(), s.c_str() + s.size());
}

// Text drawn straight to the window's draw list; recorded for scripts under its own text.
void put(Ui& ui, ImFont* font, float px, ImVec2 at, ImU32 color, const std::string& s) {
    ui.want(s);
    ImGui::GetWindowDrawList()->AddText(font, px, at, color, s.c_str(), s.c_str() + s.size());
    const ImVec2 sz = size_of(font, px, s);
    ui.record_rect(s, at, ImVec2(at.x + sz.x, at.y + sz.y));
}

void card(float x0, float y0, float x1, float y1, float round) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(ImVec2(x0, y0), ImVec2(x1, y1), colors::card, round);
    dl->AddRect(ImVec2(x0, y0), ImVec2(x1, y1), kRule, round, 0, 1.5F);
}

std::string window_label(int window) { return std::to_string(window) + "号窗口"; }

}  // namespace

HallDisplayScreen::HallDisplayScreen(const HallBoard& board, Fonts& fonts, std::string hall_name, std::string notice)
    : m_board(board), m_fonts(fonts), m_hall(std::move(hall_name)), m_notice(std::move(notice)) {
    m_fonts.set_display_scale(kNumberEm);
    // The display font bakes only what it draws: digits, the window line, ticket letters.
    m_fonts.want_display("0123456789 请到号窗口");
}

void HallDisplayScreen::draw(Ui& ui) {
    const ImVec2 size = ImGui::GetIO().DisplaySize;
    const float em = ui.em();
    const float gap = 0.8F * em;
    const float header_h = 3.0F * em;
    const float notice_h = m_notice.empty() ? 0.0F : 2.6F * em;
    const float waiting_h = 5.6F * em;
    draw_header(ui, size.x, header_h);
    const float body_top = header_h + gap;
    const float waiting_top = size.y - notice_h - gap - waiting_h;
    const float split = size.x * 0.60F;
    draw_current(ui, gap, body_top, split - gap / 2.0F, waiting_top - gap);
    draw_recent(ui, split + gap / 2.0F, body_top, size.x - gap, waiting_top - gap);
    draw_waiting(ui, gap, waiting_top, size.x - gap, waiting_top + waiting_h);
    if (!m_notice.empty()) draw_notice(ui, size.y - notice_h, size.x, notice_h);
}

void HallDisplayScreen::draw_header(Ui& ui, float w, float h) {
    const float em = ui.em();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(0, 0), ImVec2(w, h), colors::header);
    ImFont* title = m_fonts.title();
    const float px = title->FontSize;
    put(ui, title, px, ImVec2(1.2F * em, (h - px) / 2.0F), kWhite, m_hall);

    const auto t = hcp::now();
    const hcp::Date d = hcp::china_date(t);
    static constexpr const char* kWeekday[] = {"", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"};
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(hcp::china_time_of_day(t)).count();
    char date[64];
    std::snprintf(date, sizeof date, "%u月%u日 %s", static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()),
                  kWeekday[std::min(7U, hcp::iso_weekday(d))]);
    char clock[8];
    std::snprintf(clock, sizeof clock, "%02d:%02d", static_cast<int>(minutes / 60), static_cast<int>(minutes % 60));
    const std::string clock_s = clock;
    const float cw = size_of(title, px, clock_s).x;
    put(ui, title, px, ImVec2(w - 1.2F * em - cw, (h - px) / 2.0F), kWhite, clock_s);
    ImFont* body = m_fonts.body();
    const std::string date_s = date;
    const float dw = size_of(body, body->FontSize, date_s).x;
    put(ui, body, body->FontSize, ImVec2(w - 2.2F * em - cw - dw, (h - body->FontSize) / 2.0F + 0.1F * em),
        IM_COL32(0xDB, 0xEA, 0xFE, 0xFF), date_s);
}

void HallDisplayScreen::draw_current(Ui& ui, float x0, float y0, float x1, float y1) {
    const float em = ui.em();
    card(x0, y0, x1, y1, 0.6F * em);
    ImFont* title = m_fonts.title();
    ImFont* big = m_fonts.display();
    const float cx = (x0 + x1) / 2.0F;
    const std::string label = "正在呼叫";
    put(ui, title, title->FontSize, ImVec2(x0 + 1.2F * em, y0 + 0.9F * em), colors::muted, label);
    const auto call = m_board.current_today(hcp::now());
    if (!call) {
        const std::string waiting = "请取号后留意屏幕与语音叫号";
        const float w = size_of(title, title->FontSize, waiting).x;
        put(ui, title, title->FontSize, ImVec2(cx - w / 2.0F, (y0 + y1) / 2.0F - title->FontSize / 2.0F), colors::muted,
            waiting);
        return;
    }
    // The number, as large as the card allows (the display font is baked at kNumberEm).
    m_fonts.want_display(call->number);
    const float px = big->FontSize;
    const ImVec2 ns = size_of(big, px, call->number);
    const float line_px = px * 0.42F;
    const std::string where = "请到 " + std::to_string(call->window) + " 号窗口";
    m_fonts.want_display(where);
    const ImVec2 ws = size_of(big, line_px, where);
    const float name_px = m_fonts.title()->FontSize;
    const float block = ns.y + 0.2F * em + ws.y + 0.5F * em + name_px;
    float y = y0 + 2.6F * em + std::max(0.0F, (y1 - y0 - 2.6F * em - block) / 2.0F - 0.4F * em);
    put(ui, big, px, ImVec2(cx - ns.x / 2.0F, y), kCalled, call->number);
    y += ns.y + 0.2F * em;
    put(ui, big, line_px, ImVec2(cx - ws.x / 2.0F, y), colors::text, where);
    y += ws.y + 0.5F * em;
    if (!call->window_name.empty() && call->window_name != window_label(call->window)) {
        const float nw = size_of(title, name_px, call->window_name).x;
        put(ui, title, name_px, ImVec2(cx - nw / 2.0F, y), colors::muted, call->window_name);
    }
    if (call->action == "recall") {
        const std::string again = "重呼";
        const float aw = size_of(title, name_px, again).x;
        put(ui, title, name_px, ImVec2(x1 - 1.2F * em - aw, y0 + 0.9F * em), colors::warn, again);
    }
}

void HallDisplayScreen::draw_recent(Ui& ui, float x0, float y0, float x1, float y1) {
    const float em = ui.em();
    card(x0, y0, x1, y1, 0.6F * em);
    ImFont* title = m_fonts.title();
    const float px = title->FontSize;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    put(ui, title, px, ImVec2(x0 + 1.2F * em, y0 + 0.9F * em), colors::muted, "最近呼叫");
    const float col_window = x0 + (x1 - x0) * 0.52F;
    float y = y0 + 3.2F * em;
    dl->AddLine(ImVec2(x0 + 1.0F * em, y - 0.5F * em), ImVec2(x1 - 1.0F * em, y - 0.5F * em), kRule, 2.0F);
    const auto rows = m_board.recent_today(hcp::now());
    if (rows.empty()) {
        put(ui, m_fonts.body(), m_fonts.body()->FontSize, ImVec2(x0 + 1.2F * em, y), colors::muted, "暂无叫号");
        return;
    }
    const float row_h = std::min(2.6F * em, (y1 - y - 0.6F * em) / static_cast<float>(rows.size()));
    for (size_t i = 0; i < rows.size(); ++i) {
        const BoardCall& r = rows[i];
        if (y + row_h > y1) break;
        if (i == 0) dl->AddRectFilled(ImVec2(x0 + 0.6F * em, y - 0.2F * em), ImVec2(x1 - 0.6F * em, y + row_h - 0.2F * em),
                                      kFresh, 0.3F * em);
        const float ty = y + (row_h - px) / 2.0F - 0.2F * em;
        ui.want(r.number);
        dl->AddText(title, px, ImVec2(x0 + 1.6F * em, ty), i == 0 ? kCalled : colors::accent, r.number.c_str());
        const std::string w = window_label(r.window);
        ui.want(w);
        dl->AddText(title, px, ImVec2(col_window, ty), colors::text, w.c_str());
        // One label per line, "A012 3号窗口", so scripts check the pair.
        ui.record_rect(r.number + " " + w, ImVec2(x0, y), ImVec2(x1, y + row_h));
        y += row_h;
    }
}

void HallDisplayScreen::draw_waiting(Ui& ui, float x0, float y0, float x1, float y1) {
    const float em = ui.em();
    const auto& cats = m_board.categories();
    if (cats.empty()) return;
    ImFont* title = m_fonts.title();
    ImFont* body = m_fonts.body();
    const float g = 0.8F * em;
    const float n = static_cast<float>(cats.size());
    const float w = (x1 - x0 - g * (n - 1.0F)) / n;
    for (size_t i = 0; i < cats.size(); ++i) {
        const BoardCategory& c = cats[i];
        const float a = x0 + static_cast<float>(i) * (w + g);
        card(a, y0, a + w, y1, 0.5F * em);
        const std::string name = std::string(1, c.prefix) + " · " + c.name;
        ui.want(name);
        ImDrawList* dl = ImGui::GetWindowDrawList();
        dl->AddText(title, title->FontSize, ImVec2(a + 1.0F * em, y0 + 0.6F * em), colors::text, name.c_str());
        const std::string count = std::to_string(c.waiting);
        const std::string unit = " 人等候";
        ui.want(count + unit);
        const float cy = y1 - 0.5F * em - title->FontSize * 1.5F;
        dl->AddText(title, title->FontSize * 1.5F, ImVec2(a + 1.0F * em, cy), colors::accent, count.c_str());
        const float count_w = size_of(title, title->FontSize * 1.5F, count).x;
        dl->AddText(title, title->FontSize, ImVec2(a + 1.0F * em + count_w, cy + title->FontSize * 0.5F - 0.1F * em),
                    colors::text, unit.c_str());
        if (c.waiting_priority > 0) {
            const std::string prio = "含优先 " + std::to_string(c.waiting_priority);
            ui.want(prio);
            const float pw = size_of(body, body->FontSize, prio).x;
            dl->AddText(body, body->FontSize, ImVec2(a + w - 1.0F * em - pw, cy + title->FontSize * 1.5F - body->FontSize * 1.2F),
                        colors::warn, prio.c_str());
        }
        // "社保医保 等候 2 人" for scripts.
        ui.record_rect(c.name + " 等候 " + count + " 人", ImVec2(a, y0), ImVec2(a + w, y1));
    }
}

void HallDisplayScreen::draw_notice(Ui& ui, float y0, float w, float h) {
    const float em = ui.em();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(0, y0), ImVec2(w, y0 + h), IM_COL32(0x1E, 0x3A, 0x5F, 0xFF));
    ImFont* title = m_fonts.title();
    float px = title->FontSize;
    // A long notice shrinks to fit one line rather than running off the screen.
    const float tw = size_of(title, px, m_notice).x;
    if (tw > w - 2.4F * em) px *= (w - 2.4F * em) / tw;
    const float x = std::max(1.2F * em, (w - size_of(title, px, m_notice).x) / 2.0F);
    put(ui, title, px, ImVec2(x, y0 + (h - px) / 2.0F), kWhite, m_notice);
}

}  // namespace hcp::ui

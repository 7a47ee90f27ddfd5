#include "display/screen_hall_display.hpp"

#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

#include "display/hall_board.hpp"
#include "hcp/base/time.hpp"
#include "hcp/base/utf8.hpp"
#include "shell/fonts.hpp"
#include "shell/ui_kit.hpp"

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

// `px`, shrunk so that `s` fits `width` on one line (an English line is longer than its Chinese).
float fitting(ImFont* font, float px, const std::string& s, float width) {
    const float w = size_of(font, px, s).x;
    return w > width ? px * width / w : px;
}

// `tmpl` with each "{name}" of `values` replaced (a language orders the parts its own way).
std::string filled(std::string tmpl, std::initializer_list<std::pair<std::string_view, std::string>> values) {
    for (const auto& [name, value] : values) {
        const std::string mark = "{" + std::string(name) + "}";
        for (size_t at = tmpl.find(mark); at != std::string::npos; at = tmpl.find(mark, at + value.size()))
            tmpl.replace(at, mark.size(), value);
    }
    return tmpl;
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

// "3号窗口" / "Window 3".
std::string window_label(const Ui& ui, int window) {
    return ui.tr("display.window_prefix") + std::to_string(window) + ui.tr("display.window_suffix");
}

// Lines of `s` no wider than `width` (ImGui breaks at spaces, and between CJK characters).
std::vector<std::string> wrapped(ImFont* font, float px, const std::string& s, float width) {
    std::vector<std::string> lines;
    const char* p = s.c_str();
    const char* end = p + s.size();
    while (p < end) {
        const char* brk = font->CalcWordWrapPositionA(px / font->FontSize, p, end, width);
        if (brk == p) {  // nothing fits: one whole character per line rather than no progress
            brk = p + utf8::char_at(std::string_view(p, static_cast<size_t>(end - p)), 0).size;
        }
        std::string line(p, brk);
        while (!line.empty() && line.back() == ' ') line.pop_back();
        lines.push_back(std::move(line));
        p = brk;
        while (p < end && *p == ' ') ++p;
    }
    return lines;
}

}  // namespace

HallDisplayScreen::HallDisplayScreen(const HallBoard& board, Fonts& fonts, std::string hall_name, std::string notice)
    : m_board(board), m_fonts(fonts), m_hall(std::move(hall_name)), m_notice(std::move(notice)) {
    m_fonts.set_display_scale(kNumberEm);
    // The display font bakes only what it draws: digits, ticket letters (the app), and the
    // window line, whose words are wanted in the language shown (draw()).
    m_fonts.want_display("0123456789 ");
    m_fonts.want(m_hall);
    m_fonts.want(m_notice);
}

void HallDisplayScreen::draw(Ui& ui) {
    // The words of "请到 3 号窗口" in the language shown, from the first frame on: a call then
    // never waits for an atlas build (a language switch bakes its words once).
    m_fonts.want_display(ui.tr("display.go_prefix") + ui.tr("display.go_suffix"));
    const ImVec2 size = ImGui::GetIO().DisplaySize;
    const float em = ui.em();
    const float gap = 0.8F * em;
    const float header_h = 3.0F * em;
    // The notice line; while a remote hub cannot be reached it says so instead, in red.
    const bool online = m_board.online();
    const std::string& notice = online ? m_notice : ui.tr("display.offline");
    const float notice_h = notice.empty() ? 0.0F : 2.6F * em;
    const float waiting_h = 5.6F * em;
    draw_header(ui, size.x, header_h);
    const float body_top = header_h + gap;
    const float waiting_top = size.y - notice_h - gap - waiting_h;
    const float split = size.x * 0.60F;
    draw_current(ui, gap, body_top, split - gap / 2.0F, waiting_top - gap);
    draw_recent(ui, split + gap / 2.0F, body_top, size.x - gap, waiting_top - gap);
    draw_waiting(ui, gap, waiting_top, size.x - gap, waiting_top + waiting_h);
    if (!notice.empty()) draw_notice(ui, notice, online, size.y - notice_h, size.x, notice_h);
}

void HallDisplayScreen::draw_header(Ui& ui, float w, float h) {
    const float em = ui.em();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(0, 0), ImVec2(w, h), colors::header);
    ImFont* title = m_fonts.title();
    const float px = title->FontSize;
    put(ui, title, px, ImVec2(1.2F * em, (h - px) / 2.0F), kWhite, m_hall);

    const auto t = hcp::now();
    const hcp::Date d = hcp::china_date(t);
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(hcp::china_time_of_day(t)).count();
    const unsigned month = std::clamp(static_cast<unsigned>(d.month()), 1U, 12U);
    const unsigned weekday = std::clamp(hcp::iso_weekday(d), 1U, 7U);
    const std::string date_s =
        filled(ui.tr("display.date"), {{"month", std::to_string(month)},
                                       {"month_name", ui.tr("display.month." + std::to_string(month))},
                                       {"day", std::to_string(static_cast<unsigned>(d.day()))},
                                       {"weekday", ui.tr("display.weekday." + std::to_string(weekday))}});
    char clock[8];
    std::snprintf(clock, sizeof clock, "%02d:%02d", static_cast<int>(minutes / 60), static_cast<int>(minutes % 60));
    const std::string clock_s = clock;
    const float cw = size_of(title, px, clock_s).x;
    put(ui, title, px, ImVec2(w - 1.2F * em - cw, (h - px) / 2.0F), kWhite, clock_s);
    ImFont* body = m_fonts.body();
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
    const float inner = x1 - x0 - 2.4F * em;  // the card's width inside its margins
    put(ui, title, title->FontSize, ImVec2(x0 + 1.2F * em, y0 + 0.9F * em), colors::muted, ui.tr("display.calling"));
    const auto call = m_board.current_today(hcp::now());
    if (!call) {
        // Centred, on as many lines as the language needs; one label for scripts.
        const std::string& waiting = ui.tr("display.no_call");
        ui.want(waiting);
        const float px = title->FontSize;
        const auto lines = wrapped(title, px, waiting, inner);
        float y = (y0 + y1) / 2.0F - static_cast<float>(lines.size()) * px / 2.0F;
        const float top = y;
        float widest = 0.0F;
        for (const auto& line : lines) {
            const float w = size_of(title, px, line).x;
            widest = std::max(widest, w);
            ImGui::GetWindowDrawList()->AddText(title, px, ImVec2(cx - w / 2.0F, y), colors::muted, line.c_str(),
                                                line.c_str() + line.size());
            y += px;
        }
        ui.record_rect(waiting, ImVec2(cx - widest / 2.0F, top), ImVec2(cx + widest / 2.0F, y));
        return;
    }
    // The number, as large as the card allows (the display font is baked at kNumberEm).
    m_fonts.want_display(call->number);
    const float px = fitting(big, big->FontSize, call->number, inner);
    const ImVec2 ns = size_of(big, px, call->number);
    const std::string where = ui.tr("display.go_prefix") + std::to_string(call->window) + ui.tr("display.go_suffix");
    m_fonts.want_display(where);
    const float line_px = fitting(big, big->FontSize * 0.42F, where, inner);
    const ImVec2 ws = size_of(big, line_px, where);
    // The configured window name ("3号窗口 户籍·社保综合"), unless it says no more than the line.
    const bool named = !call->window_name.empty() && call->window_name != window_label(ui, call->window);
    const float name_px = named ? fitting(title, title->FontSize, call->window_name, inner) : title->FontSize;
    const float block = ns.y + 0.2F * em + ws.y + 0.5F * em + name_px;
    float y = y0 + 2.6F * em + std::max(0.0F, (y1 - y0 - 2.6F * em - block) / 2.0F - 0.4F * em);
    put(ui, big, px, ImVec2(cx - ns.x / 2.0F, y), kCalled, call->number);
    y += ns.y + 0.2F * em;
    put(ui, big, line_px, ImVec2(cx - ws.x / 2.0F, y), colors::text, where);
    y += ws.y + 0.5F * em;
    if (named) {
        const float nw = size_of(title, name_px, call->window_name).x;
        put(ui, title, name_px, ImVec2(cx - nw / 2.0F, y), colors::muted, call->window_name);
    }
    if (call->action == "recall") {
        // 重呼: the same number called again, marked where the card's title is.
        const std::string& again = ui.tr("display.recall");
        const float aw = size_of(title, title->FontSize, again).x;
        put(ui, title, title->FontSize, ImVec2(x1 - 1.2F * em - aw, y0 + 0.9F * em), colors::warn, again);
    }
}

void HallDisplayScreen::draw_recent(Ui& ui, float x0, float y0, float x1, float y1) {
    const float em = ui.em();
    card(x0, y0, x1, y1, 0.6F * em);
    ImFont* title = m_fonts.title();
    ImFont* body = m_fonts.body();
    const float px = title->FontSize;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    put(ui, title, px, ImVec2(x0 + 1.2F * em, y0 + 0.9F * em), colors::muted, ui.tr("display.recent"));
    const float col_window = x0 + (x1 - x0) * 0.40F;
    float y = y0 + 3.2F * em;
    dl->AddLine(ImVec2(x0 + 1.0F * em, y - 0.5F * em), ImVec2(x1 - 1.0F * em, y - 0.5F * em), kRule, 2.0F);
    const auto rows = m_board.recent_today(hcp::now());
    if (rows.empty()) {
        put(ui, body, body->FontSize, ImVec2(x0 + 1.2F * em, y), colors::muted, ui.tr("display.no_recent"));
        return;
    }
    const std::string& again = ui.tr("display.recall");
    const float again_w = size_of(body, body->FontSize, again).x;
    const float row_h = std::min(2.6F * em, (y1 - y - 0.6F * em) / static_cast<float>(rows.size()));
    for (size_t i = 0; i < rows.size(); ++i) {
        const BoardCall& r = rows[i];
        if (y + row_h > y1) break;
        if (i == 0)
            dl->AddRectFilled(ImVec2(x0 + 0.6F * em, y - 0.2F * em), ImVec2(x1 - 0.6F * em, y + row_h - 0.2F * em),
                              kFresh, 0.3F * em);
        const float ty = y + (row_h - px) / 2.0F - 0.2F * em;
        ui.want(r.number);
        dl->AddText(title, px, ImVec2(x0 + 1.6F * em, ty), i == 0 ? kCalled : colors::accent, r.number.c_str());
        const std::string w = window_label(ui, r.window);
        ui.want(w);
        dl->AddText(title, px, ImVec2(col_window, ty), colors::text, w.c_str());
        // One label per line, "A012 3号窗口" (with " 重呼" after a recall), so scripts check the pair.
        std::string label = r.number + " " + w;
        if (r.action == "recall") {
            dl->AddText(body, body->FontSize, ImVec2(x1 - 1.6F * em - again_w, ty + (px - body->FontSize) / 2.0F),
                        colors::warn, again.c_str());
            label += " " + again;
        }
        ui.record_rect(label, ImVec2(x0, y), ImVec2(x1, y + row_h));
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
    const std::string& unit = ui.tr("display.waiting_suffix");
    ImDrawList* dl = ImGui::GetWindowDrawList();
    for (size_t i = 0; i < cats.size(); ++i) {
        const BoardCategory& c = cats[i];
        const float a = x0 + static_cast<float>(i) * (w + g);
        card(a, y0, a + w, y1, 0.5F * em);
        const std::string name = std::string(1, c.prefix) + " · " + c.name;
        ui.want(name);
        const float name_px = fitting(title, title->FontSize, name, w - 2.0F * em);
        dl->AddText(title, name_px, ImVec2(a + 1.0F * em, y0 + 0.6F * em), colors::text, name.c_str());
        // "2 人等候": the count large, then its unit; "含优先 1" on the right when priority tickets wait.
        const std::string count = std::to_string(c.waiting);
        ui.want(count + unit);
        const float count_px = title->FontSize * 1.5F;
        const float cy = y1 - 0.5F * em - count_px;
        dl->AddText(title, count_px, ImVec2(a + 1.0F * em, cy), colors::accent, count.c_str());
        const float count_w = size_of(title, count_px, count).x;
        dl->AddText(title, title->FontSize, ImVec2(a + 1.0F * em + count_w, cy + title->FontSize * 0.5F - 0.1F * em),
                    colors::text, unit.c_str());
        std::string label = c.name + " " + count + unit;
        if (c.waiting_priority > 0) {
            const std::string prio = ui.tr("display.priority_prefix") + std::to_string(c.waiting_priority) +
                                     ui.tr("display.priority_suffix");
            ui.want(prio);
            // What is left right of the count and its unit (a long unit leaves less).
            const float room = w - 2.6F * em - count_w - size_of(title, title->FontSize, unit).x;
            const float prio_px = fitting(body, body->FontSize, prio, std::max(room, 1.0F));
            const float pw = size_of(body, prio_px, prio).x;
            dl->AddText(body, prio_px, ImVec2(a + w - 1.0F * em - pw, cy + count_px - prio_px * 1.2F), colors::warn,
                        prio.c_str());
            label += " " + prio;
        }
        // The visible text, "社保医保 2 人等候" (" 含优先 1"), for scripts.
        ui.record_rect(label, ImVec2(a, y0), ImVec2(a + w, y1));
    }
}

void HallDisplayScreen::draw_notice(Ui& ui, const std::string& text, bool normal, float y0, float w, float h) {
    const float em = ui.em();
    const ImU32 fill = normal ? IM_COL32(0x1E, 0x3A, 0x5F, 0xFF) : IM_COL32(0xB4, 0x23, 0x18, 0xFF);
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(0, y0), ImVec2(w, y0 + h), fill);
    ImFont* title = m_fonts.title();
    // A long notice shrinks to fit one line rather than running off the screen.
    const float px = fitting(title, title->FontSize, text, w - 2.4F * em);
    const float x = std::max(1.2F * em, (w - size_of(title, px, text).x) / 2.0F);
    put(ui, title, px, ImVec2(x, y0 + (h - px) / 2.0F), kWhite, text);
}

}  // namespace hcp::ui

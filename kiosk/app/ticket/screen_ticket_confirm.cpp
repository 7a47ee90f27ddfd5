#include "ticket/screen_ticket_confirm.hpp"

#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "hcp/base/time.hpp"
#include "shell/fonts.hpp"
#include "shell/ui_kit.hpp"
#include "ticket/ticket_station.hpp"
#include "ticket/ticket_widgets.hpp"

namespace hcp::ui {

namespace {
constexpr ImU32 kNumber = IM_COL32(0xC0, 0x1F, 0x1F, 0xFF);
constexpr ImU32 kGreen = IM_COL32(0x15, 0x80, 0x3D, 0xFF);
constexpr ImU32 kRule = IM_COL32(0xD1, 0xD5, 0xDB, 0xFF);

void put(Ui& ui, ImFont* font, ImVec2 at, ImU32 color, const std::string& s) {
    ui.want(s);
    ImGui::GetWindowDrawList()->AddText(font, font->FontSize, at, color, s.c_str(), s.c_str() + s.size());
    const ImVec2 sz = font->CalcTextSizeA(font->FontSize, 1e6F, 0.0F, s.c_str());
    ui.record_rect(s, at, ImVec2(at.x + sz.x, at.y + sz.y));
}

std::string hhmm(hcp::TimePoint t) {
    const auto m = std::chrono::duration_cast<std::chrono::minutes>(hcp::china_time_of_day(t)).count();
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(m / 60), static_cast<int>(m % 60));
    return buf;
}
}  // namespace

void TicketConfirmScreen::enter() {
    if (const auto& t = m_station.taken()) m_qr = QrView(t->qr_url);
}

void TicketConfirmScreen::draw(Ui& ui) {
    const auto& taken = m_station.taken();
    if (!taken) return;
    const float em = ui.em();
    const hcp::IssuedTicket& it = taken->issued;
    if (m_qr.size() == 0 && !taken->qr_url.empty()) m_qr = QrView(taken->qr_url);
    ImGui::Dummy(ui.em2(1.0F, 0.5F));
    ui.text_centered(ui.tr(it.ticket.priority ? "ticket.done_priority" : "ticket.done"), true, kGreen);
    ImGui::Dummy(ui.em2(1.0F, 0.4F));

    // A card: the ticket on the left, the print status (or the QR to photograph) on the right.
    const ImVec2 a = ImGui::GetCursorScreenPos();
    const float w = ImGui::GetContentRegionAvail().x;
    const float h = ImGui::GetContentRegionAvail().y - 4.4F * em;
    const ImVec2 b(a.x + w, a.y + h);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(a, b, colors::card, 0.5F * em);
    dl->AddRect(a, b, kRule, 0.5F * em, 0, 1.5F);
    const float split = a.x + w * 0.55F;
    dl->AddLine(ImVec2(split, a.y + 1.0F * em), ImVec2(split, b.y - 1.0F * em), kRule, 2.0F);

    ImFont* title = m_fonts.title();
    ImFont* body = m_fonts.body();
    ImFont* big = m_fonts.display();
    const float lx = a.x + 1.6F * em;
    float y = a.y + 0.9F * em;
    put(ui, title, ImVec2(lx, y), colors::muted, ui.tr("ticket.your_number"));
    y += title->FontSize + 0.2F * em;
    m_fonts.want_display(it.ticket.number);
    const ImVec2 ns = big->CalcTextSizeA(big->FontSize, 1e6F, 0.0F, it.ticket.number.c_str());
    put(ui, big, ImVec2(a.x + (split - a.x - ns.x) / 2.0F, y), kNumber, it.ticket.number);
    y += ns.y + 0.3F * em;
    put(ui, title, ImVec2(lx, y), colors::text, ui.tr("ticket.category") + it.category_name);
    y += title->FontSize + 0.5F * em;
    put(ui, title, ImVec2(lx, y), colors::text,
        ui.tr("ticket.ahead_prefix") + std::to_string(it.estimate.people_ahead) + ui.tr("ticket.ahead_suffix"));
    y += title->FontSize + 0.5F * em;
    put(ui, title, ImVec2(lx, y), colors::text, ui.tr("ticket.eta") + wait_text(ui, it.estimate));
    y += title->FontSize + 0.5F * em;
    put(ui, body, ImVec2(lx, y), colors::muted, ui.tr("ticket.taken_at") + hhmm(it.ticket.issued_at));

    // The right side.
    const float rx = split + 1.4F * em;
    const float rw = b.x - rx - 1.4F * em;
    float ry = a.y + 1.0F * em;
    auto wrapped = [&](const std::string& s, ImFont* f, ImU32 color) {
        ui.want(s);
        const ImVec2 sz = f->CalcTextSizeA(f->FontSize, 1e6F, rw, s.c_str());
        dl->AddText(f, f->FontSize, ImVec2(rx, ry), color, s.c_str(), nullptr, rw);
        ui.record_rect(s, ImVec2(rx, ry), ImVec2(rx + sz.x, ry + sz.y));
        ry += sz.y + 0.5F * em;
    };
    switch (taken->print) {
        case PrintState::printing: wrapped(ui.tr("ticket.printing"), title, colors::accent); break;
        case PrintState::printed:
            wrapped(ui.tr("ticket.printed"), title, kGreen);
            wrapped(ui.tr("ticket.printed_hint"), body, colors::muted);
            break;
        case PrintState::failed: {
            // A station without a printer is working as set up: its headline is information, not
            // an error in red. The hint offers the QR only when there is one to photograph.
            if (taken->no_printer)
                wrapped(ui.tr("ticket.no_printer"), title, colors::accent);
            else
                wrapped(ui.tr("ticket.not_printed") + taken->print_reason_zh, title, colors::warn);
            wrapped(ui.tr(m_qr.size() > 0 ? "ticket.photo_hint" : "ticket.photo_hint_no_qr"), body, colors::text);
            const float side = std::min(rw, b.y - ry - 0.8F * em);
            if (m_qr.size() > 0 && side > 4.0F * em) {
                m_qr.draw(ImVec2(rx + (rw - side) / 2.0F, ry), side);
                ui.record_rect("ticket-qr", ImVec2(rx, ry), ImVec2(rx + side, ry + side));
            }
            break;
        }
    }
    ImGui::Dummy(ImVec2(w, h));
    ImGui::Dummy(ui.em2(1.0F, 0.6F));
    const ImVec2 size(12.0F * em, 2.8F * em);
    ImGui::SetCursorPosX((ImGui::GetWindowWidth() - size.x) / 2.0F);
    if (ui.button(ui.tr("common.done"), size, Tone::primary, true, true)) m_station.back_to_start();
}

}  // namespace hcp::ui

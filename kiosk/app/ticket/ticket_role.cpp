#include "ticket/ticket_role.hpp"

#include <SDL.h>

#include <filesystem>
#include <optional>

#include "display/hall_feed.hpp"
#include "shell/chrome.hpp"
#include "shell/fonts.hpp"
#include "shell/main_queue.hpp"
#include "shell/presentation.hpp"
#include "shell/ui_kit.hpp"
#include "ticket/screen_ticket_categories.hpp"
#include "ticket/screen_ticket_code.hpp"
#include "ticket/screen_ticket_confirm.hpp"
#include "ticket/screen_ticket_maintenance.hpp"
#include "ticket/screen_ticket_pin.hpp"
#include "ticket/screen_ticket_refused.hpp"
#include "ticket/screen_ticket_start.hpp"
#include "ticket/ticket_desk.hpp"

namespace hcp::ui {

TicketRole::TicketRole(const RoleContext& ctx)
    : m_services(ctx.services), m_queue(ctx.queue), m_fonts(ctx.fonts), m_presentation(ctx.presentation) {
    const hcp::Config& cfg = *m_services.config;
    std::optional<std::filesystem::path> jobs;
    if (m_services.options.data_dir) jobs = *m_services.options.data_dir / "print-jobs";
    m_printer = std::make_unique<TicketPrinter>(cfg, jobs);
    m_station = std::make_unique<TicketStation>(cfg, *m_services.desk, *m_printer, m_queue);
    // The number in the display font: every letter and digit now, so no atlas build per ticket.
    m_fonts.set_display_scale(5.5F);
    m_fonts.want_display("0123456789");
    for (const auto& c : cfg.categories) {
        m_fonts.want_display(std::string(1, c.prefix));
        m_fonts.want(c.name);
        m_fonts.want(c.group);
    }
    m_fonts.want("●");
    TicketStation& st = *m_station;
    Fonts& f = m_fonts;
    m_screens.resize(kTicketScreens);
    auto at = [this](TicketScreen s) -> std::unique_ptr<Screen>& { return m_screens[static_cast<size_t>(s)]; };
    at(TicketScreen::start) = std::make_unique<TicketStartScreen>(st, f);
    at(TicketScreen::categories) = std::make_unique<TicketCategoriesScreen>(st, f);
    at(TicketScreen::code) = std::make_unique<TicketCodeScreen>(st, f);
    at(TicketScreen::confirm) = std::make_unique<TicketConfirmScreen>(st, f);
    at(TicketScreen::refused) = std::make_unique<TicketRefusedScreen>(st, f);
    at(TicketScreen::pin) = std::make_unique<TicketPinScreen>(st, f);
    at(TicketScreen::maintenance) = std::make_unique<TicketMaintenanceScreen>(st, *m_printer, m_services.upload_summary,
                                                                              cfg.store.database.parent_path());
    // Counts and estimates: the queue's snapshot, read on the feed's thread after each change.
    HallFeed* feed = m_services.hall;
    if (feed->local()) m_station->on_snapshot(feed->snapshot());
    MainQueue* queue = &m_queue;
    TicketStation* station = m_station.get();
    feed->subscribe([queue, station, feed](const hcp::HubEvent& ev) {
        if (ev.type != hcp::HubEventType::queue_changed) return;
        queue->post([station, snap = feed->snapshot()] { station->on_snapshot(snap); });
    });
    m_screen = m_station->screen();
    m_screens[static_cast<size_t>(m_screen)]->enter();
}

TicketRole::~TicketRole() {
    m_services.hall->unsubscribe();
    m_station->stop();  // its last results are drained below, while it exists
    m_queue.drain();
}

void TicketRole::draw(Ui& ui) {
    ChromeFrame frame;
    // The start screen shows the hall name large; the header then names the service.
    frame.title = m_screen == TicketScreen::start ? ui.tr("header.ticket_product") : m_services.config->hall.name;
    // While a ticket is taken nothing on the screen can be tapped.
    frame.busy = m_station->busy();
    frame.busy_key = "ticket.taking";
    draw_chrome(ui, m_fonts, m_presentation, frame, [&] { m_screens[static_cast<size_t>(m_screen)]->draw(ui); });
}

void TicketRole::tick(Clock::time_point now) {
    m_station->tick(now);
    if (m_station->screen() == m_screen) return;
    m_screens[static_cast<size_t>(m_screen)]->leave();
    m_screen = m_station->screen();
    m_screens[static_cast<size_t>(m_screen)]->enter();
    // The next citizen starts from the station's defaults, not the last one's choices.
    if (m_screen == TicketScreen::start) m_presentation.restore_defaults();
}

bool TicketRole::input(const SDL_Event& ev, Clock::time_point now) {
    if (ev.type != SDL_KEYDOWN && ev.type != SDL_KEYUP && ev.type != SDL_TEXTINPUT) {
        m_station->touched(now);
        return false;
    }
    // The station takes keys straight from SDL, in order: a scanner's digits and its Enter can
    // arrive in one batch, before ImGui (1.86, no input queue) would see them.
    if (ev.type == SDL_TEXTINPUT) {
        for (const char* p = ev.text.text; *p != '\0'; ++p) m_station->typed(*p);
    } else if (ev.type == SDL_KEYDOWN && (ev.key.keysym.sym == SDLK_RETURN || ev.key.keysym.sym == SDLK_KP_ENTER)) {
        m_station->enter_key(now);
    } else if (ev.type == SDL_KEYDOWN && ev.key.keysym.sym == SDLK_BACKSPACE) {
        if (m_station->screen() == TicketScreen::code) m_station->code_backspace();
        if (m_station->screen() == TicketScreen::pin) m_station->pin_backspace();
    }
    m_station->touched(now);
    return true;
}

bool TicketRole::typed(const std::string& utf8, Clock::time_point now) {
    for (char c : utf8) m_station->typed(c);
    m_station->touched(now);
    return true;
}

}  // namespace hcp::ui

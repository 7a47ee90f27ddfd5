#include "rating/rating_role.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "rating/screen_bad_options.hpp"
#include "rating/screen_idle.hpp"
#include "rating/screen_rating.hpp"
#include "rating/screen_thanks.hpp"
#include "rating/screen_theme_choice.hpp"
#include "shell/chrome.hpp"
#include "shell/fonts.hpp"
#include "shell/main_queue.hpp"
#include "shell/presentation.hpp"
#include "shell/screen_message.hpp"
#include "shell/ui_kit.hpp"

namespace hcp::ui {

RatingRole::RatingRole(const RoleContext& ctx, bool self_service, const std::string& config_error)
    : m_services(ctx.services), m_queue(ctx.queue), m_fonts(ctx.fonts), m_presentation(ctx.presentation) {
    const hcp::Config* cfg = m_services.config;
    const Options& opt = m_services.options;
    hcp::HubLink* link = config_error.empty() ? m_services.link : nullptr;
    if (link != nullptr) {
        for (const auto& d : link->catalog().dimensions()) {
            m_fonts.want(d.name);
            for (const auto& o : d.options) m_fonts.want(o.label);
        }
    }

    // The on-screen keyboard's Chinese input. Without the dictionary the keyboard still types
    // letters, digits and punctuation; the log says why Chinese is missing.
    auto pinyin = PinyinEngine::open(std::filesystem::path(HCP_PINYIN_DICT_FILE));
    if (pinyin.ok()) {
        m_pinyin = std::move(pinyin).value();
    } else {
        std::cerr << "hcp-kiosk: no pinyin input: " << pinyin.error().detail << '\n';
    }
    m_keyboard = std::make_unique<OnscreenKeyboard>(m_pinyin.get());
    for (const char* key : {"1234567890", "qwertyuiopasdfghjklzxcvbnm", "，。？！、："}) m_fonts.want(key);

    if (link != nullptr) m_worker = std::make_unique<ThreadLinkWorker>(*link, m_queue);
    JourneyTimes times;
    if (cfg != nullptr) times.rating_timeout = std::chrono::seconds(cfg->rating.timeout_seconds);
    if (opt.timeout_seconds) times.rating_timeout = std::chrono::seconds(*opt.timeout_seconds);
    m_journey = std::make_unique<Journey>(m_worker.get(), m_fonts, times, std::cout);

    // A self-service terminal stands at no window.
    const int window = cfg != nullptr && !self_service ? cfg->device.window : 0;
    const auto& catalog = link != nullptr ? link->catalog() : m_no_catalog;
    m_screens.resize(6);
    m_screens[static_cast<size_t>(ScreenId::idle)] =
        std::make_unique<IdleScreen>(*m_journey, cfg != nullptr ? cfg->hall.name : std::string(), window, self_service);
    m_screens[static_cast<size_t>(ScreenId::theme_choice)] = std::make_unique<ThemeChoiceScreen>(*m_journey);
    m_screens[static_cast<size_t>(ScreenId::rating)] = std::make_unique<RatingScreen>(*m_journey);
    m_screens[static_cast<size_t>(ScreenId::bad_options)] =
        std::make_unique<BadOptionsScreen>(*m_journey, catalog, *m_keyboard);
    m_screens[static_cast<size_t>(ScreenId::thanks)] = std::make_unique<ThanksScreen>(*m_journey);
    m_screens[static_cast<size_t>(ScreenId::message)] = std::make_unique<MessageScreen>(*m_journey);

    if (link == nullptr) {
        m_fonts.want(config_error);
        m_journey->show_config_error(config_error);
    } else {
        // Hub events arrive on the link's thread: hand them to the main thread, never to ImGui.
        MainQueue* queue = &m_queue;
        Journey* journey = m_journey.get();
        link->subscribe(window, [queue, journey](const hcp::TerminalEvent& ev) {
            queue->post([journey, ev] { journey->on_event(ev); });
        });
        m_subscribed = true;
    }
    m_screen = m_journey->screen();
    m_screens[static_cast<size_t>(m_screen)]->enter();
}

RatingRole::~RatingRole() {
    if (m_subscribed) m_services.link->unsubscribe();
    m_worker.reset();  // finishes a rating being stored; its result is posted to the queue
    m_queue.drain();   // work posted before unsubscribe returned, while the journey exists
}

void RatingRole::draw(Ui& ui) {
    const hcp::Config* cfg = m_services.config;
    ChromeFrame frame;
    // Idle shows the hall name large already; the header then names the service.
    frame.title = cfg != nullptr && m_screen != ScreenId::idle ? cfg->hall.name : ui.tr("header.product");
    // While a rating is stored nothing on the screen can be tapped.
    frame.header_enabled = !m_journey->submitting();
    frame.busy = m_journey->submitting();
    frame.busy_key = "status.submitting";
    draw_chrome(ui, m_fonts, m_presentation, frame, [&] { m_screens[static_cast<size_t>(m_screen)]->draw(ui); });
}

void RatingRole::tick(Clock::time_point now) {
    m_journey->tick(now);
    if (m_journey->screen() == m_screen) return;
    m_screens[static_cast<size_t>(m_screen)]->leave();
    m_screen = m_journey->screen();
    m_screens[static_cast<size_t>(m_screen)]->enter();
    // The next citizen starts from the terminal's defaults, not the last one's choices.
    if (m_screen == ScreenId::idle) m_presentation.restore_defaults();
}

bool RatingRole::input(const SDL_Event& /*ev*/, Clock::time_point now) {
    m_journey->touched(now);
    return false;
}

bool RatingRole::typed(const std::string& /*utf8*/, Clock::time_point /*now*/) {
    return false;
}

void RatingRole::presented() {
    // The first presented frame that shows a newly opened request: a log line with the wall
    // clock, so the bench can measure from the business system's reply to the screen.
    const hcp::RatingRequest* req = m_journey->request();
    if (req == nullptr || (m_screen != ScreenId::rating && m_screen != ScreenId::theme_choice)) return;
    const std::string& id = req->opened_event_id;
    if (id == m_shown_event) return;
    m_shown_event = id;
    const auto wall =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    std::string cases;
    for (const auto& c : req->cases) cases += (cases.empty() ? "" : ",") + c.case_no;
    std::cout << "shown: cases=" << cases << " event=" << id << " wall_us=" << wall << '\n';
}

std::string RatingRole::report() const {
    std::vector<double> commits = m_journey->commit_ms();
    if (commits.empty()) return {};
    std::sort(commits.begin(), commits.end());
    auto pct = [&](double p) {
        return commits[std::min(commits.size() - 1, static_cast<size_t>(p * static_cast<double>(commits.size())))];
    };
    std::ostringstream out;
    out << " commits=" << commits.size() << " commit_p50_ms=" << pct(0.50) << " commit_p99_ms=" << pct(0.99);
    return out.str();
}

}  // namespace hcp::ui

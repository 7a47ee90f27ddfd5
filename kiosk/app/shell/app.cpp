#include "shell/asset_paths.hpp"
#include "shell/app.hpp"

#include <SDL.h>
#include <imgui.h>
#include <imgui_internal.h>  // ClearActiveID for touch scrolling
#include <imgui_impl_sdl.h>
#include <imgui_impl_sdlrenderer.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "hcp/base/time.hpp"
#include "shell/png_writer.hpp"
#include "rating/screen_bad_options.hpp"
#include "display/screen_hall_display.hpp"
#include "rating/screen_idle.hpp"
#include "shell/screen_message.hpp"
#include "rating/screen_rating.hpp"
#include "rating/screen_thanks.hpp"
#include "ticket/screen_ticket_categories.hpp"
#include "ticket/screen_ticket_code.hpp"
#include "ticket/screen_ticket_confirm.hpp"
#include "ticket/screen_ticket_maintenance.hpp"
#include "ticket/screen_ticket_pin.hpp"
#include "ticket/screen_ticket_refused.hpp"
#include "ticket/screen_ticket_start.hpp"
#include "rating/screen_theme_choice.hpp"

namespace hcp::ui {

namespace {

// Frames drawn after the last input: ImGui needs a couple to settle hover/active state.
constexpr int kFramesAfterInput = 3;

long long pss_kb() {
    std::ifstream in("/proc/self/smaps_rollup");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("Pss:", 0) == 0) return std::stoll(line.substr(4));
    }
    return -1;
}

long long china_minute() {
    return std::chrono::duration_cast<std::chrono::minutes>(hcp::now().time_since_epoch()).count();
}

// ImGui's recovery reports each stack it closes; the exception is already logged.
void ignore_recovery_note(void* /*user_data*/, const char* /*fmt*/, ...) {}

}  // namespace

void App::SdlDeleter::operator()(SDL_Window* w) const { SDL_DestroyWindow(w); }
void App::SdlDeleter::operator()(SDL_Renderer* r) const { SDL_DestroyRenderer(r); }

App::App(AppServices services) : m_services(std::move(services)) {
    const Options& opt = m_services.options;
    m_large_text = opt.large_text;
    if (opt.headless) {
        SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
        SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
    }
    // Only video (which brings events): joystick or sensor subsystems would make SDL poll.
    if (SDL_Init(SDL_INIT_VIDEO) != 0) throw std::runtime_error(std::string("SDL_Init: ") + SDL_GetError());
    SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "1");
    Uint32 flags = SDL_WINDOW_BORDERLESS;
    int w = opt.width, h = opt.height;
    if (!opt.headless && !opt.windowed) flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    m_window.reset(SDL_CreateWindow("hcp-kiosk", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h, flags));
    if (!m_window) throw std::runtime_error(std::string("SDL_CreateWindow: ") + SDL_GetError());
    const Uint32 rflags = opt.headless ? SDL_RENDERER_SOFTWARE : (SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    m_renderer.reset(SDL_CreateRenderer(m_window.get(), -1, rflags));
    if (!m_renderer) m_renderer.reset(SDL_CreateRenderer(m_window.get(), -1, SDL_RENDERER_SOFTWARE));
    if (!m_renderer) throw std::runtime_error(std::string("SDL_CreateRenderer: ") + SDL_GetError());
    SDL_ShowCursor(SDL_DISABLE);
    m_queue = std::make_unique<MainQueue>();

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // a kiosk keeps no window layout
    io.LogFilename = nullptr;
    io.ConfigFlags |= ImGuiConfigFlags_NoMouseCursorChange;
    io.ConfigInputTextCursorBlink = false;  // a blinking caret would be an endless animation
    ImGui_ImplSDL2_InitForSDLRenderer(m_window.get());
    ImGui_ImplSDLRenderer_Init(m_renderer.get());

    // The font: every UI string and every name known now; more are added as they appear.
    m_fonts = std::make_unique<Fonts>(font_file());
    for (const auto& t : m_services.i18n.all_texts()) m_fonts->want(t);
    const hcp::Config* cfg = m_services.config;
    if (cfg != nullptr) {
        m_fonts->want(cfg->hall.name);
        for (const auto& i : cfg->items) m_fonts->want(i.name);
        for (const auto& s : cfg->staff) m_fonts->want(s.name);
        for (const auto& wdw : cfg->windows) m_fonts->want(wdw.name);
    }
    if (m_services.link != nullptr) {
        for (const auto& d : m_services.link->catalog().dimensions()) {
            m_fonts->want(d.name);
            for (const auto& o : d.options) m_fonts->want(o.label);
        }
    }
    m_services.i18n.set_lang(opt.lang == "en" ? Lang::en : Lang::zh_CN);
    m_ui = std::make_unique<Ui>(m_services.i18n, *m_fonts);

    // The on-screen keyboard's Chinese input. Without the dictionary the keyboard still types
    // letters, digits and punctuation; the log says why Chinese is missing.
    auto pinyin = PinyinEngine::open(std::filesystem::path(HCP_PINYIN_DICT_FILE));
    if (pinyin.ok()) {
        m_pinyin = std::move(pinyin).value();
    } else {
        std::cerr << "hcp-kiosk: no pinyin input: " << pinyin.error().detail << '\n';
    }
    m_keyboard = std::make_unique<OnscreenKeyboard>(m_pinyin.get());
    for (const char* key : {"1234567890", "qwertyuiopasdfghjklzxcvbnm", "，。？！、："}) m_fonts->want(key);

    if (m_services.link != nullptr) m_worker = std::make_unique<ThreadLinkWorker>(*m_services.link, *m_queue);

    JourneyTimes times;
    if (cfg != nullptr) times.rating_timeout = std::chrono::seconds(cfg->rating.timeout_seconds);
    if (opt.timeout_seconds) times.rating_timeout = std::chrono::seconds(*opt.timeout_seconds);
    m_journey = std::make_unique<Journey>(m_worker.get(), *m_fonts, times, std::cout);

    int window = cfg != nullptr ? cfg->device.window : 0;
    if (cfg != nullptr) {
        const bool rater = cfg->device.roles.count(hcp::DeviceRole::rater) != 0;
        m_self_service = !rater && cfg->device.roles.count(hcp::DeviceRole::selfservice) != 0;
    }
    if (opt.role) m_self_service = *opt.role == "selfservice";
    if (m_self_service) window = 0;
    // The hall display: role display alone (a display shows no rating journey), or --role display.
    if (cfg != nullptr) {
        const auto& roles = cfg->device.roles;
        m_display = roles.count(hcp::DeviceRole::display) != 0 && roles.count(hcp::DeviceRole::rater) == 0 &&
                    roles.count(hcp::DeviceRole::selfservice) == 0;
    }
    if (opt.role) m_display = *opt.role == "display";
    // The ticket station: role ticket without a rating or display role, or --role ticket.
    if (cfg != nullptr) {
        const auto& roles = cfg->device.roles;
        m_ticket = roles.count(hcp::DeviceRole::ticket) != 0 && roles.count(hcp::DeviceRole::rater) == 0 &&
                   roles.count(hcp::DeviceRole::selfservice) == 0 && roles.count(hcp::DeviceRole::display) == 0;
    }
    if (opt.role) m_ticket = *opt.role == "ticket";

    const auto& catalog = m_services.link != nullptr ? m_services.link->catalog() : m_no_catalog;
    m_screens.resize(6);
    m_screens[static_cast<size_t>(ScreenId::idle)] = std::make_unique<IdleScreen>(
        *m_journey, cfg != nullptr ? cfg->hall.name : std::string(), window, m_self_service);
    m_screens[static_cast<size_t>(ScreenId::theme_choice)] = std::make_unique<ThemeChoiceScreen>(*m_journey);
    m_screens[static_cast<size_t>(ScreenId::rating)] = std::make_unique<RatingScreen>(*m_journey);
    m_screens[static_cast<size_t>(ScreenId::bad_options)] =
        std::make_unique<BadOptionsScreen>(*m_journey, catalog, *m_keyboard);
    m_screens[static_cast<size_t>(ScreenId::thanks)] = std::make_unique<ThanksScreen>(*m_journey);
    m_screens[static_cast<size_t>(ScreenId::message)] = std::make_unique<MessageScreen>(*m_journey);

    if (!opt.script.empty()) m_script = ScriptRunner::load(opt.script);
    if (m_display && cfg != nullptr && m_services.hall == nullptr) {
        m_display = false;
        m_services.config_error = "叫号屏需要排队服务：本机运行中心（device.roles 含 hub，并配置 [[category]]），或设置 device.hub_url 连接中心。请联系管理员";
    }
    if (m_ticket && cfg != nullptr && (m_services.desk == nullptr || m_services.hall == nullptr)) {
        m_ticket = false;
        m_services.config_error = "取号机需要排队服务：本机运行中心（device.roles 含 hub，并配置 [[category]]），或设置 device.hub_url 连接中心。请联系管理员";
    }
    if (cfg == nullptr || m_services.link == nullptr || !m_services.config_error.empty()) {
        m_fonts->want(m_services.config_error);
        m_journey->show_config_error(m_services.config_error);
    } else if (m_display) {
        start_display();
    } else if (m_ticket) {
        start_ticket();
    } else {
        // Hub events arrive on the link's thread: hand them to the main thread, never to ImGui.
        MainQueue* queue = m_queue.get();
        Journey* journey = m_journey.get();
        m_services.link->subscribe(window, [queue, journey](const hcp::TerminalEvent& ev) {
            queue->post([journey, ev] { journey->on_event(ev); });
        });
    }
    rebuild_fonts();
    m_screens[static_cast<size_t>(m_journey->screen())]->enter();
    m_screen = m_journey->screen();
}

void App::start_display() {
    const hcp::Config& cfg = *m_services.config;
    const hcp::DisplayConfig& dc = cfg.display;
    m_board = std::make_unique<HallBoard>(static_cast<size_t>(dc.recent_calls));
    m_display_screen = std::make_unique<HallDisplayScreen>(*m_board, *m_fonts, cfg.hall.name, dc.notice);
    // Every ticket letter in the display font now: a new letter later would cost an atlas build.
    for (const auto& c : cfg.categories) m_fonts->want_display(std::string(1, c.prefix));
    for (const auto& c : cfg.categories) m_fonts->want(c.name);
    if (dc.voice) {
        // Headless (SDL's dummy driver): synthesis still runs, the audio goes nowhere.
        if (!m_services.options.headless) {
            std::string why;
            m_sink = voice::SdlAudioSink::open(22050, why);  // espeak-ng's rate
            if (!m_sink) std::cerr << "hcp-kiosk: no sound output, calls are shown only: " << why << '\n';
        }
        if (!m_sink) m_sink = std::make_unique<voice::NullSink>();
        voice::AnnouncerSettings vs;
        vs.repeat = dc.voice_repeat;
        vs.speech.voice = dc.voice_name;
        vs.speech.rate = dc.voice_rate;
        vs.speech.volume = dc.voice_volume;
        m_announcer = std::make_unique<voice::Announcer>(vs, *m_sink);
    }
    HallFeed* feed = m_services.hall;
    if (feed->local()) m_board->on_snapshot(feed->snapshot());
    m_board->set_online(feed->online());
    // Queue events arrive on the feed's thread: the call goes to the main thread at once (shown
    // on the next frame, then spoken); the snapshot is read on the feed's thread, never the UI's.
    MainQueue* queue = m_queue.get();
    HallBoard* board = m_board.get();
    voice::Announcer* announcer = m_announcer.get();
    const std::string tmpl = dc.voice_template;
    feed->subscribe([queue, board, announcer, feed, tmpl](const hcp::HubEvent& ev) {
        if (ev.type == hcp::HubEventType::queue_called && ev.call) {
            queue->post([board, announcer, tmpl, call = *ev.call, at = ev.at] {
                board->on_call(call, at);
                if (announcer != nullptr)
                    announcer->announce(voice::announcement_text(tmpl, call.number, call.window, call.window_name));
            });
        }
        queue->post([board, snap = feed->snapshot(), online = feed->online()] {
            board->on_snapshot(snap);
            board->set_online(online);
        });
    });
}

void App::start_ticket() {
    const hcp::Config& cfg = *m_services.config;
    std::optional<std::filesystem::path> jobs;
    if (m_services.options.data_dir) jobs = *m_services.options.data_dir / "print-jobs";
    m_printer = std::make_unique<TicketPrinter>(cfg, jobs);
    m_station = std::make_unique<TicketStation>(cfg, *m_services.desk, *m_printer, *m_queue);
    // The number in the display font: every letter and digit now, so no atlas build per ticket.
    m_fonts->set_display_scale(5.5F);
    m_fonts->want_display("0123456789");
    for (const auto& c : cfg.categories) {
        m_fonts->want_display(std::string(1, c.prefix));
        m_fonts->want(c.name);
        m_fonts->want(c.group);
    }
    m_fonts->want("●");
    TicketStation& st = *m_station;
    Fonts& f = *m_fonts;
    m_ticket_screens.resize(kTicketScreens);
    auto at = [this](TicketScreen s) -> std::unique_ptr<Screen>& { return m_ticket_screens[static_cast<size_t>(s)]; };
    at(TicketScreen::start) = std::make_unique<TicketStartScreen>(st, f);
    at(TicketScreen::categories) = std::make_unique<TicketCategoriesScreen>(st, f);
    at(TicketScreen::code) = std::make_unique<TicketCodeScreen>(st, f);
    at(TicketScreen::confirm) = std::make_unique<TicketConfirmScreen>(st, f);
    at(TicketScreen::refused) = std::make_unique<TicketRefusedScreen>(st, f);
    at(TicketScreen::pin) = std::make_unique<TicketPinScreen>(st, f);
    at(TicketScreen::maintenance) = std::make_unique<TicketMaintenanceScreen>(
        st, *m_printer, m_services.upload_summary, cfg.store.database.parent_path());
    // Counts and estimates: the queue's snapshot, read on the feed's thread after each change.
    HallFeed* feed = m_services.hall;
    if (feed->local()) m_station->on_snapshot(feed->snapshot());
    MainQueue* queue = m_queue.get();
    TicketStation* station = m_station.get();
    feed->subscribe([queue, station, feed](const hcp::HubEvent& ev) {
        if (ev.type != hcp::HubEventType::queue_changed) return;
        queue->post([station, snap = feed->snapshot()] { station->on_snapshot(snap); });
    });
    m_ticket_screen = m_station->screen();
    m_ticket_screens[static_cast<size_t>(m_ticket_screen)]->enter();
}

void App::sync_ticket_screen() {
    if (!m_station || m_station->version() == m_station_version) return;
    m_station_version = m_station->version();
    request_frames(kFramesAfterInput);
    if (m_station->screen() == m_ticket_screen) return;
    m_ticket_screens[static_cast<size_t>(m_ticket_screen)]->leave();
    m_ticket_screen = m_station->screen();
    m_ticket_screens[static_cast<size_t>(m_ticket_screen)]->enter();
    if (m_ticket_screen == TicketScreen::start) {
        // The next citizen starts from the station's defaults, not the last one's choices.
        const Options& opt = m_services.options;
        m_services.i18n.set_lang(opt.lang == "en" ? Lang::en : Lang::zh_CN);
        if (m_large_text != opt.large_text) {
            m_large_text = opt.large_text;
            m_rebuild_pending = true;
        }
    }
}

App::~App() {
    if (m_ticket && m_services.hall != nullptr) m_services.hall->unsubscribe();
    if (m_station) m_station->stop();  // its last results are drained below, while it exists
    if (m_display && m_services.hall != nullptr) m_services.hall->unsubscribe();
    if (m_services.link != nullptr) m_services.link->unsubscribe();
    m_worker.reset();  // finishes a rating being stored; its result is posted to the queue
    m_queue->drain();  // work posted before unsubscribe returned
    // The voice's worker may be inside SDL audio: stop it and close the device before SDL_Quit.
    m_announcer.reset();
    m_sink.reset();
    ImGui_ImplSDLRenderer_Shutdown();
    ImGui_ImplSDL2_Shutdown();
    ImGui::DestroyContext();
    m_renderer.reset();
    m_window.reset();
    SDL_Quit();
}

float App::em_px() const {
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(m_renderer.get(), &w, &h);
    // Laid out for 34 px body text at 1080 lines, scaled once for the actual screen.
    const float base = std::round(static_cast<float>(std::min(h, w * 9 / 16)) / 1080.0F * 34.0F);
    return std::max(14.0F, base * (m_large_text ? 1.3F : 1.0F));
}

void App::apply_style() {
    ImGuiStyle style;
    ImGui::StyleColorsLight(&style);
    style.WindowBorderSize = 0.0F;
    style.FrameRounding = 6.0F;
    style.ChildRounding = 6.0F;
    style.ItemSpacing = ImVec2(8.0F, 6.0F);
    style.FramePadding = ImVec2(8.0F, 6.0F);
    style.ScrollbarSize = 18.0F;
    style.Colors[ImGuiCol_WindowBg] = ImGui::ColorConvertU32ToFloat4(colors::background);
    style.Colors[ImGuiCol_Text] = ImGui::ColorConvertU32ToFloat4(colors::text);
    style.Colors[ImGuiCol_Button] = ImVec4(1.0F, 1.0F, 1.0F, 1.0F);
    // A touch screen has no hover: a stale pointer must not highlight anything.
    style.Colors[ImGuiCol_ButtonHovered] = style.Colors[ImGuiCol_Button];
    style.Colors[ImGuiCol_ButtonActive] = ImVec4(0.86F, 0.92F, 1.0F, 1.0F);
    style.Colors[ImGuiCol_FrameBg] = ImVec4(1.0F, 1.0F, 1.0F, 1.0F);
    style.Colors[ImGuiCol_FrameBgHovered] = style.Colors[ImGuiCol_FrameBg];
    style.Colors[ImGuiCol_Border] = ImVec4(0.61F, 0.64F, 0.69F, 1.0F);
    style.FrameBorderSize = 1.0F;
    style.ScaleAllSizes(em_px() / 16.0F);
    ImGui::GetStyle() = style;
}

void App::rebuild_fonts() {
    const auto t0 = Clock::now();
    ImGuiIO& io = ImGui::GetIO();
    m_fonts->build(*io.Fonts, em_px());
    ImGui_ImplSDLRenderer_DestroyFontsTexture();
    ImGui_ImplSDLRenderer_CreateFontsTexture();
    io.Fonts->ClearTexData();  // the texture holds the pixels now; keep no CPU copy
    apply_style();
    m_stats.atlas_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
}

ImVec2 App::display_size() const {
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(m_renderer.get(), &w, &h);
    return {static_cast<float>(w), static_cast<float>(h)};
}

void App::request_frames(int n) { m_frames_wanted = std::max(m_frames_wanted, n); }

void App::pointer(ImVec2 pos, bool down) {
    m_pointer_pos = pos;
    m_pointer_down = down;
}

void App::type_text(const std::string& utf8) {
    if (m_station) {  // the station reads keys itself (a wedge scanner types like a keyboard)
        for (char c : utf8) m_station->typed(c);
        m_station->touched(Clock::now());
        request_frames(kFramesAfterInput);
        return;
    }
    m_typed += utf8;
    m_fonts->want(utf8);
}

void App::request_shot(const std::string& name) {
    m_shot = name;
    request_frames(1);
}

void App::handle(const SDL_Event& ev) {
    if (ev.type == m_queue->wake_event()) return;  // work is drained after the batch
    switch (ev.type) {
    case SDL_QUIT: m_quit = true; return;
    case SDL_MOUSEMOTION:
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
    case SDL_MOUSEWHEEL:
    case SDL_FINGERDOWN:
    case SDL_FINGERUP:
    case SDL_FINGERMOTION:
    case SDL_KEYDOWN:
    case SDL_KEYUP:
    case SDL_TEXTINPUT:
        if (m_station && (ev.type == SDL_KEYDOWN || ev.type == SDL_KEYUP || ev.type == SDL_TEXTINPUT)) {
            // The station takes keys straight from SDL, in order: a scanner's digits and its Enter
            // can arrive in one batch, before ImGui (1.86, no input queue) would see them.
            if (ev.type == SDL_TEXTINPUT) {
                for (const char* p = ev.text.text; *p != '\0'; ++p) m_station->typed(*p);
            } else if (ev.type == SDL_KEYDOWN &&
                       (ev.key.keysym.sym == SDLK_RETURN || ev.key.keysym.sym == SDLK_KP_ENTER)) {
                m_station->enter_key(TicketStation::Clock::now());
            } else if (ev.type == SDL_KEYDOWN && ev.key.keysym.sym == SDLK_BACKSPACE) {
                if (m_station->screen() == TicketScreen::code) m_station->code_backspace();
                if (m_station->screen() == TicketScreen::pin) m_station->pin_backspace();
            }
            m_station->touched(Clock::now());
            request_frames(kFramesAfterInput);
            return;
        }
        ImGui_ImplSDL2_ProcessEvent(&ev);
        m_journey->touched(Clock::now());
        if (m_station) m_station->touched(Clock::now());
        request_frames(kFramesAfterInput);
        return;
    case SDL_WINDOWEVENT:
        ImGui_ImplSDL2_ProcessEvent(&ev);
        if (ev.window.event == SDL_WINDOWEVENT_SIZE_CHANGED) rebuild_fonts();
        request_frames(1);
        return;
    default: return;
    }
}

void App::sync_screen() {
    sync_ticket_screen();
    if (m_board && m_board->version() != m_board_version) {
        m_board_version = m_board->version();
        request_frames(1);
    }
    if (m_journey->version() == m_journey_version) return;
    m_journey_version = m_journey->version();
    if (m_journey->screen() != m_screen) {
        m_screens[static_cast<size_t>(m_screen)]->leave();
        m_screen = m_journey->screen();
        m_screens[static_cast<size_t>(m_screen)]->enter();
        if (m_screen == ScreenId::idle) {
            // The next citizen starts from the terminal's defaults, not the last one's choices.
            const Options& opt = m_services.options;
            m_services.i18n.set_lang(opt.lang == "en" ? Lang::en : Lang::zh_CN);
            if (m_large_text != opt.large_text) {
                m_large_text = opt.large_text;
                m_rebuild_pending = true;
            }
        }
    }
    request_frames(kFramesAfterInput);
}

int App::wait_timeout_ms(Clock::time_point now) const {
    std::optional<Clock::time_point> at = m_journey->next_deadline();
    auto earlier = [&](std::optional<Clock::time_point> t) { if (t && (!at || *t < *at)) at = t; };
    if (m_script) earlier(m_script->wake_at());
    if (m_station) earlier(m_station->next_deadline());
    if (m_screen == ScreenId::idle || m_display) {
        // The clock shows minutes: wake at the next minute boundary, draw one frame.
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(hcp::now().time_since_epoch()).count();
        earlier(now + std::chrono::milliseconds(60000 - ms % 60000 + 5));
    }
    if (!at) return 60000;
    const auto d = std::chrono::duration_cast<std::chrono::milliseconds>(*at - now).count();
    return static_cast<int>(std::clamp<long long>(d + 1, 0, 60000));
}

void App::draw_header() {
    Ui& ui = *m_ui;
    const ImVec2 size = ImGui::GetIO().DisplaySize;
    const float h = 2.6F * ui.em();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(0, 0), ImVec2(size.x, h), colors::header);
    ImGui::SetCursorPos(ImVec2(1.0F * ui.em(), (h - ImGui::GetTextLineHeight()) / 2.0F));
    const hcp::Config* cfg = m_services.config;
    // Idle shows the hall name large already; the header then names the service.
    if (m_station) {
        // The station's start screen shows the hall name large; the header then names the service.
        const bool start = m_ticket_screen == TicketScreen::start;
        ui.text(start ? ui.tr("header.ticket_product") : cfg->hall.name, false, IM_COL32(0xFF, 0xFF, 0xFF, 0xFF));
    } else {
        const bool hall = cfg != nullptr && m_screen != ScreenId::idle;
        ui.text(hall ? cfg->hall.name : ui.tr("header.product"), false, IM_COL32(0xFF, 0xFF, 0xFF, 0xFF));
    }
    // Language and large text, always reachable, on the right.
    const ImVec2 b(6.0F * ui.em(), 1.9F * ui.em());
    ImGui::SetCursorPos(ImVec2(size.x - 2.0F * b.x - 1.6F * ui.em(), (h - b.y) / 2.0F));
    if (ui.button(ui.tr("header.switch_lang"), b, Tone::plain)) {
        m_services.i18n.set_lang(m_services.i18n.lang() == Lang::en ? Lang::zh_CN : Lang::en);
    }
    ImGui::SameLine(0.0F, 0.6F * ui.em());
    if (ui.button(ui.tr(m_large_text ? "header.normal_text" : "header.large_text"), b, Tone::plain)) {
        m_large_text = !m_large_text;
        m_rebuild_pending = true;  // the atlas is rebuilt between frames, never inside one
    }
    ImGui::SetCursorPos(ImVec2(0.0F, h + 0.4F * ui.em()));
}

void App::write_shot() {
    if (!m_shot) return;
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(m_renderer.get(), &w, &h);
    std::vector<std::uint8_t> pixels(static_cast<size_t>(w) * static_cast<size_t>(h) * 4U);
    const Options& opt = m_services.options;
    if (!opt.shots.empty()) {
        std::filesystem::create_directories(opt.shots);
        const auto file = opt.shots / (*m_shot + ".png");
        if (SDL_RenderReadPixels(m_renderer.get(), nullptr, SDL_PIXELFORMAT_RGBA32, pixels.data(), w * 4) != 0 ||
            !write_png(file, w, h, pixels)) {
            std::cerr << "hcp-kiosk: cannot write " << file << '\n';
        } else {
            std::cout << "shot: " << file.string() << '\n';
        }
    }
    m_shot.reset();
}

void App::draw_frame() {
    const auto t0 = Clock::now();
    if (m_rebuild_pending || m_fonts->stale()) {
        m_rebuild_pending = false;
        rebuild_fonts();
    }
    ImGui_ImplSDLRenderer_NewFrame();
    ImGui_ImplSDL2_NewFrame();
    ImGuiIO& io = ImGui::GetIO();
    if (m_pointer_pos) {  // a script drives the pointer (headless has no real one)
        io.MousePos = *m_pointer_pos;
        io.MouseDown[0] = m_pointer_down;
    }
    if (!m_typed.empty()) {
        io.AddInputCharactersUTF8(m_typed.c_str());
        m_typed.clear();
    }
    ImGui::NewFrame();
    m_ui->begin_frame(m_fonts->body()->FontSize);
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(io.DisplaySize);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0.0F, 0.0F));
    ImGui::Begin("##root", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoBackground);
    ImGui::PopStyleVar();
    // The frame is an exception boundary (as ImHex's): a throwing screen or service must not
    // take the terminal down. ImGui's stacks are closed, the journey returns to idle (nothing is
    // thanked that was not stored), and ten failing frames in a row end the process so systemd
    // restarts it.
    try {
        if (m_display) {
            m_display_screen->draw(*m_ui);
        } else {
        if (m_journey->submitting()) ImGui::BeginDisabled();
        draw_header();
        if (m_journey->submitting()) ImGui::EndDisabled();
        // The screen area: below the header, 2 em margins left and right.
        const float margin = 2.0F * m_ui->em();
        ImGui::SetCursorPosX(margin);
        ImGui::BeginChild("##screen", ImVec2(io.DisplaySize.x - 2.0F * margin, 0.0F), false,
                          ImGuiWindowFlags_NoBackground);
        // While a rating is stored (or a ticket taken) nothing on the screen can be tapped.
        const bool submitting = m_journey->submitting() || (m_station && m_station->busy());
        if (submitting) ImGui::BeginDisabled();
        if (m_station) m_ticket_screens[static_cast<size_t>(m_ticket_screen)]->draw(*m_ui);
        else m_screens[static_cast<size_t>(m_screen)]->draw(*m_ui);
        if (submitting) ImGui::EndDisabled();
        // Touch scrolling (ImGui 1.86 has none): a drag that starts anywhere on the screen area
        // scrolls it and cancels the press on the widget under the finger.
        if (ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem | ImGuiHoveredFlags_ChildWindows) &&
            ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0.5F * m_ui->em()) && !io.WantTextInput &&
            ImGui::GetScrollMaxY() > 0.0F) {
            ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseDelta.y);
            ImGui::ClearActiveID();
        }
        ImGui::EndChild();
        if (submitting) draw_submitting();
        }
    } catch (const std::exception& e) {
        std::cerr << "hcp-kiosk: frame failed: " << e.what() << '\n';
        ImGui::ErrorCheckEndFrameRecover(ignore_recovery_note);
        ImGui::EndFrame();
        if (++m_failed_frames >= 10) throw;
        m_journey->finish();
        if (m_station) m_station->back_to_start();
        request_frames(kFramesAfterInput);
        return;
    }
    m_failed_frames = 0;
    ImGui::End();
    ImGui::Render();
    if (m_fonts->stale() || m_rebuild_pending) {
        // A string brought a character the atlas lacks (it would show as "?"): do not present
        // this frame, rebuild and draw again.
        request_frames(std::max(m_frames_wanted + 1, 2));
        return;
    }
    const ImVec4 bg = ImGui::ColorConvertU32ToFloat4(colors::background);
    SDL_SetRenderDrawColor(m_renderer.get(), static_cast<Uint8>(bg.x * 255.0F), static_cast<Uint8>(bg.y * 255.0F),
                           static_cast<Uint8>(bg.z * 255.0F), 255);
    SDL_RenderClear(m_renderer.get());
    ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
    write_shot();
    SDL_RenderPresent(m_renderer.get());
    m_labels = m_ui->labels();
    ++m_stats.presented;
    const auto t1 = Clock::now();
    m_stats.frame_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    if (m_stats.first_frame_ms < 0.0) {
        m_stats.first_frame_ms = std::chrono::duration<double, std::milli>(t1 - m_services.started).count();
    }
    if (m_screen == ScreenId::idle || m_display) m_clock_minute = china_minute();
    note_shown();
    note_call_shown();
}

void App::draw_submitting() {
    // A veil over the screen and a card in the middle: the citizen sees the tap was taken.
    Ui& ui = *m_ui;
    const ImVec2 size = ImGui::GetIO().DisplaySize;
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    dl->AddRectFilled(ImVec2(0, 0), size, IM_COL32(0xEE, 0xF2, 0xF7, 0xB0));
    const std::string& label = ui.tr(m_station ? "ticket.taking" : "status.submitting");
    m_fonts->want(label);
    ImGui::PushFont(m_fonts->title());
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    ImGui::PopFont();
    const ImVec2 pad = ui.em2(2.0F, 1.4F);
    const ImVec2 a((size.x - ts.x) / 2.0F - pad.x, (size.y - ts.y) / 2.0F - pad.y);
    const ImVec2 b(a.x + ts.x + 2.0F * pad.x, a.y + ts.y + 2.0F * pad.y);
    dl->AddRectFilled(a, b, colors::card, 0.5F * ui.em());
    dl->AddRect(a, b, colors::accent, 0.5F * ui.em(), 0, 0.1F * ui.em());
    dl->AddText(m_fonts->title(), m_fonts->title()->FontSize, ImVec2(a.x + pad.x, a.y + pad.y), colors::accent,
                label.c_str());
    ui.record_rect(label, a, b);
}

void App::note_shown() {
    // The first presented frame that shows a newly opened request: a log line with the wall
    // clock, so the bench can measure from the business system's reply to the screen.
    const hcp::RatingRequest* req = m_journey->request();
    if (req == nullptr || (m_screen != ScreenId::rating && m_screen != ScreenId::theme_choice)) return;
    const std::string& id = req->opened_event_id;
    if (id == m_shown_event) return;
    m_shown_event = id;
    const auto wall = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
    std::string cases;
    for (const auto& c : req->cases) cases += (cases.empty() ? "" : ",") + c.case_no;
    std::cout << "shown: cases=" << cases << " event=" << id << " wall_us=" << wall << '\n';
}

void App::note_call_shown() {
    // The first presented frame showing a call: a log line with the wall clock, so the bench
    // measures from the call's reply to the hall screen.
    if (!m_board || !m_board->current()) return;
    const BoardCall& call = *m_board->current();
    const std::string key = call.number + "@" + std::to_string(call.at.time_since_epoch().count());
    if (key == m_shown_call) return;
    m_shown_call = key;
    const auto wall = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
    std::cout << "shown: call=" << call.number << " window=" << call.window << " wall_us=" << wall << '\n';
}

std::string App::command(const std::vector<std::string>& words) {
    const std::string& c = words.front();
    if (c == "expect-voice" && words.size() >= 2) {
        // expect-voice TEXT…: a call containing TEXT was synthesized and played (waits up to 10 s).
        if (!m_announcer) return "expect-voice needs the hall display with [display] voice = true";
        std::string want;
        for (size_t i = 1; i < words.size(); ++i) want += (i > 1 ? " " : "") + words[i];
        // A snapshot can bring a call to the screen before its event: run the posted work (the
        // event queues the voice on this thread) while waiting for the worker.
        const auto until = Clock::now() + std::chrono::seconds(10);
        std::string seen;
        do {
            m_queue->drain();
            m_announcer->wait_idle(std::chrono::milliseconds(50));
            seen.clear();
            for (const auto& s : m_announcer->spoken()) {
                if (s.text.find(want) != std::string::npos && s.error.empty() && s.repeats > 0) return {};
                seen += "\n    \"" + s.text + "\" seconds=" + std::to_string(s.seconds) + " repeats=" +
                        std::to_string(s.repeats) + (s.error.empty() ? "" : " error=" + s.error);
            }
        } while (Clock::now() < until);
        return "no call spoken with \"" + want + "\" within 10 s; spoken:" + seen;
    }
    if (c == "key" && words.size() == 2 && (words[1] == "enter" || words[1] == "backspace")) {
        // key enter|backspace: a key press through SDL's queue, as a hardware keyboard or a
        // keyboard-wedge scanner sends it.
        SDL_Event ev{};
        ev.type = SDL_KEYDOWN;
        ev.key.state = SDL_PRESSED;
        ev.key.keysym.sym = words[1] == "enter" ? SDLK_RETURN : SDLK_BACKSPACE;
        ev.key.keysym.scancode = words[1] == "enter" ? SDL_SCANCODE_RETURN : SDL_SCANCODE_BACKSPACE;
        SDL_PushEvent(&ev);
        ev.type = SDL_KEYUP;
        ev.key.state = SDL_RELEASED;
        SDL_PushEvent(&ev);
        request_frames(kFramesAfterInput);
        return {};
    }
    if (c == "lang" && words.size() == 2) {
        m_services.i18n.set_lang(words[1] == "en" ? Lang::en : Lang::zh_CN);
        request_frames(kFramesAfterInput);
        return {};
    }
    if (c == "large-text" && words.size() == 2) {
        m_large_text = words[1] == "on";
        m_rebuild_pending = true;
        request_frames(kFramesAfterInput);
        return {};
    }
    if (c == "report") {
        std::cout << "report: frames=" << m_stats.presented << " clock_ticks=" << m_stats.clock_ticks
                  << " first_frame_ms=" << m_stats.first_frame_ms
                  << " pss_kb=" << pss_kb() << " glyphs=" << m_fonts->glyph_count()
                  << " atlas_builds=" << m_fonts->builds()
                  << " atlas_last_ms=" << (m_stats.atlas_ms.empty() ? 0.0 : m_stats.atlas_ms.back())
                  << " atlas_w=" << ImGui::GetIO().Fonts->TexWidth << " atlas_h=" << ImGui::GetIO().Fonts->TexHeight;
        std::vector<double> commits = m_journey->commit_ms();
        std::sort(commits.begin(), commits.end());
        if (!commits.empty()) {
            auto pct = [&](double p) {
                return commits[std::min(commits.size() - 1, static_cast<size_t>(p * static_cast<double>(commits.size())))];
            };
            std::cout << " commits=" << commits.size() << " commit_p50_ms=" << pct(0.50)
                      << " commit_p99_ms=" << pct(0.99);
        }
        std::cout << '\n';
        return {};
    }
    if (c == "redraw" && words.size() == 2) {
        // Bench: draw N frames back to back, then print the frame-time percentiles.
        const int n = std::stoi(words[1]);
        const size_t from = m_stats.frame_ms.size();
        for (int i = 0; i < n; ++i) draw_frame();
        std::vector<double> t(m_stats.frame_ms.begin() + static_cast<std::ptrdiff_t>(from), m_stats.frame_ms.end());
        std::sort(t.begin(), t.end());
        if (!t.empty()) {
            auto pct = [&](double p) { return t[std::min(t.size() - 1, static_cast<size_t>(p * static_cast<double>(t.size())))]; };
            std::cout << "redraw: frames=" << t.size() << " p50_ms=" << pct(0.50) << " p99_ms=" << pct(0.99) << '\n';
        }
        return {};
    }
    if (c == "quit") {
        m_quit = true;
        return {};
    }
    if (m_services.hub_command) return m_services.hub_command(words);
    return "unknown command";
}

int App::run() {
    request_frames(1);
    int exit_code = 0;
    while (!m_quit) {
        SDL_Event ev;
        bool have = false;
        if (m_frames_wanted > 0) {
            have = SDL_PollEvent(&ev) != 0;
        } else {
            // Idle: block until input, a posted event or the next deadline. No frame is drawn.
            have = SDL_WaitEventTimeout(&ev, wait_timeout_ms(Clock::now())) != 0;
        }
        while (have) {
            handle(ev);
            have = SDL_PollEvent(&ev) != 0;
        }
        m_queue->drain();
        m_journey->tick(Clock::now());
        if (m_station) m_station->tick(Clock::now());
        sync_screen();
        if ((m_screen == ScreenId::idle || m_display) && m_clock_minute != china_minute() && m_frames_wanted == 0) {
            request_frames(1);
            ++m_stats.clock_ticks;
        }
        if (m_frames_wanted > 0 && !m_quit) {
            --m_frames_wanted;
            draw_frame();
        }
        // A script step may wait for the frame just drawn: let it continue before blocking.
        if (m_script) {
            m_script->advance(*this, Clock::now());
            if (m_script->done()) {
                if (m_script->failed()) {
                    std::cout << "script: FAILED " << m_script->error() << '\n';
                    exit_code = 1;
                } else {
                    std::cout << "script: ok\n";
                }
                m_script.reset();
                m_quit = true;
            }
        }
    }
    if (m_services.options.stats) {
        std::cout << "stats: frames=" << m_stats.presented << " first_frame_ms=" << m_stats.first_frame_ms << '\n';
    }
    return exit_code;
}

}  // namespace hcp::ui

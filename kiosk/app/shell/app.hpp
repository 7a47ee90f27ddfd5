#pragma once
// The hcp-kiosk application: the SDL2 window and renderer, Dear ImGui, the event-driven loop,
// the screens of the rating journey and the script hooks.
//
// The loop blocks in SDL_WaitEventTimeout and draws only while something changes: input (then
// a few more frames so ImGui settles, as Tracy does), a hub event posted through the main-thread
// queue, a screen timer, or the idle clock's minute. Nothing animates on its own, so an idle
// terminal draws zero frames.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shell/fonts.hpp"
#include "display/hall_board.hpp"
#include "display/hall_feed.hpp"
#include "hcp/config/config.hpp"
#include "hcp/hub/hub_link.hpp"
#include "shell/i18n.hpp"
#include "rating/journey.hpp"
#include "rating/link_worker.hpp"
#include "shell/main_queue.hpp"
#include "keyboard/onscreen_keyboard.hpp"
#include "keyboard/pinyin_engine.hpp"
#include "shell/options.hpp"
#include "shell/screen.hpp"
#include "shell/script.hpp"
#include "ticket/ticket_printer.hpp"
#include "ticket/ticket_station.hpp"
#include "shell/ui_kit.hpp"
#include "display/voice/announcer.hpp"

struct SDL_Window;
struct SDL_Renderer;
union SDL_Event;

namespace hcp::ui {

// Everything the app is given by main(); it owns none of it.
struct AppServices {
    const Options& options;
    const hcp::Config* config = nullptr;  // null when the configuration failed to load
    std::string config_error;             // what failed, for the configuration-error screen
    I18n& i18n;
    hcp::HubLink* link = nullptr;         // null with a configuration error
    // Hub-side script commands (case …, hub …, disk …, expect-journal …): error text or empty.
    std::function<std::string(const std::vector<std::string>&)> hub_command;
    Clock::time_point started{};          // process start, for the first-frame figure
    // The queue for the hall display (role display): null when this process has no queue.
    HallFeed* hall = nullptr;
    // Where the ticket station (role ticket) takes tickets: null when this process has no queue.
    TicketDesk* desk = nullptr;
    // The embedded hub's upload backlog for the ticket station's maintenance screen; may be empty.
    std::function<std::string()> upload_summary;
};

struct FrameStats {
    std::uint64_t presented = 0;
    double first_frame_ms = -1.0;
    std::uint64_t clock_ticks = 0;  // frames asked for only because the idle clock's minute changed
    std::vector<double> frame_ms;  // build + render + present of each presented frame
    std::vector<double> atlas_ms;  // each font atlas build (a new character appeared)
};

// Where the pinyin dictionary is (Debian's libgooglepinyin0); set by CMake.
#ifndef HCP_PINYIN_DICT_FILE
#error "HCP_PINYIN_DICT_FILE must name dict_pinyin.dat (kiosk/app/CMakeLists.txt finds it)"
#endif

class App final : public ScriptTarget {
public:
    // Opens the window (full screen, no decorations, hidden cursor) or the headless dummy
    // display. Throws std::runtime_error when SDL or the font cannot start.
    explicit App(AppServices services);
    ~App() override;
    App(const App&) = delete;
    App& operator=(const App&) = delete;

    // Runs until quit (SDL_QUIT, which SDL also raises on SIGTERM/SIGINT) or the end of the
    // script. Returns the exit code: 0, or 1 when a script failed.
    int run();
    const FrameStats& stats() const noexcept { return m_stats; }

    // ScriptTarget
    const std::vector<Labelled>& labels() const override { return m_labels; }
    std::uint64_t frames_presented() const override { return m_stats.presented; }
    bool settled() const override { return m_frames_wanted == 0; }
    void pointer(ImVec2 pos, bool down) override;
    void type_text(const std::string& utf8) override;
    void request_shot(const std::string& name) override;
    bool shot_pending() const override { return m_shot.has_value(); }
    void request_frames(int n) override;
    ImVec2 display_size() const override;
    std::string command(const std::vector<std::string>& words) override;

private:
    struct SdlDeleter {
        void operator()(SDL_Window* w) const;
        void operator()(SDL_Renderer* r) const;
    };

    void handle(const SDL_Event& ev);
    void sync_screen();
    void draw_frame();
    void draw_header();
    void rebuild_fonts();
    void apply_style();
    void write_shot();
    void draw_submitting();
    void note_shown();
    void start_display();
    void note_call_shown();
    void start_ticket();
    void sync_ticket_screen();
    float em_px() const;
    int wait_timeout_ms(Clock::time_point now) const;

    AppServices m_services;
    hcp::OptionCatalog m_no_catalog;  // for the 差评 screen object when the configuration failed
    std::unique_ptr<SDL_Window, SdlDeleter> m_window;
    std::unique_ptr<SDL_Renderer, SdlDeleter> m_renderer;
    std::unique_ptr<MainQueue> m_queue;
    std::unique_ptr<LinkWorker> m_worker;         // HubLink calls off the main thread
    std::unique_ptr<PinyinEngine> m_pinyin;       // null when the dictionary cannot be opened
    std::unique_ptr<OnscreenKeyboard> m_keyboard;
    std::unique_ptr<Fonts> m_fonts;
    std::unique_ptr<Ui> m_ui;
    std::unique_ptr<Journey> m_journey;
    std::vector<std::unique_ptr<Screen>> m_screens;  // indexed by ScreenId
    std::optional<ScriptRunner> m_script;
    // The hall display (role display): board, screen and voice; null on other terminals.
    bool m_display = false;
    std::unique_ptr<HallBoard> m_board;
    std::unique_ptr<Screen> m_display_screen;
    std::unique_ptr<voice::AudioSink> m_sink;
    std::unique_ptr<voice::Announcer> m_announcer;  // after m_sink: destroyed first
    std::uint64_t m_board_version = 0;
    std::string m_shown_call;  // the call whose first frame was logged
    // The ticket station (role ticket): printer, state and its screens; null on other terminals.
    bool m_ticket = false;
    std::unique_ptr<TicketPrinter> m_printer;
    std::unique_ptr<TicketStation> m_station;
    std::vector<std::unique_ptr<Screen>> m_ticket_screens;  // indexed by TicketScreen
    TicketScreen m_ticket_screen = TicketScreen::start;
    std::uint64_t m_station_version = 0;
    ScreenId m_screen = ScreenId::idle;
    std::uint64_t m_journey_version = 0;
    bool m_large_text = false;
    bool m_self_service = false;
    bool m_quit = false;
    bool m_rebuild_pending = false;
    int m_frames_wanted = 0;
    int m_failed_frames = 0;  // consecutive frames that threw
    long long m_clock_minute = -1;
    std::optional<ImVec2> m_pointer_pos;
    bool m_pointer_down = false;
    std::string m_typed;
    std::optional<std::string> m_shot;
    std::string m_shown_event;  // the request whose first frame was logged (latency figures)
    std::vector<Labelled> m_labels;
    FrameStats m_stats;
};

}  // namespace hcp::ui

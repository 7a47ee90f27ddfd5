#pragma once
// The hcp-kiosk application: the SDL2 window and renderer, Dear ImGui, the fonts, the
// event-driven loop, the per-frame exception boundary and the script hooks. What the screen
// shows belongs to the one role the configuration picks (shell/role_choice.hpp).
//
// The loop blocks in SDL_WaitEventTimeout and draws only while something changes: input (then
// a few more frames so ImGui settles, as Tracy does), a hub event posted through the main-thread
// queue, a role's timer, or the clock's minute on a screen that shows it. Nothing animates on
// its own, so an idle terminal draws zero frames.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shell/fonts.hpp"
#include "shell/main_queue.hpp"
#include "shell/presentation.hpp"
#include "shell/role.hpp"
#include "shell/script.hpp"
#include "shell/services.hpp"
#include "shell/ui_kit.hpp"

struct SDL_Window;
struct SDL_Renderer;
union SDL_Event;

namespace hcp::ui {

struct FrameStats {
    std::uint64_t presented = 0;
    double first_frame_ms = -1.0;
    std::uint64_t clock_ticks = 0;  // frames asked for only because the clock's minute changed
    std::vector<double> frame_ms;   // build + render + present of each presented frame
    std::vector<double> atlas_ms;   // each font atlas build (a new character appeared)
};

class App final : public ScriptTarget {
public:
    // Opens the window (full screen, no decorations, hidden cursor) or the headless dummy
    // display and starts the role. Throws std::runtime_error when SDL or the font cannot start.
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
    void draw_frame();
    void rebuild_fonts();
    void apply_style();
    void write_shot();
    float em_px() const;
    int wait_timeout_ms(Clock::time_point now) const;

    AppServices m_services;
    std::unique_ptr<SDL_Window, SdlDeleter> m_window;
    std::unique_ptr<SDL_Renderer, SdlDeleter> m_renderer;
    std::unique_ptr<MainQueue> m_queue;
    std::unique_ptr<Fonts> m_fonts;
    std::unique_ptr<Presentation> m_presentation;
    std::unique_ptr<Ui> m_ui;
    std::unique_ptr<Role> m_role;  // destroyed first (~App): it drains what it posted
    std::uint64_t m_role_version = 0;
    std::optional<ScriptRunner> m_script;
    bool m_quit = false;
    int m_frames_wanted = 0;
    int m_failed_frames = 0;  // consecutive frames that threw
    long long m_clock_minute = -1;
    std::optional<ImVec2> m_pointer_pos;
    bool m_pointer_down = false;
    std::string m_typed;
    std::optional<std::string> m_shot;
    std::vector<Labelled> m_labels;
    FrameStats m_stats;
};

}  // namespace hcp::ui

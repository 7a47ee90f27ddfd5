#include "shell/app.hpp"
#include "shell/asset_paths.hpp"

#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_sdl.h>
#include <imgui_impl_sdlrenderer.h>
#include <imgui_internal.h>  // ErrorCheckEndFrameRecover for the frame boundary

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "hcp/base/time.hpp"
#include "shell/png_writer.hpp"
#include "shell/role_choice.hpp"

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

void App::SdlDeleter::operator()(SDL_Window* w) const {
    SDL_DestroyWindow(w);
}
void App::SdlDeleter::operator()(SDL_Renderer* r) const {
    SDL_DestroyRenderer(r);
}

App::App(AppServices services) : m_services(std::move(services)) {
    const Options& opt = m_services.options;
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
    m_presentation =
        std::make_unique<Presentation>(m_services.i18n, opt.lang == "en" ? Lang::en : Lang::zh_CN, opt.large_text);
    m_ui = std::make_unique<Ui>(m_services.i18n, *m_fonts);

    if (!opt.script.empty()) m_script = ScriptRunner::load(opt.script);
    m_role = make_role(RoleContext{m_services, *m_queue, *m_fonts, *m_presentation});
    rebuild_fonts();
}

App::~App() {
    m_role.reset();  // ends its subscriptions and workers and drains what they posted
    m_queue->drain();
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
    return std::max(14.0F, base * (m_presentation->large_text() ? 1.3F : 1.0F));
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

void App::request_frames(int n) {
    m_frames_wanted = std::max(m_frames_wanted, n);
}

void App::pointer(ImVec2 pos, bool down) {
    m_pointer_pos = pos;
    m_pointer_down = down;
}

void App::type_text(const std::string& utf8) {
    if (m_role->typed(utf8, Clock::now())) {
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
            if (!m_role->input(ev, Clock::now())) ImGui_ImplSDL2_ProcessEvent(&ev);
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

int App::wait_timeout_ms(Clock::time_point now) const {
    std::optional<Clock::time_point> at = m_role->next_deadline();
    auto earlier = [&](std::optional<Clock::time_point> t) {
        if (t && (!at || *t < *at)) at = t;
    };
    if (m_script) earlier(m_script->wake_at());
    if (m_role->redraw_each_minute()) {
        // The clock shows minutes: wake at the next minute boundary, draw one frame.
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(hcp::now().time_since_epoch()).count();
        earlier(now + std::chrono::milliseconds(60000 - ms % 60000 + 5));
    }
    if (!at) return 60000;
    const auto d = std::chrono::duration_cast<std::chrono::milliseconds>(*at - now).count();
    return static_cast<int>(std::clamp<long long>(d + 1, 0, 60000));
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
    if (m_presentation->rebuild_pending() || m_fonts->stale()) {
        m_presentation->rebuilt();
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
    // take the terminal down. ImGui's stacks are closed, the role goes back to its start (a
    // journey to idle: nothing is thanked that was not stored), and ten failing frames in a row
    // end the process so systemd restarts it.
    try {
        m_role->draw(*m_ui);
    } catch (const std::exception& e) {
        std::cerr << "hcp-kiosk: frame failed: " << e.what() << '\n';
        ImGui::ErrorCheckEndFrameRecover(ignore_recovery_note);
        ImGui::EndFrame();
        if (++m_failed_frames >= 10) throw;
        m_role->back_to_start();
        request_frames(kFramesAfterInput);
        return;
    }
    m_failed_frames = 0;
    ImGui::End();
    ImGui::Render();
    if (m_fonts->stale() || m_presentation->rebuild_pending()) {
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
    if (m_role->redraw_each_minute()) m_clock_minute = china_minute();
    m_role->presented();
}

std::string App::command(const std::vector<std::string>& words) {
    const std::string& c = words.front();
    if (auto role_answer = m_role->command(words)) return *role_answer;
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
        m_presentation->set_lang(words[1] == "en" ? Lang::en : Lang::zh_CN);
        request_frames(kFramesAfterInput);
        return {};
    }
    if (c == "large-text" && words.size() == 2) {
        m_presentation->set_large_text(words[1] == "on");
        request_frames(kFramesAfterInput);
        return {};
    }
    if (c == "report") {
        std::cout << "report: frames=" << m_stats.presented << " clock_ticks=" << m_stats.clock_ticks
                  << " first_frame_ms=" << m_stats.first_frame_ms << " pss_kb=" << pss_kb()
                  << " glyphs=" << m_fonts->glyph_count() << " atlas_builds=" << m_fonts->builds()
                  << " atlas_last_ms=" << (m_stats.atlas_ms.empty() ? 0.0 : m_stats.atlas_ms.back())
                  << " atlas_w=" << ImGui::GetIO().Fonts->TexWidth << " atlas_h=" << ImGui::GetIO().Fonts->TexHeight;
        std::cout << m_role->report() << '\n';
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
            auto pct = [&](double p) {
                return t[std::min(t.size() - 1, static_cast<size_t>(p * static_cast<double>(t.size())))];
            };
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
        m_role->tick(Clock::now());
        if (m_role->version() != m_role_version) {
            m_role_version = m_role->version();
            request_frames(m_role->frames_per_change());
        }
        if (m_role->redraw_each_minute() && m_clock_minute != china_minute() && m_frames_wanted == 0) {
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

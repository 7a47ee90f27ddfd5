#pragma once
// The hall display role: the board of calls, its screen and the voice that speaks each call.
// It needs the configuration and a HallFeed (services.hall). Nothing on it is touched; it
// follows the queue's events only.
#include <memory>
#include <string>

#include "display/hall_board.hpp"
#include "display/voice/announcer.hpp"
#include "shell/role.hpp"
#include "shell/screen.hpp"

namespace hcp::ui {

class DisplayRole final : public Role {
public:
    explicit DisplayRole(const RoleContext& ctx);
    ~DisplayRole() override;
    DisplayRole(const DisplayRole&) = delete;
    DisplayRole& operator=(const DisplayRole&) = delete;

    void draw(Ui& ui) override { m_screen->draw(ui); }
    void tick(Clock::time_point /*now*/) override {}
    std::uint64_t version() const override { return m_board->version(); }
    // A call or a queue change rewrites the board's text on one fixed layout.
    int frames_per_change() const override { return 1; }
    std::optional<Clock::time_point> next_deadline() const override { return std::nullopt; }
    bool redraw_each_minute() const override { return true; }  // the clock in the title bar
    bool input(const SDL_Event& /*ev*/, Clock::time_point /*now*/) override { return false; }
    bool typed(const std::string& /*utf8*/, Clock::time_point /*now*/) override { return false; }
    void back_to_start() override {}
    void presented() override;
    // expect-voice TEXT…: a call containing TEXT was synthesized and played (waits up to 10 s).
    std::optional<std::string> command(const std::vector<std::string>& words) override;

private:
    const AppServices& m_services;
    MainQueue& m_queue;
    std::unique_ptr<HallBoard> m_board;
    std::unique_ptr<Screen> m_screen;
    std::unique_ptr<voice::AudioSink> m_sink;
    std::unique_ptr<voice::Announcer> m_announcer;  // after m_sink: destroyed first
    std::string m_shown_call;                       // the call whose first frame was logged
};

}  // namespace hcp::ui

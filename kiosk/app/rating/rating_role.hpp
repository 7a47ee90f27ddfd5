#pragma once
// The rating role: a window rating terminal, or (self_service) a self-service terminal that
// rates the item only. It owns the journey, the worker that calls the hub link off the main
// thread, the on-screen keyboard with its pinyin engine, and the rating screens.
//
// With a configuration error it shows only the configuration-error screen (the header and what
// to fix); the shell builds it that way whatever role was asked for, since no role can run then.
#include <memory>
#include <string>
#include <vector>

#include "hcp/domain/catalog.hpp"
#include "keyboard/onscreen_keyboard.hpp"
#include "keyboard/pinyin_engine.hpp"
#include "rating/journey.hpp"
#include "rating/link_worker.hpp"
#include "shell/role.hpp"
#include "shell/screen.hpp"

// Where the pinyin dictionary is (Debian's libgooglepinyin0); set by CMake.
#ifndef HCP_PINYIN_DICT_FILE
#error "HCP_PINYIN_DICT_FILE must name dict_pinyin.dat (kiosk/app/CMakeLists.txt finds it)"
#endif

namespace hcp::ui {

class RatingRole final : public Role {
public:
    // `config_error` empty: the journey follows the hub's events for this terminal's window
    // (services.config and services.link must be set). Else only the error screen is shown.
    RatingRole(const RoleContext& ctx, bool self_service, const std::string& config_error);
    ~RatingRole() override;
    RatingRole(const RatingRole&) = delete;
    RatingRole& operator=(const RatingRole&) = delete;

    void draw(Ui& ui) override;
    void tick(Clock::time_point now) override;
    std::uint64_t version() const override { return m_journey->version(); }
    std::optional<Clock::time_point> next_deadline() const override { return m_journey->next_deadline(); }
    bool redraw_each_minute() const override { return m_screen == ScreenId::idle; }
    bool input(const SDL_Event& ev, Clock::time_point now) override;
    bool typed(const std::string& utf8, Clock::time_point now) override;
    void back_to_start() override { m_journey->finish(); }
    void presented() override;
    std::string report() const override;

private:
    const AppServices& m_services;
    MainQueue& m_queue;
    Fonts& m_fonts;
    Presentation& m_presentation;
    hcp::OptionCatalog m_no_catalog;         // for the 差评 screen object when the configuration failed
    std::unique_ptr<LinkWorker> m_worker;    // HubLink calls off the main thread; null on error
    std::unique_ptr<PinyinEngine> m_pinyin;  // null when the dictionary cannot be opened
    std::unique_ptr<OnscreenKeyboard> m_keyboard;
    std::unique_ptr<Journey> m_journey;
    std::vector<std::unique_ptr<Screen>> m_screens;  // indexed by ScreenId
    ScreenId m_screen = ScreenId::idle;
    bool m_subscribed = false;
    std::string m_shown_event;  // the request whose first frame was logged (latency figures)
};

}  // namespace hcp::ui

#pragma once
// The rating journey of one terminal: which screen is up, the case being rated, the level and
// 差评 reasons chosen so far, and the timers that bring the terminal back to idle. Main thread
// only; it talks to the hub only through a LinkWorker (HubLink calls off the main thread; never
// SQLite or curl).
//
// Submitting: the draft goes to the worker and the journey shows "正在提交…" (submitting()):
// every action is refused, no timer fires, and hub events wait until the result is back. The
// thank-you screen appears only when the result says the rating is durable.
//
// Themes (主题式, DESIGN §5.5): a request for several linked items first asks how to rate:
// once for the whole theme (one rating naming every case) or item by item (one rating per
// case, in order; thank-you after the last).
#include <chrono>
#include <cstdint>
#include <deque>
#include <iosfwd>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hcp/hub/hub_link.hpp"
#include "rating/link_worker.hpp"

namespace hcp::ui {

class Fonts;

enum class ScreenId { idle, theme_choice, rating, bad_options, thanks, message };

enum class MessageKind {
    already_rated,     // this service was rated before
    refused,           // another rule refused the rating (message_zh says which)
    disk_nearly_full,  // nothing stored
    storage_error,     // nothing stored
    config_error,      // the terminal cannot start its journey
};

using Clock = std::chrono::steady_clock;

struct JourneyTimes {
    std::chrono::seconds rating_timeout{60};  // rating screens back to idle, recorded not rated
    std::chrono::seconds thanks{6};           // thank-you back to idle
    std::chrono::seconds message{12};         // message screens back to idle
};

class Journey {
public:
    // `worker` is null when the configuration failed (only the error screen is shown).
    Journey(LinkWorker* worker, Fonts& fonts, JourneyTimes times, std::ostream& log);

    ScreenId screen() const noexcept { return m_screen; }
    // Bumps whenever the screen or its content changes (the app redraws and re-enters).
    std::uint64_t version() const noexcept { return m_version; }

    // Main thread: an event from the hub, already moved off the link's thread.
    void on_event(const hcp::TerminalEvent& ev);
    // Any touch: restarts the rating timeout.
    void touched(Clock::time_point now);
    // Timers; returns the next instant that needs attention.
    void tick(Clock::time_point now);
    // The next instant tick() has work to do: the timeout, or on a rating screen the next change
    // of its countdown.
    std::optional<Clock::time_point> next_deadline() const;
    // When a rating screen times out; nullopt on other screens and while submitting.
    std::optional<Clock::time_point> timeout_at() const;

    const hcp::RatingRequest* request() const { return m_request ? &*m_request : nullptr; }
    bool shows_staff() const;
    bool hub_online() const noexcept { return m_online; }

    // Themes: is the request a theme, how is it being rated, which cases does the rating on
    // screen cover (all of them, or the current item).
    enum class ThemeMode { whole, per_item };
    bool is_theme() const;
    std::optional<ThemeMode> theme_mode() const noexcept { return m_theme_mode; }
    void choose_theme_mode(ThemeMode mode);
    std::vector<const hcp::Case*> scope() const;
    size_t item_index() const noexcept { return m_item; }  // per item: 0-based
    size_t item_total() const;                             // per item: how many items
    size_t items_rated() const noexcept { return m_items_rated; }

    // A rating is with the worker: the screen says "正在提交…" and takes no action.
    bool submitting() const noexcept { return m_submitting; }
    // Tap → committed (result back on the main thread) of every submit so far, in ms.
    const std::vector<double>& commit_ms() const noexcept { return m_commit_ms; }

    // Rating screen: a 好评 is submitted at once; a 差评 asks for reasons first.
    void choose_level(hcp::Level level);
    std::optional<hcp::Level> level() const noexcept { return m_level; }
    // 差评 screen.
    bool option_selected(const std::string& code) const { return m_options.count(code) != 0; }
    void set_option(const std::string& code, bool on);
    std::string& text() noexcept { return m_text; }
    bool can_submit_bad() const;
    void submit_bad();
    void back_to_levels();
    // Thank-you and message screens: back to idle now.
    void finish();

    void show_config_error(std::string detail);
    MessageKind message_kind() const noexcept { return m_message; }
    const std::string& message_detail() const noexcept { return m_detail; }
    bool stored_locally() const noexcept { return m_stored_locally; }
    int timeout_seconds() const noexcept { return static_cast<int>(m_times.rating_timeout.count()); }
    // Whole seconds until a rating screen times out, as last counted by tick() (the screen's
    // "如 N 秒内未操作…" counts down; each change is a new version).
    int seconds_left() const noexcept { return m_seconds_left; }

private:
    void go(ScreenId s);
    void open(const hcp::RatingRequest& request);
    void submit(hcp::Level level);
    void submitted(std::uint64_t serial, const SubmitOutcomeResult& result);
    void time_out();
    void reset_choices();
    std::string case_list() const;

    LinkWorker* m_worker;  // null when the configuration failed
    Fonts& m_fonts;
    JourneyTimes m_times;
    std::ostream& m_log;
    ScreenId m_screen = ScreenId::idle;
    std::uint64_t m_version = 1;
    std::optional<hcp::RatingRequest> m_request;
    std::optional<hcp::Level> m_level;
    std::set<std::string> m_options;
    std::string m_text;
    Clock::time_point m_entered{};
    Clock::time_point m_last_touch{};
    int m_seconds_left = 0;
    MessageKind m_message = MessageKind::refused;
    std::string m_detail;
    bool m_stored_locally = false;
    bool m_online = true;
    std::optional<ThemeMode> m_theme_mode;
    size_t m_item = 0;
    size_t m_items_rated = 0;
    bool m_submitting = false;
    std::uint64_t m_serial = 0;  // of the submit in flight (stale results are ignored)
    Clock::time_point m_tapped{};
    std::deque<hcp::TerminalEvent> m_deferred;  // hub events that arrived while submitting
    std::vector<double> m_commit_ms;
};

}  // namespace hcp::ui

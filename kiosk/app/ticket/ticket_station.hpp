#pragma once
// The ticket station's state (role ticket, 取号机): which screen is up, the chosen group, the
// 绿色通道 switch, the appointment code being entered, the ticket just taken and its print
// status, the maintenance PIN with its lockout, and the idle timer. Window-free: screens draw
// it and call it; the app ticks it and switches screens when version() changes.
//
// Contracts:
// - take() and check_in() hand the work to one worker thread: the desk takes the ticket
//   (SQLite, never on the UI thread), the result is posted to the main-thread queue, then the
//   printer prints it and that result is posted too. While a ticket is being taken, further
//   taps are ignored (busy()), so a double tap never takes two tickets.
// - A refusal of the queue (category_closed, daily_cap_reached …) opens the refused screen with
//   the queue's own plain Chinese message.
// - Any screen but start returns to start after its idle time without a touch; start forgets
//   the group, the 绿色通道 switch and any half-entered code.
// - PIN: 5 wrong entries in a row lock the PIN keypad for 60 s (steady clock).
// - Appointment codes: 4 to 32 letters and digits (hcp::normalize_appointment_code); a code of
//   another shape is refused on the code screen at once. A well-formed one goes to the hub
//   (TicketDesk::check_in): the appointment booked there gives the ticket in its category, and
//   the hub's refusal (unknown, already checked in, another day, hours, cap) opens the refused
//   screen with its plain Chinese message.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hcp/config/config.hpp"
#include "hcp/queue/queue.hpp"

namespace hcp::ui {

class MainQueue;
class TicketDesk;
class TicketPrinter;

enum class TicketScreen { start, categories, code, confirm, refused, pin, maintenance };
inline constexpr int kTicketScreens = 7;

enum class PrintState { printing, printed, failed };

struct TakenTicket {
    hcp::IssuedTicket issued;
    bool via_appointment = false;
    std::string qr_url;
    PrintState print = PrintState::printing;
    std::string print_reason_zh;  // when failed: the printer library's plain Chinese
    bool no_printer = false;      // failed because this station has no [printer]
};

class TicketStation {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr int kMaxPinTries = 5;
    static constexpr std::chrono::seconds kPinLock{60};

    TicketStation(const hcp::Config& config, TicketDesk& desk, TicketPrinter& printer, MainQueue& queue);
    ~TicketStation();  // stop()
    // Finishes the job in progress and ends the worker; its results are in the main queue.
    void stop();
    TicketStation(const TicketStation&) = delete;
    TicketStation& operator=(const TicketStation&) = delete;

    // ---- what the screens read ----
    TicketScreen screen() const noexcept { return m_screen; }
    std::uint64_t version() const noexcept { return m_version; }
    const hcp::Config& config() const noexcept { return m_config; }
    // First menu level: the distinct non-empty groups in configuration order.
    const std::vector<std::string>& groups() const noexcept { return m_groups; }
    // Categories of the start screen (no group, or every category when there is one group only)
    // and of the chosen group.
    std::vector<const hcp::ServiceCategory*> start_categories() const;
    std::vector<const hcp::ServiceCategory*> group_categories() const;
    bool show_groups() const noexcept { return m_groups.size() > 1; }
    const std::string& group() const noexcept { return m_group; }
    bool priority() const noexcept { return m_priority; }
    bool busy() const noexcept { return m_busy; }
    const hcp::QueueSnapshot::CategoryLine* line_of(const std::string& code) const;
    const hcp::QueueSnapshot& snapshot() const noexcept { return m_snapshot; }
    const std::optional<TakenTicket>& taken() const noexcept { return m_taken; }
    // UI text key of the refusal's title; the body is the queue's own plain Chinese (may be empty).
    const std::string& refused_title_key() const noexcept { return m_refused_title; }
    const std::string& refused_zh() const noexcept { return m_refused; }
    const std::string& code() const noexcept { return m_code; }
    const std::string& code_error_key() const noexcept { return m_code_error; }  // empty: none
    const std::string& scanned() const noexcept { return m_scan; }
    const std::string& pin() const noexcept { return m_pin; }
    const std::string& pin_error_key() const noexcept { return m_pin_error; }  // empty: none
    int pin_tries_left() const noexcept { return kMaxPinTries - m_pin_failures; }
    bool pin_locked(Clock::time_point now) const { return m_locked_until && now < *m_locked_until; }
    bool has_pin() const noexcept { return !m_config.terminal.admin_pin.empty(); }

    // ---- what the screens do ----
    void choose_group(const std::string& group);
    void toggle_priority();
    void take(const std::string& category);
    void open_code_entry();
    void code_key(char c);  // digit or letter; ignored past 13 characters
    void code_backspace();
    void code_clear();
    void check_in();  // the code entered on the keypad
    // Keyboard-wedge scanner on the start screen: characters, then Enter.
    void scan_char(char c);
    void scan_enter();
    // Keyboard (a wedge scanner types like one) on any screen: characters and Enter go to the
    // scanner on start, to the code on the code screen, to the PIN on the PIN screen.
    void typed(char c);
    void enter_key(Clock::time_point now);
    void hot_corner_tap(Clock::time_point now);  // 5 taps within 3 s open the PIN keypad
    void pin_key(char digit);
    void pin_backspace();
    void pin_enter(Clock::time_point now);
    void back_to_start();
    void back();  // one level up

    // ---- the app ----
    void on_snapshot(hcp::QueueSnapshot snap);
    void touched(Clock::time_point now);
    void tick(Clock::time_point now);
    std::optional<Clock::time_point> next_deadline() const;

private:
    void go(TicketScreen s);
    void submit(const std::string& category, bool via_appointment);
    void submit_check_in(const std::string& code);
    // Runs `take` on the worker thread, then prints; one at a time (busy()).
    void queue_take(std::function<hcp::QueueResult<hcp::IssuedTicket>()> take, bool via_appointment);
    void on_taken(hcp::QueueResult<hcp::IssuedTicket> r, bool via_appointment, std::string qr);
    void on_printed(const std::string& number, bool printed, std::string reason);
    void run();
    std::chrono::seconds idle_limit() const;

    const hcp::Config& m_config;
    TicketDesk& m_desk;
    TicketPrinter& m_printer;
    MainQueue& m_queue;
    std::vector<std::string> m_groups;
    hcp::QueueSnapshot m_snapshot;

    TicketScreen m_screen = TicketScreen::start;
    std::uint64_t m_version = 1;
    std::string m_group;
    bool m_priority = false;
    bool m_busy = false;
    std::optional<TakenTicket> m_taken;
    std::string m_refused_title, m_refused;
    std::string m_code, m_code_error, m_scan;
    std::string m_pin, m_pin_error;
    int m_pin_failures = 0;
    std::optional<Clock::time_point> m_locked_until;
    std::deque<Clock::time_point> m_corner_taps;
    Clock::time_point m_last_touch = Clock::now();

    // The worker: take, then print, one job after another.
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_jobs;
    bool m_stop = false;
    std::thread m_thread;
};

}  // namespace hcp::ui

#pragma once
// The queue engine (docs/queue.md): tickets per service category, the ticket
// state machine, call next / recall / 特呼 / skip / hold / transfer / complete, priority by ratio
// and max-wait aging, people ahead and ETA, daily cap and opening hours, statistics and the
// snapshot that screens and the staff console show. No UI, no HTTP.
//
// Contracts:
// - Every operation is one SQLite transaction (WAL, synchronous=FULL): the ticket, its number
//   counter, the ratio state and the transition log row commit together or not at all. After
//   an operation returned ok its effect survives a crash; a number once issued is never issued
//   again on the same business day, across restarts and kill -9.
// - Operations return Result<…, QueueFailure>: refusals (closed, cap reached, illegal
//   transition, unknown window …) are values with a typed cause and plain Chinese for staff or
//   citizens; nothing is written when an operation is refused.
// - Every transition is logged with its time, window and staff (ticket_events, append-only).
// - Time comes from QueueSetup::clock. Instants before 2020 or from 2100 on are refused
//   (clock_invalid); a clock that goes back is held at the latest recorded instant, so no
//   duration is ever negative and no business day is revisited.
// - Tickets belong to the business day (China date) they were taken on. The first operation
//   of a new day cancels what is still open from earlier days (action expire) and closes
//   window sessions opened on an earlier day.
// - Thread-safe: one mutex around the engine's own SQLite connection. The store file must
//   exist at the current schema version (Store::open creates and migrates it).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hcp/base/error.hpp"
#include "hcp/config/config.hpp"
#include "hcp/domain/calendar.hpp"
#include "hcp/domain/domain.hpp"
#include "hcp/queue/policy.hpp"
#include "hcp/store/store.hpp"

namespace hcp {

enum class QueueErrc {
    invalid_field,          // malformed input (`field` says which): empty or overlong reason …
    unknown_category,       // no such category code
    unknown_window,         // the window is not configured
    unknown_ticket,         // no ticket with that number today
    window_not_serving,     // the window does not serve the ticket's / target category
    window_closed,          // nobody is signed in at the window
    window_busy,            // the window still has a called or serving ticket
    no_current_ticket,      // the window has no called or serving ticket
    ticket_mismatch,        // the ticket named is not the window's current (or held) ticket
    queue_empty,            // nothing waiting for this window
    illegal_transition,     // the ticket's state does not allow the action (`state`)
    same_category,          // transfer to the category the ticket is already in
    category_closed,        // outside ticket hours, or a non-working day
    daily_cap_reached,      // the category issued its daily cap today
    unknown_appointment,    // no appointment with that code (or it was cancelled)
    appointment_used,       // the appointment was checked in already (its ticket is named)
    appointment_other_day,  // the appointment is for another day
    clock_invalid,          // the device clock is absurd (before 2020 or after 2099)
    storage_error,          // SQLite failed (disk full …); nothing changed
};
std::string_view to_string(QueueErrc e) noexcept;

struct QueueFailure {
    QueueErrc cause = QueueErrc::storage_error;
    std::string field;                 // for invalid_field
    std::optional<TicketState> state;  // for illegal_transition
    std::string message;               // English, for logs and API clients
    std::string message_zh;            // plain Chinese for staff / the citizen: what to do
};

template <class T>
using QueueResult = Result<T, QueueFailure>;

struct QueueTicket {
    std::int64_t id = 0;
    std::string business_day;  // "YYYY-MM-DD", China date it was taken
    std::string number;        // "A012"
    long long seq = 0;
    std::string category;         // current category code
    std::string issued_category;  // category it was taken in (its prefix)
    bool priority = false;        // 绿色通道
    TicketState state = TicketState::waiting;
    std::int64_t order_key = 0;
    TimePoint issued_at{};
    TimePoint aging_since{};
    std::optional<TimePoint> first_called_at, called_at, serving_at, finished_at;
    int window = 0;  // window that last called or held it (0 = none)
    Staff staff;     // staff at that window then
    int skips = 0;
    int recalls = 0;
    int transfers = 0;
};

struct TicketEvent {
    std::int64_t id = 0;
    std::int64_t ticket_id = 0;
    TimePoint at{};
    QueueAction action = QueueAction::issue;
    std::optional<TicketState> from;  // nullopt for issue
    TicketState to = TicketState::waiting;
    std::string category;
    int window = 0;
    std::string staff_number;
    std::string reason;
};

// People ahead and the estimated wait for a ticket (or a ticket taken now):
//
//   wait = until_window_free + ceil(people_ahead × average_service ÷ window_capacity)
//
// - people_ahead: the tickets of the category called before it (predicted_order); the tickets
//   already called or serving at the windows are not among them.
// - window_capacity: the windows counted (the signed-in windows serving the category, or all its
//   configured windows while none is signed in), each as 1 ÷ the number of categories it serves
//   that have tickets waiting, this one included: a window shared with a category that has
//   people waiting counts half. At least 1 when no window serves the category.
// - until_window_free: when every signed-in window serving the category has a called or serving
//   ticket, the expected rest of the service that ends first (that ticket's category average
//   minus its time since service start, or since the call when not started; at least half that
//   average); 0 while a window is free or none is signed in. So a ticket with nobody ahead hears
//   "即将叫号" (wait 0) only while one of its windows is free or before any has signed in.
// The wait is never negative and rounded up to whole seconds.
struct WaitEstimate {
    int people_ahead = 0;
    int windows_open = 0;                       // signed-in windows serving the category
    int windows_counted = 0;                    // windows_open, or the configured windows while none is open
    double window_capacity = 0;                 // what people_ahead × average_service was divided by (see above)
    std::chrono::seconds until_window_free{0};  // all signed-in windows busy: rest of the soonest
    std::chrono::seconds average_service{0};
    bool cold_start = false;  // no completed service yet: average_service is the default
    std::chrono::seconds wait{0};
    // No wait and no window of the category signed in is not "即将叫号": nobody can call yet.
    std::string wait_zh() const {
        return wait.count() <= 0 && windows_open == 0 ? "待窗口开始办理后叫号" : format_wait_zh(wait);
    }
};

struct IssuedTicket {
    QueueTicket ticket;
    std::string category_name;
    WaitEstimate estimate;
};

struct WindowSession {
    int window = 0;
    std::string name;
    Staff staff;
    TimePoint opened_at{};
    std::optional<TimePoint> closed_at;
};

// What a call (next, 特呼, recall, resume) did: enough for the screens and the voice.
struct CallOutcome {
    QueueTicket ticket;
    QueueAction action = QueueAction::call;
    Pick pick;                   // why this ticket
    std::string explanation_zh;  // explain_zh(pick)
    int window = 0;
    std::string window_name;
    Staff staff;
};

struct SkipOutcome {
    QueueTicket ticket;
    bool requeued = false;  // false: it became no_show
    int people_ahead = 0;   // when requeued
};

// What the rating journey needs after 办结.
struct Completion {
    QueueTicket ticket;
    ServiceCategory category;  // its items are the 事项 handled under it
    int window = 0;
    std::string window_name;
    Staff staff;
    TimePoint at{};
    std::chrono::milliseconds waited{0};   // taken → first called
    std::chrono::milliseconds service{0};  // serving (or called) → done
};

struct QueueSnapshot {
    struct CategoryLine {
        std::string code, name;
        char prefix = 'A';
        int waiting = 0;  // including priority
        int waiting_priority = 0;
        int held = 0;
        bool taking_tickets = true;  // within ticket hours and below the cap
        int issued_today = 0;
        WaitEstimate new_ticket;  // for a normal ticket taken now
        std::string policy_zh;    // policy_summary_zh
    };
    struct WindowLine {
        int window = 0;
        std::string name;
        bool open = false;
        Staff staff;
        std::optional<QueueTicket> current;  // called or serving
        int held = 0;
    };
    struct CallLine {
        std::string number;
        std::string category;
        int window = 0;
        QueueAction action = QueueAction::call;  // call, call_given, recall or resume
        TimePoint at{};
    };
    TimePoint at{};
    std::string business_day;
    std::vector<CategoryLine> categories;  // configuration order
    std::vector<WindowLine> windows;       // ascending window number
    std::vector<CallLine> last_calls;      // newest first
};

// Wait and service statistics of one category on one business day. Durations are nullopt
// when no ticket contributed.
struct CategoryStats {
    std::string category;
    std::string business_day;
    int issued = 0;  // taken in this category
    int served = 0;  // done (current category)
    int no_show = 0;
    int cancelled = 0;
    int waiting = 0;  // still waiting, called, serving or held
    int transferred_in = 0;
    int requeued = 0;                                                       // skips that went back to the queue
    std::optional<std::chrono::milliseconds> wait_avg, wait_p90, wait_max;  // taken → first call
    std::optional<std::chrono::milliseconds> service_avg, service_p90;      // done tickets
};

// 预约: booked by the business system for a category and a day; checked in once at the ticket
// station, which takes its ticket then. Codes are 4–32 characters of A-Z and 0-9 (case-folded:
// a scanner or a person may type lower case).
struct Appointment {
    std::string code;
    std::string business_day;  // "YYYY-MM-DD"
    std::string category;
    bool priority = false;  // the ticket goes the 绿色通道 way
    enum class State { booked, checked_in, cancelled } state = State::booked;
    TimePoint booked_at{};
    std::optional<TimePoint> checked_in_at;
    std::string ticket_number;  // once checked in
};
// The code as stored (upper case), or nullopt when it is not 4–32 of A-Z, a-z, 0-9.
std::optional<std::string> normalize_appointment_code(std::string_view code);

struct QueueSetup {
    std::vector<ServiceCategory> categories;
    // Window names; which windows serve a category comes from ServiceCategory::windows.
    std::vector<Window> windows;
    QueuePolicy policy;
    std::optional<WorkCalendar> calendar;  // for policy.closed_on_non_working_days
    std::function<TimePoint()> clock;      // empty: hcp::now
    Durability durability = Durability::full;

    // Categories, windows and calendars from the validated configuration; the policy keeps its
    // defaults until the queue keys exist in the configuration.
    static QueueSetup from_config(const Config& config);
};

class QueueEngine {
public:
    // Opens the queue on an existing store file. Throws Error: invalid_argument for an
    // inconsistent setup (duplicate codes or prefixes, a window 0 …, validate(policy)),
    // not_a_store / schema_too_new / store_failure for the file.
    static QueueEngine open(const std::filesystem::path& db_path, QueueSetup setup);
    ~QueueEngine();
    // Replaces the working-day calendar (a notice imported while the hub runs). Thread-safe.
    void set_calendar(WorkCalendar calendar);
    QueueEngine(QueueEngine&&) noexcept;
    QueueEngine& operator=(QueueEngine&&) noexcept;

    // ---- ticket station ----
    // 取号. Refused with category_closed outside the category's opens–closes (China time; a
    // ticket at exactly `closes` is refused) and daily_cap_reached at the cap.
    QueueResult<IssuedTicket> take_ticket(std::string_view category, bool priority = false);
    // 预约签到: the appointment's ticket, taken now in its category (and the 绿色通道 when it says
    // so), in the same transaction that marks the appointment checked in, so a code gives one
    // ticket, ever. The same code again within 2 minutes, while that ticket waits, gives the same
    // ticket again (a station whose reply timed out retries; nothing is issued twice). Refused:
    // unknown_appointment (no such code, or cancelled), appointment_used (later, or once called;
    // its ticket is named in the message), appointment_other_day, and take_ticket's refusals
    // (hours, cap), which leave the appointment booked.
    QueueResult<IssuedTicket> check_in(std::string_view code);
    // The business system books (or rebooks, while not checked in) an appointment for `day`
    // ("YYYY-MM-DD", today or later) in a configured category.
    QueueResult<Appointment> book_appointment(std::string_view code, std::string_view category, std::string_view day,
                                              bool priority = false);
    // Cancels a booked appointment (a checked-in one is refused with appointment_used).
    QueueResult<Appointment> cancel_appointment(std::string_view code);
    std::optional<Appointment> appointment(std::string_view code) const;
    // 作废 a waiting or held ticket (the citizen left); reason required.
    QueueResult<QueueTicket> cancel(std::string_view number, std::string_view reason);

    // ---- windows ----
    // Signs staff in at a window (a window already open is taken over by the new staff).
    QueueResult<WindowSession> open_window(int window, const Staff& staff);
    // Signs out; refused with window_busy while a ticket is called or serving there.
    QueueResult<WindowSession> close_window(int window);

    // Window actions. `expect` (optional) is the number the staff member sees: when given and
    // it is not the window's current ticket the action is refused (ticket_mismatch, or
    // illegal_transition when that ticket already moved on) — a double click or a stale page
    // never acts on the wrong ticket.
    QueueResult<CallOutcome> call_next(int window);
    // 特呼: a waiting ticket of a category the window serves, or a no_show ticket of today.
    QueueResult<CallOutcome> call_number(int window, std::string_view number, std::string_view reason);
    QueueResult<CallOutcome> recall(int window, std::string_view expect = {});
    QueueResult<QueueTicket> start(int window, std::string_view expect = {});
    QueueResult<SkipOutcome> skip(int window, std::string_view expect = {});
    QueueResult<QueueTicket> hold(int window, std::string_view expect = {});
    // Brings a held ticket back as the window's current ticket (called again). Any open window
    // serving its category may resume it.
    QueueResult<CallOutcome> resume(int window, std::string_view number);
    // Moves the current ticket (or the held ticket `number`) of the window to `to_category`,
    // placed by policy.transfer_placement. Ticket hours and the cap do not apply.
    QueueResult<QueueTicket> transfer(int window, std::string_view to_category, std::string_view number = {});
    // 办结. From called (serving_at is then the call time) or serving.
    QueueResult<Completion> complete(int window, std::string_view expect = {});

    // ---- queries (today) ----
    std::optional<QueueTicket> find(std::string_view number) const;
    std::optional<QueueTicket> current(int window) const;
    std::vector<QueueTicket> held(int window) const;
    std::optional<WindowSession> session(int window) const;
    // The waiting tickets of a category in the predicted call order (see predicted_order).
    QueueResult<std::vector<Pick>> waiting_order(std::string_view category) const;
    // What call_next(window) would call now and why; nullopt when nothing waits.
    QueueResult<std::optional<Pick>> preview_next(int window) const;
    QueueResult<WaitEstimate> estimate_new(std::string_view category, bool priority = false) const;
    QueueResult<WaitEstimate> estimate(std::string_view number) const;  // a waiting ticket
    std::vector<TicketEvent> history(std::string_view number) const;
    QueueSnapshot snapshot() const;
    // Statistics of `day` ("YYYY-MM-DD") per category in configuration order.
    std::vector<CategoryStats> statistics(std::string_view day) const;
    std::chrono::seconds average_service(std::string_view category) const;
    const QueueSetup& setup() const noexcept;

    struct Impl;  // opaque: defined inside the library

private:
    explicit QueueEngine(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace hcp

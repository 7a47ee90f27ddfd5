#pragma once
// The hub's core services (no HTTP, no UI): cases reported by business systems, ratings from
// terminals, the event bus that tells terminals when to open the rating screen.
//
// Contracts:
// - Thread-safe: every public member may be called from any thread (one mutex around the store
//   and the open requests; the event bus has its own).
// - report_case() validates everything before writing anything; on failure nothing is stored
//   and no event is published.
// - A rating opens on a terminal when the reported stage may be rated there now
//   (rules.hpp allowed_target): a completed case, or a 承诺件 at acceptance (staff only).
// - submit_rating() returns only after the store committed the rating; the rating_stored event
//   carries the rating id and case numbers, never the level (DESIGN §5.7).
// - accept_forwarded() takes a rating recorded by another device (a terminal that could not
//   reach the hub) idempotently by rating id: sending it twice stores it once. The sender may
//   forward only its own device's ratings (never the hub's device id), for cases of its own
//   window (a self-service device: item ratings by channel self_service), as the next link of
//   its chain here, with every copied field (hall, item, kind, window, staff, catalog, option
//   labels) equal to what the hub would have recorded; anything else is refused and nothing is
//   written. A link whose case was rated meanwhile is refused (already_rated) and kept as a
//   superseded link (store/forward.hpp).
// - Disk reserve: while the free space of the store's folder is below store.min_free_bytes,
//   report_case(), submit_rating() and accept_forwarded() refuse with disk_nearly_full before
//   writing anything (after the checks of the request's own fields).
// - process_unrated() files reminders and records default ratings (DESIGN §5 rule 6) under the same mutex and
//   publishes rating_stored for each, like a rating from a terminal.
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hcp/base/crypto.hpp"
#include "hcp/base/error.hpp"
#include "hcp/config/config.hpp"
#include "hcp/domain/calendar.hpp"
#include "hcp/domain/catalog.hpp"
#include "hcp/domain/domain.hpp"
#include "hcp/domain/rules.hpp"
#include "hcp/hub/event_bus.hpp"
#include "hcp/hub/hub_link.hpp"
#include "hcp/store/forward.hpp"
#include "hcp/store/outbox.hpp"
#include "hcp/store/store.hpp"
#include "hcp/store/unrated.hpp"

namespace hcp {

// Field limits applied to reported cases (bytes of UTF-8).
inline constexpr size_t kMaxCaseNoBytes = 64;
inline constexpr size_t kMaxCodeBytes = 64;
inline constexpr size_t kMaxNameBytes = 200;
inline constexpr size_t kMaxApplicantFieldBytes = 64;
inline constexpr size_t kMaxBatchCases = 50;
inline constexpr size_t kMaxThemeItems = 20;

// A linked item of a theme (主题式/一件事): its own case number and item.
struct ThemeItem {
    std::string case_no;
    std::string item_code;
    std::string item_name;
};

// What a business system reports (POST /api/v1/cases).
struct CaseReport {
    std::string case_no;
    std::string item_code;
    std::string item_name;
    std::string department;
    CaseKind kind = CaseKind::immediate;
    Stage stage = Stage::completed;
    int window = 0;  // 0 = self-service
    std::string staff_no;
    std::string staff_name;
    Applicant applicant;
    std::vector<std::string> batch;       // more case numbers rated together with case_no
    std::optional<std::string> theme_id;  // theme the case and `theme_items` belong to
    std::vector<ThemeItem> theme_items;   // linked items besides case_no
    std::optional<TimePoint> at;          // when it happened; default now
};

enum class HubErrc {
    invalid_field,     // a field is missing, malformed, too long or not UTF-8 (`field` says which)
    unknown_window,    // the window is not in the configuration
    unknown_case,      // no such case
    wrong_window,      // the case is not open on the submitting terminal's window
    conflict,          // the report contradicts the stored case (e.g. completed → accepted)
    already_rated,     // the (case, stage, target) slot is taken
    forbidden,         // the sender may not write this (another device's rating, the hub's id)
    out_of_order,      // a forwarded rating that is not the next link of its chain here
    rule_violation,    // another rule of rules.hpp (`violation`)
    disk_nearly_full,  // nothing stored
    storage_error,     // nothing stored
};
std::string_view to_string(HubErrc e) noexcept;

struct HubFailure {
    HubErrc cause = HubErrc::storage_error;
    std::optional<RuleViolation> violation;
    std::string field;       // for invalid_field
    std::string message;     // English, for logs and API clients (no personal data)
    std::string message_zh;  // plain Chinese for a screen, says what to do
};

struct CaseReply {
    Case c;                             // as stored (applicant: use masked() when showing)
    std::vector<std::string> case_nos;  // every case saved by this report (batch/theme)
    bool rating_opened = false;
    int opened_window = 0;               // valid when rating_opened
    std::optional<RatingTarget> target;  // what the terminal offers
    long long event_id = 0;              // the rating_requested event, 0 when none
};

// Who submits a rating: a terminal bound to a window (its rating must be open there) or a
// trusted in-process caller that skips the open-request check (default ratings, tests).
struct Submitter {
    std::optional<int> window;
};

// Who forwards a rating: the device of the token that sent it.
struct ForwardSender {
    std::string device_id;
    int window = 0;  // 0 = a self-service device
};

struct HubSetup {
    Hall hall;
    OptionCatalog catalog;
    WorkCalendar calendar;
    std::vector<Window> windows;
    std::vector<Staff> staff;
    std::vector<ServiceItem> items;
    StoreOptions store;
    UnratedPolicy unrated;  // when unrated cases get their default rating ([rating.unrated])
    // How reminders of unrated cases leave ([reminder].channel). nullopt: none are filed and a
    // default counted from the reminder counts from when it was due (setups without a config).
    std::optional<ReminderChannelKind> reminder_channel;
    size_t event_buffer = 1024;

    // From the validated main configuration: store at config.store.database, outbox target
    // "platform", the catalog and calendars it names.
    static HubSetup from_config(const Config& config);
};

class Hub {
public:
    // Opens the store (throws hcp::Error like Store::open).
    Hub(HubSetup setup, const SecretKey& key);
    ~Hub();
    Hub(const Hub&) = delete;
    Hub& operator=(const Hub&) = delete;

    Result<CaseReply, HubFailure> report_case(const CaseReport& report);
    Result<Rating, HubFailure> submit_rating(const RatingDraft& draft, const Submitter& who = {});
    // The terminal at `window` timed out on `case_no`: closes the request, publishes not_rated.
    // Returns false when no request for that case was open there.
    bool record_not_rated(const std::string& case_no, int window);
    Result<ForwardOutcome, HubFailure> accept_forwarded(const Rating& rating, const ForwardSender& sender);

    std::optional<Case> find_case(const std::string& case_no) const;
    // The open rating requests of a window (what a terminal shows after a restart).
    std::vector<RatingRequest> open_requests(int window) const;
    // Slots of a case already rated, for GET /cases/{no} (never the level).
    std::vector<RatingSlot> rated_slots(const std::string& case_no) const;
    bool window_known(int window) const;
    long long rating_count() const;
    // Store::damage under the hub's mutex: `full` at start-up, `cheap` for /health.
    std::vector<std::string> store_damage(Store::Check depth) const;

    // Files the reminders and records the default ratings of unrated completed cases that fell
    // due at `now` (process_unrated_cases with the setup's calendar, policy and channel). Each
    // default recorded closes a request still open for its cases and is published as
    // rating_stored. Store errors are reported in `failures`, never thrown.
    UnratedRun process_unrated(TimePoint now);
    // Replaces the working-day calendar (a notice imported while the hub runs): the next
    // process_unrated counts every pending deadline with it.
    void set_calendar(WorkCalendar calendar);
    WorkCalendar calendar() const;

    EventBus& events() noexcept { return m_bus; }
    const OptionCatalog& catalog() const noexcept { return m_setup.catalog; }
    const Hall& hall() const noexcept { return m_setup.hall; }

private:
    HubFailure from_record_failure(const RecordFailure& f) const;
    // disk_nearly_full when the store's folder has less free space than the reserve.
    std::optional<HubFailure> disk_reserve_failure() const;
    // Why the sender may not forward `rating` (accept_forwarded's checks before the store's).
    std::optional<HubFailure> forwarded_content_failure(const Rating& rating, const ForwardSender& sender) const;
    void close_cases(int window, const std::vector<std::string>& case_nos);

    HubSetup m_setup;
    mutable std::mutex m_mutex;
    Store m_store;
    ReminderBook m_reminders;
    std::unique_ptr<ForwardStore> m_forward;
    std::map<int, std::vector<RatingRequest>> m_open;  // window → open requests
    EventBus m_bus;
};

// Builds the RatingRequest a terminal gets for `cases` at `stage` (channel by window: 0 is
// self-service). Empty when the stage may not be rated there (rules.hpp allowed_target).
std::optional<RatingRequest> make_rating_request(const std::vector<Case>& cases, Stage stage, bool theme);

}  // namespace hcp

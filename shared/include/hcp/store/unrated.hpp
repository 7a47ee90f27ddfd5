#pragma once
// Unrated completed cases (DESIGN §5 rule 6, docs/reminders.md): the reminder book — one
// durable reminder per case, the outbox its channel drains — and the maintenance step that
// files due reminders and records due default ratings.
//
// A reminder row moves  pending → sending → sent  (or → unknown / failed / no_phone). It is
// written in a transaction before anything is sent, claimed with a lease, and marked sent only
// after the channel accepted it. A row found "sending" after a crash was perhaps sent: a channel
// that deduplicates by the reminder's id (the platform; an SMS gateway configured idempotent)
// gets it again, any other makes it "unknown" — shown to the hall, never sent twice.
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hcp/base/time.hpp"
#include "hcp/domain/calendar.hpp"
#include "hcp/domain/reminder_channel.hpp"
#include "hcp/domain/rules.hpp"
#include "hcp/store/store.hpp"

namespace hcp {

enum class ReminderState {
    pending,   // due; not tried yet, or tried and due again at next_attempt_at
    sending,   // claimed; a send may be under way until the lease ends
    sent,      // the channel accepted it (call_list: a person marked it called)
    unknown,   // a send may have happened and cannot be told apart; never sent again
    failed,    // refused for good (the gateway said so, or attempts ran out)
    no_phone,  // the case has no phone number to remind
};
std::string_view to_string(ReminderState s) noexcept;
std::string_view label_zh(ReminderState s) noexcept;  // 待发送, 已发送, 可能已发送（请核实）…

struct ReminderRow {
    std::string case_no;
    std::string id;  // UUID v4
    ReminderChannelKind channel = ReminderChannelKind::call_list;
    ReminderState state = ReminderState::pending;
    TimePoint due_at{};
    TimePoint created_at{};
    int attempts = 0;
    TimePoint next_attempt_at{};
    std::optional<TimePoint> sent_at;
    std::string last_error;  // never personal data
};

class ReminderBook {
public:
    // A connection of its own on the store file (created by Store::open). Throws like OutboxQueue::open.
    static ReminderBook open(const std::filesystem::path& store_path);
    ~ReminderBook();
    ReminderBook(ReminderBook&&) noexcept;
    ReminderBook& operator=(ReminderBook&&) noexcept;

    // Files a reminder for each case that has none (a case is reminded once, ever); returns how
    // many were filed. One transaction.
    int file(const std::vector<std::pair<std::string, TimePoint>>& case_due, ReminderChannelKind channel,
             TimePoint now);
    std::optional<ReminderRow> find(const std::string& case_no) const;
    // What the default-rating count needs to know, for every case that has a reminder.
    std::map<std::string, ReminderFact> facts() const;

    // After a restart: rows left "sending" become pending again when `idempotent`, else unknown.
    long long recover_in_flight(bool idempotent, TimePoint now);
    // The next due row of `channel` (pending, next_attempt_at <= now), now "sending" until
    // `lease_until`; a sending row whose lease ended is recovered as above first.
    std::optional<ReminderRow> claim(ReminderChannelKind channel, bool idempotent, TimePoint now,
                                     TimePoint lease_until);
    void mark_sent(const std::string& case_no, TimePoint at);
    void mark_retry(const std::string& case_no, const std::string& error, TimePoint next_attempt_at);
    void mark_final(const std::string& case_no, ReminderState state, const std::string& error);
    // call_list: a person reached the citizen. False when the case has no open call-list row.
    bool mark_called(const std::string& case_no, TimePoint at);

    // Rows in `states` (all when empty), oldest due first, at most `limit`.
    std::vector<ReminderRow> list(const std::set<ReminderState>& states = {}, int limit = 1000) const;
    std::map<ReminderState, long long> counts() const;

    // Keeps beside a default rating what its count of working days rested on.
    void record_default_basis(const std::string& rating_id, bool provisional, const std::string& years,
                              TimePoint counted_from, TimePoint due_at);

private:
    struct Impl;
    explicit ReminderBook(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// One maintenance pass over the unrated completed cases.
struct UnratedRun {
    int defaults_recorded = 0;
    int provisional_defaults = 0;  // of those, counted across a year without a notice
    int reminders_filed = 0;
    int waiting_for_reminder = 0;  // default held: its reminder is not (yet) sent
    int not_yet_due = 0;
    std::vector<std::string> failures;  // "case_no: reason" (no personal data)
    // Years without a notice that a pending reminder or default deadline falls into.
    std::set<int> unofficial_years_pending;
};

// Files every reminder that fell due and records every default rating that fell due, with
// Channel::system_default, is_default = true and the policy's level through the normal store
// path (rules, chain, outbox), plus its calendar basis (default_basis: "provisional" with the
// years when the count crossed a year known only from the law). `channel` nullopt: the hall
// sends no reminders (a preset without one is impossible; tests). Store errors are failures.
UnratedRun process_unrated_cases(Store& store, ReminderBook& book, const RatingContext& ctx,
                                 const WorkCalendar& calendar, const UnratedPolicy& policy,
                                 std::optional<ReminderChannelKind> channel, TimePoint now);

// The calendar basis of a default rating, when recorded with one.
struct DefaultBasis {
    bool provisional = false;
    std::string years;  // "2027"
    TimePoint counted_from{};
    TimePoint due_at{};
};
std::map<std::string, DefaultBasis> default_bases(const std::filesystem::path& store_path);

}  // namespace hcp

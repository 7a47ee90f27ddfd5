#pragma once
// Internal: the queue's rows in SQLite (schema migration 2 in store_schema.cpp). Every writer
// here runs inside the engine's transaction; none opens its own.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hcp/queue/queue.hpp"
#include "hcp/sql/sqlite.hpp"

namespace hcp::queue_db {

// Order keys are milliseconds shifted left by this many bits: room to place a re-queued
// ticket between two neighbours about twenty times before a category's keys are respread.
inline constexpr int kKeyShift = 20;
inline constexpr std::int64_t kKeyStep = std::int64_t{1} << kKeyShift;

inline std::int64_t to_ms(TimePoint t) {
    return t.time_since_epoch().count();
}
inline TimePoint from_ms(std::int64_t ms) {
    return TimePoint{std::chrono::milliseconds{ms}};
}
inline std::int64_t key_at(TimePoint t) {
    return to_ms(t) * kKeyStep;
}

// ---- numbering (queue_number.cpp) ----
// Next sequence of `prefix` on `day`, counted durably in the caller's transaction.
long long allocate_number(sql::Db& db, const std::string& day, char prefix);
long long numbers_issued(const sql::Db& db, const std::string& day, char prefix);

// ---- tickets and their log (queue_store.cpp) ----
std::optional<QueueTicket> ticket_by_number(const sql::Db& db, const std::string& day, const std::string& number);
// The called or serving ticket at a window (any day: the day sweep runs before every write).
std::optional<QueueTicket> ticket_at_window(const sql::Db& db, int window);
std::vector<QueueTicket> held_at_window(const sql::Db& db, const std::string& day, int window);
std::int64_t insert_ticket(sql::Db& db, const QueueTicket& t);
// Writes every mutable column of `t` (by id).
void update_ticket(sql::Db& db, const QueueTicket& t);
void log_event(sql::Db& db, const QueueTicket& t, TimePoint at, QueueAction action, std::optional<TicketState> from,
               const std::string& staff_number, const std::string& reason);
std::vector<TicketEvent> events_of(const sql::Db& db, std::int64_t ticket_id);

// Waiting tickets of a category today, all of them.
std::vector<QueueEntry> waiting_entries(const sql::Db& db, const std::string& day, const std::string& category);
// At most three: the oldest aged (aging_since ≤ aged_before), the first normal and the first
// priority ticket that are not aged — all select_next() needs.
std::vector<QueueEntry> candidate_entries(const sql::Db& db, const std::string& day, const std::string& category,
                                          TimePoint aged_before);
std::optional<int> normal_since_priority(const sql::Db& db, const std::string& day, const std::string& category);
void count_call(sql::Db& db, const std::string& day, const std::string& category, bool priority);

// Order key that puts a ticket of (category, priority) behind `behind` waiting tickets of the
// same class, or at the end when fewer wait. May respread the class's keys (rare).
std::int64_t requeue_key(sql::Db& db, const std::string& day, const std::string& category, bool priority, int behind,
                         TimePoint now);
// Key behind everything waiting in the category now.
std::int64_t end_of_queue_key(const sql::Db& db, const std::string& day, const std::string& category, TimePoint now);

// Cancels every open ticket of a day before `day` (action expire) and closes window sessions
// opened before `day_start`. Returns the number of tickets cancelled.
int expire_before(sql::Db& db, const std::string& day, TimePoint day_start, TimePoint now);

// ---- appointments ----
std::optional<Appointment> appointment_by_code(const sql::Db& db, const std::string& code);
// Inserts, or replaces a booked (or cancelled) one with the same code.
void upsert_appointment(sql::Db& db, const Appointment& a);
void update_appointment(sql::Db& db, const Appointment& a);

// ---- window sessions ----
std::optional<WindowSession> open_session(const sql::Db& db, int window, TimePoint day_start);
void insert_session(sql::Db& db, int window, const Staff& staff, TimePoint at);
void close_sessions(sql::Db& db, int window, TimePoint at);

// Latest instant recorded anywhere in the queue tables (0 when empty).
TimePoint latest_instant(const sql::Db& db);

}  // namespace hcp::queue_db

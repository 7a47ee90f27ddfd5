// The queue's persistence: ticket rows, the append-only transition log, ratio state, order keys
// and window sessions. Plain SQL over the internal sqlite wrapper; the engine owns the
// transaction around every call.
#include <algorithm>

#include "queue/persistence.hpp"

namespace hcp::queue_db {

namespace {

constexpr const char* kTicketColumns =
    "id, business_day, number, seq, issued_category, category, priority, state, order_key, aging_since, "
    "issued_at, first_called_at, called_at, serving_at, finished_at, window, staff_number, staff_name, "
    "skips, recalls, transfers";

std::optional<TimePoint> opt_time(const sql::Statement& st, int col) {
    if (st.column_null(col)) return std::nullopt;
    return from_ms(st.column_int(col));
}

void bind_opt(sql::Statement& st, int idx, const std::optional<TimePoint>& t) {
    if (t) {
        st.bind(idx, to_ms(*t));
    } else {
        st.bind_null(idx);
    }
}

QueueTicket read_ticket(const sql::Statement& st) {
    QueueTicket t;
    t.id = st.column_int(0);
    t.business_day = st.column_text(1);
    t.number = st.column_text(2);
    t.seq = st.column_int(3);
    t.issued_category = st.column_text(4);
    t.category = st.column_text(5);
    t.priority = st.column_int(6) != 0;
    t.state = parse_ticket_state(st.column_text(7)).value_or(TicketState::cancelled);
    t.order_key = st.column_int(8);
    t.aging_since = from_ms(st.column_int(9));
    t.issued_at = from_ms(st.column_int(10));
    t.first_called_at = opt_time(st, 11);
    t.called_at = opt_time(st, 12);
    t.serving_at = opt_time(st, 13);
    t.finished_at = opt_time(st, 14);
    t.window = static_cast<int>(st.column_int(15));
    t.staff.number = st.column_text(16);
    t.staff.name = st.column_text(17);
    t.skips = static_cast<int>(st.column_int(18));
    t.recalls = static_cast<int>(st.column_int(19));
    t.transfers = static_cast<int>(st.column_int(20));
    return t;
}

std::vector<QueueTicket> tickets_where(const sql::Db& db, const std::string& where,
                                       const std::function<void(sql::Statement&)>& bind) {
    sql::Statement st(db, std::string("SELECT ") + kTicketColumns + " FROM tickets WHERE " + where);
    bind(st);
    std::vector<QueueTicket> out;
    while (st.step()) out.push_back(read_ticket(st));
    return out;
}

QueueEntry read_entry(const sql::Statement& st) {
    QueueEntry e;
    e.id = st.column_int(0);
    e.number = st.column_text(1);
    e.priority = st.column_int(2) != 0;
    e.order_key = st.column_int(3);
    e.aging_since = from_ms(st.column_int(4));
    return e;
}

constexpr const char* kEntryColumns = "id, number, priority, order_key, aging_since";

}  // namespace

std::optional<QueueTicket> ticket_by_number(const sql::Db& db, const std::string& day, const std::string& number) {
    auto v = tickets_where(db, "business_day = ? AND number = ?",
                           [&](sql::Statement& st) { st.bind(1, day).bind(2, number); });
    if (v.empty()) return std::nullopt;
    return v.front();
}

std::optional<QueueTicket> ticket_at_window(const sql::Db& db, int window) {
    auto v = tickets_where(db, "window = ? AND state IN ('called', 'serving')",
                           [&](sql::Statement& st) { st.bind(1, window); });
    if (v.empty()) return std::nullopt;
    return v.front();
}

std::vector<QueueTicket> held_at_window(const sql::Db& db, const std::string& day, int window) {
    return tickets_where(db, "window = ? AND state = 'held' AND business_day = ? ORDER BY id",
                         [&](sql::Statement& st) { st.bind(1, window).bind(2, day); });
}

std::int64_t insert_ticket(sql::Db& db, const QueueTicket& t) {
    sql::Statement st(db,
                      "INSERT INTO tickets(business_day, number, seq, issued_category, category, priority, state, "
                      "order_key, aging_since, issued_at) VALUES (?,?,?,?,?,?,?,?,?,?)");
    st.bind(1, t.business_day).bind(2, t.number).bind(3, static_cast<std::int64_t>(t.seq));
    st.bind(4, t.issued_category).bind(5, t.category).bind(6, t.priority ? 1 : 0);
    st.bind(7, to_string(t.state)).bind(8, t.order_key).bind(9, to_ms(t.aging_since)).bind(10, to_ms(t.issued_at));
    st.run();
    return db.last_insert_rowid();
}

void update_ticket(sql::Db& db, const QueueTicket& t) {
    sql::Statement st(db,
                      "UPDATE tickets SET category = ?, priority = ?, state = ?, order_key = ?, aging_since = ?, "
                      "first_called_at = ?, called_at = ?, serving_at = ?, finished_at = ?, window = ?, "
                      "staff_number = ?, staff_name = ?, skips = ?, recalls = ?, transfers = ? WHERE id = ?");
    st.bind(1, t.category).bind(2, t.priority ? 1 : 0).bind(3, to_string(t.state)).bind(4, t.order_key);
    st.bind(5, to_ms(t.aging_since));
    bind_opt(st, 6, t.first_called_at);
    bind_opt(st, 7, t.called_at);
    bind_opt(st, 8, t.serving_at);
    bind_opt(st, 9, t.finished_at);
    st.bind(10, t.window).bind(11, t.staff.number).bind(12, t.staff.name);
    st.bind(13, t.skips).bind(14, t.recalls).bind(15, t.transfers).bind(16, t.id);
    st.run();
    if (db.changes() != 1)
        throw Error(Errc::store_failure, "ticket " + std::to_string(t.id) + " vanished during an update");
}

void log_event(sql::Db& db, const QueueTicket& t, TimePoint at, QueueAction action, std::optional<TicketState> from,
               const std::string& staff_number, const std::string& reason) {
    sql::Statement st(db,
                      "INSERT INTO ticket_events(ticket_id, at, action, from_state, to_state, category, window, "
                      "staff_number, reason) VALUES (?,?,?,?,?,?,?,?,?)");
    st.bind(1, t.id).bind(2, to_ms(at)).bind(3, to_string(action));
    // An empty std::string, not a default string_view: SQLite binds a null pointer as NULL.
    st.bind(4, from ? std::string(to_string(*from)) : std::string()).bind(5, to_string(t.state));
    st.bind(6, t.category);
    st.bind(7, t.window).bind(8, staff_number).bind(9, reason);
    st.run();
}

std::vector<TicketEvent> events_of(const sql::Db& db, std::int64_t ticket_id) {
    sql::Statement st(db,
                      "SELECT id, ticket_id, at, action, from_state, to_state, category, window, staff_number, "
                      "reason FROM ticket_events WHERE ticket_id = ? ORDER BY id");
    st.bind(1, ticket_id);
    std::vector<TicketEvent> out;
    while (st.step()) {
        TicketEvent e;
        e.id = st.column_int(0);
        e.ticket_id = st.column_int(1);
        e.at = from_ms(st.column_int(2));
        e.action = parse_queue_action(st.column_text(3)).value_or(QueueAction::issue);
        e.from = parse_ticket_state(st.column_text(4));
        e.to = parse_ticket_state(st.column_text(5)).value_or(TicketState::cancelled);
        e.category = st.column_text(6);
        e.window = static_cast<int>(st.column_int(7));
        e.staff_number = st.column_text(8);
        e.reason = st.column_text(9);
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<QueueEntry> waiting_entries(const sql::Db& db, const std::string& day, const std::string& category) {
    sql::Statement st(db, std::string("SELECT ") + kEntryColumns +
                              " FROM tickets WHERE business_day = ? AND category = ? AND state = 'waiting'");
    st.bind(1, day).bind(2, category);
    std::vector<QueueEntry> out;
    while (st.step()) out.push_back(read_entry(st));
    return out;
}

std::vector<QueueEntry> candidate_entries(const sql::Db& db, const std::string& day, const std::string& category,
                                          TimePoint aged_before) {
    std::vector<QueueEntry> out;
    {
        sql::Statement st(db, std::string("SELECT ") + kEntryColumns +
                                  " FROM tickets WHERE business_day = ? AND category = ? AND state = 'waiting' "
                                  "AND aging_since <= ? ORDER BY aging_since, order_key, id LIMIT 1");
        st.bind(1, day).bind(2, category).bind(3, to_ms(aged_before));
        if (st.step()) out.push_back(read_entry(st));
    }
    for (int priority : {0, 1}) {
        sql::Statement st(db, std::string("SELECT ") + kEntryColumns +
                                  " FROM tickets WHERE business_day = ? AND category = ? AND state = 'waiting' "
                                  "AND priority = ? AND aging_since > ? ORDER BY order_key, id LIMIT 1");
        st.bind(1, day).bind(2, category).bind(3, priority).bind(4, to_ms(aged_before));
        if (st.step()) out.push_back(read_entry(st));
    }
    return out;
}

std::optional<int> normal_since_priority(const sql::Db& db, const std::string& day, const std::string& category) {
    sql::Statement st(db, "SELECT normal_since_priority FROM queue_streaks WHERE business_day = ? AND category = ?");
    st.bind(1, day).bind(2, category);
    if (!st.step()) return std::nullopt;
    return static_cast<int>(st.column_int(0));
}

void count_call(sql::Db& db, const std::string& day, const std::string& category, bool priority) {
    // No row means "no priority ticket called yet today", which behaves like an endless run of
    // normal calls; a row appears with the first priority call.
    if (priority) {
        sql::Statement st(db,
                          "INSERT INTO queue_streaks(business_day, category, normal_since_priority) VALUES (?, ?, 0) "
                          "ON CONFLICT(business_day, category) DO UPDATE SET normal_since_priority = 0");
        st.bind(1, day).bind(2, category).run();
    } else {
        sql::Statement st(db,
                          "UPDATE queue_streaks SET normal_since_priority = normal_since_priority + 1 "
                          "WHERE business_day = ? AND category = ?");
        st.bind(1, day).bind(2, category).run();
    }
}

namespace {

// Respreads the keys of one class so that neighbours are at least kKeyStep / 1024 apart while
// moving each key as little as possible (a key only ever grows, by a tiny amount).
void respread(sql::Db& db, const std::string& day, const std::string& category, bool priority) {
    std::vector<std::pair<std::int64_t, std::int64_t>> rows;  // id, key
    {
        sql::Statement st(db,
                          "SELECT id, order_key FROM tickets WHERE business_day = ? AND category = ? AND "
                          "state = 'waiting' AND priority = ? ORDER BY order_key, id");
        st.bind(1, day).bind(2, category).bind(3, priority ? 1 : 0);
        while (st.step()) rows.emplace_back(st.column_int(0), st.column_int(1));
    }
    constexpr std::int64_t gap = kKeyStep / 1024;
    sql::Statement up(db, "UPDATE tickets SET order_key = ? WHERE id = ?");
    std::int64_t prev = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
        std::int64_t k = rows[i].second;
        if (i > 0 && k < prev + gap) k = prev + gap;
        if (k != rows[i].second) {
            up.bind(1, k).bind(2, rows[i].first).run();
            up.reset();
        }
        prev = k;
    }
}

}  // namespace

std::int64_t requeue_key(sql::Db& db, const std::string& day, const std::string& category, bool priority, int behind,
                         TimePoint now) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        std::vector<std::int64_t> keys;
        if (behind <= 0) {
            sql::Statement st(db,
                              "SELECT order_key FROM tickets WHERE business_day = ? AND category = ? AND "
                              "state = 'waiting' AND priority = ? ORDER BY order_key, id LIMIT 1");
            st.bind(1, day).bind(2, category).bind(3, priority ? 1 : 0);
            if (st.step()) return st.column_int(0) - kKeyStep;  // at the front
            return key_at(now);
        }
        sql::Statement st(db,
                          "SELECT order_key FROM tickets WHERE business_day = ? AND category = ? AND "
                          "state = 'waiting' AND priority = ? ORDER BY order_key, id LIMIT 2 OFFSET ?");
        st.bind(1, day).bind(2, category).bind(3, priority ? 1 : 0).bind(4, behind - 1);
        while (st.step()) keys.push_back(st.column_int(0));
        if (keys.empty()) {
            // Fewer than `behind` wait: at the end of the class.
            sql::Statement last(db,
                                "SELECT max(order_key) FROM tickets WHERE business_day = ? AND category = ? "
                                "AND state = 'waiting' AND priority = ?");
            last.bind(1, day).bind(2, category).bind(3, priority ? 1 : 0);
            if (last.step() && !last.column_null(0)) return std::max(last.column_int(0) + kKeyStep, key_at(now));
            return key_at(now);
        }
        if (keys.size() == 1) return keys[0] + kKeyStep;
        std::int64_t mid = keys[0] + (keys[1] - keys[0]) / 2;
        if (mid > keys[0]) return mid;
        respread(db, day, category, priority);  // neighbours too close: make room, then retry
    }
    throw Error(Errc::store_failure, "no room for a re-queued ticket in " + category);
}

std::int64_t end_of_queue_key(const sql::Db& db, const std::string& day, const std::string& category, TimePoint now) {
    sql::Statement st(db,
                      "SELECT max(order_key) FROM tickets WHERE business_day = ? AND category = ? AND "
                      "state = 'waiting'");
    st.bind(1, day).bind(2, category);
    std::int64_t k = key_at(now);
    if (st.step() && !st.column_null(0)) k = std::max(k, st.column_int(0) + kKeyStep);
    return k;
}

int expire_before(sql::Db& db, const std::string& day, TimePoint day_start, TimePoint now) {
    auto open = tickets_where(db, "business_day < ? AND state IN ('waiting', 'called', 'serving', 'held')",
                              [&](sql::Statement& st) { st.bind(1, day); });
    for (auto& t : open) {
        TicketState from = t.state;
        t.state = TicketState::cancelled;
        t.finished_at = now;
        update_ticket(db, t);
        log_event(db, t, now, QueueAction::expire, from, "", "business day ended");
    }
    sql::Statement st(db, "UPDATE window_sessions SET closed_at = ? WHERE closed_at IS NULL AND opened_at < ?");
    st.bind(1, to_ms(now)).bind(2, to_ms(day_start)).run();
    return static_cast<int>(open.size());
}

std::optional<WindowSession> open_session(const sql::Db& db, int window, TimePoint day_start) {
    sql::Statement st(db,
                      "SELECT window, staff_number, staff_name, opened_at FROM window_sessions "
                      "WHERE window = ? AND closed_at IS NULL AND opened_at >= ?");
    st.bind(1, window).bind(2, to_ms(day_start));
    if (!st.step()) return std::nullopt;
    WindowSession s;
    s.window = static_cast<int>(st.column_int(0));
    s.staff.number = st.column_text(1);
    s.staff.name = st.column_text(2);
    s.opened_at = from_ms(st.column_int(3));
    return s;
}

void insert_session(sql::Db& db, int window, const Staff& staff, TimePoint at) {
    sql::Statement st(db, "INSERT INTO window_sessions(window, staff_number, staff_name, opened_at) VALUES (?,?,?,?)");
    st.bind(1, window).bind(2, staff.number).bind(3, staff.name).bind(4, to_ms(at)).run();
}

namespace {

std::string_view state_text(Appointment::State s) {
    switch (s) {
        case Appointment::State::booked: return "booked";
        case Appointment::State::checked_in: return "checked_in";
        case Appointment::State::cancelled: return "cancelled";
    }
    return "booked";
}

}  // namespace

std::optional<Appointment> appointment_by_code(const sql::Db& db, const std::string& code) {
    sql::Statement st(db,
                      "SELECT code, business_day, category, priority, state, booked_at, checked_in_at, "
                      "coalesce(ticket_number, '') FROM appointments WHERE code = ?");
    st.bind(1, code);
    if (!st.step()) return std::nullopt;
    Appointment a;
    a.code = st.column_text(0);
    a.business_day = st.column_text(1);
    a.category = st.column_text(2);
    a.priority = st.column_int(3) != 0;
    const std::string state = st.column_text(4);
    a.state = state == "checked_in"  ? Appointment::State::checked_in
              : state == "cancelled" ? Appointment::State::cancelled
                                     : Appointment::State::booked;
    a.booked_at = from_ms(st.column_int(5));
    a.checked_in_at = opt_time(st, 6);
    a.ticket_number = st.column_text(7);
    return a;
}

void upsert_appointment(sql::Db& db, const Appointment& a) {
    sql::Statement st(db,
                      "INSERT INTO appointments(code, business_day, category, priority, state, booked_at) "
                      "VALUES (?,?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET business_day = excluded.business_day, "
                      "category = excluded.category, priority = excluded.priority, state = excluded.state, "
                      "booked_at = excluded.booked_at WHERE appointments.state <> 'checked_in'");
    st.bind(1, a.code).bind(2, a.business_day).bind(3, a.category).bind(4, a.priority ? 1 : 0);
    st.bind(5, std::string(state_text(a.state))).bind(6, to_ms(a.booked_at));
    st.run();
}

void update_appointment(sql::Db& db, const Appointment& a) {
    sql::Statement st(db, "UPDATE appointments SET state = ?, checked_in_at = ?, ticket_number = ? WHERE code = ?");
    st.bind(1, std::string(state_text(a.state)));
    bind_opt(st, 2, a.checked_in_at);
    st.bind(3, a.ticket_number).bind(4, a.code);
    st.run();
    if (db.changes() != 1) throw Error(Errc::store_failure, "appointment " + a.code + " vanished during an update");
}

void close_sessions(sql::Db& db, int window, TimePoint at) {
    sql::Statement st(db, "UPDATE window_sessions SET closed_at = ? WHERE window = ? AND closed_at IS NULL");
    st.bind(1, to_ms(at)).bind(2, window).run();
}

TimePoint latest_instant(const sql::Db& db) {
    sql::Statement st(db,
                      "SELECT max(coalesce((SELECT max(at) FROM ticket_events), 0), "
                      "coalesce((SELECT max(max(opened_at, coalesce(closed_at, 0))) FROM window_sessions), 0))");
    return from_ms(st.step() ? st.column_int(0) : 0);
}

}  // namespace hcp::queue_db

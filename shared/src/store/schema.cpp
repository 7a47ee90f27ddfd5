#include "store/schema.hpp"

#include <nlohmann/json.hpp>

#include "hcp/store/store.hpp"

namespace hcp::schema {

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> list = {
        {1, R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE schema_version (
  version    INTEGER PRIMARY KEY,
  applied_at INTEGER NOT NULL
);
CREATE TABLE cases (
  case_no         TEXT PRIMARY KEY,
  item_code       TEXT NOT NULL,
  item_name       TEXT NOT NULL,
  department      TEXT NOT NULL,
  kind            TEXT NOT NULL,
  stage           TEXT NOT NULL,
  window          INTEGER NOT NULL,
  staff_number    TEXT NOT NULL,
  staff_name      TEXT NOT NULL,
  applicant_name  BLOB,            -- sealed (XSalsa20-Poly1305), never plain
  applicant_phone BLOB,
  applicant_id    BLOB,
  batch_id        TEXT,
  theme_id        TEXT,
  accepted_at     INTEGER NOT NULL,  -- ms since epoch, UTC
  completed_at    INTEGER
);
CREATE INDEX cases_batch ON cases(batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX cases_completed ON cases(completed_at) WHERE completed_at IS NOT NULL;
CREATE TABLE ratings (
  id              TEXT PRIMARY KEY,
  device_id       TEXT NOT NULL,
  seq             INTEGER NOT NULL,
  case_nos        TEXT NOT NULL,     -- JSON array
  stage           TEXT NOT NULL,
  target          TEXT NOT NULL,
  level           INTEGER NOT NULL,
  option_codes    TEXT NOT NULL,     -- JSON array
  option_labels   TEXT NOT NULL,     -- JSON array
  text            TEXT NOT NULL,
  channel         TEXT NOT NULL,
  tapped_at       INTEGER NOT NULL,
  catalog_id      TEXT NOT NULL,
  catalog_version INTEGER NOT NULL,
  is_public       INTEGER NOT NULL,
  is_default      INTEGER NOT NULL,
  hall_code       TEXT NOT NULL,
  area_code       TEXT NOT NULL,
  item_code       TEXT NOT NULL,
  item_name       TEXT NOT NULL,
  kind            TEXT NOT NULL,
  window          INTEGER NOT NULL,
  staff_number    TEXT NOT NULL,
  staff_name      TEXT NOT NULL,
  prev_hash       TEXT NOT NULL,
  hash            TEXT NOT NULL,
  mac             TEXT NOT NULL,
  recorded_at     INTEGER NOT NULL,
  UNIQUE (device_id, seq)
);
CREATE INDEX ratings_tapped ON ratings(tapped_at);
CREATE TABLE rating_slots (
  case_no   TEXT NOT NULL,
  stage     TEXT NOT NULL,
  target    TEXT NOT NULL,
  rating_id TEXT NOT NULL REFERENCES ratings(id),
  PRIMARY KEY (case_no, stage, target)
);
CREATE TABLE outbox (
  rating_id       TEXT NOT NULL REFERENCES ratings(id),
  target          TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'pending',
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (rating_id, target)
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE TABLE chain_heads (
  device_id TEXT PRIMARY KEY,
  seq       INTEGER NOT NULL,
  hash      TEXT NOT NULL
);
-- Nothing deletes or rewrites a rating (DESIGN §5.7).
CREATE TRIGGER ratings_no_update BEFORE UPDATE ON ratings
  BEGIN SELECT RAISE(ABORT, 'ratings are append-only'); END;
CREATE TRIGGER ratings_no_delete BEFORE DELETE ON ratings
  BEGIN SELECT RAISE(ABORT, 'ratings are append-only'); END;
CREATE TRIGGER rating_slots_no_delete BEFORE DELETE ON rating_slots
  BEGIN SELECT RAISE(ABORT, 'rating slots are append-only'); END;
)sql"},
        // 2: the queue (docs/queue.md). Times are ms since epoch, UTC; business_day is
        // the China date "YYYY-MM-DD" the ticket was taken on.
        {2, R"sql(
CREATE TABLE queue_numbers (
  business_day TEXT NOT NULL,
  prefix       TEXT NOT NULL,     -- ticket letter: numbers are unique per (day, prefix)
  last_seq     INTEGER NOT NULL,
  PRIMARY KEY (business_day, prefix)
);
CREATE TABLE queue_streaks (
  business_day          TEXT NOT NULL,
  category              TEXT NOT NULL,
  normal_since_priority INTEGER NOT NULL,  -- normal tickets called since the last priority one
  PRIMARY KEY (business_day, category)
);
CREATE TABLE tickets (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  business_day    TEXT NOT NULL,
  number          TEXT NOT NULL,
  seq             INTEGER NOT NULL,
  issued_category TEXT NOT NULL,
  category        TEXT NOT NULL,      -- current category (differs after a transfer)
  priority        INTEGER NOT NULL,
  state           TEXT NOT NULL,
  order_key       INTEGER NOT NULL,   -- place in its category's queue (smaller = earlier)
  aging_since     INTEGER NOT NULL,   -- the max-wait clock runs from here
  issued_at       INTEGER NOT NULL,
  first_called_at INTEGER,
  called_at       INTEGER,
  serving_at      INTEGER,
  finished_at     INTEGER,
  window          INTEGER NOT NULL DEFAULT 0,
  staff_number    TEXT NOT NULL DEFAULT '',
  staff_name      TEXT NOT NULL DEFAULT '',
  skips           INTEGER NOT NULL DEFAULT 0,
  recalls         INTEGER NOT NULL DEFAULT 0,
  transfers       INTEGER NOT NULL DEFAULT 0,
  UNIQUE (business_day, number)
);
CREATE INDEX tickets_queue ON tickets(business_day, category, state, priority, order_key);
CREATE INDEX tickets_at_window ON tickets(window, state) WHERE state IN ('called', 'serving', 'held');
-- A window has at most one current ticket.
CREATE UNIQUE INDEX tickets_current ON tickets(window) WHERE state IN ('called', 'serving');
CREATE INDEX tickets_done ON tickets(category, finished_at) WHERE state = 'done';
CREATE TABLE ticket_events (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  ticket_id    INTEGER NOT NULL REFERENCES tickets(id),
  at           INTEGER NOT NULL,
  action       TEXT NOT NULL,
  from_state   TEXT NOT NULL,       -- '' for issue
  to_state     TEXT NOT NULL,
  category     TEXT NOT NULL,       -- the ticket's category after the transition
  window       INTEGER NOT NULL DEFAULT 0,
  staff_number TEXT NOT NULL DEFAULT '',
  reason       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id);
CREATE INDEX ticket_events_at ON ticket_events(at);
CREATE TABLE window_sessions (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  window       INTEGER NOT NULL,
  staff_number TEXT NOT NULL,
  staff_name   TEXT NOT NULL,
  opened_at    INTEGER NOT NULL,
  closed_at    INTEGER
);
CREATE UNIQUE INDEX window_sessions_open ON window_sessions(window) WHERE closed_at IS NULL;
-- The transition log is the audit trail (特呼 reasons, skips): nothing rewrites it.
CREATE TRIGGER ticket_events_no_update BEFORE UPDATE ON ticket_events
  BEGIN SELECT RAISE(ABORT, 'ticket events are append-only'); END;
CREATE TRIGGER ticket_events_no_delete BEFORE DELETE ON ticket_events
  BEGIN SELECT RAISE(ABORT, 'ticket events are append-only'); END;
)sql"},
        // 3: appointments (预约) the business system books; the ticket station checks them in.
        // No personal data: a code, a category and a day.
        {3, R"sql(
CREATE TABLE appointments (
  code          TEXT PRIMARY KEY,
  business_day  TEXT NOT NULL,
  category      TEXT NOT NULL,
  priority      INTEGER NOT NULL DEFAULT 0,
  state         TEXT NOT NULL CHECK (state IN ('booked', 'checked_in', 'cancelled')),
  booked_at     INTEGER NOT NULL,
  checked_in_at INTEGER,
  ticket_number TEXT
);
)sql"},
        // 4: forwarded links whose case was rated meanwhile at the hub (store/forward.hpp). The
        // full record, so the device's chain verifies through it; not a rating (no slot, not
        // counted, not uploaded).
        {4, R"sql(
CREATE TABLE superseded_ratings (
  id              TEXT PRIMARY KEY,
  device_id       TEXT NOT NULL,
  seq             INTEGER NOT NULL,
  case_nos        TEXT NOT NULL,
  stage           TEXT NOT NULL,
  target          TEXT NOT NULL,
  level           INTEGER NOT NULL,
  option_codes    TEXT NOT NULL,
  option_labels   TEXT NOT NULL,
  text            TEXT NOT NULL,
  channel         TEXT NOT NULL,
  tapped_at       INTEGER NOT NULL,
  catalog_id      TEXT NOT NULL,
  catalog_version INTEGER NOT NULL,
  is_public       INTEGER NOT NULL,
  is_default      INTEGER NOT NULL,
  hall_code       TEXT NOT NULL,
  area_code       TEXT NOT NULL,
  item_code       TEXT NOT NULL,
  item_name       TEXT NOT NULL,
  kind            TEXT NOT NULL,
  window          INTEGER NOT NULL,
  staff_number    TEXT NOT NULL,
  staff_name      TEXT NOT NULL,
  prev_hash       TEXT NOT NULL,
  hash            TEXT NOT NULL,
  mac             TEXT NOT NULL,
  recorded_at     INTEGER NOT NULL,
  superseded_by   TEXT NOT NULL,     -- the rating that holds the case
  UNIQUE (device_id, seq)
);
CREATE TRIGGER superseded_no_update BEFORE UPDATE ON superseded_ratings
  BEGIN SELECT RAISE(ABORT, 'superseded links are append-only'); END;
CREATE TRIGGER superseded_no_delete BEFORE DELETE ON superseded_ratings
  BEGIN SELECT RAISE(ABORT, 'superseded links are append-only'); END;
)sql"},
        // 5: reminders of unrated cases (one per case, ever) and what a default rating's count of
        // working days rested on (docs/reminders.md, docs/calendar.md).
        {5, R"sql(
CREATE TABLE reminders (
  case_no         TEXT PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,  -- idempotency key a channel may deduplicate by
  channel         TEXT NOT NULL CHECK (channel IN ('platform', 'sms', 'call_list')),
  state           TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'unknown', 'failed', 'no_phone')),
  due_at          INTEGER NOT NULL,      -- when the policy said to remind
  created_at      INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,      -- pending: due; sending: end of the lease
  sent_at         INTEGER,               -- the channel accepted it (call_list: a person called)
  last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reminders_due ON reminders(state, next_attempt_at);
CREATE TABLE default_basis (
  rating_id  TEXT PRIMARY KEY,
  calendar   TEXT NOT NULL CHECK (calendar IN ('notice', 'provisional')),
  years      TEXT NOT NULL DEFAULT '',   -- the years counted without a notice, "2027"
  counted_from INTEGER NOT NULL,
  due_at     INTEGER NOT NULL
);
)sql"},
    };
    return list;
}

const char* const kRatingColumns =
    "id, device_id, seq, case_nos, stage, target, level, option_codes, option_labels, text, "
    "channel, tapped_at, catalog_id, catalog_version, is_public, is_default, hall_code, "
    "area_code, item_code, item_name, kind, window, staff_number, staff_name, prev_hash, hash, mac";

std::string join_list(const std::vector<std::string>& items) {
    return nlohmann::json(items).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> split_list(const std::string& json_array) {
    // A tampered column may hold anything: unreadable lists come back empty (the chain hash
    // then reports the row as altered) instead of throwing out of the verifier.
    auto j = nlohmann::json::parse(json_array, nullptr, false);
    std::vector<std::string> out;
    if (!j.is_array()) return out;
    for (const auto& v : j)
        if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

Rating read_rating(const sql::Statement& row) {
    Rating r;
    r.id = row.column_text(0);
    r.device_id = row.column_text(1);
    r.seq = row.column_int(2);
    r.case_nos = split_list(row.column_text(3));
    r.stage = parse_stage(row.column_text(4)).value_or(Stage::completed);
    r.target = parse_rating_target(row.column_text(5)).value_or(RatingTarget::both);
    // Out-of-range levels from a tampered row are kept as-is so the hash check sees them.
    r.level = static_cast<Level>(row.column_int(6));
    r.option_codes = split_list(row.column_text(7));
    r.option_labels = split_list(row.column_text(8));
    r.text = row.column_text(9);
    r.channel = parse_channel(row.column_text(10)).value_or(Channel::window_rater);
    r.tapped_at = TimePoint{std::chrono::milliseconds{row.column_int(11)}};
    r.catalog_id = row.column_text(12);
    r.catalog_version = static_cast<int>(row.column_int(13));
    r.is_public = row.column_int(14) != 0;
    r.is_default = row.column_int(15) != 0;
    r.hall_code = row.column_text(16);
    r.area_code = row.column_text(17);
    r.item_code = row.column_text(18);
    r.item_name = row.column_text(19);
    r.kind = parse_case_kind(row.column_text(20)).value_or(CaseKind::other);
    r.window = static_cast<int>(row.column_int(21));
    r.staff_number = row.column_text(22);
    r.staff_name = row.column_text(23);
    r.prev_hash = row.column_text(24);
    r.hash = row.column_text(25);
    r.mac = row.column_text(26);
    return r;
}

int check_store_file(const sql::Db& db, const std::filesystem::path& path, SchemaAge accept) {
    std::int64_t app_id = 0;
    std::int64_t version = 0;
    try {
        app_id = sql::single_int(db, "PRAGMA application_id");
        version = sql::single_int(db, "PRAGMA user_version");
    } catch (const sql::SqliteError&) {
        throw Error(Errc::not_a_store, path.string() + " is not an SQLite database");
    }
    if (app_id != kStoreApplicationId) throw Error(Errc::not_a_store, path.string() + " is not an hcp-kiosk database");
    if (version > kStoreSchemaVersion)
        throw Error(Errc::schema_too_new, path.string() + " has schema version " + std::to_string(version) +
                                              " from a newer release; this release knows up to " +
                                              std::to_string(kStoreSchemaVersion) + ": use that release's hcpctl");
    if (version < kStoreSchemaVersion && accept == SchemaAge::current)
        throw Error(Errc::store_failure, path.string() + " has the older schema version " + std::to_string(version) +
                                             "; open it with the store first (start the hub once), then retry");
    return static_cast<int>(version);
}

namespace {

// The row of `r` in `table` (ratings or superseded_ratings), recorded now, with the
// superseded_by column of superseded_ratings (null for ratings).
void insert_row(const sql::Db& db, const char* table, const Rating& r, const std::string* superseded_by) {
    const auto ms = [](TimePoint t) -> std::int64_t { return t.time_since_epoch().count(); };
    sql::Statement ins(db, std::string("INSERT INTO ") + table + "(" + kRatingColumns + ", recorded_at" +
                               (superseded_by ? ", superseded_by" : "") +
                               ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?" +
                               (superseded_by ? ",?)" : ")"));
    ins.bind(1, r.id).bind(2, r.device_id).bind(3, static_cast<std::int64_t>(r.seq));
    ins.bind(4, join_list(r.case_nos)).bind(5, to_string(r.stage)).bind(6, to_string(r.target));
    ins.bind(7, to_int(r.level)).bind(8, join_list(r.option_codes));
    ins.bind(9, join_list(r.option_labels)).bind(10, r.text).bind(11, to_string(r.channel));
    ins.bind(12, ms(r.tapped_at)).bind(13, r.catalog_id).bind(14, r.catalog_version);
    ins.bind(15, r.is_public ? 1 : 0).bind(16, r.is_default ? 1 : 0).bind(17, r.hall_code);
    ins.bind(18, r.area_code).bind(19, r.item_code).bind(20, r.item_name).bind(21, to_string(r.kind));
    ins.bind(22, r.window).bind(23, r.staff_number).bind(24, r.staff_name).bind(25, r.prev_hash);
    ins.bind(26, r.hash).bind(27, r.mac).bind(28, ms(now()));
    if (superseded_by) ins.bind(29, *superseded_by);
    ins.run();
}

}  // namespace

void insert_superseded(const sql::Db& db, const Rating& r, const std::string& superseded_by) {
    insert_row(db, "superseded_ratings", r, &superseded_by);
}

void insert_rating(const sql::Db& db, const Rating& r, const std::vector<RatingSlot>& slots,
                   const std::string& outbox_target) {
    const auto ms = [](TimePoint t) -> std::int64_t { return t.time_since_epoch().count(); };
    insert_row(db, "ratings", r, nullptr);
    sql::Statement slot(db, "INSERT INTO rating_slots(case_no, stage, target, rating_id) VALUES (?,?,?,?)");
    for (const auto& s : slots) {
        slot.reset();
        slot.bind(1, s.case_no).bind(2, to_string(s.stage)).bind(3, to_string(s.target)).bind(4, r.id).run();
    }
    sql::Statement out(db,
                       "INSERT INTO outbox(rating_id, target, state, attempts, next_attempt_at) "
                       "VALUES (?, ?, 'pending', 0, ?)");
    out.bind(1, r.id).bind(2, outbox_target).bind(3, ms(now())).run();
}

}  // namespace hcp::schema

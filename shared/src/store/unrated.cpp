// The reminder book and the maintenance step over unrated cases (hcp/store/unrated.hpp).
#include "hcp/store/unrated.hpp"

#include "hcp/base/crypto.hpp"
#include "hcp/sql/sqlite.hpp"
#include "store/schema.hpp"

namespace hcp {

namespace {

std::int64_t ms(TimePoint t) {
    return t.time_since_epoch().count();
}
TimePoint from_ms(std::int64_t v) {
    return TimePoint{std::chrono::milliseconds{v}};
}

constexpr const char* kReminderColumns =
    "case_no, id, channel, state, due_at, created_at, attempts, next_attempt_at, sent_at, last_error";

std::optional<ReminderState> parse_state(std::string_view s) {
    for (auto st : {ReminderState::pending, ReminderState::sending, ReminderState::sent, ReminderState::unknown,
                    ReminderState::failed, ReminderState::no_phone})
        if (to_string(st) == s) return st;
    return std::nullopt;
}

ReminderRow read_row(const sql::Statement& st) {
    ReminderRow r;
    r.case_no = st.column_text(0);
    r.id = st.column_text(1);
    r.channel = parse_reminder_channel(st.column_text(2)).value_or(ReminderChannelKind::call_list);
    r.state = parse_state(st.column_text(3)).value_or(ReminderState::unknown);
    r.due_at = from_ms(st.column_int(4));
    r.created_at = from_ms(st.column_int(5));
    r.attempts = static_cast<int>(st.column_int(6));
    r.next_attempt_at = from_ms(st.column_int(7));
    if (!st.column_null(8)) r.sent_at = from_ms(st.column_int(8));
    r.last_error = st.column_text(9);
    return r;
}

}  // namespace

std::string_view to_string(ReminderState s) noexcept {
    switch (s) {
        case ReminderState::pending: return "pending";
        case ReminderState::sending: return "sending";
        case ReminderState::sent: return "sent";
        case ReminderState::unknown: return "unknown";
        case ReminderState::failed: return "failed";
        case ReminderState::no_phone: return "no_phone";
    }
    return "unknown";
}

std::string_view label_zh(ReminderState s) noexcept {
    switch (s) {
        case ReminderState::pending: return "待提醒";
        case ReminderState::sending: return "正在发送";
        case ReminderState::sent: return "已提醒";
        case ReminderState::unknown: return "可能已发送（请核实后标记）";
        case ReminderState::failed: return "发送失败";
        case ReminderState::no_phone: return "无联系电话";
    }
    return "未知";
}

struct ReminderBook::Impl {
    sql::Db db;
    explicit Impl(const std::filesystem::path& path) : db(path, sql::Db::Mode::read_write_create) {}
};

ReminderBook::ReminderBook(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
ReminderBook::~ReminderBook() = default;
ReminderBook::ReminderBook(ReminderBook&&) noexcept = default;
ReminderBook& ReminderBook::operator=(ReminderBook&&) noexcept = default;

ReminderBook ReminderBook::open(const std::filesystem::path& store_path) {
    if (!std::filesystem::exists(store_path)) throw Error(Errc::io_failure, store_path.string() + " does not exist");
    auto impl = std::make_unique<Impl>(store_path);
    schema::check_store_file(impl->db, store_path, schema::SchemaAge::current);
    // A reminder marked sent must stay sent through a power cut (synchronous is per connection).
    impl->db.exec("PRAGMA synchronous = FULL");
    return ReminderBook(std::move(impl));
}

int ReminderBook::file(const std::vector<std::pair<std::string, TimePoint>>& case_due, ReminderChannelKind channel,
                       TimePoint now) {
    if (case_due.empty()) return 0;
    sql::Transaction tx(m_impl->db);
    sql::Statement ins(m_impl->db,
                       "INSERT OR IGNORE INTO reminders(case_no, id, channel, state, due_at, created_at, attempts, "
                       "next_attempt_at) VALUES (?, ?, ?, 'pending', ?, ?, 0, ?)");
    int filed = 0;
    for (const auto& [case_no, due] : case_due) {
        ins.reset();
        ins.bind(1, case_no).bind(2, uuid_v4()).bind(3, std::string(to_string(channel)));
        ins.bind(4, ms(due)).bind(5, ms(now)).bind(6, ms(now)).run();
        filed += static_cast<int>(m_impl->db.changes());
    }
    tx.commit();
    return filed;
}

std::optional<ReminderRow> ReminderBook::find(const std::string& case_no) const {
    sql::Statement st(m_impl->db, std::string("SELECT ") + kReminderColumns + " FROM reminders WHERE case_no = ?");
    st.bind(1, case_no);
    if (!st.step()) return std::nullopt;
    return read_row(st);
}

std::map<std::string, ReminderFact> ReminderBook::facts() const {
    std::map<std::string, ReminderFact> out;
    sql::Statement st(m_impl->db, "SELECT case_no, state, sent_at FROM reminders");
    while (st.step()) {
        ReminderFact f;
        if (!st.column_null(2)) f.sent_at = from_ms(st.column_int(2));
        const auto state = parse_state(st.column_text(1));
        f.given_up =
            state == ReminderState::failed || state == ReminderState::no_phone || state == ReminderState::unknown;
        out.emplace(st.column_text(0), f);
    }
    return out;
}

long long ReminderBook::recover_in_flight(bool idempotent, TimePoint now) {
    if (idempotent) {
        sql::Statement st(m_impl->db,
                          "UPDATE reminders SET state = 'pending', next_attempt_at = ? WHERE state = 'sending'");
        st.bind(1, ms(now)).run();
    } else {
        m_impl->db.exec(
            "UPDATE reminders SET state = 'unknown', last_error = 'interrupted while sending; it may have been "
            "sent' WHERE state = 'sending'");
    }
    return m_impl->db.changes();
}

std::optional<ReminderRow> ReminderBook::claim(ReminderChannelKind channel, bool idempotent, TimePoint now,
                                               TimePoint lease_until) {
    sql::Transaction tx(m_impl->db);
    {
        // A lease that ended: the request never came back (or the process stopped).
        sql::Statement expire(m_impl->db, idempotent
                                              ? "UPDATE reminders SET state = 'pending' WHERE state = 'sending' AND "
                                                "next_attempt_at <= ? AND channel = ?"
                                              : "UPDATE reminders SET state = 'unknown', last_error = 'no answer from "
                                                "the channel; it may have been sent' WHERE state = 'sending' AND "
                                                "next_attempt_at <= ? AND channel = ?");
        expire.bind(1, ms(now)).bind(2, std::string(to_string(channel))).run();
    }
    sql::Statement due(m_impl->db, std::string("SELECT ") + kReminderColumns +
                                       " FROM reminders WHERE state = 'pending' AND next_attempt_at <= ? AND "
                                       "channel = ? ORDER BY next_attempt_at, case_no LIMIT 1");
    due.bind(1, ms(now)).bind(2, std::string(to_string(channel)));
    if (!due.step()) return std::nullopt;
    ReminderRow row = read_row(due);
    sql::Statement mark(m_impl->db,
                        "UPDATE reminders SET state = 'sending', attempts = attempts + 1, next_attempt_at = ? "
                        "WHERE case_no = ?");
    mark.bind(1, ms(lease_until)).bind(2, row.case_no).run();
    tx.commit();
    row.state = ReminderState::sending;
    row.attempts += 1;
    row.next_attempt_at = lease_until;
    return row;
}

void ReminderBook::mark_sent(const std::string& case_no, TimePoint at) {
    sql::Statement st(m_impl->db,
                      "UPDATE reminders SET state = 'sent', sent_at = ?, last_error = '' WHERE case_no = ?");
    st.bind(1, ms(at)).bind(2, case_no).run();
}

void ReminderBook::mark_retry(const std::string& case_no, const std::string& error, TimePoint next_attempt_at) {
    sql::Statement st(m_impl->db,
                      "UPDATE reminders SET state = 'pending', last_error = ?, next_attempt_at = ? WHERE case_no = ?");
    st.bind(1, error).bind(2, ms(next_attempt_at)).bind(3, case_no).run();
}

void ReminderBook::mark_final(const std::string& case_no, ReminderState state, const std::string& error) {
    sql::Statement st(m_impl->db, "UPDATE reminders SET state = ?, last_error = ? WHERE case_no = ?");
    st.bind(1, std::string(to_string(state))).bind(2, error).bind(3, case_no).run();
}

bool ReminderBook::mark_called(const std::string& case_no, TimePoint at) {
    sql::Statement st(m_impl->db,
                      "UPDATE reminders SET state = 'sent', sent_at = ?, last_error = '' WHERE case_no = ? AND "
                      "channel = 'call_list' AND state IN ('pending', 'unknown')");
    st.bind(1, ms(at)).bind(2, case_no).run();
    return m_impl->db.changes() > 0;
}

std::vector<ReminderRow> ReminderBook::list(const std::set<ReminderState>& states, int limit) const {
    std::vector<ReminderRow> out;
    sql::Statement st(m_impl->db,
                      std::string("SELECT ") + kReminderColumns + " FROM reminders ORDER BY due_at, case_no");
    while (st.step() && static_cast<int>(out.size()) < limit) {
        ReminderRow r = read_row(st);
        if (states.empty() || states.count(r.state) != 0) out.push_back(std::move(r));
    }
    return out;
}

std::map<ReminderState, long long> ReminderBook::counts() const {
    std::map<ReminderState, long long> out;
    sql::Statement st(m_impl->db, "SELECT state, count(*) FROM reminders GROUP BY state");
    while (st.step())
        if (auto s = parse_state(st.column_text(0))) out[*s] = st.column_int(1);
    return out;
}

void ReminderBook::record_default_basis(const std::string& rating_id, bool provisional, const std::string& years,
                                        TimePoint counted_from, TimePoint due_at) {
    sql::Statement st(m_impl->db,
                      "INSERT OR REPLACE INTO default_basis(rating_id, calendar, years, counted_from, due_at) "
                      "VALUES (?, ?, ?, ?, ?)");
    st.bind(1, rating_id).bind(2, std::string(provisional ? "provisional" : "notice")).bind(3, years);
    st.bind(4, ms(counted_from)).bind(5, ms(due_at)).run();
}

std::map<std::string, DefaultBasis> default_bases(const std::filesystem::path& store_path) {
    std::map<std::string, DefaultBasis> out;
    sql::Db db(store_path, sql::Db::Mode::read_only);
    if (schema::check_store_file(db, store_path, schema::SchemaAge::not_newer) < 5) return out;
    sql::Statement st(db, "SELECT rating_id, calendar, years, counted_from, due_at FROM default_basis");
    while (st.step()) {
        DefaultBasis b;
        b.provisional = st.column_text(1) == "provisional";
        b.years = st.column_text(2);
        b.counted_from = from_ms(st.column_int(3));
        b.due_at = from_ms(st.column_int(4));
        out.emplace(st.column_text(0), std::move(b));
    }
    return out;
}

UnratedRun process_unrated_cases(Store& store, ReminderBook& book, const RatingContext& ctx,
                                 const WorkCalendar& calendar, const UnratedPolicy& policy,
                                 std::optional<ReminderChannelKind> channel, TimePoint now) {
    UnratedRun run;
    const auto facts = book.facts();
    std::vector<std::pair<std::string, TimePoint>> to_file;
    const auto note_unofficial = [&](TimePoint from, TimePoint to) {
        for (int y : calendar.unofficial_years(china_date(from), china_date(to)))
            run.unofficial_years_pending.insert(y);
    };
    for (const Case& c : store.unrated_completed_cases()) {
        if (!c.completed_at) continue;
        std::optional<ReminderFact> fact;
        if (auto it = facts.find(c.case_no); it != facts.end()) fact = it->second;
        // A hall that files reminders waits for the outbox's facts; one without a channel plans.
        const bool reminded = fact.has_value();
        UnratedDeadlines d;
        try {
            d = unrated_deadlines(
                *c.completed_at, calendar, policy,
                channel ? (reminded ? fact : std::optional<ReminderFact>(ReminderFact{})) : std::nullopt);
        } catch (const Error& e) {
            run.failures.push_back(c.case_no + ": " + e.what());
            continue;
        }
        if (channel && !reminded) {
            if (now >= d.reminder_due) {
                to_file.emplace_back(c.case_no, d.reminder_due);
            } else {
                note_unofficial(*c.completed_at, d.reminder_due);
            }
        }
        if (!policy.default_level) continue;
        if (!d.default_due) {
            ++run.waiting_for_reminder;
            continue;
        }
        if (now < *d.default_due) {
            ++run.not_yet_due;
            note_unofficial(d.default_counted_from, *d.default_due);
            continue;
        }
        auto target = allowed_target(c, Stage::completed, Channel::system_default);
        if (!target) {
            run.failures.push_back(c.case_no + ": no rating target for a default rating");
            continue;
        }
        RatingDraft draft;
        draft.case_nos = {c.case_no};
        draft.stage = Stage::completed;
        draft.target = *target;
        draft.level = *policy.default_level;
        draft.channel = Channel::system_default;
        draft.tapped_at = now;  // when the hub recorded it; the deadline is kept in default_basis
        draft.is_default = true;
        auto r = store.record_rating(draft, ctx);
        if (!r) {
            if (r.error().violation != RuleViolation::already_rated)  // a batch member already covered
                run.failures.push_back(c.case_no + ": " + r.error().detail);
            continue;
        }
        ++run.defaults_recorded;
        std::string years;
        for (int y : calendar.unofficial_years(china_date(d.default_counted_from), china_date(*d.default_due)))
            years += (years.empty() ? "" : ",") + std::to_string(y);
        if (!years.empty()) ++run.provisional_defaults;
        try {
            book.record_default_basis(r.value().id, !years.empty(), years, d.default_counted_from, *d.default_due);
        } catch (const std::exception& e) {
            run.failures.push_back(c.case_no + ": default recorded, its calendar basis not: " + e.what());
        }
    }
    if (channel) {
        try {
            run.reminders_filed = book.file(to_file, *channel, now);
        } catch (const std::exception& e) {
            run.failures.push_back(std::string("reminders: ") + e.what());
        }
    }
    return run;
}

}  // namespace hcp

#include "hcp/store/store.hpp"

#include <sqlite3.h>
#include <sys/statvfs.h>

#include <algorithm>

#include "store/schema.hpp"

namespace hcp {

namespace {

std::int64_t to_ms(TimePoint t) {
    return t.time_since_epoch().count();
}
TimePoint from_ms(std::int64_t ms) {
    return TimePoint{std::chrono::milliseconds{ms}};
}

long long free_bytes(const std::filesystem::path& db_path) {
    auto dir = db_path.parent_path().empty() ? std::filesystem::path(".") : db_path.parent_path();
    struct statvfs st {};
    if (::statvfs(dir.c_str(), &st) != 0) return -1;
    return static_cast<long long>(st.f_bavail) * static_cast<long long>(st.f_frsize);
}

}  // namespace

std::string RecordFailure::message_zh() const {
    switch (cause) {
        case RecordFailureCause::rule_violation:
            return violation ? std::string(hcp::message_zh(*violation)) : "评价未能保存，请重试。";
        case RecordFailureCause::disk_nearly_full:
            return "设备存储空间不足，评价暂时无法保存。请联系大厅管理员清理空间，您也可以扫描回执上的二维码评价。";
        case RecordFailureCause::storage_error: return "评价未能保存，请稍后重试或联系大厅工作人员。";
    }
    return "";
}

struct Store::Impl {
    StoreOptions options;
    std::optional<SecretKey> personal_key;
    std::optional<SecretKey> chain_key;
    sql::Db db;

    Impl(const StoreOptions& opts, const std::optional<SecretKey>& master)
        : options(opts), db(opts.path, opts.read_only ? sql::Db::Mode::read_only : sql::Db::Mode::read_write_create) {
        if (master) {
            personal_key = master->derive(SecretKey::Purpose::personal_data);
            chain_key = master->derive(SecretKey::Purpose::chain_mac);
        }
    }
    std::string reveal(const Bytes& sealed) const {
        return personal_key ? open_sealed(*personal_key, sealed) : std::string();
    }

    std::optional<Case> find_case(const std::string& case_no) const;
    std::vector<Case> cases_where(const std::string& where, const std::string& arg) const;
    Case read_case(const sql::Statement& row) const;
};

namespace {

constexpr const char* kCaseColumns =
    "case_no, item_code, item_name, department, kind, stage, window, staff_number, staff_name, "
    "applicant_name, applicant_phone, applicant_id, batch_id, theme_id, accepted_at, completed_at";

int pragma_int(sql::Db& db, const char* pragma) {
    return static_cast<int>(sql::single_int(db, std::string("PRAGMA ") + pragma));
}

void check_and_migrate(sql::Db& db, const std::filesystem::path& path) {
    int app_id = 0;
    int user_version = 0;
    int tables = 0;
    try {
        app_id = pragma_int(db, "application_id");
        user_version = pragma_int(db, "user_version");
        sql::Statement st(db, "SELECT count(*) FROM sqlite_master");
        tables = st.step() ? static_cast<int>(st.column_int(0)) : 0;
    } catch (const sql::SqliteError& e) {
        if ((e.sqlite_code() & 0xff) == SQLITE_NOTADB)
            throw Error(Errc::not_a_store, path.string() + " is not an SQLite database; it was left untouched");
        throw;
    }
    if (tables > 0 && app_id != kStoreApplicationId)
        throw Error(Errc::not_a_store,
                    path.string() + " is an SQLite database of another program; it was left untouched");
    const int latest = schema::migrations().back().version;
    if (user_version > latest)
        throw Error(Errc::schema_too_new, path.string() + " has schema version " + std::to_string(user_version) +
                                              " from a newer hcp-kiosk; this release knows up to " +
                                              std::to_string(latest) +
                                              ". Install the newer release; the database is never migrated down.");
    for (const auto& m : schema::migrations()) {
        if (m.version <= user_version) continue;
        sql::Transaction tx(db);
        db.exec(m.sql);
        sql::Statement ins(db, "INSERT INTO schema_version(version, applied_at) VALUES (?, ?)");
        ins.bind(1, m.version).bind(2, to_ms(now())).run();
        db.exec("PRAGMA application_id = " + std::to_string(kStoreApplicationId));
        db.exec("PRAGMA user_version = " + std::to_string(m.version));
        tx.commit();
    }
}

}  // namespace

Store::Store(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Store::~Store() = default;
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;

Store Store::open(const StoreOptions& options, const SecretKey& key) {
    if (options.device_id.empty()) throw Error(Errc::invalid_argument, "store needs a device id");
    crypto_init();
    auto impl = std::make_unique<Impl>(options, key);
    sql::Db& db = impl->db;
    check_and_migrate(db, options.path);
    // WAL + FULL: a committed rating survives a crash or power cut (reference/anchors-reliability §1).
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(options.durability == Durability::full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF");
    db.exec("PRAGMA foreign_keys = ON");

    // The database remembers the fingerprint of its personal-data key so that opening it with
    // another key file fails at once instead of producing undecryptable rows.
    std::string fp = impl->personal_key->fingerprint();
    sql::Transaction tx(db);
    sql::Statement get(db, "SELECT value FROM meta WHERE key = 'key_fingerprint'");
    if (get.step()) {
        std::string stored = get.column_text(0);
        if (stored != fp)
            throw Error(Errc::key_invalid, "database " + options.path.string() +
                                               " was created with another key file (fingerprint " + stored +
                                               ", this key " + fp + "); use the key file it was created with");
    } else {
        sql::Statement put(db, "INSERT INTO meta(key, value) VALUES ('key_fingerprint', ?), ('device_id', ?)");
        put.bind(1, fp).bind(2, options.device_id).run();
    }
    tx.commit();
    return Store(std::move(impl));
}

Store Store::open_read_only(const std::filesystem::path& path, const std::optional<SecretKey>& key) {
    if (!std::filesystem::exists(path)) throw Error(Errc::io_failure, path.string() + " does not exist");
    crypto_init();
    StoreOptions options;
    options.path = path;
    options.read_only = true;
    auto impl = std::make_unique<Impl>(options, key);
    sql::Db& db = impl->db;
    schema::check_store_file(db, path, schema::SchemaAge::current);
    sql::Statement meta(db, "SELECT key, value FROM meta WHERE key IN ('device_id', 'key_fingerprint')");
    while (meta.step()) {
        std::string k = meta.column_text(0), v = meta.column_text(1);
        if (k == "device_id") impl->options.device_id = v;
        if (k == "key_fingerprint" && impl->personal_key && impl->personal_key->fingerprint() != v)
            throw Error(Errc::key_invalid, path.string() + " was created with another key file (fingerprint " + v +
                                               ", this key " + impl->personal_key->fingerprint() + ")");
    }
    return Store(std::move(impl));
}

int Store::schema_version() const {
    return pragma_int(m_impl->db, "user_version");
}
const std::string& Store::device_id() const noexcept {
    return m_impl->options.device_id;
}

void Store::save_case(const Case& c) {
    if (c.case_no.empty()) throw Error(Errc::invalid_argument, "case without 办件编号");
    auto& db = m_impl->db;
    if (m_impl->options.read_only) throw Error(Errc::invalid_argument, "store opened read-only");
    const auto& k = *m_impl->personal_key;
    sql::Transaction tx(db);
    sql::Statement st(db,
                      "INSERT INTO cases(case_no, item_code, item_name, department, kind, stage, window, "
                      "staff_number, staff_name, applicant_name, applicant_phone, applicant_id, batch_id, "
                      "theme_id, accepted_at, completed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                      "ON CONFLICT(case_no) DO UPDATE SET item_code=excluded.item_code, "
                      "item_name=excluded.item_name, department=excluded.department, kind=excluded.kind, "
                      "stage=excluded.stage, window=excluded.window, staff_number=excluded.staff_number, "
                      "staff_name=excluded.staff_name, applicant_name=excluded.applicant_name, "
                      "applicant_phone=excluded.applicant_phone, applicant_id=excluded.applicant_id, "
                      "batch_id=excluded.batch_id, theme_id=excluded.theme_id, "
                      "accepted_at=excluded.accepted_at, completed_at=excluded.completed_at");
    st.bind(1, c.case_no).bind(2, c.item.code).bind(3, c.item.name).bind(4, c.item.department);
    st.bind(5, to_string(c.kind)).bind(6, to_string(c.stage)).bind(7, c.window);
    st.bind(8, c.staff.number).bind(9, c.staff.name);
    st.bind_blob(10, seal(k, c.applicant.name.reveal()));
    st.bind_blob(11, seal(k, c.applicant.phone.reveal()));
    st.bind_blob(12, seal(k, c.applicant.id_number.reveal()));
    if (c.batch_id)
        st.bind(13, *c.batch_id);
    else
        st.bind_null(13);
    if (c.theme_id)
        st.bind(14, *c.theme_id);
    else
        st.bind_null(14);
    st.bind(15, to_ms(c.accepted_at));
    if (c.completed_at)
        st.bind(16, to_ms(*c.completed_at));
    else
        st.bind_null(16);
    st.run();
    tx.commit();
}

Case Store::Impl::read_case(const sql::Statement& row) const {
    Case c;
    c.case_no = row.column_text(0);
    c.item.code = row.column_text(1);
    c.item.name = row.column_text(2);
    c.item.department = row.column_text(3);
    c.kind = parse_case_kind(row.column_text(4)).value_or(CaseKind::other);
    c.stage = parse_stage(row.column_text(5)).value_or(Stage::accepted);
    c.window = static_cast<int>(row.column_int(6));
    c.staff.number = row.column_text(7);
    c.staff.name = row.column_text(8);
    c.applicant.name = PersonalField(PersonalKind::name, reveal(row.column_blob(9)));
    c.applicant.phone = PersonalField(PersonalKind::phone, reveal(row.column_blob(10)));
    c.applicant.id_number = PersonalField(PersonalKind::id_number, reveal(row.column_blob(11)));
    if (!row.column_null(12)) c.batch_id = row.column_text(12);
    if (!row.column_null(13)) c.theme_id = row.column_text(13);
    c.accepted_at = from_ms(row.column_int(14));
    if (!row.column_null(15)) c.completed_at = from_ms(row.column_int(15));
    return c;
}

std::optional<Case> Store::Impl::find_case(const std::string& case_no) const {
    sql::Statement st(db, std::string("SELECT ") + kCaseColumns + " FROM cases WHERE case_no = ?");
    st.bind(1, case_no);
    if (!st.step()) return std::nullopt;
    return read_case(st);
}

std::vector<Case> Store::Impl::cases_where(const std::string& where, const std::string& arg) const {
    sql::Statement st(db, std::string("SELECT ") + kCaseColumns + " FROM cases WHERE " + where + " ORDER BY case_no");
    if (!arg.empty()) st.bind(1, arg);
    std::vector<Case> out;
    while (st.step()) out.push_back(read_case(st));
    return out;
}

std::optional<Case> Store::find_case(const std::string& case_no) const {
    return m_impl->find_case(case_no);
}

std::vector<Case> Store::batch_members(const std::string& batch_id) const {
    return m_impl->cases_where("batch_id = ?", batch_id);
}

bool Store::slot_taken(const RatingSlot& slot) const {
    sql::Statement st(m_impl->db, "SELECT 1 FROM rating_slots WHERE case_no = ? AND stage = ? AND target = ?");
    st.bind(1, slot.case_no).bind(2, to_string(slot.stage)).bind(3, to_string(slot.target));
    return st.step();
}

std::string Store::default_calendar(const std::string& rating_id) const {
    sql::Statement st(m_impl->db, "SELECT calendar, years FROM default_basis WHERE rating_id = ?");
    st.bind(1, rating_id);
    if (!st.step()) return {};
    const std::string years = st.column_text(1);
    return st.column_text(0) + (years.empty() ? std::string() : " " + years);
}

Result<Rating, RecordFailure> Store::record_rating(const RatingDraft& draft, const RatingContext& ctx) {
    auto& impl = *m_impl;
    if (impl.options.read_only) throw Error(Errc::invalid_argument, "store opened read-only");
    // Check free space first: on a full disk the WAL cannot even checkpoint, so refuse early
    // with a message rather than meet SQLITE_FULL mid-transaction.
    long long free = free_bytes(impl.options.path);
    if (free >= 0 && free < impl.options.min_free_bytes) {
        return RecordFailure{
            RecordFailureCause::disk_nearly_full, std::nullopt,
            std::to_string(free) + " bytes free, reserve " + std::to_string(impl.options.min_free_bytes)};
    }
    try {
        sql::Transaction tx(impl.db);
        RuleContext rules{ctx.catalog, [&](const std::string& no) { return impl.find_case(no); },
                          [&](const std::string& batch) { return impl.cases_where("batch_id = ?", batch); },
                          [&](const RatingSlot& s) { return slot_taken(s); }};
        RuleCheck check = check_rating(draft, rules);
        if (!check) return RecordFailure{RecordFailureCause::rule_violation, check.violation, check.detail};

        const Case first = *impl.find_case(check.case_nos.front());
        ChainHead head = chain_head();
        // A chain head this large was written by something other than this store: refuse
        // rather than overflow the sequence.
        if (head.seq < 0 || head.seq >= (1LL << 53))
            return RecordFailure{RecordFailureCause::storage_error, std::nullopt,
                                 "chain head seq " + std::to_string(head.seq) + " is out of range"};

        Rating r;
        r.id = uuid_v4();
        r.device_id = impl.options.device_id;
        r.seq = head.seq + 1;
        r.case_nos = check.case_nos;
        r.stage = draft.stage;
        r.target = draft.target;
        r.level = draft.level;
        for (const auto& code : draft.option_codes) {
            if (std::find(r.option_codes.begin(), r.option_codes.end(), code) != r.option_codes.end()) continue;
            r.option_codes.push_back(code);
            r.option_labels.push_back(ctx.catalog.find(code)->label);
        }
        r.text = draft.text;
        r.channel = draft.channel;
        r.tapped_at = draft.tapped_at;
        r.catalog_id = ctx.catalog.id();
        r.catalog_version = ctx.catalog.version();
        r.is_public = draft.is_public;
        r.is_default = draft.is_default;
        r.hall_code = ctx.hall.code;
        r.area_code = ctx.hall.area_code;
        r.item_code = first.item.code;
        r.item_name = first.item.name;
        r.kind = first.kind;
        r.window = first.window;
        if (covers_staff(draft.target)) {
            r.staff_number = first.staff.number;
            r.staff_name = first.staff.name;
        }
        r.prev_hash = head.hash;
        r.hash = chain_hash(r.prev_hash, r);
        r.mac = hmac_sha256_hex(*impl.chain_key, r.hash);

        schema::insert_rating(impl.db, r, check.slots, impl.options.outbox_target);
        sql::Statement headst(impl.db,
                              "INSERT INTO chain_heads(device_id, seq, hash) VALUES (?,?,?) "
                              "ON CONFLICT(device_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash");
        headst.bind(1, r.device_id).bind(2, static_cast<std::int64_t>(r.seq)).bind(3, r.hash).run();
        tx.commit();
        return r;
    } catch (const sql::SqliteError& e) {
        if (e.disk_full()) return RecordFailure{RecordFailureCause::disk_nearly_full, std::nullopt, e.what()};
        return RecordFailure{RecordFailureCause::storage_error, std::nullopt, e.what()};
    }
}

std::vector<std::string> Store::damage(Check depth) const {
    std::vector<std::string> out;
    const auto& db = m_impl->db;
    try {
        if (depth == Check::full) {
            sql::Statement qc(db, "PRAGMA quick_check");
            while (qc.step()) {
                std::string line = qc.column_text(0);
                if (line != "ok") out.push_back("quick_check: " + line);
                if (out.size() >= 10) break;
            }
            if (!out.empty()) return out;  // the invariants below would read broken pages
            const bool superseded = sql::single_int(db,
                                                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                                    "AND name = 'superseded_ratings'") != 0;
            const std::string links = superseded ? "SELECT device_id, seq FROM ratings UNION ALL "
                                                   "SELECT device_id, seq FROM superseded_ratings"
                                                 : "SELECT device_id, seq FROM ratings";
            sql::Statement heads(db, "SELECT l.device_id, max(l.seq), h.seq FROM (" + links +
                                         ") l LEFT JOIN chain_heads h ON h.device_id = l.device_id "
                                         "GROUP BY l.device_id");
            while (heads.step()) {
                const std::string device = heads.column_text(0);
                if (heads.column_null(2))
                    out.push_back("device " + device + " has ratings but no chain head (table chain_heads)");
                else if (heads.column_int(2) < heads.column_int(1))
                    out.push_back("the chain head of device " + device + " (seq " +
                                  std::to_string(heads.column_int(2)) + ") is behind its newest rating (seq " +
                                  std::to_string(heads.column_int(1)) + ")");
            }
            const auto orphans = sql::single_int(
                db, "SELECT count(*) FROM rating_slots WHERE rating_id NOT IN (SELECT id FROM ratings)");
            if (orphans > 0)
                out.push_back(std::to_string(orphans) + " rating slot(s) held by ratings that do not exist");
            return out;
        }
        sql::Statement newest(db, "SELECT max(seq) FROM ratings WHERE device_id = ?");
        newest.bind(1, m_impl->options.device_id);
        const long long last = newest.step() && !newest.column_null(0) ? newest.column_int(0) : 0;
        sql::Statement head(db, "SELECT seq FROM chain_heads WHERE device_id = ?");
        head.bind(1, m_impl->options.device_id);
        if (!head.step()) {
            if (last > 0) out.push_back("this device's chain head is missing (table chain_heads)");
        } else if (head.column_int(0) < last) {
            out.push_back("this device's chain head is behind its newest rating");
        }
    } catch (const Error& e) {
        out.push_back(std::string("store unreadable: ") + e.what());
    }
    return out;
}

ChainHead Store::chain_head() const {
    sql::Statement st(m_impl->db, "SELECT seq, hash FROM chain_heads WHERE device_id = ?");
    st.bind(1, m_impl->options.device_id);
    ChainHead head;
    if (st.step()) {
        head.seq = st.column_int(0);
        head.hash = st.column_text(1);
    }
    return head;
}

long long Store::rating_count() const {
    sql::Statement st(m_impl->db, "SELECT count(*) FROM ratings");
    return st.step() ? st.column_int(0) : 0;
}

std::optional<Rating> Store::find_rating(const std::string& id) const {
    sql::Statement st(m_impl->db, std::string("SELECT ") + schema::kRatingColumns + " FROM ratings WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return schema::read_rating(st);
}

std::vector<Rating> Store::ratings_between(TimePoint from, TimePoint to) const {
    sql::Statement st(m_impl->db, std::string("SELECT ") + schema::kRatingColumns +
                                      " FROM ratings WHERE tapped_at >= ? AND tapped_at < ? ORDER BY device_id, seq");
    st.bind(1, to_ms(from)).bind(2, to_ms(to));
    std::vector<Rating> out;
    while (st.step()) out.push_back(schema::read_rating(st));
    return out;
}

std::vector<OutboxEntry> Store::outbox(std::optional<OutboxState> state) const {
    std::string q = "SELECT rating_id, target, attempts, next_attempt_at, last_error, state FROM outbox";
    if (state) q += " WHERE state = ?";
    q += " ORDER BY next_attempt_at, rowid";
    sql::Statement st(m_impl->db, q);
    if (state) st.bind(1, to_string(*state));
    std::vector<OutboxEntry> out;
    while (st.step()) {
        OutboxEntry e;
        e.rating_id = st.column_text(0);
        e.target = st.column_text(1);
        e.attempts = static_cast<int>(st.column_int(2));
        e.next_attempt_at = from_ms(st.column_int(3));
        e.last_error = st.column_text(4);
        e.state = parse_outbox_state(st.column_text(5)).value_or(OutboxState::pending);
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<Case> Store::unrated_completed_cases() const {
    return m_impl->cases_where(
        "completed_at IS NOT NULL AND stage = 'completed' AND NOT EXISTS (SELECT 1 FROM rating_slots s "
        "WHERE s.case_no = cases.case_no AND s.stage = 'completed')",
        "");
}

}  // namespace hcp

// Ratings recorded by another device, inserted as they were recorded (see store_forward.hpp).
// A second SQLite connection on the same file: Store's internals stay private to store.cpp and
// SQLite's locking (BEGIN IMMEDIATE, busy timeout) orders the two writers.
#include "hcp/store/forward.hpp"

#include "hcp/store/store.hpp"
#include "store/schema.hpp"

namespace hcp {

namespace {
std::int64_t to_ms(TimePoint t) { return t.time_since_epoch().count(); }
}  // namespace

struct ForwardStore::Impl {
    sql::Db db;
    explicit Impl(const std::filesystem::path& p) : db(p, sql::Db::Mode::read_write_create) {
        sql::Statement st(db, "PRAGMA application_id");
        if (!st.step() || st.column_int(0) != schema::kApplicationId)
            throw Error(Errc::not_a_store, p.string() + " is not an hcp-kiosk store (open it with Store::open first)");
    }
};

ForwardStore::ForwardStore(const std::filesystem::path& database) : m_impl(std::make_unique<Impl>(database)) {}
ForwardStore::~ForwardStore() = default;
ForwardStore::ForwardStore(ForwardStore&&) noexcept = default;
ForwardStore& ForwardStore::operator=(ForwardStore&&) noexcept = default;

Result<ForwardOutcome, ForwardFailure> ForwardStore::insert_forwarded(const Rating& r,
                                                                     const std::string& outbox_target) {
    auto fail = [](ForwardFailureCause c, std::string d) { return ForwardFailure{c, std::move(d)}; };
    if (r.id.empty() || r.device_id.empty() || r.seq < 1 || r.case_nos.empty() || r.hash.size() != 64 ||
        r.prev_hash.size() != 64)
        return fail(ForwardFailureCause::invalid, "rating without id, device, seq, cases or hashes");
    if (chain_hash(r.prev_hash, r) != r.hash)
        return fail(ForwardFailureCause::invalid, "hash of rating " + r.id + " does not match its content");
    if (r.option_codes.size() != r.option_labels.size())
        return fail(ForwardFailureCause::invalid, "option codes and labels differ in number");
    auto& db = m_impl->db;
    try {
        sql::Transaction tx(db);
        {
            sql::Statement dup(db, "SELECT device_id, seq, hash FROM ratings WHERE id = ?");
            dup.bind(1, r.id);
            if (dup.step()) {
                if (dup.column_text(0) != r.device_id || dup.column_int(1) != r.seq || dup.column_text(2) != r.hash)
                    return fail(ForwardFailureCause::invalid, "rating id " + r.id + " is already used by another rating");
                return ForwardOutcome::duplicate;
            }
        }
        {
            sql::Statement same_seq(db, "SELECT id FROM ratings WHERE device_id = ? AND seq = ?");
            same_seq.bind(1, r.device_id).bind(2, static_cast<std::int64_t>(r.seq));
            if (same_seq.step())
                return fail(ForwardFailureCause::invalid,
                            "device " + r.device_id + " seq " + std::to_string(r.seq) + " is already another rating");
        }
        std::vector<RatingSlot> slots;
        for (const auto& no : r.case_nos) {
            sql::Statement c(db, "SELECT 1 FROM cases WHERE case_no = ?");
            c.bind(1, no);
            if (!c.step()) return fail(ForwardFailureCause::unknown_case, "unknown case " + no);
            if (covers_item(r.target)) slots.push_back({no, r.stage, RatingTarget::item});
            if (covers_staff(r.target)) slots.push_back({no, r.stage, RatingTarget::staff});
        }
        for (const auto& s : slots) {
            sql::Statement taken(db, "SELECT rating_id FROM rating_slots WHERE case_no = ? AND stage = ? AND target = ?");
            taken.bind(1, s.case_no).bind(2, to_string(s.stage)).bind(3, to_string(s.target));
            if (taken.step())
                return fail(ForwardFailureCause::already_rated,
                            "case " + s.case_no + " " + std::string(to_string(s.stage)) + "/" +
                                std::string(to_string(s.target)) + " is held by rating " + taken.column_text(0));
        }
        sql::Statement ins(db, std::string("INSERT INTO ratings(") + schema::kRatingColumns +
                                   ", recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        ins.bind(1, r.id).bind(2, r.device_id).bind(3, static_cast<std::int64_t>(r.seq));
        ins.bind(4, schema::join_list(r.case_nos)).bind(5, to_string(r.stage)).bind(6, to_string(r.target));
        ins.bind(7, to_int(r.level)).bind(8, schema::join_list(r.option_codes));
        ins.bind(9, schema::join_list(r.option_labels)).bind(10, r.text).bind(11, to_string(r.channel));
        ins.bind(12, to_ms(r.tapped_at)).bind(13, r.catalog_id).bind(14, r.catalog_version);
        ins.bind(15, r.is_public ? 1 : 0).bind(16, r.is_default ? 1 : 0).bind(17, r.hall_code);
        ins.bind(18, r.area_code).bind(19, r.item_code).bind(20, r.item_name).bind(21, to_string(r.kind));
        ins.bind(22, r.window).bind(23, r.staff_number).bind(24, r.staff_name).bind(25, r.prev_hash);
        ins.bind(26, r.hash).bind(27, r.mac).bind(28, to_ms(now()));
        ins.run();
        sql::Statement slot(db, "INSERT INTO rating_slots(case_no, stage, target, rating_id) VALUES (?,?,?,?)");
        for (const auto& s : slots) {
            slot.reset();
            slot.bind(1, s.case_no).bind(2, to_string(s.stage)).bind(3, to_string(s.target)).bind(4, r.id).run();
        }
        sql::Statement out(db, "INSERT INTO outbox(rating_id, target, state, attempts, next_attempt_at) "
                               "VALUES (?, ?, 'pending', 0, ?)");
        out.bind(1, r.id).bind(2, outbox_target).bind(3, to_ms(now())).run();
        // The sending device's chain head moves forward only: ratings arrive in seq order, and a
        // late straggler must not move it back.
        sql::Statement head(db, "INSERT INTO chain_heads(device_id, seq, hash) VALUES (?,?,?) "
                                "ON CONFLICT(device_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash "
                                "WHERE excluded.seq > chain_heads.seq");
        head.bind(1, r.device_id).bind(2, static_cast<std::int64_t>(r.seq)).bind(3, r.hash).run();
        tx.commit();
        return ForwardOutcome::inserted;
    } catch (const Error& e) {
        return fail(ForwardFailureCause::storage_error, e.what());
    }
}

}  // namespace hcp

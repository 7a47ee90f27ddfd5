// Ratings recorded by another device, inserted as they were recorded (see store_forward.hpp).
// A second SQLite connection on the same file: Store's internals stay private to store.cpp and
// SQLite's locking (BEGIN IMMEDIATE, busy timeout) orders the two writers.
#include "hcp/store/forward.hpp"

#include "hcp/store/store.hpp"
#include "store/schema.hpp"

namespace hcp {

struct ForwardStore::Impl {
    sql::Db db;
    explicit Impl(const std::filesystem::path& p) : db(p, sql::Db::Mode::read_write_create) {
        schema::check_store_file(db, p, schema::SchemaAge::not_newer);
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
                    return fail(ForwardFailureCause::invalid,
                                "rating id " + r.id + " is already used by another rating");
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
            sql::Statement taken(db,
                                 "SELECT rating_id FROM rating_slots WHERE case_no = ? AND stage = ? AND target = ?");
            taken.bind(1, s.case_no).bind(2, to_string(s.stage)).bind(3, to_string(s.target));
            if (taken.step())
                return fail(ForwardFailureCause::already_rated,
                            "case " + s.case_no + " " + std::string(to_string(s.stage)) + "/" +
                                std::string(to_string(s.target)) + " is held by rating " + taken.column_text(0));
        }
        schema::insert_rating(db, r, slots, outbox_target);
        // The sending device's chain head moves forward only: ratings arrive in seq order, and a
        // late straggler must not move it back.
        sql::Statement head(db,
                            "INSERT INTO chain_heads(device_id, seq, hash) VALUES (?,?,?) "
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

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
            sql::Statement dup(db,
                               "SELECT device_id, seq, hash, NULL FROM ratings WHERE id = ?1 UNION ALL "
                               "SELECT device_id, seq, hash, superseded_by FROM superseded_ratings WHERE id = ?1");
            dup.bind(1, r.id);
            if (dup.step()) {
                if (dup.column_text(0) != r.device_id || dup.column_int(1) != r.seq || dup.column_text(2) != r.hash)
                    return fail(ForwardFailureCause::invalid,
                                "rating id " + r.id + " is already used by another rating");
                // Sent again after a lost reply: the same answer as the first time.
                if (!dup.column_null(3))
                    return fail(ForwardFailureCause::already_rated,
                                "rating " + r.id + " is kept as superseded by rating " + dup.column_text(3));
                return ForwardOutcome::duplicate;
            }
        }
        {
            sql::Statement same_seq(db,
                                    "SELECT id FROM ratings WHERE device_id = ?1 AND seq = ?2 UNION ALL "
                                    "SELECT id FROM superseded_ratings WHERE device_id = ?1 AND seq = ?2");
            same_seq.bind(1, r.device_id).bind(2, static_cast<std::int64_t>(r.seq));
            if (same_seq.step())
                return fail(ForwardFailureCause::invalid,
                            "device " + r.device_id + " seq " + std::to_string(r.seq) + " is already another rating");
        }
        {
            // Only the next link of the device's chain: a forger cannot jump the sequence (and
            // overflow it), and the chain here stays gapless.
            sql::Statement head(db, "SELECT seq, hash FROM chain_heads WHERE device_id = ?");
            head.bind(1, r.device_id);
            std::int64_t head_seq = 0;
            std::string head_hash(64, '0');
            if (head.step()) {
                head_seq = head.column_int(0);
                head_hash = head.column_text(1);
            }
            if (r.seq != head_seq + 1)
                return fail(ForwardFailureCause::out_of_order, "device " + r.device_id + " seq " +
                                                                   std::to_string(r.seq) + " is not the next link (" +
                                                                   std::to_string(head_seq + 1) + " expected)");
            if (r.prev_hash != head_hash)
                return fail(ForwardFailureCause::invalid, "device " + r.device_id + " seq " + std::to_string(r.seq) +
                                                              " does not link to the device's previous rating");
        }
        std::vector<RatingSlot> slots;
        for (const auto& no : r.case_nos) {
            sql::Statement c(db, "SELECT 1 FROM cases WHERE case_no = ?");
            c.bind(1, no);
            if (!c.step()) return fail(ForwardFailureCause::unknown_case, "unknown case " + no);
            if (covers_item(r.target)) slots.push_back({no, r.stage, RatingTarget::item});
            if (covers_staff(r.target)) slots.push_back({no, r.stage, RatingTarget::staff});
        }
        auto move_head = [&] {
            sql::Statement head(db,
                                "INSERT INTO chain_heads(device_id, seq, hash) VALUES (?,?,?) "
                                "ON CONFLICT(device_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash");
            head.bind(1, r.device_id).bind(2, static_cast<std::int64_t>(r.seq)).bind(3, r.hash).run();
        };
        for (const auto& s : slots) {
            sql::Statement taken(db,
                                 "SELECT rating_id FROM rating_slots WHERE case_no = ? AND stage = ? AND target = ?");
            taken.bind(1, s.case_no).bind(2, to_string(s.stage)).bind(3, to_string(s.target));
            if (taken.step()) {
                const std::string holder = taken.column_text(0);
                // The citizen rated twice (terminal offline, then QR or the hub): the first to
                // reach the hub counts; this link is kept as superseded so the chain stays whole.
                schema::insert_superseded(db, r, holder);
                move_head();
                tx.commit();
                return fail(ForwardFailureCause::already_rated,
                            "case " + s.case_no + " " + std::string(to_string(s.stage)) + "/" +
                                std::string(to_string(s.target)) + " is held by rating " + holder +
                                "; kept as a superseded link");
            }
        }
        schema::insert_rating(db, r, slots, outbox_target);
        move_head();
        tx.commit();
        return ForwardOutcome::inserted;
    } catch (const Error& e) {
        return fail(ForwardFailureCause::storage_error, e.what());
    }
}

}  // namespace hcp

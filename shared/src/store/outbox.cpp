// The upload side of the outbox (hcp/store_outbox.hpp, docs/sync.md). A separate SQLite
// connection on the store file: the uploader thread owns it, the rating path keeps its own.
#include "hcp/store/outbox.hpp"

#include <algorithm>
#include <sstream>

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

// Keys of the meta table that remember the last attempt across restarts.
constexpr const char* kMetaLastError = "upload.last_error";
constexpr const char* kMetaLastErrorAt = "upload.last_error_at";
constexpr const char* kMetaLastSuccessAt = "upload.last_success_at";

}  // namespace

struct OutboxQueue::Impl {
    sql::Db db;
    std::string target;
    Impl(const std::filesystem::path& path, std::string t)
        : db(path, sql::Db::Mode::read_write_create), target(std::move(t)) {}

    void put_meta(const char* key, const std::string& value) {
        sql::Statement st(db,
                          "INSERT INTO meta(key, value) VALUES (?, ?) "
                          "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        st.bind(1, key).bind(2, value).run();
    }
    std::optional<std::string> get_meta(const char* key) const {
        sql::Statement st(db, "SELECT value FROM meta WHERE key = ?");
        st.bind(1, key);
        if (st.step()) return st.column_text(0);
        return std::nullopt;
    }
};

OutboxQueue::OutboxQueue(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
OutboxQueue::~OutboxQueue() = default;
OutboxQueue::OutboxQueue(OutboxQueue&&) noexcept = default;
OutboxQueue& OutboxQueue::operator=(OutboxQueue&&) noexcept = default;

OutboxQueue OutboxQueue::open(const std::filesystem::path& path, std::string target) {
    if (!std::filesystem::exists(path)) throw Error(Errc::io_failure, path.string() + " does not exist");
    auto impl = std::make_unique<Impl>(path, std::move(target));
    schema::check_store_file(impl->db, path, schema::SchemaAge::current);
    // The rating path sets WAL + FULL on its connection; synchronous is per connection, so the
    // outbox connection sets FULL too: an ack that was recorded survives a power cut.
    impl->db.exec("PRAGMA synchronous = FULL");
    return OutboxQueue(std::move(impl));
}

long long OutboxQueue::requeue_in_flight(TimePoint now) {
    sql::Statement st(m_impl->db,
                      "UPDATE outbox SET state = 'pending', next_attempt_at = ? "
                      "WHERE target = ? AND state = 'sent'");
    st.bind(1, ms(now)).bind(2, m_impl->target).run();
    return m_impl->db.changes();
}

long long OutboxQueue::reschedule_due_after(TimePoint later_than, TimePoint now) {
    sql::Statement st(m_impl->db,
                      "UPDATE outbox SET state = 'pending', next_attempt_at = ? "
                      "WHERE target = ? AND state IN ('pending', 'sent') AND next_attempt_at > ?");
    st.bind(1, ms(now)).bind(2, m_impl->target).bind(3, ms(later_than)).run();
    return m_impl->db.changes();
}

OutboxBatch OutboxQueue::claim(int max, TimePoint now, TimePoint lease_until) {
    OutboxBatch batch;
    if (max <= 0) return batch;
    sql::Transaction tx(m_impl->db);
    // Expired leases (a request that never came back, a crash) are plain due rows again.
    {
        sql::Statement expire(m_impl->db,
                              "UPDATE outbox SET state = 'pending' WHERE state = 'sent' "
                              "AND next_attempt_at <= ? AND target = ?");
        expire.bind(1, ms(now)).bind(2, m_impl->target).run();
    }
    // Strictly in order (§4: an offline hall sends in order): the oldest not-uploaded row is the
    // head; the batch is its device's rows from there, in insertion order, up to the first that
    // is not due. A head waiting out its backoff holds back everything behind it, so a newer
    // rating never overtakes an older failed one. MIN(rowid) is read through the
    // (state, next_attempt_at) index and the rows from there by rowid: the cost is the pending
    // rows and the batch, never the acknowledged history.
    std::vector<std::string> ids;
    {
        sql::Statement head(m_impl->db, "SELECT MIN(rowid) FROM outbox WHERE state = 'pending' AND target = ?");
        head.bind(1, m_impl->target);
        if (!head.step() || head.column_null(0)) return batch;
        const long long from = head.column_int(0);
        sql::Statement in_order(m_impl->db,
                                "SELECT o.rating_id, o.next_attempt_at, r.device_id FROM outbox o "
                                "JOIN ratings r ON r.id = o.rating_id WHERE o.rowid >= ? AND o.target = ? "
                                "AND o.state = 'pending' ORDER BY o.rowid LIMIT ?");
        in_order.bind(1, from).bind(2, m_impl->target).bind(3, max);
        std::string device;
        while (in_order.step()) {
            const std::string row_device = in_order.column_text(2);
            if (device.empty()) device = row_device;
            if (row_device != device) continue;
            if (in_order.column_int(1) > ms(now)) break;
            ids.push_back(in_order.column_text(0));
        }
    }
    if (ids.empty()) return batch;  // rolls back (nothing changed that matters)
    sql::Statement get(m_impl->db, std::string("SELECT ") + schema::kRatingColumns + " FROM ratings WHERE id = ?");
    std::vector<Rating> rows;
    for (const auto& id : ids) {
        get.bind(1, id);
        if (get.step()) rows.push_back(schema::read_rating(get));
        get.reset();
    }
    if (rows.empty()) return batch;
    // One device per batch (the body names one device and its chain head), in chain order.
    batch.device_id = rows.front().device_id;
    for (auto& r : rows)
        if (r.device_id == batch.device_id) batch.ratings.push_back(std::move(r));
    std::sort(batch.ratings.begin(), batch.ratings.end(),
              [](const Rating& a, const Rating& b) { return a.seq < b.seq; });
    {
        sql::Statement head(m_impl->db, "SELECT seq, hash FROM chain_heads WHERE device_id = ?");
        head.bind(1, batch.device_id);
        if (head.step()) {
            batch.chain_head.seq = head.column_int(0);
            batch.chain_head.hash = head.column_text(1);
        }
    }
    sql::Statement mark(m_impl->db,
                        "UPDATE outbox SET state = 'sent', next_attempt_at = ? "
                        "WHERE rating_id = ? AND target = ?");
    for (const auto& r : batch.ratings) {
        mark.bind(1, ms(lease_until)).bind(2, r.id).bind(3, m_impl->target).run();
        mark.reset();
    }
    tx.commit();
    return batch;
}

std::optional<TimePoint> OutboxQueue::next_due() const {
    // The head's due time: rows behind it wait for it (claim sends in order).
    sql::Statement st(m_impl->db,
                      "SELECT next_attempt_at FROM outbox WHERE rowid = (SELECT MIN(o.rowid) FROM outbox o "
                      "JOIN ratings r ON r.id = o.rating_id WHERE o.target = ? AND o.state IN ('pending', 'sent'))");
    st.bind(1, m_impl->target);
    if (st.step() && !st.column_null(0)) return from_ms(st.column_int(0));
    return std::nullopt;
}

void OutboxQueue::mark_acked(const std::vector<std::string>& ids, TimePoint at) {
    if (ids.empty()) return;
    sql::Transaction tx(m_impl->db);
    sql::Statement st(m_impl->db,
                      "UPDATE outbox SET state = 'acked', last_error = '', attempts = attempts + 1, "
                      "next_attempt_at = ? WHERE rating_id = ? AND target = ? AND state != 'acked'");
    for (const auto& id : ids) {
        st.bind(1, ms(at)).bind(2, id).bind(3, m_impl->target).run();
        st.reset();
    }
    tx.commit();
}

void OutboxQueue::mark_rejected(const std::string& id, const std::string& reason, TimePoint at) {
    sql::Statement st(m_impl->db,
                      "UPDATE outbox SET state = 'rejected', last_error = ?, attempts = attempts + 1, "
                      "next_attempt_at = ? WHERE rating_id = ? AND target = ? AND state != 'acked'");
    st.bind(1, reason.empty() ? std::string("rejected without a reason") : reason)
        .bind(2, ms(at))
        .bind(3, id)
        .bind(4, m_impl->target)
        .run();
}

void OutboxQueue::mark_retry(const std::vector<std::string>& ids, const std::string& error, TimePoint next_attempt_at) {
    if (ids.empty()) return;
    sql::Transaction tx(m_impl->db);
    sql::Statement st(m_impl->db,
                      "UPDATE outbox SET state = 'pending', last_error = ?, attempts = attempts + 1, "
                      "next_attempt_at = ? WHERE rating_id = ? AND target = ? "
                      "AND state IN ('pending', 'sent')");
    for (const auto& id : ids) {
        st.bind(1, error).bind(2, ms(next_attempt_at)).bind(3, id).bind(4, m_impl->target).run();
        st.reset();
    }
    tx.commit();
}

void OutboxQueue::note_success(TimePoint at) {
    sql::Transaction tx(m_impl->db);
    m_impl->put_meta(kMetaLastSuccessAt, std::to_string(ms(at)));
    m_impl->put_meta(kMetaLastError, "");
    tx.commit();
}

void OutboxQueue::note_error(const std::string& error, TimePoint at) {
    sql::Transaction tx(m_impl->db);
    m_impl->put_meta(kMetaLastError, error);
    m_impl->put_meta(kMetaLastErrorAt, std::to_string(ms(at)));
    tx.commit();
}

SyncState OutboxQueue::sync_state() const {
    SyncState s;
    sql::Statement counts(m_impl->db, "SELECT state, COUNT(*) FROM outbox WHERE target = ? GROUP BY state");
    counts.bind(1, m_impl->target);
    while (counts.step()) {
        auto state = counts.column_text(0);
        auto n = counts.column_int(1);
        if (state == "pending" || state == "sent")
            s.not_uploaded += n;
        else if (state == "acked")
            s.uploaded += n;
        else if (state == "rejected")
            s.rejected += n;
    }
    sql::Statement gone(m_impl->db,
                        "SELECT COUNT(*) FROM outbox o WHERE o.target = ? AND o.state IN ('pending', 'sent') "
                        "AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.id = o.rating_id)");
    gone.bind(1, m_impl->target);
    if (gone.step()) s.missing = gone.column_int(0);
    s.not_uploaded -= s.missing;
    sql::Statement oldest(m_impl->db,
                          "SELECT MIN(r.tapped_at) FROM outbox o JOIN ratings r ON r.id = o.rating_id "
                          "WHERE o.target = ? AND o.state IN ('pending', 'sent')");
    oldest.bind(1, m_impl->target);
    if (oldest.step() && !oldest.column_null(0)) s.oldest_not_uploaded = from_ms(oldest.column_int(0));
    s.last_error = m_impl->get_meta(kMetaLastError).value_or("");
    auto to_time = [](const std::optional<std::string>& v) -> std::optional<TimePoint> {
        if (!v || v->empty()) return std::nullopt;
        try {
            return from_ms(std::stoll(*v));
        } catch (const std::exception&) {
            return std::nullopt;
        }
    };
    if (!s.last_error.empty()) s.last_error_at = to_time(m_impl->get_meta(kMetaLastErrorAt));
    s.last_success_at = to_time(m_impl->get_meta(kMetaLastSuccessAt));
    return s;
}

long long OutboxQueue::purge_personal_data(TimePoint now, int days) {
    if (days < 0) throw Error(Errc::invalid_argument, "purge days must be >= 0");
    const TimePoint cutoff = now - std::chrono::hours{24LL * days};
    // A case qualifies when at least one rating covers it, every rating covering it was
    // accepted (acked), and the latest acceptance is older than the cutoff: a case with a
    // rating still waiting or rejected keeps its data (the upload may still need it).
    sql::Statement st(m_impl->db, R"sql(
UPDATE cases SET applicant_name = NULL, applicant_phone = NULL, applicant_id = NULL
WHERE (applicant_name IS NOT NULL OR applicant_phone IS NOT NULL OR applicant_id IS NOT NULL)
  AND case_no IN (
    SELECT j.value FROM ratings r JOIN outbox o ON o.rating_id = r.id AND o.target = ?1, json_each(r.case_nos) j
    GROUP BY j.value
    HAVING SUM(o.state != 'acked') = 0 AND MAX(o.next_attempt_at) <= ?2)
)sql");
    st.bind(1, m_impl->target).bind(2, ms(cutoff)).run();
    return m_impl->db.changes();
}

std::string format_age(std::chrono::milliseconds age) {
    using namespace std::chrono;
    if (age < milliseconds::zero()) age = milliseconds::zero();
    auto total_min = duration_cast<minutes>(age).count();
    auto d = total_min / (60 * 24), h = (total_min / 60) % 24, m = total_min % 60;
    std::ostringstream o;
    if (d > 0)
        o << d << " d " << h << " h";
    else if (h > 0)
        o << h << " h " << m << " min";
    else
        o << m << " min";
    return o.str();
}

namespace {
std::string age_zh(std::chrono::milliseconds age) {
    using namespace std::chrono;
    if (age < milliseconds::zero()) age = milliseconds::zero();
    auto total_min = duration_cast<minutes>(age).count();
    auto d = total_min / (60 * 24), h = (total_min / 60) % 24, m = total_min % 60;
    std::ostringstream o;
    if (d > 0)
        o << d << " 天 " << h << " 小时";
    else if (h > 0)
        o << h << " 小时 " << m << " 分钟";
    else
        o << m << " 分钟";
    return o.str();
}
}  // namespace

std::string SyncState::summary(TimePoint now) const {
    std::ostringstream o;
    if (not_uploaded == 0)
        o << "all uploaded";
    else {
        o << not_uploaded << " not uploaded";
        if (oldest_not_uploaded) o << ", oldest " << format_age(now - *oldest_not_uploaded);
    }
    if (rejected > 0) o << ", " << rejected << " rejected by the platform";
    if (missing > 0)
        o << ", " << missing
          << " queued for upload but their rating is no longer in the store (deleted; hcpctl verify names it; "
             "they cannot be uploaded)";
    if (!last_error.empty()) o << "; last error: " << last_error;
    return o.str();
}

std::string SyncState::summary_zh(TimePoint now) const {
    std::ostringstream o;
    if (not_uploaded == 0)
        o << "全部评价已上传";
    else {
        o << not_uploaded << " 条评价未上传";
        if (oldest_not_uploaded) o << "，最早的已等待 " << age_zh(now - *oldest_not_uploaded);
    }
    if (rejected > 0) o << "；" << rejected << " 条被平台退回（请在管理页查看原因）";
    if (missing > 0)
        o << "；" << missing << " 条待上传的评价已不在数据库中（已被删除，无法上传；请运行 hcpctl verify 查看）";
    if (!last_error.empty()) o << "；最近一次上传失败：" << last_error;
    return o.str();
}

}  // namespace hcp

#pragma once
// The upload side of the store's outbox (docs/sync.md). The rating path (Store::record_rating)
// inserts one outbox row per rating in the same transaction as the rating; this class is the
// only code that moves a row on:
//
//   pending ──claim──▶ sent ──answer──▶ acked (accepted or duplicate) | rejected (reason kept)
//      ▲                 │
//      └── retry/unknown ┘   (timeouts, transport errors, bad replies: resend later)
//
// Contracts:
// - A row becomes `acked` only through mark_acked(), which the uploader calls only for ids the
//   platform answered "accepted" or "duplicate" for. Nothing else marks a row uploaded.
// - `rejected` rows keep the platform's reason, never block the queue and are counted in
//   SyncState for the admin.
// - The rating itself is never touched (ratings are append-only); resending reads the same row,
//   so the tap time and every other field are identical on every attempt.
// - For acked and rejected rows `next_attempt_at` holds the time of the platform's final
//   answer (the purge of personal data counts its days from it); no schema change is needed.
// - OutboxQueue owns its own SQLite connection (one object per thread, like Store); the store
//   must already exist at the current schema version.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hcp/domain/calendar.hpp"
#include "hcp/domain/domain.hpp"
#include "hcp/domain/rules.hpp"
#include "hcp/store/store.hpp"

namespace hcp {

// One rating due for upload with the chain head of its device at claim time.
struct OutboxBatch {
    std::string device_id;
    ChainHead chain_head;
    std::vector<Rating> ratings;  // one device, ascending seq
};

// What the admin sees (hub API, hcpctl sync, the admin screen).
struct SyncState {
    long long not_uploaded = 0;  // pending or sent
    long long rejected = 0;      // refused by the platform, kept with the reason
    long long uploaded = 0;      // acked
    // Outbox rows whose rating is no longer in the store (deleted behind the hub's back; hcpctl
    // verify names the deletion): they can never be uploaded and are not counted as waiting.
    long long missing = 0;
    std::optional<TimePoint> oldest_not_uploaded;  // tap time of the oldest not uploaded rating
    std::string last_error;                        // empty when the last attempt succeeded
    std::optional<TimePoint> last_error_at;
    std::optional<TimePoint> last_success_at;
    // "3 条评价未上传，最早的已等待 3 小时 12 分钟" / "全部评价已上传", the missing rows, and the
    // last error until the next success.
    std::string summary_zh(TimePoint now) const;
    // "3 not uploaded, oldest 3 h 12 min" for logs and hcpctl.
    std::string summary(TimePoint now) const;
};

// "3 h 12 min", "5 min", "2 d 4 h".
std::string format_age(std::chrono::milliseconds age);

class OutboxQueue {
public:
    // Opens the store file at `path` for the outbox of `target` ("platform" on the hub).
    // Throws Error(not_a_store / schema_too_new / store_failure).
    static OutboxQueue open(const std::filesystem::path& path, std::string target = "platform");
    ~OutboxQueue();
    OutboxQueue(OutboxQueue&&) noexcept;
    OutboxQueue& operator=(OutboxQueue&&) noexcept;

    // After a restart rows left `sent` have an unknown fate: make them due now (the platform
    // deduplicates). Returns how many.
    long long requeue_in_flight(TimePoint now);
    // Claims up to `max` due rows (pending, or sent with an expired lease) in due order, keeps
    // those of the first row's device, sorts them by seq, and marks them sent with a lease until
    // `lease_until` (a crash leaves them due again after it). Cost is O(batch), not O(backlog).
    // Empty batch: nothing due.
    OutboxBatch claim(int max, TimePoint now, TimePoint lease_until);
    // Not-uploaded rows due after `later_than` become pending and due at `now` (after the wall
    // clock went back, rows scheduled by the old clock would otherwise wait hours or days).
    // Returns how many.
    long long reschedule_due_after(TimePoint later_than, TimePoint now);
    // The earliest next_attempt_at of a not-uploaded row, if any.
    std::optional<TimePoint> next_due() const;

    void mark_acked(const std::vector<std::string>& ids, TimePoint at);
    void mark_rejected(const std::string& id, const std::string& reason, TimePoint at);
    // Back to pending, attempts + 1, error kept, due again at `next_attempt_at`.
    void mark_retry(const std::vector<std::string>& ids, const std::string& error, TimePoint next_attempt_at);

    // Last attempt outcome for SyncState.
    void note_success(TimePoint at);
    void note_error(const std::string& error, TimePoint at);
    SyncState sync_state() const;

    // Personal data (applicant name, phone, ID) of every case whose ratings were all accepted
    // at least `days` days before `now` is erased from the case row. Returns the cases purged.
    long long purge_personal_data(TimePoint now, int days);

private:
    struct Impl;
    explicit OutboxQueue(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace hcp

#pragma once
// The durable store: SQLite in WAL mode with synchronous=FULL.
//
// Contracts:
// - open() migrates an older schema forward inside a transaction and refuses a newer schema
//   (Errc::schema_too_new); a file that is not an hcp-kiosk database is refused
//   (Errc::not_a_store) and left untouched.
// - record_rating() writes the rating, its rule slots, its outbox row and its chain link in one
//   transaction: after it returns ok the rating survives a crash; if it fails, nothing of it
//   was written.
// - Ratings are append-only: SQL triggers refuse UPDATE and DELETE on them.
// - Personal data of cases is encrypted at rest with the key; reading it needs the same key.
// - One Store object per thread; several processes may open the same file (SQLite locking).
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hcp/base/crypto.hpp"
#include "hcp/base/error.hpp"
#include "hcp/domain/catalog.hpp"
#include "hcp/domain/domain.hpp"
#include "hcp/domain/rules.hpp"

namespace hcp {

inline constexpr int kStoreApplicationId = 0x48435031;  // PRAGMA application_id of a store ("HCP1")
inline constexpr int kStoreSchemaVersion = 5;  // 2: queue tickets, 3: appointments, 4: superseded links, 5: reminders
inline constexpr const char* kGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

// SQLite's synchronous setting. Full is the product setting; Off exists only so benchmarks can
// generate large fixture databases quickly and is refused by the product code paths.
enum class Durability { full, off_for_fixtures };

struct StoreOptions {
    std::filesystem::path path;
    std::string device_id;  // the device whose chain this store extends
    Durability durability = Durability::full;
    long long min_free_bytes = 64LL * 1024 * 1024;  // refuse new ratings below this
    std::string outbox_target = "platform";         // "platform" on the hub, "hub" on terminals
    // Read-only: no migration, no writes (hcpctl export). The schema must be current and the
    // device id is taken from the database.
    bool read_only = false;
};

// Context copied into every rating the store records.
struct RatingContext {
    const Hall& hall;
    const OptionCatalog& catalog;
};

enum class RecordFailureCause {
    rule_violation,    // see `violation`
    disk_nearly_full,  // free space below the reserve; nothing written
    storage_error,     // SQLite error (including SQLITE_FULL); nothing written
};

struct RecordFailure {
    RecordFailureCause cause = RecordFailureCause::storage_error;
    std::optional<RuleViolation> violation;
    std::string detail;
    // Plain Chinese for the screen.
    std::string message_zh() const;
};

struct ChainHead {
    long long seq = 0;
    std::string hash = kGenesisHash;
};

class Store {
public:
    // Opens or creates the database. Throws Error with store_failure, schema_too_new,
    // not_a_store or key_invalid.
    static Store open(const StoreOptions& options, const SecretKey& key);
    // Opens an existing database read-only. Without a key, cases come back with empty
    // applicant data (it cannot be decrypted) and nothing else changes.
    static Store open_read_only(const std::filesystem::path& path, const std::optional<SecretKey>& key);
    ~Store();
    Store(Store&&) noexcept;
    Store& operator=(Store&&) noexcept;

    int schema_version() const;
    const std::string& device_id() const noexcept;

    // Inserts or updates a case (acceptance, then completion). Personal data is encrypted.
    void save_case(const Case& c);
    std::optional<Case> find_case(const std::string& case_no) const;
    std::vector<Case> batch_members(const std::string& batch_id) const;
    bool slot_taken(const RatingSlot& slot) const;
    // What a default rating's count of working days rested on: "notice", "provisional 2027"
    // (docs/calendar.md); empty for other ratings and defaults recorded without a basis.
    std::string default_calendar(const std::string& rating_id) const;

    // Checks the rules and records the rating durably (see contract above).
    Result<Rating, RecordFailure> record_rating(const RatingDraft& draft, const RatingContext& ctx);

    ChainHead chain_head() const;
    long long rating_count() const;

    // What keeps this store from serving, in English for logs (empty: nothing found).
    // - full: SQLite's quick_check and the store's own invariants over every device — a chain
    //   head for each device with ratings and none behind its newest link, every rating slot
    //   held by an existing rating. Reads the whole file: for start-up, not per request.
    // - cheap: whether this store can record its next rating (its own chain head present and
    //   not behind its newest rating); two indexed lookups, for /health.
    enum class Check { full, cheap };
    std::vector<std::string> damage(Check depth) const;
    std::optional<Rating> find_rating(const std::string& id) const;
    // Ratings whose tap time is in [from, to), in (device, seq) order.
    std::vector<Rating> ratings_between(TimePoint from, TimePoint to) const;
    std::vector<OutboxEntry> outbox(std::optional<OutboxState> state = std::nullopt) const;

    // Completed cases without any rating on the completion stage (for reminders/defaults).
    std::vector<Case> unrated_completed_cases() const;

private:
    struct Impl;
    explicit Store(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// The canonical byte string of a rating that the chain hashes (everything but prev_hash,
// hash and mac). Stable across releases: changing it is a schema change.
std::string canonical_record(const Rating& r);
// hash = SHA-256(prev_hash ‖ "\n" ‖ canonical_record).
std::string chain_hash(const std::string& prev_hash, const Rating& r);

}  // namespace hcp

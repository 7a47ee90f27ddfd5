#pragma once
// The reference platform: a loopback receiver of the generic upload protocol
// (docs/upload-protocol.md), used by `hcpctl platform-sim`, the upload tests, the fault runs and
// the bench. SQLite-backed; deduplicates by rating id forever; checks signatures, the replay
// window and nonces, and each device's chain continuity (gaps, forks); serves a small HTML page
// of arrivals; injects faults on demand.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hcp/base/crypto.hpp"

namespace hcp::sim {

// Fault switches. Rates are probabilities per request in [0, 1]. "before" faults answer without
// storing anything; "after" faults store the batch and then fail the reply, so the client does
// not learn the outcome and must resend (the dedup makes that harmless).
struct Faults {
    double error_rate = 0;  // before: HTTP 500
    int burst_429 = 0;      // before: the next N requests get 429 with Retry-After
    int retry_after_seconds = 1;
    int latency_ms = 0;       // after: delay every reply
    double reset_rate = 0;    // after: connection dropped in the middle of the reply
    double timeout_rate = 0;  // after: reply held back for timeout_ms
    int timeout_ms = 3000;
    double garbage_rate = 0;          // after: 200 with a body that is not JSON
    double duplicate_reply_rate = 0;  // after: every result listed twice
    // after: the next N requests are stored, then their connection is closed before a single byte
    // of the answer (a proxy or load balancer dropping it). A client that sends the same request
    // again (same nonce) is then refused as a replay.
    int drop_next = 0;
    // after, on every request: "malformed_json", "wrong_content_type", "giant_body",
    // "redirect" (302 to another host), "missing_results"; empty = none.
    std::string hostile;
};

struct SimOptions {
    std::filesystem::path database;
    SecretKey secret = SecretKey::random();
    std::string host = "127.0.0.1";
    int port = 0;                     // 0: any free port
    int replay_window_seconds = 300;  // accepted clock skew and nonce memory
    std::uint64_t seed = 1;           // fault dice
    // HTTPS when both are set (PEM files); plain HTTP otherwise.
    std::filesystem::path tls_cert;
    std::filesystem::path tls_key;
};

struct SimStats {
    long long requests = 0;
    long long accepted = 0;    // first arrivals
    long long duplicates = 0;  // answered "duplicate"
    long long rejected = 0;
    long long auth_failures = 0;
    long long faults = 0;  // requests a fault was injected into
    long long stored = 0;  // distinct rating ids in the database
};

struct ChainEvent {
    std::string device;
    long long seq = 0;
    // "gap" (a seq below the newest never arrived), "fork" (two ratings for one seq, a prev_hash
    // that does not match its predecessor, or an accepted id resent with other content),
    // "altered" (the item's hash does not match its own fields), "head_rewritten".
    std::string kind;
    std::string detail;
};

// One stored item (the first copy of a rating id), as the platform keeps it.
struct Arrival {
    std::string id;
    long long seq = 0;
    std::string prev_hash, hash, tapped_at;
    std::string status;  // "accepted" or "rejected"
    std::string reason;
    long long times = 0;  // arrivals of this id (first + duplicates)
};

// The receiver's recomputation of an item's chain hash from its fields alone
// (docs/upload-protocol.md §2, "The canonical record"): `item_json` is one generic item,
// `device` and `hall` the body's. Returns the hex SHA-256 of prev_hash + "\n" + canonical
// record, or nullopt with `why` set when a field needed for it is missing or of the wrong type.
std::optional<std::string> recompute_item_hash(const std::string& item_json, const std::string& device,
                                               const std::string& hall, std::string* why = nullptr);

// One reminder the platform (POST /v1/reminders) or the stand-in SMS gateway (POST /sim/sms)
// received; the phone is kept masked.
struct SimReminder {
    std::string id;
    std::string channel;  // "platform" or "sms"
    std::string case_no;
    std::string phone_masked;
    std::string text;
    long long times = 0;  // arrivals of this id (first + duplicates)
};

class PlatformSim {
public:
    explicit PlatformSim(SimOptions options);
    ~PlatformSim();
    PlatformSim(const PlatformSim&) = delete;
    PlatformSim& operator=(const PlatformSim&) = delete;

    // Binds and serves on a background thread; returns the port. Throws Error(io_failure).
    int start();
    void stop();
    int port() const noexcept;
    std::string base_url() const;

    void set_faults(const Faults& faults);
    Faults faults() const;
    SimStats stats() const;
    // Gaps (missing seq ranges per device, computed now) and recorded forks.
    std::vector<ChainEvent> chain_events() const;
    // How many times a rating id arrived (first time + duplicates); 0 if never.
    long long arrivals_of(const std::string& id) const;
    // Reminders received, first arrival order.
    std::vector<SimReminder> reminders() const;
    // Everything stored for `device`, in seq order (then arrival order).
    std::vector<Arrival> arrivals(const std::string& device) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace hcp::sim

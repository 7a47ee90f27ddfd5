#pragma once
// Offline verification of a store's rating chains (hcpctl verify).
//
// Detects, per device: deleted ratings (gaps in the gapless sequence), altered ratings (the
// record no longer matches its hash), reordered ratings (a record that hashes correctly only
// at another sequence number), inserted ratings (a record not linked into the chain, or, with
// the key, a valid hash without a valid MAC), a truncated tail (fewer ratings than the
// recorded chain head), and removed append-only triggers. Read-only: never writes the file.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hcp/base/crypto.hpp"

namespace hcp {

enum class TamperKind {
    deleted,           // seq_first..seq_last missing
    altered,           // record content changed after it was chained
    reordered,         // record moved: it belongs at `original_seq`
    inserted,          // record that is not part of the device's chain
    truncated,         // ratings after the last present one are missing (chain head says more)
    mac_invalid,       // hash consistent but MAC wrong: written or rewritten without the device key
    triggers_removed,  // append-only triggers missing
    integrity,         // SQLite integrity_check failed
};

std::string_view to_string(TamperKind k) noexcept;

struct TamperFinding {
    TamperKind kind = TamperKind::altered;
    std::string device_id;
    long long seq_first = 0;
    long long seq_last = 0;
    long long original_seq = 0;  // reordered only
    std::string detail;
    std::string describe() const;  // one line for people
};

// A forwarded link kept because its case was rated meanwhile by another rating (store/forward.hpp):
// part of its device's chain, not a rating.
struct SupersededLink {
    std::string device_id;
    long long seq = 0;
    std::string rating_id;
    std::string superseded_by;  // the rating that holds the case
};

struct VerifyReport {
    long long ratings = 0;
    std::vector<SupersededLink> superseded;  // checked as links of their chains, not counted in `ratings`
    int devices = 0;
    bool mac_checked = false;
    std::vector<TamperFinding> findings;
    bool ok() const noexcept { return findings.empty(); }
};

// Throws Error(not_a_store / schema_too_new / store_failure) when the file cannot be verified.
VerifyReport verify_store(const std::filesystem::path& db, const std::optional<SecretKey>& key);

}  // namespace hcp

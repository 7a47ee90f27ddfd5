#pragma once
// Upload of ratings to the provincial 好差评 platform (docs/upload-protocol.md, docs/sync.md).
//
// Contracts:
// - The uploader marks a rating uploaded only when the platform answered "accepted" or
//   "duplicate" for its id in a well-formed 200 reply. Timeouts, resets, redirects, malformed
//   or oversized replies and wrong content types leave every rating of the batch to be resent
//   (the platform deduplicates by rating id).
// - "rejected" ratings are kept with the platform's reason and never block the queue.
// - Retries use exponential backoff with full jitter; Retry-After (429/503) is honoured.
// - TLS peers are verified against the system CA store or a configured bundle; optional
//   public-key pinning and HTTP proxy. Redirects are never followed.
// - No libcurl type appears in this header; the uploader thread stops promptly on stop().
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hcp/base/crypto.hpp"
#include "hcp/config/config.hpp"  // ConfigError
#include "hcp/store/outbox.hpp"

namespace hcp {

// ---------------------------------------------------------------------------------------------
// Settings: UploadConfig lives in hcp/config.hpp ([upload] of the main configuration).

// A document holding only an [upload] table, checked by exactly the rules the main
// configuration applies to its [upload] section (tests and tools).
// Throws ConfigError listing every problem ("file:line:column: key: message", unknown keys
// with "did you mean"); relative paths are resolved against `base_dir`.
UploadConfig parse_upload_config(std::string_view toml_text, const std::string& origin,
                                 const std::filesystem::path& base_dir);
UploadConfig load_upload_config(const std::filesystem::path& path);

// The hall secret issued by the platform: 32 bytes written as 64 hex digits. The file must be
// readable by its owner only. Throws Error(Errc::key_invalid).
SecretKey load_hall_secret(const std::filesystem::path& path);
SecretKey parse_hall_secret(std::string_view hex);

// ---------------------------------------------------------------------------------------------
// Request signing (docs/upload-protocol.md §3).
// "METHOD\nPATH\nTIMESTAMP\nNONCE\n" + hex(SHA-256(body))
std::string signing_string(std::string_view method, std::string_view path, std::string_view timestamp,
                           std::string_view nonce, std::string_view body);
// hex HMAC-SHA256(secret, signing_string(...))
std::string sign_request(const SecretKey& secret, std::string_view method, std::string_view path,
                         std::string_view timestamp, std::string_view nonce, std::string_view body);
// The path part of a URL ("https://h:8443/api" → "/api"; no path → "").
std::string url_path(std::string_view url);

// ---------------------------------------------------------------------------------------------
// Province profiles: how canonical ratings become a platform's JSON (assets/platforms/*.json).
struct PlatformProfile {
    std::string name = "generic";
    bool generic_envelope = true;  // {"device","hall","chain_head","items"}; else {items_key: [...]}
    std::string items_key = "items";
    std::map<std::string, std::string> field_names;  // canonical → platform name; "" drops the field
    std::map<std::string, std::string> constants;    // extra fields with fixed values (dataSource: "133")
    bool level_descending = false;                   // true: 1 = 非常满意 … 5 = 非常不满意 (GB/T 39046 A.8)
    std::map<std::string, std::string> channel_codes;  // canonical channel → code (pf)
    std::map<std::string, std::string> kind_codes;     // immediate/promised/other → code
    std::string date_format = "iso8601";               // or "yyyy-MM-dd HH:mm:ss" (China time)
    int area_code_length = 12;                         // 12 or 6 (the first digits are kept)
    bool options_as_csv = false;                       // "510,517" instead of a JSON array
    bool default_as_channel = false;                   // Zhejiang: the default flag is pf=7, no `default` field
};
PlatformProfile generic_profile();
// Throws Error(Errc::config_invalid) naming the file and the problem.
PlatformProfile load_platform_profile(const std::filesystem::path& path);
PlatformProfile parse_platform_profile(std::string_view json_text, const std::string& origin);
// The request body for a batch, as the profile shapes it (JSON text).
std::string render_batch(const PlatformProfile& profile, const OutboxBatch& batch, const std::string& hall_code);

// ---------------------------------------------------------------------------------------------
// One request and its classification.
enum class ItemStatus { accepted, duplicate, rejected };
std::string_view to_string(ItemStatus s) noexcept;

enum class AttemptCause {
    ok,               // 200 with a well-formed reply (per-item results inside)
    transport_error,  // DNS, connect, reset, TLS handshake or verification: retry
    timeout,          // the request may or may not have arrived: "unknown", resend
    http_status,      // 401/403/429/5xx/other non-200: see http_status, retry
    protocol_error,   // redirect, wrong content type, malformed/oversized/incomplete reply: retry
};
std::string_view to_string(AttemptCause c) noexcept;

struct ItemResult {
    std::string id;
    ItemStatus status = ItemStatus::accepted;
    std::string reason;
};

struct AttemptResult {
    AttemptCause cause = AttemptCause::ok;
    long http_status = 0;
    std::optional<std::chrono::milliseconds> retry_after;
    std::vector<ItemResult> results;  // only when cause == ok; ids of the batch only
    std::string message;              // English, for logs and the admin ("HTTP 503 from …")
    bool ok() const noexcept { return cause == AttemptCause::ok; }
};

// Interprets a reply. Exposed for tests: the uploader uses it for every answer. `now` is the
// hub's clock (default hcp::now()): Retry-After dates and the clock skew of a 401 count from it.
AttemptResult classify_reply(long http_status, std::string_view content_type, std::string_view body,
                             std::optional<std::string_view> retry_after_header,
                             const std::vector<std::string>& batch_ids, std::string_view location = {},
                             std::optional<TimePoint> now = std::nullopt);
// Retry-After: delta seconds or an HTTP date.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, TimePoint now);

// Full jitter: uniform in [0, min(max, base · 2^failures)].
std::chrono::milliseconds backoff_delay(int consecutive_failures, int base_ms, int max_ms);

// ---------------------------------------------------------------------------------------------
struct DrainReport {
    int requests = 0;
    long long accepted = 0;
    long long duplicates = 0;
    long long rejected = 0;
    long long retried = 0;          // ratings put back for a later attempt
    bool stopped_on_error = false;  // the last request failed (see last_error)
    std::string last_error;
    std::optional<TimePoint> next_attempt_at;  // when the failed batch is due again
};

class Uploader {
public:
    // `store_path` is the hub's database; the uploader opens its own connection.
    Uploader(UploadConfig config, PlatformProfile profile, SecretKey hall_secret, std::filesystem::path store_path,
             std::string hall_code);
    ~Uploader();  // stops the thread
    Uploader(const Uploader&) = delete;
    Uploader& operator=(const Uploader&) = delete;

    // One pass on the calling thread: sends due batches until nothing is due or a request
    // fails (then the batch is due again after the backoff). Used by `hcpctl sync` and tests.
    DrainReport drain_once();

    // Background operation: a thread that drains, waits for new ratings (notify()), the next
    // due time or the backoff, and drains again. stop() interrupts a running request.
    void start();
    void stop();
    void notify();  // a rating was recorded
    DrainReport last_report() const;

    // For tests: replaces the clock used for timestamps and due times.
    void set_clock(std::function<TimePoint()> clock);
    // Where log lines go (one line each, no personal data); default: stderr "upload: …".
    void set_log(std::function<void(const std::string&)> sink);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace hcp

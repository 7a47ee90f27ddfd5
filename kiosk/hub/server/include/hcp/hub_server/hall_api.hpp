#pragma once
// The hall API (DESIGN §6, docs/hall-api.md): JSON over HTTP under /api/v1 for business systems
// and terminals, served from the hub. HTTP stays in this library; hcp::Hub knows nothing of it.
//
// Contracts:
// - Every request but GET /api/v1/health, the staff console's page (GET /console/) and its
//   sign-in (POST /api/v1/staff/sign-in, PIN-checked) needs `Authorization: Bearer <token>`; a
//   device token may read events and cases and submit ratings (only for its own window), a
//   business-system token may report and read cases, a staff console session token acts on its
//   own window's queue only (and may read GET /events with ?access_token=, EventSource sends no
//   headers).
// - Bodies above max_body_bytes get 413, non-JSON bodies 415, malformed JSON or fields 400;
//   every error is {"error": {"code", "message"}} (message in Chinese where a screen shows it).
// - start() binds and serves on a background thread pool; stop() returns after every request
//   thread (SSE streams included) has finished.
// - Floods: each caller (its token, or its IP address without a valid one) has a token bucket;
//   an empty bucket gets 429 with Retry-After before the body is read.
// - The server depends on the hub core only; the upload state (GET /api/v1/sync) and the
//   receipt QR come through HallApiServices, so whoever runs the uploader stays out of here.
// - The queue (docs/hall-api.md "Queue") is served when HallApiServices::queue is set; every
//   successful queue change is published on the hub's event bus (queue_called for calls, then
//   queue_changed), so the screens see a call made over the API like any other.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hcp/config/config.hpp"
#include "hcp/hub/hub.hpp"
#include "hcp/hub_server/receipt_qr.hpp"
#include "hcp/queue/queue.hpp"
#include "hcp/store/outbox.hpp"

namespace hcp {

class ReceiptPrinters;  // hcp/receipt_printers.hpp

struct ApiDeviceToken {
    std::string id;     // device id (as in its own config)
    std::string token;  // ≥ 16 characters
    int window = 0;     // the window it serves; 0 = self-service
    // What the device may do (its [device].roles): ticket → POST /tickets; rater or selfservice →
    // POST /ratings and /not-rated; every device reads the queue and the event stream.
    // Empty: as before roles were written — a window's device rates only, a device of window 0
    // rates, takes tickets and reads (write roles to narrow it).
    std::set<DeviceRole> roles{};
};
// The roles a token acts with (its own, or the defaults above when none are written).
std::set<DeviceRole> effective_roles(const ApiDeviceToken& device);

// A staff member's console PIN: the 工号 of a [[staff]] and the argon2id hash of the PIN
// (libsodium crypto_pwhash_str format, "$argon2id$v=19$m=…,t=…,p=…$salt$hash").
struct StaffPin {
    std::string staff_no;
    std::string pin_hash;
};

struct ApiSystemToken {
    std::string id;     // business system name
    std::string token;  // ≥ 16 characters
};

// What the server runs with: [api] of the main configuration plus the tokens file.
struct HallApiConfig {
    std::string listen_host = "127.0.0.1";
    int listen_port = 8787;  // 0 = any free port (tests)
    size_t max_body_bytes = 64 * 1024;
    int sse_keepalive_seconds = 15;
    int max_sse_clients = 32;
    int request_threads = 8;  // besides the SSE streams
    // Token buckets against floods (proposed [api] keys of the same names; until the config
    // loader adopts them these defaults apply). 0 requests per second: no limit.
    // A business system catching up after an outage sends hundreds of cases at once (burst);
    // a client stuck in a loop is held to the sustained rate.
    double rate_per_second = 50;      // per token: sustained requests per second
    int rate_burst = 500;             // per token: requests allowed at once after a pause
    double anon_rate_per_second = 5;  // per IP address: requests without a valid token
    int anon_rate_burst = 20;         // (health checks, mistyped tokens)
    // POST /tickets per token besides the above: a station prints a ticket in 1–2 s, so a burst
    // of 20 and one a second serve any queue while no token can empty a day's cap at once.
    double ticket_rate_per_second = 1;
    int ticket_burst = 20;
    std::vector<ApiDeviceToken> devices;
    std::vector<ApiSystemToken> systems;
    // The staff console (docs/hall-api.md "Staff console"): PIN hashes from [api].staff_pins_file
    // (empty: nobody can sign in with a PIN), how many wrong PINs lock a 工号 or an address and
    // for how long, and how long a session token lives.
    std::vector<StaffPin> staff_pins;
    int staff_max_wrong_pins = 5;     // per 工号, then locked for staff_lock
    int address_max_wrong_pins = 10;  // per IP address (all 工号 together), then locked
    std::chrono::seconds staff_lock{5 * 60};
    std::chrono::seconds staff_session_ttl{12 * 60 * 60};
};

// The tokens file ([api].tokens_file, docs/hall-api.md): [[device]] id/token/window and
// [[system]] id/token entries. Throws ConfigError listing every problem (file:line:column,
// did-you-mean for unknown keys, tokens shorter than 16 characters or used twice).
struct ApiTokens {
    std::vector<ApiDeviceToken> devices;
    std::vector<ApiSystemToken> systems;
};
ApiTokens parse_api_tokens(std::string_view toml_text, const std::string& origin);
// Also refuses a file that group or others can read (Error(Errc::key_invalid) with the chmod).
ApiTokens load_api_tokens(const std::filesystem::path& path);

// The staff PIN file ([api].staff_pins_file, docs/config.md): [[staff]] number/pin_hash entries.
// Throws ConfigError listing every problem (file:line:column, did-you-mean for unknown keys, a
// 工号 listed twice, a pin_hash that is not an argon2id hash string).
std::vector<StaffPin> parse_staff_pins(std::string_view toml_text, const std::string& origin);
// Also refuses a file that group or others can read (Error(Errc::key_invalid) with the chmod).
std::vector<StaffPin> load_staff_pins(const std::filesystem::path& path);
// A PIN is 4 to 12 digits. Returns the Chinese reason when it is not, empty when it is.
std::string staff_pin_problem(std::string_view pin);
// The pin_hash line for the PIN file: argon2id (crypto_pwhash_str, interactive limits, random
// salt). Throws Error(Errc::invalid_argument) for a PIN staff_pin_problem refuses.
std::string hash_staff_pin(std::string_view pin);
// Whether `pin` matches `pin_hash` (constant time in the PIN; false for a malformed hash).
bool verify_staff_pin(std::string_view pin_hash, std::string_view pin);

// The server settings for a hub's configuration: [api] (or its defaults when absent) and, when
// [api] is present, its tokens file, which must then exist. Without [api] a hub serves no API
// (the caller decides); the defaults returned then carry no tokens. The staff PIN file is read
// when it exists (strictly, like the tokens file); without it the console cannot sign in.
HallApiConfig hall_api_config(const Config& config);

// A terminal's own token ([device].hub_token_file): one line of at least 16 printable ASCII
// characters, mode 0600. Throws Error(Errc::key_invalid) saying what to fix.
std::string load_hub_token(const std::filesystem::path& path);

// What GET /api/v1/sync and /health report about the upload to the platform.
struct HubSyncStatus {
    bool upload_configured = false;  // [upload] is set and the uploader runs
    SyncState sync;
    TimePoint now{};  // the instant ages are counted from
};

// The working-day calendar as the hall should know it (docs/calendar.md, "Say it early").
struct HubCalendarStatus {
    std::vector<int> provisional_years;  // years counted from the law alone that matter now
    std::vector<int> uncovered_years;    // years counted Monday–Friday that matter now
    std::string warning_zh;              // empty when everything is from notices
    std::string fix;                     // the command that fixes it
    std::string reload_error;            // the last reload failed (the previous calendar stays)
};

// Where the server reads the upload state. Implemented by HubService; called from request
// threads concurrently (implementations are thread-safe). May throw hcp::Error when the store
// cannot be read (the request then gets 500).
class HubStatusSource {
public:
    virtual ~HubStatusSource() = default;
    virtual HubSyncStatus sync_status() const = 0;
    virtual HubCalendarStatus calendar_status() const { return {}; }
};

// Optional collaborators of the server. Each must outlive it.
struct HallApiServices {
    const HubStatusSource* status = nullptr;      // null: /sync answers 503 sync_unavailable
    const ReceiptQrIssuer* receipts = nullptr;    // null: rating_url is null
    std::function<TimePoint()> clock;             // receipt expiry; empty: hcp::now
    std::function<void(const std::string&)> log;  // one line each, no personal data; empty: stderr
    // The hall's queue (thread-safe); null: the queue endpoints answer 404 queue_not_configured.
    QueueEngine* queue = nullptr;
    // Window receipt printers; null: 办结 prints nothing and print-receipt answers 409.
    ReceiptPrinters* receipt_printers = nullptr;
    std::string hall_name;  // printed on receipts
    // Configured [[staff]] and [[item]]: the name of a staff member who signs in with the 工号
    // only, and the item name of a case completed at a window with the item code only.
    std::vector<Staff> staff;
    std::vector<ServiceItem> items;
    // <paths.assets>/web: the staff console's page is served from its console/ folder at
    // GET /console/ (empty: /console answers 404).
    std::filesystem::path web_root;
};

// What the screens learn about a queue change, published on `bus` by the queue endpoints and by
// anyone else who changes the queue in-process (the ticket station):
// queue_called (window = the calling window) for a call, recall or resume …
void publish_queue_call(EventBus& bus, const CallOutcome& call);
// … and queue_changed (window = HubEvent::kAllWindows) after every change, calls included.
void publish_queue_changed(EventBus& bus);

enum class ServeErrc { bind_failed, already_running };

struct ServeFailure {
    ServeErrc cause = ServeErrc::bind_failed;
    std::string detail;
};

class HallApiServer {
public:
    // The hub (and the services) must outlive the server.
    HallApiServer(Hub& hub, HallApiConfig config, HallApiServices services = {});
    ~HallApiServer();  // stops
    HallApiServer(const HallApiServer&) = delete;
    HallApiServer& operator=(const HallApiServer&) = delete;

    // Binds and starts serving; returns the bound port.
    Result<int, ServeFailure> start();
    void stop();
    int port() const noexcept;
    int sse_clients() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace hcp

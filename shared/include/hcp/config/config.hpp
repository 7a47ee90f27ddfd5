#pragma once
// Typed configuration, loaded once from TOML and validated as a whole.
//
// Contract: load_config() either returns a fully valid Config or throws ConfigError listing
// every problem found (file, line, column, key, what is allowed). Unknown keys are errors with
// a "did you mean" suggestion. Relative paths are resolved when loading: [paths] against the
// config file's folder, catalog/calendar files against paths.assets, store files against
// paths.data. docs/config.md documents every key.
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hcp/base/error.hpp"
#include "hcp/config/transport_spec.hpp"
#include "hcp/domain/domain.hpp"
#include "hcp/domain/reminder_channel.hpp"
#include "hcp/domain/rules.hpp"
#include "hcp/queue/policy.hpp"

namespace hcp {

struct ConfigIssue {
    std::string file;
    int line = 0;  // 1-based; 0 when the problem has no position (e.g. a missing key)
    int column = 0;
    std::string key;      // dotted path: "hall.area_code", "category[2].prefix"
    std::string message;  // what is wrong and what is allowed
    // "file:line:column: key: message"
    std::string to_string() const;
};

class ConfigError : public Error {
public:
    explicit ConfigError(std::vector<ConfigIssue> issues);
    const std::vector<ConfigIssue>& issues() const noexcept { return m_issues; }

private:
    std::vector<ConfigIssue> m_issues;
};

struct DeviceConfig {
    std::string id;              // [A-Za-z0-9_-]{1,32}
    std::set<DeviceRole> roles;  // at least one
    int window = 0;              // required for role rater; 1..999
    std::string hub_url;         // empty when this device is the hub
    // The bearer token this device presents to the hub (a file, mode 0600, one line); required
    // when hub_url is set. Resolved against paths.data.
    std::filesystem::path hub_token_file;
};

struct PathsConfig {
    std::filesystem::path assets;  // catalog, calendars, fonts, lang …
    std::filesystem::path data;    // database and key files
};

struct StoreConfig {
    std::filesystem::path database;  // resolved against paths.data
    std::filesystem::path key_file;  // resolved against paths.data
    long long min_free_mb = 64;      // refuse new ratings below this free space
};

struct RatingConfig {
    std::filesystem::path catalog;  // resolved against paths.assets
    int timeout_seconds = 60;       // rating screen back to idle
    UnratedPolicy unrated;
};

// [calendar]: where the notice files come from (docs/calendar.md). Years no file declares are
// counted from the law (provisional); load_hall_calendar (calendar_sources.hpp) reads them.
struct CalendarConfig {
    // Shipped notice files: `files` when given (resolved against paths.assets), otherwise every
    // *.toml in shipped_dir (<assets>/calendars).
    std::vector<std::filesystem::path> files;
    std::filesystem::path shipped_dir;
    // The hall's own notice files (`hcpctl calendar import` writes there); a year declared there
    // replaces the shipped file of that year. Default: the folder "calendars" beside the
    // configuration file (/etc/hcp-kiosk/calendars), which the package does not own.
    std::filesystem::path local_dir;
};

// [terminal]: the citizen-facing screens (roles rater, selfservice, ticket, display).
struct TerminalConfig {
    enum class Language { zh_CN, en };
    Language language = Language::zh_CN;  // after start and after each journey
    bool large_text = false;              // start in 大字模式 (适老化)
    int thanks_seconds = 6;               // thank-you screen, 2..60
    int message_seconds = 12;             // already rated / hub unreachable …, 3..120
    std::string admin_pin;                // 4..8 digits; empty: no maintenance screen
};

// [display]: the hall display (role display) and its voice calling (docs/kiosk-ui.md).
struct DisplayConfig {
    std::string notice;    // one line at the bottom of the screen; may be empty
    int recent_calls = 6;  // lines of 最近呼叫 (latest call per window), 1..12
    bool voice = true;     // speak each call
    // {number} (spoken digit by digit), {window}, {window_name}; must contain {number}.
    std::string voice_template = "请{number}号到{window}号窗口办理";
    std::string voice_name = "cmn-latn-pinyin";  // espeak-ng voice
    int voice_repeat = 2;                        // times each call is spoken, 1..5
    int voice_rate = 150;                        // words per minute, 80..300
    int voice_volume = 100;                      // espeak-ng volume, 10..200
};

// [printer]: the printer attached to this device (ticket station or window).
struct PrinterConfig {
    std::string profile = "generic-safe";  // id in assets/printers, or a path ending .toml
    TransportSpec transport;               // "tcp:HOST[:PORT]", "device:/dev/usb/lp0" …
    std::string transport_text;            // as written, for messages
    std::filesystem::path jobs_dir;        // persisted print jobs; resolved against paths.data
};

// [[window]].receipt_printer: the printer at a window on which the hub prints the 办件回执 of
// every case completed there (办结 in the staff console or the hall API). The hub prints it
// because the staff console is a browser page, which cannot send ESC/POS to a receipt printer.
struct WindowPrinter {
    int window = 0;
    PrinterConfig printer;  // jobs_dir: <paths.data>/print-jobs/window-<n>
};

// [receipt_qr]: the dynamic rating QR on receipts and tickets (docs/qr-token.md).
struct ReceiptQrConfig {
    std::string url_prefix = "HTTPS://HCP.EXAMPLE.CN/R/";  // uppercase: QR alphanumeric mode
    std::filesystem::path key_file;                        // the hall's token key; resolved against paths.data
    int valid_days = 30;                                   // how long a receipt's QR can be used, 1..3650
};

// [api]: the hall API the hub serves (docs/hall-api.md). Tokens are secrets and live in their
// own file (mode 0600), not in this world-readable configuration.
struct ApiConfig {
    std::string listen_host = "127.0.0.1";
    int listen_port = 8787;
    std::filesystem::path tokens_file;  // [[device]] and [[system]] tokens; against paths.data
    // PIN hashes of the staff console ([[staff]] number + pin_hash, mode 0600); against
    // paths.data, default "staff-pins.toml". Optional: without it nobody signs in with a PIN.
    std::filesystem::path staff_pins_file;
    size_t max_body_bytes = 64 * 1024;
    int sse_keepalive_seconds = 15;
    int max_sse_clients = 32;
    int request_threads = 8;
};

// [upload]: the hub's uploader to the provincial platform (docs/sync.md).
struct UploadConfig {
    std::string base_url;               // "https://hcp.example.gov.cn/api" (no trailing /)
    std::filesystem::path secret_file;  // hall secret: 64 hex digits, mode 0600
    std::filesystem::path ca_bundle;    // empty: the system CA store
    std::string pinned_public_key;      // curl syntax "sha256//BASE64[;sha256//…]", optional
    std::string proxy;                  // "http://proxy:3128", optional
    std::string profile = "generic";    // assets/platforms/<profile>.json
    int batch_size = 200;               // ratings per request, 1..1000
    int timeout_seconds = 30;           // whole request
    int connect_timeout_seconds = 10;
    int backoff_base_ms = 1000;               // first retry waits up to this (full jitter)
    int backoff_max_ms = 15 * 60 * 1000;      // cap of the exponential backoff
    int max_retry_after_seconds = 3600;       // a larger Retry-After is clamped to this
    long long max_reply_bytes = 1024 * 1024;  // larger replies are refused (protocol error)
    int purge_after_days = 30;                // personal data erased N days after acceptance
};

// [reminder.sms]: an SMS gateway reached over HTTP(S), described as data (docs/reminders.md).
// Templates take {placeholders}: {phone} {text} {reminder_id} {case_no} {hall} {hall_code}
// {item} {url} {timestamp} {timestamp_ms} {nonce} {app_key} {sign}; the signing template also
// {secret}. Values are escaped for where they land (JSON string, form field, header).
struct SmsGatewayConfig {
    enum class Body { json, form };
    enum class Signature { none, md5, sha256, hmac_sha256 };  // hex of the signing template
    std::string url;                                          // https:// (http:// only to a loopback address)
    Body body_kind = Body::json;
    std::string body;                  // template
    std::vector<std::string> headers;  // "Name: value" templates
    std::string app_key;
    std::filesystem::path secret_file;  // mode 0600, one line; needed by {secret}
    Signature signature = Signature::none;
    std::string sign_template;
    int success_status = 200;
    std::string success_field;  // JSON field of the reply, "a.b"; empty: the status decides
    std::string success_value;  // its value as text when the gateway accepted the message
    bool idempotent = false;    // the gateway drops a second message with the same {reminder_id}
    int timeout_seconds = 10;
    std::filesystem::path ca_bundle;  // empty: the system CA store
};

// [reminder]: how the hub delivers the reminders [rating.unrated] files (docs/reminders.md).
struct ReminderConfig {
    ReminderChannelKind channel = ReminderChannelKind::call_list;
    std::optional<SmsGatewayConfig> sms;  // required with channel = "sms"
    // The SMS text (channel sms): {hall} {item} {url} {case_no}.
    std::string text = "您在{hall}办理的“{item}”已办结，请对本次服务作出评价：{url}";
    int max_attempts = 6;    // then the reminder is marked failed
    int retry_minutes = 10;  // first retry; doubles up to 6 hours
};

struct Config {
    std::filesystem::path source;  // the file it was loaded from
    Hall hall;
    DeviceConfig device;
    PathsConfig paths;
    StoreConfig store;
    RatingConfig rating;
    CalendarConfig calendar;
    TerminalConfig terminal;
    DisplayConfig display;
    QueuePolicy queue;  // [queue]: settings of the queue not per category
    ReceiptQrConfig receipt_qr;
    std::optional<PrinterConfig> printer;         // no [printer]: this device prints nothing
    std::vector<WindowPrinter> receipt_printers;  // hub: windows with a receipt printer, in file order
    std::optional<ApiConfig> api;                 // hub only; absent: defaults, no remote devices
    std::optional<UploadConfig> upload;           // hub only; absent: ratings stay in the hub
    ReminderConfig reminder;                      // hub only
    std::vector<ServiceCategory> categories;
    std::vector<ServiceItem> items;
    std::vector<Window> windows;
    std::vector<Staff> staff;
};

// Throws ConfigError (Errc::config_invalid) on any problem; Error(Errc::io_failure) when the
// file cannot be read.
Config load_config(const std::filesystem::path& path);
// Same from text; `origin` is the file name used in messages and `base_dir` resolves paths.
Config parse_config(std::string_view toml_text, const std::string& origin, const std::filesystem::path& base_dir);

// "127.0.0.1:8787" → host and port (port 0: any free port); nullopt when malformed.
std::optional<std::pair<std::string, int>> parse_listen(std::string_view text);

// Levenshtein-based suggestion among `candidates`, or empty when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace hcp

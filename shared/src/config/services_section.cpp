// The service sections of the configuration: [terminal], [display], [printer], [receipt_qr], [api].
// Each reader checks its keys strictly (unknown keys with did-you-mean) and records every
// problem in the shared reader; values that fail keep their defaults (see config.cpp).
#include <algorithm>
#include <charconv>

#include "config/sections.hpp"
#include "hcp/base/utf8.hpp"
#include "hcp/token/token.hpp"

namespace hcp {

std::optional<std::pair<std::string, int>> parse_listen(std::string_view text) {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    std::string host(text.substr(0, colon));
    if (host.find_first_of(" /") != std::string::npos) return std::nullopt;
    auto port_text = text.substr(colon + 1);
    int port = -1;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || port < 0 || port > 65535) return std::nullopt;
    return std::make_pair(host, port);
}

namespace detail {

namespace fs = std::filesystem;

fs::path resolve_against(const fs::path& base, const fs::path& p) {
    if (p.is_absolute() || base.empty()) return p.lexically_normal();
    return (base / p).lexically_normal();
}

namespace {

// A file name value: non-empty, no '~' (never expanded), resolved against `base`.
std::optional<fs::path> file_value(TomlReader& r, const toml::table& t, const std::string& path, std::string_view key,
                                   bool required, const fs::path& base) {
    auto v = r.get_string(t, path, key, required, 1024);
    if (!v) return std::nullopt;
    const std::string full = TomlReader::join_path(path, key);
    if (v->empty()) {
        r.error(t.get(key), full, "must not be empty");
        return std::nullopt;
    }
    if ((*v)[0] == '~') {
        r.error(t.get(key), full, "'~' is not expanded; write the full path or a relative one");
        return std::nullopt;
    }
    return resolve_against(base, *v);
}

template <class Int>
void set_int(TomlReader& r, Int& out, const toml::table& t, const std::string& path, std::string_view key,
             std::int64_t min, std::int64_t max) {
    if (auto v = r.get_int(t, path, key, false, min, max)) out = static_cast<Int>(*v);
}

}  // namespace

// [queue]: the settings of QueuePolicy a hall may change (docs/config.md, docs/queue.md). The
// ranges are validate(QueuePolicy)'s, so a value accepted here is never refused by the engine.
void read_queue_section(TomlReader& r, const toml::table& t, QueuePolicy& out) {
    r.check_keys(t, "queue",
                 {"skip_requeue_behind", "skip_max_requeues", "transfer_placement", "default_service_minutes",
                  "number_digits", "recent_calls", "closed_on_non_working_days", "max_reason_chars"});
    set_int(r, out.skip_requeue_behind, t, "queue", "skip_requeue_behind", 0, 50);
    set_int(r, out.skip_max_requeues, t, "queue", "skip_max_requeues", 0, 10);
    if (auto v = r.get_string(t, "queue", "transfer_placement", false, 32)) {
        if (auto p = parse_transfer_placement(*v))
            out.transfer_placement = *p;
        else
            r.error(t.get("transfer_placement"), "queue.transfer_placement",
                    "is \"" + *v +
                        "\"; must be \"take_time\" (keeps its place by the time it was taken) or "
                        "\"end_of_queue\" (behind everyone waiting there)");
    }
    if (auto v = r.get_int(t, "queue", "default_service_minutes", false, 1, 240))
        out.default_service = std::chrono::minutes{*v};
    set_int(r, out.number_digits, t, "queue", "number_digits", 2, 5);
    set_int(r, out.snapshot_last_calls, t, "queue", "recent_calls", 1, 100);
    if (auto v = r.get_bool(t, "queue", "closed_on_non_working_days", false)) out.closed_on_non_working_days = *v;
    // Characters of Chinese text are 3 bytes of UTF-8: the engine's limit is in bytes.
    if (auto v = r.get_int(t, "queue", "max_reason_chars", false, 1, 300))
        out.max_reason_bytes = static_cast<int>(*v) * 3;
}

void read_terminal_section(TomlReader& r, const toml::table& t, TerminalConfig& out) {
    r.check_keys(t, "terminal", {"language", "large_text", "thanks_seconds", "message_seconds", "admin_pin"});
    if (auto v = r.get_string(t, "terminal", "language", false, 16)) {
        if (*v == "zh_CN")
            out.language = TerminalConfig::Language::zh_CN;
        else if (*v == "en")
            out.language = TerminalConfig::Language::en;
        else
            r.error(t.get("language"), "terminal.language", "is '" + *v + "'; must be \"zh_CN\" or \"en\"");
    }
    if (auto v = r.get_bool(t, "terminal", "large_text", false)) out.large_text = *v;
    set_int(r, out.thanks_seconds, t, "terminal", "thanks_seconds", 2, 60);
    set_int(r, out.message_seconds, t, "terminal", "message_seconds", 3, 120);
    if (auto v = r.get_string(t, "terminal", "admin_pin", false, 64)) {
        const bool digits = std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!digits || v->size() < 4 || v->size() > 8)
            r.error(t.get("admin_pin"), "terminal.admin_pin", "must be 4 to 8 digits in quotes, e.g. \"402816\"");
        else if (std::all_of(v->begin(), v->end(), [&](char c) { return c == (*v)[0]; }))
            r.error(t.get("admin_pin"), "terminal.admin_pin",
                    "must not be one digit repeated; choose a PIN staff cannot guess");
        else
            out.admin_pin = *v;
    }
}

void read_display_section(TomlReader& r, const toml::table& t, DisplayConfig& out) {
    r.check_keys(t, "display",
                 {"notice", "recent_calls", "voice", "voice_template", "voice_name", "voice_repeat", "voice_rate",
                  "voice_volume"});
    if (auto v = r.get_string(t, "display", "notice", false, 300)) {
        if (!utf8::is_clean(*v))
            r.error(t.get("notice"), "display.notice", "must be one line of text without control characters");
        else
            out.notice = *v;
    }
    set_int(r, out.recent_calls, t, "display", "recent_calls", 1, 12);
    if (auto v = r.get_bool(t, "display", "voice", false)) out.voice = *v;
    if (auto v = r.get_string(t, "display", "voice_template", false, 300)) {
        // Only the three placeholders exist; a typo such as {nubmer} would be spoken aloud.
        std::string unknown;
        for (size_t at = v->find('{'); at != std::string::npos && unknown.empty(); at = v->find('{', at + 1)) {
            const size_t end = v->find('}', at);
            const std::string name = end == std::string::npos ? v->substr(at) : v->substr(at, end - at + 1);
            if (name != "{number}" && name != "{window}" && name != "{window_name}") unknown = name;
        }
        if (!utf8::is_clean(*v))
            r.error(t.get("voice_template"), "display.voice_template",
                    "must be one line of text without control characters");
        else if (!unknown.empty())
            r.error(t.get("voice_template"), "display.voice_template",
                    "has " + unknown + "; the placeholders are {number}, {window} and {window_name}");
        else if (v->find("{number}") == std::string::npos)
            r.error(t.get("voice_template"), "display.voice_template",
                    "must contain {number}, e.g. \"请{number}号到{window}号窗口办理\"");
        else
            out.voice_template = *v;
    }
    if (auto v = r.get_string(t, "display", "voice_name", false, 64)) {
        const bool ok = !v->empty() && std::all_of(v->begin(), v->end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                   c == '/' || c == '+';
        });
        if (!ok || v->find("..") != std::string::npos)
            r.error(t.get("voice_name"), "display.voice_name",
                    "must be an espeak-ng voice name such as \"cmn-latn-pinyin\" (letters, digits, - _ / +)");
        else
            out.voice_name = *v;
    }
    set_int(r, out.voice_repeat, t, "display", "voice_repeat", 1, 5);
    set_int(r, out.voice_rate, t, "display", "voice_rate", 80, 300);
    set_int(r, out.voice_volume, t, "display", "voice_volume", 10, 200);
}

void read_printer_section(TomlReader& r, const toml::table& t, const fs::path& data_dir, PrinterConfig& out) {
    r.check_keys(t, "printer", {"profile", "transport", "jobs_dir"});
    if (auto v = r.get_string(t, "printer", "profile", false, 1024)) {
        if (v->empty())
            r.error(t.get("profile"), "printer.profile",
                    "must not be empty; use \"generic-58\", \"generic-80\", \"generic-safe\" or a .toml file");
        else
            out.profile = *v;
    }
    if (auto v = r.get_string(t, "printer", "transport", true, 1024)) {
        try {
            out.transport = parse_transport(*v);
            out.transport_text = *v;
        } catch (const Error& e) {
            r.error(t.get("transport"), "printer.transport", e.what());
        }
    }
    out.jobs_dir = resolve_against(data_dir, "print-jobs");
    if (auto p = file_value(r, t, "printer", "jobs_dir", false, data_dir)) out.jobs_dir = *p;
}

void read_receipt_qr_section(TomlReader& r, const toml::table* t, const fs::path& data_dir, ReceiptQrConfig& out) {
    out.key_file = resolve_against(data_dir, "qr-token.key");
    if (t == nullptr) return;
    r.check_keys(*t, "receipt_qr", {"url_prefix", "key_file", "valid_days"});
    if (auto v = r.get_string(*t, "receipt_qr", "url_prefix", false, 64)) {
        if (v->empty() || !token::is_qr_alphanumeric(*v))
            r.error(t->get("url_prefix"), "receipt_qr.url_prefix",
                    "must be uppercase (A-Z 0-9 $%*+-./:) so the QR uses alphanumeric mode, "
                    "e.g. \"HTTPS://HCP.EXAMPLE.CN/R/\"");
        else if (token::url_prefix_problem(*v))
            r.error(t->get("url_prefix"), "receipt_qr.url_prefix",
                    "must start with HTTPS:// or HTTP:// (a phone opens it as a web address)");
        else
            out.url_prefix = *v;
    }
    if (auto p = file_value(r, *t, "receipt_qr", "key_file", false, data_dir)) out.key_file = *p;
    set_int(r, out.valid_days, *t, "receipt_qr", "valid_days", 1, 3650);
}

void read_api_section(TomlReader& r, const toml::table& t, const fs::path& data_dir, ApiConfig& out) {
    r.check_keys(t, "api",
                 {"listen", "tokens_file", "staff_pins_file", "max_body_bytes", "sse_keepalive_seconds",
                  "max_sse_clients", "request_threads"});
    if (auto l = r.get_string(t, "api", "listen", false, 100)) {
        if (auto hp = parse_listen(*l)) {
            out.listen_host = hp->first;
            out.listen_port = hp->second;
        } else {
            r.error(t.get("listen"), "api.listen",
                    "must be HOST:PORT, e.g. \"0.0.0.0:8787\" (all addresses) or \"127.0.0.1:8787\"");
        }
    }
    out.tokens_file = resolve_against(data_dir, "api-tokens.toml");
    if (auto p = file_value(r, t, "api", "tokens_file", false, data_dir)) out.tokens_file = *p;
    out.staff_pins_file = resolve_against(data_dir, "staff-pins.toml");
    if (auto p = file_value(r, t, "api", "staff_pins_file", false, data_dir)) out.staff_pins_file = *p;
    set_int(r, out.max_body_bytes, t, "api", "max_body_bytes", 1024, 1024 * 1024);
    set_int(r, out.sse_keepalive_seconds, t, "api", "sse_keepalive_seconds", 1, 300);
    set_int(r, out.max_sse_clients, t, "api", "max_sse_clients", 1, 1000);
    set_int(r, out.request_threads, t, "api", "request_threads", 1, 64);
}

}  // namespace detail
}  // namespace hcp

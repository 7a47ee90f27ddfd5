// The [reminder] section and its [reminder.sms] gateway (hcp/config/config.hpp,
// docs/reminders.md), read through the strict TomlReader like every other section.
#include <set>

#include "config/sections.hpp"

namespace hcp::detail {

namespace {

const std::set<std::string> kPlaceholders = {"phone",     "text",    "reminder_id", "case_no",   "hall",
                                             "hall_code", "item",    "url",         "timestamp", "timestamp_ms",
                                             "nonce",     "app_key", "sign"};

// Every {name} of a template is a known placeholder ({secret} only where `secret_allowed`), and
// braces pair up. Literal braces of a JSON body are written {{ and }}.
void check_template(TomlReader& r, const toml::node* at, const std::string& key, const std::string& text,
                    bool secret_allowed) {
    for (size_t i = 0; i < text.size(); ++i) {
        if ((text[i] == '{' || text[i] == '}') && i + 1 < text.size() && text[i + 1] == text[i]) {
            ++i;
            continue;
        }
        if (text[i] == '}') {
            r.error(at, key, "has a '}' without its '{'; write }} for a literal brace");
            return;
        }
        if (text[i] != '{') continue;
        const auto close = text.find('}', i);
        if (close == std::string::npos) {
            r.error(at, key, "has a '{' without its '}'; write {{ for a literal brace");
            return;
        }
        const std::string name = text.substr(i + 1, close - i - 1);
        if (!(kPlaceholders.count(name) != 0 || (secret_allowed && name == "secret"))) {
            r.error(at, key,
                    "names the unknown placeholder {" + name +
                        "}; known: {phone} {text} {reminder_id} {case_no} {hall} {hall_code} {item} {url} "
                        "{timestamp} {timestamp_ms} {nonce} {app_key} {sign}" +
                        (secret_allowed ? " {secret}" : ""));
            return;
        }
        i = close;
    }
}

void read_sms(TomlReader& r, const toml::table& t, const std::filesystem::path& base, SmsGatewayConfig& c) {
    const std::string path = "reminder.sms";
    r.check_keys(t, path,
                 {"url", "body_kind", "body", "headers", "app_key", "secret_file", "signature", "sign_template",
                  "success_status", "success_field", "success_value", "idempotent", "timeout_seconds", "ca_bundle"});
    if (auto v = r.get_string(t, path, "url", true, 500)) {
        const bool https = v->rfind("https://", 0) == 0;
        const bool loopback_http = v->rfind("http://127.0.0.1", 0) == 0 || v->rfind("http://localhost", 0) == 0 ||
                                   v->rfind("http://[::1]", 0) == 0;
        if (!https && !loopback_http)
            r.error(t.get("url"), path + ".url",
                    "must start with https:// (http:// only for a gateway on this machine): phone numbers cross it");
        c.url = *v;
    }
    if (auto v = r.get_string(t, path, "body_kind", false, 16)) {
        if (*v == "json")
            c.body_kind = SmsGatewayConfig::Body::json;
        else if (*v == "form")
            c.body_kind = SmsGatewayConfig::Body::form;
        else
            r.error(t.get("body_kind"), path + ".body_kind", "must be \"json\" or \"form\"");
    }
    if (auto v = r.get_string(t, path, "body", true, 8000)) {
        check_template(r, t.get("body"), path + ".body", *v, false);
        c.body = *v;
    }
    if (auto v = r.get_string_array(t, path, "headers", false)) {
        for (size_t i = 0; i < v->size(); ++i) {
            const std::string& h = (*v)[i];
            const std::string key = path + ".headers[" + std::to_string(i) + "]";
            const auto colon = h.find(':');
            if (colon == std::string::npos || colon == 0 || h.find_first_of("\r\n") != std::string::npos)
                r.error(t.get("headers"), key, "must be one line \"Name: value\"");
            else
                check_template(r, t.get("headers"), key, h, false);
        }
        c.headers = *v;
    }
    if (auto v = r.get_string(t, path, "app_key", false, 500)) c.app_key = *v;
    if (auto v = r.get_string(t, path, "secret_file", false, 500)) c.secret_file = resolve_against(base, *v);
    if (auto v = r.get_string(t, path, "signature", false, 32)) {
        if (*v == "none")
            c.signature = SmsGatewayConfig::Signature::none;
        else if (*v == "md5")
            c.signature = SmsGatewayConfig::Signature::md5;
        else if (*v == "sha256")
            c.signature = SmsGatewayConfig::Signature::sha256;
        else if (*v == "hmac-sha256")
            c.signature = SmsGatewayConfig::Signature::hmac_sha256;
        else
            r.error(t.get("signature"), path + ".signature",
                    "must be \"none\", \"md5\", \"sha256\" or \"hmac-sha256\"");
    }
    if (auto v = r.get_string(t, path, "sign_template", false, 2000)) {
        check_template(r, t.get("sign_template"), path + ".sign_template", *v, true);
        c.sign_template = *v;
    }
    if (c.signature != SmsGatewayConfig::Signature::none && c.sign_template.empty())
        r.error(t.get("signature"), path + ".sign_template",
                "missing; a signature needs the text it is computed over, e.g. \"{app_key}{timestamp}{secret}\"");
    const bool needs_secret = c.signature == SmsGatewayConfig::Signature::hmac_sha256 ||
                              c.sign_template.find("{secret}") != std::string::npos;
    if (needs_secret && c.secret_file.empty())
        r.error(t.get("signature"), path + ".secret_file",
                "missing; the signature uses the gateway's secret: put it in a file (mode 0600) and name it here");
    if (auto v = r.get_int(t, path, "success_status", false, 100, 599)) c.success_status = static_cast<int>(*v);
    if (auto v = r.get_string(t, path, "success_field", false, 200)) c.success_field = *v;
    if (auto v = r.get_string(t, path, "success_value", false, 200)) c.success_value = *v;
    if (!c.success_field.empty() && t.get("success_value") == nullptr)
        r.error(t.get("success_field"), path + ".success_value",
                "missing; give the value of success_field that means the gateway accepted the message");
    if (auto v = r.get_bool(t, path, "idempotent", false)) c.idempotent = *v;
    if (c.idempotent && c.body.find("{reminder_id}") == std::string::npos)
        r.error(t.get("idempotent"), path + ".idempotent",
                "is true but the body does not send {reminder_id}: the gateway cannot tell a resent reminder");
    if (auto v = r.get_int(t, path, "timeout_seconds", false, 1, 120)) c.timeout_seconds = static_cast<int>(*v);
    if (auto v = r.get_string(t, path, "ca_bundle", false, 500)) c.ca_bundle = resolve_against(base, *v);
}

}  // namespace

void read_reminder_section(TomlReader& r, const toml::table& t, const std::filesystem::path& base, ReminderConfig& c) {
    r.check_keys(t, "reminder", {"channel", "text", "max_attempts", "retry_minutes", "sms"});
    if (auto v = r.get_string(t, "reminder", "channel", true, 32)) {
        if (auto ch = parse_reminder_channel(*v))
            c.channel = *ch;
        else
            r.error(t.get("channel"), "reminder.channel",
                    "must be \"platform\" (the platform sends the SMS), \"sms\" (an SMS gateway, [reminder.sms]) or "
                    "\"call_list\" (staff call from a list)");
    }
    if (auto v = r.get_string(t, "reminder", "text", false, 500)) {
        check_template(r, t.get("text"), "reminder.text", *v, false);
        c.text = *v;
    }
    if (auto v = r.get_int(t, "reminder", "max_attempts", false, 1, 100)) c.max_attempts = static_cast<int>(*v);
    if (auto v = r.get_int(t, "reminder", "retry_minutes", false, 1, 1440)) c.retry_minutes = static_cast<int>(*v);
    if (const toml::table* sms = r.get_table(t, "reminder", "sms", false)) {
        c.sms.emplace();
        read_sms(r, *sms, base, *c.sms);
    }
    if (c.channel == ReminderChannelKind::sms && !c.sms && t.get("sms") == nullptr)
        r.error(t.get("channel"), "reminder.sms",
                "missing; channel = \"sms\" needs a [reminder.sms] section describing the gateway");
}

}  // namespace hcp::detail

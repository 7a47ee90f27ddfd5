// Reminder channels and their delivery loop (hcp/remind/sender.hpp).
#include "hcp/remind/sender.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "hcp/base/error.hpp"
#include "hcp/detail/toml_util.hpp"
#include "hcp/upload/upload.hpp"

namespace hcp {

namespace {

using json = nlohmann::json;

constexpr size_t kMaxReplyBytes = 64 * 1024;  // a gateway's answer is a few hundred bytes

struct CurlDeleter {
    void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

struct HttpReply {
    CURLcode code = CURLE_OK;
    long status = 0;
    std::string body;
    bool too_big = false;
    std::string error;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
    auto* reply = static_cast<HttpReply*>(user);
    const size_t bytes = size * n;
    if (reply->body.size() + bytes > kMaxReplyBytes) {
        reply->too_big = true;
        return 0;  // aborts the transfer
    }
    reply->body.append(data, bytes);
    return bytes;
}

HttpReply post(const std::string& url, const std::vector<std::string>& headers, const std::string& body,
               int timeout_seconds, const std::filesystem::path& ca_bundle) {
    static const bool initialised = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
    HttpReply reply;
    std::unique_ptr<CURL, CurlDeleter> curl(initialised ? curl_easy_init() : nullptr);
    if (!curl) {
        reply.code = CURLE_FAILED_INIT;
        reply.error = "libcurl could not start";
        return reply;
    }
    std::unique_ptr<curl_slist, SlistDeleter> list;
    for (const auto& h : headers) {
        curl_slist* next = curl_slist_append(list.get(), h.c_str());
        if (next == nullptr) {
            reply.code = CURLE_OUT_OF_MEMORY;
            reply.error = "out of memory building headers";
            return reply;
        }
        (void)list.release();
        list.reset(next);
    }
    char errbuf[CURL_ERROR_SIZE] = {};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_seconds) * 1000L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, std::min(10000L, static_cast<long>(timeout_seconds) * 1000L));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    // One attempt per send: a retried request would repeat a message the gateway may have taken.
    curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    if (!ca_bundle.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca_bundle.c_str());
    reply.code = curl_easy_perform(c);
    if (reply.code != CURLE_OK) reply.error = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(reply.code);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
    return reply;
}

// A transport failure: was the request perhaps delivered?
SendResult transport_failure(const HttpReply& r) {
    switch (r.code) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_CONNECT:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_FAILED_INIT:
        case CURLE_OUT_OF_MEMORY: return {SendCause::retry, "not sent: " + r.error};
        default:
            if (r.status == 0 && r.code == CURLE_OPERATION_TIMEDOUT && r.body.empty())
                return {SendCause::unknown, "no answer within the timeout; it may have been sent: " + r.error};
            return {SendCause::unknown,
                    "the connection failed after the request went out; it may have been sent: " + r.error};
    }
}

std::string hex_digest(const EVP_MD* md, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1) return {};
    return to_hex(out, len);
}

std::string hmac_sha256(const std::string& key, std::string_view data) {
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    unsigned char out[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_final(&st, out);
    return to_hex(out, sizeof out);
}

std::string form_escape(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : s) {
        const auto ch = static_cast<unsigned char>(c);
        if (std::isalnum(ch) != 0 || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
            out += static_cast<char>(ch);
        } else {
            out += '%';
            out += hex[ch >> 4];
            out += hex[ch & 0x0f];
        }
    }
    return out;
}

// "a.b" in a JSON reply, as text (strings as they are, numbers and booleans as JSON writes them).
std::optional<std::string> json_field(const json& root, const std::string& path) {
    const json* at = &root;
    size_t start = 0;
    while (start <= path.size()) {
        const auto dot = path.find('.', start);
        const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (!at->is_object() || !at->contains(key)) return std::nullopt;
        at = &(*at)[key];
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    if (at->is_string()) return at->get<std::string>();
    return at->dump();
}

std::string unix_seconds(TimePoint t) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

class SmsChannel final : public ReminderChannel {
public:
    explicit SmsChannel(SmsGatewayConfig c) : m_config(std::move(c)) {
        if (!m_config.secret_file.empty()) {
            // One line; the file must be the owner's only, like every secret of the hub.
            struct stat st {};
            if (::stat(m_config.secret_file.c_str(), &st) != 0)
                throw Error(Errc::key_invalid, m_config.secret_file.string() +
                                                   " cannot be read; put the SMS gateway's secret in it (mode 0600)");
            if ((st.st_mode & 077) != 0)
                throw Error(Errc::key_invalid, m_config.secret_file.string() +
                                                   " is readable by others; run: chmod 600 " +
                                                   m_config.secret_file.string());
            m_secret = detail::read_text_file(m_config.secret_file);
            while (!m_secret.empty() && (m_secret.back() == '\n' || m_secret.back() == '\r')) m_secret.pop_back();
            if (m_secret.empty())
                throw Error(Errc::key_invalid,
                            m_config.secret_file.string() + " is empty; put the gateway's secret in it");
        }
    }

    bool idempotent() const noexcept override { return m_config.idempotent; }

    SendResult send(const ReminderMessage& m) override {
        const TimePoint now = hcp::now();
        const std::string timestamp = unix_seconds(now);
        std::string nonce = uuid_v4();
        nonce.erase(std::remove(nonce.begin(), nonce.end(), '-'), nonce.end());
        std::string sign;
        if (m_config.signature != SmsGatewayConfig::Signature::none) {
            const std::string input = render_reminder_template(m_config.sign_template, m, TemplateEscape::none,
                                                               m_config.app_key, timestamp, nonce, "", &m_secret);
            switch (m_config.signature) {
                case SmsGatewayConfig::Signature::md5: sign = hex_digest(EVP_md5(), input); break;
                case SmsGatewayConfig::Signature::sha256: sign = hex_digest(EVP_sha256(), input); break;
                case SmsGatewayConfig::Signature::hmac_sha256: sign = hmac_sha256(m_secret, input); break;
                case SmsGatewayConfig::Signature::none: break;
            }
        }
        const auto escape =
            m_config.body_kind == SmsGatewayConfig::Body::json ? TemplateEscape::json : TemplateEscape::form;
        const std::string body =
            render_reminder_template(m_config.body, m, escape, m_config.app_key, timestamp, nonce, sign);
        std::vector<std::string> headers = {m_config.body_kind == SmsGatewayConfig::Body::json
                                                ? "Content-Type: application/json; charset=utf-8"
                                                : "Content-Type: application/x-www-form-urlencoded; charset=utf-8",
                                            "Expect:"};
        for (const auto& h : m_config.headers) {
            std::string line =
                render_reminder_template(h, m, TemplateEscape::none, m_config.app_key, timestamp, nonce, sign);
            line.erase(std::remove_if(line.begin(), line.end(), [](char ch) { return ch == '\r' || ch == '\n'; }),
                       line.end());
            headers.push_back(std::move(line));
        }
        const HttpReply r = post(m_config.url, headers, body, m_config.timeout_seconds, m_config.ca_bundle);
        if (r.too_big) return {SendCause::unknown, "the gateway's answer is larger than 64 KiB; it may have been sent"};
        if (r.code != CURLE_OK) return transport_failure(r);
        if (r.status == 429 || r.status >= 500)
            return {SendCause::retry, "the gateway answered HTTP " + std::to_string(r.status)};
        if (r.status != m_config.success_status) {
            if (r.status == 408) return {SendCause::unknown, "the gateway answered HTTP 408; it may have been sent"};
            return {SendCause::refused, "the gateway answered HTTP " + std::to_string(r.status) + ", expected " +
                                            std::to_string(m_config.success_status)};
        }
        if (m_config.success_field.empty()) return {SendCause::accepted, ""};
        const json reply = json::parse(r.body, nullptr, false);
        if (reply.is_discarded())
            return {SendCause::unknown, "the gateway's answer is not JSON; it may have been sent"};
        auto value = json_field(reply, m_config.success_field);
        if (value && *value == m_config.success_value) return {SendCause::accepted, ""};
        return {SendCause::refused, "the gateway answered " + m_config.success_field + " = " +
                                        (value ? std::string(value->substr(0, 80)) : std::string("(missing)")) +
                                        ", expected " + m_config.success_value};
    }

private:
    SmsGatewayConfig m_config;
    std::string m_secret;
};

class PlatformChannel final : public ReminderChannel {
public:
    PlatformChannel(UploadConfig upload, SecretKey secret, std::string hall, std::string device)
        : m_upload(std::move(upload)),
          m_secret(std::move(secret)),
          m_hall(std::move(hall)),
          m_device(std::move(device)) {
        m_url = m_upload.base_url + "/v1/reminders";
        m_path = url_path(m_url);
    }

    bool idempotent() const noexcept override { return true; }  // docs/upload-protocol.md §7: dedup by id

    SendResult send(const ReminderMessage& m) override {
        json item = {{"id", m.reminder_id},
                     {"case_no", m.case_no},
                     {"phone", m.phone},
                     {"item_name", m.item_name},
                     {"rating_url", m.url},
                     {"text", m.text},
                     {"due_at", format_iso8601(m.due_at)}};
        const std::string body = json{{"device", m_device}, {"hall", m_hall}, {"reminders", json::array({item})}}.dump(
            -1, ' ', false, json::error_handler_t::replace);
        const std::string timestamp = unix_seconds(hcp::now());
        std::string nonce = uuid_v4();
        nonce.erase(std::remove(nonce.begin(), nonce.end(), '-'), nonce.end());
        const std::string signature = sign_request(m_secret, "POST", m_path, timestamp, nonce, body);
        const HttpReply r =
            post(m_url,
                 {"Content-Type: application/json", "Accept: application/json", "X-Hcp-Device: " + m_device,
                  "X-Hcp-Timestamp: " + timestamp, "X-Hcp-Nonce: " + nonce, "X-Hcp-Signature: " + signature, "Expect:"},
                 body, m_upload.timeout_seconds, m_upload.ca_bundle);
        if (r.too_big) return {SendCause::retry, "the platform's answer is larger than 64 KiB"};
        if (r.code != CURLE_OK) return transport_failure(r);
        if (r.status == 429 || r.status >= 500 || r.status == 401)
            return {SendCause::retry, "the platform answered HTTP " + std::to_string(r.status)};
        if (r.status != 200) return {SendCause::refused, "the platform answered HTTP " + std::to_string(r.status)};
        const json reply = json::parse(r.body, nullptr, false);
        if (reply.is_discarded() || !reply.contains("results") || !reply["results"].is_array())
            return {SendCause::retry, "the platform's answer has no results"};
        for (const auto& res : reply["results"]) {
            if (!res.is_object() || res.value("id", "") != m.reminder_id) continue;
            const std::string status = res.value("status", "");
            if (status == "accepted" || status == "duplicate") return {SendCause::accepted, ""};
            if (status == "rejected")
                return {SendCause::refused,
                        "the platform refused it: " + res.value("reason", std::string("no reason"))};
        }
        return {SendCause::retry, "the platform's answer does not name this reminder"};
    }

private:
    UploadConfig m_upload;
    SecretKey m_secret;
    std::string m_hall;
    std::string m_device;
    std::string m_url, m_path;
};

}  // namespace

std::string_view to_string(SendCause c) noexcept {
    switch (c) {
        case SendCause::accepted: return "accepted";
        case SendCause::retry: return "retry";
        case SendCause::unknown: return "unknown";
        case SendCause::refused: return "refused";
    }
    return "unknown";
}

std::string render_reminder_template(std::string_view tmpl, const ReminderMessage& m, TemplateEscape escape,
                                     const std::string& app_key, const std::string& timestamp, const std::string& nonce,
                                     const std::string& sign, const std::string* secret) {
    const auto value_of = [&](std::string_view name) -> std::optional<std::string> {
        if (name == "phone") return m.phone;
        if (name == "text") return m.text;
        if (name == "reminder_id") return m.reminder_id;
        if (name == "case_no") return m.case_no;
        if (name == "hall") return m.hall_name;
        if (name == "hall_code") return m.hall_code;
        if (name == "item") return m.item_name;
        if (name == "url") return m.url;
        if (name == "timestamp") return timestamp;
        if (name == "timestamp_ms") return timestamp + "000";
        if (name == "nonce") return nonce;
        if (name == "app_key") return app_key;
        if (name == "sign") return sign;
        if (name == "secret" && secret != nullptr) return *secret;
        return std::nullopt;
    };
    const auto escaped = [&](const std::string& v) {
        switch (escape) {
            case TemplateEscape::none: return v;
            case TemplateEscape::form: return form_escape(v);
            case TemplateEscape::json: {
                std::string quoted = json(v).dump(-1, ' ', false, json::error_handler_t::replace);
                return quoted.substr(1, quoted.size() - 2);
            }
        }
        return v;
    };
    std::string out;
    for (size_t i = 0; i < tmpl.size(); ++i) {
        const char ch = tmpl[i];
        if ((ch == '{' || ch == '}') && i + 1 < tmpl.size() && tmpl[i + 1] == ch) {
            out += ch;
            ++i;
            continue;
        }
        if (ch == '{') {
            const auto close = tmpl.find('}', i);
            if (close != std::string_view::npos) {
                if (auto v = value_of(tmpl.substr(i + 1, close - i - 1))) {
                    out += escaped(*v);
                    i = close;
                    continue;
                }
            }
        }
        out += ch;
    }
    return out;
}

std::unique_ptr<ReminderChannel> make_sms_channel(const SmsGatewayConfig& config) {
    return std::make_unique<SmsChannel>(config);
}

std::unique_ptr<ReminderChannel> make_platform_channel(const UploadConfig& upload, SecretKey hall_secret,
                                                       std::string hall_code, std::string device_id) {
    return std::make_unique<PlatformChannel>(upload, std::move(hall_secret), std::move(hall_code),
                                             std::move(device_id));
}

ReminderDelivery deliver_due_reminders(ReminderBook& book, ReminderChannel& channel, ReminderChannelKind kind,
                                       const ReminderConfig& config,
                                       const std::function<std::optional<ReminderMessage>(const ReminderRow&)>& compose,
                                       TimePoint now, int max_per_pass) {
    ReminderDelivery out;
    const bool idempotent = channel.idempotent();
    // The lease outlives any request: a row still "sending" after it was cut off mid-send.
    const TimePoint lease_until = now + std::chrono::minutes{10};
    for (int i = 0; i < max_per_pass; ++i) {
        auto row = book.claim(kind, idempotent, now, lease_until);
        if (!row) break;
        auto message = compose(*row);
        if (!message || message->phone.empty()) {
            book.mark_final(row->case_no, ReminderState::no_phone, "the case has no phone number");
            ++out.no_phone;
            continue;
        }
        const SendResult r = channel.send(*message);
        switch (r.cause) {
            case SendCause::accepted:
                book.mark_sent(row->case_no, now);
                ++out.sent;
                continue;
            case SendCause::refused:
                book.mark_final(row->case_no, ReminderState::failed, r.detail);
                ++out.failed;
                out.errors.push_back(row->case_no + ": " + r.detail);
                continue;
            case SendCause::unknown:
                if (!idempotent) {
                    book.mark_final(row->case_no, ReminderState::unknown, r.detail);
                    ++out.unknown;
                    out.errors.push_back(row->case_no + ": " + r.detail);
                    return out;  // the channel is in trouble: wait for the next pass
                }
                [[fallthrough]];
            case SendCause::retry: {
                out.errors.push_back(row->case_no + ": " + r.detail);
                if (row->attempts >= config.max_attempts) {
                    book.mark_final(row->case_no, ReminderState::failed,
                                    "gave up after " + std::to_string(row->attempts) + " attempts: " + r.detail);
                    ++out.failed;
                } else {
                    const int shift = std::min(row->attempts - 1, 10);
                    const auto wait = std::min<std::chrono::minutes>(
                        std::chrono::minutes{config.retry_minutes} * (1 << shift), std::chrono::hours{6});
                    book.mark_retry(row->case_no, r.detail, now + wait);
                    ++out.retried;
                }
                return out;  // the channel is down: one failure per pass, not one per reminder
            }
        }
    }
    return out;
}

}  // namespace hcp

// Signing, classification of replies, backoff and the uploader (hcp/upload.hpp).
#include "hcp/upload/upload.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "hcp/detail/toml_util.hpp"

namespace hcp {

using json = nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Signing

std::string signing_string(std::string_view method, std::string_view path, std::string_view timestamp,
                           std::string_view nonce, std::string_view body) {
    std::string s;
    s.reserve(method.size() + path.size() + timestamp.size() + nonce.size() + 70);
    s.append(method).append("\n").append(path).append("\n").append(timestamp).append("\n");
    s.append(nonce).append("\n").append(sha256_hex(body));
    return s;
}

std::string sign_request(const SecretKey& secret, std::string_view method, std::string_view path,
                         std::string_view timestamp, std::string_view nonce, std::string_view body) {
    return hmac_sha256_hex(secret, signing_string(method, path, timestamp, nonce, body));
}

std::string url_path(std::string_view url) {
    auto scheme = url.find("://");
    size_t from = scheme == std::string_view::npos ? 0 : scheme + 3;
    auto slash = url.find('/', from);
    if (slash == std::string_view::npos) return {};
    auto end = url.find_first_of("?#", slash);
    return std::string(url.substr(slash, end == std::string_view::npos ? std::string_view::npos : end - slash));
}

// ---------------------------------------------------------------------------------------------
// Profiles

namespace {

const std::vector<std::string>& canonical_fields() {
    static const std::vector<std::string> f = {"id",
                                               "seq",
                                               "prev_hash",
                                               "hash",
                                               "case_nos",
                                               "item_code",
                                               "item_name",
                                               "stage",
                                               "target",
                                               "kind",
                                               "level",
                                               "options",
                                               "option_labels",
                                               "text",
                                               "channel",
                                               "window",
                                               "staff_no",
                                               "staff_name",
                                               "area_code",
                                               "tapped_at",
                                               "catalog_id",
                                               "catalog_version",
                                               "public",
                                               "default"};
    return f;
}

std::string format_china_seconds(TimePoint t) {
    // "yyyy-MM-dd HH:mm:ss" in China time (milliseconds dropped).
    std::string iso = format_iso8601(t);  // 2026-10-08T09:30:00[.250]+08:00
    return iso.substr(0, 10) + " " + iso.substr(11, 8);
}

std::string csv(const std::vector<std::string>& v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + v[i];
    return out;
}

}  // namespace

PlatformProfile generic_profile() {
    return PlatformProfile{};
}

PlatformProfile parse_platform_profile(std::string_view text, const std::string& origin) {
    auto fail = [&](const std::string& what) -> Error {
        return Error(Errc::config_invalid, "platform profile " + origin + ": " + what);
    };
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw fail("not a JSON object");
    static const std::set<std::string> known = {
        "name",          "envelope",   "items_key",   "fields",           "constants",    "level_direction",
        "channel_codes", "kind_codes", "date_format", "area_code_length", "lists_as_csv", "default_as_channel",
        "comment"};
    std::vector<std::string> known_list(known.begin(), known.end());
    for (auto it = j.begin(); it != j.end(); ++it)
        if (!known.count(it.key())) {
            auto hint = did_you_mean(it.key(), known_list);
            throw fail("unknown key \"" + it.key() + "\"" + (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
        }
    PlatformProfile p;
    auto str = [&](const char* key, std::string& out) {
        if (!j.contains(key)) return;
        if (!j[key].is_string()) throw fail(std::string(key) + " must be a string");
        out = j[key].get<std::string>();
    };
    auto map = [&](const char* key, std::map<std::string, std::string>& out) {
        if (!j.contains(key)) return;
        if (!j[key].is_object()) throw fail(std::string(key) + " must be an object of strings");
        for (auto it = j[key].begin(); it != j[key].end(); ++it) {
            if (!it.value().is_string()) throw fail(std::string(key) + "." + it.key() + " must be a string");
            out[it.key()] = it.value().get<std::string>();
        }
    };
    str("name", p.name);
    std::string envelope = "generic";
    str("envelope", envelope);
    if (envelope != "generic" && envelope != "list") throw fail("envelope must be \"generic\" or \"list\"");
    p.generic_envelope = envelope == "generic";
    str("items_key", p.items_key);
    map("fields", p.field_names);
    for (const auto& [k, v] : p.field_names)
        if (std::find(canonical_fields().begin(), canonical_fields().end(), k) == canonical_fields().end()) {
            auto hint = did_you_mean(k, canonical_fields());
            throw fail("fields: \"" + k + "\" is not a rating field" +
                       (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
        }
    map("constants", p.constants);
    std::string dir = "5_is_best";
    str("level_direction", dir);
    if (dir != "5_is_best" && dir != "1_is_best") throw fail("level_direction must be \"5_is_best\" or \"1_is_best\"");
    p.level_descending = dir == "1_is_best";
    map("channel_codes", p.channel_codes);
    for (const auto& [k, v] : p.channel_codes)
        if (!parse_channel(k)) throw fail("channel_codes: \"" + k + "\" is not a channel");
    if (!p.channel_codes.empty())
        for (const char* needed : {"window_rater", "self_service", "qr_code", "system_default"})
            if (!p.channel_codes.count(needed)) throw fail(std::string("channel_codes must map \"") + needed + "\"");
    map("kind_codes", p.kind_codes);
    for (const auto& [k, v] : p.kind_codes)
        if (!parse_case_kind(k))
            throw fail("kind_codes: \"" + k + "\" is not a case kind (immediate, promised, other)");
    str("date_format", p.date_format);
    if (p.date_format != "iso8601" && p.date_format != "yyyy-MM-dd HH:mm:ss")
        throw fail("date_format must be \"iso8601\" or \"yyyy-MM-dd HH:mm:ss\"");
    if (j.contains("area_code_length")) {
        if (!j["area_code_length"].is_number_integer()) throw fail("area_code_length must be 6 or 12");
        p.area_code_length = j["area_code_length"].get<int>();
        if (p.area_code_length != 6 && p.area_code_length != 12) throw fail("area_code_length must be 6 or 12");
    }
    for (const char* key : {"lists_as_csv", "default_as_channel"})
        if (j.contains(key) && !j[key].is_boolean()) throw fail(std::string(key) + " must be true or false");
    p.options_as_csv = j.value("lists_as_csv", false);
    p.default_as_channel = j.value("default_as_channel", false);
    if (p.default_as_channel && p.channel_codes.empty()) throw fail("default_as_channel needs channel_codes");
    if (p.items_key.empty()) throw fail("items_key must not be empty");
    return p;
}

PlatformProfile load_platform_profile(const std::filesystem::path& path) {
    return parse_platform_profile(detail::read_text_file(path), path.string());
}

std::string render_batch(const PlatformProfile& p, const OutboxBatch& batch, const std::string& hall_code) {
    json items = json::array();
    for (const Rating& r : batch.ratings) {
        json it = json::object();
        auto put = [&](const std::string& field, json value) {
            auto f = p.field_names.find(field);
            const std::string& name = f == p.field_names.end() ? field : f->second;
            if (!name.empty()) it[name] = std::move(value);
        };
        auto list = [&](const std::vector<std::string>& v) -> json {
            return p.options_as_csv ? json(csv(v)) : json(v);
        };
        int level = to_int(r.level);
        if (p.level_descending) level = 6 - level;
        std::string channel(to_string(r.channel));
        if (p.default_as_channel && r.is_default) channel = "system_default";
        if (auto c = p.channel_codes.find(channel); c != p.channel_codes.end()) channel = c->second;
        std::string kind(to_string(r.kind));
        if (auto k = p.kind_codes.find(kind); k != p.kind_codes.end()) kind = k->second;
        std::string area = r.area_code.substr(0, static_cast<size_t>(p.area_code_length));
        put("id", r.id);
        put("seq", r.seq);
        put("prev_hash", r.prev_hash);
        put("hash", r.hash);
        put("case_nos", list(r.case_nos));
        put("item_code", r.item_code);
        put("item_name", r.item_name);
        put("stage", std::string(to_string(r.stage)));
        put("target", std::string(to_string(r.target)));
        put("kind", kind);
        put("level", level);
        put("options", list(r.option_codes));
        put("option_labels", list(r.option_labels));
        put("text", r.text);
        put("channel", channel);
        put("window", r.window);
        put("staff_no", r.staff_number);
        put("staff_name", r.staff_name);
        put("area_code", area);
        put("tapped_at", p.date_format == "iso8601" ? format_iso8601(r.tapped_at) : format_china_seconds(r.tapped_at));
        put("catalog_id", r.catalog_id);
        put("catalog_version", r.catalog_version);
        put("public", r.is_public);
        if (!p.default_as_channel) put("default", r.is_default);
        for (const auto& [k, v] : p.constants) it[k] = v;
        items.push_back(std::move(it));
    }
    json body = json::object();
    if (p.generic_envelope) {
        body["device"] = batch.device_id;
        body["hall"] = hall_code;
        body["chain_head"] = {{"seq", batch.chain_head.seq}, {"hash", batch.chain_head.hash}};
    }
    body[p.items_key] = std::move(items);
    return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

// ---------------------------------------------------------------------------------------------
// Classification

std::string_view to_string(ItemStatus s) noexcept {
    switch (s) {
        case ItemStatus::accepted: return "accepted";
        case ItemStatus::duplicate: return "duplicate";
        case ItemStatus::rejected: return "rejected";
    }
    return "?";
}

std::string_view to_string(AttemptCause c) noexcept {
    switch (c) {
        case AttemptCause::ok: return "ok";
        case AttemptCause::transport_error: return "transport_error";
        case AttemptCause::timeout: return "timeout";
        case AttemptCause::http_status: return "http_status";
        case AttemptCause::protocol_error: return "protocol_error";
    }
    return "?";
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view v, TimePoint now) {
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
    if (v.empty()) return std::nullopt;
    if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        if (v.size() > 9) return std::chrono::milliseconds{std::chrono::hours{24 * 365}};
        return std::chrono::milliseconds{std::stoll(std::string(v)) * 1000};
    }
    // HTTP date: "Sun, 06 Nov 1994 08:49:37 GMT"
    std::tm tm{};
    std::string s(v);
    if (!strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) return std::nullopt;
    auto t = timegm(&tm);
    auto at = std::chrono::system_clock::from_time_t(t);
    auto delta = std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
    return std::max(delta, std::chrono::milliseconds::zero());
}

AttemptResult classify_reply(long status, std::string_view content_type, std::string_view body,
                             std::optional<std::string_view> retry_after_header,
                             const std::vector<std::string>& batch_ids, std::string_view location,
                             std::optional<TimePoint> now) {
    AttemptResult a;
    a.http_status = status;
    const TimePoint at = now.value_or(hcp::now());
    if (retry_after_header) a.retry_after = parse_retry_after(*retry_after_header, at);
    if (status >= 300 && status < 400) {
        a.cause = AttemptCause::protocol_error;
        a.message = "HTTP " + std::to_string(status) + " redirect" +
                    (location.empty() ? std::string() : " to " + std::string(location)) +
                    " refused: redirects are never followed; check upload.base_url";
        return a;
    }
    if (status == 403) {
        // Authenticated but not allowed: the secret and the clock are fine, the platform's
        // registration of this hall or device is not.
        a.cause = AttemptCause::http_status;
        a.message =
            "HTTP 403: the platform does not allow this upload (not a signature problem); ask the "
            "platform whether this hall and device are registered and allowed to upload";
        json j = json::parse(body, nullptr, false);
        if (!j.is_discarded() && j.is_object() && j.contains("error") && j["error"].is_string())
            a.message += " (platform: " + j["error"].get<std::string>().substr(0, 200) + ")";
        return a;
    }
    if (status == 401) {
        a.cause = AttemptCause::http_status;
        a.message = "HTTP " + std::to_string(status) +
                    ": the platform refused the signature; check the hall secret and the clock";
        // §4: the refusal may say why ("error") and give the platform's clock ("server_time");
        // a clock outside the replay window is named as such, with the size of the skew.
        json j = json::parse(body, nullptr, false);
        if (!j.is_discarded() && j.is_object()) {
            if (j.contains("server_time") && j["server_time"].is_number_integer()) {
                auto server = std::chrono::seconds{j["server_time"].get<long long>()};
                auto mine = std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch());
                auto skew = mine - server;
                if (skew > std::chrono::minutes{1} || skew < -std::chrono::minutes{1})
                    a.message = "HTTP " + std::to_string(status) + ": the hub clock is " +
                                format_age(std::chrono::abs(skew)) + (skew.count() > 0 ? " ahead of" : " behind") +
                                " the platform's, outside its replay window; set the clock right (NTP), "
                                "the ratings wait and are sent then";
            }
            if (j.contains("error") && j["error"].is_string()) {
                const std::string why = j["error"].get<std::string>().substr(0, 200);
                // Every attempt carries a fresh nonce: a replayed one means a copy of an earlier
                // request reached the platform (a proxy or a client library resending it).
                std::string lower;
                for (char c : why) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                if (lower.find("nonce") != std::string::npos &&
                    (lower.find("replay") != std::string::npos || lower.find("used") != std::string::npos))
                    a.message =
                        "HTTP 401: the platform had already seen this request's nonce: a copy of an earlier "
                        "attempt reached it (the secret and the clock are fine); the batch is resent with a "
                        "new signature";
                a.message += " (platform: " + why + ")";
            }
        }
        return a;
    }
    if (status != 200) {
        a.cause = AttemptCause::http_status;
        a.message = "HTTP " + std::to_string(status) + " from the platform";
        if (status == 429 || status == 503)
            a.message += " (busy" + std::string(a.retry_after ? ", Retry-After honoured)" : ")");
        return a;
    }
    std::string ct;
    for (char c : content_type) ct += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ct.rfind("application/json", 0) != 0) {
        a.cause = AttemptCause::protocol_error;
        a.message =
            "reply has content type \"" + std::string(content_type).substr(0, 80) + "\", expected application/json";
        return a;
    }
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("results") || !j["results"].is_array()) {
        a.cause = AttemptCause::protocol_error;
        a.message = "reply is not {\"results\": [...]} (" + std::to_string(body.size()) + " bytes)";
        return a;
    }
    std::set<std::string> wanted(batch_ids.begin(), batch_ids.end());
    std::map<std::string, ItemResult> seen;
    for (const auto& e : j["results"]) {
        if (!e.is_object() || !e.contains("id") || !e["id"].is_string() || !e.contains("status") ||
            !e["status"].is_string()) {
            a.cause = AttemptCause::protocol_error;
            a.message = "reply has a result without a string id and status";
            return a;
        }
        ItemResult r;
        r.id = e["id"].get<std::string>();
        std::string st = e["status"].get<std::string>();
        if (st == "accepted")
            r.status = ItemStatus::accepted;
        else if (st == "duplicate")
            r.status = ItemStatus::duplicate;
        else if (st == "rejected")
            r.status = ItemStatus::rejected;
        else {
            a.cause = AttemptCause::protocol_error;
            a.message = "reply has the unknown status \"" + st.substr(0, 40) + "\"";
            return a;
        }
        if (e.contains("reason") && e["reason"].is_string()) r.reason = e["reason"].get<std::string>().substr(0, 500);
        if (!wanted.count(r.id)) continue;  // not ours: ignored
        auto [it, inserted] = seen.emplace(r.id, r);
        if (!inserted) {
            // A repeated answer is harmless; contradicting answers make the whole reply unusable.
            bool a_ok = it->second.status != ItemStatus::rejected, b_ok = r.status != ItemStatus::rejected;
            if (a_ok != b_ok) {
                a.cause = AttemptCause::protocol_error;
                a.message = "reply contradicts itself for rating " + r.id;
                return a;
            }
        }
    }
    for (const auto& id : batch_ids)
        if (auto it = seen.find(id); it != seen.end()) a.results.push_back(it->second);
    a.cause = AttemptCause::ok;
    return a;
}

std::chrono::milliseconds backoff_delay(int failures, int base_ms, int max_ms) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    long long cap = base_ms;
    for (int i = 1; i < failures && cap < max_ms; ++i) cap *= 2;
    cap = std::min<long long>(cap, max_ms);
    std::uniform_int_distribution<long long> dist(0, std::max<long long>(cap, 0));
    return std::chrono::milliseconds{dist(rng)};
}

}  // namespace hcp

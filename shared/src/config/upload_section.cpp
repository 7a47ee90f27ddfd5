// The [upload] section (hcp/config.hpp, docs/sync.md) and the hall secret. Read through the
// strict TomlReader like every other loader: all problems collected, file:line positions,
// unknown keys with "did you mean".
#include <sys/stat.h>

#include <cctype>

#include "config/sections.hpp"
#include "hcp/upload/upload.hpp"

namespace hcp {

namespace detail {

void read_upload_section(TomlReader& r, const toml::table& t, const std::filesystem::path& base, UploadConfig& c) {
    r.check_keys(t, "upload",
                 {"base_url", "secret_file", "ca_bundle", "pinned_public_key", "proxy", "profile", "batch_size",
                  "timeout_seconds", "connect_timeout_seconds", "backoff_base_ms", "backoff_max_ms",
                  "max_retry_after_seconds", "max_reply_kib", "purge_after_days"});
    if (auto v = r.get_string(t, "upload", "base_url", true, 500)) {
        while (!v->empty() && v->back() == '/') v->pop_back();
        if (v->rfind("https://", 0) != 0 && v->rfind("http://", 0) != 0)
            r.error(t.get("base_url"), "upload.base_url",
                    "must start with https:// (or http:// for a loopback test platform)");
        c.base_url = *v;
    }
    if (auto v = r.get_string(t, "upload", "secret_file", true, 500)) c.secret_file = resolve_against(base, *v);
    if (auto v = r.get_string(t, "upload", "ca_bundle", false, 500)) c.ca_bundle = resolve_against(base, *v);
    if (auto v = r.get_string(t, "upload", "pinned_public_key", false, 2000)) {
        if (!v->empty() && v->rfind("sha256//", 0) != 0)
            r.error(t.get("pinned_public_key"), "upload.pinned_public_key",
                    "must be \"sha256//<base64>\" (several joined with ';')");
        c.pinned_public_key = *v;
    }
    if (auto v = r.get_string(t, "upload", "proxy", false, 500)) c.proxy = *v;
    if (auto v = r.get_string(t, "upload", "profile", false, 64)) {
        bool ok = !v->empty();
        for (char ch : *v)
            if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_')) ok = false;
        if (!ok) r.error(t.get("profile"), "upload.profile", "must be a profile name like \"generic\" or \"zhejiang\"");
        c.profile = *v;
    }
    auto get = [&](const char* key, std::int64_t lo, std::int64_t hi, auto& out) {
        if (auto v = r.get_int(t, "upload", key, false, lo, hi))
            out = static_cast<std::remove_reference_t<decltype(out)>>(*v);
    };
    get("batch_size", 1, 1000, c.batch_size);
    get("timeout_seconds", 1, 600, c.timeout_seconds);
    get("connect_timeout_seconds", 1, 120, c.connect_timeout_seconds);
    get("backoff_base_ms", 1, 600000, c.backoff_base_ms);
    get("backoff_max_ms", 1, 86400000, c.backoff_max_ms);
    get("max_retry_after_seconds", 0, 86400, c.max_retry_after_seconds);
    long long kib = c.max_reply_bytes / 1024;
    get("max_reply_kib", 1, 65536, kib);
    c.max_reply_bytes = kib * 1024;
    get("purge_after_days", 0, 3650, c.purge_after_days);
    if (c.backoff_max_ms < c.backoff_base_ms)
        r.error(t.get("backoff_max_ms"), "upload.backoff_max_ms", "must not be smaller than backoff_base_ms");
}

}  // namespace detail

UploadConfig parse_upload_config(std::string_view toml_text, const std::string& origin,
                                 const std::filesystem::path& base_dir) {
    detail::TomlReader r(origin);
    auto root = r.parse(toml_text);
    if (!root) throw ConfigError(r.issues());
    r.check_keys(*root, "", {"upload"});
    UploadConfig c;
    if (const toml::table* t = r.get_table(*root, "", "upload", true)) detail::read_upload_section(r, *t, base_dir, c);
    if (!r.ok()) throw ConfigError(r.issues());
    return c;
}

UploadConfig load_upload_config(const std::filesystem::path& path) {
    return parse_upload_config(detail::read_text_file(path), path.string(), path.parent_path());
}

SecretKey parse_hall_secret(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    if (text.size() != 2 * SecretKey::kSize)
        throw Error(Errc::key_invalid,
                    "hall secret must be 64 hex digits (got " + std::to_string(text.size()) + " characters)");
    std::array<std::uint8_t, SecretKey::kSize> bytes{};
    auto nibble = [](char ch) -> int {
        if (ch >= '0' && ch <= '9') return ch - '0';
        if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
        if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
        return -1;
    };
    for (size_t i = 0; i < bytes.size(); ++i) {
        int hi = nibble(text[2 * i]), lo = nibble(text[2 * i + 1]);
        if (hi < 0 || lo < 0) throw Error(Errc::key_invalid, "hall secret must be 64 hex digits");
        bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    return SecretKey::from_bytes(bytes);
}

SecretKey load_hall_secret(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw Error(Errc::key_invalid, "hall secret " + path.string() + " cannot be read");
    if ((st.st_mode & 077) != 0)
        throw Error(Errc::key_invalid,
                    "hall secret " + path.string() + " is readable by others; run: chmod 600 " + path.string());
    try {
        return parse_hall_secret(detail::read_text_file(path));
    } catch (const Error& e) {
        if (e.code() == Errc::key_invalid) throw Error(Errc::key_invalid, path.string() + ": " + e.what());
        throw;
    }
}

}  // namespace hcp

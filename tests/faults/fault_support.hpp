#pragma once
// Shared pieces of the upload fault runs (receiver faults, disk full, clock jumps, tampering):
// the hall secret both sides use, a fast-retrying uploader configuration, and the two checks
// every run ends with — SQLite's integrity_check and `hcpctl verify --json` on the hub file.
#include <sqlite3.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "hcp/upload/upload.hpp"

namespace hcp::faults {

inline SecretKey hall_secret() {
    std::array<std::uint8_t, SecretKey::kSize> b{};
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i * 11 + 3);
    return SecretKey::from_bytes(b);
}

// Short timeouts and backoff so a fault run settles in seconds, not the product's minutes.
inline UploadConfig fast_config(const std::string& base_url) {
    UploadConfig c;
    c.base_url = base_url;
    c.batch_size = 20;
    c.timeout_seconds = 1;
    c.connect_timeout_seconds = 1;
    c.backoff_base_ms = 10;
    c.backoff_max_ms = 400;
    c.max_retry_after_seconds = 1;
    return c;
}

// PRAGMA integrity_check on a file, through its own read-only connection: "ok" or the problem.
inline std::string integrity_check(const std::filesystem::path& db) {
    sqlite3* raw = nullptr;
    if (sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(raw);
        return "cannot open";
    }
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> h(raw, &sqlite3_close);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(raw, "PRAGMA integrity_check", -1, &st, nullptr) != SQLITE_OK) return sqlite3_errmsg(raw);
    std::string out;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const auto* t = sqlite3_column_text(st, 0);
        if (!out.empty()) out += "; ";
        out += t ? reinterpret_cast<const char*>(t) : "";
    }
    sqlite3_finalize(st);
    return out;
}

// Runs `hcpctl verify DB --key KEY --json` (the tool an admin runs) and returns its JSON
// ({"ok", "ratings", "findings": [{"kind", "seq_first", …}]}); {"error": …} if it did not run.
inline nlohmann::json hcpctl_verify(const std::filesystem::path& db, const std::filesystem::path& key) {
    std::string cmd =
        std::string("'") + HCP_HCPCTL_PATH + "' verify '" + db.string() + "' --key '" + key.string() + "' --json 2>&1";
    std::unique_ptr<FILE, decltype(&pclose)> p(::popen(cmd.c_str(), "r"), &pclose);
    if (!p) return {{"error", "popen failed"}};
    std::string text;
    char buf[4096];
    while (size_t n = std::fread(buf, 1, sizeof buf, p.get())) text.append(buf, n);
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return {{"error", text.substr(0, 400)}};
    return j;
}

inline long long ms_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace hcp::faults

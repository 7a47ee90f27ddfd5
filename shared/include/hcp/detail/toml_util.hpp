#pragma once
// Internal: strict TOML reading with positions. Every loader (config, catalog, calendar) goes
// through TomlReader so that every problem is reported as "file:line:column: key: message",
// unknown keys get a "did you mean" suggestion, and all problems are collected before failing.
#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hcp/config/config.hpp"

namespace hcp::detail {

class TomlReader {
public:
    explicit TomlReader(std::string origin) : m_origin(std::move(origin)) {}

    // Parses text; a syntax error becomes an issue and the result is empty.
    std::optional<toml::table> parse(std::string_view text);

    // Records unknown keys of `table` (at dotted `path`) as issues with suggestions.
    void check_keys(const toml::table& table, const std::string& path, std::initializer_list<std::string_view> allowed);

    // Typed getters. A missing required key, a wrong type or an out-of-range value is recorded
    // as an issue and yields nullopt. `path` is the dotted path of `table`.
    std::optional<std::string> get_string(const toml::table& table, const std::string& path, std::string_view key,
                                          bool required, size_t max_bytes = 200);
    std::optional<std::int64_t> get_int(const toml::table& table, const std::string& path, std::string_view key,
                                        bool required, std::int64_t min, std::int64_t max);
    std::optional<bool> get_bool(const toml::table& table, const std::string& path, std::string_view key,
                                 bool required);
    const toml::table* get_table(const toml::table& table, const std::string& path, std::string_view key,
                                 bool required);
    const toml::array* get_array(const toml::table& table, const std::string& path, std::string_view key,
                                 bool required);
    // Array of strings (each ≤ max_bytes); wrong element types are issues.
    std::optional<std::vector<std::string>> get_string_array(const toml::table& table, const std::string& path,
                                                             std::string_view key, bool required,
                                                             size_t max_bytes = 200);

    // Records an issue at a node's position (or the table's, or none).
    void error(const toml::node* at, const std::string& key, const std::string& message);

    const std::string& origin() const noexcept { return m_origin; }
    const std::vector<ConfigIssue>& issues() const noexcept { return m_issues; }
    bool ok() const noexcept { return m_issues.empty(); }
    // "origin:line:col: key: message" lines joined with '\n'.
    std::string joined() const;

    static std::string join_path(const std::string& path, std::string_view key);

private:
    std::string m_origin;
    std::vector<ConfigIssue> m_issues;
};

// Settings files are small: the largest shipped catalog or calendar is a few KiB.
inline constexpr std::uintmax_t kMaxTextFileBytes = 4 * 1024 * 1024;

// Reads a whole regular file of at most kMaxTextFileBytes; throws Error(Errc::io_failure) with
// the path and the reason (the OS's, not a regular file — /dev/zero, a FIFO, a folder — or too large).
std::string read_text_file(const std::filesystem::path& path);

}  // namespace hcp::detail

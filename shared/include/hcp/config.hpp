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

#include "hcp/domain.hpp"
#include "hcp/error.hpp"
#include "hcp/rules.hpp"

namespace hcp {

struct ConfigIssue {
    std::string file;
    int line = 0;    // 1-based; 0 when the problem has no position (e.g. a missing key)
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
    std::string id;                       // [A-Za-z0-9_-]{1,32}
    std::set<DeviceRole> roles;           // at least one
    int window = 0;                       // required for role rater; 1..999
    std::string hub_url;                  // empty when this device is the hub
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
    std::filesystem::path catalog;   // resolved against paths.assets
    int timeout_seconds = 60;        // rating screen back to idle
    UnratedPolicy unrated;
};

struct CalendarConfig {
    std::vector<std::filesystem::path> files;  // resolved against paths.assets
};

struct Config {
    std::filesystem::path source;  // the file it was loaded from
    Hall hall;
    DeviceConfig device;
    PathsConfig paths;
    StoreConfig store;
    RatingConfig rating;
    CalendarConfig calendar;
    std::vector<ServiceCategory> categories;
    std::vector<ServiceItem> items;
    std::vector<Window> windows;
    std::vector<Staff> staff;
};

// Throws ConfigError (Errc::config_invalid) on any problem; Error(Errc::io_failure) when the
// file cannot be read.
Config load_config(const std::filesystem::path& path);
// Same from text; `origin` is the file name used in messages and `base_dir` resolves paths.
Config parse_config(std::string_view toml_text, const std::string& origin,
                    const std::filesystem::path& base_dir);

// Levenshtein-based suggestion among `candidates`, or empty when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace hcp

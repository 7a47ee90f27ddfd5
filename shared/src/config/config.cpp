// Typed configuration: one strict pass over the TOML document that fills Config and collects
// every problem before failing (docs/config.md documents each key).
//
// Why one pass that keeps going: an installer editing a hall's config over ssh should see all
// mistakes at once, each with file:line:column, not fix them one restart at a time. Values
// that fail validation are left at their defaults so later checks can still run; the result is
// only returned when no issue was recorded.
#include "hcp/config/config.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <system_error>

#include "config/sections.hpp"
#include "hcp/base/utf8.hpp"
#include "hcp/token/token.hpp"

namespace hcp {

namespace fs = std::filesystem;
using detail::TomlReader;

// ---------------------------------------------------------------------------------------------
// ConfigIssue, ConfigError, did_you_mean

std::string ConfigIssue::to_string() const {
    std::string out = file;
    if (line > 0) {
        out += ':' + std::to_string(line);
        if (column > 0) out += ':' + std::to_string(column);
    }
    out += ": ";
    if (!key.empty()) out += key + ": ";
    out += message;
    return out;
}

namespace {

// A hostile or mistaken file can produce thousands of issues; what() goes to logs and
// terminals, so it lists the first ones and says how many more issues() holds.
constexpr size_t kMaxIssuesInMessage = 100;

std::string describe(const std::vector<ConfigIssue>& issues) {
    std::string out = "configuration has " + std::to_string(issues.size()) + " problem(s):";
    size_t shown = std::min(issues.size(), kMaxIssuesInMessage);
    for (size_t i = 0; i < shown; ++i) out += '\n' + issues[i].to_string();
    if (shown < issues.size()) out += "\n... and " + std::to_string(issues.size() - shown) + " more problem(s)";
    return out;
}

// UTF-8 to code points; an invalid byte counts as one code point of its own, so garbage still
// gets a distance instead of an exception.
std::u32string code_points(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        const utf8::Char c = utf8::char_at(s, i);
        // An invalid byte is kept distinct from real text (and from other invalid bytes).
        out.push_back(c.valid ? c.code_point : 0xDC00u + static_cast<unsigned char>(s[i]));
        i += c.size;
    }
    return out;
}

// Optimal string alignment distance: Levenshtein plus "two neighbouring letters swapped" as a
// single edit, the most common typo in hand-edited keys (nmae → name, levle → level).
size_t levenshtein(const std::u32string& a, const std::u32string& b) {
    std::vector<size_t> before(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t substitute = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, substitute});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                cur[j] = std::min(cur[j], before[j - 2] + 1);
        }
        std::swap(before, prev);
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

}  // namespace

ConfigError::ConfigError(std::vector<ConfigIssue> issues)
    : Error(Errc::config_invalid, describe(issues)), m_issues(std::move(issues)) {}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    std::u32string w = code_points(word);
    size_t limit = std::max<size_t>(1, w.size() / 3);
    const std::string* best = nullptr;
    size_t best_distance = limit + 1;
    for (const auto& candidate : candidates) {
        std::u32string c = code_points(candidate);
        // The length difference is a lower bound of the distance: skip without the O(n·m) work
        // (a megabyte-long unknown key costs nothing).
        size_t gap = c.size() > w.size() ? c.size() - w.size() : w.size() - c.size();
        if (gap >= best_distance) continue;
        size_t d = levenshtein(w, c);
        if (d < best_distance) {  // strict: on a tie the first candidate wins
            best_distance = d;
            best = &candidate;
        }
    }
    return best != nullptr ? *best : std::string();
}

// ---------------------------------------------------------------------------------------------
// Validation

namespace {

constexpr size_t kMaxConfigBytes = 1024 * 1024;
constexpr size_t kMaxPathBytes = 1024;
constexpr std::string_view kRoleNames = "hub, ticket, rater, selfservice, display";

bool is_ascii_alnum(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// [A-Za-z0-9] plus, when `extra` is set, '_' and '-'; length 1..max_len.
bool is_code(std::string_view s, size_t max_len, bool extra) {
    if (s.empty() || s.size() > max_len) return false;
    return std::all_of(s.begin(), s.end(),
                       [extra](char c) { return is_ascii_alnum(c) || (extra && (c == '_' || c == '-')); });
}

bool is_digits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_blank(std::string_view s) {
    // Spaces only, including the full-width 全角空格 (E3 80 80): the bytes of the set can only
    // form that one sequence in valid UTF-8.
    return s.find_first_not_of(" \xE3\x80") == std::string_view::npos;
}

// "HH:MM", 00:00..23:59.
bool is_clock(std::string_view s) {
    if (s.size() != 5 || s[2] != ':' || !is_digits(s.substr(0, 2)) || !is_digits(s.substr(3))) return false;
    return (s[0] - '0') * 10 + (s[1] - '0') <= 23 && (s[3] - '0') * 10 + (s[4] - '0') <= 59;
}

std::string shown(std::string_view s) {
    constexpr size_t kShown = 40;
    if (s.size() <= kShown) return "'" + std::string(s) + "'";
    // Cut on a character boundary so the message stays valid text.
    return "'" + std::string(utf8::first_bytes(s, kShown)) + "…'";
}

// `p` as written when absolute, else against `base`; normalized without a trailing separator
// ("assets/config/.." is "assets", not "assets/") so logs and comparisons stay plain.
fs::path resolve(const fs::path& base, const fs::path& p) {
    if (p.is_absolute()) return p;
    fs::path out = (base / p).lexically_normal();
    if (!out.has_filename() && out.has_relative_path()) out = out.parent_path();
    return out;
}

// The integer a node holds, or `otherwise` (no conversion from floats or text: value_or would
// turn 2.0 into 2).
std::int64_t raw_int(const toml::node* n, std::int64_t otherwise) {
    const auto* i = n != nullptr ? n->as_integer() : nullptr;
    return i != nullptr ? i->get() : otherwise;
}

std::string raw_text(const toml::node* n) {
    const auto* s = n != nullptr ? n->as_string() : nullptr;
    return s != nullptr ? s->get() : std::string();
}

std::string indexed(std::string_view base, size_t i) {
    return std::string(base) + "[" + std::to_string(i) + "]";
}

// A value with the node it came from, so cross-reference errors point at the value's line.
template <class T>
struct Located {
    T value;
    const toml::node* node;
    std::string key;  // "category[0].windows[1]"
};

class ConfigLoader {
public:
    ConfigLoader(const std::string& origin, fs::path base_dir) : m_r(origin), m_base(std::move(base_dir)) {}

    Config run(std::string_view text);

private:
    void hall(const toml::table& t);
    void device(const toml::table& t);
    void paths(const toml::table& t);
    void store(const toml::table* t);
    void rating(const toml::table& t);
    void unrated(const toml::table& t, const std::string& path);
    void calendar(const toml::table& t);
    void services(const toml::table& root);
    void categories(const toml::table& root);
    void items(const toml::table& root);
    void windows(const toml::table& root);
    void receipt_printer(const toml::table& t, const std::string& path, int window);
    std::map<std::string, std::string> m_printer_users;  // transport as written → the key using it
    void staff(const toml::table& root);
    void cross_check();

    const toml::table* section(const toml::table& root, std::string_view key, bool required);
    std::vector<const toml::table*> entries(const toml::table& root, std::string_view key);
    std::optional<std::string> text(const toml::table& t, const std::string& path, std::string_view key, bool required,
                                    size_t max_bytes = 200);
    std::optional<std::string> code(const toml::table& t, const std::string& path, std::string_view key, size_t max_len,
                                    bool extra);
    std::optional<fs::path> path_value(const toml::table& t, const std::string& path, std::string_view key,
                                       bool required);
    std::vector<Located<std::int64_t>> int_list(const toml::table& t, const std::string& path, std::string_view key,
                                                bool required, std::int64_t min, std::int64_t max);
    std::vector<Located<std::string>> text_list(const toml::table& t, const std::string& path, std::string_view key,
                                                bool required);
    template <class Int>
    void set_int(Int& out, const toml::table& t, const std::string& path, std::string_view key, bool required,
                 std::int64_t min, std::int64_t max) {
        if (auto v = m_r.get_int(t, path, key, required, min, max)) out = static_cast<Int>(*v);
    }
    // Records "duplicate" when `value` was seen before under `what`.
    void unique(std::map<std::string, std::string>& seen, const std::string& value, const toml::node* at,
                const std::string& key, const std::string& where);

    TomlReader m_r;
    fs::path m_base;
    Config m_cfg;

    // Positions and raw values kept for the cross-reference pass. Raw values include entries
    // that failed their own checks, so one typo does not cascade into "unknown …" errors.
    const toml::node* m_device_window = nullptr;
    const toml::node* m_url_prefix = nullptr;  // receipt_qr.url_prefix when written
    const toml::table* m_device_table = nullptr;
    bool m_have_windows = false;
    std::vector<std::vector<Located<std::int64_t>>> m_category_windows;
    std::vector<std::vector<Located<std::string>>> m_category_items;
    std::vector<std::vector<Located<std::string>>> m_window_categories;
    std::vector<bool> m_category_windows_ok;  // the list passed its own checks
    std::vector<bool> m_window_categories_ok;
    std::vector<std::string> m_category_codes;   // raw, per entry ("" when absent)
    std::vector<std::int64_t> m_window_numbers;  // raw, per entry (-1 when absent)
    std::vector<std::string> m_item_codes;       // raw
};

Config ConfigLoader::run(std::string_view text) {
    if (text.size() > kMaxConfigBytes) {
        m_r.error(nullptr, "",
                  "file is " + std::to_string(text.size()) + " bytes; a configuration is at most " +
                      std::to_string(kMaxConfigBytes) + " bytes (is this the right file?)");
        throw ConfigError(m_r.issues());
    }
    std::optional<toml::table> parsed = m_r.parse(text);
    if (!parsed) throw ConfigError(m_r.issues());
    const toml::table& root = *parsed;

    m_r.check_keys(root, "",
                   {"hall", "device", "paths", "store", "rating", "calendar", "terminal", "display", "queue", "printer",
                    "receipt_qr", "api", "upload", "reminder", "category", "item", "window", "staff"});
    if (const auto* t = section(root, "hall", true)) hall(*t);
    if (const auto* t = section(root, "device", true)) device(*t);
    const auto* paths_table = section(root, "paths", true);
    if (paths_table != nullptr) paths(*paths_table);
    store(section(root, "store", false));
    if (const auto* t = section(root, "rating", true)) rating(*t);
    m_cfg.calendar.shipped_dir = m_cfg.paths.assets / "calendars";
    m_cfg.calendar.local_dir = m_base / "calendars";
    if (const auto* t = section(root, "calendar", false)) calendar(*t);
    services(root);
    items(root);
    windows(root);
    categories(root);
    staff(root);
    cross_check();

    if (!m_r.ok()) {
        // Checks run section by section and cross-references last; report in file order, like a
        // compiler, with the position-less "missing section" issues first.
        std::vector<ConfigIssue> issues = m_r.issues();
        std::stable_sort(issues.begin(), issues.end(), [](const auto& a, const auto& b) {
            return std::pair(a.line, a.column) < std::pair(b.line, b.column);
        });
        throw ConfigError(std::move(issues));
    }
    return std::move(m_cfg);
}

// Top-level sections: a missing one has no position (the file as a whole lacks it).
const toml::table* ConfigLoader::section(const toml::table& root, std::string_view key, bool required) {
    if (root.get(key) == nullptr) {
        if (required) m_r.error(nullptr, std::string(key), "missing; a [" + std::string(key) + "] section is required");
        return nullptr;
    }
    return m_r.get_table(root, "", key, true);
}

// [[key]] entries; each must be a table and is checked for unknown keys by the caller.
std::vector<const toml::table*> ConfigLoader::entries(const toml::table& root, std::string_view key) {
    std::vector<const toml::table*> out;
    const toml::node* node = root.get(key);
    if (node == nullptr) return out;
    const toml::array* arr = node->as_array();
    if (arr == nullptr || (!arr->empty() && !arr->is_array_of_tables())) {
        m_r.error(node, std::string(key), "must be written as [[" + std::string(key) + "]] entries (one table each)");
        return out;
    }
    for (const auto& n : *arr) out.push_back(n.as_table());
    return out;
}

std::optional<std::string> ConfigLoader::text(const toml::table& t, const std::string& path, std::string_view key,
                                              bool required, size_t max_bytes) {
    auto v = m_r.get_string(t, path, key, required, max_bytes);
    if (v && is_blank(*v)) {
        m_r.error(t.get(key), TomlReader::join_path(path, key), "must not be empty");
        return std::nullopt;
    }
    return v;
}

std::optional<std::string> ConfigLoader::code(const toml::table& t, const std::string& path, std::string_view key,
                                              size_t max_len, bool extra) {
    auto v = m_r.get_string(t, path, key, true, 200);
    if (v && !is_code(*v, max_len, extra)) {
        m_r.error(t.get(key), TomlReader::join_path(path, key),
                  "is " + shown(*v) + "; must be 1 to " + std::to_string(max_len) + " characters of A-Z, a-z, 0-9" +
                      (extra ? ", '_' or '-'" : ""));
        return std::nullopt;
    }
    return v;
}

std::optional<fs::path> ConfigLoader::path_value(const toml::table& t, const std::string& path, std::string_view key,
                                                 bool required) {
    auto v = m_r.get_string(t, path, key, required, kMaxPathBytes);
    if (!v) return std::nullopt;
    std::string full = TomlReader::join_path(path, key);
    if (v->empty()) {
        m_r.error(t.get(key), full, "must not be empty");
        return std::nullopt;
    }
    if ((*v)[0] == '~') {
        m_r.error(t.get(key), full, "'~' is not expanded; write the full path or a relative one");
        return std::nullopt;
    }
    return fs::path(*v);
}

std::vector<Located<std::int64_t>> ConfigLoader::int_list(const toml::table& t, const std::string& path,
                                                          std::string_view key, bool required, std::int64_t min,
                                                          std::int64_t max) {
    std::vector<Located<std::int64_t>> out;
    const toml::array* arr = m_r.get_array(t, path, key, required);
    if (arr == nullptr) return out;
    std::string full = TomlReader::join_path(path, key);
    if (required && arr->empty()) m_r.error(arr, full, "must list at least one value");
    std::set<std::int64_t> seen;
    for (size_t i = 0; i < arr->size(); ++i) {
        const toml::node& n = (*arr)[i];
        const auto* v = n.as_integer();
        if (v == nullptr || v->get() < min || v->get() > max) {
            m_r.error(&n, indexed(full, i),
                      "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
            continue;
        }
        if (!seen.insert(v->get()).second)
            m_r.error(&n, indexed(full, i), std::to_string(v->get()) + " is listed twice");
        else
            out.push_back({v->get(), &n, indexed(full, i)});
    }
    return out;
}

std::vector<Located<std::string>> ConfigLoader::text_list(const toml::table& t, const std::string& path,
                                                          std::string_view key, bool required) {
    std::vector<Located<std::string>> out;
    const toml::array* arr = m_r.get_array(t, path, key, required);
    if (arr == nullptr) return out;
    std::string full = TomlReader::join_path(path, key);
    if (required && arr->empty()) m_r.error(arr, full, "must list at least one value");
    std::set<std::string_view> seen;
    for (size_t i = 0; i < arr->size(); ++i) {
        const toml::node& n = (*arr)[i];
        const auto* s = n.as_string();
        if (s == nullptr || s->get().empty() || s->get().size() > kMaxPathBytes || !utf8::is_clean(s->get())) {
            m_r.error(&n, indexed(full, i),
                      "must be a non-empty text value in quotes (at most " + std::to_string(kMaxPathBytes) +
                          " bytes, no control characters)");
            continue;
        }
        if (!seen.insert(s->get()).second)
            m_r.error(&n, indexed(full, i), shown(s->get()) + " is listed twice");
        else
            out.push_back({s->get(), &n, indexed(full, i)});
    }
    return out;
}

void ConfigLoader::unique(std::map<std::string, std::string>& seen, const std::string& value, const toml::node* at,
                          const std::string& key, const std::string& where) {
    auto [it, inserted] = seen.emplace(value, where);
    if (!inserted) m_r.error(at, key, shown(value) + " is already used by " + it->second + "; must be unique");
}

void ConfigLoader::hall(const toml::table& t) {
    m_r.check_keys(t, "hall", {"code", "name", "area_code", "level"});
    if (auto v = code(t, "hall", "code", 32, true)) m_cfg.hall.code = *v;
    if (auto v = text(t, "hall", "name", true)) m_cfg.hall.name = *v;
    if (auto v = m_r.get_string(t, "hall", "area_code", true, 64)) {
        if (v->size() == 12 && is_digits(*v)) {
            m_cfg.hall.area_code = *v;
        } else {
            std::string msg = "is " + shown(*v) + "; must be the 12-digit 行政区划代码";
            if (is_digits(*v) && (v->size() == 6 || v->size() == 9))
                msg += "; pad a " + std::to_string(v->size()) + "-digit code with zeros: '" + *v +
                       std::string(12 - v->size(), '0') + "'";
            m_r.error(t.get("area_code"), "hall.area_code", msg);
        }
    }
    if (auto v = m_r.get_string(t, "hall", "level", true)) {
        if (auto level = parse_hall_level(*v))
            m_cfg.hall.level = *level;
        else
            m_r.error(t.get("level"), "hall.level",
                      "is " + shown(*v) + "; must be one of province, city, county, township, village");
    }
}

void ConfigLoader::device(const toml::table& t) {
    m_r.check_keys(t, "device", {"id", "roles", "window", "hub_url", "hub_token_file"});
    m_device_table = &t;
    DeviceConfig& d = m_cfg.device;
    if (auto v = code(t, "device", "id", 32, true)) d.id = *v;

    bool roles_known = false;
    if (const toml::array* arr = m_r.get_array(t, "device", "roles", true)) {
        roles_known = true;
        if (arr->empty()) m_r.error(arr, "device.roles", "must list at least one of " + std::string(kRoleNames));
        for (size_t i = 0; i < arr->size(); ++i) {
            const toml::node& n = (*arr)[i];
            const auto* s = n.as_string();
            std::optional<DeviceRole> role = s != nullptr ? parse_device_role(s->get()) : std::nullopt;
            if (!role) {
                std::string msg = "must be one of " + std::string(kRoleNames);
                if (s != nullptr && utf8::is_clean(s->get())) {
                    std::string hint = did_you_mean(s->get(), {"hub", "ticket", "rater", "selfservice", "display"});
                    msg = "is " + shown(s->get()) + "; " + msg;
                    if (!hint.empty()) msg += " (did you mean '" + hint + "'?)";
                }
                m_r.error(&n, indexed("device.roles", i), msg);
                roles_known = false;
            } else if (!d.roles.insert(*role).second) {
                m_r.error(&n, indexed("device.roles", i), shown(s->get()) + " is listed twice");
            }
        }
    }

    m_device_window = t.get("window");
    set_int(d.window, t, "device", "window", false, 0, 999);
    bool rater = d.roles.count(DeviceRole::rater) != 0;
    if (rater && (m_device_window == nullptr || raw_int(m_device_window, -1) == 0))
        m_r.error(m_device_window != nullptr ? m_device_window : &t, "device.window",
                  "a device with role 'rater' needs the number of its window, 1 to 999");

    const toml::node* url_node = t.get("hub_url");
    auto url = m_r.get_string(t, "device", "hub_url", false);
    if (url) d.hub_url = *url;
    bool hub = d.roles.count(DeviceRole::hub) != 0;
    if (!url && url_node != nullptr) return;  // wrong type, already reported
    if (hub && !d.hub_url.empty()) {
        m_r.error(url_node, "device.hub_url",
                  "this device is the hub (roles contains 'hub'); leave hub_url empty or remove it");
    } else if (!hub && roles_known && d.hub_url.empty()) {
        m_r.error(url_node != nullptr ? url_node : &t, "device.hub_url",
                  "required when roles does not contain 'hub': the hub's address, e.g. "
                  "'http://192.168.1.10:8080'");
    } else if (!d.hub_url.empty()) {
        std::string_view u = d.hub_url;
        size_t scheme = u.rfind("http://", 0) == 0 ? 7 : u.rfind("https://", 0) == 0 ? 8 : 0;
        bool good = scheme != 0 && u.size() > scheme && u[scheme] != '/' && u.find(' ') == std::string_view::npos;
        if (!good)
            m_r.error(url_node, "device.hub_url",
                      "is " + shown(u) +
                          "; must be an http:// or https:// address with a host and "
                          "no spaces, e.g. 'http://192.168.1.10:8080'");
    }
}

void ConfigLoader::paths(const toml::table& t) {
    m_r.check_keys(t, "paths", {"assets", "data"});
    if (auto p = path_value(t, "paths", "assets", true)) m_cfg.paths.assets = resolve(m_base, *p);
    if (auto p = path_value(t, "paths", "data", true)) m_cfg.paths.data = resolve(m_base, *p);
}

void ConfigLoader::store(const toml::table* t) {
    StoreConfig& s = m_cfg.store;
    fs::path database = "hub.db";
    fs::path key_file = "store.key";
    if (t != nullptr) {
        m_r.check_keys(*t, "store", {"database", "key_file", "min_free_mb"});
        if (auto p = path_value(*t, "store", "database", false)) database = *p;
        if (auto p = path_value(*t, "store", "key_file", false)) key_file = *p;
        set_int(s.min_free_mb, *t, "store", "min_free_mb", false, 1, 1048576);
    }
    s.database = resolve(m_cfg.paths.data, database);
    s.key_file = resolve(m_cfg.paths.data, key_file);
    if (s.database == s.key_file)
        m_r.error(t == nullptr                    ? nullptr
                  : t->get("key_file") != nullptr ? t->get("key_file")
                                                  : t->get("database"),
                  "store.key_file", "is the same file as store.database; the key must live in its own file");
}

void ConfigLoader::rating(const toml::table& t) {
    m_r.check_keys(t, "rating", {"catalog", "timeout_seconds", "unrated"});
    if (auto p = path_value(t, "rating", "catalog", true)) m_cfg.rating.catalog = resolve(m_cfg.paths.assets, *p);
    set_int(m_cfg.rating.timeout_seconds, t, "rating", "timeout_seconds", false, 10, 600);
    if (t.get("unrated") == nullptr)
        m_r.error(&t, "rating.unrated",
                  "missing; a [rating.unrated] section is required (preset = \"xilinguole\", \"taian\", "
                  "\"gansu\" or \"county\", or explicit values): the region's rule must be chosen deliberately");
    else if (const auto* u = m_r.get_table(t, "rating", "unrated", true))
        unrated(*u, "rating.unrated");
}

void ConfigLoader::unrated(const toml::table& t, const std::string& path) {
    m_r.check_keys(t, path,
                   {"preset", "reminder_after_hours", "reminder_after_working_days", "default_after_working_days",
                    "default_counted_from", "default_level", "if_reminder_not_sent"});
    UnratedPolicy& p = m_cfg.rating.unrated;
    const size_t issues_before = m_r.issues().size();
    constexpr std::string_view kExplicit[] = {
        "reminder_after_hours", "reminder_after_working_days", "default_after_working_days", "default_counted_from",
        "default_level",        "if_reminder_not_sent"};
    if (t.get("preset") != nullptr) {
        auto preset = m_r.get_string(t, path, "preset", true);
        if (preset) {
            if (auto named = UnratedPolicy::named(*preset))
                p = *named;
            else
                m_r.error(t.get("preset"), path + ".preset",
                          "is " + shown(*preset) +
                              "; must be \"xilinguole\" (policy/000), \"taian\" (policy/001), \"gansu\" "
                              "(policy/002) or \"county\" (policy/003), or remove it and give the values explicitly");
        }
        for (auto key : kExplicit)
            if (const toml::node* n = t.get(key))
                m_r.error(n, TomlReader::join_path(path, key),
                          "conflicts with preset; remove either preset or " + std::string(key));
        return;
    }
    p.preset.clear();

    const toml::node* hours = t.get("reminder_after_hours");
    const toml::node* days = t.get("reminder_after_working_days");
    if (hours != nullptr && days != nullptr) {
        m_r.error(days, path + ".reminder_after_working_days",
                  "give only one of reminder_after_hours and reminder_after_working_days");
    } else if (hours == nullptr && days == nullptr) {
        m_r.error(&t, path + ".reminder_after_hours",
                  "missing; give reminder_after_hours (0 to 720) or reminder_after_working_days "
                  "(0 to 30), or use a preset (xilinguole, taian, gansu, county)");
    } else if (hours != nullptr) {
        p.reminder_unit = UnratedPolicy::ReminderUnit::hours;
        set_int(p.reminder_after, t, path, "reminder_after_hours", true, 0, 720);
    } else {
        p.reminder_unit = UnratedPolicy::ReminderUnit::working_days;
        set_int(p.reminder_after, t, path, "reminder_after_working_days", true, 0, 30);
    }

    // Without default_level the hall records no default rating (policy/000): the keys that
    // time a default then have nothing to time.
    const toml::node* level_node = t.get("default_level");
    if (level_node == nullptr) {
        p.default_level = std::nullopt;
        for (auto key : {"default_after_working_days", "default_counted_from", "if_reminder_not_sent"})
            if (const toml::node* n = t.get(key))
                m_r.error(
                    n, TomlReader::join_path(path, key),
                    "has no effect without default_level: give default_level (3 to 5) or remove " + std::string(key));
        return;
    }
    std::int64_t raw_level = raw_int(level_node, 0);
    if (raw_level == 1 || raw_level == 2) {
        m_r.error(level_node, path + ".default_level",
                  "must be 3 to 5: a default rating is never a 差评 (1 and 2 are 差评)");
    } else if (auto level = m_r.get_int(t, path, "default_level", true, 3, 5)) {
        p.default_level = static_cast<Level>(*level);
    }
    auto after = m_r.get_int(t, path, "default_after_working_days", true, 1, 60);
    if (after) p.default_after_working_days = static_cast<int>(*after);
    auto from = m_r.get_string(t, path, "default_counted_from", true);
    if (from) {
        if (*from == "reminder")
            p.default_from = UnratedPolicy::DefaultFrom::reminder;
        else if (*from == "completion")
            p.default_from = UnratedPolicy::DefaultFrom::completion;
        else {
            m_r.error(t.get("default_counted_from"), path + ".default_counted_from",
                      "is " + shown(*from) + "; must be \"reminder\" or \"completion\"");
            from.reset();
        }
    }
    if (t.get("if_reminder_not_sent") != nullptr) {
        auto unsent = m_r.get_string(t, path, "if_reminder_not_sent", true);
        if (unsent && *unsent == "wait")
            p.if_not_sent = UnratedPolicy::IfReminderNotSent::wait;
        else if (unsent && *unsent == "count_from_due")
            p.if_not_sent = UnratedPolicy::IfReminderNotSent::count_from_due;
        else if (unsent)
            m_r.error(t.get("if_reminder_not_sent"), path + ".if_reminder_not_sent",
                      "is " + shown(*unsent) + "; must be \"wait\" or \"count_from_due\"");
        if (p.default_from == UnratedPolicy::DefaultFrom::completion)
            m_r.error(t.get("if_reminder_not_sent"), path + ".if_reminder_not_sent",
                      "only applies with default_counted_from = \"reminder\"; remove it");
    }

    // Counted from completion, the default must fall after the reminder or the citizen is
    // never reminded before the hall rates in their name.
    bool clean = m_r.issues().size() == issues_before;
    if (clean && p.default_from == UnratedPolicy::DefaultFrom::completion) {
        bool in_days = p.reminder_unit == UnratedPolicy::ReminderUnit::working_days;
        if ((in_days && p.default_after_working_days <= p.reminder_after) ||
            (!in_days && p.reminder_after >= 24 * p.default_after_working_days))
            m_r.error(t.get("default_after_working_days"), path + ".default_after_working_days",
                      "counted from completion, the default rating would come before the reminder; "
                      "make it later than the reminder");
    }
}

void ConfigLoader::calendar(const toml::table& t) {
    m_r.check_keys(t, "calendar", {"files", "local_dir"});
    if (t.get("files") != nullptr)
        for (const auto& f : text_list(t, "calendar", "files", true))
            m_cfg.calendar.files.push_back(resolve(m_cfg.paths.assets, f.value));
    if (auto p = path_value(t, "calendar", "local_dir", false)) m_cfg.calendar.local_dir = resolve(m_base, *p);
}

// The sections of one subsystem each (config_services.cpp, upload_config.cpp) and the rules
// that tie them to the device's roles.
void ConfigLoader::services(const toml::table& root) {
    const fs::path& data = m_cfg.paths.data;
    const bool is_hub = m_cfg.device.roles.count(DeviceRole::hub) != 0;
    if (const auto* t = section(root, "terminal", false)) detail::read_terminal_section(m_r, *t, m_cfg.terminal);
    if (const auto* t = section(root, "display", false)) detail::read_display_section(m_r, *t, m_cfg.display);
    if (const auto* t = section(root, "queue", false)) detail::read_queue_section(m_r, *t, m_cfg.queue);
    if (const auto* t = section(root, "printer", false)) {
        m_cfg.printer.emplace();
        detail::read_printer_section(m_r, *t, data, *m_cfg.printer);
    }
    const toml::table* receipt_qr = section(root, "receipt_qr", false);
    detail::read_receipt_qr_section(m_r, receipt_qr, data, m_cfg.receipt_qr);
    if (receipt_qr != nullptr) m_url_prefix = receipt_qr->get("url_prefix");
    if (const auto* t = section(root, "api", false)) {
        if (!is_hub)
            m_r.error(t, "api", "only the hub serves the hall API; remove [api] or add \"hub\" to device.roles");
        m_cfg.api.emplace();
        detail::read_api_section(m_r, *t, data, *m_cfg.api);
    }
    if (const auto* t = section(root, "upload", false)) {
        if (!is_hub)
            m_r.error(t, "upload",
                      "only the hub uploads ratings (terminals forward theirs to the hub); remove [upload] "
                      "or add \"hub\" to device.roles");
        m_cfg.upload.emplace();
        detail::read_upload_section(m_r, *t, data, *m_cfg.upload);
    }
    if (const auto* t = section(root, "reminder", false)) {
        if (!is_hub)
            m_r.error(t, "reminder", "only the hub sends reminders; remove [reminder] or add \"hub\" to device.roles");
        detail::read_reminder_section(m_r, *t, data, m_cfg.reminder);
        if (m_cfg.reminder.channel == ReminderChannelKind::platform && !m_cfg.upload)
            m_r.error(t, "reminder.channel",
                      "is \"platform\" but there is no [upload] section: the platform is reached through it");
    }

    // A terminal talks to its hub with a bearer token kept in its own file.
    if (m_device_table != nullptr) {
        const toml::table& d = *m_device_table;
        const toml::node* token = d.get("hub_token_file");
        if (!m_cfg.device.hub_url.empty() && token == nullptr) {
            m_r.error(&d, "device.hub_token_file",
                      "required with hub_url: the file holding this device's token from the hub's "
                      "api tokens file, e.g. \"hub.token\" (mode 0600)");
        } else if (token != nullptr && is_hub) {
            m_r.error(token, "device.hub_token_file", "this device is the hub; remove hub_token_file");
        } else if (auto p = path_value(d, "device", "hub_token_file", false)) {
            m_cfg.device.hub_token_file = resolve(data, *p);
        }
    }
}

void ConfigLoader::categories(const toml::table& root) {
    std::map<std::string, std::string> codes, prefixes;
    auto list = entries(root, "category");
    for (size_t i = 0; i < list.size(); ++i) {
        const toml::table& t = *list[i];
        std::string path = indexed("category", i);
        m_r.check_keys(t, path,
                       {"code", "name", "group", "prefix", "windows", "priority_ratio", "max_wait_minutes", "daily_cap",
                        "opens", "closes", "items"});
        ServiceCategory c;
        const toml::node* code_node = t.get("code");
        m_category_codes.push_back(raw_text(code_node));
        if (auto v = code(t, path, "code", 16, true)) {
            c.code = *v;
            unique(codes, *v, code_node, path + ".code", path);
        }
        if (auto v = text(t, path, "name", true)) c.name = *v;
        if (t.get("group") != nullptr) {
            if (auto v = text(t, path, "group", false)) c.group = *v;
        }
        if (auto v = m_r.get_string(t, path, "prefix", true)) {
            if (v->size() == 1 && (*v)[0] >= 'A' && (*v)[0] <= 'Z') {
                c.prefix = (*v)[0];
                unique(prefixes, *v, t.get("prefix"), path + ".prefix", path);
            } else {
                m_r.error(t.get("prefix"), path + ".prefix",
                          "is " + shown(*v) +
                              "; must be one uppercase letter A to Z (the ticket "
                              "number prefix)");
            }
        }
        size_t before = m_r.issues().size();
        m_category_windows.push_back(int_list(t, path, "windows", true, 1, 999));
        m_category_windows_ok.push_back(m_r.issues().size() == before);
        for (const auto& w : m_category_windows.back()) c.windows.push_back(static_cast<int>(w.value));
        set_int(c.priority_ratio, t, path, "priority_ratio", false, 1, 20);
        set_int(c.max_wait_minutes, t, path, "max_wait_minutes", false, 5, 600);
        set_int(c.daily_cap, t, path, "daily_cap", false, 0, 9999);
        bool hours_ok = true;
        for (auto [key, out] : {std::pair{"opens", &c.opens}, std::pair{"closes", &c.closes}}) {
            auto v = m_r.get_string(t, path, key, false, 64);
            if (!v) {
                hours_ok = hours_ok && t.get(key) == nullptr;
            } else if (!is_clock(*v)) {
                m_r.error(t.get(key), path + "." + key,
                          "is " + shown(*v) + "; must be a time \"HH:MM\" from \"00:00\" to \"23:59\"");
                hours_ok = false;
            } else {
                *out = *v;
            }
        }
        if (hours_ok && c.opens >= c.closes)
            m_r.error(t.get("closes") != nullptr ? t.get("closes") : &t, path + ".closes",
                      "is " + c.closes + " but opens is " + c.opens + "; closes must be later than opens");
        m_category_items.push_back(text_list(t, path, "items", false));
        for (const auto& it : m_category_items.back()) c.items.push_back(it.value);
        m_cfg.categories.push_back(std::move(c));
    }
}

void ConfigLoader::items(const toml::table& root) {
    std::map<std::string, std::string> codes;
    auto list = entries(root, "item");
    for (size_t i = 0; i < list.size(); ++i) {
        const toml::table& t = *list[i];
        std::string path = indexed("item", i);
        m_r.check_keys(t, path, {"code", "name", "department"});
        ServiceItem item;
        const toml::node* code_node = t.get("code");
        m_item_codes.push_back(raw_text(code_node));
        if (auto v = code(t, path, "code", 32, false)) {
            item.code = *v;
            unique(codes, *v, code_node, path + ".code", path);
        }
        if (auto v = text(t, path, "name", true)) item.name = *v;
        if (auto v = text(t, path, "department", true)) item.department = *v;
        m_cfg.items.push_back(std::move(item));
    }
}

void ConfigLoader::windows(const toml::table& root) {
    std::map<std::string, std::string> numbers;
    auto list = entries(root, "window");
    m_have_windows = !list.empty();
    for (size_t i = 0; i < list.size(); ++i) {
        const toml::table& t = *list[i];
        std::string path = indexed("window", i);
        m_r.check_keys(t, path, {"number", "name", "categories", "receipt_printer", "receipt_printer_profile"});
        Window w;
        const toml::node* number_node = t.get("number");
        m_window_numbers.push_back(raw_int(number_node, -1));
        if (auto v = m_r.get_int(t, path, "number", true, 1, 999)) {
            w.number = static_cast<int>(*v);
            unique(numbers, std::to_string(*v), number_node, path + ".number", path);
        }
        if (auto v = text(t, path, "name", true)) w.name = *v;
        size_t before = m_r.issues().size();
        m_window_categories.push_back(text_list(t, path, "categories", false));
        m_window_categories_ok.push_back(m_r.issues().size() == before);
        for (const auto& c : m_window_categories.back()) w.categories.push_back(c.value);
        receipt_printer(t, path, w.number);
        m_cfg.windows.push_back(std::move(w));
    }
}

// receipt_printer (a transport) and receipt_printer_profile of one [[window]]; only the hub
// prints receipts, so a terminal's configuration naming one is refused rather than ignored.
void ConfigLoader::receipt_printer(const toml::table& t, const std::string& path, int window) {
    const toml::node* transport_node = t.get("receipt_printer");
    const toml::node* profile_node = t.get("receipt_printer_profile");
    if (transport_node == nullptr) {
        if (profile_node != nullptr)
            m_r.error(profile_node, path + ".receipt_printer_profile",
                      "is set but receipt_printer is not; add receipt_printer = \"tcp:HOST:9100\" (or "
                      "\"device:/dev/usb/lp0\") or remove receipt_printer_profile");
        return;
    }
    if (m_cfg.device.roles.count(DeviceRole::hub) == 0) {
        m_r.error(transport_node, path + ".receipt_printer",
                  "only the hub prints receipts; set it in the hub's configuration, or add \"hub\" to device.roles");
        return;
    }
    WindowPrinter wp;
    wp.window = window;
    wp.printer.profile = "generic-80";
    if (auto v = m_r.get_string(t, path, "receipt_printer", true, 1024)) {
        try {
            wp.printer.transport = parse_transport(*v);
            wp.printer.transport_text = *v;
        } catch (const Error& e) {
            m_r.error(transport_node, path + ".receipt_printer", e.what());
        }
        // Two print queues on one printer interleave their bytes: one printer, one user.
        if (m_printer_users.empty() && m_cfg.printer && !m_cfg.printer->transport_text.empty())
            m_printer_users.emplace(m_cfg.printer->transport_text, "printer.transport");
        auto [at, fresh] = m_printer_users.emplace(*v, path + ".receipt_printer");
        if (!fresh)
            m_r.error(transport_node, path + ".receipt_printer",
                      "is the same printer as " + at->second +
                          "; two print queues on one printer mix their pages: give each its own printer");
    }
    if (auto v = m_r.get_string(t, path, "receipt_printer_profile", false, 1024)) {
        if (v->empty())
            m_r.error(profile_node, path + ".receipt_printer_profile",
                      "must not be empty; use \"generic-58\", \"generic-80\", \"generic-safe\" or a .toml file");
        else
            wp.printer.profile = *v;
    }
    wp.printer.jobs_dir = m_cfg.paths.data / "print-jobs" / ("window-" + std::to_string(window));
    m_cfg.receipt_printers.push_back(std::move(wp));
}

void ConfigLoader::staff(const toml::table& root) {
    std::map<std::string, std::string> numbers;
    auto list = entries(root, "staff");
    for (size_t i = 0; i < list.size(); ++i) {
        const toml::table& t = *list[i];
        std::string path = indexed("staff", i);
        m_r.check_keys(t, path, {"number", "name"});
        Staff s;
        // 工号: alphanumeric, at most 10, never '-' (Guangdong affairDealNo String(10)).
        if (auto v = m_r.get_string(t, path, "number", true, 64)) {
            if (is_code(*v, 10, false)) {
                s.number = *v;
                unique(numbers, *v, t.get("number"), path + ".number", path);
            } else {
                m_r.error(t.get("number"), path + ".number",
                          "is " + shown(*v) +
                              "; a 工号 must be 1 to 10 characters of A-Z, a-z, 0-9 "
                              "(no '-': provincial platforms reject it)");
            }
        }
        if (auto v = text(t, path, "name", true, 90)) s.name = *v;
        m_cfg.staff.push_back(std::move(s));
    }
}

void ConfigLoader::cross_check() {
    // Lookups by value; lists can be long in a hostile file, so no linear searches.
    std::map<std::int64_t, size_t> window_at;  // number → first [[window]] with it
    for (size_t w = 0; w < m_window_numbers.size(); ++w) window_at.emplace(m_window_numbers[w], w);
    std::map<std::string_view, size_t> category_at;
    for (size_t c = 0; c < m_category_codes.size(); ++c) category_at.emplace(m_category_codes[c], c);
    std::set<std::string_view> item_codes(m_item_codes.begin(), m_item_codes.end());
    auto listed_categories = [this](size_t w) {
        std::set<std::string_view> out;
        for (const auto& c : m_window_categories[w]) out.insert(c.value);
        return out;
    };
    auto served_windows = [this](size_t c) {
        std::set<std::int64_t> out;
        for (const auto& w : m_category_windows[c]) out.insert(w.value);
        return out;
    };

    if (m_have_windows && m_cfg.device.window != 0 && window_at.count(m_cfg.device.window) == 0)
        m_r.error(m_device_window, "device.window",
                  "window " + std::to_string(m_cfg.device.window) + " is not a configured [[window]]");

    // Both sides name each link; a one-sided link is a mistake on one side. A list that failed
    // its own checks is not compared, so one typo is reported once.
    std::vector<std::set<std::string_view>> window_lists(m_window_categories.size());
    for (size_t w = 0; w < window_lists.size(); ++w) window_lists[w] = listed_categories(w);
    for (size_t c = 0; c < m_category_windows.size(); ++c) {
        const std::string& code = m_category_codes[c];
        for (const auto& w : m_category_windows[c]) {
            if (!m_have_windows) break;
            auto found = window_at.find(w.value);
            if (found == window_at.end()) {
                m_r.error(w.node, w.key, "window " + std::to_string(w.value) + " is not a configured [[window]]");
            } else if (m_window_categories_ok[found->second] && !code.empty() &&
                       window_lists[found->second].count(code) == 0) {
                m_r.error(w.node, w.key,
                          "lists window " + std::to_string(w.value) +
                              ", but that [[window]] does not "
                              "list category '" +
                              code + "' in its categories");
            }
        }
        for (const auto& item : m_category_items[c])
            if (item_codes.count(item.value) == 0)
                m_r.error(item.node, item.key, "item " + shown(item.value) + " is not a configured [[item]] code");
    }
    std::vector<std::set<std::int64_t>> category_lists(m_category_windows.size());
    for (size_t c = 0; c < category_lists.size(); ++c) category_lists[c] = served_windows(c);
    for (size_t w = 0; w < m_window_categories.size(); ++w) {
        const std::int64_t number = m_window_numbers[w];
        for (const auto& cat : m_window_categories[w]) {
            auto found = category_at.find(cat.value);
            if (found == category_at.end()) {
                m_r.error(cat.node, cat.key, "category " + shown(cat.value) + " is not a configured [[category]] code");
            } else if (m_category_windows_ok[found->second] && number > 0 &&
                       category_lists[found->second].count(number) == 0) {
                m_r.error(cat.node, cat.key,
                          "lists category " + shown(cat.value) +
                              ", but that [[category]] does not "
                              "list window " +
                              std::to_string(number) + " in its windows");
            }
        }
    }

    // A queue ticket's QR must stay within token::kMaxUrlLength (a small QR on a small ticket):
    // the prefix gets what the longest ticket token of this hall leaves.
    if (!m_cfg.categories.empty()) {
        int digits = m_cfg.queue.number_digits;
        for (const auto& c : m_cfg.categories)
            for (int cap = c.daily_cap, d = 0; cap > 0; cap /= 10) digits = std::max(digits, ++d);
        const std::string longest = "20261122A" + std::string(static_cast<size_t>(digits), '0');
        const size_t limit = token::max_prefix_length(longest);
        const std::string& prefix = m_cfg.receipt_qr.url_prefix;
        if (prefix.size() > limit)
            m_r.error(m_url_prefix, "receipt_qr.url_prefix",
                      "is " + std::to_string(prefix.size()) + " characters; a queue ticket's QR (URL at most " +
                          std::to_string(token::kMaxUrlLength) + " characters, a " +
                          std::to_string(token::token_length(longest)) + "-character token for ticket numbers of " +
                          std::to_string(digits) + " digits) leaves at most " + std::to_string(limit) +
                          ": shorten the prefix (docs/qr-token.md §3)");
    }
}

}  // namespace

Config parse_config(std::string_view toml_text, const std::string& origin, const fs::path& base_dir) {
    Config cfg = ConfigLoader(origin, base_dir).run(toml_text);
    cfg.source = origin;
    return cfg;
}

Config load_config(const fs::path& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec))
        throw Error(Errc::io_failure, "cannot read " + path.string() + ": it is a directory");
    std::string text = detail::read_text_file(path);
    fs::path absolute = fs::absolute(path, ec);
    if (ec) absolute = path;
    absolute = absolute.lexically_normal();
    Config cfg = parse_config(text, path.string(), absolute.parent_path());
    cfg.source = absolute;
    return cfg;
}

}  // namespace hcp

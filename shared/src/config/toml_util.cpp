#include "hcp/detail/toml_util.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "hcp/base/utf8.hpp"

namespace hcp::detail {

namespace {

std::string_view type_name(toml::node_type t) {
    switch (t) {
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a number";
        case toml::node_type::boolean: return "true/false";
        case toml::node_type::date: return "a date";
        case toml::node_type::time: return "a time";
        case toml::node_type::date_time: return "a date-time";
        case toml::node_type::none: break;
    }
    return "nothing";
}

}  // namespace

std::optional<toml::table> TomlReader::parse(std::string_view text) {
    if (text.find('\0') != std::string_view::npos) {
        error(nullptr, "", "file contains NUL bytes; it is not a text file");
        return std::nullopt;
    }
    try {
        return toml::parse(text, m_origin);
    } catch (const toml::parse_error& e) {
        ConfigIssue issue;
        issue.file = m_origin;
        issue.line = static_cast<int>(e.source().begin.line);
        issue.column = static_cast<int>(e.source().begin.column);
        issue.message = "TOML syntax error: " + std::string(e.description());
        m_issues.push_back(std::move(issue));
        return std::nullopt;
    }
}

std::string TomlReader::join_path(const std::string& path, std::string_view key) {
    if (path.empty()) return std::string(key);
    return path + "." + std::string(key);
}

void TomlReader::check_keys(const toml::table& table, const std::string& path,
                            std::initializer_list<std::string_view> allowed) {
    std::vector<std::string> candidates(allowed.begin(), allowed.end());
    for (auto&& [k, node] : table) {
        std::string_view key = k.str();
        bool known = false;
        for (auto a : allowed) known = known || a == key;
        if (known) continue;
        std::string message = "unknown key '" + std::string(key) + "'";
        std::string suggestion = did_you_mean(key, candidates);
        if (!suggestion.empty()) {
            message += "; did you mean '" + suggestion + "'?";
        } else {
            message += "; allowed here:";
            for (size_t i = 0; i < candidates.size(); ++i) message += (i == 0 ? " " : ", ") + candidates[i];
        }
        error(&node, join_path(path, key), message);
    }
}

std::optional<std::string> TomlReader::get_string(const toml::table& table, const std::string& path,
                                                  std::string_view key, bool required, size_t max_bytes) {
    const toml::node* node = table.get(key);
    std::string full = join_path(path, key);
    if (node == nullptr) {
        if (required) error(&table, full, "missing; a text value is required");
        return std::nullopt;
    }
    const auto* s = node->as_string();
    if (s == nullptr) {
        error(node, full, "must be a text value in quotes, not " + std::string(type_name(node->type())));
        return std::nullopt;
    }
    const std::string& value = s->get();
    if (value.size() > max_bytes) {
        error(node, full,
              "is " + std::to_string(value.size()) + " bytes long; at most " + std::to_string(max_bytes) + " allowed");
        return std::nullopt;
    }
    if (!utf8::is_clean(value)) {
        error(node, full, "contains control characters or invalid UTF-8");
        return std::nullopt;
    }
    return value;
}

std::optional<std::int64_t> TomlReader::get_int(const toml::table& table, const std::string& path, std::string_view key,
                                                bool required, std::int64_t min, std::int64_t max) {
    const toml::node* node = table.get(key);
    std::string full = join_path(path, key);
    std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    if (node == nullptr) {
        if (required) error(&table, full, "missing; " + range + " is required");
        return std::nullopt;
    }
    const auto* i = node->as_integer();
    if (i == nullptr) {
        error(node, full, "must be " + range + ", not " + std::string(type_name(node->type())));
        return std::nullopt;
    }
    std::int64_t v = i->get();
    if (v < min || v > max) {
        error(node, full, "is " + std::to_string(v) + "; must be " + range);
        return std::nullopt;
    }
    return v;
}

std::optional<bool> TomlReader::get_bool(const toml::table& table, const std::string& path, std::string_view key,
                                         bool required) {
    const toml::node* node = table.get(key);
    std::string full = join_path(path, key);
    if (node == nullptr) {
        if (required) error(&table, full, "missing; true or false is required");
        return std::nullopt;
    }
    const auto* b = node->as_boolean();
    if (b == nullptr) {
        error(node, full, "must be true or false, not " + std::string(type_name(node->type())));
        return std::nullopt;
    }
    return b->get();
}

const toml::table* TomlReader::get_table(const toml::table& table, const std::string& path, std::string_view key,
                                         bool required) {
    const toml::node* node = table.get(key);
    std::string full = join_path(path, key);
    if (node == nullptr) {
        if (required) error(&table, full, "missing; a [" + full + "] section is required");
        return nullptr;
    }
    const auto* t = node->as_table();
    if (t == nullptr)
        error(node, full, "must be a [" + full + "] section, not " + std::string(type_name(node->type())));
    return t;
}

const toml::array* TomlReader::get_array(const toml::table& table, const std::string& path, std::string_view key,
                                         bool required) {
    const toml::node* node = table.get(key);
    std::string full = join_path(path, key);
    if (node == nullptr) {
        if (required) error(&table, full, "missing; a list is required");
        return nullptr;
    }
    const auto* a = node->as_array();
    if (a == nullptr) error(node, full, "must be a list, not " + std::string(type_name(node->type())));
    return a;
}

std::optional<std::vector<std::string>> TomlReader::get_string_array(const toml::table& table, const std::string& path,
                                                                     std::string_view key, bool required,
                                                                     size_t max_bytes) {
    const toml::array* arr = get_array(table, path, key, required);
    if (arr == nullptr) return std::nullopt;
    std::vector<std::string> out;
    bool good = true;
    std::string full = join_path(path, key);
    for (size_t i = 0; i < arr->size(); ++i) {
        const toml::node& n = (*arr)[i];
        std::string item_key = full + "[" + std::to_string(i) + "]";
        const auto* s = n.as_string();
        if (s == nullptr) {
            error(&n, item_key, "must be a text value in quotes, not " + std::string(type_name(n.type())));
            good = false;
            continue;
        }
        if (s->get().size() > max_bytes || !utf8::is_clean(s->get())) {
            error(&n, item_key, "must be clean text of at most " + std::to_string(max_bytes) + " bytes");
            good = false;
            continue;
        }
        out.push_back(s->get());
    }
    if (!good) return std::nullopt;
    return out;
}

void TomlReader::error(const toml::node* at, const std::string& key, const std::string& message) {
    ConfigIssue issue;
    issue.file = m_origin;
    if (at != nullptr) {
        issue.line = static_cast<int>(at->source().begin.line);
        issue.column = static_cast<int>(at->source().begin.column);
    }
    issue.key = key;
    issue.message = message;
    m_issues.push_back(std::move(issue));
}

std::string TomlReader::joined() const {
    std::string out;
    for (const auto& i : m_issues) {
        if (!out.empty()) out += '\n';
        out += i.to_string();
    }
    return out;
}

std::string read_text_file(const std::filesystem::path& path) {
    // Checked on the opened descriptor, so a path swapped after the check cannot slip a device
    // or a FIFO in: those never end (/dev/zero grows the reader to gigabytes, a FIFO blocks).
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) throw Error(Errc::io_failure, "cannot read " + path.string() + ": " + std::strerror(errno));
    struct FdCloser {
        int fd;
        ~FdCloser() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        throw Error(Errc::io_failure, "cannot read " + path.string() + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        throw Error(Errc::io_failure, "cannot read " + path.string() +
                                          ": not a regular file (a device, a FIFO or a folder); name a file");
    if (static_cast<std::uintmax_t>(st.st_size) > kMaxTextFileBytes)
        throw Error(Errc::io_failure, "cannot read " + path.string() + ": " + std::to_string(st.st_size) +
                                          " bytes, more than a settings file can be (" +
                                          std::to_string(kMaxTextFileBytes) + ")");
    std::string out;
    char buf[65536];
    for (;;) {
        const auto n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error(Errc::io_failure, "cannot read " + path.string() + ": " + std::strerror(errno));
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
        if (out.size() > kMaxTextFileBytes)
            throw Error(Errc::io_failure, "cannot read " + path.string() + ": grew past " +
                                              std::to_string(kMaxTextFileBytes) + " bytes while being read");
    }
    return out;
}

}  // namespace hcp::detail

#include "hcp/domain/catalog.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "hcp/base/error.hpp"
#include "hcp/config/config.hpp"
#include "hcp/detail/toml_util.hpp"

// File format and rules: docs/catalog.md. Option codes end up in stored ratings and uploads,
// so the loader is strict: a catalog either loads completely or not at all.

namespace hcp {

namespace {

constexpr size_t kMaxFileBytes = 1 << 20;
constexpr size_t kMaxLabelBytes = 120;  // 40 Chinese characters: one line on the terminal
constexpr size_t kMaxDimensions = 20;
constexpr size_t kMaxOptionsPerDimension = 50;

bool is_catalog_id(std::string_view s) {
    if (s.empty() || s.size() > 32) return false;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok) return false;
    }
    return true;
}

bool is_code(std::string_view s) {
    if (s.empty() || s.size() > 8) return false;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

// Strips ASCII spaces and U+3000 (ideographic space) from both ends.
std::string_view trimmed(std::string_view s) {
    constexpr std::string_view ideographic_space = "\u3000";
    bool changed = true;
    while (changed) {
        changed = false;
        if (!s.empty() && s.front() == ' ') {
            s.remove_prefix(1);
            changed = true;
        }
        if (!s.empty() && s.back() == ' ') {
            s.remove_suffix(1);
            changed = true;
        }
        if (s.substr(0, ideographic_space.size()) == ideographic_space) {
            s.remove_prefix(ideographic_space.size());
            changed = true;
        }
        if (s.size() >= ideographic_space.size() &&
            s.substr(s.size() - ideographic_space.size()) == ideographic_space) {
            s.remove_suffix(ideographic_space.size());
            changed = true;
        }
    }
    return s;
}

// A label or name that people read: non-empty, no surrounding spaces. get_string has already
// checked length and clean UTF-8.
std::optional<std::string> read_text(detail::TomlReader& reader, const toml::table& table, const std::string& path,
                                     std::string_view key, size_t max_bytes) {
    auto value = reader.get_string(table, path, key, true, max_bytes);
    if (!value) return std::nullopt;
    std::string full = detail::TomlReader::join_path(path, key);
    std::string_view core = trimmed(*value);
    if (core.empty()) {
        reader.error(table.get(key), full, "must not be empty");
        return std::nullopt;
    }
    if (core.size() != value->size()) {
        reader.error(table.get(key), full, "has leading or trailing spaces");
        return std::nullopt;
    }
    return value;
}

std::optional<std::string> read_code(detail::TomlReader& reader, const toml::table& table, const std::string& path) {
    auto value = reader.get_string(table, path, "code", true, 64);
    if (!value) return std::nullopt;
    if (!is_code(*value)) {
        reader.error(table.get("code"), path + ".code",
                     "'" + *value + "' is not a code; use 1 to 8 letters or digits, e.g. \"101\"");
        return std::nullopt;
    }
    return value;
}

// A hostile file can produce thousands of issues; the message lists the first ones.
std::string joined(const detail::TomlReader& reader) {
    constexpr size_t kMaxShown = 100;
    const auto& issues = reader.issues();
    std::string out;
    for (size_t i = 0; i < issues.size() && i < kMaxShown; ++i) {
        if (!out.empty()) out += '\n';
        out += issues[i].to_string();
    }
    if (issues.size() > kMaxShown) out += "\n... and " + std::to_string(issues.size() - kMaxShown) + " more problem(s)";
    return out;
}

std::string place(const toml::node& node) {
    return "line " + std::to_string(node.source().begin.line);
}

}  // namespace

OptionCatalog OptionCatalog::parse(std::string_view toml_text, const std::string& origin) {
    detail::TomlReader reader(origin);
    if (toml_text.size() > kMaxFileBytes) {
        reader.error(nullptr, "", "is " + std::to_string(toml_text.size()) + " bytes; a catalog file is at most 1 MiB");
        throw Error(Errc::catalog_invalid, joined(reader));
    }
    std::optional<toml::table> parsed = reader.parse(toml_text);
    if (!parsed) throw Error(Errc::catalog_invalid, joined(reader));
    const toml::table& root = *parsed;
    reader.check_keys(root, "", {"catalog", "dimension"});

    OptionCatalog cat;
    if (const toml::table* head = reader.get_table(root, "", "catalog", true)) {
        reader.check_keys(*head, "catalog", {"id", "version", "name", "source"});
        if (auto id = reader.get_string(*head, "catalog", "id", true, 64)) {
            if (is_catalog_id(*id)) {
                cat.m_id = *id;
            } else {
                reader.error(head->get("id"), "catalog.id",
                             "'" + *id +
                                 "' is not an id; use 1 to 32 of a-z, 0-9 and '-', "
                                 "e.g. \"cn-004\"");
            }
        }
        if (auto version = reader.get_int(*head, "catalog", "version", true, 1, 1000000))
            cat.m_version = static_cast<int>(*version);
        if (auto name = read_text(reader, *head, "catalog", "name", 200)) cat.m_name = *name;
        if (auto source = read_text(reader, *head, "catalog", "source", 400)) cat.m_source = *source;
    }

    const toml::node* dims_node = root.get("dimension");
    const toml::array* dims = dims_node != nullptr ? dims_node->as_array() : nullptr;
    if (dims_node == nullptr) {
        reader.error(&root, "dimension", "missing; at least one [[dimension]] section is required");
    } else if (dims == nullptr || !dims->is_array_of_tables()) {
        reader.error(dims_node, "dimension", "must be [[dimension]] sections");
        dims = nullptr;
    } else if (dims->size() > kMaxDimensions) {
        reader.error(dims_node, "dimension",
                     "has " + std::to_string(dims->size()) + " sections; at most " + std::to_string(kMaxDimensions) +
                         " allowed");
        dims = nullptr;
    }

    std::map<std::string, const toml::node*> dimension_codes;
    std::map<std::string, const toml::node*> option_codes;
    const toml::node* free_text_at = nullptr;
    for (size_t i = 0; dims != nullptr && i < dims->size(); ++i) {
        const toml::table& t = *(*dims)[i].as_table();
        std::string path = "dimension[" + std::to_string(i) + "]";
        reader.check_keys(t, path, {"code", "name", "free_text", "option"});
        CatalogDimension dim;
        if (auto code = read_code(reader, t, path)) {
            auto [it, inserted] = dimension_codes.emplace(*code, t.get("code"));
            if (!inserted) {
                reader.error(t.get("code"), path + ".code",
                             "dimension code '" + *code + "' is already used at " + place(*it->second));
            }
            dim.code = *code;
        }
        if (auto name = read_text(reader, t, path, "name", kMaxLabelBytes)) dim.name = *name;
        auto free_text = reader.get_bool(t, path, "free_text", false);
        const bool free_text_valid = free_text.has_value() || t.get("free_text") == nullptr;
        dim.free_text = free_text.value_or(false);
        if (dim.free_text) {
            // A rating carries one free text; two free-text dimensions could not both be stored.
            if (free_text_at != nullptr) {
                reader.error(t.get("free_text"), path + ".free_text",
                             "only one dimension may be free text; another is at " + place(*free_text_at));
            }
            free_text_at = t.get("free_text");
        }

        const toml::node* opts_node = t.get("option");
        const toml::array* opts = opts_node != nullptr ? opts_node->as_array() : nullptr;
        if (!free_text_valid) {
            opts = nullptr;  // cannot tell which rule applies; free_text is already reported
        } else if (opts_node != nullptr && (opts == nullptr || !opts->is_array_of_tables())) {
            reader.error(opts_node, path + ".option", "must be [[dimension.option]] sections");
            opts = nullptr;
        } else if (dim.free_text && opts != nullptr) {
            reader.error(opts_node, path + ".option",
                         "a free_text dimension is answered with text and has no options; "
                         "remove the options or the free_text flag");
            opts = nullptr;
        } else if (!dim.free_text && opts == nullptr) {
            reader.error(&t, path + ".option",
                         "missing; a dimension needs at least one [[dimension.option]] "
                         "(or free_text = true)");
        } else if (opts != nullptr && opts->size() > kMaxOptionsPerDimension) {
            reader.error(opts_node, path + ".option",
                         "has " + std::to_string(opts->size()) + " options; at most " +
                             std::to_string(kMaxOptionsPerDimension) + " allowed");
            opts = nullptr;
        }

        std::map<std::string, const toml::node*> labels;
        for (size_t k = 0; opts != nullptr && k < opts->size(); ++k) {
            const toml::table& o = *(*opts)[k].as_table();
            std::string opath = path + ".option[" + std::to_string(k) + "]";
            reader.check_keys(o, opath, {"code", "label"});
            CatalogOption option;
            if (auto code = read_code(reader, o, opath)) {
                auto [it, inserted] = option_codes.emplace(*code, o.get("code"));
                if (!inserted) {
                    reader.error(o.get("code"), opath + ".code",
                                 "option code '" + *code + "' is already used at " + place(*it->second) +
                                     "; codes are unique in the catalog");
                }
                option.code = *code;
            }
            if (auto label = read_text(reader, o, opath, "label", kMaxLabelBytes)) {
                auto [it, inserted] = labels.emplace(*label, o.get("label"));
                if (!inserted) {
                    reader.error(o.get("label"), opath + ".label",
                                 "the same label is already used at " + place(*it->second));
                }
                option.label = *label;
            }
            dim.options.push_back(std::move(option));
        }
        cat.m_dimensions.push_back(std::move(dim));
    }

    if (!reader.ok()) throw Error(Errc::catalog_invalid, joined(reader));
    return cat;
}

OptionCatalog OptionCatalog::load_file(const std::filesystem::path& path) {
    return parse(detail::read_text_file(path), path.string());
}

const CatalogOption* OptionCatalog::find(std::string_view code) const noexcept {
    for (const auto& d : m_dimensions)
        for (const auto& o : d.options)
            if (o.code == code) return &o;
    return nullptr;
}

const CatalogDimension* OptionCatalog::dimension_of(std::string_view option_code) const noexcept {
    for (const auto& d : m_dimensions)
        for (const auto& o : d.options)
            if (o.code == option_code) return &d;
    return nullptr;
}

size_t OptionCatalog::option_count() const noexcept {
    size_t n = 0;
    for (const auto& d : m_dimensions) n += d.options.size();
    return n;
}

}  // namespace hcp

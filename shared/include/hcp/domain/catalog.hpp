#pragma once
// The 差评 option catalog: versioned data, default = policy/004 附件1 (融安县, 2021),
// replaceable per province. Codes are stable and documented in docs/catalog.md.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hcp {

struct CatalogOption {
    std::string code;   // e.g. "101"; unique across the catalog
    std::string label;  // 不一次性告知
};

struct CatalogDimension {
    std::string code;        // e.g. "1"
    std::string name;        // 服务态度
    bool free_text = false;  // 其他: answered with text, no options
    std::vector<CatalogOption> options;
};

class OptionCatalog {
public:
    // Throws Error(Errc::catalog_invalid) with file, line and what is wrong; Errc::io_failure
    // when unreadable.
    static OptionCatalog load_file(const std::filesystem::path& path);
    static OptionCatalog parse(std::string_view toml_text, const std::string& origin);

    const std::string& id() const noexcept { return m_id; }  // "cn-004"
    int version() const noexcept { return m_version; }       // bumps on any change
    const std::string& name() const noexcept { return m_name; }
    const std::string& source() const noexcept { return m_source; }
    const std::vector<CatalogDimension>& dimensions() const noexcept { return m_dimensions; }

    const CatalogOption* find(std::string_view code) const noexcept;
    // Dimension the option belongs to, or nullptr.
    const CatalogDimension* dimension_of(std::string_view option_code) const noexcept;
    size_t option_count() const noexcept;

private:
    std::string m_id;
    int m_version = 0;
    std::string m_name;
    std::string m_source;
    std::vector<CatalogDimension> m_dimensions;
};

}  // namespace hcp

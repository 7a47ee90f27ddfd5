#pragma once
// UI text by key from assets/lang/<lang>.json (flat objects "key": "text"). Every string a
// citizen reads comes from there; tests/ui/test_lang.cpp checks that both languages have every
// key and that every key used in kiosk/app exists.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hcp::ui {

enum class Lang { zh_CN, en };

class I18n {
public:
    // Loads zh_CN.json and en.json from `lang_dir`. Throws std::runtime_error naming the file
    // when one is missing or is not a flat JSON object of strings.
    explicit I18n(const std::filesystem::path& lang_dir);

    Lang lang() const noexcept { return m_lang; }
    void set_lang(Lang lang) noexcept { m_lang = lang; }

    // The text for `key` in the current language, falling back to zh_CN, then to the key
    // itself (visible, so a missing key is noticed rather than shown as blank).
    const std::string& tr(std::string_view key) const;
    // Every text of every language, for the font's glyph ranges.
    std::vector<std::string> all_texts() const;

private:
    using Table = std::map<std::string, std::string, std::less<>>;
    static Table load(const std::filesystem::path& file);
    Lang m_lang = Lang::zh_CN;
    Table m_zh;
    Table m_en;
    mutable std::map<std::string, std::string, std::less<>> m_missing;
};

}  // namespace hcp::ui

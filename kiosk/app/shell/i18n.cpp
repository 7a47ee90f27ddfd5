#include "shell/i18n.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>

namespace hcp::ui {

I18n::Table I18n::load(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read language file " + file.string());
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(file.string() + ": " + e.what());
    }
    if (!doc.is_object()) throw std::runtime_error(file.string() + ": expected a JSON object");
    Table table;
    for (const auto& [key, value] : doc.items()) {
        if (!value.is_string()) throw std::runtime_error(file.string() + ": " + key + ": expected a string");
        table.emplace(key, value.get<std::string>());
    }
    return table;
}

I18n::I18n(const std::filesystem::path& lang_dir)
    : m_zh(load(lang_dir / "zh_CN.json")), m_en(load(lang_dir / "en.json")) {}

const std::string& I18n::tr(std::string_view key) const {
    const Table& primary = m_lang == Lang::en ? m_en : m_zh;
    if (auto it = primary.find(key); it != primary.end()) return it->second;
    if (auto it = m_zh.find(key); it != m_zh.end()) return it->second;
    auto [it, inserted] = m_missing.emplace(std::string(key), std::string(key));
    return it->second;
}

std::vector<std::string> I18n::all_texts() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : m_zh) out.push_back(v);
    for (const auto& [k, v] : m_en) out.push_back(v);
    return out;
}

}  // namespace hcp::ui

// Profile files are TOML with a fixed key set; see docs/printing.md.
#include "hcp/printer/profile.hpp"

#include <toml++/toml.h>

#include <map>
#include <set>

#include "hcp/base/error.hpp"

namespace hcp::printer {
namespace {

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& key, const std::string& what) {
    throw Error(Errc::config_invalid, file.string() + ": " + key + ": " + what);
}

template <class E>
E pick(const toml::table& t, const std::filesystem::path& file, const std::string& key,
       const std::map<std::string, E>& choices, E fallback) {
    const auto* node = t.get(key);
    if (node == nullptr) return fallback;
    const auto s = node->value<std::string>();
    std::string allowed;
    for (const auto& [name, value] : choices) allowed += (allowed.empty() ? "" : ", ") + name;
    if (!s) fail(file, key, "must be a string, one of " + allowed);
    const auto it = choices.find(*s);
    if (it == choices.end()) fail(file, key, "'" + *s + "' is not one of " + allowed);
    return it->second;
}

int integer(const toml::table& t, const std::filesystem::path& file, const std::string& key, int fallback, int lo,
            int hi) {
    const auto* node = t.get(key);
    if (node == nullptr) return fallback;
    const auto v = node->value_exact<std::int64_t>();
    if (!v || *v < lo || *v > hi)
        fail(file, key, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    return static_cast<int>(*v);
}

}  // namespace

Profile load_profile(const std::filesystem::path& file) {
    toml::table t;
    try {
        t = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        throw Error(Errc::config_invalid,
                    file.string() + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
    }
    static const std::set<std::string> known = {
        "name",          "dots_per_line",     "chinese_mode", "charset",         "font_coverage",  "qr_mode",
        "image_command", "image_band_height", "cut",          "feed_before_cut", "status_dle_eot", "buffer_bytes"};
    for (const auto& [k, v] : t) {
        if (!known.contains(std::string(k.str())))
            fail(file, std::string(k.str()),
                 "unknown key (allowed: name, dots_per_line, chinese_mode, charset, "
                 "font_coverage, qr_mode, image_command, image_band_height, cut, feed_before_cut, "
                 "status_dle_eot, buffer_bytes)");
    }
    Profile p;  // defaults = the safe unknown-model fallback
    p.id = file.stem().string();
    if (const auto* n = t.get("name")) {
        const auto s = n->value<std::string>();
        if (!s || s->empty()) fail(file, "name", "must be a non-empty string");
        p.name = *s;
    } else {
        p.name = p.id;
    }
    p.dots_per_line = integer(t, file, "dots_per_line", p.dots_per_line, 128, 832);
    if (p.dots_per_line % 8 != 0) fail(file, "dots_per_line", "must be a multiple of 8");
    const std::map<std::string, Charset> charsets = {
        {"gb18030", Charset::gb18030}, {"gbk", Charset::gbk}, {"gb2312", Charset::gb2312}};
    p.chinese_mode = pick<ChineseMode>(
        t, file, "chinese_mode",
        {{"fs_ampersand", ChineseMode::fs_ampersand}, {"always", ChineseMode::always}, {"none", ChineseMode::none}},
        p.chinese_mode);
    p.charset = pick(t, file, "charset", charsets, p.charset);
    p.font_coverage = pick(t, file, "font_coverage", charsets, p.font_coverage);
    p.qr_mode = pick<QrMode>(t, file, "qr_mode", {{"raster", QrMode::raster}, {"native", QrMode::native}}, p.qr_mode);
    p.image_command = pick<ImageCommand>(t, file, "image_command", {{"gs_v0", ImageCommand::gs_v0}}, p.image_command);
    p.image_band_height = integer(t, file, "image_band_height", p.image_band_height, 1, 255);
    p.cut = pick<CutMode>(t, file, "cut",
                          {{"full", CutMode::full}, {"partial", CutMode::partial}, {"none", CutMode::none}}, p.cut);
    p.feed_before_cut = integer(t, file, "feed_before_cut", p.feed_before_cut, 0, 20);
    if (const auto* n = t.get("status_dle_eot")) {
        const auto b = n->value_exact<bool>();
        if (!b) fail(file, "status_dle_eot", "must be true or false");
        p.status_dle_eot = *b;
    }
    p.buffer_bytes = integer(t, file, "buffer_bytes", p.buffer_bytes, 32, 1 << 20);
    return p;
}

Profile load_profile(const std::filesystem::path& dir, const std::string& id) {
    for (char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            throw Error(Errc::config_invalid, "printer profile id '" + id + "' may use only a-z 0-9 - _");
    const auto file = dir / (id + ".toml");
    if (!std::filesystem::exists(file))
        throw Error(Errc::config_invalid, "printer profile '" + id + "' not found in " + dir.string());
    return load_profile(file);
}

}  // namespace hcp::printer

#pragma once
// The CJK font and its glyph ranges. Dear ImGui 1.86 bakes a fixed set of glyphs into its
// atlas, so the ranges are built from every UI string plus every runtime string (item names,
// staff names, catalog labels, typed text). When a string brings a character the atlas lacks,
// the atlas is rebuilt before the next frame: a name is never drawn as "?".
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <imgui.h>

namespace hcp::ui {

class Fonts {
public:
    // Checks that the font file can be read. The file (13 MB: all of CJK Unified Ideographs) is
    // mapped only while an atlas is built and unmapped right after: the baked atlas needs none
    // of it, so it costs no resident memory between builds. Throws std::runtime_error.
    explicit Fonts(std::filesystem::path font_file);

    // Adds the characters of `utf8` to the wanted set; marks the atlas stale when one is new.
    // Debian's ImGui build stores characters in 16 bits: a character beyond U+FFFF (𫖯 U+2B5AF
    // in a name) is baked under its second code point in the Private Use Area, which the font
    // carries for every such glyph (assets/fonts/add_pua.py); one the font lacks is counted in
    // unsupported().
    void want(std::string_view utf8);
    // `utf8` as ImGui must be given it: characters beyond U+FFFF replaced by their Private Use
    // Area code points. Only for drawing and measuring; labels, logs and data keep the text.
    std::string shown(std::string_view utf8) const;
    bool stale() const noexcept { return m_stale; }

    // Rebuilds `atlas` with the body font at `em_px` and the title font at 1.6 em. The caller
    // recreates the renderer's font texture afterwards. Throws std::runtime_error.
    void build(ImFontAtlas& atlas, float em_px);

    // The hall display's very large font (numbers called across a hall): only the characters
    // offered here are baked, at `scale` em, so the atlas stays small. scale 0 (the default):
    // no display font; display() is then the title font.
    void set_display_scale(float scale);
    void want_display(std::string_view utf8);

    ImFont* body() const noexcept { return m_body; }
    ImFont* title() const noexcept { return m_title; }
    ImFont* display() const noexcept { return m_display != nullptr ? m_display : m_title; }
    int glyph_count() const noexcept { return m_glyphs; }
    int unsupported() const noexcept { return m_unsupported; }
    int builds() const noexcept { return m_builds; }

private:
    std::filesystem::path m_file;
    std::unordered_map<char32_t, char32_t> m_pua;  // beyond U+FFFF → its Private Use Area code point
    std::vector<bool> m_wanted = std::vector<bool>(0x10000, false);
    ImVector<ImWchar> m_ranges;
    std::vector<bool> m_display_wanted = std::vector<bool>(0x10000, false);
    ImVector<ImWchar> m_display_ranges;
    float m_display_scale = 0.0F;
    bool m_stale = true;
    int m_glyphs = 0;
    int m_unsupported = 0;
    int m_builds = 0;
    ImFont* m_body = nullptr;
    ImFont* m_title = nullptr;
    ImFont* m_display = nullptr;
};

}  // namespace hcp::ui

#include "shell/fonts.hpp"

#include <imgui_freetype.h>

#include <ft2build.h>
#include FT_FREETYPE_H

#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <stdexcept>

#include "hcp/base/io.hpp"
#include "hcp/base/utf8.hpp"

namespace hcp::ui {

// The font file mapped read-only for the length of one atlas build.
class MappedFont {
public:
    explicit MappedFont(const std::filesystem::path& file) {
        const hcp::io::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) throw std::runtime_error("cannot read font " + file.string());
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0 || st.st_size <= 0) throw std::runtime_error("empty font " + file.string());
        m_size = static_cast<size_t>(st.st_size);
        // The mapping stays valid after the descriptor closes.
        m_data = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
        if (m_data == MAP_FAILED) throw std::runtime_error("cannot map font " + file.string());
    }
    ~MappedFont() { ::munmap(m_data, m_size); }
    MappedFont(const MappedFont&) = delete;
    MappedFont& operator=(const MappedFont&) = delete;
    void* data() const noexcept { return m_data; }
    int size() const noexcept { return static_cast<int>(m_size); }

private:
    void* m_data = nullptr;
    size_t m_size = 0;
};

namespace {

// Pairs each character beyond U+FFFF with the Private Use Area code point that maps to the same
// glyph (assets/fonts/add_pua.py), read from the font's own character map.
std::unordered_map<char32_t, char32_t> private_use_pairs(const std::filesystem::path& file) {
    std::unordered_map<char32_t, char32_t> out;
    FT_Library lib = nullptr;
    if (FT_Init_FreeType(&lib) != 0) return out;
    const std::unique_ptr<FT_LibraryRec_, FT_Error (*)(FT_Library)> lib_guard(lib, &FT_Done_FreeType);
    FT_Face face = nullptr;
    if (FT_New_Face(lib, file.c_str(), 0, &face) != 0) return out;
    const std::unique_ptr<FT_FaceRec_, FT_Error (*)(FT_Face)> face_guard(face, &FT_Done_Face);
    if (FT_Select_Charmap(face, FT_ENCODING_UNICODE) != 0) return out;
    std::map<FT_UInt, char32_t> pua_of_glyph;
    std::vector<std::pair<char32_t, FT_UInt>> beyond;
    FT_UInt glyph = 0;
    for (FT_ULong cp = FT_Get_First_Char(face, &glyph); glyph != 0; cp = FT_Get_Next_Char(face, cp, &glyph)) {
        if (cp >= 0xE000 && cp <= 0xF8FF)
            pua_of_glyph.emplace(glyph, static_cast<char32_t>(cp));
        else if (cp > 0xFFFF)
            beyond.emplace_back(static_cast<char32_t>(cp), glyph);
    }
    for (const auto& [cp, g] : beyond)
        if (auto it = pua_of_glyph.find(g); it != pua_of_glyph.end()) out.emplace(cp, it->second);
    return out;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

}  // namespace

Fonts::Fonts(std::filesystem::path font_file) : m_file(std::move(font_file)) {
    MappedFont check(m_file);  // fail at start, not at the first frame
    m_pua = private_use_pairs(m_file);
    // Printable ASCII and the symbols the UI draws itself are always there.
    want(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");
    want("★☆·…—“”‘’，。、：；！？（）《》【】");
}

void Fonts::want(std::string_view utf8) {
    for (size_t i = 0; i < utf8.size();) {
        char32_t cp = utf8::next(utf8, i);
        if (cp >= 0x10000) {
            const auto pua = m_pua.find(cp);
            if (pua == m_pua.end()) {
                ++m_unsupported;
                continue;
            }
            cp = pua->second;
        }
        if (cp < 0x20) continue;
        if (!m_wanted[cp]) {
            m_wanted[cp] = true;
            m_stale = true;
        }
    }
}

std::string Fonts::shown(std::string_view utf8) const {
    bool beyond = false;
    for (char c : utf8) beyond = beyond || static_cast<unsigned char>(c) >= 0xF0;
    if (!beyond) return std::string(utf8);
    std::string out;
    out.reserve(utf8.size());
    for (size_t i = 0; i < utf8.size();) {
        const size_t at = i;
        const char32_t cp = utf8::next(utf8, i);
        if (cp >= 0x10000) {
            if (auto pua = m_pua.find(cp); pua != m_pua.end()) {
                append_utf8(out, pua->second);
                continue;
            }
        }
        out.append(utf8.substr(at, i - at));
    }
    return out;
}

void Fonts::set_display_scale(float scale) {
    if (scale == m_display_scale) return;
    m_display_scale = scale;
    m_stale = true;
}

void Fonts::want_display(std::string_view utf8) {
    want(utf8);
    for (size_t i = 0; i < utf8.size();) {
        char32_t cp = utf8::next(utf8, i);
        if (cp >= 0x10000) {
            const auto pua = m_pua.find(cp);
            if (pua == m_pua.end()) continue;
            cp = pua->second;
        }
        if (cp < 0x20) continue;
        if (!m_display_wanted[cp]) {
            m_display_wanted[cp] = true;
            if (m_display_scale > 0.0F) m_stale = true;
        }
    }
}

namespace {

// Ranges are pairs [first, last] closed by 0; returns the number of glyphs.
int ranges_of(const std::vector<bool>& wanted, ImVector<ImWchar>& ranges) {
    ranges.clear();
    int glyphs = 0;
    for (size_t cp = 1; cp < wanted.size(); ++cp) {
        if (!wanted[cp]) continue;
        size_t last = cp;
        while (last + 1 < wanted.size() && wanted[last + 1]) ++last;
        ranges.push_back(static_cast<ImWchar>(cp));
        ranges.push_back(static_cast<ImWchar>(last));
        glyphs += static_cast<int>(last - cp + 1);
        cp = last;
    }
    ranges.push_back(0);
    return glyphs;
}

}  // namespace

void Fonts::build(ImFontAtlas& atlas, float em_px) {
    // The ranges must outlive the Build() below.
    m_glyphs = ranges_of(m_wanted, m_ranges);
    const bool display = m_display_scale > 0.0F && ranges_of(m_display_wanted, m_display_ranges) > 0;

    atlas.Clear();
    atlas.FontBuilderIO = ImGuiFreeType::GetBuilderForFreeType();
    atlas.FontBuilderFlags = ImGuiFreeTypeBuilderFlags_LightHinting;
    ImFontConfig cfg;
    cfg.FontDataOwnedByAtlas = false;  // the mapping is ours; ImGui copies it (freed below)
    cfg.OversampleH = 1;
    cfg.OversampleV = 1;
    // ImGui takes a non-const pointer and copies the data (FontDataOwnedByAtlas is false); the
    // copies are freed right after Build() below and the file is unmapped.
    const MappedFont font(m_file);
    m_body = atlas.AddFontFromMemoryTTF(font.data(), font.size(), em_px, &cfg, m_ranges.Data);
    m_title = atlas.AddFontFromMemoryTTF(font.data(), font.size(), em_px * 1.6F, &cfg, m_ranges.Data);
    m_display = display ? atlas.AddFontFromMemoryTTF(font.data(), font.size(), em_px * m_display_scale, &cfg,
                                                     m_display_ranges.Data)
                        : nullptr;
    if (m_body == nullptr || m_title == nullptr || (display && m_display == nullptr) || !atlas.Build()) {
        throw std::runtime_error("cannot build the font atlas");
    }
    // ImGui 1.86 copies font data it does not own (AddFont: FontDataOwnedByAtlas false → a copy
    // it then owns), so each build held two copies of the 13 MB file. Dropping the input data
    // frees them (the baked glyphs stay); forgetting the pointers instead leaked 26 MB a build.
    atlas.ClearInputData();
    // The copies came from the heap: hand the pages back, or every rebuild (a new name, a page
    // of keyboard candidates) would leave the process larger.
    ::malloc_trim(0);
    m_stale = false;
    ++m_builds;
}

}  // namespace hcp::ui

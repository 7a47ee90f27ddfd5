#include "shell/fonts.hpp"

#include <imgui_freetype.h>

#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

Fonts::Fonts(std::filesystem::path font_file) : m_file(std::move(font_file)) {
    MappedFont check(m_file);  // fail at start, not at the first frame
    // Printable ASCII and the symbols the UI draws itself are always there.
    want(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");
    want("★☆·…—“”‘’，。、：；！？（）《》【】");
}

void Fonts::want(std::string_view utf8) {
    for (size_t i = 0; i < utf8.size();) {
        const char32_t cp = utf8::next(utf8, i);
        if (cp >= 0x10000) {
            ++m_unsupported;
            continue;
        }
        if (cp < 0x20) continue;
        if (!m_wanted[cp]) {
            m_wanted[cp] = true;
            m_stale = true;
        }
    }
}

void Fonts::set_display_scale(float scale) {
    if (scale == m_display_scale) return;
    m_display_scale = scale;
    m_stale = true;
}

void Fonts::want_display(std::string_view utf8) {
    want(utf8);
    for (size_t i = 0; i < utf8.size();) {
        const char32_t cp = utf8::next(utf8, i);
        if (cp < 0x20 || cp >= 0x10000) continue;
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

#include "font.hpp"

#include <ft2build.h>
#include FT_FREETYPE_H

#include <algorithm>
#include <mutex>

#include "hcp/base/error.hpp"

namespace hcp::printer::detail {

std::vector<std::uint8_t> Bitmap::packed() const {
    const size_t row = static_cast<size_t>((width + 7) / 8);
    std::vector<std::uint8_t> out(row * static_cast<size_t>(height), 0);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            if (at(x, y))
                out[static_cast<size_t>(y) * row + static_cast<size_t>(x / 8)] |=
                    static_cast<std::uint8_t>(0x80U >> (x % 8));
    return out;
}

namespace {
struct LibraryDeleter {
    void operator()(FT_Library l) const { FT_Done_FreeType(l); }
};
struct FaceDeleter {
    void operator()(FT_Face f) const { FT_Done_Face(f); }
};
}  // namespace

struct GlyphFont::Impl {
    std::unique_ptr<FT_LibraryRec_, LibraryDeleter> lib;
    std::unique_ptr<FT_FaceRec_, FaceDeleter> face;
    std::mutex mutex;  // an FT_Face is not thread-safe; encoders may run on several workers
};

GlyphFont::GlyphFont(const std::filesystem::path& file) : m_impl(std::make_unique<Impl>()) {
    FT_Library lib = nullptr;
    if (FT_Init_FreeType(&lib) != 0) throw Error(Errc::io_failure, "printer: FreeType failed to initialise");
    m_impl->lib.reset(lib);
    FT_Face face = nullptr;
    if (FT_New_Face(lib, file.c_str(), 0, &face) != 0)
        throw Error(Errc::io_failure, "printer: cannot open the CJK font " + file.string() +
                                          " (build target hcp_font, or set HCP_FONT_FILE)");
    m_impl->face.reset(face);
}

GlyphFont::~GlyphFont() = default;

bool GlyphFont::has_glyph(char32_t cp) const {
    std::lock_guard lock(m_impl->mutex);
    return FT_Get_Char_Index(m_impl->face.get(), cp) != 0;
}

void GlyphFont::draw(Bitmap& canvas, int x, int y, char32_t cp, int width_mul, int height_mul, bool bold) const {
    std::lock_guard lock(m_impl->mutex);
    FT_Face face = m_impl->face.get();
    const int em_w = kCell * width_mul;
    const int em_h = kCell * height_mul;
    if (FT_Set_Pixel_Sizes(face, static_cast<FT_UInt>(em_w), static_cast<FT_UInt>(em_h)) != 0) return;
    if (FT_Load_Char(face, cp, FT_LOAD_RENDER | FT_LOAD_NO_BITMAP) != 0) return;
    const int cell_w = cell_width(cp, width_mul);
    // Noto's Latin is proportional; a printer's ANK font is 12 dots wide. Condense wide letters
    // (m, W, @) so they fit their half-width cell instead of being clipped.
    if (const int adv = static_cast<int>(face->glyph->advance.x >> 6); adv > cell_w) {
        const int narrow = std::max(1, em_w * cell_w / adv);
        if (FT_Set_Pixel_Sizes(face, static_cast<FT_UInt>(narrow), static_cast<FT_UInt>(em_h)) != 0) return;
        if (FT_Load_Char(face, cp, FT_LOAD_RENDER | FT_LOAD_NO_BITMAP) != 0) return;
    }
    const FT_GlyphSlot g = face->glyph;
    const int advance = static_cast<int>(g->advance.x >> 6);
    // Centre the advance in the cell; CJK ideographs in Noto sit between -0.12 and 0.88 em.
    const int origin_x = x + (cell_w - advance) / 2;
    const int baseline = y + (em_h * 88 + 50) / 100;
    const FT_Bitmap& bm = g->bitmap;
    for (unsigned r = 0; r < bm.rows; ++r) {
        for (unsigned c = 0; c < bm.width; ++c) {
            const unsigned char v = bm.buffer[static_cast<long>(r) * bm.pitch + static_cast<long>(c)];
            if (v < 112) continue;
            const int px = origin_x + g->bitmap_left + static_cast<int>(c);
            const int py = baseline - g->bitmap_top + static_cast<int>(r);
            if (px < x || px >= x + cell_w || py < y || py >= y + em_h) continue;  // stay in the cell
            canvas.set(px, py);
            if (bold && px + 1 < x + cell_w) canvas.set(px + 1, py);
        }
    }
}

}  // namespace hcp::printer::detail

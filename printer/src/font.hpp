#pragma once
// FreeType glyph rasterizer shared by the encoder's raster fallback and escpos2png, so the
// preview and the paper show the same glyphs. Private to libhcp_printer.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

namespace hcp::printer::detail {

// A 1-bit canvas, one byte a pixel (1 = ink) for easy drawing; packed on output.
struct Bitmap {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> ink;
    Bitmap(int w, int h) : width(w), height(h), ink(static_cast<size_t>(w) * static_cast<size_t>(h), 0) {}
    void set(int x, int y) {
        if (x >= 0 && y >= 0 && x < width && y < height)
            ink[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)] = 1;
    }
    bool at(int x, int y) const {
        return ink[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)] != 0;
    }
    // Rows MSB first, (width + 7) / 8 bytes a row (the GS v 0 layout).
    std::vector<std::uint8_t> packed() const;
};

inline constexpr int kCell = 24;  // Font A Chinese cell; ASCII cell is half
inline int cell_width(char32_t cp, int width_mul) {
    return (cp < 0x80 ? kCell / 2 : kCell) * width_mul;
}

class GlyphFont {
public:
    // Throws hcp::Error(Errc::io_failure) when the font cannot be opened.
    explicit GlyphFont(const std::filesystem::path& file);
    ~GlyphFont();
    GlyphFont(const GlyphFont&) = delete;
    GlyphFont& operator=(const GlyphFont&) = delete;

    bool has_glyph(char32_t cp) const;
    // Draws `cp` in its cell whose top-left is (x, y) on `canvas`, scaled by the multipliers.
    void draw(Bitmap& canvas, int x, int y, char32_t cp, int width_mul, int height_mul, bool bold) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace hcp::printer::detail

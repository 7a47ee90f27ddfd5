#pragma once
// escpos2png: renders exactly the ESC/POS subset the encoder emits to a 1-bit page, drawing
// GB18030 text with the same font the encoder rasterizes fallback glyphs with, raster images
// (GS v 0) and native QR (GS ( k, drawn with libqrencode). Any byte it does not understand is an
// error with its offset, so a test fails instead of a preview lying.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "hcp/base/error.hpp"
#include "hcp/printer/encoder.hpp"

namespace hcp::printer {

struct Page {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;  // one byte a pixel: 0 = ink (black), 255 = paper
    int cuts = 0;                      // cut commands seen
};

struct RenderError {
    enum class Cause { unknown_command, truncated, bad_text, bad_argument } cause;
    size_t offset = 0;
    std::string detail;
};

// `profile` tells the paper width and whether the printer is always in Chinese mode.
Result<Page, RenderError> render(const Bytes& escpos, const Profile& profile,
                                 const std::filesystem::path& font = default_font_path());

// Writes an 8-bit grayscale PNG. Throws hcp::Error(Errc::io_failure).
void write_png(const Page& page, const std::filesystem::path& file);
std::vector<std::uint8_t> png_bytes(const Page& page);

}  // namespace hcp::printer

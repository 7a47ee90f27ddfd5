#pragma once
// The document model: what to print, independent of any printer. A Document is built for a
// paper width, so content that cannot fit (an over-long QR payload, invalid UTF-8, an image
// wider than the paper) fails while it is built (hcp::Error, Errc::invalid_argument), never at
// print time.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace hcp::printer {

enum class Align : std::uint8_t { left = 0, center = 1, right = 2 };

struct TextBlock {
    std::string utf8;  // one paragraph; wrapped to the paper width in dots by the encoder
    Align align = Align::left;
    int width_mul = 1;   // 1..4
    int height_mul = 1;  // 1..4
    bool bold = false;
};
struct RuleBlock {
    int thickness = 2;
};  // a horizontal line across the paper, in dots
struct FeedBlock {
    int dots = 24;
};  // blank paper
struct QrBlock {
    std::string data;  // e.g. the rating URL
    int module = 6;    // dots per module, 4..8
    // Up to 4 short lines (e.g. 短码 and the code) printed beside the QR when they fit the
    // paper, else centred below it.
    std::vector<std::string> side_text;
};
struct ImageBlock {  // 1 bit per pixel, rows packed MSB first, (width + 7) / 8 bytes a row
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> bits;
    Align align = Align::center;
};
struct CutBlock {};

using Block = std::variant<TextBlock, RuleBlock, FeedBlock, QrBlock, ImageBlock, CutBlock>;

class Document {
public:
    explicit Document(int dots_per_line);
    int dots_per_line() const noexcept { return m_dots; }
    const std::vector<Block>& blocks() const noexcept { return m_blocks; }

    Document& text(std::string utf8, Align align = Align::left, int size = 1, bool bold = false);
    Document& text(TextBlock block);
    Document& rule(int thickness = 2);
    Document& feed(int dots);
    // Throws when the QR at this module size (with its 4-module quiet zone) is wider than the paper.
    Document& qr(std::string data, int module = 6, std::vector<std::string> side_text = {});
    Document& image(ImageBlock image);
    Document& cut();

private:
    int m_dots;
    std::vector<Block> m_blocks;
};

// Width of a QR symbol for `data` in modules including the quiet zone (EC level M), or 0 when
// the data is too long for any QR version.
int qr_modules_with_quiet_zone(const std::string& data);

}  // namespace hcp::printer

#include "hcp/printer/document.hpp"

#include <qrencode.h>

#include <memory>
#include <optional>

#include "hcp/base/error.hpp"
#include "hcp/base/utf8.hpp"

namespace hcp::printer {
namespace {
struct QrDeleter {
    void operator()(QRcode* q) const { QRcode_free(q); }
};
constexpr size_t kMaxTextBytes = 4096;
}  // namespace

int qr_modules_with_quiet_zone(const std::string& data) {
    if (data.empty()) return 0;
    std::unique_ptr<QRcode, QrDeleter> q(QRcode_encodeString(data.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
    if (!q) return 0;
    return q->width + 8;
}

Document::Document(int dots_per_line) : m_dots(dots_per_line) {
    if (dots_per_line < 128 || dots_per_line > 832 || dots_per_line % 8 != 0)
        throw Error(Errc::invalid_argument, "document: paper width must be 128..832 dots, a multiple of 8");
}

Document& Document::text(std::string utf8, Align align, int size, bool bold) {
    return text(TextBlock{std::move(utf8), align, size, size, bold});
}

Document& Document::text(TextBlock block) {
    if (block.utf8.size() > kMaxTextBytes) throw Error(Errc::invalid_argument, "document: text longer than 4096 bytes");
    const std::optional<std::u32string> cps = utf8::decode(block.utf8);
    if (!cps) throw Error(Errc::invalid_argument, "document: text is not valid UTF-8");
    for (char32_t cp : *cps)
        if ((cp < 0x20 && cp != '\n') || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
            throw Error(Errc::invalid_argument, "document: text contains a control character");
    if (block.width_mul < 1 || block.width_mul > 4 || block.height_mul < 1 || block.height_mul > 4)
        throw Error(Errc::invalid_argument, "document: text size must be 1..4");
    if (24 * block.width_mul > m_dots)
        throw Error(Errc::invalid_argument, "document: text size too wide for the paper");
    m_blocks.emplace_back(std::move(block));
    return *this;
}

Document& Document::rule(int thickness) {
    if (thickness < 1 || thickness > 16)
        throw Error(Errc::invalid_argument, "document: rule thickness must be 1..16 dots");
    m_blocks.emplace_back(RuleBlock{thickness});
    return *this;
}

Document& Document::feed(int dots) {
    if (dots < 0 || dots > 1000) throw Error(Errc::invalid_argument, "document: feed must be 0..1000 dots");
    m_blocks.emplace_back(FeedBlock{dots});
    return *this;
}

Document& Document::qr(std::string data, int module, std::vector<std::string> side_text) {
    if (side_text.size() > 4) throw Error(Errc::invalid_argument, "document: at most 4 lines beside a QR");
    for (const auto& line : side_text) {
        const std::optional<std::u32string> cps = line.size() <= 64 ? utf8::decode(line) : std::nullopt;
        if (!cps)
            throw Error(Errc::invalid_argument, "document: text beside a QR must be valid UTF-8 of at most 64 bytes");
        for (char32_t cp : *cps)
            if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
                throw Error(Errc::invalid_argument, "document: text beside a QR contains a control character");
    }
    if (module < 4 || module > 8) throw Error(Errc::invalid_argument, "document: QR module size must be 4..8 dots");
    if (data.empty() || data.size() > 1024)
        throw Error(Errc::invalid_argument, "document: QR data must be 1..1024 bytes");
    const int modules = qr_modules_with_quiet_zone(data);
    if (modules == 0) throw Error(Errc::invalid_argument, "document: QR data too long for any QR version");
    if (modules * module > m_dots)
        throw Error(Errc::invalid_argument, "document: QR of " + std::to_string(modules) + " modules at " +
                                                std::to_string(module) + " dots is " +
                                                std::to_string(modules * module) + " dots wide; the paper has " +
                                                std::to_string(m_dots) + " (shorten the URL or use a smaller module)");
    m_blocks.emplace_back(QrBlock{std::move(data), module, std::move(side_text)});
    return *this;
}

Document& Document::image(ImageBlock img) {
    if (img.width < 1 || img.width > m_dots || img.height < 1 || img.height > 4000 ||
        img.bits.size() != static_cast<size_t>((img.width + 7) / 8) * static_cast<size_t>(img.height))
        throw Error(Errc::invalid_argument, "document: image size does not match its data or the paper width");
    m_blocks.emplace_back(std::move(img));
    return *this;
}

Document& Document::cut() {
    m_blocks.emplace_back(CutBlock{});
    return *this;
}

}  // namespace hcp::printer

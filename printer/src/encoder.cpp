// Document → ESC/POS. Every line is either resident text (ASCII and, in Chinese mode, GB bytes
// inside FS & … FS .) or, when any character is not in the printer's resident font, the whole
// line drawn with the bundled CJK font as a GS v 0 raster: mixing raster glyphs into a text line
// is not portable across ESC/POS printers, a raster line is.
#include "hcp/printer/encoder.hpp"

#include <qrencode.h>

#include <cstdlib>
#include <memory>

#include "font.hpp"
#include "gb.hpp"
#include "hcp/base/error.hpp"
#include "hcp/base/utf8.hpp"

namespace hcp::printer {

using detail::Bitmap;
using detail::cell_width;
using detail::kCell;

namespace {

struct QrDeleter {
    void operator()(QRcode* q) const { QRcode_free(q); }
};

constexpr char32_t kMissing = U'\u3013';  // 〓, the typesetter's mark for a missing glyph
constexpr int kLineGap = 6;

const char* iconv_name(Charset c) {
    switch (c) {
        case Charset::gb18030: return "GB18030";
        case Charset::gbk: return "GBK";
        case Charset::gb2312: return "GB2312";
    }
    return "GB18030";
}

void put(Bytes& out, std::initializer_list<int> bytes) {
    for (int b : bytes) out.push_back(static_cast<std::uint8_t>(b));
}

void put_image(Bytes& out, const Bitmap& bm, Align align, int band) {
    put(out, {cmd::ESC, 'a', static_cast<int>(align)});
    const auto packed = bm.packed();
    const int row = (bm.width + 7) / 8;
    for (int y0 = 0; y0 < bm.height; y0 += band) {
        const int rows = std::min(band, bm.height - y0);
        put(out, {cmd::GS, 'v', '0', 0, row & 0xFF, row >> 8, rows & 0xFF, rows >> 8});
        const auto begin = packed.begin() + static_cast<std::ptrdiff_t>(y0) * row;
        out.insert(out.end(), begin, begin + static_cast<std::ptrdiff_t>(rows) * row);
    }
}

}  // namespace

std::filesystem::path default_font_path() {
    if (const char* env = std::getenv("HCP_FONT_FILE"); env != nullptr && *env != '\0') return env;
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto installed = exe.parent_path().parent_path() / "share/hcp-kiosk/assets/fonts/hcp-cjk-sc-regular.otf";
        if (std::filesystem::exists(installed, ec)) return installed;
    }
#ifdef HCP_FONT_FILE
    return HCP_FONT_FILE;
#else
    return "/usr/share/hcp-kiosk/assets/fonts/hcp-cjk-sc-regular.otf";
#endif
}

struct Encoder::Impl {
    detail::GlyphFont font;
    explicit Impl(const std::filesystem::path& f) : font(f) {}
};

Encoder::Encoder(Profile profile, const std::filesystem::path& font)
    : m_profile(std::move(profile)), m_impl(new Impl(font)) {}

Encoder::~Encoder() {
    delete m_impl;
}

bool Encoder::resident(char32_t cp) const {
    if (cp < 0x80) return cp >= 0x20 && cp != 0x7F;
    if (m_profile.chinese_mode == ChineseMode::none) return false;
    detail::Iconv cov(iconv_name(m_profile.font_coverage), "UTF-32LE");
    detail::Iconv out(iconv_name(m_profile.charset), "UTF-32LE");
    const auto bytes = detail::encode_cp(cov, cp);
    // A two-byte code whose bytes are both ≥ 0xA1 is in GB2312's rows; GBK/GB18030 coverage takes any code.
    if (bytes.empty()) return false;
    if (bytes.size() == 1) return false;  // never send single bytes ≥ 0x80
    return !detail::encode_cp(out, cp).empty();
}

Bytes Encoder::encode(const Document& doc, EncodeStats* stats) const {
    if (doc.dots_per_line() != m_profile.dots_per_line)
        throw Error(Errc::invalid_argument, "encoder: document built for " + std::to_string(doc.dots_per_line()) +
                                                " dots, printer profile " + m_profile.id + " has " +
                                                std::to_string(m_profile.dots_per_line));
    EncodeStats local;
    EncodeStats& st = stats != nullptr ? *stats : local;
    st = {};
    const Profile& p = m_profile;
    const int W = p.dots_per_line;
    detail::Iconv cov(iconv_name(p.font_coverage), "UTF-32LE");
    detail::Iconv gb(iconv_name(p.charset), "UTF-32LE");
    auto resident_bytes = [&](char32_t cp) -> std::vector<std::uint8_t> {
        if (cp < 0x80) return {static_cast<std::uint8_t>(cp)};
        if (p.chinese_mode == ChineseMode::none) return {};
        const auto c = detail::encode_cp(cov, cp);
        if (c.size() < 2) return {};
        return detail::encode_cp(gb, cp);
    };

    Bytes out;
    put(out, {cmd::ESC, '@'});
    if (p.chinese_mode == ChineseMode::fs_ampersand) put(out, {cmd::FS, '.'});

    auto emit_text = [&](const TextBlock* t) {
        std::u32string cps = utf8::decode(t->utf8).value_or(std::u32string());  // validated when the document was built
        for (char32_t& cp : cps)
            if (cp != '\n' && cp >= 0x80 && !m_impl->font.has_glyph(cp) && resident_bytes(cp).empty()) cp = kMissing;
        // Wrap by dots; a line never starts with a space.
        std::vector<std::u32string> lines(1);
        int used = 0;
        for (char32_t cp : cps) {
            if (cp == '\n') {
                lines.emplace_back();
                used = 0;
                continue;
            }
            const int w = cell_width(cp, t->width_mul);
            if (used + w > W) {
                lines.emplace_back();
                used = 0;
            }
            if (used == 0 && cp == ' ' && lines.size() > 1) continue;  // no leading space on a wrapped line
            lines.back().push_back(cp);
            used += w;
        }
        for (const auto& line : lines) {
            bool all_resident = true;
            for (char32_t cp : line) all_resident = all_resident && !resident_bytes(cp).empty();
            if (all_resident) {
                ++st.text_lines;
                put(out, {cmd::ESC, 'a', static_cast<int>(t->align)});
                put(out, {cmd::GS, '!', ((t->width_mul - 1) << 4) | (t->height_mul - 1)});
                put(out, {cmd::ESC, 'E', t->bold ? 1 : 0});
                put(out, {cmd::ESC, '3', kCell * t->height_mul + kLineGap});
                bool in_chinese = false;
                for (char32_t cp : line) {
                    const bool wide = cp >= 0x80;
                    if (p.chinese_mode == ChineseMode::fs_ampersand && wide != in_chinese) {
                        put(out, {cmd::FS, wide ? '&' : '.'});
                        in_chinese = wide;
                    }
                    const auto b = resident_bytes(cp);
                    out.insert(out.end(), b.begin(), b.end());
                }
                if (in_chinese) put(out, {cmd::FS, '.'});
                put(out, {cmd::LF});
            } else {
                ++st.raster_lines;
                int width = 0;
                for (char32_t cp : line) width += cell_width(cp, t->width_mul);
                Bitmap bm(std::max(width, 8), kCell * t->height_mul + kLineGap);
                int x = 0;
                for (char32_t cp : line) {
                    m_impl->font.draw(bm, x, 0, cp, t->width_mul, t->height_mul, t->bold);
                    x += cell_width(cp, t->width_mul);
                }
                put_image(out, bm, t->align, p.image_band_height);
            }
        }
    };

    auto emit_text_line = [&](const std::string& line) {
        const TextBlock tb{line, Align::center, 1, 1, false};
        emit_text(&tb);
    };

    for (const Block& block : doc.blocks()) {
        if (const auto* t = std::get_if<TextBlock>(&block)) {
            emit_text(t);
        } else if (const auto* r = std::get_if<RuleBlock>(&block)) {
            Bitmap bm(W, r->thickness);
            for (int y = 0; y < r->thickness; ++y)
                for (int x = 0; x < W; ++x) bm.set(x, y);
            put_image(out, bm, Align::left, p.image_band_height);
        } else if (const auto* f = std::get_if<FeedBlock>(&block)) {
            for (int left = f->dots; left > 0; left -= 255) put(out, {cmd::ESC, 'J', std::min(left, 255)});
        } else if (const auto* q = std::get_if<QrBlock>(&block)) {
            if (p.qr_mode == QrMode::native) {
                const size_t n = q->data.size() + 3;
                put(out, {cmd::ESC, 'a', 1});
                put(out, {cmd::GS, '(', 'k', 4, 0, '1', 'A', '2', 0});
                put(out, {cmd::GS, '(', 'k', 3, 0, '1', 'C', q->module});
                put(out, {cmd::GS, '(', 'k', 3, 0, '1', 'E', '1'});
                put(out, {cmd::GS, '(', 'k', static_cast<int>(n & 0xFFU), static_cast<int>(n >> 8), '1', 'P', '0'});
                out.insert(out.end(), q->data.begin(), q->data.end());
                put(out, {cmd::GS, '(', 'k', 3, 0, '1', 'Q', '0'});
                put(out, {cmd::LF});
                for (const auto& line : q->side_text) emit_text_line(line);
            } else {
                ++st.images;
                std::unique_ptr<QRcode, QrDeleter> code(
                    QRcode_encodeString(q->data.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
                if (!code) throw Error(Errc::invalid_argument, "encoder: QR data cannot be encoded");
                const int m = q->module;
                const int side = (code->width + 8) * m;
                Bitmap bm(side, side);
                for (int y = 0; y < code->width; ++y)
                    for (int x = 0; x < code->width; ++x)
                        if ((code->data[y * code->width + x] & 1U) != 0)
                            for (int dy = 0; dy < m; ++dy)
                                for (int dx = 0; dx < m; ++dx) bm.set((x + 4) * m + dx, (y + 4) * m + dy);
                int text_w = 0;
                std::vector<std::u32string> lines;
                for (const auto& line : q->side_text) {
                    std::u32string cps = utf8::decode(line).value_or(std::u32string());
                    for (char32_t& cp : cps)
                        if (cp >= 0x80 && !m_impl->font.has_glyph(cp)) cp = kMissing;
                    int w = 0;
                    for (char32_t cp : cps) w += cell_width(cp, 1);
                    text_w = std::max(text_w, w);
                    lines.push_back(std::move(cps));
                }
                const int line_h = kCell + kLineGap;
                if (!lines.empty() && side + text_w <= W && static_cast<int>(lines.size()) * line_h <= side) {
                    // Text beside the QR, inside the right quiet zone's far edge: the zone keeps
                    // its 4 modules because the text starts after it.
                    Bitmap both(side + text_w, side);
                    for (int y = 0; y < side; ++y)
                        for (int x = 0; x < side; ++x)
                            if (bm.at(x, y)) both.set(x, y);
                    int ty = (side - static_cast<int>(lines.size()) * line_h) / 2;
                    for (const auto& line : lines) {
                        int tx = side;
                        for (char32_t cp : line) {
                            m_impl->font.draw(both, tx, ty, cp, 1, 1, false);
                            tx += cell_width(cp, 1);
                        }
                        ty += line_h;
                    }
                    put_image(out, both, Align::center, p.image_band_height);
                } else {
                    put_image(out, bm, Align::center, p.image_band_height);
                    for (const auto& line : q->side_text) emit_text_line(line);
                }
            }
        } else if (const auto* img = std::get_if<ImageBlock>(&block)) {
            ++st.images;
            Bitmap bm(img->width, img->height);
            const int row = (img->width + 7) / 8;
            for (int y = 0; y < img->height; ++y)
                for (int x = 0; x < img->width; ++x)
                    if ((img->bits[static_cast<size_t>(y * row + x / 8)] & (0x80U >> (x % 8))) != 0) bm.set(x, y);
            put_image(out, bm, img->align, p.image_band_height);
        } else if (std::holds_alternative<CutBlock>(block)) {
            put(out, {cmd::ESC, 'd', p.feed_before_cut});
            if (p.cut == CutMode::full) put(out, {cmd::GS, 'V', 0});
            if (p.cut == CutMode::partial) put(out, {cmd::GS, 'V', 1});
        }
    }
    put(out, {cmd::ESC, 'a', 0});
    return out;
}

}  // namespace hcp::printer

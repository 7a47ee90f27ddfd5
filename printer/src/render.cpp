// escpos2png: a strict interpreter for the encoder's command subset.
#include "hcp/printer/render.hpp"

#include <qrencode.h>
#include <stb_image_write.h>

#include <fstream>
#include <memory>

#include "font.hpp"
#include "gb.hpp"

namespace hcp::printer {
namespace {

struct QrDeleter {
    void operator()(QRcode* q) const { QRcode_free(q); }
};

struct Glyph {
    char32_t cp;
    int w, h;
    bool bold;
};

class Canvas {
public:
    explicit Canvas(int width) : m_width(width) {}
    // Paper longer than this is a runaway stream, not a ticket: refuse it instead of allocating.
    static constexpr int kMaxHeight = 40000;
    bool too_long() const { return m_height > kMaxHeight; }
    void ensure(int height) {
        if (height > kMaxHeight + 1) height = kMaxHeight + 1;
        if (height > m_height) {
            m_pixels.resize(static_cast<size_t>(m_width) * static_cast<size_t>(height), 255);
            m_height = height;
        }
    }
    void ink(int x, int y) {
        if (x < 0 || x >= m_width || y < 0 || y > kMaxHeight) return;
        ensure(y + 1);
        m_pixels[static_cast<size_t>(y) * static_cast<size_t>(m_width) + static_cast<size_t>(x)] = 0;
    }
    Page page(int cuts) && { return Page{m_width, m_height, std::move(m_pixels), cuts}; }

private:
    int m_width;
    int m_height = 0;
    std::vector<std::uint8_t> m_pixels;
};

int align_x(int align, int width, int paper) {
    if (align == 1) return std::max(0, (paper - width) / 2);
    if (align == 2) return std::max(0, paper - width);
    return 0;
}

}  // namespace

Result<Page, RenderError> render(const Bytes& b, const Profile& profile, const std::filesystem::path& font_file) {
    using C = RenderError::Cause;
    const int W = profile.dots_per_line;
    detail::GlyphFont font(font_file);
    detail::Iconv to_utf32("UTF-32LE", "GB18030");
    Canvas canvas(W);
    int y = 0, align = 0, wmul = 1, hmul = 1, spacing = 30, cuts = 0;
    bool bold = false;
    bool chinese = profile.chinese_mode == ChineseMode::always;
    std::vector<Glyph> line;
    // Native QR state (GS ( k).
    int qr_module = 3;
    std::string qr_data;

    auto flush_line = [&]() {
        int width = 0, tallest = 0;
        for (const auto& g : line) {
            width += detail::cell_width(g.cp, g.w);
            tallest = std::max(tallest, detail::kCell * g.h);
        }
        if (width > W) return false;
        detail::Bitmap bm(std::max(width, 1), std::max(tallest, 1));
        int x = 0;
        for (const auto& g : line) {
            font.draw(bm, x, tallest - detail::kCell * g.h, g.cp, g.w, g.h, g.bold);
            x += detail::cell_width(g.cp, g.w);
        }
        const int x0 = align_x(align, width, W);
        for (int yy = 0; yy < bm.height; ++yy)
            for (int xx = 0; xx < bm.width; ++xx)
                if (bm.at(xx, yy)) canvas.ink(x0 + xx, y + yy);
        y += std::max(spacing, tallest);
        canvas.ensure(y);
        line.clear();
        return true;
    };

    size_t i = 0;
    auto need = [&](size_t n) { return i + n <= b.size(); };
    while (i < b.size()) {
        const size_t at = i;
        if (canvas.too_long() || y > 40000)
            return RenderError{C::bad_argument, at, "page longer than 40000 dots (5 m of paper)"};
        const std::uint8_t c = b[i];
        if (c == cmd::LF) {
            ++i;
            if (!flush_line()) return RenderError{C::bad_text, at, "text line wider than the paper"};
        } else if (c == cmd::ESC) {
            if (!need(2)) return RenderError{C::truncated, at, "ESC at end"};
            const std::uint8_t op = b[i + 1];
            if (op == '@') {
                align = 0;
                wmul = hmul = 1;
                bold = false;
                spacing = 30;
                i += 2;
                chinese = profile.chinese_mode == ChineseMode::always;
                continue;
            }
            if (!need(3)) return RenderError{C::truncated, at, "ESC command without argument"};
            const int n = b[i + 2];
            i += 3;
            switch (op) {
                case 'a':
                    if (n > 2) return RenderError{C::bad_argument, at, "ESC a " + std::to_string(n)};
                    align = n;
                    break;
                case 'E':
                    if (n > 1) return RenderError{C::bad_argument, at, "ESC E " + std::to_string(n)};
                    bold = n == 1;
                    break;
                case '3': spacing = n; break;
                case 'J':
                    y += n;
                    canvas.ensure(y);
                    break;
                case 'd':
                    y += n * spacing;
                    canvas.ensure(y);
                    break;
                default: return RenderError{C::unknown_command, at, "ESC " + std::to_string(op)};
            }
        } else if (c == cmd::FS) {
            if (!need(2)) return RenderError{C::truncated, at, "FS at end"};
            if (b[i + 1] == '&')
                chinese = true;
            else if (b[i + 1] == '.')
                chinese = profile.chinese_mode == ChineseMode::always;
            else
                return RenderError{C::unknown_command, at, "FS " + std::to_string(b[i + 1])};
            i += 2;
        } else if (c == cmd::GS) {
            if (!need(2)) return RenderError{C::truncated, at, "GS at end"};
            const std::uint8_t op = b[i + 1];
            if (op == '!') {
                if (!need(3)) return RenderError{C::truncated, at, "GS !"};
                const int n = b[i + 2];
                wmul = ((n >> 4) & 7) + 1;
                hmul = (n & 7) + 1;
                if (wmul > 4 || hmul > 4 || (n & 0x88) != 0) return RenderError{C::bad_argument, at, "GS ! size"};
                i += 3;
            } else if (op == 'V') {
                if (!need(3)) return RenderError{C::truncated, at, "GS V"};
                if (b[i + 2] > 1) return RenderError{C::bad_argument, at, "GS V mode"};
                ++cuts;
                // Draw a dashed cut marker so the preview shows where the paper is cut.
                for (int x = 0; x < W; x += 8)
                    for (int k = 0; k < 4; ++k) canvas.ink(x + k, y + 2);
                y += 6;
                canvas.ensure(y);
                i += 3;
            } else if (op == 'v') {
                if (!need(8)) return RenderError{C::truncated, at, "GS v 0 header"};
                if (b[i + 2] != '0' || b[i + 3] != 0) return RenderError{C::bad_argument, at, "GS v 0 mode"};
                const int row = b[i + 4] | (b[i + 5] << 8);
                const int rows = b[i + 6] | (b[i + 7] << 8);
                if (row * 8 > W + 7 || row == 0 || rows == 0) return RenderError{C::bad_argument, at, "GS v 0 size"};
                const size_t size = static_cast<size_t>(row) * static_cast<size_t>(rows);
                i += 8;
                if (!need(size)) return RenderError{C::truncated, at, "GS v 0 data"};
                if (!line.empty()) return RenderError{C::bad_text, at, "image inside a text line"};
                const int x0 = align_x(align, row * 8, W);
                for (int yy = 0; yy < rows; ++yy)
                    for (int xx = 0; xx < row * 8; ++xx)
                        if ((b[i + static_cast<size_t>(yy * row + xx / 8)] & (0x80U >> (xx % 8))) != 0)
                            canvas.ink(x0 + xx, y + yy);
                y += rows;
                canvas.ensure(y);
                i += size;
            } else if (op == '(') {
                if (!need(5) || b[i + 2] != 'k') return RenderError{C::unknown_command, at, "GS ( other than k"};
                const size_t len = static_cast<size_t>(b[i + 3] | (b[i + 4] << 8));
                if (len < 2 || !need(5 + len) || b[i + 5] != '1') return RenderError{C::bad_argument, at, "GS ( k"};
                const std::uint8_t fn = b[i + 6];
                const auto* arg = &b[i + 7];
                if (fn == 'A' && len == 4) {
                    if (arg[0] != '2') return RenderError{C::bad_argument, at, "QR model"};
                } else if (fn == 'C' && len == 3) {
                    qr_module = arg[0];
                    if (qr_module < 1 || qr_module > 16) return RenderError{C::bad_argument, at, "QR module"};
                } else if (fn == 'E' && len == 3) {
                    if (arg[0] != '1') return RenderError{C::bad_argument, at, "QR EC level other than M"};
                } else if (fn == 'P' && len >= 4) {
                    if (arg[0] != '0') return RenderError{C::bad_argument, at, "QR store"};
                    qr_data.assign(reinterpret_cast<const char*>(arg + 1), len - 3);
                } else if (fn == 'Q' && len == 3) {
                    std::unique_ptr<QRcode, QrDeleter> q(
                        QRcode_encodeString(qr_data.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
                    if (!q || qr_data.empty()) return RenderError{C::bad_argument, at, "QR print without data"};
                    const int side = q->width * qr_module;
                    const int x0 = align_x(align, side, W);
                    for (int yy = 0; yy < q->width; ++yy)
                        for (int xx = 0; xx < q->width; ++xx)
                            if ((q->data[yy * q->width + xx] & 1U) != 0)
                                for (int dy = 0; dy < qr_module; ++dy)
                                    for (int dx = 0; dx < qr_module; ++dx)
                                        canvas.ink(x0 + xx * qr_module + dx, y + 4 * qr_module + yy * qr_module + dy);
                    y += side + 8 * qr_module;
                    canvas.ensure(y);
                } else {
                    return RenderError{C::unknown_command, at, "GS ( k function " + std::to_string(fn)};
                }
                i += 5 + len;
            } else {
                return RenderError{C::unknown_command, at, "GS " + std::to_string(op)};
            }
        } else if (c >= 0x20 && c < 0x7F) {
            line.push_back({c, wmul, hmul, bold});
            ++i;
        } else if (c >= 0x81 && c <= 0xFE && chinese) {
            size_t n = 2;
            if (need(2) && b[i + 1] >= 0x30 && b[i + 1] <= 0x39) n = 4;
            if (!need(n)) return RenderError{C::truncated, at, "GB18030 sequence"};
            std::vector<std::uint8_t> u;
            if (!to_utf32.convert(&b[i], n, u) || u.size() != 4)
                return RenderError{C::bad_text, at, "invalid GB18030 sequence"};
            const char32_t cp = static_cast<char32_t>(u[0] | (u[1] << 8) | (u[2] << 16) | (u[3] << 24));
            line.push_back({cp, wmul, hmul, bold});
            i += n;
        } else {
            return RenderError{C::unknown_command, at,
                               chinese ? "byte " + std::to_string(c) : "byte ≥ 0x80 outside a Chinese text run"};
        }
    }
    if (!line.empty() && !flush_line()) return RenderError{C::bad_text, b.size(), "text line wider than the paper"};
    canvas.ensure(y);
    return std::move(canvas).page(cuts);
}

std::vector<std::uint8_t> png_bytes(const Page& page) {
    if (page.width <= 0) throw Error(Errc::invalid_argument, "png: page without width");
    // 8-bit grayscale, one row per pixel row; an empty page is one row of paper.
    const int height = std::max(page.height, 1);
    std::vector<std::uint8_t> rows = page.pixels;
    rows.resize(static_cast<size_t>(page.width) * static_cast<size_t>(height), 255);
    std::vector<std::uint8_t> out;
    auto append = [](void* context, void* data, int size) {
        auto* bytes = static_cast<std::uint8_t*>(data);
        static_cast<std::vector<std::uint8_t>*>(context)->insert(
            static_cast<std::vector<std::uint8_t>*>(context)->end(), bytes, bytes + size);
    };
    if (stbi_write_png_to_func(append, &out, page.width, height, 1, rows.data(), page.width) == 0)
        throw Error(Errc::io_failure, "png: encoding failed");
    return out;
}

void write_png(const Page& page, const std::filesystem::path& file) {
    const auto bytes = png_bytes(page);
    std::ofstream f(file, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!f) throw Error(Errc::io_failure, "png: cannot write " + file.string());
}

}  // namespace hcp::printer

// escpos2png: strict about what it accepts, faithful about what it draws.
#include <catch2/catch.hpp>

#include <random>

#include "printer_helpers.hpp"

using namespace hcp::printer;
using namespace hcp::printer::test;

namespace {
Bytes b(std::initializer_list<int> v) {
    Bytes out;
    for (int x : v) out.push_back(static_cast<std::uint8_t>(x));
    return out;
}
int ink(const Page& p) {
    int n = 0;
    for (auto px : p.pixels) n += px == 0 ? 1 : 0;
    return n;
}
}  // namespace

TEST_CASE("Unknown commands truncated commands and stray high bytes are errors with their offset") {
    const Profile p = profile("generic-58");
    struct Case {
        Bytes bytes;
        RenderError::Cause cause;
        size_t offset;
    };
    const Case cases[] = {
        {b({0x1B, '@', 0x1B, 'x', 0}), RenderError::Cause::unknown_command, 2},
        {b({0x1B, '@', 'A', 0xD6, 0xD0, 0x0A}), RenderError::Cause::unknown_command, 3},  // GB bytes without FS &
        {b({0x1D, 'v', '0', 0, 2, 0, 5, 0, 0xFF}), RenderError::Cause::truncated, 0},
        {b({0x1D, 'v', '0', 0, 100, 0, 1, 0}), RenderError::Cause::bad_argument, 0},  // 800 dots on 384
        {b({0x1C, '&', 0xD6}), RenderError::Cause::truncated, 2},
        {b({0x1B}), RenderError::Cause::truncated, 0},
        {b({0x10, 0x04, 1}), RenderError::Cause::unknown_command, 0},
        {b({0x07}), RenderError::Cause::unknown_command, 0},
        {b({0x1C, '&', 0xFF, 0xFF}), RenderError::Cause::unknown_command, 2},
        {b({0x1C, '&', 0x81, 0x7F}), RenderError::Cause::bad_text, 2},
    };
    for (const auto& c : cases) {
        const auto r = render(c.bytes, p);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().cause == c.cause);
        CHECK(r.error().offset == c.offset);
    }
}

TEST_CASE("A line wider than the paper is an error rather than a silently clipped preview") {
    Bytes bytes = b({0x1B, '@'});
    for (int i = 0; i < 40; ++i) bytes.push_back('X');  // 40 × 12 = 480 dots > 384
    bytes.push_back(0x0A);
    CHECK_FALSE(render(bytes, profile("generic-58")).ok());
}

TEST_CASE("Text is drawn with ink and alignment moves it") {
    const Profile p = profile("generic-58");
    const auto left = render(b({0x1B, '@', 0x1C, '&', 0xD6, 0xD0, 0x1C, '.', 0x0A}), p);
    const auto right = render(b({0x1B, '@', 0x1B, 'a', 2, 0x1C, '&', 0xD6, 0xD0, 0x1C, '.', 0x0A}), p);
    REQUIRE(left.ok());
    REQUIRE(right.ok());
    CHECK(ink(left.value()) > 40);
    CHECK(ink(left.value()) == ink(right.value()));
    // 中 on the left has ink in column 12; right-aligned it has none there.
    auto column_ink = [](const Page& pg, int x) {
        int n = 0;
        for (int y = 0; y < pg.height; ++y) n += pg.pixels[static_cast<size_t>(y * pg.width + x)] == 0 ? 1 : 0;
        return n;
    };
    CHECK(column_ink(left.value(), 12) > 0);
    CHECK(column_ink(right.value(), 12) == 0);
}

TEST_CASE("The resident text and the raster fallback draw the same glyph pixels") {
    Profile p = profile("generic-58");
    Document doc(p.dots_per_line);
    doc.text("政务");
    const auto as_text = render(Encoder(p).encode(doc), p);
    Profile raster = p;
    raster.chinese_mode = ChineseMode::none;
    const auto as_raster = render(Encoder(raster).encode(doc), raster);
    REQUIRE(as_text.ok());
    REQUIRE(as_raster.ok());
    CHECK(ink(as_text.value()) == ink(as_raster.value()));
}

TEST_CASE("The PNG writer produces a PNG signature and grows with the page") {
    Page small{8, 8, std::vector<std::uint8_t>(64, 255), 0};
    const auto png = png_bytes(small);
    REQUIRE(png.size() > 40);
    CHECK(png[1] == 'P');
    CHECK(png[2] == 'N');
    CHECK(png[3] == 'G');
}

TEST_CASE("Random and mutated byte streams never crash the renderer and runaway feeds are refused") {
    const Profile p = profile("generic-58");
    const Bytes good = Encoder(p).encode(ticket_document(sample_ticket(), p));
    std::mt19937 rng(3);
    int ok = 0, refused = 0;
    for (int i = 0; i < 300; ++i) {
        Bytes m = good;
        for (int k = 0; k < 8; ++k) m[rng() % m.size()] = static_cast<std::uint8_t>(rng());
        m.resize(rng() % m.size());
        (render(m, p).ok() ? ok : refused)++;
        Bytes noise(rng() % 512);
        for (auto& x : noise) x = static_cast<std::uint8_t>(rng());
        (render(noise, p).ok() ? ok : refused)++;
    }
    CHECK(ok + refused == 600);
    CHECK(refused > 0);
    Bytes feeds;
    for (int i = 0; i < 10000; ++i) feeds.insert(feeds.end(), {0x1B, 'd', 0xFF});
    const auto r = render(feeds, p);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().cause == RenderError::Cause::bad_argument);
}

// Document model and ESC/POS encoder: exact bytes, Chinese runs, raster fallback, bad input.
#include <catch2/catch.hpp>

#include "printer_helpers.hpp"

using namespace hcp::printer;
using namespace hcp::printer::test;

namespace {
Bytes bytes_of(std::initializer_list<int> v) {
    Bytes b;
    for (int x : v) b.push_back(static_cast<std::uint8_t>(x));
    return b;
}
}  // namespace

TEST_CASE("An ASCII line encodes to the exact documented command sequence") {
    const Profile p = profile("generic-58");
    Document doc(p.dots_per_line);
    doc.text("Hi", Align::center, 2, true);
    const Bytes expected = bytes_of({0x1B, '@', 0x1C, '.', 0x1B, 'a', 1,   0x1D, '!',  0x11, 0x1B,
                                     'E',  1,   0x1B, '3', 54,   'H', 'i', 0x0A, 0x1B, 'a',  0});
    CHECK(Encoder(p).encode(doc) == expected);
}

TEST_CASE("Chinese text goes out as GB18030 inside FS ampersand and FS dot") {
    const Profile p = profile("generic-58");
    Document doc(p.dots_per_line);
    doc.text("A中B");
    const std::string s = as_string(Encoder(p).encode(doc));
    CHECK(s.find(std::string("A\x1c&\xd6\xd0\x1c.B")) != std::string::npos);
}

TEST_CASE("Rare name characters missing from a GB2312 font print as raster glyphs never as question marks") {
    const Profile p = profile("generic-58");
    const Encoder enc(p);
    for (const char* name : {"王镕", "李堃", "张喆", "刘䶮"}) {
        Document doc(p.dots_per_line);
        doc.text(name);
        EncodeStats st;
        const Bytes b = enc.encode(doc, &st);
        CHECK(st.raster_lines == 1);
        CHECK(st.text_lines == 0);
        CHECK(as_string(b).find("\x1dv0") != std::string::npos);
        CHECK(as_string(b).find("\x1c&") == std::string::npos);
        CHECK(render(b, p).ok());
    }
    CHECK_FALSE(enc.resident(U'镕'));
    CHECK(enc.resident(U'王'));
}

TEST_CASE("A printer whose font covers GB18030 prints the rare characters as text including four-byte codes") {
    Profile p = profile("generic-58");
    p.font_coverage = Charset::gb18030;
    Document doc(p.dots_per_line);
    doc.text("䶮㐀");
    EncodeStats st;
    const std::string s = as_string(Encoder(p).encode(doc, &st));
    CHECK(st.raster_lines == 0);
    // U+4DAE is FE 9F in GB18030-2005; U+3400 takes a four-byte code.
    CHECK(s.find("\x1c&\xfe\x9f\x81\x39\xee\x39\x1c.") != std::string::npos);
    CHECK(render(Encoder(p).encode(doc), p).ok());
}

TEST_CASE("The safe profile never enters Chinese mode and sends no high bytes outside images") {
    const Profile p = profile("generic-safe");
    Document doc(p.dots_per_line);
    doc.text("办件回执 ABC");
    EncodeStats st;
    const Bytes b = Encoder(p).encode(doc, &st);
    CHECK(st.raster_lines == 1);
    CHECK(as_string(b).find("\x1c&") == std::string::npos);
    CHECK(render(b, p).ok());
}

TEST_CASE("Long text wraps by dots so that no line is wider than the paper") {
    const Profile p = profile("generic-58");
    Document doc(p.dots_per_line);
    doc.text(std::string(100, 'X'));                         // 12 dots each: 32 a line on 384 dots
    doc.text("政务服务好差评政务服务好差评政务服务好差评");  // 24 dots each: 16 a line
    EncodeStats st;
    const Bytes b = Encoder(p).encode(doc, &st);
    CHECK(st.text_lines == 4 + 2);
    CHECK(render(b, p).ok());  // the renderer refuses lines wider than the paper
}

TEST_CASE("Invalid UTF-8 control characters and over-long text are refused when the document is built") {
    Document doc(384);
    CHECK_THROWS_AS(doc.text("\xC3\x28"), hcp::Error);
    CHECK_THROWS_AS(doc.text("\xE0\x80\x80"), hcp::Error);      // overlong
    CHECK_THROWS_AS(doc.text("\xED\xA0\x80"), hcp::Error);      // surrogate
    CHECK_THROWS_AS(doc.text("\xF4\x90\x80\x80"), hcp::Error);  // > U+10FFFF
    CHECK_THROWS_AS(doc.text("abc\x1b@"), hcp::Error);          // an ESC smuggled in text
    CHECK_THROWS_AS(doc.text("tab\there"), hcp::Error);
    CHECK_THROWS_AS(doc.text(std::string(5000, 'a')), hcp::Error);
    CHECK_THROWS_AS(doc.text("x", Align::left, 5), hcp::Error);
    CHECK(doc.blocks().empty());
}

TEST_CASE("A QR payload that cannot fit the paper fails when the document is built") {
    const std::string url = "HTTPS://HCP.EXAMPLE.CN/R/" + std::string(200, 'A');
    Document narrow(384);
    CHECK_THROWS_AS(narrow.qr(url, 8), hcp::Error);
    Document wide(576);
    CHECK_NOTHROW(wide.qr(url, 4));
    CHECK_THROWS_AS(narrow.qr(std::string(3000, 'A'), 4), hcp::Error);
    CHECK_THROWS_AS(narrow.qr("X", 3), hcp::Error);
    CHECK_THROWS_AS(narrow.qr("", 6), hcp::Error);
}

TEST_CASE("A document built for another paper width is refused by the encoder") {
    Document doc(576);
    doc.text("x");
    CHECK_THROWS_AS(Encoder(profile("generic-58")).encode(doc), hcp::Error);
}

TEST_CASE("A character the bundled font lacks prints as the missing-glyph mark") {
    const Profile p = profile("generic-58");
    Document doc(p.dots_per_line);
    doc.text("\xF0\x9F\x98\x80");  // an emoji: no printer font and not in the bundled font
    const Bytes b = Encoder(p).encode(doc);
    CHECK(as_string(b).find("\x1c&\xa1\xfe\x1c.") != std::string::npos);  // 〓 in GB2312
}

TEST_CASE("Encoding is deterministic") {
    const Profile p = profile("generic-80");
    const auto doc = receipt_document(sample_receipt(), p);
    const Encoder enc(p);
    CHECK(enc.encode(doc) == enc.encode(doc));
}

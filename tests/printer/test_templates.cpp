// Templates × profiles: golden bytes, a PNG preview of each, and every QR decodes to its URL.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <variant>

#include "printer_helpers.hpp"

using namespace hcp::printer;
using namespace hcp::printer::test;
using hcp::test::read_file;
using hcp::test::write_file;

namespace {

// Compares with tests/printer/golden/NAME; HCP_UPDATE_GOLDEN=1 rewrites the file instead (then
// look at the PNGs before committing).
void check_golden(const std::string& name, const Bytes& bytes) {
    const auto file = golden_dir() / name;
    const char* update = std::getenv("HCP_UPDATE_GOLDEN");
    if (update != nullptr && std::string(update) == "1") write_file(file, as_string(bytes));
    REQUIRE(std::filesystem::exists(file));
    CHECK(read_file(file) == as_string(bytes));
}

Page render_ok(const Bytes& bytes, const Profile& p) {
    auto page = render(bytes, p);
    if (!page) FAIL("escpos2png: " << page.error().detail << " at " << page.error().offset);
    return std::move(page).value();
}

}  // namespace

TEST_CASE("The queue ticket matches its golden bytes and its QR decodes to the signed URL on 58 and 80 mm") {
    for (const char* id : {"generic-58", "generic-80"}) {
        const Profile p = profile(id);
        const TicketData d = sample_ticket();
        const Bytes bytes = Encoder(p).encode(ticket_document(d, p));
        check_golden(std::string("ticket-") + id + ".bin", bytes);
        const Page page = render_ok(bytes, p);
        write_png(page, preview_dir() / (std::string("ticket-") + id + ".png"));
        const auto codes = decode_qr(page);
        REQUIRE(codes.size() == 1);
        CHECK(codes[0] == d.qr_url);
        const auto claims = hcp::token::verify(codes[0], {sample_key()}, kExpires - 60, std::string_view("150102001"));
        REQUIRE(claims.ok());
        CHECK(claims.value().subject == "20261122A012");
        CHECK(page.cuts == (p.cut == CutMode::none ? 0 : 1));
    }
}

TEST_CASE("The receipt matches its golden bytes and its QR decodes to a URL of at most 80 characters") {
    for (const char* id : {"generic-58", "generic-80"}) {
        const Profile p = profile(id);
        const ReceiptData d = sample_receipt();
        CHECK(d.qr_url.size() <= 80);
        EncodeStats stats;
        const Bytes bytes = Encoder(p).encode(receipt_document(d, p), &stats);
        check_golden(std::string("receipt-") + id + ".bin", bytes);
        // 堃 in the staff name is not in GB2312: that line goes out as raster glyphs.
        CHECK(stats.raster_lines >= 1);
        const Page page = render_ok(bytes, p);
        write_png(page, preview_dir() / (std::string("receipt-") + id + ".png"));
        const auto codes = decode_qr(page);
        REQUIRE(codes.size() == 1);
        CHECK(codes[0] == d.qr_url);
        CHECK(hcp::token::verify(codes[0], {sample_key()}, kExpires - 60).value().subject == d.case_no);
    }
}

TEST_CASE("Every QR decodes back to the exact URL at module sizes 4 6 and 8 on 58 and 80 mm") {
    for (const char* id : {"generic-58", "generic-80"}) {
        const Profile p = profile(id);
        for (int m : {4, 6, 8}) {
            const ReceiptData d = sample_receipt();
            const Bytes bytes = Encoder(p).encode(receipt_document(d, p, m));
            const auto codes = decode_qr(render_ok(bytes, p));
            REQUIRE(codes.size() == 1);
            CHECK(codes[0] == d.qr_url);
            const TicketData t = sample_ticket();
            const auto tcodes = decode_qr(render_ok(Encoder(p).encode(ticket_document(t, p, m)), p));
            REQUIRE(tcodes.size() == 1);
            CHECK(tcodes[0] == t.qr_url);
        }
    }
}

TEST_CASE("The self-test page has three readable QR codes and a cut marker on both widths") {
    for (const char* id : {"generic-58", "generic-80", "generic-safe"}) {
        const Profile p = profile(id);
        const Bytes bytes = Encoder(p).encode(selftest_document(p));
        check_golden(std::string("selftest-") + id + ".bin", bytes);
        const Page page = render_ok(bytes, p);
        write_png(page, preview_dir() / (std::string("selftest-") + id + ".png"));
        const auto codes = decode_qr(page);
        CHECK(codes.size() == 3);
        for (const auto& c : codes) CHECK(c == kSelftestUrl);
    }
}

TEST_CASE("The safe fallback profile prints the receipt without Chinese mode and it still decodes") {
    const Profile p = profile("generic-safe");
    const ReceiptData d = sample_receipt();
    const Bytes bytes = Encoder(p).encode(receipt_document(d, p));
    check_golden("receipt-generic-safe.bin", bytes);
    CHECK(as_string(bytes).find("\x1c&") == std::string::npos);
    const Page page = render_ok(bytes, p);
    write_png(page, preview_dir() / "receipt-generic-safe.png");
    const auto codes = decode_qr(page);
    REQUIRE(codes.size() == 1);
    CHECK(codes[0] == d.qr_url);
}

TEST_CASE("A native QR profile emits GS ( k and the preview still decodes it") {
    Profile p = profile("generic-80");
    p.qr_mode = QrMode::native;
    const TicketData d = sample_ticket();
    const Bytes bytes = Encoder(p).encode(ticket_document(d, p));
    CHECK(as_string(bytes).find(std::string("\x1d(k", 3)) != std::string::npos);
    CHECK(as_string(bytes).find(d.qr_url) != std::string::npos);
    const auto codes = decode_qr(render_ok(bytes, p));
    REQUIRE(codes.size() == 1);
    CHECK(codes[0] == d.qr_url);
}

TEST_CASE("On 58 mm a long staff name puts the 工号 on its own line instead of splitting the number") {
    ReceiptData d = sample_receipt();
    d.staff_name = "阿卜杜热合曼·买买提";
    auto lines_with_number = [&](const Profile& p) {
        std::vector<std::string> out;
        const Document doc = receipt_document(d, p);
        for (const auto& b : doc.blocks())
            if (const auto* t = std::get_if<TextBlock>(&b); t != nullptr && t->utf8.find("0815") != std::string::npos)
                out.push_back(t->utf8);
        return out;
    };
    const auto narrow = lines_with_number(profile("generic-58"));
    REQUIRE(narrow.size() == 1);
    CHECK(narrow[0] == "工　　号：0815");  // 11 cells: one line on any paper
    const auto wide = lines_with_number(profile("generic-80"));
    REQUIRE(wide.size() == 1);
    CHECK(wide[0] == "经办人员：阿卜杜热合曼·买买提（工号 0815）");  // 21.5 of 24 cells
    // Still one paragraph on 58 mm when it fits: the sample.
    d.staff_name = "王堃";
    CHECK(lines_with_number(profile("generic-58")).at(0) == "经办人员：王堃（工号 0815）");
}

TEST_CASE("Name characters beyond U+FFFF print as their glyphs and not as the missing mark") {
    // 𫖯 𬌗 𬇙 𬭚: 通用规范汉字表 characters in CJK Extension B-F, found in real names.
    const Profile p = profile("generic-80");
    auto page_of = [&](const std::string& text) {
        Document doc(p.dots_per_line);
        doc.text(text);
        EncodeStats stats;
        const Bytes bytes = Encoder(p).encode(doc, &stats);
        return render_ok(bytes, p).pixels;
    };
    const auto missing = page_of("〓");
    for (const char* name : {"𫖯", "𬌗", "𬇙", "𬭚"}) {
        INFO(name);
        const auto drawn = page_of(name);
        CHECK(drawn != missing);
        CHECK(std::count(drawn.begin(), drawn.end(), 0) > 20);  // ink, not an empty cell
    }
    // One name, two of them: the line is drawn, every glyph different.
    CHECK(page_of("𫖯") != page_of("𬭚"));
}

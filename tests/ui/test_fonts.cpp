// The kiosk's font: characters beyond U+FFFF (name characters of the 通用规范汉字表 such as 𫖯) are
// baked and drawn although Debian's ImGui stores characters in 16 bits.
#include <catch2/catch.hpp>

#include <imgui.h>

#include "hcp/base/utf8.hpp"
#include "shell/fonts.hpp"

namespace {

// The code points of `utf8`.
std::vector<char32_t> code_points(const std::string& utf8) {
    std::vector<char32_t> out;
    for (size_t i = 0; i < utf8.size();) out.push_back(hcp::utf8::next(utf8, i));
    return out;
}

}  // namespace

TEST_CASE("Name characters beyond U+FFFF are baked under their second code point and drawn as themselves") {
    hcp::ui::Fonts fonts{HCP_FONT_FILE};
    const std::string names = "张𫖯 李𬌗 王𬇙 刘𬭚";
    const std::string shown = fonts.shown(names);
    const auto before = code_points(names);
    const auto after = code_points(shown);
    REQUIRE(before.size() == after.size());
    std::vector<char32_t> private_use;
    for (size_t i = 0; i < before.size(); ++i) {
        if (before[i] > 0xFFFF) {
            CHECK(after[i] >= 0xE000);
            CHECK(after[i] <= 0xF8FF);
            private_use.push_back(after[i]);
        } else {
            CHECK(after[i] == before[i]);
        }
    }
    REQUIRE(private_use.size() == 4);
    // Text without such characters is passed through untouched.
    CHECK(fonts.shown("王丽（工号 1001）") == "王丽（工号 1001）");

    fonts.want(names);
    CHECK(fonts.unsupported() == 0);
    ImGui::CreateContext();
    fonts.build(*ImGui::GetIO().Fonts, 32.0F);
    std::vector<const ImFontGlyph*> glyphs;
    for (char32_t cp : private_use) {
        const ImFontGlyph* g = fonts.body()->FindGlyphNoFallback(static_cast<ImWchar>(cp));
        REQUIRE(g != nullptr);
        CHECK(g->X1 - g->X0 > 16.0F);  // an ideograph's ink, not an empty cell
        CHECK(g->Y1 - g->Y0 > 16.0F);
        glyphs.push_back(g);
    }
    // Four different characters, four different glyphs.
    for (size_t i = 1; i < glyphs.size(); ++i) CHECK(glyphs[i]->U0 != glyphs[0]->U0);
    ImGui::DestroyContext();

    // A character the font does not have (an emoji) is counted, never drawn as another one.
    hcp::ui::Fonts other{HCP_FONT_FILE};
    other.want("😀");
    CHECK(other.unsupported() == 1);
    CHECK(other.shown("😀") == "😀");
}

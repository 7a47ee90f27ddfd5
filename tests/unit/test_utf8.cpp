// UTF-8 text (shared/include/hcp/base/utf8.hpp) against hostile input: truncated sequences,
// overlong forms, surrogates, NUL, 4-byte characters and mixed CJK text.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "hcp/base/utf8.hpp"

using namespace std::string_literals;
namespace utf8 = hcp::utf8;

namespace {

const std::string kEmoji = "\xF0\x9F\x98\x80";  // 😀 U+1F600
const std::string kExtB = "\xF0\xA0\x80\x80";   // 𠀀 U+20000
const std::string kFffd = "\xEF\xBF\xBD";       // U+FFFD

// Malformed byte strings, each with why it is malformed.
const std::vector<std::pair<std::string, const char*>> kMalformed = {
    {"\xE5\xBC", "张 cut after two bytes"},
    {"\xE5", "a lone lead byte"},
    {"\x80", "a lone continuation byte"},
    {"\xF0\x9F\x98", "an emoji cut after three bytes"},
    {"\xC0\xAF", "overlong '/'"},
    {"\xC1\xBF", "overlong 2-byte form"},
    {"\xE0\x80\xAF", "overlong 3-byte '/'"},
    {"\xF0\x80\x80\xAF", "overlong 4-byte '/'"},
    {"\xC0\x80", "overlong NUL (modified UTF-8)"},
    {"\xED\xA0\x80", "a high surrogate"},
    {"\xED\xBF\xBF", "a low surrogate"},
    {"\xED\xA0\xBD\xED\xB8\x80", "an emoji as a CESU-8 surrogate pair"},
    {"\xF4\x90\x80\x80", "above U+10FFFF"},
    {"\xF5\x80\x80\x80", "a lead byte that never occurs"},
    {"\xFF\xFE", "bytes that never occur"},
    {"\xE4\xB8"
     "a",
     "a 3-byte sequence broken by ASCII"},
};

}  // namespace

TEST_CASE("UTF-8: well-formed text is valid, including NUL, 4-byte characters and mixed CJK") {
    CHECK(utf8::is_valid(""));
    CHECK(utf8::is_valid("plain ASCII"));
    CHECK(utf8::is_valid("办事不满意，差评！" + kEmoji + "Ｗindow 3号" + kExtB));
    CHECK(utf8::is_valid("a\0b"s));
    CHECK(utf8::is_valid("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
    CHECK(
        utf8::is_valid("\xEF\xBB\xBF"
                       "BOM"));
}

TEST_CASE("UTF-8: every malformed sequence is invalid, alone and inside text") {
    for (const auto& [bytes, why] : kMalformed) {
        INFO(why);
        CHECK_FALSE(utf8::is_valid(bytes));
        CHECK_FALSE(utf8::is_valid("张三" + bytes + "丰"));
        CHECK_FALSE(utf8::is_clean(bytes, "\t\r\n"));
        CHECK_FALSE(utf8::decode(bytes));
    }
}

TEST_CASE("UTF-8: clean text refuses control characters except the ones allowed") {
    CHECK(utf8::is_clean("窗口 3 · 张三 " + kEmoji));
    CHECK_FALSE(utf8::is_clean("a\0b"s));
    CHECK_FALSE(utf8::is_clean("a\tb"));
    CHECK_FALSE(utf8::is_clean("line\nbreak"));
    CHECK_FALSE(utf8::is_clean("\x1B[2J"));
    CHECK_FALSE(utf8::is_clean("del\x7F"));
    CHECK(utf8::is_clean("a\tb", "\t"));
    CHECK_FALSE(utf8::is_clean("a\nb", "\t"));
    CHECK(utf8::is_clean("第一行\r\n第二行\t完", "\t\r\n"));
    CHECK_FALSE(utf8::is_clean("a\0b"s, "\t\r\n"));
    CHECK(utf8::is_clean("del\x7F", "\x7F"));
    // C1 controls are text for is_clean (U+0085 NEXT LINE).
    CHECK(utf8::is_clean("\xC2\x85"));
}

TEST_CASE("UTF-8: char_at decodes one character and gives invalid bytes one byte each") {
    const std::string s = "a张" + kEmoji + "\xE5\xBC\xFF";  // 张 cut short, then 0xFF
    auto c = utf8::char_at(s, 0);
    CHECK((c.code_point == U'a' && c.size == 1 && c.valid));
    c = utf8::char_at(s, 1);
    CHECK((c.code_point == U'张' && c.size == 3 && c.valid));
    c = utf8::char_at(s, 4);
    CHECK((c.code_point == U'\U0001F600' && c.size == 4 && c.valid));
    for (size_t at : {size_t{8}, size_t{9}, size_t{10}}) {
        INFO(at);
        c = utf8::char_at(s, at);
        CHECK((c.code_point == utf8::kReplacement && c.size == 1 && !c.valid));
    }
    // A sequence is judged on its own bytes, whatever follows it.
    c = utf8::char_at("张\xE5", 0);
    CHECK((c.code_point == U'张' && c.size == 3 && c.valid));
    for (const auto& [bytes, why] : kMalformed) {
        INFO(why);
        CHECK_FALSE(utf8::char_at(bytes, 0).valid);
        CHECK(utf8::char_at(bytes, 0).size == 1);
    }
    // A real U+FFFD in the text is a valid character.
    CHECK(utf8::char_at(kFffd, 0).valid);
}

TEST_CASE("UTF-8: next walks characters and gives each invalid byte U+FFFD") {
    const std::string s = "a\xC0\xAF张" + kEmoji;
    std::u32string seen;
    std::vector<size_t> at;
    for (size_t i = 0; i < s.size();) {
        at.push_back(i);
        seen.push_back(utf8::next(s, i));
    }
    CHECK(seen == U"a\uFFFD\uFFFD张\U0001F600");
    CHECK(at == std::vector<size_t>{0, 1, 2, 3, 6});
}

TEST_CASE("UTF-8: length counts characters, an invalid byte as one") {
    CHECK(utf8::length("") == 0);
    CHECK(utf8::length("Li Lei") == 6);
    CHECK(utf8::length("欧阳娜娜") == 4);
    CHECK(utf8::length(kEmoji + "张" + kExtB) == 3);
    CHECK(utf8::length("a\0b"s) == 3);
    CHECK(utf8::length("张\xE4\xB8"
                       "三") == 4);  // 张, two invalid bytes, 三
    CHECK(utf8::length("\xC0\xAF") == 2);
    CHECK(utf8::length("\xED\xA0\x80") == 3);
}

TEST_CASE("UTF-8: first_chars and first_bytes never cut a character in half") {
    const std::string s = "窗口" + kEmoji + "ab";
    CHECK(utf8::first_chars(s, 0).empty());
    CHECK(utf8::first_chars(s, 2) == "窗口");
    CHECK(utf8::first_chars(s, 3) == "窗口" + kEmoji);
    CHECK(utf8::first_chars(s, 100) == s);
    CHECK(utf8::first_chars("\x80\x80z", 2) == "\x80\x80");

    CHECK(utf8::first_bytes(s, 100) == s);
    CHECK(utf8::first_bytes(s, s.size()) == s);
    CHECK(utf8::first_bytes(s, 0).empty());
    CHECK(utf8::first_bytes(s, 2).empty());
    CHECK(utf8::first_bytes(s, 3) == "窗");
    CHECK(utf8::first_bytes(s, 6) == "窗口");
    CHECK(utf8::first_bytes(s, 9) == "窗口");  // the emoji needs bytes 7–10
    CHECK(utf8::first_bytes(s, 10) == "窗口" + kEmoji);
    for (size_t max = 0; max <= s.size(); ++max) {
        INFO(max);
        const auto cut = utf8::first_bytes(s, max);
        CHECK(cut.size() <= max);
        CHECK(utf8::is_valid(cut));
    }
}

TEST_CASE("UTF-8: decode gives the code points of well-formed text") {
    CHECK(utf8::decode("") == std::u32string());
    CHECK(utf8::decode("a张" + kEmoji + "\n") == U"a张\U0001F600\n");
    CHECK(utf8::decode("a\0b"s) == U"a\0b"s);
    CHECK_FALSE(utf8::decode("张\xE5\xBC"));
}

TEST_CASE("UTF-8: append encodes 1- to 4-byte characters and replaces what is no scalar value") {
    std::string out;
    for (char32_t cp : {U'A', U'\u00E9', U'张', U'\U0001F600', U'\U0010FFFF'}) utf8::append(out, cp);
    CHECK(out == "A\xC3\xA9张" + kEmoji + "\xF4\x8F\xBF\xBF");
    CHECK(utf8::decode(out) == U"A\u00E9张\U0001F600\U0010FFFF");

    out.clear();
    utf8::append(out, 0xD800);
    utf8::append(out, 0xDFFF);
    utf8::append(out, 0x110000);
    utf8::append(out, 0xFFFFFFFF);
    CHECK(out == kFffd + kFffd + kFffd + kFffd);
    out.clear();
    utf8::append(out, 0);
    CHECK(out == "\0"s);
}

TEST_CASE("UTF-8: pop_back removes one whole character, or one invalid byte") {
    std::string s = "a张" + kEmoji;
    utf8::pop_back(s);
    CHECK(s == "a张");
    utf8::pop_back(s);
    CHECK(s == "a");
    utf8::pop_back(s);
    CHECK(s.empty());
    utf8::pop_back(s);
    CHECK(s.empty());

    s = "张\xE5\xBC";  // ends in a truncated sequence: one byte at a time
    utf8::pop_back(s);
    CHECK(s == "张\xE5");
    utf8::pop_back(s);
    CHECK(s == "张");
    s = "a\x80\x80";  // stray continuation bytes never take the character before them
    utf8::pop_back(s);
    utf8::pop_back(s);
    CHECK(s == "a");
    s = "z\xED\xA0\x80";  // a surrogate is three invalid bytes
    utf8::pop_back(s);
    CHECK(s == "z\xED\xA0");
}

TEST_CASE("UTF-8: a walk with char_at covers every byte of hostile input exactly once") {
    std::string hostile = "张" + kEmoji;
    for (const auto& [bytes, why] : kMalformed) hostile += bytes + "三";
    size_t i = 0, chars = 0;
    while (i < hostile.size()) {
        const auto c = utf8::char_at(hostile, i);
        REQUIRE(c.size >= 1);
        REQUIRE(c.size <= 4);
        i += c.size;
        ++chars;
    }
    CHECK(i == hostile.size());
    CHECK(chars == utf8::length(hostile));
}

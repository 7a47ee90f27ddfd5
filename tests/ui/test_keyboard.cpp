// The on-screen keyboard and its pinyin engine, without a window: what a finger on the keys
// (or a script's taps) does to the 差评 text.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "hcp/domain/rules.hpp"
#include "keyboard/onscreen_keyboard.hpp"
#include "keyboard/pinyin_engine.hpp"

namespace {

using hcp::ui::OnscreenKeyboard;
using hcp::ui::PinyinEngine;

std::unique_ptr<PinyinEngine> engine() {
    auto e = PinyinEngine::open(HCP_PINYIN_DICT_FILE);
    if (!e.ok()) FAIL("the pinyin engine did not open: " << e.error().detail);
    return std::move(e).value();
}

bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

void spell(OnscreenKeyboard& kb, const std::string& letters) {
    for (char c : letters) kb.letter(c);
}

// Taps the candidate `word` on the current page, paging forward when needed (as a citizen does).
bool tap_word(OnscreenKeyboard& kb, const std::string& word) {
    for (int page = 0; page < 20; ++page) {
        const auto p = kb.page();
        const auto it = std::find(p.begin(), p.end(), word);
        if (it != p.end()) {
            kb.choose(static_cast<size_t>(it - p.begin()));
            return true;
        }
        if (!kb.has_next_page()) return false;
        kb.next_page();
    }
    return false;
}

}  // namespace

TEST_CASE("Pinyin manyi offers 满意 and taiman offers 太慢 among the first candidates", "[keyboard]") {
    auto e = engine();
    for (char c : std::string("manyi")) CHECK(e->add_letter(c));
    CHECK(e->letters() == "manyi");
    CHECK(e->preedit() == "man'yi");
    CHECK(has(e->candidates(0, 5), "满意"));
    e->clear();
    for (char c : std::string("taiman")) e->add_letter(c);
    CHECK(has(e->candidates(0, 5), "太慢"));
    CHECK_FALSE(e->add_letter('1'));
    CHECK_FALSE(e->add_letter(' '));
}

TEST_CASE("Only one pinyin engine can hold the decoder at a time", "[keyboard]") {
    auto first = engine();
    auto second = PinyinEngine::open(HCP_PINYIN_DICT_FILE);
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().cause == hcp::ui::PinyinOpenCause::already_open);
    first.reset();
    auto third = PinyinEngine::open(HCP_PINYIN_DICT_FILE);
    CHECK(third.ok());
}

TEST_CASE("A missing dictionary is reported and the keyboard still types letters and digits", "[keyboard]") {
    auto missing = PinyinEngine::open("/nonexistent/dict_pinyin.dat");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().cause == hcp::ui::PinyinOpenCause::dict_missing);
    OnscreenKeyboard kb(nullptr);
    std::string text;
    kb.attach(text, hcp::kMaxRatingTextBytes);
    CHECK(kb.mode() == OnscreenKeyboard::Mode::english);
    spell(kb, "ok");
    kb.insert("1");
    kb.insert("。");
    CHECK(text == "ok1。");
    CHECK(kb.page().empty());
}

TEST_CASE("Letters compose, a tapped word is written, and punctuation and digits follow", "[keyboard]") {
    auto e = engine();
    OnscreenKeyboard kb(e.get());
    std::string text;
    kb.attach(text, hcp::kMaxRatingTextBytes);
    spell(kb, "paidui");
    CHECK(kb.composing());
    CHECK(text.empty());  // nothing is written until a word is chosen
    REQUIRE(tap_word(kb, "排队"));
    CHECK_FALSE(kb.composing());
    spell(kb, "tai");
    REQUIRE(tap_word(kb, "太"));
    spell(kb, "jiu");
    REQUIRE(tap_word(kb, "久"));
    kb.insert("，");
    kb.insert("2");
    kb.insert("0");
    spell(kb, "fenzhong");
    REQUIRE(tap_word(kb, "分钟"));
    kb.insert("。");
    CHECK(text == "排队太久，20分钟。");
}

TEST_CASE("Choosing part of a long pinyin keeps the rest composing", "[keyboard]") {
    auto e = engine();
    OnscreenKeyboard kb(e.get());
    std::string text;
    kb.attach(text, hcp::kMaxRatingTextBytes);
    spell(kb, "fuwutaidu");
    REQUIRE(tap_word(kb, "服务"));
    CHECK(kb.composing());  // "taidu" is still to choose
    CHECK(kb.preedit().rfind("服务", 0) == 0);
    CHECK(text.empty());
    REQUIRE(tap_word(kb, "态"));  // one character at a time is fine too
    CHECK(kb.composing());
    REQUIRE(tap_word(kb, "度"));
    CHECK_FALSE(kb.composing());
    CHECK(text == "服务态度");
}

TEST_CASE("Backspace removes a letter while composing, then whole characters", "[keyboard]") {
    auto e = engine();
    OnscreenKeyboard kb(e.get());
    std::string text = "态度";
    kb.attach(text, hcp::kMaxRatingTextBytes);
    spell(kb, "ha");
    kb.backspace();
    CHECK(kb.preedit() == "h");
    kb.backspace();
    CHECK_FALSE(kb.composing());
    kb.backspace();
    CHECK(text == "态");  // one whole character, never half of its bytes
    kb.backspace();
    kb.backspace();
    CHECK(text.empty());
}

TEST_CASE("Space and done convert the composition with the best word", "[keyboard]") {
    auto e = engine();
    OnscreenKeyboard kb(e.get());
    std::string text;
    kb.attach(text, hcp::kMaxRatingTextBytes);
    spell(kb, "manyi");
    kb.space();
    CHECK(text == "满意");
    spell(kb, "henhao");
    CHECK(kb.done() == OnscreenKeyboard::Action::done);
    CHECK(text == "满意很好");
    kb.space();
    CHECK(text == "满意很好 ");
    kb.clear();
    CHECK(text.empty());
}

TEST_CASE("English mode writes letters as typed and the switch ends a composition", "[keyboard]") {
    auto e = engine();
    OnscreenKeyboard kb(e.get());
    std::string text;
    kb.attach(text, hcp::kMaxRatingTextBytes);
    spell(kb, "hao");
    kb.toggle_mode();  // the pending pinyin becomes its best word first
    CHECK(kb.mode() == OnscreenKeyboard::Mode::english);
    CHECK(text == "好");
    spell(kb, "OK");
    CHECK(text == "好OK");
    kb.toggle_mode();
    CHECK(kb.mode() == OnscreenKeyboard::Mode::pinyin);
}

TEST_CASE("Text never grows past the rules' limit and the keyboard says when it is reached", "[keyboard]") {
    auto e = engine();
    OnscreenKeyboard kb(e.get());
    std::string text(hcp::kMaxRatingTextBytes - 4, 'x');
    kb.attach(text, hcp::kMaxRatingTextBytes);
    CHECK_FALSE(kb.limit_reached());
    kb.insert("满");  // 3 bytes: fits, 1 byte left
    CHECK(text.size() == hcp::kMaxRatingTextBytes - 1);
    CHECK(kb.limit_reached());  // no room for another Chinese character
    kb.insert("意");
    CHECK(text.size() == hcp::kMaxRatingTextBytes - 1);  // refused whole, never cut inside
    spell(kb, "hao");
    CHECK_FALSE(kb.composing());  // no composing when nothing more could be written
    kb.insert("1");
    CHECK(text.size() == hcp::kMaxRatingTextBytes);
    kb.insert("2");
    CHECK(text.size() == hcp::kMaxRatingTextBytes);
    kb.backspace();
    kb.backspace();
    kb.backspace();
    CHECK_FALSE(kb.limit_reached());
}

TEST_CASE("Typed text is filtered: no control characters and no broken UTF-8 reach the rating", "[keyboard]") {
    auto e = engine();
    OnscreenKeyboard kb(e.get());
    std::string text;
    kb.attach(text, hcp::kMaxRatingTextBytes);
    kb.toggle_mode();  // English: typed letters are written directly
    kb.typed(std::string("a\x01\x1b[2J\x7f") + "\xff\xfe" + "b\xe6\xbb" + "叫号屏");
    CHECK(text == "a[2Jb叫号屏");
    kb.toggle_mode();
    kb.typed("manyi");  // a hardware keyboard in pinyin mode composes like the keys
    CHECK(kb.composing());
    CHECK(kb.preedit() == "man'yi");
}

TEST_CASE("Overlong forms, surrogates and values above U+10FFFF typed in never reach the rating", "[keyboard]") {
    auto e = engine();
    OnscreenKeyboard kb(e.get());
    std::string text;
    kb.attach(text, hcp::kMaxRatingTextBytes);
    kb.toggle_mode();
    // Overlong '_' and NUL, a CESU-8 emoji (two surrogates), a code point above U+10FFFF.
    kb.typed(std::string("x\xC1\x9F\xC0\x80") + "\xED\xA0\xBD\xED\xB8\x80" + "\xF4\x90\x80\x80" + "y\xF0\x9F\x98\x80");
    CHECK(text == "xy\xF0\x9F\x98\x80");
    kb.backspace();  // the emoji goes whole
    CHECK(text == "xy");
}

TEST_CASE("Candidate pages move forward and back", "[keyboard]") {
    auto e = engine();
    OnscreenKeyboard kb(e.get());
    std::string text;
    kb.attach(text, hcp::kMaxRatingTextBytes);
    kb.set_page_size(5);
    spell(kb, "shi");
    const auto first = kb.page();
    REQUIRE(first.size() == 5);
    CHECK_FALSE(kb.has_previous_page());
    REQUIRE(kb.has_next_page());
    kb.next_page();
    const auto second = kb.page();
    CHECK(second != first);
    CHECK(kb.has_previous_page());
    kb.previous_page();
    CHECK(kb.page() == first);
}

TEST_CASE("The next citizen does not inherit what the last one chose", "[keyboard]") {
    auto e = engine();
    OnscreenKeyboard kb(e.get());
    std::string text;
    kb.attach(text, hcp::kMaxRatingTextBytes);
    spell(kb, "shi");
    const auto before = kb.page();
    // Choose a rare reading of "shi" several times: the engine learns it…
    const std::string rare = before.back();
    for (int i = 0; i < 3; ++i) {
        spell(kb, "shi");
        REQUIRE(tap_word(kb, rare));
    }
    spell(kb, "shi");
    const auto learned = kb.page();
    CHECK(learned != before);  // the engine did learn (otherwise this test would prove nothing)
    kb.detach();               // the journey ends: learning is thrown away
    std::string next;
    kb.attach(next, hcp::kMaxRatingTextBytes);
    spell(kb, "shi");
    CHECK(kb.page() == before);
    INFO("after learning the first page was: " << learned.front());
}

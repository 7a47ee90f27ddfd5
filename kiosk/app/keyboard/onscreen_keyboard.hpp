#pragma once
// The on-screen keyboard for the 差评 "其他" text: a kiosk has no hardware keyboard and many
// citizens are elderly, so the keys are big (they grow with 大字模式) and Chinese is entered by
// pinyin: letters build a composition, the engine offers words, a tap on a word writes it.
// Digits, common Chinese punctuation, space, 删除 (backspace), 清空 (clear) and 完成 (done).
//
// Contracts:
// - The text being edited belongs to the caller (attach()); the keyboard never lets it grow
//   past `max_bytes` (the rating rules' limit): an insertion that does not fit is cut at a
//   character boundary, nothing half-written, and limit_reached() says so until the text
//   shrinks. Control characters never enter the text.
// - Keys, candidates and page buttons are drawn through Ui::button, so scripts tap them by
//   their labels ("tap m", "tap 满意", "tap 完成"), exactly as a finger would.
// - Without a pinyin engine (dictionary missing at run time) the keyboard still types letters,
//   digits and punctuation; it never pretends to offer Chinese.
// - Main thread only. The logic (everything but draw()) needs no window: unit tests drive it.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hcp::ui {

class PinyinEngine;
class Ui;

class OnscreenKeyboard {
public:
    enum class Mode { pinyin, english };
    enum class Action { none, done };

    // `engine` may be null (English, digits and punctuation only).
    explicit OnscreenKeyboard(PinyinEngine* engine);

    // Starts editing `text` (kept by the caller until detach()).
    void attach(std::string& text, size_t max_bytes);
    // Stops editing: a pending composition is dropped and, when Chinese was chosen, the
    // engine forgets what it learned (the next citizen starts afresh).
    void detach();
    bool attached() const noexcept { return m_text != nullptr; }

    // Keys. Each returns nothing; the state is read back below.
    void letter(char c);                 // a–z: composition (pinyin) or text (english)
    void insert(std::string_view utf8);  // digits, punctuation, typed text; ends a composition
    void space();                        // converts with the best word while composing
    void backspace();                    // last letter of the composition, else last character
    void clear();                        // composition and text
    void toggle_mode();
    // Chooses the candidate at `index` of the current page.
    void choose(size_t index);
    void next_page();
    void previous_page();
    // 完成: converts a pending composition with the best word, then reports done.
    Action done();
    // Text from a hardware keyboard or a script's `type`: letters go through the composition
    // in pinyin mode, everything else is inserted.
    void typed(std::string_view utf8);

    Mode mode() const noexcept { return m_mode; }
    bool has_pinyin() const noexcept { return m_engine != nullptr; }
    bool composing() const;
    std::string preedit() const;
    std::vector<std::string> page() const;  // candidates of the current page
    bool has_previous_page() const noexcept { return m_first > 0; }
    bool has_next_page() const;
    size_t page_size() const noexcept { return m_page_size; }
    void set_page_size(size_t n);
    bool limit_reached() const;
    size_t remaining_bytes() const;
    const std::string& text() const;

    // Draws the keyboard panel (text box, composition and candidates, keys) into the rest of
    // the current window and handles taps and hardware keys.
    Action draw(Ui& ui);

private:
    void commit(const std::string& utf8);
    void commit_best();

    PinyinEngine* m_engine;
    std::string* m_text = nullptr;
    size_t m_max = 0;
    Mode m_mode = Mode::pinyin;
    size_t m_first = 0;                 // first candidate of the page
    std::vector<size_t> m_page_starts;  // where the earlier pages began (pages vary in size)
    size_t m_page_size = 8;             // set by draw() from the width available
    bool m_limit_hit = false;
    bool m_learned = false;  // a candidate was chosen since attach()
};

}  // namespace hcp::ui

#include "keyboard/onscreen_keyboard.hpp"

#include <imgui.h>

#include <algorithm>
#include <array>
#include <string>

#include "hcp/base/utf8.hpp"
#include "keyboard/pinyin_engine.hpp"
#include "shell/ui_kit.hpp"

namespace hcp::ui {

namespace {

// Characters a 差评 text may hold: the rules refuse control characters (tab and newline are
// allowed there, but a one-line kiosk field has no use for them).
bool allowed(char32_t c) {
    return c >= 0x20 && c != 0x7F && !(c >= 0x80 && c < 0xA0);
}

// The punctuation a citizen needs for a short complaint.
constexpr std::array<const char*, 6> kPunctuation{"，", "。", "？", "！", "、", "："};

}  // namespace

OnscreenKeyboard::OnscreenKeyboard(PinyinEngine* engine) : m_engine(engine) {
    if (m_engine == nullptr) m_mode = Mode::english;
}

void OnscreenKeyboard::attach(std::string& text, size_t max_bytes) {
    m_text = &text;
    m_max = max_bytes;
    m_first = 0;
    m_page_starts.clear();
    m_limit_hit = false;
    if (m_engine != nullptr) m_engine->clear();
}

void OnscreenKeyboard::detach() {
    if (m_engine != nullptr) {
        if (m_learned)
            m_engine->forget();  // the next citizen must not see this one's words first
        else
            m_engine->clear();
    }
    m_learned = false;
    m_text = nullptr;
    m_first = 0;
    m_page_starts.clear();
}

const std::string& OnscreenKeyboard::text() const {
    static const std::string kNone;
    return m_text != nullptr ? *m_text : kNone;
}

bool OnscreenKeyboard::composing() const {
    return m_engine != nullptr && m_engine->composing();
}

std::string OnscreenKeyboard::preedit() const {
    return composing() ? m_engine->preedit() : std::string();
}

size_t OnscreenKeyboard::remaining_bytes() const {
    if (m_text == nullptr || m_text->size() >= m_max) return 0;
    return m_max - m_text->size();
}

bool OnscreenKeyboard::limit_reached() const {
    // Less room than one Chinese character counts as full: the citizen cannot add a word.
    return m_text != nullptr && (m_limit_hit || remaining_bytes() < 3);
}

void OnscreenKeyboard::commit(const std::string& utf8) {
    if (m_text == nullptr) return;
    size_t i = 0;
    while (i < utf8.size()) {
        const size_t at = i;
        const char32_t c = utf8::next(utf8, i);
        const size_t len = i - at;
        // An invalid byte decodes to U+FFFD: typed text is valid UTF-8 from SDL or a script, but a
        // broken byte must never reach the store.
        if (!allowed(c) || c == utf8::kReplacement) continue;
        if (m_text->size() + len > m_max) {
            m_limit_hit = true;  // cut at a character boundary; the rest is not written
            return;
        }
        m_text->append(utf8, at, len);
    }
}

void OnscreenKeyboard::commit_best() {
    if (!composing()) return;
    // Choosing the first candidate repeatedly converts the whole composition.
    for (int guard = 0; guard < 64 && m_engine->composing(); ++guard) {
        if (m_engine->candidate_count() == 0) {
            commit(m_engine->letters());  // nothing converts: keep what was typed
            m_engine->clear();
            break;
        }
        std::string done = m_engine->choose(0);
        if (!done.empty()) {
            commit(done);
            m_learned = true;
        }
    }
    m_first = 0;
    m_page_starts.clear();
}

void OnscreenKeyboard::letter(char c) {
    if (m_text == nullptr) return;
    const bool upper = c >= 'A' && c <= 'Z';
    if (!upper && (c < 'a' || c > 'z')) return;
    if (m_mode == Mode::pinyin && m_engine != nullptr) {
        if (upper) c = static_cast<char>(c - 'A' + 'a');  // pinyin is spelled in lower case
        if (limit_reached()) {
            m_limit_hit = true;
            return;
        }
        m_engine->add_letter(c);
        m_first = 0;
        m_page_starts.clear();
        return;
    }
    commit(std::string(1, c));
}

void OnscreenKeyboard::insert(std::string_view utf8) {
    if (m_text == nullptr) return;
    commit_best();
    commit(std::string(utf8));
}

void OnscreenKeyboard::space() {
    if (composing()) {
        commit_best();
        return;
    }
    commit(" ");
}

void OnscreenKeyboard::backspace() {
    if (m_text == nullptr) return;
    if (composing()) {
        m_engine->remove_letter();
        m_first = 0;
        m_page_starts.clear();
        return;
    }
    utf8::pop_back(*m_text);
    m_limit_hit = false;
}

void OnscreenKeyboard::clear() {
    if (m_engine != nullptr) m_engine->clear();
    if (m_text != nullptr) m_text->clear();
    m_first = 0;
    m_page_starts.clear();
    m_limit_hit = false;
}

void OnscreenKeyboard::toggle_mode() {
    if (m_engine == nullptr) return;
    commit_best();
    m_mode = m_mode == Mode::pinyin ? Mode::english : Mode::pinyin;
}

std::vector<std::string> OnscreenKeyboard::page() const {
    if (!composing()) return {};
    return m_engine->candidates(m_first, m_page_size);
}

bool OnscreenKeyboard::has_next_page() const {
    return composing() && m_first + m_page_size < m_engine->candidate_count();
}

void OnscreenKeyboard::set_page_size(size_t n) {
    m_page_size = std::max<size_t>(1, n);
}

void OnscreenKeyboard::choose(size_t index) {
    if (!composing() || m_text == nullptr) return;
    const std::string done = m_engine->choose(m_first + index);
    m_first = 0;
    m_page_starts.clear();
    if (!done.empty()) {
        commit(done);
        m_learned = true;
    }
}

void OnscreenKeyboard::next_page() {
    if (!has_next_page()) return;
    m_page_starts.push_back(m_first);
    m_first += m_page_size;
}

void OnscreenKeyboard::previous_page() {
    if (m_page_starts.empty()) {
        m_first = 0;
        return;
    }
    m_first = m_page_starts.back();
    m_page_starts.pop_back();
}

OnscreenKeyboard::Action OnscreenKeyboard::done() {
    commit_best();
    return Action::done;
}

void OnscreenKeyboard::typed(std::string_view utf8) {
    size_t i = 0;
    while (i < utf8.size()) {
        const size_t at = i;
        const char32_t c = utf8::next(utf8, i);
        const size_t len = i - at;
        if (c < 0x80 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
            letter(static_cast<char>(c));
        } else {
            insert(utf8.substr(at, len));
        }
    }
}

OnscreenKeyboard::Action OnscreenKeyboard::draw(Ui& ui) {
    Action action = Action::none;
    ImGuiIO& io = ImGui::GetIO();
    // A hardware keyboard (staff, tests): its characters and Backspace/Enter act like the keys.
    if (!io.InputQueueCharacters.empty()) {
        std::string s;
        for (ImWchar c : io.InputQueueCharacters) utf8::append(s, c);
        io.InputQueueCharacters.resize(0);
        typed(s);
    }
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Backspace))) backspace();
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter)) ||
        ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter))) {
        action = done();
    }

    const float em = ui.em();
    const float gap = 0.35F * em;
    // No title line: at 大字模式 every line is needed for the keys; the box says what to do.

    // The text so far, on a card, last lines visible; a bar marks where the next word goes.
    const float width = ImGui::GetContentRegionAvail().x;
    const float line_h = ImGui::GetTextLineHeightWithSpacing();
    const float box_h = 2.0F * line_h + 0.9F * em;
    ImGui::PushStyleColor(ImGuiCol_ChildBg, colors::card);
    ImGui::PushStyleColor(ImGuiCol_Border, colors::accent);
    ImGui::PushStyleVar(ImGuiStyleVar_ChildRounding, 0.3F * em);
    ImGui::PushStyleVar(ImGuiStyleVar_ChildBorderSize, 0.08F * em);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0.5F * em, 0.35F * em));
    ImGui::BeginChild("##kbtext", ImVec2(width, box_h), true,
                      ImGuiWindowFlags_AlwaysUseWindowPadding | ImGuiWindowFlags_NoScrollbar);
    if (text().empty()) {
        ui.text(ui.tr("kb.placeholder"), false, colors::muted);
    } else {
        ui.text_wrapped(text());
        ImGui::SetScrollHereY(1.0F);  // the newest words stay in sight
    }
    ImGui::EndChild();
    ImGui::PopStyleVar(3);
    ImGui::PopStyleColor(2);

    // How much room is left, or that there is none.
    if (limit_reached()) {
        ui.text(ui.tr("kb.limit_reached"), false, colors::warn);
    } else {
        const std::string left =
            ui.tr("kb.remaining_prefix") + std::to_string(remaining_bytes() / 3) + ui.tr("kb.remaining_suffix");
        ui.text(m_mode == Mode::pinyin ? ui.tr("kb.hint_pinyin") : ui.tr("kb.hint_english"), false, colors::muted);
        ImGui::SameLine(width - ui.width_of(left));
        ui.text(left, false, colors::muted);
    }

    // The candidate row: words for the composition, with page buttons at the right.
    const float row_h = 2.3F * em;
    const ImVec2 page_btn(4.2F * em, row_h);
    const float row_y = ImGui::GetCursorPosY();
    if (composing()) {
        // The letters typed so far (split into syllables), underlined, then the words.
        const std::string pre = preedit();
        ImGui::SetCursorPosY(row_y + (row_h - ImGui::GetTextLineHeight()) / 2.0F);
        ui.text(pre, false, colors::accent);
        const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        ImGui::GetWindowDrawList()->AddLine(ImVec2(a.x, b.y), b, colors::accent, 0.08F * em);
        ImGui::SameLine(0.0F, 0.8F * em);
        ImGui::SetCursorPosY(row_y);
        const float cand_right = width - 2.0F * page_btn.x - 2.0F * gap;
        std::vector<std::string> words = m_engine->candidates(m_first, 12);
        float x = ImGui::GetCursorPosX();
        size_t fit = 0;
        for (const auto& w : words) {
            const float bw = std::max(ui.title_width_of(w) + 1.2F * em, 2.6F * em);
            if (x + bw > cand_right && fit > 0) break;
            x += bw + gap;
            ++fit;
        }
        set_page_size(std::max<size_t>(fit, 1));
        for (size_t i = 0; i < fit; ++i) {
            if (i > 0) {
                ImGui::SameLine(0.0F, gap);
                ImGui::SetCursorPosY(row_y);
            }
            const float bw = std::max(ui.title_width_of(words[i]) + 1.2F * em, 2.6F * em);
            if (ui.button(words[i], ImVec2(bw, row_h), Tone::plain, true, true)) {
                choose(i);
                break;
            }
        }
        ImGui::SameLine(width - 2.0F * page_btn.x - gap);
        ImGui::SetCursorPosY(row_y);
        if (ui.button(ui.tr("kb.prev_page"), page_btn, Tone::quiet, has_previous_page(), false)) previous_page();
        ImGui::SameLine(0.0F, gap);
        if (ui.button(ui.tr("kb.next_page"), page_btn, Tone::quiet, has_next_page(), false)) next_page();
    } else {
        ImGui::Dummy(ImVec2(width, row_h));
    }
    ImGui::SetCursorPosY(row_y + row_h + gap);

    // The keys: five rows on a 12-unit grid, as large as the space left allows. Labels use the
    // 1.6 em font when it fits the key (it does at both text sizes on a 1080-line screen).
    const float left_h = ImGui::GetContentRegionAvail().y - 0.3F * em;
    const float key_h = std::clamp(left_h / 5.0F - gap, 1.4F * em, 3.2F * em);
    const bool big_labels = key_h >= 1.6F * em + 0.4F * em;
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(0.2F * em, 0.15F * em));
    const float unit = std::min(width / 12.0F, 5.0F * em);
    auto row_start = [&](float units) {
        ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (width - units * unit + gap) / 2.0F);
    };
    auto key = [&](const std::string& label, float units, Tone tone = Tone::plain, bool enabled = true) {
        return ui.button(label, ImVec2(units * unit - gap, key_h), tone, enabled, big_labels);
    };
    const std::string digits = "1234567890";
    const std::array<std::string, 3> letters{"qwertyuiop", "asdfghjkl", "zxcvbnm"};

    // Row 1: digits and 删除.
    row_start(12.0F);
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0) ImGui::SameLine(0.0F, gap);
        if (key(std::string(1, digits[i]), 1.0F)) insert(std::string(1, digits[i]));
    }
    ImGui::SameLine(0.0F, gap);
    if (key(ui.tr("kb.backspace"), 2.0F, Tone::quiet)) backspace();
    // Rows 2–4: letters, then punctuation to the right.
    for (size_t r = 0; r < letters.size(); ++r) {
        ImGui::SetCursorPosY(ImGui::GetCursorPosY() + gap - ImGui::GetStyle().ItemSpacing.y);
        row_start(12.0F);
        const float indent = r == 0 ? 0.0F : (r == 1 ? 0.5F : 1.0F);
        if (indent > 0.0F) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + indent * unit);
        for (size_t i = 0; i < letters[r].size(); ++i) {
            if (i > 0) ImGui::SameLine(0.0F, gap);
            if (key(std::string(1, letters[r][i]), 1.0F)) letter(letters[r][i]);
        }
        if (r == 0) {
            ImGui::SameLine(0.0F, gap);
            if (key(ui.tr("kb.clear"), 2.0F, Tone::quiet)) clear();
        } else {
            const size_t from = r == 1 ? 0 : 2;
            const size_t count = r == 1 ? 2 : 4;
            for (size_t p = from; p < from + count && p < kPunctuation.size(); ++p) {
                ImGui::SameLine(0.0F, gap);
                if (key(kPunctuation[p], 1.0F)) insert(kPunctuation[p]);
            }
        }
    }
    // Row 5: language, space, done.
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + gap - ImGui::GetStyle().ItemSpacing.y);
    row_start(12.0F);
    if (m_engine != nullptr) {
        if (key(ui.tr(m_mode == Mode::pinyin ? "kb.to_english" : "kb.to_pinyin"), 3.0F, Tone::quiet)) toggle_mode();
    } else {
        ImGui::Dummy(ImVec2(3.0F * unit - gap, key_h));
    }
    ImGui::SameLine(0.0F, gap);
    if (key(ui.tr("kb.space"), 6.0F)) space();
    ImGui::SameLine(0.0F, gap);
    if (key(ui.tr("kb.done"), 3.0F, Tone::primary)) action = done();
    ImGui::PopStyleVar();
    return action;
}

}  // namespace hcp::ui

#include "keyboard/pinyin_engine.hpp"

#include <pinyinime.h>  // Debian libgooglepinyin0-dev (ime_pinyin::im_*)

#include <atomic>
#include <cstdlib>
#include <system_error>

#include "hcp/base/utf8.hpp"

namespace hcp::ui {

namespace {

// The engine's decoder is process-global state inside the library; this flag only mirrors
// that fact so a second PinyinEngine is refused instead of corrupting the first one's input.
std::atomic<bool> g_decoder_taken{false};

// Longest candidate the engine produces (ime_pinyin::kMaxLemmaSize is 8 for words; whole-
// sentence candidates can be as long as the composition).
constexpr size_t kMaxCandidateUnits = PinyinEngine::kMaxLetters + 8;

// The engine speaks UTF-16 in the BMP (its dictionary has no surrogate pairs).
std::string utf8_of(const ime_pinyin::char16* s, size_t max_units) {
    std::string out;
    for (size_t i = 0; i < max_units && s[i] != 0; ++i) {
        if (s[i] >= 0xD800 && s[i] <= 0xDFFF) continue;
        utf8::append(out, s[i]);
    }
    return out;
}

std::string candidate(size_t index, size_t max_units = kMaxCandidateUnits) {
    ime_pinyin::char16 buf[kMaxCandidateUnits + 1] = {};
    if (ime_pinyin::im_get_candidate(index, buf, kMaxCandidateUnits) == nullptr) return {};
    buf[kMaxCandidateUnits] = 0;
    return utf8_of(buf, max_units);
}

}  // namespace

hcp::Result<std::unique_ptr<PinyinEngine>, PinyinOpenFailure> PinyinEngine::open(const std::filesystem::path& dict) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(dict, ec)) {
        return PinyinOpenFailure{PinyinOpenCause::dict_missing,
                                 "pinyin dictionary " + dict.string() + " is missing (package libgooglepinyin0)"};
    }
    if (g_decoder_taken.exchange(true)) {
        return PinyinOpenFailure{PinyinOpenCause::already_open, "another PinyinEngine holds the decoder"};
    }
    // mkdtemp: a folder only this user can read, so one citizen's words never leave the run.
    std::string tmpl = (std::filesystem::temp_directory_path(ec) / "hcp-pinyin-XXXXXX").string();
    if (ec || ::mkdtemp(tmpl.data()) == nullptr) {
        g_decoder_taken = false;
        return PinyinOpenFailure{PinyinOpenCause::temp_dir_failed, "cannot create a folder for the user dictionary"};
    }
    std::unique_ptr<PinyinEngine> engine(new PinyinEngine(dict, tmpl));
    if (!engine->reopen()) {
        // The destructor releases the decoder flag and removes the folder.
        return PinyinOpenFailure{PinyinOpenCause::decoder_failed, "the engine refused " + dict.string()};
    }
    return engine;
}

PinyinEngine::PinyinEngine(std::filesystem::path dict, std::filesystem::path dir)
    : m_dict(std::move(dict)), m_dir(std::move(dir)) {}

PinyinEngine::~PinyinEngine() {
    ime_pinyin::im_close_decoder();
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
    g_decoder_taken = false;
}

bool PinyinEngine::reopen() {
    ime_pinyin::im_close_decoder();
    const auto user = m_dir / "user.dict";
    std::error_code ec;
    std::filesystem::remove(user, ec);
    // The engine needs a user dictionary path (it refuses to open without one); it learns into
    // it, and that file is thrown away with every forget().
    const bool ok = ime_pinyin::im_open_decoder(m_dict.c_str(), user.c_str());
    m_letters.clear();
    m_count = 0;
    return ok;
}

void PinyinEngine::search() {
    if (m_letters.empty()) {
        ime_pinyin::im_reset_search();
        m_count = 0;
        return;
    }
    m_count = ime_pinyin::im_search(m_letters.data(), m_letters.size());
}

bool PinyinEngine::add_letter(char c) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c < 'a' || c > 'z' || m_letters.size() >= kMaxLetters) return false;
    m_letters += c;
    search();
    return true;
}

void PinyinEngine::remove_letter() {
    if (m_letters.empty()) return;
    m_letters.pop_back();
    search();  // a fresh search: choices made for the longer composition no longer apply
}

void PinyinEngine::clear() {
    m_letters.clear();
    search();
}

std::string PinyinEngine::preedit() const {
    if (m_letters.empty()) return {};
    const size_t fixed = ime_pinyin::im_get_fixed_len();
    std::string out = fixed > 0 ? candidate(0, fixed) : std::string();
    size_t sps_len = 0;
    const char* sps = ime_pinyin::im_get_sps_str(&sps_len);
    const ime_pinyin::uint16* start = nullptr;
    const size_t spellings = ime_pinyin::im_get_spl_start_pos(start);
    if (sps == nullptr || start == nullptr) return out + m_letters;
    std::string rest;
    for (size_t i = fixed; i < spellings; ++i) {
        const size_t a = start[i], b = start[i + 1];
        if (a >= b || b > sps_len) break;
        if (!rest.empty()) rest += '\'';
        rest.append(sps + a, b - a);
    }
    // Letters the engine could not split into syllables yet (a trailing "zh", …).
    const size_t parsed = spellings > 0 ? start[spellings] : 0;
    if (parsed < m_letters.size()) {
        if (!rest.empty()) rest += '\'';
        rest += m_letters.substr(parsed);
    }
    return out + rest;
}

std::vector<std::string> PinyinEngine::candidates(size_t first, size_t count) const {
    std::vector<std::string> out;
    for (size_t i = first; i < m_count && out.size() < count; ++i) {
        std::string c = candidate(i);
        if (!c.empty()) out.push_back(std::move(c));
    }
    return out;
}

std::string PinyinEngine::choose(size_t index) {
    if (index >= m_count) return {};
    m_count = ime_pinyin::im_choose(index);
    const ime_pinyin::uint16* start = nullptr;
    const size_t spellings = ime_pinyin::im_get_spl_start_pos(start);
    if (ime_pinyin::im_get_fixed_len() < spellings) return {};
    // Everything is converted: candidate 0 is now the whole text.
    std::string text = candidate(0);
    m_letters.clear();
    search();
    return text;
}

void PinyinEngine::forget() {
    reopen();
}

}  // namespace hcp::ui

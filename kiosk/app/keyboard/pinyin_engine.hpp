#pragma once
// Chinese input for the on-screen keyboard: pinyin letters → candidate words, through Debian's
// Google Pinyin engine (libgooglepinyin0, its system dictionary dict_pinyin.dat).
//
// Contracts:
// - The engine library keeps ONE decoder per process (global state behind im_* functions), so
//   at most one PinyinEngine may be open at a time; open() refuses a second (cause
//   already_open) instead of silently sharing the decoder.
// - A kiosk is shared by strangers: what one citizen typed must not steer the next one's
//   candidates. The engine's learning (its user dictionary) lives in a private temporary file
//   that forget() throws away (the decoder is reopened); the file is removed on destruction.
// - Main thread only (the decoder is not thread-safe). No SDL, no ImGui: unit-testable.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hcp/base/error.hpp"

namespace hcp::ui {

enum class PinyinOpenCause {
    dict_missing,     // the system dictionary file is not there (package not installed)
    temp_dir_failed,  // no private folder for the user dictionary
    decoder_failed,   // the engine refused the dictionary (corrupt or wrong version)
    already_open,     // another PinyinEngine holds the process's only decoder
};

struct PinyinOpenFailure {
    PinyinOpenCause cause = PinyinOpenCause::decoder_failed;
    std::string detail;  // for logs
};

class PinyinEngine {
public:
    // Longest pinyin the composition accepts (letters); more letters are ignored.
    static constexpr size_t kMaxLetters = 32;

    static hcp::Result<std::unique_ptr<PinyinEngine>, PinyinOpenFailure> open(const std::filesystem::path& dict);
    ~PinyinEngine();
    PinyinEngine(const PinyinEngine&) = delete;
    PinyinEngine& operator=(const PinyinEngine&) = delete;

    // The letters typed so far (a–z only; anything else is ignored). Returns false when the
    // letter was not taken (not a–z, or the composition is full).
    bool add_letter(char c);
    // Drops the last letter (and any candidate chosen so far for the composition).
    void remove_letter();
    void clear();
    const std::string& letters() const noexcept { return m_letters; }
    bool composing() const noexcept { return !m_letters.empty(); }

    // What the composition shows: the Chinese fixed by choices so far, then the letters still
    // to convert, split into syllables by the engine ("man'yi" style, with spaces).
    std::string preedit() const;

    // Candidates for the unconverted part, best first. Index 0 covers the whole remaining
    // pinyin when the engine can; `count` limits the list (the engine can offer thousands).
    size_t candidate_count() const noexcept { return m_count; }
    std::vector<std::string> candidates(size_t first, size_t count) const;

    // Chooses candidate `index`. When it converts the whole composition the text is returned
    // (UTF-8) and the composition is cleared; otherwise the result is empty and the candidates
    // now cover what is left.
    std::string choose(size_t index);

    // Throws away everything learned from choices (a new citizen starts from the plain
    // dictionary) and clears the composition.
    void forget();

private:
    PinyinEngine(std::filesystem::path dict, std::filesystem::path dir);
    bool reopen();
    void search();

    std::filesystem::path m_dict;
    std::filesystem::path m_dir;  // private folder of the user dictionary
    std::string m_letters;
    size_t m_count = 0;
};

}  // namespace hcp::ui

#pragma once
// UTF-8 text: validation, characters, decoding and encoding (implemented on utfcpp).
//
// Terms used by every contract below:
// - Well-formed: RFC 3629 UTF-8. No overlong form (C0 AF for '/'), no surrogate (U+D800–U+DFFF),
//   nothing above U+10FFFF, no truncated sequence, no stray continuation byte. NUL and the
//   other control characters are well-formed; is_clean() is the check that refuses them.
// - Character: one Unicode code point. Functions that walk text which may be malformed treat
//   every byte that starts no well-formed sequence as a character of its own, an "invalid
//   byte": a walk always moves at least one byte and never splits a well-formed sequence.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace hcp::utf8 {

// U+FFFD REPLACEMENT CHARACTER, what an invalid byte decodes to.
inline constexpr char32_t kReplacement = U'\uFFFD';

// True when all of `s` is well-formed.
bool is_valid(std::string_view s) noexcept;

// Well-formed and free of control characters: no C0 control (U+0000–U+001F) and no DEL (U+007F)
// unless it is one of the ASCII characters listed in `allowed` (e.g. "\t" or "\t\r\n"). C1
// controls (U+0080–U+009F) count as text here; callers that refuse them check the code points.
bool is_clean(std::string_view s, std::string_view allowed = {}) noexcept;

// The character starting at byte `at` of `s`. Precondition: at < s.size().
struct Char {
    char32_t code_point;  // kReplacement for an invalid byte
    std::size_t size;     // bytes: 1–4, always 1 for an invalid byte
    bool valid;           // false for an invalid byte
};
Char char_at(std::string_view s, std::size_t at) noexcept;

// The code point of the character at byte `at` of `s` (kReplacement for an invalid byte); moves
// `at` past that character. Precondition: at < s.size().
char32_t next(std::string_view s, std::size_t& at) noexcept;

// Number of characters of `s` (an invalid byte counts as one).
std::size_t length(std::string_view s) noexcept;

// The first `max_chars` characters of `s` (all of it when shorter).
std::string_view first_chars(std::string_view s, std::size_t max_chars) noexcept;

// The longest prefix of `s` of at most `max_bytes` bytes that ends on a character boundary.
std::string_view first_bytes(std::string_view s, std::size_t max_bytes) noexcept;

// The code points of well-formed `s`; nullopt when `s` is not well-formed.
std::optional<std::u32string> decode(std::string_view s);

// Appends the UTF-8 form of `cp` to `out`. A value that is no Unicode scalar value (a surrogate,
// or above U+10FFFF) appends kReplacement instead, so `out` stays well-formed.
void append(std::string& out, char32_t cp);

// Removes the last character of `s`: its whole sequence when `s` ends in a well-formed one, else
// the one invalid byte at its end. Nothing when `s` is empty.
void pop_back(std::string& s) noexcept;

}  // namespace hcp::utf8

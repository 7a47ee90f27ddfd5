#include "hcp/base/utf8.hpp"

#include <utf8.h>  // utfcpp (libutfcpp-dev)

#include <algorithm>

namespace hcp::utf8 {

namespace {

// The longest UTF-8 sequence.
constexpr std::size_t kMaxSequence = 4;

bool is_scalar_value(char32_t cp) noexcept {
    return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
}

}  // namespace

bool is_valid(std::string_view s) noexcept {
    return ::utf8::is_valid(s);
}

bool is_clean(std::string_view s, std::string_view allowed) noexcept {
    if (!::utf8::is_valid(s)) return false;
    // In well-formed text a byte below 0x80 is always an ASCII character of its own, never part
    // of a longer sequence, so the control characters can be checked byte by byte.
    return std::none_of(s.begin(), s.end(), [allowed](char c) {
        return (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) && allowed.find(c) == std::string_view::npos;
    });
}

Char char_at(std::string_view s, std::size_t at) noexcept {
    const std::string_view window = s.substr(at, kMaxSequence);
    // find_invalid reports where the first malformed sequence starts: anywhere but 0 means the
    // sequence at `at` is well-formed (what follows it in the window does not matter).
    if (::utf8::find_invalid(window) == 0) return Char{kReplacement, 1, false};
    const char* it = window.data();
    const auto cp = static_cast<char32_t>(::utf8::unchecked::next(it));
    return Char{cp, static_cast<std::size_t>(it - window.data()), true};
}

char32_t next(std::string_view s, std::size_t& at) noexcept {
    const Char c = char_at(s, at);
    at += c.size;
    return c.code_point;
}

std::size_t length(std::string_view s) noexcept {
    if (::utf8::is_valid(s)) return static_cast<std::size_t>(::utf8::unchecked::distance(s.begin(), s.end()));
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); i += char_at(s, i).size) ++n;
    return n;
}

std::string_view first_chars(std::string_view s, std::size_t max_chars) noexcept {
    std::size_t i = 0;
    for (std::size_t n = 0; n < max_chars && i < s.size(); ++n) i += char_at(s, i).size;
    return s.substr(0, i);
}

std::string_view first_bytes(std::string_view s, std::size_t max_bytes) noexcept {
    if (s.size() <= max_bytes) return s;
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t next = i + char_at(s, i).size;
        if (next > max_bytes) break;
        i = next;
    }
    return s.substr(0, i);
}

std::optional<std::u32string> decode(std::string_view s) {
    if (!::utf8::is_valid(s)) return std::nullopt;
    return ::utf8::utf8to32(s);
}

void append(std::string& out, char32_t cp) {
    ::utf8::append(is_scalar_value(cp) ? cp : kReplacement, out);
}

void pop_back(std::string& s) noexcept {
    // The last character is the one sequence that starts within the last four bytes and ends
    // exactly at the end; with none, the last byte is an invalid one on its own.
    for (std::size_t n = std::min(kMaxSequence, s.size()); n > 1; --n) {
        const Char c = char_at(s, s.size() - n);
        if (c.valid && c.size == n) {
            s.resize(s.size() - n);
            return;
        }
    }
    if (!s.empty()) s.pop_back();
}

}  // namespace hcp::utf8

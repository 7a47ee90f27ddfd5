#pragma once
// Enum <-> canonical name tables: one table per enum, read in both directions. The names are
// what is stored, sent on the wire and written in configuration, so a table is the one place
// that maps each value to its text.
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace hcp {

template <class E, std::size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

// The name of `value`, or "unknown" for a value the table lacks.
template <class E, std::size_t N>
constexpr std::string_view name_of(const NameTable<E, N>& table, E value) noexcept {
    for (const auto& [v, name] : table)
        if (v == value) return name;
    return "unknown";
}

// The value named exactly `text`; nullopt for any other text.
template <class E, std::size_t N>
constexpr std::optional<E> parse_from(const NameTable<E, N>& table, std::string_view text) noexcept {
    for (const auto& [v, name] : table)
        if (name == text) return v;
    return std::nullopt;
}

}  // namespace hcp

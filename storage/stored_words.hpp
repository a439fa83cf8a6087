// Enums stored as words: each has one table of (value, word), read and written only by these two
// functions, so the words live in storage alone.
#pragma once

#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace storage::detail {

template <class E, std::size_t N>
using word_table = std::array<std::pair<E, std::string_view>, N>;

/// The word `value` is stored as (each value has one in its table).
template <class E, std::size_t N>
constexpr std::string_view word_of(const word_table<E, N>& table, E value) {
    for (const auto& [v, w] : table)
        if (v == value) return w;
    return table.front().second;
}

/// The value a stored word names. @throws std::invalid_argument, naming `what`, for a word no
/// version wrote.
template <class E, std::size_t N>
E value_of(const word_table<E, N>& table, std::string_view word, const char* what) {
    for (const auto& [v, w] : table)
        if (w == word) return v;
    throw std::invalid_argument(std::string("unknown ") + what + " \"" + std::string(word) + "\"");
}

}  // namespace storage::detail

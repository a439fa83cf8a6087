// One-time link codes officials send as `DK <code>` to link their Zalo account.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace bot {

/// How long a link code stays valid (SPEC: 72 hours).
inline constexpr std::chrono::hours link_code_lifetime{72};

/// A fresh random code: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), with
/// at least two digits and two letters, so it never reads like a word a citizen types after "dk".
[[nodiscard]] std::string make_link_code();
/// True when `text` has the shape of a link code (case-insensitive): "dk khaisinh" is not one.
[[nodiscard]] bool looks_like_link_code(std::string_view text);
/// The stored form of a code: SHA-256 hex of its normalised (upper-case, trimmed) text.
[[nodiscard]] std::string hash_link_code(std::string_view code);
/// A code's selector: its first link_code_selector_length normalised characters. Wrong guesses
/// with a code's selector count against that code, which locks after a few; outstanding codes
/// never share one.
[[nodiscard]] std::string link_code_selector(std::string_view code);
inline constexpr std::size_t link_code_selector_length = 4;

}  // namespace bot

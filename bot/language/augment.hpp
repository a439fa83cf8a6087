// Generated variants of training texts: the ways the same question arrives in practice.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bot::nlp {

/// Variants of one training text, as citizens type it: without diacritics, half without, with a
/// typo, a word dropped, a polite or story-like clause around it. Deterministic for a given
/// text and seed. The text itself is not included.
[[nodiscard]] std::vector<std::string> variants_of(const std::string& text, unsigned count, std::uint64_t seed = 0);

}  // namespace bot::nlp

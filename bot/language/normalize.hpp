// Vietnamese text normalisation for matching: NFC, tone marks, folding, shorthand, syllables.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace bot::nlp {

/// One way to read a chat abbreviation: the syllables it stands for, and the neighbouring
/// (folded) syllables that select this reading. An empty context marks the default reading.
struct shorthand_reading {
    std::vector<std::string> expansion;          ///< normalised syllables ("mật", "khẩu")
    std::unordered_set<std::string> context;     ///< folded neighbours that select it
};

/// Chat shorthand (`ko`, `dc`, `mk`...) loaded from templates/shorthand.tsv.
struct shorthand_table {
    std::unordered_map<std::string, std::vector<shorthand_reading>> entries;  ///< key: lowercase token
    /// How many syllables on each side are looked at to pick a reading.
    std::size_t context_window = 3;
};

/// Loads a shorthand file: `abbr<TAB>expansion[<TAB>context words]`, `#` comments.
/// @throws std::runtime_error "file:line: reason" for a malformed line or a missing file.
[[nodiscard]] shorthand_table load_shorthand(const std::string& path);
/// Same from text (tests); `name` is used in error messages.
[[nodiscard]] shorthand_table parse_shorthand(std::string_view text, const std::string& name);

/// A message after normalisation.
struct normalized_text {
    std::vector<std::string> syllables;  ///< NFC, lowercase, unified tone marks, squeezed, shorthand expanded
    std::vector<std::string> folded;     ///< the same without diacritics (đ → d)
    /// The syllables joined by single spaces.
    [[nodiscard]] std::string text() const;
    /// The folded syllables joined by single spaces.
    [[nodiscard]] std::string folded_text() const;
};

/// Repairs invalid UTF-8 (bad bytes dropped) and returns NFC. Never throws on bad input.
[[nodiscard]] std::string to_nfc(std::string_view text);
/// Lowercase NFC (Unicode-aware).
[[nodiscard]] std::string to_lower(std::string_view text);
/// Puts tone marks of `oa`, `oe`, `uy` syllables without a final consonant on the first vowel
/// (`hoà` → `hòa`, `thuỷ` → `thủy`, `uỷ` → `ủy`, `khoẻ` → `khỏe`); returns NFC.
[[nodiscard]] std::string unify_tone_marks(std::string_view text);
/// Removes every diacritic, `đ` → `d`; returns NFC (case kept).
[[nodiscard]] std::string fold_diacritics(std::string_view text);
/// Squeezes runs of one letter within a syllable (`đượcccc` → `được`; `oo` is kept: `xoong`).
[[nodiscard]] std::string squeeze_letters(std::string_view syllable);

/// The whole pipeline: repair, NFC, lowercase, tone marks, drop emoji / punctuation / sticker
/// text, squeeze repeats, split into syllables, expand shorthand (by context).
[[nodiscard]] normalized_text normalize(std::string_view text, const shorthand_table& shorthand);

}  // namespace bot::nlp

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
    std::vector<std::string> folded;             ///< the same without diacritics ("mat", "khau")
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
/// Loads several files of that format (chat shorthand, then spoken and regional forms) into one
/// table; a word with two default readings across the files is an error naming the second line.
/// @throws std::runtime_error "file:line: reason".
[[nodiscard]] shorthand_table load_shorthand(const std::vector<std::string>& paths);
/// Same from text (tests); `name` is used in error messages.
[[nodiscard]] shorthand_table parse_shorthand(std::string_view text, const std::string& name);
/// Adds the lines of one more file's text to `table` (same checks, across files).
/// @throws std::runtime_error "name:line: reason".
void parse_shorthand_into(shorthand_table& table, std::string_view text, const std::string& name);

/// A message after normalisation.
struct normalized_text {
    std::vector<std::string> syllables;  ///< NFC, lowercase, unified tone marks, squeezed, shorthand expanded
    std::vector<std::string> folded;     ///< the same without diacritics (đ → d)
    /// Index of the first syllable of each clause (after . ! ? ; : , … or a line break), in
    /// order; empty when there are no syllables. Voice typing puts full stops anywhere, so
    /// readers merge short clauses (see clauses.hpp).
    std::vector<std::size_t> clause_starts;
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
/// True when a lowercase word without diacritics (`đ` already `d`) is a possible Vietnamese
/// syllable: initial consonant, vowel group, final consonant (`nguoi`, `khong`, `gi`; not `gif`).
[[nodiscard]] bool is_vietnamese_syllable(std::string_view folded);
/// The spellings a lowercase syllable (accented or not) has in regional speech written down: one
/// initial consonant (l/n, s/x, ch/tr, d/gi/r/v) or one final (n/ng, c/t) said the other way.
[[nodiscard]] std::vector<std::string> regional_spellings(const std::string& syllable);
/// Reads a word typed on a phone whose keyboard did not compose the Telex keys (`ddaang` →
/// `đâng`, `kys` → `ký`, `nhuwngx` → `những`, `towf` → `tờ`): NFC, or empty when the word is
/// not Telex residue (it is already a syllable, or decoding does not give one).
[[nodiscard]] std::string decode_telex(std::string_view word);

/// Politeness particles and pronouns that carry no topic ("dạ", "ạ", "ơi", "em", "anh"...).
/// Accented forms are compared as typed; without accents only forms that are not also content
/// words count.
[[nodiscard]] bool is_particle(const std::string& syllable, const std::string& folded);

/// The whole pipeline: repair, NFC, lowercase, tone marks, drop emoji / punctuation / sticker
/// text, read Telex residue, squeeze repeats, split into syllables and clauses, expand shorthand
/// and spoken forms (by context).
[[nodiscard]] normalized_text normalize(std::string_view text, const shorthand_table& shorthand);

}  // namespace bot::nlp

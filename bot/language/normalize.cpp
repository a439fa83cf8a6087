// Vietnamese text normalisation: utf8proc for NFC/NFD and case, Vietnamese rules on top.
#include "bot/language/normalize.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace bot::nlp {

namespace {

using cps = std::u32string;

// Combining tone marks (grave, acute, tilde, hook above, dot below) and the vowel modifiers
// (circumflex, breve, horn) as they appear after canonical decomposition.
bool is_tone_mark(char32_t c) { return c == 0x300 || c == 0x301 || c == 0x303 || c == 0x309 || c == 0x323; }
bool is_modifier(char32_t c) { return c == 0x302 || c == 0x306 || c == 0x31B; }
bool is_vowel_base(char32_t c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; }

// Decodes UTF-8, dropping invalid bytes (never throws: citizens' phones send anything).
cps decode_repair(std::string_view s) {
    cps out;
    out.reserve(s.size());
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
    utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(s.size());
    while (left > 0) {
        utf8proc_int32_t cp = 0;
        utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
        if (n <= 0) {  // invalid byte: skip it, resynchronise on the next one
            ++p;
            --left;
            continue;
        }
        if (cp != 0) out.push_back(static_cast<char32_t>(cp));
        p += n;
        left -= n;
    }
    return out;
}

std::string encode(const cps& s) {
    std::string out;
    out.reserve(s.size() * 2);
    utf8proc_uint8_t buf[4];
    for (char32_t c : s) {
        auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(c), buf);
        out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
    }
    return out;
}

// Runs utf8proc_map over valid UTF-8 (the caller repaired it).
std::string map_valid(const std::string& valid, int options) {
    utf8proc_uint8_t* dst = nullptr;
    auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(valid.data()),
                          static_cast<utf8proc_ssize_t>(valid.size()), &dst,
                          static_cast<utf8proc_option_t>(options));
    if (n < 0 || !dst) {
        std::free(dst);
        return valid;
    }
    std::string out(reinterpret_cast<const char*>(dst), static_cast<std::size_t>(n));
    std::free(dst);
    return out;
}

cps nfd_lower(std::string_view s) {
    // ASCII (an unaccented message) decomposes to itself and case-folds to its lowercase: the
    // same code points without two passes through utf8proc.
    bool ascii = true;
    for (char c : s) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    if (ascii) {
        cps out;
        out.reserve(s.size());
        for (char c : s)
            if (c != 0) out.push_back(static_cast<char32_t>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
        return out;
    }
    return decode_repair(map_valid(encode(decode_repair(s)),
                                 UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD));
}

std::string nfc_of(const cps& s) {
    bool ascii = true;
    for (char32_t c : s) ascii = ascii && c < 0x80;
    if (ascii) return encode(s);  // nothing to compose: skip utf8proc
    return map_valid(encode(s), UTF8PROC_STABLE | UTF8PROC_COMPOSE);
}

bool is_letter(char32_t c) {
    auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
    return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT ||
           cat == UTF8PROC_CATEGORY_LM || cat == UTF8PROC_CATEGORY_LO;
}
bool is_mark(char32_t c) {
    auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
    return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC || cat == UTF8PROC_CATEGORY_ME;
}
bool is_digit(char32_t c) { return utf8proc_category(static_cast<utf8proc_int32_t>(c)) == UTF8PROC_CATEGORY_ND; }

// A letter with its combining marks (NFD).
struct unit {
    char32_t base;
    cps marks;
};

std::vector<unit> units_of(const cps& s) {
    std::vector<unit> u;
    for (char32_t c : s) {
        if (is_mark(c) && !u.empty())
            u.back().marks.push_back(c);
        else
            u.push_back({c, {}});
    }
    return u;
}

cps join_units(const std::vector<unit>& u) {
    cps out;
    for (const auto& x : u) {
        out.push_back(x.base);
        out += x.marks;
    }
    return out;
}

bool has_modifier(const unit& x) {
    for (char32_t m : x.marks)
        if (is_modifier(m)) return true;
    return false;
}

// Places the tone mark of one lowercase NFD syllable by the traditional rule, so both
// placements people type (hoà / hòa, thuỷ / thủy) come out the same.
cps place_tone(const cps& syllable) {
    auto u = units_of(syllable);
    std::size_t tone_at = u.size();
    char32_t tone = 0;
    for (std::size_t i = 0; i < u.size(); ++i) {
        for (char32_t m : u[i].marks) {
            if (!is_tone_mark(m)) continue;
            if (tone) return syllable;  // two tones: not a Vietnamese syllable, leave it
            tone = m;
            tone_at = i;
        }
    }
    if (!tone) return syllable;
    for (const auto& x : u)
        if (x.base > 0x24F && x.base != 0x111) return syllable;  // not Latin: leave it
    // Find the vowel nucleus, treating the u of "qu" and the i of "gi" (before a vowel) as consonants.
    std::size_t v0 = 0;
    while (v0 < u.size() && !is_vowel_base(u[v0].base)) ++v0;
    if (v0 >= u.size()) return syllable;
    if (v0 > 0 && u[v0 - 1].base == 'q' && u[v0].base == 'u' && v0 + 1 < u.size() && is_vowel_base(u[v0 + 1].base))
        ++v0;
    else if (v0 > 0 && u[v0 - 1].base == 'g' && u[v0].base == 'i' && v0 + 1 < u.size() &&
             is_vowel_base(u[v0 + 1].base))
        ++v0;
    std::size_t v1 = v0;
    while (v1 < u.size() && is_vowel_base(u[v1].base)) ++v1;
    for (std::size_t i = v1; i < u.size(); ++i)
        if (is_vowel_base(u[i].base)) return syllable;  // vowels after consonants: not one syllable
    std::size_t len = v1 - v0;
    bool has_final = v1 < u.size();
    std::size_t target = u.size();
    for (std::size_t i = v0; i < v1; ++i)
        if (has_modifier(u[i])) target = i;  // ươ → ơ, ưu → ư, iê → ê
    if (target == u.size()) {
        if (len == 1)
            target = v0;
        else if (len == 2)
            target = has_final ? v0 + 1 : v0;  // toán, hoàng / hòa, thủy, khỏe, mía
        else if (len == 3)
            target = v0 + 1;  // ngoài, xoáy, khuỷu
        else
            return syllable;
    }
    if (target == tone_at) return syllable;
    auto& from = u[tone_at].marks;
    for (auto it = from.begin(); it != from.end(); ++it)
        if (*it == tone) {
            from.erase(it);
            break;
        }
    u[target].marks.push_back(tone);
    return join_units(u);
}

// "ký"/"kí", "lý"/"lí", "mỹ"/"mĩ", "quý"/"quí": a lone final y after a consonant is written
// either way; both become i.
cps unify_i_y(const cps& syllable) {
    auto u = units_of(syllable);
    if (u.size() < 2 || u.back().base != 'y') return syllable;
    std::size_t vowels = 0;
    for (std::size_t i = 0; i + 1 < u.size(); ++i)
        if (is_vowel_base(u[i].base) && !(i == 1 && u[0].base == 'q' && u[1].base == 'u')) ++vowels;
    if (vowels != 0) return syllable;  // ay, ây, uy: y is part of a diphthong
    for (const auto& x : u)
        if (x.base > 0x24F && x.base != 0x111) return syllable;
    u.back().base = 'i';
    return join_units(u);
}

cps fold_cps(const cps& nfd) {
    cps out;
    out.reserve(nfd.size());
    for (char32_t c : nfd) {
        if (is_mark(c)) continue;
        if (c == 0x111) c = 'd';
        else if (c == 0x110) c = 'D';
        out.push_back(c);
    }
    return out;
}

// Squeezes repeated letters (by base letter, so "ạaaa" → "ạ"); digits are never squeezed and
// exactly two o's or u's are kept (xoong, boong; "buu dien", "luu tru", "cuu ho" typed without
// accents are bưu, lưu, cứu, not "bu", "lu", "cu").
// Two letters are the same for squeezing when base and vowel modifier match: "ạaaa" is one
// "ạ", but "ưu" (bưu, hưu, ưu tiên) is two letters.
cps modifiers_of(const unit& x) {
    cps m;
    for (char32_t c : x.marks)
        if (is_modifier(c)) m.push_back(c);
    return m;
}

cps squeeze_cps(const cps& nfd) {
    auto u = units_of(nfd);
    std::vector<unit> out;
    for (std::size_t i = 0; i < u.size();) {
        std::size_t j = i + 1;
        const cps mods = modifiers_of(u[i]);
        while (j < u.size() && u[j].base == u[i].base && modifiers_of(u[j]) == mods) ++j;
        std::size_t run = j - i;
        if (run == 1 || is_digit(u[i].base) || !is_letter(u[i].base)) {
            for (std::size_t k = i; k < j; ++k) out.push_back(u[k]);
        } else if (run == 2 && (u[i].base == 'o' || u[i].base == 'u')) {
            out.push_back(u[i]);
            out.push_back(u[i + 1]);
        } else {
            unit merged = u[i];
            for (std::size_t k = i + 1; k < j; ++k)
                for (char32_t m : u[k].marks)
                    if (merged.marks.find(m) == cps::npos) merged.marks.push_back(m);
            out.push_back(merged);
        }
        i = j;
    }
    return join_units(out);
}

bool all_of_char(const cps& s, char32_t c) {
    for (char32_t x : s)
        if (x != c) return false;
    return true;
}

// Laughter carries no question: "kkkk", "hahaha", "hihi".
bool is_noise_token(const cps& t) {
    if (t.size() >= 3 && all_of_char(t, 'k')) return true;
    if (t.size() >= 4 && t.size() % 2 == 0 && t[0] == 'h') {
        bool laugh = true;
        for (std::size_t i = 0; i < t.size(); i += 2)
            if (t[i] != 'h' || t[i + 1] != t[1] || (t[1] != 'a' && t[1] != 'i' && t[1] != 'e' && t[1] != 'o')) laugh = false;
        if (laugh) return true;
    }
    return false;
}

std::vector<std::string> split_ws(std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (!cur.empty()) out.push_back(std::move(cur));
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

// A clause ends at sentence punctuation, a comma or a line break ("nhà em ở thôn 2, vợ em mới
// sinh, giờ muốn làm khai sinh").
bool is_clause_break(char32_t c) {
    return c == '.' || c == '!' || c == '?' || c == ';' || c == ':' || c == ',' || c == '\n' || c == '\r' ||
           c == 0x2026 /* … */ || c == 0x3002 || c == 0xFF1F || c == 0xFF01;
}

struct raw_token {
    cps text;
    bool new_clause = false;  // a clause break came before it
};

// Splits normalised text (NFD, lowercase) into raw tokens, dropping emoticons, bracketed
// sticker/emoji text and every non-letter, non-digit character; remembers clause breaks.
std::vector<raw_token> raw_tokens(const cps& s) {
    std::vector<raw_token> out;
    cps cur;
    bool pending_break = false;
    auto flush = [&] {
        if (!cur.empty() && !is_noise_token(cur)) {
            out.push_back({cur, pending_break});
            pending_break = false;
        }
        cur.clear();
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
        char32_t c = s[i];
        if (c == '[') {  // "[sticker]", "[emoji]", "[Hình ảnh]": client text, not the citizen's
            auto close = s.find(']', i);
            if (close != cps::npos && close - i <= 24) {
                flush();
                i = close;
                continue;
            }
        }
        if (c == '<' && i + 1 < s.size() && s[i + 1] == '3') {  // <3
            flush();
            ++i;
            continue;
        }
        if ((c == ':' || c == ';' || c == '=') && i + 1 < s.size()) {  // :D :P :v =)) ;)
            std::size_t j = i + 1;
            if (j < s.size() && (s[j] == '-' || s[j] == '\'')) ++j;
            std::size_t k = j;
            while (k < s.size() && (s[k] == 'd' || s[k] == 'p' || s[k] == 'v' || s[k] == 'o' || s[k] == 'x' ||
                                    s[k] == ')' || s[k] == '(' || s[k] == '3' || s[k] == '*' || s[k] == '|'))
                ++k;
            if (k > j && (k >= s.size() || !is_letter(s[k]))) {
                flush();
                i = k - 1;
                continue;
            }
        }
        bool keep = is_letter(c) || is_digit(c) || (is_mark(c) && !cur.empty());
        if (keep) {
            cur.push_back(c);
        } else {
            flush();
            // "1.000", "H06.23": a full stop between digits is not a sentence end.
            bool in_number = c == '.' && i > 0 && i + 1 < s.size() && is_digit(s[i - 1]) && is_digit(s[i + 1]);
            if (is_clause_break(c) && !in_number && !out.empty()) pending_break = true;
        }
    }
    flush();
    return out;
}

// ---- Telex residue ----
// Phones whose keyboard fails to compose send the keys as typed: "ddaang kys khai sinh caanf
// nhuwngx giaays towf gif". A word is read as Telex only when it is not a syllable as typed and
// decoding gives one, so ordinary unaccented words ("can", "toi") are never touched.

bool is_ascii_lower(const std::string& s) {
    for (char c : s)
        if (c < 'a' || c > 'z') return false;
    return !s.empty();
}

bool is_vowel_ascii(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; }

bool only_letters_and_d_stroke(const cps& nfd) {
    for (char32_t c : nfd)
        if (is_mark(c)) return false;
    return true;
}

// Folded vowel groups of Vietnamese syllables. "oo" is left out on purpose: outside a few words
// (xoong, boong) it is Telex for "ô" ("khoong" = "không").
bool is_vowel_group(std::string_view v) {
    static const std::unordered_set<std::string_view> groups = {
        "a",   "e",   "i",   "o",   "u",   "y",   "ai",  "ao",  "au",  "ay",  "eo",  "eu",  "ia",
        "ie",  "iu",  "oa",  "oe",  "oi",  "ua",  "ue",  "ui",  "uo",  "uu",  "uy",  "ye",  "ieu",
        "oai", "oay", "oeo", "uay", "uoi", "uou", "uya", "uye", "uyu", "yeu", "uai", "uao", "oao"};
    return groups.count(v) > 0;
}

bool is_final(std::string_view f) {
    return f.empty() || f == "c" || f == "ch" || f == "m" || f == "n" || f == "ng" || f == "nh" || f == "p" || f == "t";
}

bool valid_syllable(std::string_view s) {
    static const std::string_view initials[] = {"ngh", "ch", "gh", "gi", "kh", "ng", "nh", "ph", "qu", "th", "tr", "b",
                                                "c",   "d",  "g",  "h",  "k",  "l",  "m",  "n",  "p",  "r",  "s",  "t",
                                                "v",   "x",  ""};
    static const std::unordered_set<std::string_view> double_o = {"xoong", "boong", "goong", "mooc", "sooc"};
    if (s.empty() || s.size() > 8) return false;
    if (double_o.count(s)) return true;
    for (auto ini : initials) {
        if (s.substr(0, ini.size()) != ini) continue;
        auto rest = s.substr(ini.size());
        // The vowel group is the longest run of vowels; what follows must be a final consonant.
        std::size_t v = 0;
        while (v < rest.size() && is_vowel_ascii(rest[v])) ++v;
        if (v == 0) {
            if (ini == "gi" && rest.empty()) return true;  // "gi" is g + i
            continue;
        }
        if (is_vowel_group(rest.substr(0, v)) && is_final(rest.substr(v))) return true;
    }
    return false;
}

constexpr char32_t circumflex = 0x302, breve = 0x306, horn = 0x31B;

// Decodes Telex keys in a lowercase ASCII word; empty when it is not Telex residue.
cps telex_to_nfd(const std::string& w) {
    if (w.size() < 2 || w.size() > 10 || !is_ascii_lower(w) || valid_syllable(w)) return {};
    // The tone key (s f r x j) comes after the first vowel; at most one.
    std::size_t first_vowel = w.size();
    for (std::size_t i = 0; i < w.size(); ++i)
        if (is_vowel_ascii(w[i]) || (w[i] == 'w' && i > 0)) {
            first_vowel = i;
            break;
        }
    if (first_vowel == w.size()) return {};
    char32_t tone = 0;
    std::string keys;
    for (std::size_t i = 0; i < w.size(); ++i) {
        char c = w[i];
        bool tone_key = i > first_vowel && (c == 's' || c == 'f' || c == 'r' || c == 'x' || c == 'j');
        if (!tone_key) {
            keys.push_back(c);
            continue;
        }
        if (tone) return {};
        tone = c == 's' ? 0x301 : c == 'f' ? 0x300 : c == 'r' ? 0x309 : c == 'x' ? 0x303 : 0x323;
    }
    std::vector<unit> u;
    bool changed = tone != 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        char c = keys[i];
        if (c == 'd' && i == 0 && keys.size() > 1 && keys[1] == 'd') {
            u.push_back({0x111, {}});
            ++i;
            changed = true;
        } else if ((c == 'a' || c == 'e' || c == 'o') && i + 1 < keys.size() && keys[i + 1] == c) {
            u.push_back({static_cast<char32_t>(c), cps{circumflex}});
            ++i;
            changed = true;
        } else if (c == 'w') {
            // After a, o, u: breve / horn ("uow" horns both: ươ); elsewhere "w" is "ư".
            // Typed after the final consonant ("tuongw") it still marks the vowel group.
            std::size_t v = u.size();
            for (std::size_t k = u.size(); k-- > 0;) {
                if (u[k].base == 'a' || u[k].base == 'o' || u[k].base == 'u') {
                    v = k;
                    break;
                }
                if (is_vowel_base(u[k].base)) break;
            }
            if (v < u.size() && u[v].marks.empty()) {
                u[v].marks.push_back(u[v].base == 'a' ? breve : horn);
                if (u[v].base == 'o' && v > 0 && u[v - 1].base == 'u' && u[v - 1].marks.empty())
                    u[v - 1].marks.push_back(horn);
            } else {
                u.push_back({'u', cps{horn}});
            }
            changed = true;
        } else {
            u.push_back({static_cast<char32_t>(c), {}});
        }
    }
    if (!changed) return {};
    std::string folded;
    for (const auto& x : u) folded.push_back(x.base == 0x111 ? 'd' : static_cast<char>(x.base));
    if (!valid_syllable(folded)) return {};
    if (tone) {
        for (auto& x : u)
            if (is_vowel_base(x.base)) {
                x.marks.push_back(tone);
                break;
            }
    }
    return join_units(u);
}

// A token's normalised syllable and its folded form: letters squeezed, tone placed, i/y unified.
std::pair<std::string, std::string> syllable_forms(const cps& word) {
    cps placed = unify_i_y(place_tone(squeeze_cps(word)));
    return {nfc_of(placed), encode(fold_cps(placed))};
}

// What normalize() makes of one token, whatever the shorthand table: the forms as typed and the
// syllable, Telex residue decoded (`telex`: it was; a shorthand key of that spelling is read as
// typed instead, see normalize).
struct token_forms {
    std::string raw;         // NFC of the token as typed (lowercase)
    std::string folded_raw;  // its letters without marks
    bool plain = false;      // no marks other than đ
    bool telex = false;      // syl and fold are the Telex decoding of raw
    std::string syl, fold;
};

token_forms compute_forms(const cps& t) {
    token_forms f;
    f.raw = nfc_of(t);
    f.plain = only_letters_and_d_stroke(t);
    f.folded_raw = encode(fold_cps(t));
    if (f.plain && is_ascii_lower(f.raw))
        if (auto decoded = telex_to_nfd(f.raw); !decoded.empty()) {
            f.telex = true;
            std::tie(f.syl, f.fold) = syllable_forms(decoded);
            return f;
        }
    std::tie(f.syl, f.fold) = syllable_forms(t);
    return f;
}

// The forms of a token, remembered per thread: citizens write with a vocabulary of a few
// thousand tokens, and each costs several passes through utf8proc. Bounded: an unusual stream
// of distinct tokens (a flood of random text) empties the memo instead of growing it, and a
// token longer than any word (a link, a run of letters) is not kept at all.
const token_forms& forms_of(const cps& t) {
    constexpr std::size_t max_remembered = 20000;
    constexpr std::size_t max_kept_length = 32;  // code points
    if (t.size() > max_kept_length) {
        thread_local token_forms once;
        once = compute_forms(t);
        return once;
    }
    thread_local std::unordered_map<cps, token_forms> memo;
    if (auto it = memo.find(t); it != memo.end()) return it->second;
    if (memo.size() >= max_remembered) memo.clear();
    return memo.emplace(t, compute_forms(t)).first->second;
}

}  // namespace

std::string normalized_text::text() const {
    std::string out;
    for (const auto& s : syllables) {
        if (!out.empty()) out += ' ';
        out += s;
    }
    return out;
}

std::string normalized_text::folded_text() const {
    std::string out;
    for (const auto& s : folded) {
        if (!out.empty()) out += ' ';
        out += s;
    }
    return out;
}

std::string to_nfc(std::string_view text) { return nfc_of(decode_repair(text)); }

std::string to_lower(std::string_view text) {
    return nfc_of(decode_repair(map_valid(encode(decode_repair(text)), UTF8PROC_STABLE | UTF8PROC_CASEFOLD)));
}

std::string unify_tone_marks(std::string_view text) {
    cps nfd = decode_repair(map_valid(encode(decode_repair(text)), UTF8PROC_STABLE | UTF8PROC_DECOMPOSE));
    // Work on lowercase to find syllable structure, but keep the original case of each letter.
    cps out;
    cps word;
    auto flush = [&] {
        if (word.empty()) return;
        cps lower;
        for (char32_t c : word) lower.push_back(static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
        cps placed = place_tone(lower);
        if (placed != lower) {
            // Reapply case: bases are in the same order, only marks moved.
            auto uw = units_of(word);
            auto up = units_of(placed);
            for (std::size_t i = 0; i < up.size() && i < uw.size(); ++i) up[i].base = uw[i].base;
            out += join_units(up);
        } else {
            out += word;
        }
        word.clear();
    };
    for (char32_t c : nfd) {
        if (is_letter(c) || (is_mark(c) && !word.empty())) {
            word.push_back(c);
        } else {
            flush();
            out.push_back(c);
        }
    }
    flush();
    return nfc_of(out);
}

std::string fold_diacritics(std::string_view text) {
    cps nfd = decode_repair(map_valid(encode(decode_repair(text)), UTF8PROC_STABLE | UTF8PROC_DECOMPOSE));
    return nfc_of(fold_cps(nfd));
}

std::string squeeze_letters(std::string_view syllable) {
    cps nfd = decode_repair(map_valid(encode(decode_repair(syllable)), UTF8PROC_STABLE | UTF8PROC_DECOMPOSE));
    return nfc_of(squeeze_cps(nfd));
}

bool is_vietnamese_syllable(std::string_view folded) { return valid_syllable(folded); }

// The spellings a syllable has in regional speech written down (lowercase, accented or not):
// one initial or one final consonant said the other way ("nàm" / "làm", "xửa" / "sửa",
// "trào" / "chào", "dá" / "giá", "têng" / "tên", "biếc" / "biết"). Many villagers write as
// they speak, so these are far likelier than other one-letter slips.
std::vector<std::string> regional_spellings(const std::string& syllable) {
    static const std::array<std::string_view, 27> initials = {
        "ngh", "ng", "nh", "ch", "tr", "th", "ph", "kh", "gh", "gi", "qu", "b", "c",       "d",
        "g",   "h",  "k",  "l",  "m",  "n",  "p",  "r",  "s",  "t",  "v",  "x", "\xC4\x91"};
    static const std::array<std::pair<std::string_view, std::string_view>, 8> initial_swaps = {
        {{"l", "n"}, {"s", "x"}, {"tr", "ch"}, {"d", "gi"}, {"d", "r"}, {"gi", "r"}, {"d", "v"}, {"v", "gi"}}};
    static const std::array<std::pair<std::string_view, std::string_view>, 2> final_swaps = {{{"ng", "n"}, {"c", "t"}}};
    std::vector<std::string> out;
    std::string_view s = syllable;
    std::string_view initial;
    for (auto c : initials)
        if (s.substr(0, c.size()) == c) {
            initial = c;
            break;
        }
    // "gi" before a consonant or at the end is g + i ("gì", "gìn"): no "gi" initial to swap.
    if (initial == "gi" && s.size() == 2) initial = "g";
    std::string_view rest = s.substr(initial.size());
    if (rest.empty()) return out;
    auto add = [&](std::string v) {
        if (v != syllable && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(std::move(v));
    };
    for (const auto& [a, b] : initial_swaps) {
        if (initial == a) add(std::string(b) + std::string(rest));
        if (initial == b) add(std::string(a) + std::string(rest));
    }
    for (const auto& [a, b] : final_swaps) {
        auto ends = [&](std::string_view e) {
            return rest.size() > e.size() && rest.substr(rest.size() - e.size()) == e;
        };
        // "nh" and "ch" end in h: they are not n or c.
        if (ends(a))
            add(std::string(initial) + std::string(rest.substr(0, rest.size() - a.size())) + std::string(b));
        else if (ends(b))
            add(std::string(initial) + std::string(rest.substr(0, rest.size() - b.size())) + std::string(a));
    }
    return out;
}

bool is_particle(const std::string& syllable, const std::string& folded) {
    static const std::unordered_set<std::string> accented = {
        "ạ", "à", "dạ", "ơi", "nhé", "nha", "nhỉ", "hả", "ư", "chứ", "nhen", "nè", "anh", "chị", "em", "tôi",
        "mình", "tớ", "vâng", "ạk", "ha", "hen", "ấy", "đấy", "nhá"};
    static const std::unordered_set<std::string> plain = {"a",  "da", "oi",  "nhe", "nha", "nhi", "em", "anh",
                                                          "toi", "ad", "ak", "ah", "vang", "nhen", "ne", "nha"};
    if (syllable != folded) return accented.count(syllable) > 0;
    return plain.count(folded) > 0 || accented.count(syllable) > 0;
}

std::string decode_telex(std::string_view word) {
    auto d = telex_to_nfd(std::string(word));
    return d.empty() ? std::string{} : nfc_of(unify_i_y(place_tone(d)));
}

normalized_text normalize(std::string_view text, const shorthand_table& shorthand) {
    cps s = nfd_lower(text);
    auto toks = raw_tokens(s);

    // First pass: each token's lookup key, its squeezed, tone-placed form and its folded form.
    struct tok {
        std::string raw;       // NFC of the token as typed (lowercase)
        std::string folded_raw;
        bool plain = false;    // no marks other than đ: its folded form may be a shorthand key
        std::string syl;       // normalised syllable
        std::string fold;
        bool new_clause = false;
    };
    std::vector<tok> ts;
    ts.reserve(toks.size());
    auto lookup = [&](const std::string& key) -> const std::vector<shorthand_reading>* {
        auto it = shorthand.entries.find(key);
        return it == shorthand.entries.end() ? nullptr : &it->second;
    };
    for (const auto& rt : toks) {
        const token_forms& f = forms_of(rt.text);
        tok x;
        x.new_clause = rt.new_clause;
        x.raw = f.raw;
        x.plain = f.plain;
        x.folded_raw = f.folded_raw;
        // Telex residue ("caanf", "kys") is decoded unless the word is a shorthand key of its own.
        if (f.telex && lookup(f.raw)) {
            auto plain = syllable_forms(rt.text);
            x.syl = std::move(plain.first);
            x.fold = std::move(plain.second);
        } else {
            x.syl = f.syl;
            x.fold = f.fold;
        }
        ts.push_back(std::move(x));
    }

    auto find_entry = [&](const tok& x) -> const std::vector<shorthand_reading>* {
        for (const std::string* key : {&x.raw, &x.syl})
            if (auto* r = lookup(*key)) return r;
        if (x.plain) {
            if (auto* r = lookup(x.folded_raw)) return r;
            if (auto* r = lookup(x.fold)) return r;
        }
        return nullptr;
    };

    normalized_text out;
    auto mark_clause = [&](const tok& x) {
        if (out.syllables.empty() || x.new_clause)
            if (out.clause_starts.empty() || out.clause_starts.back() != out.syllables.size())
                out.clause_starts.push_back(out.syllables.size());
    };
    for (std::size_t i = 0; i < ts.size(); ++i) {
        const auto* readings = find_entry(ts[i]);
        if (!readings || readings->empty()) {
            mark_clause(ts[i]);
            out.syllables.push_back(ts[i].syl);
            out.folded.push_back(ts[i].fold);
            continue;
        }
        // Pick the reading whose context words are nearest; else the default (no context).
        const shorthand_reading* chosen = nullptr;
        std::size_t best_distance = shorthand.context_window + 1;
        for (const auto& r : *readings) {
            if (r.context.empty()) {
                if (!chosen) chosen = &r;
                continue;
            }
            for (std::size_t d = 1; d <= shorthand.context_window && d < best_distance; ++d) {
                bool hit = (i >= d && r.context.count(ts[i - d].fold)) ||
                           (i + d < ts.size() && r.context.count(ts[i + d].fold));
                if (hit) {
                    best_distance = d;
                    chosen = &r;
                    break;
                }
            }
        }
        if (!chosen) {  // only context readings, none of whose words is near: keep the word
            mark_clause(ts[i]);
            out.syllables.push_back(ts[i].syl);
            out.folded.push_back(ts[i].fold);
            continue;
        }
        mark_clause(ts[i]);
        out.syllables.insert(out.syllables.end(), chosen->expansion.begin(), chosen->expansion.end());
        out.folded.insert(out.folded.end(), chosen->folded.begin(), chosen->folded.end());
    }
    return out;
}

void parse_shorthand_into(shorthand_table& table, std::string_view text, const std::string& name) {
    std::istringstream in{std::string(text)};
    std::string line;
    std::size_t lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#') continue;
        std::vector<std::string> cols;
        std::size_t start = 0;
        while (true) {
            auto tab = line.find('\t', start);
            cols.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
            if (tab == std::string::npos) break;
            start = tab + 1;
        }
        auto where = name + ":" + std::to_string(lineno) + ": ";
        if (cols.size() < 2 || cols.size() > 3)
            throw std::runtime_error(where + "expected `abbreviation<TAB>expansion[<TAB>context words]`");
        auto key_words = split_ws(to_lower(cols[0]));
        if (key_words.size() != 1) throw std::runtime_error(where + "the abbreviation must be one word");
        shorthand_reading r;
        // The expansion goes through the same pipeline (without shorthand) so it matches the index;
        // the word itself stays as written there ("visa<TAB>visa" keeps a loanword that would
        // otherwise read as the Telex keys of "vía").
        shorthand_table none;
        shorthand_table itself;
        itself.entries[key_words[0]];
        auto expanded = normalize(cols[1], itself);
        r.expansion = std::move(expanded.syllables);
        r.folded = std::move(expanded.folded);
        if (r.expansion.empty()) throw std::runtime_error(where + "empty expansion");
        if (cols.size() == 3) {
            for (const auto& w : normalize(cols[2], none).folded) r.context.insert(w);
            if (r.context.empty()) throw std::runtime_error(where + "empty context column");
        }
        auto& readings = table.entries[key_words[0]];
        if (r.context.empty()) {
            for (const auto& existing : readings)
                if (existing.context.empty())
                    throw std::runtime_error(where + "second default reading for \"" + key_words[0] + "\"");
        }
        readings.push_back(std::move(r));
    }
}

shorthand_table parse_shorthand(std::string_view text, const std::string& name) {
    shorthand_table table;
    parse_shorthand_into(table, text, name);
    return table;
}

shorthand_table load_shorthand(const std::string& path) { return load_shorthand(std::vector<std::string>{path}); }

shorthand_table load_shorthand(const std::vector<std::string>& paths) {
    shorthand_table table;
    for (const auto& path : paths) {
        std::ifstream f(path, std::ios::binary);
        if (!f) throw std::runtime_error(path + ":0: cannot open the shorthand file");
        std::stringstream ss;
        ss << f.rdbuf();
        parse_shorthand_into(table, ss.str(), path);
    }
    return table;
}

}  // namespace bot::nlp

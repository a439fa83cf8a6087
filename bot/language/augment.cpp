// Generated training variants (see augment.hpp). Spelling variants that normalisation already
// undoes (Telex residue, shorthand, spoken forms, tone placement) are not generated: they reach
// the model in their standard form anyway.
#include "bot/language/augment.hpp"

#include "bot/language/normalize.hpp"

#include <array>
#include <string_view>

namespace bot::nlp {

namespace {

struct splitmix {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    std::size_t below(std::size_t n) { return n ? static_cast<std::size_t>(next() % n) : 0; }
};

std::uint64_t hash_text(std::string_view s, std::uint64_t seed) {
    std::uint64_t h = 1469598103934665603ULL ^ seed;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

std::vector<std::string> words_of(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\n') {
            if (!cur.empty()) out.push_back(std::move(cur));
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

std::string join(const std::vector<std::string>& w) {
    std::string out;
    for (const auto& x : w) {
        if (!out.empty()) out += ' ';
        out += x;
    }
    return out;
}

// What people put around a question: greetings, who they are, where they live, their
// circumstances, thanks. Every class (out-of-scope too) gets them, so they point at none of
// them; none of them hints at a topic by itself.
constexpr std::array<std::string_view, 64> before = {
    "dạ cho em hỏi",                     "chào anh chị",                       "xin chào cán bộ",
    "cho tôi hỏi",                       "em chào cán bộ ạ",                   "nhà em ở thôn 3",
    "tôi ở xóm trên",                    "dạ thưa",                            "anh ơi",
    "chị ơi cho em hỏi chút",            "xin lỗi làm phiền",                  "cháu chào chú",
    "nhà tôi ở xa",                      "em là người dân tộc",                "tôi già rồi không biết",
    "hôm qua em có hỏi mà chưa rõ",      "con chào cô",                        "ad ơi",
    "em muốn hỏi",                       "cho mình hỏi với",                   "mọi người ơi",
    "tôi năm nay 60 tuổi",               "vợ em bảo em hỏi",                   "nhờ cán bộ chỉ giúp",
    "em là công nhân",                   "em đi làm xa",                       "tôi làm ruộng",
    "nhà tôi nghèo",                     "tôi không biết chữ nhiều",           "em không rành điện thoại",
    "con cháu đi làm ăn xa hết",         "hôm nay em được nghỉ làm",           "em đang ở trọ trên thành phố",
    "nhà em xa trung tâm xã",            "chồng em đi làm ở nước ngoài",       "vợ tôi ốm nằm viện",
    "ông nhà em bị tai biến nằm một chỗ", "bà em già yếu",                     "em đã hỏi mấy người mà chưa rõ",
    "em có đọc trên mạng",               "loa xã có thông báo",                "cán bộ thôn có nói",
    "em bận đi làm cả ngày",             "nhà em làm nông",                    "trời mưa mấy hôm nay",
    "em ở bản trên núi",                 "đường lên xã xa lắm",                "tôi là bộ đội xuất ngũ",
    "mắt tôi kém",                       "điện thoại em cũ",                   "em đọc chữ chậm",
    "em hỏi giúp mẹ em",                 "em hỏi giúp chồng",                  "tôi hỏi cho con gái",
    "hàng xóm bảo em hỏi ở đây",         "em xin lỗi vì hỏi nhiều",            "chúc anh chị sức khỏe",
    "em ở xa không về được",             "em làm thuê theo mùa",               "em là giáo viên",
    "mạng ở đây yếu lắm",                "tôi đi chợ về thì nghe người ta nói", "con tôi đi học chưa về",
    "tết này em mới về quê"};
constexpr std::array<std::string_view, 12> after = {
    "ạ",        "với ạ",           "em cảm ơn",     "cảm ơn nhiều",      "nhờ chỉ giúp",   "được không ạ",
    "gấp lắm",  "mong trả lời sớm", "xin cảm ơn ạ", "vậy ạ",             "giúp em với",    "cảm ơn ad"};

// One letter dropped, doubled or swapped with its neighbour, in a word of four letters or more.
std::string with_typo(const std::string& folded, splitmix& rng) {
    auto w = words_of(folded);
    std::vector<std::size_t> long_words;
    for (std::size_t i = 0; i < w.size(); ++i)
        if (w[i].size() >= 4) long_words.push_back(i);
    if (long_words.empty()) return folded;
    auto& word = w[long_words[rng.below(long_words.size())]];
    std::size_t at = 1 + rng.below(word.size() - 1);
    switch (rng.below(3)) {
    case 0:
        word.erase(at, 1);
        break;
    case 1:
        word.insert(at, 1, word[at]);
        break;
    default:
        if (at + 1 < word.size()) std::swap(word[at], word[at + 1]);
        else word.erase(at, 1);
    }
    return join(w);
}

}  // namespace

std::vector<std::string> variants_of(const std::string& text, unsigned count, std::uint64_t seed) {
    std::vector<std::string> out;
    if (count == 0) return out;
    splitmix rng{hash_text(text, seed)};
    const std::string folded = fold_diacritics(text);
    auto words = words_of(text);
    for (unsigned k = 0; k < count; ++k) {
        std::string v;
        switch ((k + rng.below(2)) % 5) {
        case 0:  // no diacritics at all
            v = folded;
            break;
        case 1: {  // a story or greeting before, thanks after; half the time without diacritics
            v = std::string(before[rng.below(before.size())]) + ", " + text;
            if (rng.below(2)) v = std::string(before[rng.below(before.size())]) + ". " + v;
            if (rng.below(2)) v += " " + std::string(after[rng.below(after.size())]);
            if (rng.below(2)) v = fold_diacritics(v);
            break;
        }
        case 2:  // a typo, without diacritics
            v = with_typo(folded, rng);
            break;
        case 3: {  // a word dropped (not from short texts), diacritics on some words only
            auto w = words;
            if (w.size() >= 4) w.erase(w.begin() + static_cast<long>(rng.below(w.size())));
            for (auto& x : w)
                if (rng.below(2)) x = fold_diacritics(x);
            v = join(w);
            break;
        }
        default: {  // said before a longer context: "..., nhà em ở xa, ..."
            v = text + ". " + std::string(before[rng.below(before.size())]);
            if (rng.below(2)) v = fold_diacritics(v);
            break;
        }
        }
        if (v != text) out.push_back(std::move(v));
    }
    return out;
}

}  // namespace bot::nlp

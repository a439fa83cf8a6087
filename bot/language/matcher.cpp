// Ranked retrieval over knowledge-base phrases (see matcher.hpp).
//
// Each phrase (title, keyword, example question) is a document of weighted features: folded
// syllables, folded syllable bigrams and accented syllables. A feature's weight is its type
// weight times its IDF over topics, so words every topic uses ("làm", "ạ", "thủ tục") count
// little. A topic's score mixes two views of the same evidence:
//   coverage: how much of the message's weight the topic's vocabulary explains (words the KB
//             has never seen count against it, which is what out-of-scope text looks like);
//   nearest:  the best weighted Dice overlap with one of the topic's phrases (a short message
//             equal to a keyword, or a paraphrase of an example, scores high).
#include "bot/language/matcher.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <unordered_set>

namespace bot::nlp {

namespace {

constexpr double unigram_weight = 1.0;
constexpr std::size_t max_ranked = 8;

normalized_text without_particles(const normalized_text& in) {
    normalized_text out;
    for (std::size_t i = 0; i < in.folded.size(); ++i) {
        if (is_particle(in.syllables[i], in.folded[i])) continue;
        out.syllables.push_back(in.syllables[i]);
        out.folded.push_back(in.folded[i]);
    }
    return out;
}

bool is_number(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

bool is_ascii_word(const std::string& s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

// A feature's key: its kind ('u' folded syllable, 'a' accented syllable, 'b' folded bigram), then
// the syllable, or the two syllables of a bigram with a space between them.
void make_key(std::string& key, char kind, const std::string& a, const std::string* b) {
    key.assign(1, kind);
    key += a;
    if (b) {
        key += ' ';
        key += *b;
    }
}

// Calls visit(kind, syllable, next syllable of a bigram or nullptr, type weight) for each feature
// of `n`, in the one order the index and a message's features are both built in.
template <class Visit>
void visit_features(const normalized_text& n, const match_thresholds& t, Visit&& visit) {
    const auto& f = n.folded;
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (is_number(f[i])) continue;
        visit('u', f[i], nullptr, unigram_weight);
        if (n.syllables[i] != f[i]) visit('a', n.syllables[i], nullptr, t.accented_weight);
        if (i + 1 < f.size() && !is_number(f[i + 1])) visit('b', f[i], &f[i + 1], t.bigram_weight);
    }
}

}  // namespace

void matcher::add_features(const normalized_text& n, std::vector<std::pair<std::string, double>>& out) const {
    visit_features(n, thresholds_, [&](char kind, const std::string& a, const std::string* b, double w) {
        std::string key;
        make_key(key, kind, a, b);
        out.emplace_back(std::move(key), w);
    });
}

matcher::matcher(const std::vector<std::vector<std::string>>& topic_phrases, const std::vector<std::string>& out_of_scope,
                 shorthand_table shorthand, match_thresholds thresholds, const std::vector<std::string>& markers)
    : shorthand_(std::move(shorthand)), thresholds_(thresholds), topics_(topic_phrases.size()) {
    // Markers are read as messages are (shorthand and spoken forms expanded): "fb" in a message
    // becomes "facebook", and a marker "fb" must too.
    for (const auto& m : markers) {
        auto n = normalize(m, shorthand_);
        if (!n.folded.empty()) markers_.push_back(std::move(n));
    }
    // Documents: every phrase, tagged with its group (topic index, or topics_ for out-of-scope).
    std::vector<std::vector<std::pair<std::int32_t, double>>> docs;
    auto add_doc = [&](const std::string& phrase, std::uint32_t group) {
        auto n = without_particles(normalize(phrase, shorthand_));
        if (n.folded.empty()) return;
        for (std::size_t i = 0; i < n.folded.size(); ++i) {
            if (is_number(n.folded[i])) continue;
            ++syllable_count_[n.folded[i]];
            if (i + 1 < n.folded.size()) bigrams_[n.folded[i] + ' ' + n.folded[i + 1]] = true;
        }
        std::vector<std::pair<std::string, double>> feats;
        add_features(n, feats);
        std::vector<std::pair<std::int32_t, double>> ids;
        std::unordered_set<std::int32_t> seen;
        for (auto& [key, w] : feats) {
            auto [it, inserted] = feature_ids_.try_emplace(key, static_cast<std::int32_t>(features_.size()));
            if (inserted) features_.emplace_back();
            if (!seen.insert(it->second).second) continue;
            auto& fi = features_[static_cast<std::size_t>(it->second)];
            fi.docs.push_back(static_cast<std::uint32_t>(docs.size()));
            if (fi.groups.empty() || fi.groups.back() != group) fi.groups.push_back(group);
            ids.emplace_back(it->second, w);
        }
        docs.push_back(std::move(ids));
        doc_group_.push_back(group);
    };
    for (std::size_t t = 0; t < topic_phrases.size(); ++t)
        for (const auto& p : topic_phrases[t]) add_doc(p, static_cast<std::uint32_t>(t));
    for (const auto& p : out_of_scope) add_doc(p, static_cast<std::uint32_t>(topics_));

    // IDF over groups (topics plus the out-of-scope group); groups were appended in order, so
    // each feature's group list is sorted but may repeat across non-adjacent docs: dedupe.
    double n_groups = static_cast<double>(topics_ + 1);
    for (auto& fi : features_) {
        std::sort(fi.groups.begin(), fi.groups.end());
        fi.groups.erase(std::unique(fi.groups.begin(), fi.groups.end()), fi.groups.end());
        fi.idf = std::pow(std::max(0.05, std::log((n_groups + 1) / (static_cast<double>(fi.groups.size()) + 0.5))),
                          thresholds_.idf_power);
    }
    unknown_idf_ = std::pow(std::log((n_groups + 1) / 0.5), thresholds_.idf_power) * thresholds_.unknown_factor;
    doc_weight_.reserve(docs.size());
    for (const auto& d : docs) {
        double w = 0;
        for (auto [id, tw] : d) w += tw * features_[static_cast<std::size_t>(id)].idf;
        doc_weight_.push_back(w);
    }
    // Where each group's phrases begin (they were added group after group).
    if (std::is_sorted(doc_group_.begin(), doc_group_.end())) {
        group_start_.assign(topics_ + 2, 0);
        for (auto g : doc_group_) ++group_start_[g + 1];
        for (std::size_t g = 0; g + 1 < group_start_.size(); ++g) group_start_[g + 1] += group_start_[g];
    }
    // Typo index: every folded syllable and its one-letter deletions.
    for (const auto& [s, count] : syllable_count_) {
        (void)count;
        if (s.size() < 2 || !is_ascii_word(s)) continue;
        deletions_[s].push_back(s);
        for (std::size_t i = 0; i < s.size(); ++i) {
            std::string d = s.substr(0, i) + s.substr(i + 1);
            auto& v = deletions_[d];
            if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
        }
    }
}

// Edit distance 1 on folded syllables (deletion neighbourhoods). A candidate must form a
// known bigram with a neighbour ("khai xinh" → "khai sinh", not "dinh"); among those the most
// frequent wins.
std::string matcher::correct_typo(const normalized_text& n, std::size_t i) const {
    const std::string& q = n.folded[i];
    if (q.size() < 3 || !is_ascii_word(q)) return {};
    std::string best;
    long best_rank = -1;
    auto rank_of = [&](const std::string& cand) {
        long r = static_cast<long>(std::min<std::uint32_t>(syllable_count_.at(cand), 999));
        if (i > 0 && bigrams_.count(n.folded[i - 1] + ' ' + cand)) r += 10000;
        if (i + 1 < n.folded.size() && bigrams_.count(cand + ' ' + n.folded[i + 1])) r += 10000;
        return r;
    };
    auto take = [&](const std::string& cand, long r) {
        if (r > best_rank || (r == best_rank && cand < best)) {
            best = cand;
            best_rank = r;
        }
    };
    auto consider = [&](const std::string& key) {
        auto it = deletions_.find(key);
        if (it == deletions_.end()) return;
        for (const auto& cand : it->second) {
            auto diff = static_cast<long>(cand.size()) - static_cast<long>(q.size());
            if (diff > 1 || diff < -1) continue;
            take(cand, rank_of(cand));
        }
    };
    consider(q);
    for (std::size_t k = 0; k < q.size(); ++k) consider(q.substr(0, k) + q.substr(k + 1));
    // A regional spelling goes before any other slip ("doi teng" is "đổi tên", not "đổi tiền").
    for (const auto& cand : regional_spellings(q))
        if (syllable_count_.count(cand)) take(cand, rank_of(cand) + 5000);
    // Only a correction a neighbour confirms is taken: "khai xinh" → "khai sinh", but a
    // foreign word ("taxi") must not turn into a known one ("tai").
    return best_rank >= 10000 ? best : std::string{};
}

std::string matcher::correct_regional(const normalized_text& n, std::size_t i) const {
    const std::string& typed = n.syllables[i];
    const std::string& q = n.folded[i];
    thread_local std::string key;
    auto known_accented = [&](const std::string& syl) {
        make_key(key, 'a', syl, nullptr);
        return feature_ids_.count(key) > 0;
    };
    if (typed == q || known_accented(typed)) return {};
    // Its neighbours, particles left out as they are in the knowledge base's pairs.
    auto neighbour = [&](int step) -> const std::string* {
        for (auto j = static_cast<long>(i) + step; j >= 0 && j < static_cast<long>(n.folded.size()); j += step) {
            const auto k = static_cast<std::size_t>(j);
            if (!is_particle(n.syllables[k], n.folded[k])) return is_number(n.folded[k]) ? nullptr : &n.folded[k];
        }
        return nullptr;
    };
    const std::string* left = neighbour(-1);
    const std::string* right = neighbour(+1);
    auto pairs = [&](const std::string& f) {
        return (left && bigrams_.count(*left + ' ' + f)) || (right && bigrams_.count(f + ' ' + *right));
    };
    if (pairs(q)) return {};
    std::string best;
    std::uint32_t best_count = 0;
    for (const auto& cand : regional_spellings(typed)) {
        if (!known_accented(cand)) continue;
        const std::string f = fold_diacritics(cand);
        auto it = syllable_count_.find(f);
        if (it == syllable_count_.end() || !pairs(f)) continue;
        if (it->second > best_count) {
            best = cand;
            best_count = it->second;
        }
    }
    return best;
}

std::vector<std::string> matcher::split_glued(const normalized_text& n, std::size_t i) const {
    const std::string& q = n.folded[i];
    constexpr std::size_t longest_word = 12;  // of a piece other than digits
    if (q.size() < 4 || q.size() > 40 || n.syllables[i] != q || is_vietnamese_syllable(q)) return {};
    for (char c : q)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return {};
    // A piece is a run of digits, a known syllable, a known word of four letters or more
    // ("online"), a particle ("em", "ad") or a chat abbreviation ("cccd", "hk"). Two neighbouring
    // syllables must be a pair the knowledge base has ("lamcancuoc" → "lam can cuoc"), so a
    // foreign word that happens to split into syllables ("video" → "vi de o") is left alone;
    // digits, particles and abbreviations pair with anything ("chaoem", "lamgks"). A known pair,
    // or a piece of three letters or more that carries meaning, is needed. Fewest pieces win (a
    // particle or an abbreviation counting as two, "cong dich vu cong" before "co ng dichvucong"),
    // then most known pairs, then the most common syllables ("cho toi" before "chot oi").
    enum class kind { none, digits, word, loose };  // loose: a particle or an abbreviation
    auto is_digit = [&](std::size_t k) { return q[k] >= '0' && q[k] <= '9'; };
    // A particle or an abbreviation only at either end, where people glue them ("chaoem",
    // "nhaphk"), and of two letters or more ("a", "t" would split any word).
    auto may_be_loose = [&](std::size_t from, std::size_t end) {
        if (end - from < 2 || (from != 0 && end != q.size())) return false;
        const std::string s = q.substr(from, end - from);
        return is_particle(s, s) || shorthand_.entries.count(s) > 0;
    };
    auto kind_of = [&](std::size_t from, std::size_t end) {
        if (is_digit(from)) {
            // A run of digits is one piece, never split inside.
            if ((from > 0 && is_digit(from - 1)) || (end < q.size() && is_digit(end))) return kind::none;
            for (std::size_t k = from; k < end; ++k)
                if (!is_digit(k)) return kind::none;
            return kind::digits;
        }
        const std::size_t len = end - from;
        const std::string s = q.substr(from, len);
        auto it = syllable_count_.find(s);
        if (it != syllable_count_.end() && (len >= 4 || is_vietnamese_syllable(s))) return kind::word;
        return may_be_loose(from, end) ? kind::loose : kind::none;
    };
    auto carries = [&](std::size_t from, std::size_t end, kind k) {
        if (end - from < 3) return false;
        const std::string s = q.substr(from, end - from);
        return k == kind::word || (k == kind::loose && !is_particle(s, s));
    };
    // state (from, end): a piece [from, end) ending a valid reading of q[0, end).
    struct reading {
        int cost = 0;            // pieces, particles and abbreviations twice
        int pairs = 0;           // neighbouring syllables the knowledge base pairs
        std::uint64_t seen = 0;  // how often the knowledge base has its syllables
        bool carries = false;
        kind k = kind::none;
        std::size_t prev = 0;  // the start of the piece before it
    };
    auto better = [](const reading& x, const reading& y) {  // x better than y
        if (x.cost != y.cost) return x.cost < y.cost;
        return x.pairs != y.pairs ? x.pairs > y.pairs : x.seen > y.seen;
    };
    std::map<std::pair<std::size_t, std::size_t>, reading> states;
    std::vector<char> reached(q.size() + 1, 0);  // some reading ends there (garbage ends soon)
    reached[0] = 1;
    for (std::size_t end = 1; end <= q.size(); ++end)
        for (std::size_t from = end > longest_word ? end - longest_word : 0; from < end; ++from) {
            if (!reached[from]) continue;
            const kind k = kind_of(from, end);
            if (k == kind::none) continue;
            const bool c = carries(from, end, k);
            const int cost = k == kind::loose ? 2 : 1;
            std::uint64_t seen = 0;
            if (k == kind::word) seen = syllable_count_.at(q.substr(from, end - from));
            if (from == 0) {
                states[{0, end}] = {cost, 0, seen, c, k, 0};
                reached[end] = 1;
                continue;
            }
            std::optional<reading> best;
            for (std::size_t prev = from > longest_word ? from - longest_word : 0; prev < from; ++prev) {
                auto it = states.find({prev, from});
                if (it == states.end()) continue;
                reading r{
                    it->second.cost + cost, it->second.pairs, it->second.seen + seen, it->second.carries || c, k, prev};
                if (k == kind::word && it->second.k == kind::word) {
                    // A known syllable that is also a particle ("toi": tối, tôi) may stand as one.
                    if (bigrams_.count(q.substr(prev, from - prev) + ' ' + q.substr(from, end - from)))
                        ++r.pairs;
                    else if (may_be_loose(from, end) || may_be_loose(prev, from))
                        ++r.cost;
                    else
                        continue;
                }
                if (!best || better(r, *best)) best = r;
            }
            if (best) {
                states[{from, end}] = *best;
                reached[end] = 1;
            }
        }
    std::optional<reading> last;
    std::size_t last_from = 0;
    for (std::size_t from = 1; from < q.size(); ++from) {
        auto it = states.find({from, q.size()});
        if (it != states.end() && (it->second.carries || it->second.pairs > 0) &&
            (!last || better(it->second, *last))) {
            last = it->second;
            last_from = from;
        }
    }
    if (!last) return {};
    std::vector<std::string> pieces;
    for (std::size_t from = last_from, end = q.size();;) {
        pieces.push_back(q.substr(from, end - from));
        if (from == 0) break;
        const std::size_t prev = states.at({from, end}).prev;
        end = from;
        from = prev;
    }
    std::reverse(pieces.begin(), pieces.end());
    // A one-letter syllable ("o": ở) only beside a syllable it is known to pair with ("odau"), not
    // left over by an abbreviation ("only" is not "onl y").
    for (std::size_t k = 0; k < pieces.size(); ++k) {
        if (pieces[k].size() != 1 || is_number(pieces[k])) continue;
        const bool before = k > 0 && bigrams_.count(pieces[k - 1] + ' ' + pieces[k]);
        const bool after = k + 1 < pieces.size() && bigrams_.count(pieces[k] + ' ' + pieces[k + 1]);
        if (!before && !after) return {};
    }
    return pieces;
}

normalized_text matcher::corrected(const normalized_text& in) const {
    normalized_text n = in;
    for (std::size_t i = 0; i < n.folded.size(); ++i) {
        if (is_number(n.folded[i])) continue;
        // Words typed without spaces ("khaisinh chocon", "quenmatkhau"): read as their syllables.
        // split_glued() leaves Vietnamese syllables alone. A word the knowledge base has itself
        // ("quenmatkhau" in one training question, "bitcoin" as a marker) is split only when every
        // two neighbouring pieces are a known pair: one glued question teaches the model less than
        // all those with the syllables do, and a loanword must stay whole.
        const bool known = syllable_count_.count(n.folded[i]) > 0;
        auto pieces = split_glued(n, i);
        for (std::size_t k = 1; known && k < pieces.size(); ++k)
            if (!bigrams_.count(pieces[k - 1] + ' ' + pieces[k])) pieces.clear();
        if (pieces.empty() && known) {
            // A syllable typed with accents the knowledge base never has, written as said in a
            // region ("lộp hồ sơ", "cảm ơng", "trào cán bộ"): read as the spelling that pairs
            // with a neighbour.
            auto regional = correct_regional(n, i);
            if (!regional.empty()) {
                n.folded[i] = fold_diacritics(regional);
                n.syllables[i] = std::move(regional);
            }
            continue;
        }
        // Abbreviations among the pieces are read as normalize() reads them ("cccd" → "căn cước
        // công dân").
        bool abbreviated = false;
        for (const auto& p : pieces)
            abbreviated = abbreviated || (!syllable_count_.count(p) && shorthand_.entries.count(p));
        normalized_text read;
        if (abbreviated) {
            std::string joined;
            for (const auto& p : pieces) joined += (joined.empty() ? "" : " ") + p;
            read = normalize(joined, shorthand_);
        } else {
            read.syllables = read.folded = pieces;
        }
        if (!read.folded.empty()) {
            const auto more = static_cast<long>(read.folded.size()) - 1;
            n.folded.erase(n.folded.begin() + static_cast<long>(i));
            n.syllables.erase(n.syllables.begin() + static_cast<long>(i));
            n.folded.insert(n.folded.begin() + static_cast<long>(i), read.folded.begin(), read.folded.end());
            n.syllables.insert(n.syllables.begin() + static_cast<long>(i), read.syllables.begin(),
                               read.syllables.end());
            for (auto& c : n.clause_starts)
                if (c > i) c += static_cast<std::size_t>(more);
            i += static_cast<std::size_t>(more);
            continue;
        }
        auto fixed = correct_typo(n, i);
        if (!fixed.empty()) n.folded[i] = n.syllables[i] = fixed;  // accents unknown after a fix
    }
    return n;
}

std::vector<matcher::weighted> matcher::query_features(const normalized_text& in) const {
    normalized_text n = corrected(without_particles(in));
    // A syllable typed with accents the KB never uses ("mượn" when the KB only has "muốn",
    // "muộn") matches its folded form only half-heartedly: half evidence, half unknown.
    // The message's features in the index's order, each counted once; keys are built in one
    // buffer and looked up without allocating (this runs for every message).
    thread_local std::string key;
    auto id_of = [&](char kind, const std::string& a, const std::string* b) {
        make_key(key, kind, a, b);
        auto it = feature_ids_.find(key);
        return it == feature_ids_.end() ? std::int32_t{-1} : it->second;
    };
    const auto& f = n.folded;
    std::vector<const std::string*> dubious;  // folded syllables typed with unknown accents
    for (std::size_t i = 0; i < f.size(); ++i)
        if (n.syllables[i] != f[i] && id_of('a', n.syllables[i], nullptr) < 0) dubious.push_back(&f[i]);
    auto is_dubious = [&](const std::string& folded) {
        for (const auto* d : dubious)
            if (*d == folded) return true;
        return false;
    };
    // Features already counted: known ones by id (a stamp per feature), unknown ones by key.
    thread_local std::vector<std::uint32_t> stamp;
    thread_local std::uint32_t generation = 0;
    thread_local std::unordered_set<std::string> unknown_seen;
    if (stamp.size() < features_.size()) stamp.assign(features_.size(), 0);
    if (++generation == 0) {
        std::fill(stamp.begin(), stamp.end(), 0);
        generation = 1;
    }
    unknown_seen.clear();
    std::vector<weighted> out;
    out.reserve(f.size() * 3);
    auto add = [&](char kind, const std::string& a, const std::string* b, double w) {
        const auto id = id_of(kind, a, b);
        if (id >= 0) {
            auto& st = stamp[static_cast<std::size_t>(id)];
            if (st == generation) return;
            st = generation;
            double weight = w * features_[static_cast<std::size_t>(id)].idf;
            if (kind == 'u' && !dubious.empty() && is_dubious(a)) {
                out.push_back({id, weight / 2});
                out.push_back({-1, unknown_idf_ / 2});
            } else {
                out.push_back({id, weight});
            }
            return;
        }
        // Unknown accented forms are ignored: their syllables already count.
        if (kind == 'a' || (kind == 'b' && thresholds_.unknown_bigram <= 0)) return;
        if (!unknown_seen.insert(key).second) return;
        if (kind == 'u')
            out.push_back({-1, unknown_idf_});  // unknown syllable: evidence against every topic
        else
            out.push_back({-1, unknown_idf_ * thresholds_.unknown_bigram});  // a pairing the KB never has
    };
    visit_features(n, thresholds_, add);
    return out;
}

match_decision matcher::match(std::string_view text) const { return match(normalize(text, shorthand_)); }

match_decision matcher::match(const normalized_text& n) const {
    match_decision d;
    auto q = query_features(n);
    double total = 0;
    for (const auto& f : q) total += f.weight;
    if (total <= 0) return d;

    // Per-thread scratch arrays, kept zeroed between calls: on the touched-phrases path only
    // touched entries are reset, so a call costs what its postings cost, not the size of the KB.
    struct scratch {
        std::vector<double> cover, nearest, overlap, dice;
        std::vector<std::uint32_t> docs, groups;
    };
    thread_local scratch sc;
    if (sc.cover.size() < topics_ + 1) {
        sc.cover.assign(topics_ + 1, 0.0);
        sc.nearest.assign(topics_ + 1, 0.0);
    }
    if (sc.overlap.size() < doc_group_.size()) sc.overlap.assign(doc_group_.size(), 0.0);
    sc.groups.clear();
    std::size_t postings = 0;
    for (const auto& f : q)
        if (f.id >= 0) postings += features_[static_cast<std::size_t>(f.id)].docs.size();
    double* overlap = sc.overlap.data();
    auto add_cover = [&](const feature_info& fi, double w) {
        for (auto g : fi.groups) {
            if (sc.cover[g] == 0) sc.groups.push_back(g);
            sc.cover[g] += w;
        }
    };
    // On a small knowledge base a message touches a third of the phrases (the bundled one: 2,020
    // of 6,479). When its postings number at least dense_from × the phrases, every phrase is
    // scored in one pass over contiguous arrays and each group's maximum is read from its own
    // range (phrases are stored group after group), which vectorises; otherwise only the phrases
    // touched are. Same Dice values and the same maxima either way.
    if (!group_start_.empty() &&
        static_cast<double>(postings) >= thresholds_.dense_from * static_cast<double>(doc_group_.size())) {
        for (const auto& f : q) {
            if (f.id < 0) continue;
            const auto& fi = features_[static_cast<std::size_t>(f.id)];
            add_cover(fi, f.weight);
            const double w = f.weight;
            for (auto doc : fi.docs) overlap[doc] += w;
        }
        const std::size_t n_docs = doc_group_.size();
        if (sc.dice.size() < n_docs) sc.dice.resize(n_docs);
        double* dice = sc.dice.data();
        const double* dw = doc_weight_.data();
        for (std::size_t doc = 0; doc < n_docs; ++doc) dice[doc] = 2 * overlap[doc] / (total + dw[doc]);
        for (std::size_t g = 0; g + 1 < group_start_.size(); ++g) {
            const std::size_t b = group_start_[g], e = group_start_[g + 1];
            double m[4] = {0, 0, 0, 0};  // max is exact in any order
            std::size_t doc = b;
            for (; doc + 4 <= e; doc += 4)
                for (std::size_t k = 0; k < 4; ++k) m[k] = std::max(m[k], dice[doc + k]);
            for (; doc < e; ++doc) m[0] = std::max(m[0], dice[doc]);
            sc.nearest[g] = std::max(std::max(m[0], m[1]), std::max(m[2], m[3]));
        }
        std::fill(overlap, overlap + n_docs, 0.0);
    } else {
        // The touched phrases are listed in a buffer sized for every posting of the message, so
        // the posting loop writes through plain pointers.
        if (sc.docs.size() < postings) sc.docs.resize(postings);
        std::uint32_t* touched = sc.docs.data();
        std::size_t n_touched = 0;
        for (const auto& f : q) {
            if (f.id < 0) continue;
            const auto& fi = features_[static_cast<std::size_t>(f.id)];
            add_cover(fi, f.weight);
            const double w = f.weight;
            for (auto doc : fi.docs) {
                touched[n_touched] = doc;
                n_touched += overlap[doc] == 0;
                overlap[doc] += w;
            }
        }
        for (std::size_t i = 0; i < n_touched; ++i) {
            const auto doc = touched[i];
            double dice = 2 * overlap[doc] / (total + doc_weight_[doc]);
            auto g = doc_group_[doc];
            sc.nearest[g] = std::max(sc.nearest[g], dice);
            overlap[doc] = 0;
        }
    }
    // A marker ("facebook", "xổ số") says the subject is not ours, whatever else matches.
    // Accented marker syllables must match as typed when the message has accents ("dở" is not
    // "đó"); unaccented messages compare folded.
    auto marker_at = [&](const normalized_text& m, std::size_t i) {
        for (std::size_t k = 0; k < m.folded.size(); ++k) {
            const auto& qs = n.syllables[i + k];
            const auto& qf = n.folded[i + k];
            if (qf != m.folded[k]) return false;
            if (qs != qf && qs != m.syllables[k]) return false;
        }
        return true;
    };
    for (const auto& m : markers_) {
        for (std::size_t i = 0; !d.marker && i + m.folded.size() <= n.folded.size(); ++i) d.marker = marker_at(m, i);
        if (d.marker) break;
    }
    double penalty = d.marker ? thresholds_.marker_penalty : 1.0;
    std::vector<ranked_topic> all;
    all.reserve(sc.groups.size());
    for (auto g : sc.groups) {
        double s = thresholds_.coverage_share * (sc.cover[g] / total) + (1 - thresholds_.coverage_share) * sc.nearest[g];
        if (g == topics_)
            // The out-of-scope group mixes every subject, so its vocabulary covers bits of
            // anything: only a close paraphrase of one of its phrases counts.
            d.out_of_scope = sc.nearest[g];
        else if (s > 0)
            all.push_back({g, s * penalty});
        sc.cover[g] = 0;
        sc.nearest[g] = 0;
    }
    auto better = [](const ranked_topic& a, const ranked_topic& b) {
        return a.score != b.score ? a.score > b.score : a.topic < b.topic;
    };
    auto keep = std::min(all.size(), max_ranked);
    std::partial_sort(all.begin(), all.begin() + static_cast<long>(keep), all.end(), better);
    all.resize(keep);
    d.ranked = all;
    if (all.empty()) return d;
    d.score = all[0].score;
    double s1 = all[0].score;
    double s2 = all.size() > 1 ? all[1].score : 0.0;
    // It reads like something the bot does not handle; a near tie goes to the topic, whose
    // answer still says where to ask.
    if (d.out_of_scope >= s1 + thresholds_.scope_tie) return d;
    if (s1 < thresholds_.clarify) return d;
    bool close = all.size() > 1 && s1 - s2 < thresholds_.margin && s2 >= thresholds_.alt_floor;
    bool confident = s1 >= thresholds_.answer && !close;
    // A weaker score still answers when one topic clearly leads and it is not out-of-scope-ish.
    bool clear_lead = s1 >= thresholds_.lone_answer && s1 - s2 >= thresholds_.lone_margin &&
                      s1 - d.out_of_scope >= thresholds_.scope_margin;
    if (confident || clear_lead) {
        d.outcome = match_decision::kind::answered;
        return d;
    }
    // Ask back when two or three topics are plausible; a lone weak candidate is a fallback.
    for (const auto& r : all) {
        if (d.alternatives.size() == 3) break;
        if (r.score >= thresholds_.alt_floor && s1 - r.score < 2 * thresholds_.margin) d.alternatives.push_back(r.topic);
    }
    if (d.alternatives.size() >= 2)
        d.outcome = match_decision::kind::clarified;
    else
        d.alternatives.clear();
    return d;
}

}  // namespace bot::nlp

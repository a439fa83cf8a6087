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
#include "bot/matcher.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace bot::nlp {

namespace {

constexpr double unigram_weight = 1.0;
constexpr double bigram_weight = 1.3;
constexpr double accented_weight = 0.35;
// Unknown syllables weigh this fraction of the rarest feature's IDF: chatter in a real
// question costs a little, a message made of unknown words costs everything.
constexpr double unknown_factor = 0.45;
constexpr double coverage_share = 0.5;
constexpr std::size_t max_ranked = 5;

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

}  // namespace

void matcher::add_features(const normalized_text& n, std::vector<std::pair<std::string, double>>& out) const {
    const auto& f = n.folded;
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (is_number(f[i])) continue;
        out.emplace_back("u" + f[i], unigram_weight);
        if (n.syllables[i] != f[i]) out.emplace_back("a" + n.syllables[i], accented_weight);
        if (i + 1 < f.size() && !is_number(f[i + 1])) out.emplace_back("b" + f[i] + ' ' + f[i + 1], bigram_weight);
    }
}

matcher::matcher(const std::vector<std::vector<std::string>>& topic_phrases, const std::vector<std::string>& out_of_scope,
                 shorthand_table shorthand, match_thresholds thresholds)
    : shorthand_(std::move(shorthand)), thresholds_(thresholds), topics_(topic_phrases.size()) {
    // Documents: every phrase, tagged with its group (topic index, or topics_ for out-of-scope).
    std::vector<std::vector<std::pair<std::int32_t, double>>> docs;
    auto add_doc = [&](const std::string& phrase, std::uint32_t group) {
        auto n = normalize(phrase, shorthand_);
        if (n.folded.empty()) return;
        for (const auto& s : n.folded)
            if (!is_number(s)) ++syllable_count_[s];
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
        fi.idf = std::max(0.05, std::log((n_groups + 1) / (static_cast<double>(fi.groups.size()) + 0.5)));
    }
    unknown_idf_ = std::log((n_groups + 1) / 0.5) * unknown_factor;
    doc_weight_.reserve(docs.size());
    for (const auto& d : docs) {
        double w = 0;
        for (auto [id, tw] : d) w += tw * features_[static_cast<std::size_t>(id)].idf;
        doc_weight_.push_back(w);
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

std::string matcher::correct_typo(const std::string& q) const {
    if (q.size() < 3 || !is_ascii_word(q)) return {};
    std::string best;
    std::uint32_t best_count = 0;
    auto consider = [&](const std::string& key) {
        auto it = deletions_.find(key);
        if (it == deletions_.end()) return;
        for (const auto& cand : it->second) {
            auto diff = static_cast<long>(cand.size()) - static_cast<long>(q.size());
            if (diff > 1 || diff < -1) continue;
            auto c = syllable_count_.at(cand);
            if (c > best_count || (c == best_count && cand < best)) {
                best = cand;
                best_count = c;
            }
        }
    };
    consider(q);
    for (std::size_t i = 0; i < q.size(); ++i) consider(q.substr(0, i) + q.substr(i + 1));
    return best;
}

std::vector<matcher::weighted> matcher::query_features(const normalized_text& in) const {
    normalized_text n = in;
    for (std::size_t i = 0; i < n.folded.size(); ++i) {
        if (is_number(n.folded[i]) || syllable_count_.count(n.folded[i])) continue;
        auto fixed = correct_typo(n.folded[i]);
        if (!fixed.empty()) n.folded[i] = n.syllables[i] = fixed;  // accents unknown after a fix
    }
    std::vector<std::pair<std::string, double>> feats;
    add_features(n, feats);
    std::vector<weighted> out;
    std::unordered_set<std::string> seen;
    for (auto& [key, w] : feats) {
        if (!seen.insert(key).second) continue;
        auto it = feature_ids_.find(key);
        if (it != feature_ids_.end()) {
            out.push_back({it->second, w * features_[static_cast<std::size_t>(it->second)].idf});
        } else if (key[0] == 'u') {
            out.push_back({-1, unknown_idf_});  // unknown syllable: evidence against every topic
        }
        // Unknown bigrams and accented forms are ignored: their syllables already count.
    }
    return out;
}

match_decision matcher::match(std::string_view text) const {
    match_decision d;
    auto n = normalize(text, shorthand_);
    auto q = query_features(n);
    double total = 0;
    for (const auto& f : q) total += f.weight;
    if (total <= 0) return d;

    std::vector<double> cover(topics_ + 1, 0.0);
    std::vector<double> overlap(doc_group_.size(), 0.0);
    std::vector<std::uint32_t> touched;
    for (const auto& f : q) {
        if (f.id < 0) continue;
        const auto& fi = features_[static_cast<std::size_t>(f.id)];
        for (auto g : fi.groups) cover[g] += f.weight;
        for (auto doc : fi.docs) {
            if (overlap[doc] == 0) touched.push_back(doc);
            overlap[doc] += f.weight;
        }
    }
    std::vector<double> nearest(topics_ + 1, 0.0);
    for (auto doc : touched) {
        double dice = 2 * overlap[doc] / (total + doc_weight_[doc]);
        auto g = doc_group_[doc];
        nearest[g] = std::max(nearest[g], dice);
    }
    std::vector<ranked_topic> all;
    for (std::size_t g = 0; g <= topics_; ++g) {
        double s = coverage_share * (cover[g] / total) + (1 - coverage_share) * nearest[g];
        if (g == topics_)
            d.out_of_scope = s;
        else if (s > 0)
            all.push_back({g, s});
    }
    std::sort(all.begin(), all.end(), [](const ranked_topic& a, const ranked_topic& b) {
        return a.score != b.score ? a.score > b.score : a.topic < b.topic;
    });
    if (all.size() > max_ranked) all.resize(max_ranked);
    d.ranked = all;
    if (all.empty()) return d;
    d.score = all[0].score;
    double s1 = all[0].score;
    double s2 = all.size() > 1 ? all[1].score : 0.0;
    if (d.out_of_scope >= s1) return d;  // it reads like something the bot does not handle
    if (s1 < thresholds_.clarify) return d;
    bool close = all.size() > 1 && s1 - s2 < thresholds_.margin && s2 >= thresholds_.alt_floor;
    if (s1 >= thresholds_.answer && !close) {
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

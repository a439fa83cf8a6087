// Ranked retrieval over knowledge-base phrases: weighted syllable / bigram features on the
// accented and folded forms, typo tolerance on folded syllables, calibrated decision.
#pragma once

#include "bot/language/match_outcome.hpp"
#include "bot/language/normalize.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bot::nlp {

/// One scored topic.
struct ranked_topic {
    std::size_t topic = 0;  ///< index into the topics given to the matcher
    double score = 0;       ///< 0..1
};

/// Where the decision boundaries lie (calibrated on the dev and extra question sets).
struct match_thresholds {
    double answer = 0.50;    ///< best score needed to answer
    double clarify = 0.42;   ///< best score needed to ask back with alternatives
    double margin = 0.08;    ///< a second topic within this of the best is "close"
    double alt_floor = 0.30; ///< alternatives offered must score at least this
    // Scoring weights (see matcher.cpp).
    double bigram_weight = 1.3;    ///< a syllable bigram relative to a syllable
    double accented_weight = 0.35; ///< an accented syllable (extra to its folded form)
    double unknown_factor = 0.7;  ///< an unknown syllable's weight, as a share of the rarest IDF
    double coverage_share = 0.5;   ///< coverage vs nearest-phrase in the score
    double unknown_bigram = 0.25;   ///< an unknown bigram's weight, as a share of an unknown syllable's
    double idf_power = 1.0;        ///< IDF is raised to this power (> 1 favours topic-specific words)
    double marker_penalty = 0.5;   ///< topic scores are multiplied by this when a marker occurs
    double lone_answer = 0.45;     ///< a clear winner (see lone_margin) is answered from this score
    double lone_margin = 0.15;     ///< lead over the second topic that makes a winner clear
    double scope_margin = 0.05;    ///< lead over the out-of-scope group needed to answer (clear lead)
    double scope_tie = 0.03;       ///< the out-of-scope group must beat the best topic by this to win
    /// Not a decision, the speed of one: every phrase is scored in one pass when a message's
    /// postings reach this share of all phrases, else only the phrases it touches (same scores).
    double dense_from = 0.5;
};

/// One topic's evidence behind a decision (diagnostics for `eval --json` and calibration).
struct topic_evidence {
    std::size_t topic = 0;
    double model = 0;    ///< the learned model's probability
    double lexical = 0;  ///< the lexical matcher's score
    double combined = 0; ///< what the decision compared
};

/// What the matcher decided.
struct match_decision {
    using kind = match_outcome;
    kind outcome = kind::fallback;
    std::vector<ranked_topic> ranked;  ///< best first (at most 5), out-of-scope group excluded
    double score = 0;                  ///< best topic's score
    double out_of_scope = 0;           ///< the out-of-scope group's score (lexical), or probability (model)
    bool marker = false;               ///< an out-of-scope marker occurred
    std::vector<std::size_t> alternatives;  ///< clarified: 1–3 topics, best first
    bool acknowledgement = false;      ///< the message only thanks or acknowledges ("cảm ơn", "ok")
    std::vector<topic_evidence> evidence;  ///< the best topics' evidence, best first
    double known = 0;                  ///< share of the message's features the model has seen
    std::string read;                  ///< the part of the message the decision read (normalised)
};

/// The index. Immutable once built; safe to share between threads.
class matcher {
public:
    /// `topic_phrases[i]`: phrases of topic i (title, keywords, examples), each one document.
    /// `out_of_scope`: phrases of things the bot does not handle (a pseudo-topic that, when it
    /// wins, means fallback). `shorthand` expands chat abbreviations.
    /// `markers`: words or phrases that alone mark a message as not ours ("facebook", "xổ số").
    matcher(const std::vector<std::vector<std::string>>& topic_phrases, const std::vector<std::string>& out_of_scope,
            shorthand_table shorthand, match_thresholds thresholds = {}, const std::vector<std::string>& markers = {});

    /// Scores every topic for a message.
    [[nodiscard]] match_decision match(std::string_view text) const;
    /// Same for a message already normalised with shorthand().
    [[nodiscard]] match_decision match(const normalized_text& text) const;
    /// The message with typos on unknown syllables corrected where a neighbour confirms the
    /// correction ("khai xinh" → "khai sinh"); corrected syllables lose their accents.
    [[nodiscard]] normalized_text corrected(const normalized_text& text) const;
    /// The shorthand table used for normalisation.
    [[nodiscard]] const shorthand_table& shorthand() const { return shorthand_; }
    /// Number of topics (without the out-of-scope group).
    [[nodiscard]] std::size_t topic_count() const { return topics_; }
    /// The parameters in use.
    [[nodiscard]] const match_thresholds& thresholds() const { return thresholds_; }

private:
    struct feature_info {
        double idf = 0;
        std::vector<std::uint32_t> docs;    // documents containing it
        std::vector<std::uint32_t> groups;  // topics (and the out-of-scope group) containing it
    };
    struct weighted {
        std::int32_t id;  // feature id, -1 for an unknown syllable
        double weight;
    };
    void add_features(const normalized_text& n, std::vector<std::pair<std::string, double>>& out) const;
    [[nodiscard]] std::vector<weighted> query_features(const normalized_text& n) const;
    [[nodiscard]] std::string correct_typo(const normalized_text& n, std::size_t i) const;
    /// Known syllable `i`, typed with accents the knowledge base never has, read as its regional
    /// spelling that pairs with a neighbour (accented), or empty.
    [[nodiscard]] std::string correct_regional(const normalized_text& n, std::size_t i) const;
    /// Syllable `i` read as several known syllables typed without spaces, or empty.
    [[nodiscard]] std::vector<std::string> split_glued(const normalized_text& n, std::size_t i) const;

    shorthand_table shorthand_;
    match_thresholds thresholds_;
    std::size_t topics_ = 0;  // the out-of-scope group has index topics_
    std::unordered_map<std::string, std::int32_t> feature_ids_;
    std::vector<feature_info> features_;
    std::vector<std::uint32_t> doc_group_;
    std::vector<double> doc_weight_;
    std::vector<std::size_t> group_start_;  // group g's documents: [group_start_[g], group_start_[g + 1])
    std::unordered_map<std::string, std::uint32_t> syllable_count_;            // folded syllable → occurrences
    std::unordered_map<std::string, std::vector<std::string>> deletions_;     // 1-deletion → folded syllables
    std::unordered_map<std::string, bool> bigrams_;                           // folded "a b" seen in phrases
    double unknown_idf_ = 0;
    std::vector<normalized_text> markers_;  // each marker's syllables (accented and folded)
};

}  // namespace bot::nlp

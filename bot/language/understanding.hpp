// Understanding a citizen's message: the part of it that carries the request, a learned model
// and the lexical matcher side by side, and a decision whose thresholds are calibrated on the
// development split (answer, ask back with up to three topics, or fall back).
#pragma once

#include "bot/language/classifier.hpp"
#include "bot/language/matcher.hpp"
#include "bot/language/normalize.hpp"

#include <cstddef>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bot::nlp {

/// Where the decision boundaries lie. A topic's combined score is (1 - lexical_share) × model
/// probability + lexical_share × lexical score × (1 - p)^`lexical_scope`, p the model's
/// out-of-scope probability: the matcher says which topic a message would be if it were ours,
/// the model whether it is ours ("chợ phiên mấy giờ mở cửa" matches the opening hours' words
/// well, but is not about the desk). It is answered when it reaches `answer` and leads
/// the second by `margin`, or reaches `sure`; otherwise up to three topics scoring at least
/// `alternative` are offered when the best reaches `clarify` and no out-of-scope marker occurred;
/// nothing is offered when the model's out-of-scope probability reaches `max_none` or it knows
/// less than `min_known` of the message.
/// Calibrated on tests/fixtures/nlp-dev.tsv with tests/bench/nlp_calibrate (see its header).
struct decision_thresholds {
    double lexical_share = 0.5;
    double answer = 0.35;
    double margin = 0.30;
    double sure = 0.7;
    double clarify = 0.2;
    double alternative = 0.05;
    double max_none = 0.8;
    double min_known = 0.3;
    double lexical_scope = 0.0;
    /// Two neighbouring topics (training_texts::neighbours) ranked first and second that would
    /// be asked back between are answered with the first when their pair model gives it at least
    /// `pair_sure` and the model's out-of-scope probability is below `pair_max_none`. Above 1:
    /// never.
    double pair_sure = 0.8;
    double pair_max_none = 0.1;
    /// A message with an out-of-scope marker ("icloud", "iphone", "facebook") is not answered
    /// when the model's out-of-scope probability reaches this: "quên mật khẩu icloud" is not the
    /// portal's password. Marked messages that are ours ("bán hàng trên facebook có phải đăng ký
    /// kinh doanh không") stayed at 0.10 or less on the development set and both probe sets.
    double marker_max_none = 0.3;
};

/// Everything the understanding is trained and tuned with. The model's settings and the
/// decision thresholds were chosen on tests/fixtures/nlp-dev.tsv and are checked on
/// tests/fixtures/nlp-heldout.tsv, which nothing is trained or tuned on.
struct understanding_options {
    classifier_options model;
    unsigned variants = 4;                    ///< generated variants per training text (augment.hpp)
    unsigned ensemble = 2;                    ///< models averaged, each trained on its own draw of variants
    unsigned first_draw = 0;                  ///< the first model's draw of variants (and training order)
    std::size_t max_training_texts = 60000;   ///< fewer variants when a knowledge base is larger
    double none_weight = 1.0;                 ///< weight of an out-of-scope training text (a topic text is 1)
    std::size_t read_limit = 2048;            ///< bytes of a message that matching reads (head and tail; Zalo's longest text is longer)
    std::size_t min_clause = 3;               ///< a clause with fewer content syllables joins its neighbour
    double clause_gain = 0.15;                ///< the request clause is read alone when the model is this much surer of it
    decision_thresholds decision;
};

/// The texts the model learns from.
struct training_texts {
    std::vector<std::vector<std::string>> topics;  ///< per topic: title, keywords, examples
    std::vector<std::string> out_of_scope;          ///< messages the bot must not answer
    std::vector<std::string> markers;               ///< words that alone mark a message as not ours
    /// Topic pairs (indices into `topics`) that messages are often asked back between; each gets
    /// a model of its own, trained only on the two topics' texts.
    std::vector<std::pair<std::size_t, std::size_t>> neighbours;
};

/// What the pair model of two neighbouring topics says about a message.
struct pair_opinion {
    std::size_t first = 0;    ///< the pair's topics, first < second
    std::size_t second = 0;
    double pair = 0.5;        ///< the pair model's probability of `first`
};

/// What is known about one message before the thresholds decide (understander::analyse).
struct message_analysis {
    bool acknowledgement = false;       ///< only thanks or an acknowledgement (decided without thresholds)
    std::vector<float> probabilities;   ///< the model's, one per topic and last the out-of-scope class
    std::vector<ranked_topic> lexical;  ///< the lexical matcher's best topics
    bool marker = false;                ///< an out-of-scope marker occurred
    double known = 0;                   ///< share of the read part's features the model has seen
    std::string read;                   ///< the part of the message that was read (normalised)
    std::vector<pair_opinion> pairs;    ///< for the neighbouring pairs among the model's best topics
};

/// The part of a message that matching reads: all of it up to `limit` bytes; beyond that its
/// first two thirds and last third of `limit` (a long story usually ends with the request),
/// cut on UTF-8 character boundaries. A 1 MB message costs no more than a long one.
[[nodiscard]] std::string reading_window(std::string_view text, std::size_t limit);

/// True when a message only thanks or acknowledges ("cảm ơn", "tks", "ok", "vâng ạ", "dạ em
/// hiểu rồi", 👍): it gets a short friendly reply and never counts towards a hand-off.
[[nodiscard]] bool is_acknowledgement(std::string_view raw, const normalized_text& text);

/// True when a longer message thanks, or says the citizen is done, in any words and asks nothing
/// ("cảm ơn cán bộ đã chỉ cho, nhờ cháu chỉ mà tôi làm được rồi mừng lắm", "dạ con hỏi xong rồi
/// mai con lên xã nộp giấy"): answered as thanks too. Any question word, request, denial or
/// complaint ("không", "chưa", "sai", "muốn", "cần", "còn … nữa") keeps it a question.
[[nodiscard]] bool is_thanks_story(std::string_view raw, const normalized_text& text);

/// True when syllables [begin, end) only greet, thank or address someone ("dạ em chào cán bộ",
/// "em cảm ơn ạ", "chúc anh chị sức khỏe"): in a longer message such a clause is not the request.
[[nodiscard]] bool is_courtesy(const normalized_text& text, std::size_t begin, std::size_t end);

/// The clauses of a message as [begin, end) syllable ranges: split at punctuation and line
/// breaks, a clause with fewer than `min_clause` content syllables merged with the next one
/// (voice typing puts full stops in the middle of a request).
[[nodiscard]] std::vector<std::pair<std::size_t, std::size_t>> clauses_of(const normalized_text& text,
                                                                        std::size_t min_clause);

/// The trained understanding of one knowledge base. Immutable once built; thread-safe.
class understander {
public:
    static constexpr std::size_t no_topic = std::numeric_limits<std::size_t>::max();

    /// Trains the model on `texts` (plus generated variants) and indexes the matcher.
    /// `greeting_topic`: the topic an acknowledgement is answered with (no_topic: none).
    understander(const training_texts& texts, shorthand_table shorthand, std::size_t greeting_topic = no_topic,
                 understanding_options options = {});

    /// The trained models as bytes (the model cache keeps them between runs).
    [[nodiscard]] std::string saved() const;
    /// The understanding `texts` would train, with the models of saved() instead of training
    /// them; nullptr when `saved` does not hold models of that shape (another knowledge base's,
    /// or damaged bytes). The caller makes sure the bytes came from the same texts and options.
    [[nodiscard]] static std::unique_ptr<understander> restore(const training_texts& texts, shorthand_table shorthand,
                                                               std::size_t greeting_topic, std::string_view saved,
                                                               understanding_options options = {});

    /// Decides one message as typed: decide(analyse(text), options().decision).
    [[nodiscard]] match_decision understand(std::string_view text) const;
    /// The evidence about one message, before any threshold is applied.
    [[nodiscard]] message_analysis analyse(std::string_view text) const;
    /// The decision on evidence with the given thresholds (calibration varies them).
    [[nodiscard]] match_decision decide(const message_analysis& a, const decision_thresholds& t) const;
    /// The shorthand (and spoken forms) used to normalise.
    [[nodiscard]] const shorthand_table& shorthand() const { return matcher_.shorthand(); }
    /// The options in use.
    [[nodiscard]] const understanding_options& options() const { return options_; }
    /// Training figures: texts learnt from (with variants) and milliseconds spent.
    [[nodiscard]] std::size_t training_size() const { return training_size_; }
    [[nodiscard]] double training_ms() const { return training_ms_; }
    /// The pair opinion of topics `x` and `y` in `a`, or nullptr when they are no known pair.
    [[nodiscard]] static const pair_opinion* pair_of(const message_analysis& a, std::size_t x, std::size_t y);
    /// Number of pair models of neighbouring topics.
    [[nodiscard]] std::size_t pair_models() const { return pair_models_.size(); }
    /// The learned model (diagnostics, benchmarks).
    [[nodiscard]] const text_classifier& model() const { return model_; }

private:
    struct untrained {};
    understander(untrained, const training_texts& texts, shorthand_table shorthand, std::size_t greeting_topic,
                 understanding_options options);
    message_analysis analyse_normalized(const normalized_text& n) const;
    double predict(const feature_vector& features, std::vector<float>& p) const;

    understanding_options options_;
    matcher matcher_;
    text_classifier model_;
    std::vector<text_classifier> more_models_;  // the ensemble's others (options.ensemble > 1)
    // Neighbouring topics' pair models: pair_topics_[i] is what pair_models_[i] tells apart.
    std::vector<std::pair<std::size_t, std::size_t>> pair_topics_;
    std::vector<text_classifier> pair_models_;
    std::size_t topics_ = 0;
    std::size_t greeting_topic_ = no_topic;
    std::size_t training_size_ = 0;
    double training_ms_ = 0;
};

}  // namespace bot::nlp

// A learned text classifier: multinomial logistic regression over hashed word features of the
// normalised text, trained when the knowledge base loads.
#pragma once

#include "bot/language/normalize.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace bot::nlp {

class model_reader;
class model_writer;

/// How the classifier learns (defaults measured on tests/fixtures/nlp-dev.tsv).
struct classifier_options {
    unsigned epochs = 10;            ///< passes over the training texts
    double learning_rate = 0.35;     ///< AdaGrad step
    double l2 = 2e-5;                ///< weight decay per update
    double accented_weight = 0.45;   ///< an accented syllable, next to its folded form (1.0)
    double bigram_weight = 0.9;      ///< two neighbouring syllables
    double skip_weight = 0.35;       ///< syllables two apart ("làm giấy sinh" ~ "làm giấy khai sinh")
    double char_weight = 0.0;        ///< character n-grams of the folded words ("khaisinh" ~ "khai sinh"); 0: none
    unsigned char_min = 3;           ///< shortest character n-gram
    unsigned char_max = 4;           ///< longest character n-gram
    std::uint64_t seed = 20260101;   ///< the order of training texts (results are reproducible)
    /// Up to this many classes every feature has a weight for every class (it can count against
    /// a class it never occurred with); above, only for the classes it occurred with.
    std::size_t dense_up_to = 64;
    /// A feature seen in fewer training texts than this is not learnt (typos of the generated
    /// variants, one-off pairs): a smaller model, faster to train, as accurate.
    unsigned min_count = 2;
    /// Above dense_up_to classes, a feature occurring with more classes than this is dropped.
    std::size_t max_support = 48;
};

/// One training text with its class.
struct labelled_text {
    normalized_text text;
    std::uint32_t label = 0;
    float weight = 1.0F;
};

/// What the model reads of a text: its features (hash, value), unit length.
struct feature_vector {
    std::vector<std::pair<std::uint64_t, float>> items;
};

/// The features of syllables [begin, end) of `text` (politeness particles skipped).
[[nodiscard]] feature_vector text_features(const normalized_text& text, std::size_t begin, std::size_t end,
                                           const classifier_options& options);

/// The trained model. Immutable once built; safe to share between threads.
class text_classifier {
public:
    text_classifier() = default;
    /// Trains on `data` (labels below `classes`).
    text_classifier(const std::vector<labelled_text>& data, std::size_t classes, classifier_options options = {});

    /// Class probabilities for syllables [begin, end) of `text`, into `probabilities` (one per
    /// class). Returns the share of the text's feature weight the model has seen in training
    /// (0 when nothing is known, so every class has its prior).
    double predict(const normalized_text& text, std::size_t begin, std::size_t end,
                   std::vector<float>& probabilities) const;
    /// The same for features already computed with text_features() and the options this model
    /// was trained with (models trained with the same options share one computation).
    double predict(const feature_vector& features, std::vector<float>& probabilities) const;
    /// Number of classes.
    [[nodiscard]] std::size_t classes() const { return bias_.size(); }
    /// Number of distinct features learnt.
    [[nodiscard]] std::size_t features() const { return keys_.empty() ? 0 : feature_count_; }
    /// Number of weights (feature, class pairs).
    [[nodiscard]] std::size_t weights() const { return weight_.size(); }

    /// The trained model as bytes (model_bytes.hpp), without its options.
    void save(model_writer& out) const;
    /// A model saved by save() with `classes` classes, predicting with `options` (those it was
    /// trained with); false when the bytes are short or do not describe a well-formed model.
    [[nodiscard]] static bool restore(model_reader& in, std::size_t classes, const classifier_options& options,
                                      text_classifier& model);

private:
    [[nodiscard]] std::int64_t find(std::uint64_t key) const;
    void insert(std::uint64_t key, std::uint32_t index);
    /// True when every feature has a weight for every class, in class order (dense_up_to).
    [[nodiscard]] bool all_dense() const;

    classifier_options options_;
    // Open-addressing table: feature hash → feature index (key 0 = empty slot).
    std::vector<std::uint64_t> keys_;
    std::vector<std::uint32_t> slots_;
    std::size_t feature_count_ = 0;
    // Weights of each feature for the classes it occurred with in training (CSR).
    std::vector<std::uint32_t> offset_;
    std::vector<std::uint32_t> class_;
    std::vector<float> weight_;
    std::vector<float> bias_;
    bool dense_ = false;  // all_dense(): prediction indexes weights by class directly
};

}  // namespace bot::nlp

// Multinomial logistic regression over hashed word features (see classifier.hpp).
//
// Each feature keeps weights only for the classes it occurred with in training ("support
// features"): a 500-topic knowledge base then costs a few hundred weights per message instead
// of features × classes, and training stays in the hundreds of milliseconds. Features are the
// folded syllables, the accented ones (lighter), neighbouring pairs and pairs one apart, scaled to
// unit length so a long message and a short one weigh the same.
#include "bot/language/classifier.hpp"

#include "bot/language/model_bytes.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace bot::nlp {

namespace {

constexpr std::uint64_t fnv_offset = 1469598103934665603ULL;
constexpr std::uint64_t fnv_prime = 1099511628211ULL;

std::uint64_t mix(std::uint64_t h, std::string_view s) {
    for (unsigned char c : s) {
        h ^= c;
        h *= fnv_prime;
    }
    return h;
}

std::uint64_t hash_of(char kind, std::string_view a, std::string_view b = {}) {
    std::uint64_t h = fnv_offset;
    h ^= static_cast<unsigned char>(kind);
    h *= fnv_prime;
    h = mix(h, a);
    if (!b.empty()) {
        h ^= 0x1F;
        h *= fnv_prime;
        h = mix(h, b);
    }
    return h == 0 ? 1 : h;  // 0 marks an empty slot
}

bool all_digits(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// Numbers say little by their value but something by their shape: an age ("80 tuổi"), a year,
// a phone number.
std::string number_shape(const std::string& s) {
    if (s.size() >= 9) return "#phone";
    if (s.size() == 4) return "#year";
    if (s.size() <= 2) return "#small";
    return "#num";
}

// Where a feature's lookup in the open-addressing index starts.
std::size_t home_slot(std::uint64_t key, std::size_t mask) {
    return static_cast<std::size_t>(key * 0x9E3779B97F4A7C15ULL >> 20) & mask;
}

// A deterministic generator (splitmix64), the same on every platform and library version.
struct splitmix {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
};

}  // namespace

feature_vector text_features(const normalized_text& text, std::size_t begin, std::size_t end,
                             const classifier_options& options) {
    feature_vector out;
    end = std::min(end, text.folded.size());
    // The words that carry meaning, in order.
    thread_local std::vector<std::string> words;
    thread_local std::vector<const std::string*> accented;
    words.clear();
    accented.clear();
    for (std::size_t i = begin; i < end; ++i) {
        if (is_particle(text.syllables[i], text.folded[i])) continue;
        if (all_digits(text.folded[i])) {
            words.push_back(number_shape(text.folded[i]));
            accented.push_back(nullptr);
        } else {
            words.push_back(text.folded[i]);
            accented.push_back(text.syllables[i] != text.folded[i] ? &text.syllables[i] : nullptr);
        }
    }
    auto& items = out.items;
    items.reserve(words.size() * 4);
    for (std::size_t i = 0; i < words.size(); ++i) {
        items.emplace_back(hash_of('u', words[i]), 1.0F);
        if (accented[i]) items.emplace_back(hash_of('a', *accented[i]), static_cast<float>(options.accented_weight));
        if (i + 1 < words.size())
            items.emplace_back(hash_of('b', words[i], words[i + 1]), static_cast<float>(options.bigram_weight));
        if (i + 2 < words.size() && options.skip_weight > 0)
            items.emplace_back(hash_of('s', words[i], words[i + 2]), static_cast<float>(options.skip_weight));
    }
    if (options.char_weight > 0 && !words.empty()) {
        // Character n-grams over " w1 w2 ... ": robust to a typo, a missing space or an unknown
        // spelling that shares most of its letters with a known word.
        thread_local std::string line;
        line.assign(1, ' ');
        for (const auto& w : words) {
            line += w;
            line += ' ';
        }
        const auto cw = static_cast<float>(options.char_weight);
        for (unsigned n = options.char_min; n <= options.char_max; ++n)
            for (std::size_t i = 0; i + n <= line.size(); ++i)
                items.emplace_back(hash_of('c', std::string_view(line).substr(i, n)), cw);
    }
    // A repeated feature counts once ("khai sinh ... khai sinh"): the message is about it, not more so.
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end(),
                            [](const auto& a, const auto& b) { return a.first == b.first; }),
                items.end());
    double norm = 0;
    for (const auto& [h, v] : items) norm += static_cast<double>(v) * v;
    if (norm > 0) {
        auto scale = static_cast<float>(1.0 / std::sqrt(norm));
        for (auto& [h, v] : items) v *= scale;
    }
    return out;
}

std::int64_t text_classifier::find(std::uint64_t key) const {
    if (keys_.empty()) return -1;
    std::size_t mask = keys_.size() - 1;
    for (std::size_t i = home_slot(key, mask);; i = (i + 1) & mask) {
        if (keys_[i] == key) return slots_[i];
        if (keys_[i] == 0) return -1;
    }
}

void text_classifier::insert(std::uint64_t key, std::uint32_t index) {
    std::size_t mask = keys_.size() - 1;
    for (std::size_t i = home_slot(key, mask);; i = (i + 1) & mask) {
        if (keys_[i] == 0) {
            keys_[i] = key;
            slots_[i] = index;
            return;
        }
        if (keys_[i] == key) return;
    }
}

text_classifier::text_classifier(const std::vector<labelled_text>& data, std::size_t classes, classifier_options options)
    : options_(options) {
    bias_.assign(classes, 0.0F);
    if (data.empty() || classes == 0) return;

    // Features of every text, then an index of the distinct ones.
    std::vector<feature_vector> feats;
    feats.reserve(data.size());
    std::vector<std::uint64_t> all;
    for (const auto& d : data) {
        feats.push_back(text_features(d.text, 0, d.text.folded.size(), options_));
        for (const auto& [h, v] : feats.back().items) all.push_back(h);
    }
    std::sort(all.begin(), all.end());
    std::vector<std::uint64_t> distinct;
    for (std::size_t i = 0; i < all.size();) {
        std::size_t j = i;
        while (j < all.size() && all[j] == all[i]) ++j;
        if (j - i >= options_.min_count) distinct.push_back(all[i]);
        i = j;
    }
    all.clear();
    all.shrink_to_fit();
    feature_count_ = distinct.size();
    std::size_t capacity = 16;
    while (capacity < distinct.size() * 2) capacity <<= 1;
    keys_.assign(capacity, 0);
    slots_.assign(capacity, 0);
    for (std::size_t i = 0; i < distinct.size(); ++i) insert(distinct[i], static_cast<std::uint32_t>(i));

    // Support: the classes each feature occurred with.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;  // (feature, class)
    std::vector<std::vector<std::pair<std::uint32_t, float>>> rows(data.size());
    for (std::size_t e = 0; e < data.size(); ++e) {
        for (const auto& [h, v] : feats[e].items) {
            auto found = find(h);
            if (found < 0) continue;  // too rare to learn
            auto f = static_cast<std::uint32_t>(found);
            rows[e].emplace_back(f, v);
            pairs.emplace_back(f, data[e].label);
        }
    }
    feats.clear();
    feats.shrink_to_fit();
    if (classes <= options_.dense_up_to) {
        pairs.clear();
        pairs.reserve(feature_count_ * classes);
        for (std::uint32_t f = 0; f < feature_count_; ++f)
            for (std::uint32_t c = 0; c < classes; ++c) pairs.emplace_back(f, c);
    } else {
        std::sort(pairs.begin(), pairs.end());
        pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
        // A feature shared by many classes says little about any of them and costs the most:
        // it is dropped (from the rows and the index, so prediction skips it too).
        std::vector<std::uint32_t> support(feature_count_, 0);
        for (const auto& [f, c] : pairs) ++support[f];
        std::vector<std::int64_t> remap(feature_count_, -1);
        std::vector<std::uint64_t> kept;
        for (std::size_t f = 0; f < feature_count_; ++f)
            if (support[f] <= options_.max_support) {
                remap[f] = static_cast<std::int64_t>(kept.size());
                kept.push_back(distinct[f]);
            }
        if (kept.size() < feature_count_) {
            feature_count_ = kept.size();
            std::fill(keys_.begin(), keys_.end(), 0);
            for (std::size_t i = 0; i < kept.size(); ++i) insert(kept[i], static_cast<std::uint32_t>(i));
            std::vector<std::pair<std::uint32_t, std::uint32_t>> kept_pairs;
            for (const auto& [f, c] : pairs)
                if (remap[f] >= 0) kept_pairs.emplace_back(static_cast<std::uint32_t>(remap[f]), c);
            pairs.swap(kept_pairs);
            for (auto& row : rows) {
                std::vector<std::pair<std::uint32_t, float>> r;
                for (const auto& [f, v] : row)
                    if (remap[f] >= 0) r.emplace_back(static_cast<std::uint32_t>(remap[f]), v);
                row.swap(r);
            }
        }
    }
    offset_.assign(feature_count_ + 1, 0);
    class_.reserve(pairs.size());
    for (const auto& [f, c] : pairs) {
        ++offset_[f + 1];
        class_.push_back(c);
    }
    for (std::size_t f = 0; f < feature_count_; ++f) offset_[f + 1] += offset_[f];
    weight_.assign(class_.size(), 0.0F);
    dense_ = all_dense();

    // AdaGrad on the softmax loss, weighted examples, L2 decay on touched weights. A class whose
    // gradient is negligible for a text is skipped: once the model fits a text, only the few
    // classes still competing for it are updated, which makes training several times faster.
    std::vector<float> grad_sq(weight_.size(), 0.0F), bias_sq(classes, 0.0F);
    std::vector<float> z(classes), g(classes);
    std::vector<std::uint32_t> active;
    active.reserve(classes);
    std::vector<std::size_t> order(data.size());
    std::iota(order.begin(), order.end(), 0);
    splitmix rng{options_.seed};
    const auto lr = static_cast<float>(options_.learning_rate);
    const auto l2 = static_cast<float>(options_.l2);
    constexpr float eps = 1e-6F;
    constexpr float negligible = 1e-3F;
    const bool dense = classes <= options_.dense_up_to;
    // With many classes (sparse weights) a text competes only with the classes its features
    // occurred with, plus its own: the softmax runs over those, so one update costs what the
    // text's postings cost, not the number of topics.
    std::vector<std::uint32_t> stamp(classes, 0), candidates;
    std::uint32_t step = 0;
    for (unsigned epoch = 0; epoch < options_.epochs; ++epoch) {
        for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.next() % i]);
        for (auto e : order) {
            const auto& row = rows[e];
            const float w = data[e].weight;
            const auto label = data[e].label;
            if (dense) {
                std::copy(bias_.begin(), bias_.end(), z.begin());
                for (const auto& [f, v] : row) {
                    const float* wf = &weight_[offset_[f]];
                    for (std::size_t c = 0; c < classes; ++c) z[c] += wf[c] * v;
                }
                float zmax = *std::max_element(z.begin(), z.end());
                float sum = 0;
                for (auto& x : z) sum += (x = std::exp(x - zmax));
                active.clear();
                for (std::size_t c = 0; c < classes; ++c) {
                    g[c] = (z[c] / sum - (c == label ? 1.0F : 0.0F)) * w;
                    if (std::fabs(g[c]) < negligible) continue;
                    active.push_back(static_cast<std::uint32_t>(c));
                    bias_sq[c] += g[c] * g[c];
                    bias_[c] -= lr * g[c] / std::sqrt(bias_sq[c] + eps);
                }
                for (const auto& [f, v] : row) {
                    const auto base = offset_[f];
                    for (auto c : active) {
                        auto k = base + c;
                        float gk = g[c] * v + l2 * weight_[k];
                        grad_sq[k] += gk * gk;
                        weight_[k] -= lr * gk / std::sqrt(grad_sq[k] + eps);
                    }
                }
                continue;
            }
            // Sparse: scores of the candidate classes only.
            ++step;
            candidates.clear();
            auto touch = [&](std::uint32_t c) {
                if (stamp[c] == step) return;
                stamp[c] = step;
                z[c] = bias_[c];
                candidates.push_back(c);
            };
            touch(label);
            for (const auto& [f, v] : row)
                for (auto k = offset_[f]; k < offset_[f + 1]; ++k) {
                    touch(class_[k]);
                    z[class_[k]] += weight_[k] * v;
                }
            float zmax = z[candidates.front()];
            for (auto c : candidates) zmax = std::max(zmax, z[c]);
            float sum = 0;
            for (auto c : candidates) sum += (z[c] = std::exp(z[c] - zmax));
            for (auto c : candidates) {
                g[c] = (z[c] / sum - (c == label ? 1.0F : 0.0F)) * w;
                if (std::fabs(g[c]) < negligible) {
                    g[c] = 0;
                    continue;
                }
                bias_sq[c] += g[c] * g[c];
                bias_[c] -= lr * g[c] / std::sqrt(bias_sq[c] + eps);
            }
            for (const auto& [f, v] : row)
                for (auto k = offset_[f]; k < offset_[f + 1]; ++k) {
                    float gc = g[class_[k]];
                    if (gc == 0) continue;
                    float gk = gc * v + l2 * weight_[k];
                    grad_sq[k] += gk * gk;
                    weight_[k] -= lr * gk / std::sqrt(grad_sq[k] + eps);
                }
        }
    }
}

double text_classifier::predict(const normalized_text& text, std::size_t begin, std::size_t end,
                                std::vector<float>& probabilities) const {
    return predict(text_features(text, begin, end, options_), probabilities);
}

double text_classifier::predict(const feature_vector& fv, std::vector<float>& probabilities) const {
    const std::size_t classes = bias_.size();
    probabilities.assign(classes, 0.0F);
    if (classes == 0) return 0;
    thread_local std::vector<double> z;
    z.assign(bias_.begin(), bias_.end());
    double known = 0;
    double* zs = z.data();
    // The index and the weights are tens of megabytes: each feature's lookups miss the cache.
    // They are issued for all features before the sums need them, so the misses overlap.
    const std::size_t n = fv.items.size();
    thread_local std::vector<std::int64_t> found;
    found.resize(n);
    if (!keys_.empty()) {
        const std::size_t mask = keys_.size() - 1;
        for (const auto& [h, v] : fv.items) {
            const auto i = home_slot(h, mask);
            __builtin_prefetch(&keys_[i]);
            __builtin_prefetch(&slots_[i]);
        }
        for (std::size_t i = 0; i < n; ++i) {
            found[i] = find(fv.items[i].first);
            if (found[i] >= 0) __builtin_prefetch(&offset_[static_cast<std::size_t>(found[i])]);
        }
        for (std::size_t i = 0; i < n; ++i)
            if (found[i] >= 0) {
                const auto f = static_cast<std::size_t>(found[i]);
                for (auto k = offset_[f]; k < offset_[f + 1]; k += 16) __builtin_prefetch(&weight_[k]);  // a line each
            }
    } else {
        std::fill(found.begin(), found.end(), -1);
    }
    for (std::size_t i = 0; i < n; ++i) {
        const float v = fv.items[i].second;
        const auto f = found[i];
        if (f < 0) continue;
        known += static_cast<double>(v) * v;
        const auto first = offset_[static_cast<std::size_t>(f)], last = offset_[static_cast<std::size_t>(f) + 1];
        const float* w = weight_.data() + first;
        if (dense_) {
            // Every class in order: the same sums as below, without the class indirection.
            for (std::size_t c = 0; c < classes; ++c) zs[c] += static_cast<double>(w[c]) * v;
        } else {
            for (auto k = first; k < last; ++k) zs[class_[k]] += static_cast<double>(weight_[k]) * v;
        }
    }
    double zmax = *std::max_element(z.begin(), z.end());
    double sum = 0;
    for (auto& x : z) sum += (x = std::exp(x - zmax));
    for (std::size_t c = 0; c < classes; ++c) probabilities[c] = static_cast<float>(z[c] / sum);
    return known;
}

bool text_classifier::all_dense() const {
    const std::size_t classes = bias_.size();
    if (classes == 0 || offset_.size() != feature_count_ + 1) return false;
    for (std::size_t f = 0; f < feature_count_; ++f) {
        if (offset_[f + 1] - offset_[f] != classes) return false;
        for (std::size_t c = 0; c < classes; ++c)
            if (class_[offset_[f] + c] != c) return false;
    }
    return true;
}

void text_classifier::save(model_writer& out) const {
    out.value(static_cast<std::uint64_t>(feature_count_));
    out.items(keys_);
    out.items(slots_);
    out.items(offset_);
    out.items(class_);
    out.items(weight_);
    out.items(bias_);
}

bool text_classifier::restore(model_reader& in, std::size_t classes, const classifier_options& options,
                              text_classifier& model) {
    text_classifier m;
    m.options_ = options;
    std::uint64_t features = 0;
    if (!in.value(features) || !in.items(m.keys_) || !in.items(m.slots_) || !in.items(m.offset_) ||
        !in.items(m.class_) || !in.items(m.weight_) || !in.items(m.bias_))
        return false;
    // What predict() relies on: an index with at least one empty slot (a lookup ends), slots and
    // classes within range, offsets that never run past the weights.
    if (m.bias_.size() != classes || m.keys_.size() != m.slots_.size()) return false;
    if (m.keys_.empty()) {
        if (features != 0 || !m.offset_.empty() || !m.class_.empty() || !m.weight_.empty()) return false;
    } else {
        if ((m.keys_.size() & (m.keys_.size() - 1)) != 0 || features >= m.keys_.size()) return false;
        m.feature_count_ = static_cast<std::size_t>(features);
        std::size_t used = 0;
        for (std::size_t i = 0; i < m.keys_.size(); ++i)
            if (m.keys_[i] != 0 && (++used, m.slots_[i] >= m.feature_count_)) return false;
        if (used != m.feature_count_ || m.offset_.size() != m.feature_count_ + 1 || m.offset_.front() != 0 ||
            m.offset_.back() != m.class_.size() || m.class_.size() != m.weight_.size())
            return false;
        for (std::size_t f = 0; f < m.feature_count_; ++f)
            if (m.offset_[f] > m.offset_[f + 1]) return false;
        for (auto c : m.class_)
            if (c >= classes) return false;
    }
    m.dense_ = m.all_dense();
    model = std::move(m);
    return true;
}

}  // namespace bot::nlp

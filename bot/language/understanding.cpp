// Understanding a message (see understanding.hpp).
//
// The learned model ranks better than the lexical matcher on messages unlike the examples, and
// its out-of-scope class (trained on out-of-scope messages that share words with topics) says
// when a message is not ours; the matcher adds the lexical evidence of rare, exact phrases. A
// long message is read clause by clause: the clause (or two neighbouring clauses) the model is
// most sure about is what is decided on, so the story before a request does not dilute it.
#include "bot/language/understanding.hpp"

#include "bot/language/augment.hpp"
#include "bot/language/model_bytes.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <unordered_set>

namespace bot::nlp {

namespace {

// Topics whose evidence is compared (and reported).
constexpr std::size_t compared_topics = 8;

// A request clause is read alone only when its topic is among this many the whole message's model
// ranks first. Three turned away a story whose few words of small talk pulled three other topics
// ahead ("bữa nay lên xã làm giấy tờ, mấy em làm lẹ lắm. Có chỗ nào cho tui bấm hài lòng hông?");
// four to eight read the same lines on the development set and both fresh probe sets.
constexpr std::size_t suggested_topics = 5;

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

std::size_t content_syllables(const normalized_text& n, std::size_t b, std::size_t e) {
    std::size_t k = 0;
    for (std::size_t i = b; i < e; ++i)
        if (!is_particle(n.syllables[i], n.folded[i])) ++k;
    return k;
}

normalized_text slice(const normalized_text& n, std::size_t b, std::size_t e) {
    normalized_text out;
    out.syllables.assign(n.syllables.begin() + static_cast<long>(b), n.syllables.begin() + static_cast<long>(e));
    out.folded.assign(n.folded.begin() + static_cast<long>(b), n.folded.begin() + static_cast<long>(e));
    if (!out.syllables.empty()) out.clause_starts.push_back(0);
    return out;
}

// Words that make a clause a question or a request ("... thì làm sao", "cho em hỏi", "cần gì").
bool asks_something(const normalized_text& n, std::size_t b, std::size_t e) {
    static const std::unordered_set<std::string> markers = {
        "gi", "sao", "nao", "dau", "khong", "chua", "bao", "may", "hoi", "xin", "giup", "cach", "muon",
        "can", "duoc", "the", "nhu", "ntn", "lam", "khi", "dau", "ai", "hong", "ko"};
    for (std::size_t i = b; i < e; ++i)
        if (markers.count(n.folded[i])) return true;
    return false;
}

std::string text_of(const normalized_text& n, std::size_t b, std::size_t e) {
    std::string out;
    for (std::size_t i = b; i < e; ++i) {
        if (!out.empty()) out += ' ';
        out += n.syllables[i];
    }
    return out;
}

// The `k` topics (of `topics`) the probabilities `v` rank highest, best first.
std::vector<std::size_t> best_topics(const std::vector<float>& v, std::size_t topics, std::size_t k) {
    k = std::min(k, topics);
    std::vector<std::size_t> idx(topics);
    for (std::size_t t = 0; t < topics; ++t) idx[t] = t;
    std::partial_sort(idx.begin(), idx.begin() + static_cast<long>(k), idx.end(),
                      [&](std::size_t x, std::size_t y) { return v[x] > v[y]; });
    idx.resize(k);
    return idx;
}

}  // namespace

std::string reading_window(std::string_view text, std::size_t limit) {
    if (text.size() <= limit) return std::string(text);
    std::size_t head = limit * 2 / 3;
    std::size_t tail_start = text.size() - (limit - head);
    while (head > 0 && is_continuation(static_cast<unsigned char>(text[head]))) --head;
    while (tail_start < text.size() && is_continuation(static_cast<unsigned char>(text[tail_start]))) ++tail_start;
    std::string out(text.substr(0, head));
    out += '\n';  // a clause break: the two pieces are not one sentence
    out.append(text.substr(tail_start));
    return out;
}

bool is_acknowledgement(std::string_view raw, const normalized_text& n) {
    if (n.folded.empty()) {
        // Only emoji: a thumbs up, folded hands or the OK hand is a "thank you".
        for (std::string_view e : {"\xF0\x9F\x91\x8D", "\xF0\x9F\x99\x8F", "\xF0\x9F\x91\x8C"})
            if (raw.find(e) != std::string_view::npos) return true;
        return false;
    }
    static const std::unordered_set<std::string> core_folded = {"thanks", "thank", "tks", "thx", "ok", "oke", "okay",
                                                               "oki", "okie", "okela", "okey", "oce", "vang", "uk", "uhm"};
    static const std::unordered_set<std::string> core_accented = {"dạ", "ừ", "ờ", "ừm", "ờm", "uh", "ừa", "vâng", "ok"};
    static const std::unordered_set<std::string> allowed = {
        "em", "anh", "chi", "ban", "ad", "admin", "co", "chu", "bac", "chau", "con", "toi", "minh", "a", "nhe", "nha",
        "nghen", "nhen", "nhieu", "nhiu", "lam", "rat", "xin", "chan", "thanh", "you", "roi", "da", "duoc", "biet",
        "hieu", "ro", "xong", "vay", "the", "nhe", "ha", "ah", "ak", "so", "much", "very", "cam", "on", "can", "bo",
        "ca", "nha", "oi", "qua", "hay", "tot", "vang", "u", "o", "a", "b", "c", "e",
        // What people add after thanks: "để em thử", "mai em lên xã", "em nắm được rồi", "à ra vậy".
        "de", "thu", "mai", "len", "xa", "se", "nam", "ra", "la", "vay", "that",
        // "rồi ạ", "nhận được rồi", "cháu sẽ làm theo", "hay quá", "tuyệt vời", "thôi được rồi".
        "roi", "nhan", "theo", "tuyet", "voi", "gioi", "thoi",
        // Older people address the official as kin and add a wish or praise: "bà làm được rồi, cháu
        // giỏi quá", "cảm ơn, chúc ủy ban làm việc tốt", "cảm ơn cháu, nhiệt tình quá".
        "ba", "ong", "me", "cu", "di", "thim", "chuc", "suc", "khoe", "manh", "binh", "an", "vui", "ve", "uy", "viec",
        "nhiet", "tinh", "tan", "dao"};
    bool core = false;
    for (std::size_t i = 0; i < n.folded.size(); ++i) {
        const auto& f = n.folded[i];
        const auto& s = n.syllables[i];
        bool next_roi = i + 1 < n.folded.size() && n.folded[i + 1] == "roi";
        if (f == "cam" && i + 1 < n.folded.size() && n.folded[i + 1] == "on") {
            core = true;
            ++i;
            continue;
        }
        if (core_folded.count(f) || core_accented.count(s)) {
            core = true;
            continue;
        }
        if (f == "ra" && i + 1 < n.folded.size() && (n.folded[i + 1] == "vay" || n.folded[i + 1] == "the")) {
            core = true;  // "à ra vậy", "ra thế"
            ++i;
            continue;
        }
        if ((s == "thế" || s == "vậy") && i + 1 < n.syllables.size() &&
            (n.syllables[i + 1] == "à" || n.syllables[i + 1] == "hả" || n.syllables[i + 1] == "ạ")) {
            core = true;  // "à thế à", "vậy hả", "vậy ạ"
            ++i;
            continue;
        }
        if (i == 0 && s == "rồi") {
            core = true;  // "rồi ạ", "rồi nha"
            continue;
        }
        if (((f == "hay" || f == "tot" || f == "gioi") && i + 1 < n.folded.size() && n.folded[i + 1] == "qua") ||
            (f == "tuyet" && (i + 1 == n.folded.size() || n.folded[i + 1] == "voi"))) {
            core = true;  // "hay quá", "tốt quá", "tuyệt vời"
            ++i;
            continue;
        }
        if ((f == "duoc" || f == "biet" || f == "hieu" || f == "ro" || f == "xong" || f == "nam") && next_roi) {
            core = true;
            ++i;
            continue;
        }
        if (!allowed.count(f)) return false;
    }
    return core;
}

bool is_thanks_story(std::string_view raw, const normalized_text& n) {
    // Longer thanks, in any words, as older people write them: "cảm ơn cán bộ đã chỉ cho, mấy
    // bữa nay tôi lo quá, nhờ cháu chỉ mà tôi làm được rồi mừng lắm", "dạ con hỏi xong rồi mai
    // con lên xã nộp giấy". It must thank (cảm ơn, tks), or begin with dạ / vâng / ok and say the
    // citizen is done (xong, được rồi, hiểu rồi); and nothing in it may ask, request, deny or
    // complain: a question word, "không" / "chưa" / "sai" / "lỗi", "muốn", "cần", "còn … nữa".
    constexpr std::size_t max_syllables = 48;
    const std::size_t size = n.folded.size();
    if (size < 2 || size > max_syllables || raw.find('?') != std::string_view::npos) return false;
    auto at = [&](std::size_t i) -> const std::string& {
        static const std::string none;
        return i < size ? n.folded[i] : none;
    };
    static const std::unordered_set<std::string> refuses = {
        "gi",  "nao",  "ntn", "ai",    "khong", "ko", "k",    "hong", "hok", "chua", "chang", "sai",
        "loi", "muon", "nua", "nhung", "mat",   "bi", "cach", "hu",   "voi", "sao",  "vay"};
    bool thanks = false, finished = false;
    for (std::size_t i = 0; i < size; ++i) {
        const auto& f = n.folded[i];
        const auto& s = n.syllables[i];
        if (refuses.count(f)) {
            if (f == "sao" && i > 0 && at(i - 1) == "ban") continue;  // "bản sao": a copy, not "why"
            if (f == "voi" && at(i - 1) == "tuyet") continue;         // "tuyệt vời"
            return false;
        }
        if (s == "cần" || s == "còn" || s == "đâu" || s == "dau") return false;  // "dau" unaccented: "đâu"
        if (f == "bao" && (at(i + 1) == "nhieu" || at(i + 1) == "lau" || at(i + 1) == "gio")) return false;
        if (f == "may" && (at(i + 1) == "gio" || at(i + 1) == "tien" || at(i + 1) == "lau")) return false;
        // "cho hỏi", "hỏi thêm" ask; "hỏi xong rồi" is done, "hồi nãy" (unaccented "hoi nay") is earlier.
        if (f == "hoi" && (s == "hỏi" || s == f) && at(i + 1) != "xong" && at(i + 1) != "nay") return false;
        if (f == "xin" && at(i + 1) != "cam" && at(i + 1) != "chan") return false;
        if ((f == "giup" || f == "gium") && at(i - 1) != "da" && at(i + 1) != "do") return false;
        if (f == "thi" && i + 1 == size) return false;  // "còn khai tử thì"
        if (f == "cam" && at(i + 1) == "on") thanks = true;
        if (f == "tks" || f == "thanks" || f == "thank" || f == "thx" || f == "camon") thanks = true;
        if (f == "xong" ||
            (f == "roi" && (at(i - 1) == "duoc" || at(i - 1) == "hieu" || at(i - 1) == "ro" || at(i - 1) == "biet")))
            finished = true;
    }
    if (thanks) return true;
    const auto& head = n.folded.front();  // dạ, vâng, ok, accented or not
    return finished && (head == "da" || head == "vang" || head == "ok");
}

bool is_courtesy(const normalized_text& n, std::size_t begin, std::size_t end) {
    static const std::unordered_set<std::string> words = {
        "chao", "xin",  "alo",   "lo",   "hello", "hi",    "helo", "da",   "thua", "kinh", "gui",  "cam",  "on",
        "thanks", "thank", "tks", "ok",  "oke",   "vang",  "anh",  "chi",  "em",   "can",  "bo",   "ad",   "admin",
        "ban",  "co",   "chu",   "bac",  "chau",  "con",   "toi",  "minh", "moi",  "nguoi", "oi",  "nhe",  "nha",
        "nhieu", "uy",  "xa",    "buoi", "sang",  "chieu", "tot",  "lanh", "chuc", "suc",  "khoe", "ngay", "vui",
        "ve",   "mot",  "a",     "ak",   "ah",    "rat",   "truoc", "lam",  "phien", "loi", "cac",  "quy",  "vi"};
    if (begin >= end) return false;
    for (std::size_t i = begin; i < end; ++i)
        if (!words.count(n.folded[i])) return false;
    return true;
}

std::vector<std::pair<std::size_t, std::size_t>> clauses_of(const normalized_text& n, std::size_t min_clause) {
    std::vector<std::pair<std::size_t, std::size_t>> raw, out;
    const auto& starts = n.clause_starts;
    for (std::size_t i = 0; i < starts.size(); ++i) {
        std::size_t e = i + 1 < starts.size() ? starts[i + 1] : n.syllables.size();
        if (e > starts[i]) raw.emplace_back(starts[i], e);
    }
    if (raw.empty() && !n.syllables.empty()) raw.emplace_back(0, n.syllables.size());
    // Fragments join the clause after them ("Con tôi. Sinh. Tháng trước." → one clause).
    std::size_t open = raw.empty() ? 0 : raw.front().first;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        std::size_t e = raw[i].second;
        if (content_syllables(n, open, e) < min_clause && i + 1 < raw.size()) continue;
        out.emplace_back(open, e);
        open = e;
    }
    // A short last fragment ("... ở đâu. Cảm ơn") joins the clause before it.
    if (out.size() > 1 && content_syllables(n, out.back().first, out.back().second) < min_clause) {
        out[out.size() - 2].second = out.back().second;
        out.pop_back();
    }
    return out;
}

understander::understander(untrained, const training_texts& texts, shorthand_table shorthand,
                           std::size_t greeting_topic, understanding_options options)
    : options_(options),
      matcher_(texts.topics, texts.out_of_scope, shorthand, match_thresholds{}, texts.markers),
      topics_(texts.topics.size()),
      greeting_topic_(greeting_topic < texts.topics.size() ? greeting_topic : no_topic) {}

understander::understander(const training_texts& texts, shorthand_table shorthand, std::size_t greeting_topic,
                           understanding_options options)
    : understander(untrained{}, texts, std::move(shorthand), greeting_topic, options) {
    auto t0 = std::chrono::steady_clock::now();
    std::size_t originals = texts.out_of_scope.size() + texts.markers.size();
    for (const auto& t : texts.topics) originals += t.size();
    unsigned variants = options_.variants;
    while (variants > 0 && originals * (1 + variants) > options_.max_training_texts) --variants;

    const auto& sh = matcher_.shorthand();
    // One member of the ensemble: the texts with their own draw of variants, its own order.
    auto train = [&](unsigned member, std::size_t& size, std::vector<labelled_text>* keep) {
        std::vector<labelled_text> data;
        data.reserve(originals * (1 + variants));
        auto add = [&](const std::string& text, std::uint32_t label, float weight) {
            auto n = normalize(text, sh);
            if (n.folded.empty()) return;
            data.push_back({std::move(n), label, weight});
            for (auto& v : variants_of(text, variants, options_.first_draw + member)) {
                auto nv = normalize(v, sh);
                if (!nv.folded.empty()) data.push_back({std::move(nv), label, weight});
            }
        };
        for (std::size_t t = 0; t < texts.topics.size(); ++t)
            for (const auto& s : texts.topics[t]) add(s, static_cast<std::uint32_t>(t), 1.0F);
        const auto none = static_cast<std::uint32_t>(topics_);
        for (const auto& s : texts.out_of_scope) add(s, none, static_cast<float>(options_.none_weight));
        for (const auto& s : texts.markers) add(s, none, static_cast<float>(options_.none_weight));
        size = data.size();
        auto mo = options_.model;
        mo.seed += options_.first_draw + member;
        text_classifier model(data, topics_ + 1, mo);
        if (keep) *keep = std::move(data);
        return model;
    };
    // One after the other: two members training at once would hold twice the training data
    // (about 75 MB each for the bundled base) while the previous model still serves.
    const unsigned members = std::max(1U, options_.ensemble);
    // A pair model sees only its two topics' texts: what tells them apart weighs more there than
    // in a model where both words also have to tell each from twenty-seven other topics. Trained
    // on the first member's texts before the next member's are made, so memory peaks no higher.
    auto train_pairs = [&](const std::vector<labelled_text>& data) {
        std::vector<std::vector<std::size_t>> by_label(topics_ + 1);
        for (std::size_t i = 0; i < data.size(); ++i) by_label[data[i].label].push_back(i);
        for (auto [x, y] : texts.neighbours) {
            if (x == y || x >= topics_ || y >= topics_) continue;
            if (x > y) std::swap(x, y);
            if (std::find(pair_topics_.begin(), pair_topics_.end(), std::make_pair(x, y)) != pair_topics_.end()) continue;
            std::vector<labelled_text> two;
            two.reserve(by_label[x].size() + by_label[y].size());
            for (auto i : by_label[x]) two.push_back({data[i].text, 0, 1.0F});
            for (auto i : by_label[y]) two.push_back({data[i].text, 1, 1.0F});
            auto mo = options_.model;
            mo.seed += options_.first_draw + 1000 + x * topics_ + y;
            pair_topics_.emplace_back(x, y);
            pair_models_.emplace_back(two, 2, mo);
        }
    };
    const bool pairs = !texts.neighbours.empty();
    for (unsigned m = 0; m < members; ++m) {
        std::size_t size = 0;
        if (m == 0) {
            std::vector<labelled_text> first_data;
            model_ = train(m, size, pairs ? &first_data : nullptr);
            if (pairs) train_pairs(first_data);
        } else {
            more_models_.push_back(train(m, size, nullptr));
        }
        training_size_ += size;
    }
    training_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::string understander::saved() const {
    model_writer out;
    out.value(static_cast<std::uint64_t>(topics_));
    out.value(static_cast<std::uint64_t>(training_size_));
    model_.save(out);
    out.value(static_cast<std::uint64_t>(more_models_.size()));
    for (const auto& m : more_models_) m.save(out);
    out.value(static_cast<std::uint64_t>(pair_models_.size()));
    for (std::size_t i = 0; i < pair_models_.size(); ++i) {
        out.value(static_cast<std::uint64_t>(pair_topics_[i].first));
        out.value(static_cast<std::uint64_t>(pair_topics_[i].second));
        pair_models_[i].save(out);
    }
    return out.take();
}

std::unique_ptr<understander> understander::restore(const training_texts& texts, shorthand_table shorthand,
                                                    std::size_t greeting_topic, std::string_view saved,
                                                    understanding_options options) {
    auto t0 = std::chrono::steady_clock::now();
    model_reader in(saved);
    std::uint64_t topics = 0, size = 0, more = 0, pairs = 0;
    if (!in.value(topics) || topics != texts.topics.size() || !in.value(size)) return nullptr;
    std::unique_ptr<understander> u(new understander(untrained{}, texts, std::move(shorthand), greeting_topic, options));
    // The options each model was trained with (only what prediction reads of them matters).
    if (!text_classifier::restore(in, u->topics_ + 1, options.model, u->model_) || !in.value(more) ||
        more + 1 != std::max(1U, options.ensemble))
        return nullptr;
    u->more_models_.resize(static_cast<std::size_t>(more));
    for (auto& m : u->more_models_)
        if (!text_classifier::restore(in, u->topics_ + 1, options.model, m)) return nullptr;
    if (!in.value(pairs) || pairs > texts.neighbours.size()) return nullptr;
    u->pair_models_.resize(static_cast<std::size_t>(pairs));
    for (auto& m : u->pair_models_) {
        std::uint64_t x = 0, y = 0;
        if (!in.value(x) || !in.value(y) || x >= y || y >= topics) return nullptr;
        u->pair_topics_.emplace_back(static_cast<std::size_t>(x), static_cast<std::size_t>(y));
        if (!text_classifier::restore(in, 2, options.model, m)) return nullptr;
    }
    if (!in.done()) return nullptr;
    u->training_size_ = static_cast<std::size_t>(size);
    u->training_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return u;
}

match_decision understander::understand(std::string_view text) const { return decide(analyse(text), options_.decision); }

message_analysis understander::analyse(std::string_view text) const {
    auto window = reading_window(text, options_.read_limit);
    auto n = matcher_.corrected(normalize(window, matcher_.shorthand()));
    if (greeting_topic_ != no_topic && (is_acknowledgement(window, n) || is_thanks_story(window, n))) {
        message_analysis a;
        a.acknowledgement = true;
        a.read = n.text();
        return a;
    }
    return analyse_normalized(n);
}

message_analysis understander::analyse_normalized(const normalized_text& n) const {
    message_analysis a;
    if (n.folded.empty() || topics_ == 0) return a;

    // Which part of the message to read: greetings and thanks around the request are left out;
    // then the whole, a clause, or two neighbouring clauses.
    auto clauses = clauses_of(n, options_.min_clause);
    while (clauses.size() > 1 && is_courtesy(n, clauses.front().first, clauses.front().second))
        clauses.erase(clauses.begin());
    while (clauses.size() > 1 && is_courtesy(n, clauses.back().first, clauses.back().second)) clauses.pop_back();
    std::pair<std::size_t, std::size_t> whole{0, n.folded.size()};
    if (!clauses.empty()) whole = {clauses.front().first, clauses.back().second};
    // The request is usually in the last clause that asks something ("... giờ em muốn hỏi làm
    // khai sinh cần gì"); read with the clause before it, it is decided on when the model is
    // surer of it than of the whole message and its topic is one the whole message suggests too
    // (a fragment alone can look like anything: "em cần làm thủ tục gì").
    // Every model is trained with options_.model, so one computation of a range's features
    // serves the ensemble and the pair models.
    std::vector<float> best, p;
    std::pair<std::size_t, std::size_t> chosen = whole;
    auto chosen_features = text_features(n, whole.first, whole.second, options_.model);
    double best_known = predict(chosen_features, best);
    if (clauses.size() > 1) {
        std::size_t ask = clauses.size();
        for (std::size_t i = clauses.size(); i-- > 0;)
            if (asks_something(n, clauses[i].first, clauses[i].second)) {
                ask = i;
                break;
            }
        if (ask < clauses.size()) {
            std::pair<std::size_t, std::size_t> part{clauses[ask > 0 ? ask - 1 : 0].first, clauses[ask].second};
            if (part != whole) {
                auto part_features = text_features(n, part.first, part.second, options_.model);
                double known = predict(part_features, p);
                auto part_top = best_topics(p, topics_, 1).front();
                auto whole_top = best_topics(best, topics_, suggested_topics);
                bool consistent = std::find(whole_top.begin(), whole_top.end(), part_top) != whole_top.end();
                if (consistent && p[part_top] > best[whole_top.front()] + options_.clause_gain) {
                    best.swap(p);
                    best_known = known;
                    chosen = part;
                    chosen_features = std::move(part_features);
                }
            }
        }
    }
    // The pair models of neighbouring topics among the model's best three.
    if (!pair_topics_.empty()) {
        const auto top3 = best_topics(best, topics_, 3);
        thread_local std::vector<float> q;
        for (std::size_t i = 0; i < top3.size(); ++i)
            for (std::size_t j = i + 1; j < top3.size(); ++j) {
                auto x = std::min(top3[i], top3[j]), y = std::max(top3[i], top3[j]);
                for (std::size_t m = 0; m < pair_topics_.size(); ++m) {
                    if (pair_topics_[m] != std::make_pair(x, y)) continue;
                    pair_models_[m].predict(chosen_features, q);
                    a.pairs.push_back({x, y, q[0]});
                }
            }
    }
    auto lexical = chosen.first == 0 && chosen.second == n.folded.size()
                       ? matcher_.match(n)
                       : matcher_.match(slice(n, chosen.first, chosen.second));
    a.probabilities = std::move(best);
    a.lexical = std::move(lexical.ranked);
    a.marker = lexical.marker;
    a.known = best_known;
    a.read = text_of(n, chosen.first, chosen.second);
    return a;
}

const pair_opinion* understander::pair_of(const message_analysis& a, std::size_t x, std::size_t y) {
    if (x > y) std::swap(x, y);
    for (const auto& p : a.pairs)
        if (p.first == x && p.second == y) return &p;
    return nullptr;
}

double understander::predict(const feature_vector& features, std::vector<float>& p) const {
    double known = model_.predict(features, p);
    if (more_models_.empty()) return known;
    thread_local std::vector<float> q;
    for (const auto& m : more_models_) {
        m.predict(features, q);
        for (std::size_t c = 0; c < p.size(); ++c) p[c] += q[c];
    }
    const auto k = static_cast<float>(1 + more_models_.size());
    for (auto& x : p) x /= k;
    return known;
}

match_decision understander::decide(const message_analysis& a, const decision_thresholds& t) const {
    match_decision d;
    d.read = a.read;
    if (a.acknowledgement) {
        d.outcome = match_decision::kind::answered;
        d.acknowledgement = true;
        d.score = 1;
        d.ranked.push_back({greeting_topic_, 1.0});
        return d;
    }
    if (a.probabilities.size() != topics_ + 1 || topics_ == 0) return d;
    const auto& best = a.probabilities;

    // Evidence per topic: the model's best topics and the matcher's.
    std::vector<topic_evidence> ev;
    std::vector<std::size_t> order(topics_);
    for (std::size_t k = 0; k < topics_; ++k) order[k] = k;
    auto top = std::min(compared_topics, topics_);
    std::partial_sort(order.begin(), order.begin() + static_cast<long>(top), order.end(),
                      [&](std::size_t x, std::size_t y) { return best[x] != best[y] ? best[x] > best[y] : x < y; });
    auto lexical_of = [&](std::size_t topic) {
        for (const auto& r : a.lexical)
            if (r.topic == topic) return r.score;
        return 0.0;
    };
    // The lexical evidence counts as far as the model believes the message is ours.
    const double in_scope =
        t.lexical_scope > 0 ? std::pow(std::max(0.0, 1.0 - static_cast<double>(best[topics_])), t.lexical_scope) : 1.0;
    auto add_topic = [&](std::size_t topic) {
        for (const auto& x : ev)
            if (x.topic == topic) return;
        double s = lexical_of(topic);
        double c = (1 - t.lexical_share) * best[topic] + t.lexical_share * s * in_scope;
        ev.push_back({topic, best[topic], s, c});
    };
    for (std::size_t k = 0; k < top; ++k) add_topic(order[k]);
    for (const auto& r : a.lexical) add_topic(r.topic);
    std::sort(ev.begin(), ev.end(), [](const topic_evidence& x, const topic_evidence& y) {
        return x.combined != y.combined ? x.combined > y.combined : x.topic < y.topic;
    });
    if (ev.size() > compared_topics) ev.resize(compared_topics);

    const double p_none = best[topics_];
    d.evidence = ev;
    d.known = a.known;
    d.out_of_scope = p_none;
    d.marker = a.marker;
    for (std::size_t k = 0; k < ev.size() && k < 5; ++k) d.ranked.push_back({ev[k].topic, ev[k].combined});
    if (ev.empty()) return d;
    const double c1 = ev[0].combined;
    const double c2 = ev.size() > 1 ? ev[1].combined : 0.0;
    d.score = c1;
    // Not ours, too little of it known, or marked as about something else with a fair chance of
    // not being ours: nothing is answered or offered (the calibrator's gate is the same).
    if (p_none >= t.max_none || a.known < t.min_known || (a.marker && p_none >= t.marker_max_none)) return d;
    if (c1 >= t.answer && (c1 - c2 >= t.margin || c1 >= t.sure)) {
        d.outcome = match_decision::kind::answered;
        return d;
    }
    // An out-of-scope marker ("icloud", "giá vàng", "facebook") says the message is about
    // something else: when the evidence is not enough to answer, no topic is offered either.
    if (c1 < t.clarify || a.marker) return d;
    // Two neighbouring topics that would be asked back between: their pair model, trained on
    // nothing else, answers with the first when it is sure of it. Answering instead of asking
    // risks a wrong answer, so not when the message may not be ours at all.
    if (ev.size() > 1 && p_none < t.pair_max_none) {
        if (const auto* p = pair_of(a, ev[0].topic, ev[1].topic)) {
            const double of_best = ev[0].topic == p->first ? p->pair : 1 - p->pair;
            if (of_best >= t.pair_sure) {
                d.outcome = match_decision::kind::answered;
                return d;
            }
        }
    }
    for (const auto& x : ev) {
        if (d.alternatives.size() == 3 || x.combined < t.alternative) break;
        d.alternatives.push_back(x.topic);
    }
    if (!d.alternatives.empty()) d.outcome = match_decision::kind::clarified;
    return d;
}

}  // namespace bot::nlp

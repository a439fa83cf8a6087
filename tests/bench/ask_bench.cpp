// Benchmark: median and p99 time of knowledge_base::match() on a generated 500-topic KB, the
// time to load and train the knowledge bases, what a long and a 1 MB message cost, and the
// cost of match() on the bundled knowledge base over the benchmarks' distinct questions (the
// development set's lines: what the webhook's I/O threads understand under load).
// Run from the repository root: ./build/tests/ask_bench [topics] [questions]
//                           or: ./build/tests/ask_bench --bundled [passes]   (the bundled base alone)
#include "bot/core/config.hpp"
#include "bot/language/knowledge_base.hpp"
#include "bot/language/normalize.hpp"
#include "tests/bench/bench_support.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == ' ') {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& w : v) out += (out.empty() ? "" : " ") + w;
    return out;
}

// match() on the bundled knowledge base over every distinct benchmark question, after one pass
// that warms the caches: median, mean and p99 in microseconds.
void bundled_questions(const bot::knowledge_base& kb, int passes) {
    const auto& questions = bench::bench_questions();
    for (const auto& q : questions) (void)kb.match(q);
    std::vector<double> us;
    us.reserve(questions.size() * static_cast<std::size_t>(passes));
    double total = 0;
    for (int pass = 0; pass < passes; ++pass)
        for (const auto& q : questions) {
            auto t0 = std::chrono::steady_clock::now();
            auto m = kb.match(q);
            auto t1 = std::chrono::steady_clock::now();
            if (m.score < 0) std::puts("");  // a use of the result the compiler cannot drop
            us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
            total += us.back();
        }
    std::sort(us.begin(), us.end());
    std::printf("bundled knowledge base, %zu distinct questions x %d: match() median %.1f us, mean %.1f us, p99 %.1f us\n",
                questions.size(), passes, us[us.size() / 2], total / static_cast<double>(us.size()),
                us[us.size() * 99 / 100]);
}

}  // namespace

int main(int argc, char** argv) {
    const bool bundled_only = argc > 1 && std::string(argv[1]) == "--bundled";
    int passes = 3;
    if (bundled_only) {
        --argc, ++argv;
        if (argc > 1) passes = std::max(1, std::atoi(argv[1]));
    }
    std::size_t n_topics = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 500;
    std::size_t n_questions = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 20000;
    bot::config cfg;  // defaults: templates/kb, templates/shorthand.tsv (run from the repo root)
    auto t_load = std::chrono::steady_clock::now();
    auto real = bot::load_knowledge_base(cfg);
    auto real_stats = bot::training_stats(*real);  // trains the model
    double real_load_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_load).count();
    std::printf("bundled knowledge base: %zu topics, loaded and trained in %.0f ms (model: %zu texts in %.0f ms)\n",
                real->topics().size(), real_load_ms, real_stats.texts, real_stats.milliseconds);
    bundled_questions(*real, passes);
    if (bundled_only) return 0;

    // Real Vietnamese syllables (from the bundled KB) so postings look like production ones.
    auto sh = bot::nlp::load_shorthand(cfg.kb.shorthand_file);
    std::vector<std::string> vocab;
    std::vector<std::string> out_of_scope = {"thời tiết hôm nay", "xổ số miền bắc", "bóng đá tối nay"};
    for (const auto& t : real->topics())
        for (const auto& e : t.examples)
            for (const auto& s : bot::nlp::normalize(e, sh).syllables) vocab.push_back(s);
    std::mt19937 rng(12345);
    auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };

    std::vector<bot::kb_topic> topics;
    std::vector<std::string> questions_pool;
    for (std::size_t i = 0; i < n_topics; ++i) {
        bot::kb_topic t;
        t.id = "topic_" + std::to_string(i);
        std::vector<std::string> key;  // the topic's own words
        for (int k = 0; k < 6; ++k) key.push_back(pick(vocab));
        t.title = key[0] + " " + key[1];
        t.keywords = {key[0] + " " + key[1], key[2] + " " + key[3], key[4]};
        for (int e = 0; e < 16; ++e) {
            std::vector<std::string> words;
            std::size_t len = 3 + rng() % 9;
            for (std::size_t w = 0; w < len; ++w) words.push_back(rng() % 10 < 4 ? key[rng() % key.size()] : pick(vocab));
            t.examples.push_back(join(words));
        }
        t.answer = "Trả lời " + t.title;
        questions_pool.push_back(t.examples[rng() % t.examples.size()]);
        topics.push_back(std::move(t));
    }
    auto t_make = std::chrono::steady_clock::now();
    auto kb = bot::make_knowledge_base(std::move(topics), out_of_scope, cfg.kb.shorthand_file);
    auto gen_stats = bot::training_stats(*kb);
    std::printf("generated knowledge base: %zu topics, indexed and trained in %.0f ms (model: %zu texts in %.0f ms)\n",
                n_topics,
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_make).count(),
                gen_stats.texts, gen_stats.milliseconds);

    // Questions: paraphrases (dropped words, no diacritics, a typo) and some random chatter.
    std::vector<std::string> questions;
    for (std::size_t q = 0; q < n_questions; ++q) {
        auto words = split(questions_pool[rng() % questions_pool.size()]);
        if (words.size() > 3 && rng() % 2) words.erase(words.begin() + static_cast<long>(rng() % words.size()));
        if (rng() % 3 == 0) words.push_back(pick(vocab));
        std::string s = join(words);
        if (rng() % 2) s = bot::nlp::fold_diacritics(s);
        if (rng() % 4 == 0 && s.size() > 4) s.erase(rng() % s.size(), 1);
        if (rng() % 10 == 0) s = "asdf qwer " + pick(vocab);
        questions.push_back(bot::nlp::to_nfc(s));
    }

    // Warm up, then time each call.
    std::size_t answered = 0;
    for (std::size_t i = 0; i < 1000 && i < questions.size(); ++i) answered += kb->match(questions[i]).outcome == bot::match_outcome::answered;
    answered = 0;
    std::vector<double> us;
    us.reserve(questions.size());
    double slowest = 0;
    std::string slowest_q;
    for (const auto& q : questions) {
        auto t0 = std::chrono::steady_clock::now();
        auto m = kb->match(q);
        auto t1 = std::chrono::steady_clock::now();
        answered += m.outcome == bot::match_outcome::answered;
        us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        if (us.back() > slowest) {
            slowest = us.back();
            slowest_q = q;
        }
    }
    std::printf("slowest question (%.0f us): %s\n", slowest, slowest_q.c_str());
    // The normalisation step alone, for comparison.
    std::vector<double> norm_us;
    norm_us.reserve(questions.size());
    for (const auto& q : questions) {
        auto t0 = std::chrono::steady_clock::now();
        auto n = bot::nlp::normalize(q, sh);
        auto t1 = std::chrono::steady_clock::now();
        if (n.syllables.size() > 1000) std::puts("");
        norm_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    std::sort(norm_us.begin(), norm_us.end());
    std::sort(us.begin(), us.end());
    auto at = [&](double p) { return us[std::min(us.size() - 1, static_cast<std::size_t>(p * static_cast<double>(us.size())))]; };
    std::printf("ask_bench: %zu topics, %zu questions (%zu answered)\n", n_topics, us.size(), answered);
    std::printf("match(): median %.1f us, p90 %.1f us, p99 %.1f us, max %.1f us (bar: median <= 100 us)\n", at(0.5),
                at(0.9), at(0.99), us.back());
    std::printf("normalize() alone: median %.1f us\n", norm_us[norm_us.size() / 2]);

    // Long messages on the bundled knowledge base: a 2,000-character story with the request at
    // the end (Zalo's longest text), and the same story repeated to 1 MB. The reading limit makes
    // the second cost no more than the first.
    std::string story;
    while (story.size() < 2000) story += "nhà em ở thôn Đồng Tâm, con em mới đi làm về, trời mưa to lắm. ";
    const std::string request = "Giờ em muốn hỏi làm giấy khai sinh cho con mới sinh cần những gì ạ";
    std::string huge;
    while (huge.size() < 1024 * 1024) huge += story;
    auto time_of = [&](const std::string& text, int runs) {
        std::vector<double> t;
        for (int i = 0; i < runs; ++i) {
            auto t0 = std::chrono::steady_clock::now();
            auto m = real->match(text);
            auto t1 = std::chrono::steady_clock::now();
            if (m.score < 0) std::puts("");  // a use of the result the compiler cannot drop
            t.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        }
        std::sort(t.begin(), t.end());
        return t[t.size() / 2];
    };
    std::vector<double> short_us;
    for (const char* q : {"lam giay khai sinh cho con o dau", "quên mật khẩu vneid", "xin giấy xác nhận độc thân"})
        short_us.push_back(time_of(q, 200));
    std::sort(short_us.begin(), short_us.end());
    std::printf("bundled knowledge base: short question median %.1f us; 2,000-character message %.0f us; 1 MB message %.0f us\n",
                short_us[1], time_of(story + request, 50), time_of(huge + request, 20));
    return at(0.5) <= 100.0 ? 0 : 1;
}

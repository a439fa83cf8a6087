#include "bot/language/classifier.hpp"

#include "bot/language/augment.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

namespace {

using bot::nlp::labelled_text;
using bot::nlp::normalize;
using bot::nlp::shorthand_table;

std::vector<labelled_text> toy_data() {
    const shorthand_table none;
    std::vector<labelled_text> data;
    auto add = [&](std::uint32_t label, std::initializer_list<const char*> texts) {
        for (const char* t : texts) data.push_back({normalize(t, none), label, 1.0F});
    };
    add(0, {"đăng ký khai sinh cho con", "làm giấy khai sinh", "con mới sinh làm giấy gì", "khai sinh cho bé"});
    add(1, {"đăng ký kết hôn", "làm giấy kết hôn ở xã", "lấy vợ làm giấy gì", "thủ tục kết hôn"});
    add(2, {"thời tiết hôm nay", "giá vàng hôm nay", "kết quả bóng đá", "mai có mưa không"});
    return data;
}

std::size_t argmax(const std::vector<float>& p) {
    return static_cast<std::size_t>(std::max_element(p.begin(), p.end()) - p.begin());
}

}  // namespace

TEST_CASE("the classifier learns which class a text belongs to", "[nlp]") {
    bot::nlp::text_classifier model(toy_data(), 3);
    CHECK(model.classes() == 3);
    CHECK(model.features() > 0);
    const shorthand_table none;
    std::vector<float> p;
    for (auto [text, label] : {std::pair{"làm khai sinh cho con mới sinh", 0}, std::pair{"giấy kết hôn làm ở đâu", 1},
                               std::pair{"hôm nay có mưa không", 2}}) {
        INFO(text);
        auto n = normalize(text, none);
        double known = model.predict(n, 0, n.folded.size(), p);
        CHECK(known > 0.3);
        CHECK(argmax(p) == static_cast<std::size_t>(label));
        float sum = 0;
        for (float x : p) sum += x;
        CHECK(sum == Approx(1.0F).epsilon(1e-4));
    }
}

TEST_CASE("training is reproducible: the same texts give the same probabilities", "[nlp]") {
    bot::nlp::text_classifier a(toy_data(), 3), b(toy_data(), 3);
    auto n = normalize("đăng ký cho con", shorthand_table{});
    std::vector<float> pa, pb;
    (void)a.predict(n, 0, n.folded.size(), pa);
    (void)b.predict(n, 0, n.folded.size(), pb);
    CHECK(pa == pb);
}

TEST_CASE("a text of unknown words is known to nobody and gets the classes' priors", "[nlp]") {
    bot::nlp::text_classifier model(toy_data(), 3);
    auto n = normalize("qwerty zxcvb", shorthand_table{});
    std::vector<float> p;
    CHECK(model.predict(n, 0, n.folded.size(), p) == 0.0);
    REQUIRE(p.size() == 3);
    // Only part of a text can be read: syllables outside [begin, end) do not count.
    auto k = normalize("thời tiết hôm nay đăng ký kết hôn", shorthand_table{});
    (void)model.predict(k, 4, k.folded.size(), p);
    CHECK(argmax(p) == 1);
}

TEST_CASE("with many classes only the classes a feature occurred with get weights, and it still learns", "[nlp]") {
    bot::nlp::classifier_options sparse;
    sparse.dense_up_to = 0;
    bot::nlp::text_classifier model(toy_data(), 3, sparse);
    bot::nlp::text_classifier dense(toy_data(), 3);
    CHECK(model.weights() < dense.weights());
    auto n = normalize("lấy vợ làm giấy kết hôn", shorthand_table{});
    std::vector<float> p;
    (void)model.predict(n, 0, n.folded.size(), p);
    CHECK(argmax(p) == 1);
}

TEST_CASE("generated variants are the same text typed differently, reproducibly", "[nlp]") {
    auto v = bot::nlp::variants_of("đăng ký khai sinh cho con", 4);
    CHECK_FALSE(v.empty());
    CHECK(v.size() <= 4);
    CHECK(v == bot::nlp::variants_of("đăng ký khai sinh cho con", 4));
    for (const auto& s : v) CHECK(s != "đăng ký khai sinh cho con");
    // Across texts, every kind shows up; without diacritics is one of them.
    bool unaccented = false;
    for (const char* t : {"làm giấy khai sinh", "đăng ký kết hôn ở xã", "quên mật khẩu vneid", "làm căn cước ở đâu",
                          "xin giấy phép xây dựng", "tra cứu hồ sơ đã nộp"})
        for (const auto& s : bot::nlp::variants_of(t, 4)) unaccented = unaccented || s == bot::nlp::fold_diacritics(t);
    CHECK(unaccented);
    CHECK(bot::nlp::variants_of("x", 0).empty());
}

TEST_CASE("features computed once predict what the text predicts, in a dense and a sparse model", "[nlp]") {
    bot::nlp::classifier_options sparse;
    sparse.dense_up_to = 0;  // weights only for the classes a feature occurred with
    const bot::nlp::text_classifier dense_model(toy_data(), 3), sparse_model(toy_data(), 3, sparse);
    for (const char* text : {"làm khai sinh cho con mới sinh", "giấy kết hôn làm ở đâu", "xổ số hôm nay", "ok"}) {
        INFO(text);
        auto n = normalize(text, shorthand_table{});
        for (const auto* model : {&dense_model, &sparse_model}) {
            std::vector<float> from_text, from_features;
            const double known_text = model->predict(n, 1, n.folded.size(), from_text);
            const auto features = bot::nlp::text_features(n, 1, n.folded.size(), bot::nlp::classifier_options{});
            CHECK(model->predict(features, from_features) == known_text);
            CHECK(from_features == from_text);
        }
    }
    // The two kinds really differ: the sparse model cannot count a word against a class it
    // never occurred with.
    auto n = normalize("khai sinh", shorthand_table{});
    std::vector<float> pd, ps;
    (void)dense_model.predict(n, 0, n.folded.size(), pd);
    (void)sparse_model.predict(n, 0, n.folded.size(), ps);
    CHECK(pd != ps);
}

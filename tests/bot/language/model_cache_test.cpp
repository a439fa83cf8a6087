#include "bot/language/model_cache.hpp"

#include "bot/core/config.hpp"
#include "bot/language/knowledge_base.hpp"
#include "bot/language/understanding.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace fs = std::filesystem;

namespace {

bot::nlp::training_texts three_topics() {
    bot::nlp::training_texts texts;
    texts.topics = {{"tạo tài khoản mới", "đăng ký tài khoản", "lập tài khoản để nộp hồ sơ"},
                    {"quên mật khẩu tài khoản", "lấy lại mật khẩu", "tài khoản bị khóa không vào được"},
                    {"đăng ký kết hôn", "làm giấy kết hôn", "cưới nhau cần giấy gì"}};
    texts.out_of_scope = {"giá vàng hôm nay", "thời tiết ngày mai", "con bị sốt uống thuốc gì"};
    texts.neighbours = {{0, 1}};
    return texts;
}

std::string file_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void put_bytes(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << bytes;
}

}  // namespace

TEST_CASE("the program has an identity to key its models with", "[nlp]") {
    // Debian's toolchain gives every executable a GNU build id; without one nothing is cached.
    CHECK(bot::nlp::program_identity().size() == 64);
}

TEST_CASE("a cache entry is read back whole, and never when damaged, cut short or another key's", "[nlp]") {
    test::temp_dir dir;
    bot::nlp::model_cache cache(dir.file("models"));
    CHECK_FALSE(cache.read("texts A"));
    std::string bytes(100000, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 131 % 251);
    REQUIRE(cache.write("texts A", bytes));
    auto back = cache.read("texts A");
    REQUIRE(back);
    CHECK(*back == bytes);
    CHECK_FALSE(cache.read("texts B"));

    const auto file = cache.file_of("texts A");
    const auto whole = file_bytes(file);
    auto damaged = whole;
    damaged[damaged.size() / 2] ^= 0x20;
    put_bytes(file, damaged);
    CHECK_FALSE(cache.read("texts A"));
    put_bytes(file, whole.substr(0, whole.size() - 10));
    CHECK_FALSE(cache.read("texts A"));
    put_bytes(file, "");
    CHECK_FALSE(cache.read("texts A"));
    // Written again, it is whole again; no half-written file is left beside it.
    REQUIRE(cache.write("texts A", bytes));
    CHECK(cache.read("texts A") == bytes);
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(dir.file("models"))) files += e.is_regular_file() ? 1 : 0;
    CHECK(files == 1);
    CHECK((fs::status(file).permissions() & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
}

TEST_CASE("the cache keeps its most recently used entries", "[nlp]") {
    test::temp_dir dir;
    bot::nlp::model_cache cache(dir.file("models"), 2);
    REQUIRE(cache.write("a", "first"));
    REQUIRE(cache.write("b", "second"));
    // Set the times apart explicitly: two writes can fall in one tick of the file system's clock.
    const auto now = fs::file_time_type::clock::now();
    fs::last_write_time(cache.file_of("a"), now - std::chrono::hours(2));
    fs::last_write_time(cache.file_of("b"), now - std::chrono::hours(1));
    REQUIRE(cache.read("a"));  // used: now the most recent
    REQUIRE(cache.write("c", "third"));
    CHECK(cache.read("a") == std::string("first"));
    CHECK_FALSE(cache.read("b"));
    CHECK(cache.read("c") == std::string("third"));
}

TEST_CASE("a cache folder that cannot be made is no error: nothing is kept", "[nlp]") {
    test::temp_dir dir;
    test::write_file(dir.file("plain-file"), "not a folder");
    bot::nlp::model_cache cache(dir.file("plain-file") + "/models");
    CHECK_FALSE(cache.write("a", "bytes"));
    CHECK_FALSE(cache.read("a"));
}

TEST_CASE("a restored understanding decides every message as the trained one did", "[nlp]") {
    const auto texts = three_topics();
    bot::nlp::understander trained(texts, bot::nlp::shorthand_table{});
    const auto bytes = trained.saved();
    auto restored = bot::nlp::understander::restore(texts, bot::nlp::shorthand_table{}, bot::nlp::understander::no_topic, bytes);
    REQUIRE(restored);
    CHECK(restored->pair_models() == trained.pair_models());
    CHECK(restored->training_size() == trained.training_size());
    CHECK(restored->model().features() == trained.model().features());
    for (const char* text : {"quen mat khau tai khoan", "tạo tài khoản mới thế nào", "đăng ký kết hôn cần gì",
                             "giá vàng", "lấy lại mật khẩu tài khoản bị khóa", "xyz"}) {
        INFO(text);
        auto a = trained.analyse(text), b = restored->analyse(text);
        CHECK(a.probabilities == b.probabilities);
        CHECK(a.pairs.size() == b.pairs.size());
        auto x = trained.understand(text), y = restored->understand(text);
        CHECK(x.outcome == y.outcome);
        CHECK(x.score == y.score);
    }
    // Bytes of another shape, or cut anywhere, are refused rather than half-read.
    auto other = texts;
    other.topics.pop_back();
    CHECK_FALSE(bot::nlp::understander::restore(other, bot::nlp::shorthand_table{}, bot::nlp::understander::no_topic, bytes));
    for (std::size_t cut : {std::size_t{0}, std::size_t{7}, bytes.size() / 3, bytes.size() - 1})
        CHECK_FALSE(bot::nlp::understander::restore(texts, bot::nlp::shorthand_table{}, bot::nlp::understander::no_topic,
                                                    std::string_view(bytes).substr(0, cut)));
    CHECK_FALSE(bot::nlp::understander::restore(texts, bot::nlp::shorthand_table{}, bot::nlp::understander::no_topic,
                                                bytes + "x"));
}

TEST_CASE("the model cache is beside the database unless configured or off", "[nlp]") {
    auto cfg = bot::load_config_from("", {}, true);
    cfg.storage.path = "/var/lib/cchcbot/cchcbot.db";
    CHECK(bot::model_cache_dir(cfg) == "/var/lib/cchcbot/model-cache");
    cfg.storage.path = ":memory:";
    CHECK(bot::model_cache_dir(cfg).empty());
    auto set = bot::load_config_from("[kb]\nmodel_cache = \"/srv/models\"\n", {}, true);
    CHECK(bot::model_cache_dir(set) == "/srv/models");
    auto off = bot::load_config_from("", {{"CCHCBOT_KB_MODEL_CACHE", "off"}}, true);
    CHECK(bot::model_cache_dir(off).empty());
}

TEST_CASE("kb check trains once, then reads the models from the cache", "[nlp]") {
    // (A damaged entry is never read: the cache's own test above. Training twice here would cost
    // a minute under the sanitizers.)
    test::temp_dir models;
    test::cli_deployment cli("CCHCBOT_KB_MODEL_CACHE='" + models.file("m") + "'");
    auto first = cli.ok("kb check");
    CHECK_THAT(first, Catch::Contains("texts with generated variants, trained in"));
    auto second = cli.ok("kb check");
    CHECK_THAT(second, Catch::Contains("texts with generated variants, read from the model cache in"));
    std::size_t entries = 0;
    for (const auto& e : fs::directory_iterator(models.file("m"))) entries += e.path().extension() == ".model" ? 1 : 0;
    CHECK(entries == 1);
}

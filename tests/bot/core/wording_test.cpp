// One voice and the locality's words: every text a citizen or official reads, and where its unit words come from.
#include "bot/core/wording.hpp"

#include "bot/core/config.hpp"
#include "bot/core/messages.hpp"
#include "bot/language/knowledge_base.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>
#include <toml++/toml.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

namespace {

struct text_item {
    std::string where;
    std::string text;
};

// Every message text (templates/messages) a citizen or official reads in a chat; the report's own
// sentences (reports.toml) follow the half-year report's style instead.
std::vector<text_item> message_texts() {
    std::vector<text_item> out;
    for (const auto& f : std::filesystem::directory_iterator(test::source_dir() + "/templates/messages")) {
        if (f.path().extension() != ".toml" || f.path().filename() == "reports.toml") continue;
        auto t = toml::parse_file(f.path().string());
        for (auto&& [k, v] : t)
            if (auto s = v.value<std::string>()) out.push_back({f.path().filename().string() + ": " + std::string(k.str()), *s});
    }
    return out;
}

std::vector<text_item> answer_texts() {
    std::vector<text_item> out;
    auto kb = bot::load_knowledge_base(test::test_config());
    for (const auto& t : kb->topics()) {
        out.push_back({t.id + ".answer", t.answer});
        out.push_back({t.id + ".title", t.title});
        for (const auto& b : t.buttons) out.push_back({t.id + ".button", b.title});
    }
    return out;
}

// The text without what it quotes (commands people type: "hồ sơ của tôi").
std::string unquoted(const std::string& s) {
    static const std::regex quoted(R"("[^"]*")");
    return std::regex_replace(s, quoted, "\"\"");
}

}  // namespace

TEST_CASE("the bot calls itself em in every message and answer, never tôi", "[wording]") {
    static const std::regex toi(R"((^|[^\w])[Tt]ôi([^\w]|$))");
    auto items = message_texts();
    auto answers = answer_texts();
    items.insert(items.end(), answers.begin(), answers.end());
    REQUIRE(items.size() > 100);
    for (const auto& i : items) {
        INFO(i.where << ": " << i.text);
        CHECK_FALSE(std::regex_search(unquoted(i.text), toi));
    }
}

TEST_CASE("every knowledge-base answer opens with Dạ and closes with ạ", "[wording]") {
    auto kb = bot::load_knowledge_base(test::test_config());
    for (const auto& t : kb->topics()) {
        INFO(t.id << ": " << t.answer);
        CHECK(t.answer.rfind("Dạ, ", 0) == 0);
        const auto end = t.answer.substr(t.answer.size() - std::min<std::size_t>(t.answer.size(), 6));
        CHECK(end.find("ạ") != std::string::npos);
    }
}

TEST_CASE("texts use one tone placement and write abbreviations out", "[wording]") {
    // The chosen placement: hủy, khóa, hòa, thủy (not huỷ, khoá, hoà, thuỷ) in open syllables.
    static const std::regex new_style(
        R"((^|[^qQ])(oà|oá|oả|oã|oạ|oè|oé|oẻ|oẽ|oẹ|uỳ|uý|uỷ|uỹ|uỵ)($|[^a-zA-Zàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]))");
    static const std::regex bare_abbreviation(R"(\b(UBND|HĐND|CCCD|CMND|BHYT|TTHC)\b)");
    auto items = message_texts();
    auto answers = answer_texts();
    items.insert(items.end(), answers.begin(), answers.end());
    for (const auto& i : items) {
        INFO(i.where << ": " << i.text);
        CHECK_FALSE(std::regex_search(i.text, new_style));
        CHECK_FALSE(std::regex_search(i.text, bare_abbreviation));
    }
}

TEST_CASE("no message text hard-codes a unit word", "[wording]") {
    static const std::regex unit_word(R"((^|[^\w])(xã|phường|thị trấn|huyện|thôn|Một cửa|một cửa|UBND)([^\w]|$))");
    for (const auto& i : message_texts()) {
        INFO(i.where << ": " << i.text);
        CHECK_FALSE(std::regex_search(i.text, unit_word));
    }
}

TEST_CASE("messages name the units, the desk and the portal from the configuration", "[wording]") {
    auto cfg = test::test_config();
    auto texts = bot::load_messages(cfg);
    // Today's defaults (templates/kb/locality-defaults.toml): two tiers, commune or ward.
    CHECK(texts.render("conversation_choose_unit") == "Dạ, anh/chị ở xã, phường nào ạ?");
    CHECK_THAT(texts.render("conversation_welcome"), Catch::Contains("Trung tâm Phục vụ hành chính công"));
    // A deployment for 2023's structure says so in [locality]; a caller's own desk wins.
    cfg.locality["unit_word"] = "xã, thị trấn";
    cfg.locality["mot_cua_ten"] = "Bộ phận Một cửa UBND huyện Yên Thế";
    cfg.locality["ten_cong_dvc"] = "Cổng Dịch vụ công tỉnh Bắc Giang";
    texts = bot::load_messages(cfg);
    CHECK(texts.render("conversation_choose_unit") == "Dạ, anh/chị ở xã, thị trấn nào ạ?");
    CHECK_THAT(texts.render("conversation_welcome"), Catch::Contains("Bộ phận Một cửa UBND huyện Yên Thế"));
    CHECK_THAT(texts.render("conversation_lookup_hint"), Catch::Contains("Cổng Dịch vụ công tỉnh Bắc Giang"));
    CHECK_THAT(texts.render("conversation_place_one_stop", {{"desk", "Trung tâm Phục vụ hành chính công xã Bố Hạ"}}),
               Catch::Contains("xã Bố Hạ"));
}

TEST_CASE("a unit's desk is its own name or the locality's desk prefix and its name", "[wording]") {
    auto cfg = test::test_config();
    auto texts = bot::load_messages(cfg);
    bot::unit_config u;
    u.id = "yen_the";
    u.name = "xã Yên Thế";
    CHECK(bot::desk_name_of(texts, u) == "Trung tâm Phục vụ hành chính công xã Yên Thế");
}

TEST_CASE("kb check names a wording key the messages need and the locality lacks", "[wording]") {
    test::temp_dir dir;
    test::write_file(dir.file("kb/locality-defaults.toml"), "[locality]\nmot_cua_ten = \"Trung tâm\"\n");
    auto cfg = test::test_config();
    cfg.kb.dir = dir.file("kb");
    std::string all;
    for (const auto& p : bot::missing_wording(cfg)) all += p + "\n";
    CHECK_THAT(all, Catch::Contains("locality.unit_word is missing") && Catch::Contains("locality.village_word") &&
                        !Catch::Contains("locality.mot_cua_ten"));
    CHECK(bot::missing_wording(test::test_config()).empty());
}

TEST_CASE("the knowledge base never confirms a hand-off itself", "[wording]") {
    // The hand-off handler sends the only confirmation (with the hand-off's number); the topic's
    // answer, printed by `ask`, tells how to reach an official instead.
    auto kb = bot::load_knowledge_base(test::test_config());
    const auto* t = kb->find("gap_can_bo");
    REQUIRE(t);
    CHECK(t->answer.find("đã chuyển") == std::string::npos);
    CHECK(t->answer.find("mã hỗ trợ") == std::string::npos);
}

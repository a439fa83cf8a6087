#include "bot/core/messages.hpp"

#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

TEST_CASE("texts render with placeholders and no HTML escaping", "[messages]") {
    auto c = bot::message_catalog::from({{"chao", "Xin chào {{ten}} & <bạn>"}});
    CHECK(c.render("chao", {{"ten", "Anh \"Tú\""}}) == "Xin chào Anh \"Tú\" & <bạn>");
    CHECK_THROWS_AS(c.render("khong_co"), std::out_of_range);
    CHECK_THROWS(c.require({"chao", "khong_co"}));
}

TEST_CASE("the bundled message files load", "[messages]") {
    auto c = bot::message_catalog::load(test::source_dir() + "/templates/messages");
    CHECK(c.has("loi_he_thong"));
}

TEST_CASE("an invalid template fails loading with file and key", "[messages]") {
    test::temp_dir dir;
    test::write_file(dir.file("x.toml"), "xau = \"{{#mo\"\n");
    CHECK_THROWS_WITH(bot::message_catalog::load(dir.path().string()), Catch::Contains("xau"));
}

TEST_CASE("a text renders anew each time, and two catalogs with the same key keep their own texts", "[messages]") {
    const auto a = bot::message_catalog::from({{"greet", "Chào {{name}}{{#vip}} (ưu tiên){{/vip}}"}});
    const auto b = bot::message_catalog::from({{"greet", "Xin chào {{name}} <b>"}});
    for (int i = 0; i < 3; ++i) {
        CHECK(a.render("greet", {{"name", "Lan"}}) == "Chào Lan");
        CHECK(a.render("greet", {{"name", "Hùng & Mai"}, {"vip", "1"}}) == "Chào Hùng & Mai (ưu tiên)");
        CHECK(b.render("greet", {{"name", "Lan"}}) == "Xin chào Lan <b>");
        CHECK(a.render("greet") == "Chào ");
    }
}

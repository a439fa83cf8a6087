#include "bot/http/json_body.hpp"

#include "bot/core/config.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

namespace {

// The message of the std::invalid_argument `f` throws ("" when it does not throw).
template <typename F>
std::string refusal(F f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return {};
}

}  // namespace

TEST_CASE("a strict body names an unknown key and the keys it knows", "[strict]") {
    auto b = bot::json_body::parse(R"({"text":"hi","target":{"units":["x"]}})");
    CHECK(b.string("text") == "hi");
    (void)b.strings("units");
    auto msg = refusal([&] { b.finish(); });
    CHECK(msg.find("unknown key \"target\"") != std::string::npos);
    CHECK(msg.find("known: text, units") != std::string::npos);
}

TEST_CASE("unknown keys inside nested objects are named by their path", "[strict]") {
    auto b = bot::json_body::parse(R"({"target":{"units":["x"],"village":"y"}})");
    auto t = b.object("target");
    REQUIRE(t.has_value());
    CHECK(t->path_of("units") == "target.units");
    (void)t->strings("units");
    CHECK(refusal([&] { t->finish(); }).find("\"target.village\"") != std::string::npos);
    auto items = bot::json_body::parse(R"({"buttons":["A|https://a.vn",{"title":"B","link":"x"}]})").items("buttons");
    REQUIRE(items.has_value());
    auto& second = std::get<bot::json_body>((*items)[1]);
    CHECK(refusal([&] { (void)second.required_string("url"); }).find("\"buttons[1].url\" is required") != std::string::npos);
}

TEST_CASE("wrong types, invalid JSON and non-objects are refused with the key's name", "[strict]") {
    CHECK(refusal([] { (void)bot::json_body::parse("not json"); }).find("not valid JSON") != std::string::npos);
    CHECK(refusal([] { (void)bot::json_body::parse("[1,2]"); }).find("must be a JSON object") != std::string::npos);
    auto b = bot::json_body::parse(R"({"units":"tan_soi","n":"5","flag":1,"limit":5000})");
    CHECK(refusal([&] { (void)b.strings("units"); }).find("\"units\" must be a list of strings") != std::string::npos);
    CHECK(b.strings("units", true) == std::vector<std::string>{"tan_soi"});
    CHECK(refusal([&] { (void)b.integer("n", 0, 10); }).find("\"n\" must be a whole number") != std::string::npos);
    CHECK(refusal([&] { (void)b.boolean("flag"); }).find("\"flag\" must be true or false") != std::string::npos);
    CHECK(refusal([&] { (void)b.integer("limit", 1, 1000); }).find("between 1 and 1000") != std::string::npos);
    CHECK_NOTHROW(b.finish());
}

TEST_CASE("null is absent, and an absent required string is named", "[strict]") {
    auto b = bot::json_body::parse(R"({"text":null,"at":"  "})");
    CHECK_FALSE(b.string("text"));
    CHECK(refusal([&] { (void)b.required_string("at"); }) == "\"at\" is required");
    CHECK_NOTHROW(b.finish());
}

TEST_CASE("an unknown unit id is refused naming the field and the id", "[strict]") {
    const auto cfg = test::test_config();
    CHECK_NOTHROW(bot::require_known_unit(cfg, "unit", "tan_soi"));
    auto msg = refusal([&] { bot::require_known_unit(cfg, "target.units", "x"); });
    CHECK(msg.find("\"target.units\": unknown unit \"x\"") != std::string::npos);
    CHECK(msg.find("tan_soi") != std::string::npos);
}

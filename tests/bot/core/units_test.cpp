#include "bot/core/units.hpp"

#include "bot/core/config.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

namespace {

// Two periods in one file: a district with two communes until 2025-06-30, then one merged
// commune below a province.
const char* const two_periods = R"TOML(
[[levels]]
id = "tinh"
label = "Cấp tỉnh"
[[levels]]
id = "huyen"
label = "Cấp huyện"
valid_until = "2025-06-30"
[[levels]]
id = "xa"
label = "Cấp xã"

[[units]]
id = "huyen"
name = "huyện Yên Thế"
level = "huyen"
valid_until = "2025-06-30"
[[units]]
id = "a"
name = "xã A"
level = "xa"
parent = "huyen"
valid_until = "2025-06-30"
successors = ["ab"]
[[units]]
id = "b"
name = "xã B"
level = "xa"
parent = "huyen"
valid_until = "2025-06-30"
successors = ["ab"]
[[units]]
id = "tinh"
name = "tỉnh Bắc Ninh"
level = "tinh"
valid_from = "2025-07-01"
[[units]]
id = "ab"
name = "phường AB"
former_names = [{ name = "xã AB", until = "2026-09-19" }]
level = "xa"
parent = "tinh"
valid_from = "2025-07-01"
)TOML";

bot::config load(const std::string& toml) { return bot::load_config_from(toml, {}, false); }

// The configuration error for `toml` with `replace` swapped in for `with`.
std::string error_of(const std::string& from, const std::string& with) {
    std::string toml = two_periods;
    const auto at = toml.find(from);
    REQUIRE(at != std::string::npos);
    toml.replace(at, from.size(), with);
    try {
        (void)load(toml);
    } catch (const bot::config_error& e) {
        return e.what();
    }
    FAIL("the configuration was accepted: " << with);
    return {};
}

}  // namespace

TEST_CASE("a unit code means the unit of that date, or what took over its work", "[units]") {
    const auto cfg = load(two_periods);
    CHECK(bot::unit_on(cfg, "a", "2023-06-15")->id == "a");
    CHECK(bot::unit_on(cfg, "a", "2025-06-30")->id == "a");
    CHECK(bot::unit_on(cfg, "a", "2025-07-01")->id == "ab");
    CHECK(bot::unit_on(cfg, "b", "2026-11-30")->id == "ab");
    CHECK(bot::unit_on(cfg, "ab", "2026-11-30")->id == "ab");
    CHECK(bot::unit_on(cfg, "ab", "2025-06-30") == nullptr);   // not yet
    CHECK(bot::unit_on(cfg, "huyen", "2025-07-01") == nullptr);  // ended, nobody after it
    CHECK(bot::unit_on(cfg, "nope", "2025-07-01") == nullptr);
}

TEST_CASE("the units of a day are that day's units, in configuration order", "[units]") {
    const auto cfg = load(two_periods);
    auto ids = [](const std::vector<const bot::unit_config*>& v) {
        std::vector<std::string> out;
        for (const auto* u : v) out.push_back(u->id);
        return out;
    };
    CHECK(ids(bot::units_on(cfg, "2023-06-15")) == std::vector<std::string>{"huyen", "a", "b"});
    CHECK(ids(bot::units_on(cfg, "2026-11-30")) == std::vector<std::string>{"tinh", "ab"});
}

TEST_CASE("a unit's name follows its former names up to their last day", "[units]") {
    const auto cfg = load(two_periods);
    const auto& ab = *cfg.find_unit("ab");
    CHECK(bot::unit_name_on(ab, "2025-07-01") == "xã AB");
    CHECK(bot::unit_name_on(ab, "2026-09-19") == "xã AB");
    CHECK(bot::unit_name_on(ab, "2026-09-20") == "phường AB");
}

TEST_CASE("predecessors are every unit whose place a unit took", "[units]") {
    const auto cfg = load(two_periods);
    CHECK(bot::predecessors(cfg, "ab") == std::vector<std::string>{"a", "b"});
    CHECK(bot::predecessors(cfg, "a").empty());
    CHECK_THAT(bot::why_not_on(cfg, "a", "2026-01-01"), Catch::Contains("ended on 2025-06-30") && Catch::Contains("\"ab\""));
    CHECK(bot::why_not_on(cfg, "ab", "2026-01-01").empty());
}

TEST_CASE("the shipped example holds Yên Thế in 2023 and Bắc Ninh's communes today", "[units]") {
    const auto cfg = test::example_config();
    for (const char* old : {"tan_soi", "phon_xuong", "dong_lac", "dong_tam", "tan_hiep"})
        CHECK(bot::unit_on(cfg, old, "2026-11-30")->id == "yen_the");
    for (const char* old : {"bo_ha", "dong_son", "huong_vi"}) CHECK(bot::unit_on(cfg, old, "2026-11-30")->id == "bo_ha_moi");
    CHECK(bot::unit_on(cfg, "tan_soi", "2023-06-15")->id == "tan_soi");
    CHECK(bot::unit_name_on(*cfg.find_unit("bo_ha_moi"), "2025-12-31") == "xã Bố Hạ");
    CHECK(cfg.find_unit("yen_the")->parent == "bac_ninh");
    CHECK_FALSE(cfg.find_unit("yen_the")->villages.empty());
    CHECK_FALSE(cfg.find_unit("bo_ha_moi")->villages.empty());
    REQUIRE(cfg.official_accounts().size() == 2);
}

TEST_CASE("a mistake in the structure stops start-up with the key that is wrong", "[units]") {
    CHECK_THAT(error_of("successors = [\"ab\"]\n[[units]]\nid = \"b\"", "successors = [\"zz\"]\n[[units]]\nid = \"b\""),
               Catch::Contains("units.a.successors") && Catch::Contains("unknown unit \"zz\""));
    // Overlap: the merged unit begins before one it replaces ends; a gap: nobody the day after.
    const std::string pair = "[[levels]]\nid = \"xa\"\nlabel = \"Cấp xã\"\n"
                             "[[units]]\nid = \"a\"\nname = \"xã A\"\nlevel = \"xa\"\nvalid_until = \"2025-06-30\"\nsuccessors = [\"n\"]\n"
                             "[[units]]\nid = \"n\"\nname = \"xã N\"\nlevel = \"xa\"\n";
    CHECK_THROWS_WITH(load(pair + "valid_from = \"2025-06-01\"\n"), Catch::Contains("units.a.successors") && Catch::Contains("overlapping validity"));
    CHECK_THROWS_WITH(load(pair), Catch::Contains("units.a.successors") && Catch::Contains("overlapping validity"));
    CHECK_THROWS_WITH(load(pair + "valid_from = \"2025-08-01\"\n"), Catch::Contains("units.a.successors") && Catch::Contains("not the day after"));
    CHECK_NOTHROW(load(pair + "valid_from = \"2025-07-01\"\n"));
    // A unit with successors but no last day.
    const std::string no_end = "[[levels]]\nid = \"xa\"\nlabel = \"Cấp xã\"\n"
                               "[[units]]\nid = \"a\"\nname = \"xã A\"\nlevel = \"xa\"\nsuccessors = [\"n\"]\n"
                               "[[units]]\nid = \"n\"\nname = \"xã N\"\nlevel = \"xa\"\nvalid_from = \"2025-07-01\"\n";
    CHECK_THROWS_WITH(load(no_end), Catch::Contains("units.a.valid_until"));
    CHECK_THAT(error_of("valid_until = \"2025-06-30\"\nsuccessors = [\"ab\"]\n[[units]]\nid = \"b\"",
                        "valid_until = \"2025-06-31\"\nsuccessors = [\"ab\"]\n[[units]]\nid = \"b\""),
               Catch::Contains("units.a.valid_until") && Catch::Contains("YYYY-MM-DD"));
    CHECK_THAT(error_of("parent = \"tinh\"", "parent = \"a\""), Catch::Contains("units.ab.parent"));
    CHECK_THAT(error_of("parent = \"tinh\"", "parent = \"nowhere\""), Catch::Contains("units.ab.parent") && Catch::Contains("unknown unit"));
    CHECK_THAT(error_of("level = \"tinh\"\nvalid_from = \"2025-07-01\"", "level = \"tinh\"\nvalid_from = \"2025-07-01\"\nvalid_untill = \"2030-01-01\""),
               Catch::Contains("units.tinh.valid_untill") && Catch::Contains("unknown key"));
    CHECK_THAT(error_of("former_names = [{ name = \"xã AB\", until = \"2026-09-19\" }]",
                        "former_names = [{ name = \"xã AB\", until = \"2024-09-19\" }]"),
               Catch::Contains("units.ab.former_names[0].until"));
    // A unit outside the period of its level.
    CHECK_THAT(error_of("id = \"huyen\"\nname = \"huyện Yên Thế\"\nlevel = \"huyen\"\nvalid_until = \"2025-06-30\"",
                        "id = \"huyen\"\nname = \"huyện Yên Thế\"\nlevel = \"huyen\""),
               Catch::Contains("units.huyen.valid_from") && Catch::Contains("outside its level"));
}

TEST_CASE("a cycle of successors is refused and named", "[units]") {
    const std::string toml = R"TOML(
[[levels]]
id = "xa"
label = "Cấp xã"
[[units]]
id = "a"
name = "xã A"
level = "xa"
valid_until = "2025-06-30"
successors = ["b"]
[[units]]
id = "b"
name = "xã B"
level = "xa"
valid_from = "2025-07-01"
valid_until = "2026-06-30"
successors = ["a"]
)TOML";
    CHECK_THROWS_WITH(load(toml), Catch::Contains("successors") && Catch::Contains("cycle") && Catch::Contains("a → b → a"));
}

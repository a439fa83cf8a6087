#include "bot/core/scope.hpp"

#include "bot/core/config.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

TEST_CASE("a unit scope covers its own units and nothing beside them", "[scope]") {
    const auto cfg = test::test_config();
    const auto s = bot::unit_scope::of({"tan_soi"});
    CHECK(s.covers(cfg, "tan_soi"));
    CHECK_FALSE(s.covers(cfg, "bo_ha"));
    CHECK_FALSE(s.covers(cfg, "huyen"));
    CHECK_FALSE(s.covers(cfg, ""));
    CHECK_FALSE(s.covers(cfg, "no_such_unit"));
}

TEST_CASE("in a file without parents the district desk covers the communes below it", "[scope]") {
    const auto cfg = test::test_config();
    const auto s = bot::unit_scope::of({"huyen"});
    CHECK(s.covers(cfg, "huyen"));
    CHECK(s.covers(cfg, "tan_soi"));
    CHECK(s.covers(cfg, "bo_ha"));
}

TEST_CASE("an empty scope covers nothing and everything() covers every unit", "[scope]") {
    const auto cfg = test::test_config();
    CHECK_FALSE(bot::unit_scope{}.covers(cfg, "tan_soi"));
    CHECK(bot::unit_scope::everything().covers(cfg, "tan_soi"));
    CHECK(bot::unit_scope::everything().covers(cfg, "whatever"));
}

TEST_CASE("staff of a merged commune cover the dossiers of the communes it replaced, not its neighbours'", "[scope]") {
    const auto cfg = test::example_config();
    const auto yen_the = bot::unit_scope::of({"yen_the"});
    for (const char* old : {"tan_soi", "phon_xuong", "dong_lac", "dong_tam", "tan_hiep"}) CHECK(yen_the.covers(cfg, old));
    CHECK(yen_the.covers(cfg, "yen_the"));
    CHECK_FALSE(yen_the.covers(cfg, "bo_ha"));      // became phường Bố Hạ
    CHECK_FALSE(yen_the.covers(cfg, "bo_ha_moi"));
    CHECK_FALSE(yen_the.covers(cfg, "huyen"));      // the district desk is nobody's predecessor here
    CHECK_FALSE(yen_the.covers(cfg, "bac_ninh"));   // a commune does not cover its province

    const auto bo_ha = bot::unit_scope::of({"bo_ha_moi"});
    for (const char* old : {"bo_ha", "dong_son", "huong_vi"}) CHECK(bo_ha.covers(cfg, old));
    CHECK_FALSE(bo_ha.covers(cfg, "tan_soi"));
}

TEST_CASE("a parent covers its children and what its children replaced", "[scope]") {
    const auto cfg = test::example_config();
    const auto province = bot::unit_scope::of({"bac_ninh"});
    CHECK(province.covers(cfg, "yen_the"));
    CHECK(province.covers(cfg, "bo_ha_moi"));
    CHECK(province.covers(cfg, "tan_soi"));   // tan_soi → yen_the, below bac_ninh
    CHECK_FALSE(province.covers(cfg, "huyen"));

    const auto district = bot::unit_scope::of({"huyen"});  // the 2023 district desk
    CHECK(district.covers(cfg, "tan_soi"));
    CHECK(district.covers(cfg, "huong_vi"));
    CHECK_FALSE(district.covers(cfg, "yen_the"));  // today's communes are not below it
}

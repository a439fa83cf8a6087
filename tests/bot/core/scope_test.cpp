#include "bot/core/scope.hpp"

#include "bot/core/config.hpp"

#include <catch2/catch.hpp>

namespace {

bot::config two_level_config() {
    bot::config cfg;
    cfg.levels = {{"huyen", "Cấp huyện"}, {"xa", "Cấp xã"}};
    cfg.units = {{"huyen", "Bộ phận Một cửa huyện", "huyen", {}, "", ""},
                 {"tan_soi", "xã Tân Sỏi", "xa", {"thôn Đồng Điều"}, "", ""},
                 {"bo_ha", "thị trấn Bố Hạ", "xa", {}, "", ""}};
    return cfg;
}

}  // namespace

TEST_CASE("a unit scope covers its own units and nothing beside them", "[scope]") {
    const auto cfg = two_level_config();
    const auto s = bot::unit_scope::of({"tan_soi"});
    CHECK(s.covers(cfg, "tan_soi"));
    CHECK_FALSE(s.covers(cfg, "bo_ha"));
    CHECK_FALSE(s.covers(cfg, "huyen"));
    CHECK_FALSE(s.covers(cfg, ""));
    CHECK_FALSE(s.covers(cfg, "no_such_unit"));
}

TEST_CASE("the desk of a higher level covers the units below it", "[scope]") {
    const auto cfg = two_level_config();
    const auto s = bot::unit_scope::of({"huyen"});
    CHECK(s.covers(cfg, "huyen"));
    CHECK(s.covers(cfg, "tan_soi"));
    CHECK(s.covers(cfg, "bo_ha"));
}

TEST_CASE("an empty scope covers nothing and everything() covers every unit", "[scope]") {
    const auto cfg = two_level_config();
    CHECK_FALSE(bot::unit_scope{}.covers(cfg, "tan_soi"));
    CHECK(bot::unit_scope::everything().covers(cfg, "tan_soi"));
    CHECK(bot::unit_scope::everything().covers(cfg, "whatever"));
}

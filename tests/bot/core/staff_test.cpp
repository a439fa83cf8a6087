#include "bot/core/staff.hpp"

#include "bot/core/config.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

namespace {
storage::official staff(const std::string& role, const std::string& unit, std::vector<std::string> units = {}) {
    storage::official o{"x", "X", unit, role, "", "", true, true, false, {}};
    o.units = units.empty() ? std::vector<std::string>{unit} : std::move(units);
    return o;
}
}  // namespace

TEST_CASE("a commune official's scope covers their commune and no other", "[staff]") {
    const auto cfg = test::test_config();
    const auto s = bot::scope_of(staff("official", "tan_soi"));
    CHECK(s.covers(cfg, "tan_soi"));
    CHECK_FALSE(s.covers(cfg, "dong_son"));
    CHECK_FALSE(s.covers(cfg, "huyen"));
}

TEST_CASE("a staff member serving two communes covers both", "[staff]") {
    const auto cfg = test::test_config();
    const auto s = bot::scope_of(staff("propaganda", "tan_soi", {"tan_soi", "bo_ha"}));
    CHECK(s.covers(cfg, "tan_soi"));
    CHECK(s.covers(cfg, "bo_ha"));
    CHECK_FALSE(s.covers(cfg, "dong_son"));
}

TEST_CASE("an administrator covers every unit and a disabled official none", "[staff]") {
    const auto cfg = test::test_config();
    CHECK(bot::scope_of(staff("admin", "tan_soi")).covers(cfg, "dong_son"));
    auto off = staff("leader", "huyen");
    off.disabled = true;
    CHECK_FALSE(bot::scope_of(off).covers(cfg, "huyen"));
    CHECK_FALSE(bot::scope_of(off).covers(cfg, "tan_soi"));
}

TEST_CASE("roles allow what their work needs and nothing else", "[staff]") {
    using bot::staff_action;
    using bot::staff_role;
    CHECK(bot::may(staff_role::propaganda, staff_action::send_broadcasts));
    CHECK_FALSE(bot::may(staff_role::propaganda, staff_action::handle_handoffs));
    CHECK_FALSE(bot::may(staff_role::official, staff_action::send_broadcasts));
    CHECK(bot::may(staff_role::official, staff_action::handle_handoffs));
    CHECK_FALSE(bot::may(staff_role::viewer, staff_action::import_dossiers));
    CHECK_FALSE(bot::may(staff_role::viewer, staff_action::edit_knowledge));
    CHECK(bot::may(staff_role::viewer, staff_action::see_reports));
    CHECK(bot::may(staff_role::admin, staff_action::manage_staff));
    CHECK(bot::handles_cases(staff_role::leader));
    CHECK_FALSE(bot::handles_cases(staff_role::propaganda));
    CHECK_FALSE(bot::handles_cases(staff_role::viewer));
}

TEST_CASE("role names read back as the same role, unknown names do not", "[staff]") {
    for (auto n : bot::staff_role_names()) CHECK(bot::to_string(*bot::parse_staff_role(n)) == n);
    CHECK_FALSE(bot::parse_staff_role("operator"));
    CHECK(bot::role_of(staff("superuser", "huyen")) == bot::staff_role::viewer);
}

#include "bot/core/config.hpp"

#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

namespace {

const char* const two_oas = R"TOML(
[[oa]]
id = "yen_the"
name = "UBND xã Yên Thế"
app_id = "111"
oa_id = "211"
units = ["yen_the"]
[[oa]]
id = "bo_ha"
app_id = "112"
oa_id = "212"
units = ["bo_ha_moi"]
broadcast_daily_quota = 42
default = true
)TOML";

std::map<std::string, std::string> secrets() {
    return {{"CCHCBOT_OA_YEN_THE_OA_SECRET_KEY", "key-yt"}, {"CCHCBOT_OA_BO_HA_OA_SECRET_KEY", "key-bh"},
            {"CCHCBOT_OA_BO_HA_APP_SECRET", "app-bh"}};
}

}  // namespace

TEST_CASE("without [[oa]] the [zalo] keys are the one OA, serving every unit", "[config][oa]") {
    auto cfg = bot::load_config_from("[zalo]\napp_id = \"42\"\noa_id = \"43\"\nbroadcast_daily_quota = 7\n",
                                     {{"CCHCBOT_ZALO_OA_SECRET_KEY", "k"}}, false);
    auto oas = cfg.official_accounts();
    REQUIRE(oas.size() == 1);
    CHECK(oas[0].id == "default");
    CHECK(oas[0].is_default);
    CHECK(oas[0].app_id == "42");
    CHECK(oas[0].oa_id == "43");
    CHECK(oas[0].oa_secret_key == "k");
    CHECK(oas[0].units.empty());
    CHECK(oas[0].broadcast_daily_quota == 7);
    // Changes to [zalo] after loading (tests, the demo's simulator) show through.
    cfg.zalo.app_id = "99";
    CHECK(cfg.official_accounts()[0].app_id == "99");
}

TEST_CASE("each [[oa]] has its own ids, secrets from its own variables, units and quota", "[config][oa]") {
    auto cfg = bot::load_config_from(two_oas, secrets(), false);
    auto oas = cfg.official_accounts();
    REQUIRE(oas.size() == 2);
    CHECK(oas[0].id == "yen_the");
    CHECK(oas[0].oa_secret_key == "key-yt");
    CHECK(oas[0].app_secret.empty());
    CHECK(oas[0].broadcast_daily_quota == 500);  // [zalo]'s default
    CHECK_FALSE(oas[0].is_default);
    CHECK(oas[1].oa_secret_key == "key-bh");
    CHECK(oas[1].app_secret == "app-bh");
    CHECK(oas[1].broadcast_daily_quota == 42);
    CHECK(oas[1].is_default);
    CHECK(oas[1].units == std::vector<std::string>{"bo_ha_moi"});
}

TEST_CASE("an OA's secret can come from a file it names", "[config][oa]") {
    test::temp_dir dir;
    test::write_file(dir.file("k"), "key-from-file\n");
    std::string toml = two_oas;
    toml.replace(toml.find("units = [\"yen_the\"]"), 19, "units = [\"yen_the\"]\noa_secret_key_file = \"" + dir.file("k") + "\"");
    auto cfg = bot::load_config_from(toml, {}, false);
    CHECK(cfg.official_accounts()[0].oa_secret_key == "key-from-file");
}

TEST_CASE("mistakes in [[oa]] name their key", "[config][oa]") {
    auto with = [](const std::string& from, const std::string& to) {
        std::string toml = two_oas;
        toml.replace(toml.find(from), from.size(), to);
        return toml;
    };
    CHECK_THROWS_WITH(bot::load_config_from(with("units = [\"bo_ha_moi\"]", "units = [\"mars\"]"), {}, false),
                      Catch::Contains("oa.bo_ha.units") && Catch::Contains("mars"));
    CHECK_THROWS_WITH(bot::load_config_from(with("id = \"bo_ha\"", "id = \"yen_the\""), {}, false), Catch::Contains("duplicate OA id"));
    CHECK_THROWS_WITH(bot::load_config_from(with("id = \"bo_ha\"", "id = \"Bố Hạ\""), {}, false), Catch::Contains(".id"));
    CHECK_THROWS_WITH(bot::load_config_from(with("oa_id = \"212\"", "oa_id = \"212\"\noa_secret_key = \"x\""), {}, false),
                      Catch::Contains("oa.bo_ha.oa_secret_key") && Catch::Contains("secrets may not be written"));
    CHECK_THROWS_WITH(bot::load_config_from(with("app_id = \"112\"\noa_id = \"212\"", "app_id = \"111\"\noa_id = \"211\""), {}, false),
                      Catch::Contains("oa.bo_ha.oa_id"));
    CHECK_THROWS_WITH(bot::load_config_from(with("oa_id = \"212\"\n", ""), {}, false), Catch::Contains("oa.bo_ha.oa_id"));
    CHECK_THROWS_WITH(bot::load_config_from(with("default = true", "default = true\nquota = 3"), {}, false),
                      Catch::Contains("oa.bo_ha.quota") && Catch::Contains("unknown key"));
    // [zalo]'s per-account keys beside [[oa]] would be a second, hidden account.
    CHECK_THROWS_WITH(bot::load_config_from(two_oas, {{"CCHCBOT_ZALO_APP_ID", "5"}}, false), Catch::Contains("zalo.app_id"));
    CHECK_THROWS_WITH(bot::load_config_from(two_oas, {{"CCHCBOT_ZALO_OA_SECRET_KEY", "5"}}, false),
                      Catch::Contains("zalo.oa_secret_key_file"));
}

TEST_CASE("[oa.locality] after an [[oa]] sets placeholder values for that OA alone, checked like [locality]",
          "[config][oa]") {
    const std::string toml = std::string(two_oas) + "[oa.locality]\nmot_cua_sdt = \"0204 3870 555\"\nso_nha = 12\n"
                                                    "[locality]\nmot_cua_sdt = \"0204 3870 101\"\n";
    auto cfg = bot::load_config_from(toml, secrets(), false);
    REQUIRE(cfg.oa_tables.size() == 2);
    CHECK(cfg.oa_tables[0].locality.empty());
    CHECK(cfg.oa_tables[1].locality.at("mot_cua_sdt") == "0204 3870 555");
    CHECK(cfg.oa_tables[1].locality.at("so_nha") == "12");
    CHECK(cfg.locality.at("mot_cua_sdt") == "0204 3870 101");
    CHECK_THROWS_WITH(bot::load_config_from(std::string(two_oas) + "[oa.locality]\nmot_cua_sdt = [1, 2]\n", secrets(), false),
                      Catch::Contains("oa.bo_ha.locality.mot_cua_sdt") && Catch::Contains("expected a single value"));
    CHECK_THROWS_WITH(bot::load_config_from(std::string(two_oas) + "locality = \"xã Bố Hạ\"\n", secrets(), false),
                      Catch::Contains("oa.bo_ha.locality") && Catch::Contains("must be a table"));
}

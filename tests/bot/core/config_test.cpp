#include "bot/core/config.hpp"

#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

TEST_CASE("an empty configuration gives the documented defaults", "[config]") {
    auto cfg = bot::load_config_from("", {}, false);
    CHECK(cfg.server.address == "127.0.0.1");
    CHECK(cfg.server.port == 8080);
    CHECK(cfg.server.webhook_path == "/webhook/zalo");
    CHECK(cfg.server.body_limit == 65536);
    CHECK(cfg.storage.path == "data/cchcbot.db");
    CHECK(cfg.zalo.replay_window == std::chrono::seconds(86400));
    CHECK(cfg.kb.dir == "templates/kb");
    // Without units, the example's structure: Yên Thế district in 2023 and Bắc Ninh today.
    REQUIRE(cfg.levels.size() == 3);
    CHECK(cfg.levels[0].id == "tinh");
    CHECK(cfg.levels[1].label == "Cấp huyện");
    CHECK(cfg.levels[1].valid_until == "2025-06-30");
    CHECK(cfg.levels[2].label == "Cấp xã");
    CHECK(cfg.find_unit("yen_the"));
    CHECK(cfg.find_unit("tan_soi"));
    CHECK(cfg.server.threads >= 1);
}

TEST_CASE("environment variables override the file", "[config]") {
    auto cfg = bot::load_config_from("[server]\nport = 9000\n", {{"CCHCBOT_SERVER_PORT", "0"}, {"CCHCBOT_STORAGE_PATH", "/tmp/x.db"}}, false);
    CHECK(cfg.server.port == 0);
    CHECK(cfg.storage.path == "/tmp/x.db");
}

TEST_CASE("an invalid value stops with one line naming the key", "[config]") {
    try {
        (void)bot::load_config_from("[server]\nport = \"abc\"\n", {}, false);
        FAIL("expected config_error");
    } catch (const bot::config_error& e) {
        std::string what = e.what();
        CHECK(what.find("server.port") != std::string::npos);
        CHECK(what.find('\n') == std::string::npos);
    }
    CHECK_THROWS_WITH(bot::load_config_from("", {{"CCHCBOT_SERVER_BODY_LIMIT", "-5"}}, false), Catch::Contains("server.body_limit"));
    CHECK_THROWS_WITH(bot::load_config_from("[server]\nnonsense = 1\n", {}, false), Catch::Contains("server.nonsense"));
    CHECK_THROWS_WITH(bot::load_config_from("[zalo]\nreplay_window_s = 60\n", {}, false), Catch::Contains("zalo.replay_window_s"));
}

TEST_CASE("secrets come from the environment or files, never from the file itself", "[config]") {
    CHECK_THROWS_WITH(bot::load_config_from("[zalo]\noa_secret_key = \"x\"\n", {}, false), Catch::Contains("zalo.oa_secret_key"));
    test::temp_dir dir;
    test::write_file(dir.file("key"), "secret-from-file\n");
    auto cfg = bot::load_config_from("[zalo]\noa_secret_key_file = \"" + dir.file("key") + "\"\n", {}, false);
    CHECK(cfg.zalo.oa_secret_key == "secret-from-file");
    auto cfg2 = bot::load_config_from("", {{"CCHCBOT_ZALO_OA_SECRET_KEY", "from-env"}}, false);
    CHECK(cfg2.zalo.oa_secret_key == "from-env");
}

TEST_CASE("a secret file that is missing names the key but not the secret", "[config]") {
    try {
        (void)bot::load_config_from("[zalo]\napp_secret_file = \"/nonexistent/secret\"\n", {}, false);
        FAIL("expected config_error");
    } catch (const bot::config_error& e) {
        CHECK(std::string(e.what()).find("zalo.app_secret_file") != std::string::npos);
    }
}

TEST_CASE("units and levels are read and cross-checked", "[config]") {
    const char* toml = R"(
[[levels]]
id = "huyen"
label = "Cấp huyện"
[[units]]
id = "mc"
name = "Một cửa huyện"
level = "huyen"
villages = ["thôn A"]
)";
    auto cfg = bot::load_config_from(toml, {}, false);
    REQUIRE(cfg.units.size() == 1);
    CHECK(cfg.units[0].villages.at(0) == "thôn A");
    CHECK_THROWS_WITH(bot::load_config_from("[[units]]\nid = \"a\"\nname = \"A\"\nlevel = \"tinh\"\n", {}, false),
                      Catch::Contains("units.a.level"));
}

TEST_CASE("API tokens carry the units they serve; unknown units or keys stop start-up naming the key", "[config][scope]") {
    const std::string hash = "sha256$s1$00";
    auto token = [&](const std::string& role, const std::string& extra) {
        return "[[api.tokens]]\nname = \"t\"\nrole = \"" + role + "\"\nhash = \"" + hash + "\"\n" + extra;
    };
    auto cfg = bot::load_config_from(token("propaganda", "units = [\"tan_soi\", \"bo_ha\"]\n"), {}, true);
    REQUIRE(cfg.api_tokens.size() == 1);
    CHECK(cfg.api_tokens[0].units == std::vector<std::string>{"tan_soi", "bo_ha"});
    CHECK(bot::load_config_from(token("admin", ""), {}, true).api_tokens[0].units.empty());  // admin: every unit
    CHECK_THROWS_WITH(bot::load_config_from(token("propaganda", ""), {}, true),
                      Catch::Contains("api.tokens[0].units") && Catch::Contains("required for role \"propaganda\""));
    CHECK_THROWS_WITH(bot::load_config_from(token("viewer", "units = [\"xa_khong_co\"]\n"), {}, true),
                      Catch::Contains("api.tokens[0].units") && Catch::Contains("unknown unit \"xa_khong_co\""));
    CHECK_THROWS_WITH(bot::load_config_from(token("viewer", "units = \"tan_soi\"\n"), {}, true),
                      Catch::Contains("api.tokens[0].units"));
    CHECK_THROWS_WITH(bot::load_config_from(token("viewer", "units = [\"tan_soi\"]\nunit = \"bo_ha\"\n"), {}, true),
                      Catch::Contains("api.tokens[0].unit: unknown key"));
}

TEST_CASE("the body memory budget cannot be smaller than one request's body", "[config]") {
    CHECK_THROWS_WITH(bot::load_config_from("[server]\nbody_memory_limit = 1000\n", {}, false),
                      Catch::Contains("server.body_memory_limit"));
    CHECK(bot::load_config_from("[server]\nmax_connections = 500\n", {}, false).server.max_connections == 500);
}

TEST_CASE("local time is its own section, UTC+7 by default, and the read pool has two connections", "[config]") {
    auto cfg = bot::load_config_from("", {}, false);
    CHECK(cfg.time.utc_offset_minutes == 420);
    CHECK(cfg.server.readers == 2);
    cfg = bot::load_config_from("[time]\nutc_offset_minutes = 480\n[server]\nreaders = 3\n", {}, false);
    CHECK(cfg.time.utc_offset_minutes == 480);
    CHECK(cfg.reminders.utc_offset_minutes == 480);  // the deprecated copy older code still reads
    CHECK(cfg.server.readers == 3);
    CHECK(bot::load_config_from("", {{"CCHCBOT_TIME_UTC_OFFSET_MINUTES", "-300"}}, false).time.utc_offset_minutes == -300);
    CHECK_THROWS_WITH(bot::load_config_from("[time]\nutc_offset_minutes = 900\n", {}, false),
                      Catch::Contains("time.utc_offset_minutes"));
    CHECK_THROWS_WITH(bot::load_config_from("[time]\nzone = \"Asia/Ho_Chi_Minh\"\n", {}, false), Catch::Contains("time.zone"));
    CHECK_THROWS_WITH(bot::load_config_from("[server]\nreaders = 0\n", {}, false), Catch::Contains("server.readers"));
}

// The token commands, run as a user would.
#include "bot/http/admin_api.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

namespace {
std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}
}  // namespace

TEST_CASE("token hash reads the admin token from stdin and prints a hash the API accepts", "[zalo]") {
    std::string out;
    int rc = test::run("echo 'admin-token-made-by-the-test' | " CCHCBOT_EXE " token hash", out);
    REQUIRE(rc == 0);
    out = trimmed(out);
    CHECK(out.rfind("sha256$", 0) == 0);
    CHECK(out.find("admin-token-made-by-the-test") == std::string::npos);
    CHECK(bot::verify_api_token("admin-token-made-by-the-test", out));
    CHECK(test::run("printf '' | " CCHCBOT_EXE " token hash", out) == 1);
}

TEST_CASE("token set, status and auth-url work on the configured database without printing secrets", "[zalo]") {
    test::temp_dir dir;
    const std::string env = "CCHCBOT_STORAGE_PATH=" + dir.file("bot.db") + " CCHCBOT_ZALO_APP_ID=1234567890123456789 ";
    std::string out;
    CHECK(test::run(env + CCHCBOT_EXE " token status --json", out) == 1);
    CHECK(out.find("\"state\":\"no_token\"") != std::string::npos);

    test::write_file(dir.file("rt.txt"), "refresh-token-made-by-the-test\n");
    REQUIRE(test::run(env + CCHCBOT_EXE " token set --refresh-token-file " + dir.file("rt.txt"), out) == 0);
    CHECK(test::run(env + CCHCBOT_EXE " token status --json", out) == 0);
    CHECK(out.find("\"has_refresh_token\":true") != std::string::npos);
    CHECK(out.find("refresh-token-made-by-the-test") == std::string::npos);
    CHECK(test::run(env + CCHCBOT_EXE " token status", out) == 0);
    CHECK(out.find("refresh-token-made-by-the-test") == std::string::npos);

    CHECK(test::run(env + CCHCBOT_EXE " token auth-url", out) == 1);  // no redirect_uri configured
    REQUIRE(test::run(env + "CCHCBOT_ZALO_REDIRECT_URI=https://bot.example.vn/oauth/zalo/callback " CCHCBOT_EXE " token auth-url",
                      out) == 0);
    CHECK(out.rfind("https://oauth.zaloapp.com/v4/oa/permission?app_id=1234567890123456789&redirect_uri=", 0) == 0);
    CHECK(out.find("code_challenge=") != std::string::npos);
    CHECK(out.find("state=") != std::string::npos);
    CHECK(test::run(env + CCHCBOT_EXE " token set", out) == 2);  // usage error
}

TEST_CASE("with several OAs the token commands take --oa and status shows every OA", "[zalo][oa]") {
    const std::string toml = test::single_period_toml() + R"TOML(
[zalo]
redirect_uri = "https://bot.example.vn/oauth/zalo/callback"
[[oa]]
id = "yen_the"
app_id = "1111111111111111111"
oa_id = "2111111111111111111"
[[oa]]
id = "bo_ha"
app_id = "1222222222222222222"
oa_id = "2222222222222222222"
)TOML";
    test::cli_deployment cli("CCHCBOT_OA_YEN_THE_OA_SECRET_KEY=k1 CCHCBOT_OA_BO_HA_OA_SECRET_KEY=k2", toml);
    std::string out;
    test::write_file(cli.dir.file("rt.txt"), "refresh-token-made-by-the-test\n");
    REQUIRE(cli("token set --oa bo_ha --refresh-token-file " + cli.dir.file("rt.txt"), out) == 0);
    // Yên Thế's OA has no token yet: status says so for it, and exits 1.
    CHECK(cli("token status --json", out) == 1);
    CHECK(out.find(R"({"oas":[{"oa":"yen_the","state":"no_token")") != std::string::npos);
    CHECK(out.find(R"({"oa":"bo_ha","state":"refresh_due","has_refresh_token":true)") != std::string::npos);
    CHECK(cli("token status --json --oa bo_ha", out) == 0);
    CHECK(out.find("refresh-token-made-by-the-test") == std::string::npos);
    // Each OA's consent URL names its own app.
    REQUIRE(cli("token auth-url --oa bo_ha", out) == 0);
    CHECK(out.find("app_id=1222222222222222222&") != std::string::npos);
    CHECK(cli("token auth-url --oa xa_khac", out) == 2);  // usage error naming the configured ids
    CHECK(out.find("yen_the, bo_ha") != std::string::npos);
    // `serve` needs every OA's webhook key (not the [zalo] one, which [[oa]] tables forbid).
    test::cli_deployment one_key("CCHCBOT_OA_YEN_THE_OA_SECRET_KEY=k1", toml);
    CHECK(one_key("serve", out) == 1);
    CHECK(out.find("oa.bo_ha.oa_secret_key_file") != std::string::npos);
}

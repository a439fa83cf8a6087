// Issue #14's "done": an export with Vietnamese headers imports as is; the same file again writes
// nothing; an edited row that changes state reaches each follower of that dossier once through
// the Zalo stand-in, and nobody else — over the webhook and the admin API of a running server.
#include "bot/app/server_app.hpp"

#include "bot/core/local_time.hpp"
#include "bot/http/admin_api.hpp"
#include "bot/simulator/zalo_simulator.hpp"
#include "tests/bot/http/test_http_client.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

using namespace std::chrono_literals;

namespace {
const std::string app_id = "1234567890123456789";
const std::string secret = "e2e-dossier-oa-secret-made-by-the-test";
const std::string follower = "7300000000000000001";
const std::string bystander = "7300000000000000002";
const std::string token = "e2e-operator-token-made-by-the-test";
const std::string code = "000.00.31.H12-251201-0002";

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

std::string text_event(const std::string& user, const std::string& text, std::int64_t ts, const std::string& msg_id) {
    return R"({"app_id":")" + app_id + R"(","sender":{"id":")" + user +
           R"("},"recipient":{"id":"1032900368205294478"},"event_name":"user_send_text","message":{"text":")" + text +
           R"(","msg_id":")" + msg_id + R"("},"timestamp":")" + std::to_string(ts) + R"("})";
}
}  // namespace

TEST_CASE("an edited export row that changes state reaches each follower once through Zalo, and nobody else", "[e2e][dossiers]") {
    sim::simulator_options so;
    so.app_id = app_id;
    so.app_secret = "e2e-app-secret";
    sim::zalo_simulator zalo(so);
    zalo.start();

    test::temp_dir dir;
    auto cfg = test::test_config({{"CCHCBOT_ZALO_OA_SECRET_KEY", secret},
                                  {"CCHCBOT_ZALO_APP_ID", app_id},
                                  {"CCHCBOT_ZALO_APP_SECRET", "e2e-app-secret"},
                                  {"CCHCBOT_ZALO_REFRESH_TOKEN", zalo.current_refresh_token()},
                                  {"CCHCBOT_ZALO_API_BASE", zalo.base_url()},
                                  {"CCHCBOT_ZALO_OAUTH_BASE", zalo.base_url()},
                                  {"CCHCBOT_ZALO_ZNS_BASE", zalo.base_url()},
                                  {"CCHCBOT_ZALO_CA_FILE", zalo.ca_file()}});
    cfg.storage.path = dir.file("e2e.db");
    cfg.server.port = 0;
    cfg.demo = false;
    cfg.api_tokens = {{"Một cửa (e2e)", "admin", bot::hash_api_token(token, "e2e"), {}}};
    auto t = test::make_test_env(cfg);
    t->env->clock = [] { return bot::now_ms(); };
    bot::app::server srv(*t->env);
    srv.start();
    test::http_client c(srv.port());
    const std::map<std::string, std::string> auth = {{"Authorization", "Bearer " + token}, {"Content-Type", "text/csv"}};
    const std::string csv = test::read_file(test::source_dir() + "/tests/fixtures/mot-cua-export.csv");

    // The export as the one-stop system writes it, then the same file again.
    auto first = c.request("POST", "/api/v1/dossiers", csv, auth);
    INFO(first.body);
    REQUIRE(first.status == 200);
    CHECK(contains(first.body, "\"inserted\":6"));
    auto again = c.request("POST", "/api/v1/dossiers", csv, auth);
    REQUIRE(again.status == 200);
    CHECK(contains(again.body, "\"unchanged\":6"));
    CHECK(contains(again.body, "\"updated\":0"));

    // A citizen follows dossier 0002 with the phone on the receipt; another just asks a question.
    std::int64_t now = bot::now_ms();
    REQUIRE(test::post_signed(c, "/webhook/zalo", app_id, secret,
                              text_event(follower, "theo doi " + code + " 0912 345 678", now, "d-1"), std::to_string(now))
                .status == 200);
    REQUIRE(test::post_signed(c, "/webhook/zalo", app_id, secret, text_event(bystander, "khai sinh", now + 1, "d-2"),
                              std::to_string(now + 1))
                .status == 200);
    REQUIRE(sim::zalo_simulator::wait_until([&] { return zalo.sent().size() >= 2; }, 5000ms));
    std::this_thread::sleep_for(300ms);
    const auto before = zalo.sent();
    REQUIRE(before.size() == 2);
    for (const auto& m : before)
        if (m.recipient == follower) CHECK(contains(m.text, "em đã ghi nhận anh/chị theo dõi hồ sơ " + code));

    // The next export: dossier 0002 now has its result; nothing else changed.
    std::string edited = csv;
    const std::string from = "04/12/2025 17:00,,Đang xử lý";
    REQUIRE(edited.find(from) != std::string::npos);
    edited.replace(edited.find(from), from.size(), "04/12/2025 17:00,,Đã có kết quả");
    auto second = c.request("POST", "/api/v1/dossiers", edited, auth);
    INFO(second.body);
    REQUIRE(second.status == 200);
    CHECK(contains(second.body, "\"state_changes\":1"));
    REQUIRE(sim::zalo_simulator::wait_until([&] { return zalo.sent().size() >= 3; }, 5000ms));
    std::this_thread::sleep_for(500ms);  // anything else would have arrived by now
    const auto after = zalo.sent();
    REQUIRE(after.size() == 3);
    const auto& notice = after.back();
    CHECK(notice.recipient == follower);
    CHECK(notice.channel == "cs");
    CHECK(contains(notice.text, code));
    CHECK(contains(notice.text, "đã có kết quả"));
    CHECK(contains(notice.text, "UBND xã Tân Sỏi"));  // where to collect it (in person)
    CHECK_FALSE(contains(notice.text, "0912345678"));

    // The same edited file again: no change, no message.
    auto third = c.request("POST", "/api/v1/dossiers", edited, auth);
    CHECK(contains(third.body, "\"state_changes\":0"));
    std::this_thread::sleep_for(500ms);
    CHECK(zalo.sent().size() == 3);
    srv.shutdown();
}

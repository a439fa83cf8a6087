// The whole loop: signed webhook events over TCP → stored → handlers → outbox → a Zalo stand-in.
#include "tests/bot/app/live_server.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

using namespace std::chrono_literals;

namespace {
const std::string app_id = "1234567890123456789";
const std::string secret = "e2e-oa-secret-made-by-the-test";
const std::string citizen = "7000000000000000001";

std::string ts(std::int64_t ms) { return std::to_string(ms); }
bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }
}  // namespace

TEST_CASE("a follow and questions over the webhook reach the Zalo stand-in as the right messages", "[e2e]") {
    sim::simulator_options so;
    so.app_id = app_id;
    so.app_secret = "e2e-app-secret";
    sim::zalo_simulator zalo(so);
    zalo.start();

    test::temp_dir dir;
    test::live_server srv(test::test_config(test::simulator_env(zalo, {{"CCHCBOT_ZALO_OA_SECRET_KEY", secret},
                                                                       {"CCHCBOT_ZALO_APP_ID", app_id},
                                                                       {"CCHCBOT_ZALO_APP_SECRET", "e2e-app-secret"},
                                                                       {"CCHCBOT_ZALO_REFRESH_TOKEN", zalo.current_refresh_token()}})),
                          dir.file("e2e.db"));
    auto& c = srv.client();
    const std::int64_t now = bot::now_ms();

    // 1. Follow: exactly one consultation message, with a freshly refreshed access token.
    const std::string follow = R"({"app_id":")" + app_id + R"(","oa_id":"1032900368205294478","follower":{"id":")" + citizen +
                               R"("},"event_name":"follow","source":"oa_profile","timestamp":")" + ts(now) + R"("})";
    REQUIRE(test::post_signed(c, "/webhook/zalo", app_id, secret, follow, ts(now)).status == 200);
    REQUIRE(sim::zalo_simulator::wait_until([&] { return zalo.sent().size() >= 1; }, 5000ms));
    std::this_thread::sleep_for(300ms);  // anything else would have arrived by now
    auto sent = zalo.sent();
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].channel == "cs");
    CHECK(sent[0].recipient == citizen);
    CHECK(contains(sent[0].text, "xin chào"));
    CHECK(zalo.refresh_count() == 1);
    CHECK(sent[0].access_token == zalo.last_access_token());
    CHECK(sent[0].body.find("\"buttons\"") != std::string::npos);

    // 2. A question typed without diacritics: the birth-registration answer with its steps.
    const std::string q1 = R"({"app_id":")" + app_id + R"(","sender":{"id":")" + citizen +
                           R"("},"recipient":{"id":"1032900368205294478"},"event_name":"user_send_text","message":{"text":"lam sao dang ky khai sinh online cho con","msg_id":"e2e-1"},"timestamp":")" +
                           ts(now + 1) + R"("})";
    REQUIRE(test::post_signed(c, "/webhook/zalo", app_id, secret, q1, ts(now + 1)).status == 200);
    // Zalo's retry of the same event is acknowledged and not answered twice.
    REQUIRE(test::post_signed(c, "/webhook/zalo", app_id, secret, q1, ts(now + 1)).status == 200);
    REQUIRE(sim::zalo_simulator::wait_until([&] { return zalo.sent().size() >= 2; }, 5000ms));

    // 3. Out of scope: a polite fallback, never a topic.
    const std::string q2 = R"({"app_id":")" + app_id + R"(","sender":{"id":")" + citizen +
                           R"("},"recipient":{"id":"1032900368205294478"},"event_name":"user_send_text","message":{"text":"thời tiết hôm nay thế nào","msg_id":"e2e-2"},"timestamp":")" +
                           ts(now + 2) + R"("})";
    REQUIRE(test::post_signed(c, "/webhook/zalo", app_id, secret, q2, ts(now + 2)).status == 200);
    REQUIRE(sim::zalo_simulator::wait_until([&] { return zalo.sent().size() >= 3; }, 5000ms));
    std::this_thread::sleep_for(300ms);
    sent = zalo.sent();
    REQUIRE(sent.size() == 3);
    CHECK(contains(sent[1].text, "khai sinh"));
    CHECK(contains(sent[1].text, "1."));  // numbered steps
    CHECK(contains(sent[2].text, "chưa trả lời được"));
    CHECK_FALSE(contains(sent[2].text, "khai sinh"));
    for (const auto& m : sent) {
        CHECK(m.recipient == citizen);
        CHECK(m.access_token == zalo.last_access_token());
    }
    // One refresh served them all.
    CHECK(zalo.refresh_count() == 1);
    srv.shutdown();
}

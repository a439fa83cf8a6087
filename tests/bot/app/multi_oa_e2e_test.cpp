// Two Official Accounts in one service, end to end: signed webhook events over TCP → stored →
// handlers → outbox → the Zalo simulator, each OA with its own key, app and tokens.
#include "tests/bot/app/live_server.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

using namespace std::chrono_literals;

namespace {

struct account {
    std::string id;  ///< [[oa]] id in templates/cchcbot.example.toml
    std::string app_id, app_secret, oa_id, key;
};
// Made by the test: never a real account's.
const account yen_the{"yen_the", "1111111111111111111", "sim-app-secret-of-yen-the", "2111111111111111111",
                      "oa-key-of-yen-the-made-by-the-test"};
const account bo_ha{"bo_ha", "1222222222222222222", "sim-app-secret-of-bo-ha", "2222222222222222222",
                    "oa-key-of-bo-ha-made-by-the-test"};

std::string text_event(const account& oa, const std::string& user, const std::string& text, const std::string& msg_id,
                       std::int64_t ts) {
    return R"({"app_id":")" + oa.app_id + R"(","sender":{"id":")" + user + R"("},"recipient":{"id":")" + oa.oa_id +
           R"("},"event_name":"user_send_text","message":{"text":")" + text + R"(","msg_id":")" + msg_id +
           R"("},"timestamp":")" + std::to_string(ts) + R"("})";
}

std::string follow_event(const account& oa, const std::string& user, std::int64_t ts) {
    return R"({"app_id":")" + oa.app_id + R"(","oa_id":")" + oa.oa_id + R"(","follower":{"id":")" + user +
           R"("},"event_name":"follow","source":"oa_profile","timestamp":")" + std::to_string(ts) + R"("})";
}

}  // namespace

TEST_CASE("with two OAs each citizen is answered through the OA they wrote to, with that OA's token, and an event "
          "signed with one OA's key for the other is refused",
          "[e2e][oa]") {
    sim::simulator_options so;
    so.app_id = yen_the.app_id;
    so.app_secret = yen_the.app_secret;
    so.oa_id = yen_the.oa_id;
    so.more_accounts.push_back({bo_ha.app_id, bo_ha.app_secret, bo_ha.oa_id, "", bo_ha.key});
    sim::zalo_simulator zalo(so);
    zalo.start();

    test::temp_dir dir;
    auto cfg = test::example_config(test::simulator_env(
        zalo, {{"CCHCBOT_OA_YEN_THE_OA_SECRET_KEY", yen_the.key},
               {"CCHCBOT_OA_YEN_THE_APP_SECRET", yen_the.app_secret},
               {"CCHCBOT_OA_YEN_THE_REFRESH_TOKEN", zalo.current_refresh_token(yen_the.app_id)},
               {"CCHCBOT_OA_BO_HA_OA_SECRET_KEY", bo_ha.key},
               {"CCHCBOT_OA_BO_HA_APP_SECRET", bo_ha.app_secret},
               {"CCHCBOT_OA_BO_HA_REFRESH_TOKEN", zalo.current_refresh_token(bo_ha.app_id)}}));
    REQUIRE(cfg.oa_tables.size() == 2);
    for (auto& oa : cfg.oa_tables) {
        const account& a = oa.id == yen_the.id ? yen_the : bo_ha;
        REQUIRE(oa.id == a.id);
        oa.app_id = a.app_id;  // the example's placeholders
        oa.oa_id = a.oa_id;
    }
    test::live_server srv(std::move(cfg), dir.file("two-oas.db"));
    const std::int64_t now = bot::now_ms();
    auto post = [&](const account& signer, const std::string& body, std::int64_t ts) {
        return srv.post_signed(signer.app_id, signer.key, body, ts);
    };

    const std::string citizen_a = "7100000000000000001";  // writes to xã Yên Thế's OA
    const std::string citizen_b = "7200000000000000002";  // writes to phường Bố Hạ's OA

    // Both follow and ask the same question, each of their own OA.
    REQUIRE(post(yen_the, follow_event(yen_the, citizen_a, now), now) == 200);
    REQUIRE(post(bo_ha, follow_event(bo_ha, citizen_b, now + 1), now + 1) == 200);
    REQUIRE(post(yen_the, text_event(yen_the, citizen_a, "lam sao dang ky khai sinh online cho con", "oa-a-1", now + 2),
                 now + 2) == 200);
    REQUIRE(post(bo_ha, text_event(bo_ha, citizen_b, "lam sao dang ky khai sinh online cho con", "oa-b-1", now + 3),
                 now + 3) == 200);
    // And where their one-stop desk is.
    REQUIRE(post(yen_the, text_event(yen_the, citizen_a, "dia chi bo phan mot cua o dau", "oa-a-2", now + 6), now + 6) == 200);
    REQUIRE(post(bo_ha, text_event(bo_ha, citizen_b, "dia chi bo phan mot cua o dau", "oa-b-2", now + 7), now + 7) == 200);
    REQUIRE(sim::zalo_simulator::wait_until([&] { return zalo.sent().size() >= 6; }, 10000ms));

    // An event signed with Yên Thế's key that claims to be for Bố Hạ's OA (its OA id, or its app
    // id) is refused, and nobody is answered for it.
    CHECK(post(yen_the, text_event({"", yen_the.app_id, "", bo_ha.oa_id, ""}, citizen_b, "xin chao", "forged-1", now + 4),
               now + 4) == 403);
    CHECK(post(yen_the, text_event(bo_ha, citizen_b, "xin chao", "forged-2", now + 5), now + 5) == 403);
    std::this_thread::sleep_for(500ms);  // anything else would have arrived by now

    const auto sent = zalo.sent();
    REQUIRE(sent.size() == 6);
    int to_a = 0, to_b = 0;
    for (const auto& m : sent) {
        CHECK(m.channel == "cs");
        // The simulator knows each OA's tokens: oa_id says whose token the request carried.
        if (m.recipient == citizen_a) {
            ++to_a;
            CHECK(m.oa_id == yen_the.oa_id);
        } else {
            REQUIRE(m.recipient == citizen_b);
            ++to_b;
            CHECK(m.oa_id == bo_ha.oa_id);
        }
    }
    CHECK(to_a == 3);
    CHECK(to_b == 3);
    // Each OA refreshed its own token once, with its own app's secret; no refresh token was reused.
    CHECK(zalo.refresh_count() == 2);
    CHECK(zalo.reused_refresh_attempts() == 0);
    // Each OA greets with its own desk.
    for (const auto& m : sent) {
        if (m.text.find("xin chào") == std::string::npos && m.text.find("Xin chào") == std::string::npos) continue;
        if (m.recipient == citizen_a) CHECK(m.text.find("Bố Hạ") == std::string::npos);
        if (m.recipient == citizen_b) CHECK(m.text.find("Yên Thế") == std::string::npos);
    }
    // Each OA's answers name its own desk and phone (the example's demo numbers): the birth
    // registration answer gives the phone, the desk answer the desk's name and phone.
    auto answers_to = [&](const std::string& citizen) {
        std::string all;
        for (const auto& m : sent)
            if (m.recipient == citizen) all += m.text + "\n";
        return all;
    };
    const std::string a_read = answers_to(citizen_a), b_read = answers_to(citizen_b);
    CHECK(b_read.find("Trung tâm Phục vụ hành chính công phường Bố Hạ") != std::string::npos);
    CHECK(b_read.find("0204 3870 201") != std::string::npos);
    CHECK(b_read.find("0204 3870 101") == std::string::npos);
    CHECK(b_read.find("Yên Thế") == std::string::npos);
    CHECK(a_read.find("Trung tâm Phục vụ hành chính công xã Yên Thế") != std::string::npos);
    CHECK(a_read.find("0204 3870 101") != std::string::npos);
    CHECK(a_read.find("0204 3870 201") == std::string::npos);
    CHECK(a_read.find("Bố Hạ") == std::string::npos);
    srv.shutdown();
}

TEST_CASE("with two OAs the service is ready while one of them can send, and not when neither can", "[server][oa]") {
    test::temp_dir dir;
    // No simulator needed: nothing is sent. Yên Thế's OA has a first refresh token, Bố Hạ's none.
    const std::map<std::string, std::string> secrets = {{"CCHCBOT_OA_YEN_THE_OA_SECRET_KEY", yen_the.key},
                                                        {"CCHCBOT_OA_BO_HA_OA_SECRET_KEY", bo_ha.key}};
    {
        auto env = secrets;
        env["CCHCBOT_OA_YEN_THE_REFRESH_TOKEN"] = "refresh-token-made-by-the-test";
        env["CCHCBOT_ZALO_OAUTH_BASE"] = env["CCHCBOT_ZALO_API_BASE"] = "https://127.0.0.1:1";
        test::live_server srv(test::example_config(env), dir.file("one-ready.db"));
        CHECK(srv.client().request("GET", "/readyz").status == 200);
        srv.shutdown();
    }
    test::live_server srv(test::example_config(secrets), dir.file("none-ready.db"));
    const auto r = srv.client().request("GET", "/readyz");
    CHECK(r.status == 503);
    CHECK(r.body.find("yen_the") != std::string::npos);  // names the OA
    srv.shutdown();
}

// The outbox sender with several Official Accounts: each message with its own OA's token.
#include "bot/zalo/outbox_sender.hpp"

#include "tests/sim/simulator_env.hpp"
#include "tests/sim/zalo_harness.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <set>
#include <thread>

using namespace zalo_test;
namespace json = boost::json;

namespace {

const sim::sim_account bo_ha_app{"1222222222222222222", "sim-app-secret-of-bo-ha", "2222222222222222222", "", ""};

/// A simulator serving two OAs (its first account is xã Yên Thế's), and the bot side on a
/// configuration with the two as [[oa]] tables; `bo_ha_refresh` says whether Bố Hạ's OA has a
/// refresh token yet.
struct two_oas {
    test::temp_dir dir;
    sim::zalo_simulator sim{[] {
        sim::simulator_options o;
        o.more_accounts.push_back(bo_ha_app);
        return o;
    }()};
    std::unique_ptr<bot_side> bot;

    explicit two_oas(bool bo_ha_refresh) {
        sim.start();
        auto cfg = test::test_config(test::simulator_env(sim));
        cfg.storage.path = dir.file("bot.db");
        cfg.zalo.retry_base = 5ms;
        cfg.zalo.retry_max = 40ms;
        cfg.zalo.rate_per_minute = 60000;
        bot::oa_config yt;
        yt.id = "yen_the";
        yt.app_id = sim.options().app_id;
        yt.app_secret = sim.options().app_secret;
        yt.oa_id = sim.options().oa_id;
        yt.refresh_token = sim.current_refresh_token();
        yt.zns_reminder_template = "tpl-yen-the";
        yt.is_default = true;
        bot::oa_config bh;
        bh.id = "bo_ha";
        bh.app_id = bo_ha_app.app_id;
        bh.app_secret = bo_ha_app.app_secret;
        bh.oa_id = bo_ha_app.oa_id;
        if (bo_ha_refresh) bh.refresh_token = sim.current_refresh_token(bo_ha_app.app_id);
        bh.zns_reminder_template = "tpl-bo-ha";
        cfg.oa_tables = {yt, bh};
        (void)storage::open_database(cfg.storage.path);  // migrated
        bot = std::make_unique<bot_side>(cfg);
        bot->start_sender();
    }
    std::int64_t enqueue(zalo::outgoing_message m, const std::string& oa) {
        m.oa = oa;
        return bot->enqueue(m);
    }
    storage::outbox_row row(std::int64_t id) { return bot->row(id); }
    bool sent(std::int64_t id) { return bot->wait_final(id) && row(id).state == storage::outbox_state::sent; }
};

}  // namespace

TEST_CASE("each message goes out with the token of its own OA, and an OA without a token holds back only its own",
          "[zalo][oa]") {
    two_oas fx(false);  // Bố Hạ's OA has no token yet
    const auto a = fx.enqueue(cs_message("7100000000000000001", "Gửi qua OA xã Yên Thế"), "yen_the");
    const auto b = fx.enqueue(cs_message("7200000000000000002", "Gửi qua OA phường Bố Hạ"), "bo_ha");
    const auto old = fx.enqueue(cs_message("7100000000000000003", "Tin lưu trước khi có nhiều OA"), "");
    REQUIRE(fx.sent(a));
    REQUIRE(fx.sent(old));
    std::this_thread::sleep_for(200ms);
    // Bố Hạ's message waits, untried, for its own OA's token; Yên Thế's token never carries it.
    CHECK(fx.row(b).state == storage::outbox_state::pending);
    CHECK(fx.row(b).attempts == 0);
    auto sent = fx.sim.sent();
    REQUIRE(sent.size() == 2);
    for (const auto& m : sent) CHECK(m.oa_id == fx.sim.options().oa_id);  // '' is the default OA's

    // The OA admin authorises Bố Hạ's OA (`cchcbot token set --oa bo_ha`): its message goes, with its token.
    fx.bot->work->run_sync([&](SQLite::Database& db) {
        storage::replace_refresh_token(db, fx.sim.current_refresh_token(bo_ha_app.app_id), bot::now_ms(), "bo_ha");
        fx.bot->token_sets->tick(db);
    });
    REQUIRE(fx.sent(b));
    sent = fx.sim.sent();
    REQUIRE(sent.size() == 3);
    CHECK(sent[2].recipient == "7200000000000000002");
    CHECK(sent[2].oa_id == bo_ha_app.oa_id);
    // Each OA refreshed with its own app's secret.
    std::set<std::string> secrets;
    for (const auto& r : fx.sim.requests("/v4/oa/access_token")) secrets.insert(r.headers.at("secret_key"));
    CHECK(secrets == std::set<std::string>{fx.sim.options().app_secret, bo_ha_app.app_secret});
    CHECK(fx.sim.reused_refresh_attempts() == 0);
}

TEST_CASE("outside the window a message switches to the ZNS template of the OA it goes through", "[zalo][oa]") {
    two_oas fx(true);
    fx.sim.set_out_of_window("7200000000000000002");
    auto m = cs_message("7200000000000000002", "Hồ sơ HS-2026-000001 đến hạn hôm nay.");
    m.prio = zalo::priority::reminder;
    m.purpose = "reminder";
    m.fallback_phone = "0987654321";
    const auto id = fx.enqueue(m, "bo_ha");
    REQUIRE(fx.sent(id));
    CHECK(fx.row(id).channel == "zns");
    auto zns = fx.sim.requests("/message/template");
    REQUIRE(zns.size() == 1);
    CHECK(json::parse(zns[0].body).at("template_id").as_string() == "tpl-bo-ha");
    REQUIRE(fx.sim.sent().size() == 1);
    CHECK(fx.sim.sent()[0].oa_id == bo_ha_app.oa_id);
}

#include "bot/zalo/token_manager.hpp"

#include "tests/log_capture.hpp"
#include "tests/sim/zalo_harness.hpp"

#include <catch2/catch.hpp>

#include <future>
#include <set>
#include <thread>

using namespace zalo_test;

namespace {
/// Asks for a token on the worker thread and waits for the answer.
std::optional<std::string> get_token(bot_side& bot) {
    std::promise<std::optional<std::string>> p;
    auto f = p.get_future();
    bot.work->post([&](SQLite::Database& db) {
        bot.tokens->get(db, [&p](std::optional<std::string> t, std::string) { p.set_value(t); });
    });
    return f.get();
}

}  // namespace

TEST_CASE("the refresh token rotates, is stored before use and survives a restart without reuse", "[zalo]") {
    fixture fx;
    const std::string first = fx.sim.current_refresh_token();
    std::string second;
    {
        bot_side bot(fx.cfg);
        auto t = get_token(bot);
        REQUIRE(t);
        CHECK(*t == fx.sim.last_access_token());
        second = fx.sim.current_refresh_token();
        CHECK(second != first);
        auto row = bot.token_row();
        REQUIRE(row);
        CHECK(row->refresh_token == second);
        CHECK(row->previous_refresh == first);
        CHECK(row->access_token == *t);
        CHECK(row->access_expires_at > bot::now_ms());
    }
    // Restart with the stale configured token: the stored one wins; force a refresh.
    fx.sim.expire_access_tokens();
    {
        bot_side bot(fx.cfg);
        bot.work->run_sync([&](SQLite::Database& db) { storage::forget_access_token(db, bot::now_ms()); });
        bot.work->run_sync([&](SQLite::Database& db) { bot.tokens->load(db); });
        auto t = get_token(bot);
        REQUIRE(t);
        CHECK(bot.token_row()->refresh_token == fx.sim.current_refresh_token());
        CHECK(bot.token_row()->previous_refresh == second);
    }
    CHECK(fx.sim.refresh_count() == 2);
    CHECK(fx.sim.reused_refresh_attempts() == 0);
    // Every OAuth request used a different refresh token.
    std::set<std::string> used;
    for (const auto& r : fx.sim.requests("/v4/oa/access_token")) used.insert(bot::parse_query(r.body).at("refresh_token"));
    CHECK(used.size() == 2);
}

TEST_CASE("the access token is refreshed proactively before it expires", "[zalo]") {
    fixture fx;
    fx.cfg.zalo.token_refresh_margin = std::chrono::seconds(3600);
    bot_side bot(fx.cfg);
    REQUIRE(get_token(bot));
    REQUIRE(fx.sim.refresh_count() == 1);
    // Pretend it expires in 10 minutes: inside the margin.
    auto row = bot.token_row().value();
    bot.work->run_sync([&](SQLite::Database& db) {
        storage::store_grant(db, row.access_token, bot::now_ms() + 600000, row.refresh_token, bot::now_ms());
        bot.tokens->load(db);
        bot.tokens->tick(db);
    });
    REQUIRE(sim::zalo_simulator::wait_until([&] { return fx.sim.refresh_count() == 2; }, 3000ms));
    REQUIRE(sim::zalo_simulator::wait_until([&] { return bot.token_row()->refresh_token == fx.sim.current_refresh_token(); }, 3000ms));
}

TEST_CASE("a refused refresh token marks the OA for re-authorisation and holds messages", "[zalo]") {
    fixture fx;
    bot_side bot(fx.cfg);
    bot.start_sender();
    fx.sim.revoke_refresh_token();
    auto id = bot.enqueue(cs_message("900", "chờ cấp quyền"));
    REQUIRE(sim::zalo_simulator::wait_until([&] { return bot.tokens->status().needs_reauth; }, 3000ms));
    auto st = bot.tokens->status();
    CHECK(st.last_error.find("-14014") != std::string::npos);
    CHECK(bot.token_row()->needs_reauth);
    CHECK(bot.stats.value("cchcbot_zalo_errors_total", {{"code", "-14014"}}) == 1);
    std::this_thread::sleep_for(50ms);
    CHECK(bot.row(id).state == storage::outbox_state::pending);  // held, not failed, not sent
    CHECK(fx.sim.requests("/v3.0/oa/message/cs").empty());

    // The operator sets a new refresh token (cchcbot token set): the next check resumes sending.
    fx.sim.set_refresh_token("operator-provided-refresh-token");
    bot.work->run_sync([&](SQLite::Database& db) {
        storage::replace_refresh_token(db, "operator-provided-refresh-token", bot::now_ms() + 1);
        bot.tokens->tick(db);
    });
    REQUIRE(bot.wait_final(id));
    CHECK(bot.row(id).state == storage::outbox_state::sent);
    CHECK_FALSE(bot.tokens->status().needs_reauth);
}

TEST_CASE("the PKCE authorisation code is exchanged with its verifier and stored", "[zalo]") {
    fixture fx;
    fx.cfg.zalo.refresh_token.clear();
    fx.cfg.zalo.redirect_uri = "https://bot.example.vn/oauth/zalo/callback";
    bot_side bot(fx.cfg);
    CHECK_FALSE(bot.tokens->usable());
    auto verifier = bot::pkce_verifier();
    auto url = bot::permission_url(fx.cfg, bot::pkce_challenge(verifier), "st4te");
    CHECK(url.find("/v4/oa/permission?app_id=" + fx.cfg.zalo.app_id) != std::string::npos);
    CHECK(url.find("redirect_uri=https%3A%2F%2Fbot.example.vn%2Foauth%2Fzalo%2Fcallback") != std::string::npos);
    // The admin's browser follows the consent URL: the simulator redirects with a code.
    bot::http_call c;
    c.method = "GET";
    c.url = url;
    std::promise<bot::http_result> consent;
    bot.http->request(c, [&](bot::http_result r) { consent.set_value(std::move(r)); });
    auto res = consent.get_future().get();
    REQUIRE(res.status == 302);
    auto loc = res.headers.at("Location");
    auto q = bot::parse_query(loc.substr(loc.find('?') + 1));
    CHECK(q.at("state") == "st4te");
    std::promise<bool> done;
    bot.tokens->exchange_code(q.at("code"), verifier, [&](bool ok, std::string) { done.set_value(ok); });
    REQUIRE(done.get_future().get());
    CHECK(bot.token_row()->refresh_token == fx.sim.current_refresh_token());
    CHECK(bot.tokens->usable());
}

TEST_CASE("while the OAuth host fails, refreshes back off, messages wait and the failure is logged once", "[zalo]") {
    // Issue #12 item 6: refreshes used to be retried 65 times a second with a warning each.
    fixture fx;
    fx.sim.inject(sim::fault_kind::drop, 0, 100000, "/v4/oa/access_token");
    test::log_capture logs;
    bot_side bot(fx.cfg);
    bot.start_sender();
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 20; ++i) ids.push_back(bot.enqueue(cs_message("90" + std::to_string(i), "chờ Zalo")));
    REQUIRE(sim::zalo_simulator::wait_until(
        [&] { return bot.stats.value("cchcbot_zalo_token_refreshes_total", {{"result", "error"}}) >= 1; }, 5000ms));
    std::this_thread::sleep_for(2500ms);
    // Pauses of 1 s, 2 s, 4 s … (with jitter, at least half): at most three tries in the first 2.5 s.
    CHECK(bot.stats.value("cchcbot_zalo_token_refreshes_total", {{"result", "error"}}) <= 3);
    CHECK(logs.count("zalo tokens: refresh failed") == 1);
    for (auto id : ids) CHECK(bot.row(id).state == storage::outbox_state::pending);  // waiting, not failed
    CHECK(fx.sim.requests("/v3.0/oa/message/cs").empty());

    // The host answers again: the next try succeeds, says so once, and every message goes out.
    fx.sim.clear_faults();
    for (auto id : ids) REQUIRE(bot.wait_final(id, 15000ms));
    for (auto id : ids) CHECK(bot.row(id).state == storage::outbox_state::sent);
    CHECK(logs.count("refreshing works again") == 1);
    // The failure's line, then at its end one line with the count of repeats (if any).
    CHECK(logs.count("zalo tokens: refresh failed") <= 2);
    CHECK(logs.count("zalo tokens: refresh failed") - logs.count("(repeated ") == 1);
}

// start_zalo in demo mode: the simulator stands in for Zalo, messages flow, the OAuth callback works.
#include "bot/app/app.hpp"

#include "bot/http/admin_api.hpp"
#include "bot/http/http_types.hpp"
#include "bot/http/https_client.hpp"
#include "bot/core/metrics.hpp"
#include "bot/core/worker.hpp"
#include "bot/zalo/zalo_client.hpp"
#include "storage/database.hpp"
#include "storage/outbox_repository.hpp"
#include "storage/token_repository.hpp"
#include "bot/simulator/zalo_simulator.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

#include <future>

using namespace std::chrono_literals;

namespace {
bot::http_response call_route(bot::http_router& router, std::map<std::string, std::string> query) {
    bool known = false;
    auto* h = router.find("GET", "/oauth/zalo/callback", known);
    REQUIRE(h);
    bot::http_request req;
    req.method = "GET";
    req.path = "/oauth/zalo/callback";
    req.query = std::move(query);
    std::promise<bot::http_response> p;
    (*h)(std::move(req), [&](bot::http_response r) { p.set_value(std::move(r)); });
    auto f = p.get_future();
    REQUIRE(f.wait_for(5s) == std::future_status::ready);
    return f.get();
}
}  // namespace

/// start_zalo in demo mode on a worker of its own, as the server wires it.
struct demo_zalo {
    test::temp_dir dir;
    bot::config cfg;
    std::unique_ptr<test::test_env> t;
    std::unique_ptr<bot::worker> work_ptr;
    bot::http_router router;
    std::unique_ptr<bot::admin_api> api;
    bot::metrics stats;
    std::unique_ptr<bot::app::services> svc;

    demo_zalo() {
        cfg = test::test_config({{"CCHCBOT_ZALO_SIMULATOR", "true"}});
        cfg.storage.path = dir.file("bot.db");
        cfg.zalo.redirect_uri = "https://bot.example.vn/oauth/zalo/callback";
        cfg.server.port = 0;  // no server here: the simulator's receipts have nowhere to go
        (void)storage::open_database(cfg.storage.path);
        t = test::make_test_env(cfg);
        work_ptr = std::make_unique<bot::worker>(cfg.storage.path);
        work_ptr->start();
        api = std::make_unique<bot::admin_api>(t->env->cfg, *work_ptr);
        svc.reset(new bot::app::services{*t->env, *work_ptr, router, *api, stats});
        bot::app::start_zalo(*svc);
    }
};

TEST_CASE("in demo mode start_zalo runs the simulator and stored replies reach it", "[zalo]") {
    demo_zalo z;
    auto& t = z.t;
    auto& work = *z.work_ptr;
    auto& s = *z.svc;
    auto& stats = z.stats;
    auto& router = z.router;
    REQUIRE(s.notify_outbox);
    REQUIRE(s.on_shutdown);
    // The simulator's address is a fact of this run, not configuration: the loaded config is untouched.
    CHECK(s.runtime.zalo_simulator_base.rfind("https://127.0.0.1:", 0) == 0);
    CHECK(t->env->cfg.zalo.api_base != s.runtime.zalo_simulator_base);
    for (auto& check : s.ready_checks) CHECK_FALSE(check());

    std::int64_t id = 0;
    work.run_sync([&](SQLite::Database& db) {
        auto ctx = t->env->context(db);
        handlers::outcome out;
        zalo::outgoing_message m;
        m.recipient = "2512523625412515";
        m.text = "Chào mừng anh/chị.";
        out.messages.push_back(m);
        id = handlers::commit_outcome(ctx, out, "2512523625412515", "", std::nullopt, std::nullopt).at(0);
    });
    s.notify_outbox();
    REQUIRE(sim::zalo_simulator::wait_until(
        [&] {
            auto state = storage::outbox_state::pending;
            work.run_sync([&](SQLite::Database& db) { state = storage::get_outbox(db, id)->state; });
            return state == storage::outbox_state::sent;
        },
        5000ms));
    CHECK(stats.render().find("cchcbot_outbox_depth 0") != std::string::npos);
    CHECK(stats.value("cchcbot_zalo_sends_total", {{"result", "sent"}}) == 1);

    // OAuth callback: an unknown state is refused; a real consent round trip stores new tokens.
    CHECK(call_route(router, {{"code", "x"}, {"state", "unknown"}}).status == 400);
    auto verifier = bot::pkce_verifier();
    work.run_sync([&](SQLite::Database& db) { storage::save_oauth_state(db, "st-1", verifier, t->now); });
    bot::https_client_options ho;
    ho.ca_file = s.runtime.zalo_simulator_ca_file;
    bot::https_client browser(ho);
    bot::http_call consent;
    consent.method = "GET";
    bot::config seen = t->env->cfg;  // the Zalo side as the demo wires it
    seen.zalo.oauth_base = s.runtime.zalo_simulator_base;
    consent.url = bot::permission_url(seen, bot::pkce_challenge(verifier), "st-1");
    std::promise<bot::http_result> p;
    browser.request(consent, [&](bot::http_result r) { p.set_value(std::move(r)); });
    auto res = p.get_future().get();
    REQUIRE(res.status == 302);
    auto loc = res.headers.at("Location");
    auto q = bot::parse_query(loc.substr(loc.find('?') + 1));
    std::string before;
    work.run_sync([&](SQLite::Database& db) { before = storage::load_tokens(db)->refresh_token; });
    auto ok = call_route(router, {{"code", q.at("code")}, {"state", q.at("state")}});
    CHECK(ok.status == 200);
    CHECK(ok.body.find("Đã cấp quyền") != std::string::npos);
    work.run_sync([&](SQLite::Database& db) { CHECK(storage::load_tokens(db)->refresh_token != before); });
    // The state is single use.
    CHECK(call_route(router, {{"code", q.at("code")}, {"state", q.at("state")}}).status == 400);

    s.on_shutdown();
    work.stop();
}

TEST_CASE("a reply committed on the worker reaches Zalo without a notification, and its latency runs to the Zalo call", "[zalo]") {
    demo_zalo z;
    auto& t = z.t;
    auto& work = *z.work_ptr;
    auto& s = *z.svc;
    auto& stats = z.stats;

    // As the dispatcher does: the inbound note and the reply, committed together. Nobody calls
    // notify_outbox and the sender has no poll: only the commit can wake it.
    std::int64_t id = 0;
    const std::int64_t arrived = t->now - 250;
    work.run_sync([&](SQLite::Database& db) {
        auto ctx = t->env->context(db);
        handlers::outcome out;
        zalo::outgoing_message m;
        m.recipient = "2512523625412516";
        m.text = "Dạ, em gửi anh/chị thủ tục khai sinh ạ.";
        out.messages.push_back(m);
        out.messages.push_back(m);  // a second part of the same reply: counted once
        out.note = handlers::interaction_note{"text", "khai_sinh", handlers::interaction_outcome::answered, ""};
        id = handlers::commit_outcome(ctx, out, "2512523625412516", "khai sinh", 7, arrived).at(1);
    });
    REQUIRE(sim::zalo_simulator::wait_until(
        [&] {
            auto state = storage::outbox_state::pending;
            work.run_sync([&](SQLite::Database& db) { state = storage::get_outbox(db, id)->state; });
            return state == storage::outbox_state::sent;
        },
        5000ms));
    std::optional<std::int64_t> latency;
    work.run_sync([&](SQLite::Database& db) {
        SQLite::Statement q(db, "SELECT latency_ms FROM interactions WHERE direction = 'in'");
        REQUIRE(q.executeStep());
        if (!q.getColumn(0).isNull()) latency = q.getColumn(0).getInt64();
    });
    REQUIRE(latency);
    CHECK(*latency >= 250);  // from the arrival, not from the queueing
    CHECK(stats.render().find("cchcbot_reply_latency_seconds_count 1") != std::string::npos);
    s.on_shutdown();
    work.stop();
}

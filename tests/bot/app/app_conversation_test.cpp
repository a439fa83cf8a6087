#include "bot/app/app.hpp"

#include "bot/http/admin_api.hpp"
#include "bot/core/metrics.hpp"
#include "bot/core/worker.hpp"
#include "storage/database.hpp"
#include "tests/handlers/conversation_fixture.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <future>

namespace {

// The hand-off resources on a real worker and admin API, over a file database.
struct api_fixture {
    test::temp_dir dir;
    std::unique_ptr<test::test_env> t;
    std::unique_ptr<SQLite::Database> db;  // the test's own connection, for set-up and checks
    std::unique_ptr<bot::worker> work;
    bot::http_router router;
    std::unique_ptr<bot::admin_api> api;
    bot::metrics stats;
    int notified = 0;
    std::unique_ptr<bot::app::services> s;

    api_fixture() {
        auto cfg = test::test_config();
        cfg.storage.path = dir.file("bot.db");
        cfg.api_tokens.push_back({"op", "operator", bot::hash_api_token("op-token-made-by-test", "salt1"), {"huyen"}});
        cfg.api_tokens.push_back({"viewer", "viewer", bot::hash_api_token("viewer-token-made-by-test", "salt2"), {"huyen"}});
        t = test::make_test_env(cfg);
        t->env->kb.set(std::make_shared<test::fake_kb>());
        db = storage::open_database(cfg.storage.path);
        work = std::make_unique<bot::worker>(cfg.storage.path);
        work->start();
        api = std::make_unique<bot::admin_api>(t->env->cfg, *work);
        s.reset(new bot::app::services{*t->env, *work, router, *api, stats});
        s->notify_outbox = [this] { ++notified; };
        bot::app::start_conversation(*s);
    }
    ~api_fixture() { work->stop(); }

    void citizen_asks_for_official() {
        auto ctx = t->env->context(*db);
        zalo::event ev = test::chat_fixture::event(zalo::event_type::user_send_text, "u1", "cho toi gap can bo");
        auto out = bot::app::route(ev, ctx);
        handlers::commit_outcome(ctx, out, "u1", ev.text, std::nullopt, t->now);
    }

    bot::http_response call(const std::string& method, const std::string& path, const std::string& body = {},
                            const std::string& token = "op-token-made-by-test") {
        return test::call_api(*api, method, path, token, body);
    }

    std::int64_t count(const std::string& sql) {
        SQLite::Statement q(*db, sql);
        q.executeStep();
        return q.getColumn(0).getInt64();
    }
};

}  // namespace

TEST_CASE("the hand-off API lists open hand-offs", "[conversation]") {
    api_fixture f;
    f.citizen_asks_for_official();
    auto r = f.call("GET", "/api/v1/handoffs");
    REQUIRE(r.status == 200);
    auto v = boost::json::parse(r.body);
    auto& list = v.at("handoffs").as_array();
    REQUIRE(list.size() == 1);
    CHECK(list[0].at("id").as_int64() == 1);
    CHECK(list[0].at("user_id").as_string() == "u1");
    CHECK(list[0].at("question").as_string() == "cho toi gap can bo");
    CHECK(f.call("GET", "/api/v1/handoffs", {}, "viewer-token-made-by-test").status == 403);
}

TEST_CASE("an operator's reply goes to the citizen through the outbox and records the first answer", "[conversation]") {
    api_fixture f;
    f.citizen_asks_for_official();
    f.t->now += 5 * 60'000;
    auto r = f.call("POST", "/api/v1/handoffs/1/reply", R"({"text": "Dạ, anh/chị mang theo CCCD nhé."})");
    REQUIRE(r.status == 200);
    CHECK(f.notified == 1);
    CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'u1' AND purpose = 'relay' AND body LIKE '%mang theo CCCD%'") == 1);
    CHECK(f.count("SELECT first_answer_at FROM handoffs WHERE id = 1") == f.t->now);
    CHECK(f.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'POST /api/v1/handoffs/1/reply'") == 1);

    CHECK(f.call("POST", "/api/v1/handoffs/1/reply", R"({"text": "  "})").status == 400);
    CHECK(f.call("POST", "/api/v1/handoffs/1/reply", "not json").status == 400);
    CHECK(f.call("POST", "/api/v1/handoffs/42/reply", R"({"text": "x"})").status == 404);
}

TEST_CASE("closing a hand-off tells the citizen and lets the bot answer again", "[conversation]") {
    api_fixture f;
    f.citizen_asks_for_official();
    auto r = f.call("POST", "/api/v1/handoffs/1/close");
    REQUIRE(r.status == 200);
    CHECK(f.count("SELECT COUNT(*) FROM handoffs WHERE id = 1 AND closed_at IS NOT NULL AND closed_by = 'api:op'") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'u1' AND body LIKE '%đã kết thúc trao đổi%'") == 1);
    CHECK(f.call("POST", "/api/v1/handoffs/1/close").status == 409);
    CHECK(f.call("POST", "/api/v1/handoffs/1/reply", R"({"text": "x"})").status == 409);
    auto list = boost::json::parse(f.call("GET", "/api/v1/handoffs").body);
    CHECK(list.at("handoffs").as_array().empty());
}

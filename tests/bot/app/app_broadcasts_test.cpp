// The broadcast resources of the admin API, through the real admin_api, worker and wiring.
#include "bot/app/app.hpp"

#include "bot/http/admin_api.hpp"
#include "bot/http/http_types.hpp"
#include "bot/core/metrics.hpp"
#include "bot/core/worker.hpp"
#include "storage/database.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <future>

namespace {

namespace json = boost::json;

struct api_fixture {
    test::temp_dir dir;
    std::unique_ptr<test::test_env> t;
    std::unique_ptr<bot::worker> work;
    bot::http_router router;
    std::unique_ptr<bot::admin_api> api;
    bot::metrics stats;
    std::unique_ptr<bot::app::services> sv;

    api_fixture() {
        auto cfg = test::test_config();
        cfg.storage.path = dir.file("api.db");
        cfg.api_tokens = {{"tuyen-truyen", "propaganda", bot::hash_api_token("prop-token-for-test", "s1"), {"huyen"}},
                          {"xem", "viewer", bot::hash_api_token("viewer-token-for-test", "s2"), {"huyen"}}};
        {
            auto db = storage::open_database(cfg.storage.path);
            db->exec("INSERT INTO users (user_id, is_follower, unit_id, village, broadcast_opt_out, created_at) VALUES"
                     " ('a1', 1, 'tan_soi', 'thôn Đồng Điều', 0, 0), ('a2', 1, 'tan_soi', 'thôn Đồng Cả', 0, 0),"
                     " ('b1', 1, 'dong_son', 'thôn Hố Sâu', 0, 0)");
        }
        t = test::make_test_env(cfg);
        work = std::make_unique<bot::worker>(cfg.storage.path);
        api = std::make_unique<bot::admin_api>(t->env->cfg, *work);
        sv = std::make_unique<bot::app::services>(bot::app::services{*t->env, *work, router, *api, stats});
        bot::app::start_broadcasts(*sv);
        work->start();
    }
    ~api_fixture() { work->stop(); }

    bot::http_response call(const std::string& method, const std::string& path, const std::string& body = "",
                            const std::string& token = "prop-token-for-test") {
        return test::call_api(*api, method, path, token, body);
    }
};

}  // namespace

TEST_CASE("the admin API creates, lists, shows and cancels broadcasts for the propaganda role", "[broadcasts]") {
    api_fixture f;
    auto r = f.call("POST", "/api/v1/broadcasts", R"({"text": "Bà con {{ten_thon}} chú ý", "units": ["tan_soi"], "at": "2026-11-28 08:00"})");
    INFO(r.body);
    REQUIRE(r.status == 201);
    auto o = json::parse(r.body).as_object();
    CHECK(o.at("id").as_int64() == 1);
    CHECK(o.at("recipients").as_int64() == 2);
    CHECK(o.at("state").as_string() == "scheduled");
    CHECK(o.at("scheduled_at").as_string() == "2026-11-28 08:00");
    CHECK(o.at("created_by").as_string() == "tuyen-truyen");

    r = f.call("POST", "/api/v1/broadcasts", R"({"text": "x", "all": true, "dry_run": true})");
    CHECK(r.status == 200);
    CHECK(json::parse(r.body).at("dry_run").as_bool());
    CHECK(json::parse(r.body).at("all").as_bool());
    CHECK(json::parse(r.body).at("recipients").as_int64() == 3);

    r = f.call("POST", "/api/v1/broadcasts", R"({"text": "x", "units": ["nowhere"]})");
    CHECK(r.status == 400);
    CHECK(r.body.find("Không có xã, phường mã \\\"nowhere\\\"") != std::string::npos);

    r = f.call("GET", "/api/v1/broadcasts");
    CHECK(r.status == 200);
    CHECK(json::parse(r.body).at("broadcasts").as_array().size() == 1);
    r = f.call("GET", "/api/v1/broadcasts/1");
    CHECK(r.status == 200);
    CHECK(json::parse(r.body).at("recipients").as_int64() == 2);
    CHECK(f.call("GET", "/api/v1/broadcasts/7").status == 404);
    CHECK(f.call("GET", "/api/v1/broadcasts/abc").status == 404);

    CHECK(f.call("POST", "/api/v1/broadcasts/1/cancel", "", "viewer-token-for-test").status == 403);
    r = f.call("POST", "/api/v1/broadcasts/1/cancel");
    CHECK(r.status == 200);
    CHECK(json::parse(r.body).at("state").as_string() == "cancelled");
    CHECK(f.call("POST", "/api/v1/broadcasts/1/cancel").status == 409);
    CHECK(f.call("POST", "/api/v1/broadcasts/9/cancel").status == 404);
}

// The same audiences as tests/bot/app/cli_broadcasts_test.cpp's, with the same answers.
TEST_CASE("the admin API takes a broadcast's audience as the command line does", "[broadcasts][audience]") {
    api_fixture f;
    auto r = f.call("POST", "/api/v1/broadcasts", R"({"text": "x", "dry_run": true})");
    CHECK(r.status == 400);
    CHECK(r.body.find("Chưa chọn người nhận") != std::string::npos);
    // a1 lives in thôn Đồng Điều of xã Tân Sỏi: the village of the commune, not the commune.
    r = f.call("POST", "/api/v1/broadcasts", R"({"text": "x", "units": ["tan_soi"], "villages": ["thôn Đồng Điều"], "dry_run": true})");
    INFO(r.body);
    CHECK(r.status == 200);
    CHECK(json::parse(r.body).at("recipients").as_int64() == 1);
    r = f.call("POST", "/api/v1/broadcasts", R"({"text": "x", "units": ["tan_soi"], "villages": ["thôn Hố Sâu"]})");
    CHECK(r.status == 400);
    CHECK(r.body.find("dong_son") != std::string::npos);
    r = f.call("POST", "/api/v1/broadcasts", R"({"text": "x", "all": true, "units": ["tan_soi"]})");
    CHECK(r.status == 400);
    r = f.call("POST", "/api/v1/broadcasts", R"({"text": "x", "all": true})");
    CHECK(r.status == 201);
    CHECK(json::parse(r.body).at("recipients").as_int64() == 3);
    CHECK(json::parse(r.body).at("target").at("all").as_bool());
}

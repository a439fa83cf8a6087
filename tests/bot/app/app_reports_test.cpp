// GET /api/v1/reports through the admin API, the worker and the reports hook.
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

struct api_fixture {
    test::temp_dir dir;
    std::unique_ptr<test::test_env> te;
    std::unique_ptr<bot::worker> work;
    std::unique_ptr<bot::admin_api> api;
    bot::http_router router;
    bot::metrics stats;
    std::unique_ptr<bot::app::services> s;

    api_fixture() {
        auto cfg = test::test_config();
        cfg.storage.path = dir.file("api.db");
        cfg.api_tokens.push_back({"bao-cao", "viewer", bot::hash_api_token("viewer-token", "s1"), {"huyen"}});
        cfg.api_tokens.push_back({"tuyen-truyen", "propaganda", bot::hash_api_token("propaganda-token", "s2"), {"huyen"}});
        {
            auto db = storage::open_database(cfg.storage.path);
            db->exec("INSERT INTO dossier_rows (code, procedure, level, unit_id, channel, received_on, due_on, returned_on, "
                     "imported_at) VALUES ('A1', 'Đăng ký khai sinh', 'xa', 'tan_soi', 'truc_tuyen', '2026-01-05', "
                     "'2026-01-08', '2026-01-07', 0)");
        }
        te = test::make_test_env(cfg);
        work = std::make_unique<bot::worker>(te->env->cfg.storage.path);
        work->start();
        api = std::make_unique<bot::admin_api>(te->env->cfg, *work);
        s = std::make_unique<bot::app::services>(bot::app::services{*te->env, *work, router, *api, stats});
        bot::app::start_reports(*s);
    }
    ~api_fixture() { work->stop(); }

    bot::http_response get(const std::string& query, const std::string& token = "viewer-token") {
        return test::call_api(*api, "GET", "/api/v1/reports?" + query, token);
    }
};

}  // namespace

TEST_CASE("the reports API answers a viewer in each format with the right content type", "[reports]") {
    api_fixture fx;
    auto json = fx.get("from=2026-01-01&to=2026-06-30");
    CHECK(json.status == 200);
    CHECK(json.content_type == "application/json");
    auto v = boost::json::parse(json.body).as_object();
    CHECK(v.at("dossiers").at("totals").at("total").as_int64() == 1);

    auto text = fx.get("from=2026-01-01&to=2026-06-30&format=text");
    CHECK(text.status == 200);
    CHECK(text.content_type == "text/plain; charset=utf-8");
    CHECK(text.body.find("+ Cấp xã: Tổng số hồ sơ tiếp nhận: 1 hồ sơ") != std::string::npos);

    auto csv = fx.get("from=2026-01-01&to=2026-06-30&format=csv&unit=tan_soi");
    CHECK(csv.status == 200);
    CHECK(csv.content_type == "text/csv; charset=utf-8");

    auto xlsx = fx.get("from=2026-01-01&to=2026-06-30&format=xlsx");
    CHECK(xlsx.status == 200);
    CHECK(xlsx.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    CHECK(xlsx.body.rfind("PK", 0) == 0);
    bool attachment = false;
    for (const auto& [k, val] : xlsx.headers)
        if (k == "Content-Disposition" && val.find("attachment; filename=\"bao-cao-2026-01-01-2026-06-30.xlsx\"") == 0)
            attachment = true;
    CHECK(attachment);
}

TEST_CASE("the reports API refuses bad requests with 400 and other roles with 403", "[reports]") {
    api_fixture fx;
    CHECK(fx.get("from=2026-07-01&to=2026-06-30").status == 400);
    CHECK(fx.get("to=2026-06-30").status == 400);
    CHECK(fx.get("from=2026-01-01&to=2026-06-30&unit=xa_la").status == 400);
    CHECK(fx.get("from=2026-01-01&to=2026-06-30&format=pdf").status == 400);
    CHECK(fx.get("from=2026-01-01&to=2026-06-30", "propaganda-token").status == 403);
    CHECK(fx.get("from=2026-01-01&to=2026-06-30", "wrong").status == 401);
}

// The dossiers start-up hook: the import API off the worker, import runs, the watched folder.
#include "bot/app/app.hpp"

#include "bot/core/local_time.hpp"
#include "bot/core/metrics.hpp"
#include "bot/core/worker.hpp"
#include "bot/http/admin_api.hpp"
#include "storage/database.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

#include <future>
#include <thread>

namespace {

namespace fs = std::filesystem;

struct dossiers_fixture {
    test::temp_dir dir;
    std::unique_ptr<test::test_env> t;
    std::unique_ptr<bot::worker> work;
    bot::http_router router;
    bot::metrics stats;
    std::unique_ptr<bot::admin_api> api;
    std::unique_ptr<bot::app::services> svc;

    explicit dossiers_fixture(const std::string& folder = {}) {
        auto cfg = test::test_config();
        cfg.storage.path = dir.file("d.db");
        cfg.demo = false;
        cfg.imports.folder = folder;
        cfg.imports.settle = std::chrono::seconds(0);
        cfg.imports.interval = std::chrono::seconds(5);
        cfg.api_tokens = {{"Anh Nam (một cửa)", "operator", bot::hash_api_token("operator-secret-token", "s2"), {"huyen"}}};
        t = test::make_test_env(std::move(cfg));
        t->env->clock = [] { return bot::now_ms(); };
        (void)storage::open_database(t->env->cfg.storage.path);
        work = std::make_unique<bot::worker>(t->env->cfg.storage.path);
        work->start();
        api = std::make_unique<bot::admin_api>(t->env->cfg, *work);
        svc = std::make_unique<bot::app::services>(bot::app::services{*t->env, *work, router, *api, stats});
        bot::app::start_dossiers(*svc);
    }
    ~dossiers_fixture() {
        if (svc->on_shutdown) svc->on_shutdown();
        api.reset();
        work->stop();
    }

    bot::http_response call(const std::string& method, const std::string& target, const std::string& body = {},
                            const std::string& content_type = "text/csv") {
        bot::http_request r;
        r.method = method;
        r.target = target;
        auto q = target.find('?');
        r.path = target.substr(0, q);
        if (q != std::string::npos) r.query = bot::parse_query(target.substr(q + 1));
        r.headers["Authorization"] = "Bearer operator-secret-token";
        r.headers["Content-Type"] = content_type;
        r.body = body;
        std::promise<bot::http_response> p;
        auto fut = p.get_future();
        api->handle(std::move(r), [&p](bot::http_response res) { p.set_value(std::move(res)); });
        return fut.get();
    }
    std::int64_t count(const std::string& sql) {
        std::int64_t n = 0;
        work->run_sync([&](SQLite::Database& db) {
            SQLite::Statement q(db, sql);
            q.executeStep();
            n = q.getColumn(0).getInt64();
        });
        return n;
    }
};

std::string fixture(const std::string& name) { return test::read_file(test::source_dir() + "/tests/fixtures/" + name); }

}  // namespace

TEST_CASE("an XLSX export is uploaded through the API, previewed, imported once and its run listed", "[dossiers]") {
    dossiers_fixture f;
    const auto xlsx = fixture("mot-cua-export.xlsx");
    const std::string sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    auto preview = f.call("POST", "/api/v1/dossiers?dry_run=1", xlsx, sheet);
    REQUIRE(preview.status == 200);
    CHECK_THAT(preview.body, Catch::Contains("\"inserted\":6") && Catch::Contains("\"format\":\"xlsx\""));
    CHECK(f.count("SELECT COUNT(*) FROM dossiers") == 0);
    auto imp = f.call("POST", "/api/v1/dossiers?file=ngay-03-12.xlsx", xlsx, sheet);
    INFO(imp.body);
    REQUIRE(imp.status == 200);
    CHECK_THAT(imp.body, Catch::Contains("\"imported\":6") && Catch::Contains("\"inserted\":6"));
    // The CSV of the same export, as a plain file upload: nothing changes.
    auto again = f.call("POST", "/api/v1/dossiers", fixture("mot-cua-export.csv"), "application/octet-stream");
    REQUIRE(again.status == 200);
    CHECK_THAT(again.body, Catch::Contains("\"unchanged\":6") && Catch::Contains("\"updated\":0"));
    CHECK(f.count("SELECT COUNT(*) FROM audit_log WHERE action = 'POST /api/v1/dossiers'") == 2);
    auto runs = f.call("GET", "/api/v1/imports");
    REQUIRE(runs.status == 200);
    CHECK_THAT(runs.body, Catch::Contains("\"file\":\"ngay-03-12.xlsx\"") && Catch::Contains("\"source\":\"api\""));
    auto one = f.call("GET", "/api/v1/imports/1");
    REQUIRE(one.status == 200);
    CHECK_THAT(one.body, Catch::Contains("\"outcome\":\"imported\"") && Catch::Contains("\"code\":\"unknown_official\"") && Catch::Contains("\"line\":5"));
    CHECK(f.call("GET", "/api/v1/imports/99").status == 404);
    CHECK(f.call("POST", "/api/v1/dossiers", "x", "text/plain").status == 415);
    auto listed = f.call("GET", "/api/v1/dossiers?status=withdrawn");
    CHECK_THAT(listed.body, Catch::Contains("251203-0005") && Catch::Contains("\"trang_thai\":\"withdrawn\""));
}

TEST_CASE("exports dropped in the watched folder are imported and moved aside, rejected ones with their errors", "[dossiers]") {
    test::temp_dir folder;
    test::write_file(folder.file("bad.csv"), "Mã hồ sơ,Tên thủ tục,Đơn vị,Kênh,Ngày tiếp nhận,Ngày hẹn trả\nA,x,xã Tân Sỏi,fax,01/12/2025,03/12/2025\n");
    fs::copy_file(test::source_dir() + "/tests/fixtures/mot-cua-export.xlsx", folder.file("ngay-03-12.xlsx"));
    dossiers_fixture f(folder.path().string());
    bool moved = false;
    for (int i = 0; i < 100 && !moved; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        moved = !fs::exists(folder.file("bad.csv")) && !fs::exists(folder.file("ngay-03-12.xlsx"));
    }
    REQUIRE(moved);
    CHECK(f.count("SELECT COUNT(*) FROM dossiers") == 6);
    CHECK(f.count("SELECT COUNT(*) FROM import_runs WHERE source = 'watch' AND outcome = 'imported'") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM import_runs WHERE source = 'watch' AND outcome = 'rejected'") == 1);
    std::vector<std::string> done, rejected;
    for (const auto& e : fs::directory_iterator(folder.path() / "done")) done.push_back(e.path().filename().string());
    for (const auto& e : fs::directory_iterator(folder.path() / "rejected")) rejected.push_back(e.path().filename().string());
    REQUIRE(done.size() == 1);
    CHECK_THAT(done[0], Catch::EndsWith("-ngay-03-12.xlsx"));
    REQUIRE(rejected.size() == 2);  // the file and its errors
    for (const auto& r : rejected)
        if (r.size() > 11 && r.compare(r.size() - 11, 11, ".errors.txt") == 0)
            CHECK(test::read_file((folder.path() / "rejected" / r).string()) ==
                  "Tệp bad.csv chưa được nhập: 1 dòng có lỗi nên chưa hồ sơ nào thay đổi. Anh/chị sửa các dòng dưới đây "
                  "trong tệp rồi đặt lại tệp vào thư mục nhập.\n"
                  "bad.csv: Dòng 2: kênh nộp \"fax\" không rõ (Trực tuyến, Trực tiếp hoặc Dịch vụ bưu chính công ích).\n");
}

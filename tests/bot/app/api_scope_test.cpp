// Token scope and personal data across the admin API (issue #12 items 2 and 3).
#include "bot/app/server_app.hpp"

#include "bot/http/admin_api.hpp"
#include "storage/database.hpp"
#include "storage/handoff_repository.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <future>
#include <set>

namespace {

const std::string admin = "admin-token-of-the-scope-test";
const std::string prop_ts = "propaganda-tan-soi-token";
const std::string op_ts = "operator-tan-soi-token";
const std::string view_ts = "viewer-tan-soi-token";
const std::string op_district = "operator-district-token";

// The assembled server with officials and dossiers in tan_soi, bo_ha and huyen (seeded through the
// API by the admin token) and tokens for one commune and for the district.
struct scope_fixture {
    test::temp_dir dir;
    std::unique_ptr<test::test_env> t;
    std::unique_ptr<bot::app::server> srv;
    std::int64_t handoff_ts = 0, handoff_bh = 0, handoff_none = 0;

    explicit scope_fixture(const std::function<void(bot::config&)>& adjust = {}) {
        auto cfg = test::test_config();
        if (adjust) adjust(cfg);
        cfg.storage.path = dir.file("scope.db");
        cfg.server.port = 0;
        cfg.api_tokens = {{"Quản trị", "admin", bot::hash_api_token(admin, "s0"), {}},
                          {"Tuyên truyền Tân Sỏi", "propaganda", bot::hash_api_token(prop_ts, "s1"), {"tan_soi"}},
                          {"Một cửa Tân Sỏi", "operator", bot::hash_api_token(op_ts, "s2"), {"tan_soi"}},
                          {"Báo cáo Tân Sỏi", "viewer", bot::hash_api_token(view_ts, "s3"), {"tan_soi"}},
                          {"Một cửa huyện", "operator", bot::hash_api_token(op_district, "s4"), {"huyen"}}};
        t = test::make_test_env(cfg);
        srv = std::make_unique<bot::app::server>(*t->env);
        srv->start();
        seed();
        auto db = storage::open_database(cfg.storage.path);
        handoff_ts = storage::open_handoff(*db, "user-ts", "tan_soi", "request", "cho gặp cán bộ", t->now);
        handoff_bh = storage::open_handoff(*db, "user-bh", "bo_ha", "request", "cho gặp cán bộ", t->now);
        // A citizen who has not chosen a commune: only a token serving every unit reaches it.
        handoff_none = storage::open_handoff(*db, "user-none", "", "request", "cho gặp cán bộ", t->now);
    }
    ~scope_fixture() { srv->shutdown(); }

    void seed() {
        for (const auto* body : {R"({"id":"cb_tan_soi","name":"Nguyễn Văn Sỏi","unit":"tan_soi"})",
                                 R"({"id":"cb_bo_ha","name":"Trần Thị Hạ","unit":"bo_ha"})",
                                 R"({"id":"cb_huyen","name":"Lê Văn Huyện","unit":"huyen"})"})
            REQUIRE(call("POST", "/api/v1/officials", admin, body).status == 201);
        REQUIRE(import_csv(admin, std::string(dossier_header) +
                                      "HS-TS-0001,Khai sinh,Hộ tịch,xa,tan_soi,truc_tuyen,2026-11-02,2026-11-05,,cb_tan_soi,\n"
                                      "HS-TS-0002,Kết hôn,Hộ tịch,xa,tan_soi,truc_tiep,2026-11-03,2026-11-06,,cb_tan_soi,\n"
                                      "HS-BH-0001,Khai sinh,Hộ tịch,xa,bo_ha,truc_tuyen,2026-11-02,2026-11-05,,cb_bo_ha,\n"
                                      "HS-HU-0001,Cấp phép xây dựng,Xây dựng,huyen,huyen,truc_tuyen,2026-11-02,2026-11-20,,cb_huyen,\n")
                    .status == 200);
    }

    static constexpr const char* dossier_header =
        "ma_ho_so,thu_tuc,linh_vuc,cap,don_vi,kenh,ngay_nhan,han_tra,ngay_tra,can_bo,so_dien_thoai\n";

    bot::http_response import_csv(const std::string& token, const std::string& body) {
        bot::http_request r;
        r.method = "POST";
        r.target = r.path = "/api/v1/dossiers";
        r.headers["Authorization"] = "Bearer " + token;
        r.headers["Content-Type"] = "text/csv";
        r.body = body;
        std::promise<bot::http_response> p;
        auto fut = p.get_future();
        srv->svc().api.handle(std::move(r), [&p](bot::http_response res) { p.set_value(std::move(res)); });
        return fut.get();
    }

    bot::http_response call(const std::string& method, const std::string& target, const std::string& token,
                            const std::string& body = {}) {
        return test::call_api(srv->svc().api, method, target, token, body);
    }
};

boost::json::value parse(const bot::http_response& r) { return boost::json::parse(r.body); }

}  // namespace

TEST_CASE("a propaganda token broadcasts only to its units; outside them is 403 with a clear error", "[scope]") {
    scope_fixture f;
    auto mine = f.call("POST", "/api/v1/broadcasts", prop_ts, R"({"text":"Tin xã","units":["tan_soi"],"dry_run":true})");
    CHECK(mine.status == 200);
    auto village = f.call("POST", "/api/v1/broadcasts", prop_ts, R"({"text":"Tin thôn","villages":["thôn Đồng Điều"],"dry_run":true})");
    CHECK(village.status == 200);

    auto other = f.call("POST", "/api/v1/broadcasts", prop_ts, R"({"text":"Tin","units":["bo_ha"]})");
    CHECK(other.status == 403);
    CHECK(parse(other).at("error") == "forbidden");
    CHECK(parse(other).at("detail").as_string().find("bo_ha") != boost::json::string::npos);
    auto other_village = f.call("POST", "/api/v1/broadcasts", prop_ts, R"({"text":"Tin","villages":["tổ dân phố Hạ"]})");
    CHECK(other_village.status == 403);
    auto everyone = f.call("POST", "/api/v1/broadcasts", prop_ts, R"({"text":"Tin cho tất cả","all":true})");
    CHECK(everyone.status == 403);
    CHECK(parse(everyone).at("detail").as_string().find("every follower") != boost::json::string::npos);
    CHECK(f.call("POST", "/api/v1/broadcasts", admin, R"({"text":"Tin cho tất cả","all":true,"dry_run":true})").status == 200);
}

TEST_CASE("a broadcast naming no one is refused, even for a token serving every unit", "[scope][broadcasts]") {
    scope_fixture f;
    for (const std::string& token : {admin, prop_ts}) {
        auto none = f.call("POST", "/api/v1/broadcasts", token, R"({"text":"Tin cho tất cả"})");
        CHECK(none.status == 400);
        const auto detail = std::string(parse(none).at("detail").as_string());
        CHECK(detail.find("Chưa chọn người nhận tin") != std::string::npos);
        CHECK(detail.find("\"all\": true") != std::string::npos);
    }
    CHECK(parse(f.call("GET", "/api/v1/broadcasts", admin)).at("broadcasts").as_array().empty());
}

TEST_CASE("a commune's token reaches its own village whose name another commune shares", "[scope][broadcasts]") {
    scope_fixture f([](bot::config& cfg) {
        for (auto& u : cfg.units)
            if (u.id == "bo_ha") u.villages.push_back("thôn Đồng Điều");
    });
    auto mine = f.call("POST", "/api/v1/broadcasts", prop_ts,
                       R"({"text":"Tin thôn","units":["tan_soi"],"villages":["thôn Đồng Điều"],"at":"2099-01-01 08:00"})");
    INFO(mine.body);
    REQUIRE(mine.status == 201);
    const auto id = std::to_string(parse(mine).at("id").as_int64());
    CHECK(parse(f.call("GET", "/api/v1/broadcasts", prop_ts)).at("broadcasts").as_array().size() == 1);
    CHECK(f.call("GET", "/api/v1/broadcasts/" + id, prop_ts).status == 200);
    // The other commune's village of that name stays out of reach.
    auto theirs = f.call("POST", "/api/v1/broadcasts", prop_ts, R"({"text":"Tin","units":["bo_ha"],"villages":["thôn Đồng Điều"]})");
    CHECK(theirs.status == 403);
    CHECK(parse(theirs).at("detail").as_string().find("bo_ha") != boost::json::string::npos);
}

TEST_CASE("a token lists, reads and cancels only broadcasts to its units", "[scope]") {
    scope_fixture f;
    auto ts = f.call("POST", "/api/v1/broadcasts", prop_ts, R"({"text":"Tin xã","units":["tan_soi"],"at":"2099-01-01 08:00"})");
    REQUIRE(ts.status == 201);
    auto bh = f.call("POST", "/api/v1/broadcasts", admin, R"({"text":"Tin Bố Hạ","units":["bo_ha"],"at":"2099-01-01 08:00"})");
    REQUIRE(bh.status == 201);
    const auto ts_id = std::to_string(parse(ts).at("id").as_int64());
    const auto bh_id = std::to_string(parse(bh).at("id").as_int64());

    auto list = parse(f.call("GET", "/api/v1/broadcasts", prop_ts)).at("broadcasts").as_array();
    REQUIRE(list.size() == 1);
    CHECK(std::to_string(list[0].at("id").as_int64()) == ts_id);
    CHECK(parse(f.call("GET", "/api/v1/broadcasts", admin)).at("broadcasts").as_array().size() == 2);
    CHECK(f.call("GET", "/api/v1/broadcasts/" + bh_id, prop_ts).status == 403);
    CHECK(f.call("POST", "/api/v1/broadcasts/" + bh_id + "/cancel", prop_ts).status == 403);
    CHECK(parse(f.call("GET", "/api/v1/broadcasts/" + bh_id, admin)).at("state") == "scheduled");  // untouched
    CHECK(f.call("POST", "/api/v1/broadcasts/" + ts_id + "/cancel", prop_ts).status == 200);
}

TEST_CASE("an operator token sees and changes only its units' dossiers", "[scope]") {
    scope_fixture f;
    auto list = parse(f.call("GET", "/api/v1/dossiers", op_ts)).as_array();
    REQUIRE_FALSE(list.empty());
    for (const auto& d : list) CHECK(d.at("don_vi") == "tan_soi");
    CHECK(parse(f.call("GET", "/api/v1/dossiers", op_district)).as_array().size() > list.size());
    CHECK(f.call("GET", "/api/v1/dossiers?unit=bo_ha", op_ts).status == 403);
    CHECK(f.call("GET", "/api/v1/dossiers/HS-BH-0001", op_ts).status == 403);  // bo_ha's
    CHECK(f.call("GET", "/api/v1/dossiers/HS-BH-0001", op_district).status == 200);

    const std::string header = scope_fixture::dossier_header;
    const std::string rows = header + "HS-2026-000001,Khai sinh,Hộ tịch,xa,tan_soi,truc_tuyen,2026-11-20,2026-11-25,,,\n" +
                             "HS-2026-000002,Khai sinh,Hộ tịch,xa,bo_ha,truc_tuyen,2026-11-20,2026-11-25,,,\n";
    auto imp = [&](const std::string& token, const std::string& body) { return f.import_csv(token, body); };
    auto refused = imp(op_ts, rows);
    CHECK(refused.status == 403);
    CHECK(refused.body.find("line 3") != std::string::npos);
    CHECK(f.call("GET", "/api/v1/dossiers/HS-2026-000001", op_ts).status == 404);  // nothing half-imported
    CHECK(imp(op_ts, header + "HS-2026-000001,Khai sinh,Hộ tịch,xa,tan_soi,truc_tuyen,2026-11-20,2026-11-25,,,\n").status == 200);
}

TEST_CASE("an operator token lists and answers only its units' hand-offs and officials", "[scope]") {
    scope_fixture f;
    auto open = parse(f.call("GET", "/api/v1/handoffs", op_ts)).at("handoffs").as_array();
    REQUIRE(open.size() == 1);
    CHECK(open[0].at("unit_id") == "tan_soi");
    CHECK(parse(f.call("GET", "/api/v1/handoffs", op_district)).at("handoffs").as_array().size() == 3);
    CHECK(f.call("POST", "/api/v1/handoffs/" + std::to_string(f.handoff_none) + "/close", op_ts).status == 403);
    const auto bh = std::to_string(f.handoff_bh);
    auto reply = f.call("POST", "/api/v1/handoffs/" + bh + "/reply", op_ts, R"({"text":"Dạ em chào anh ạ"})");
    CHECK(reply.status == 403);
    CHECK(reply.body.find("hand-off #" + bh) != std::string::npos);
    CHECK(f.call("POST", "/api/v1/handoffs/" + bh + "/close", op_ts).status == 403);
    CHECK(f.call("POST", "/api/v1/handoffs/" + std::to_string(f.handoff_ts) + "/close", op_ts).status == 200);

    auto officials = parse(f.call("GET", "/api/v1/officials", op_ts)).as_array();
    REQUIRE_FALSE(officials.empty());
    for (const auto& o : officials) CHECK(o.at("unit") == "tan_soi");
    CHECK(f.call("GET", "/api/v1/officials/cb_bo_ha", op_ts).status == 403);
    CHECK(f.call("POST", "/api/v1/officials/cb_bo_ha/link-code", op_ts).status == 403);
    CHECK(f.call("POST", "/api/v1/officials/cb_bo_ha/disable", op_ts).status == 403);
    CHECK(f.call("POST", "/api/v1/officials", op_ts, R"({"id":"cb_moi","name":"Lê Văn Mới","unit":"bo_ha"})").status == 403);
    CHECK(f.call("POST", "/api/v1/officials", op_ts, R"({"id":"cb_moi","name":"Lê Văn Mới","unit":"tan_soi"})").status == 201);
    CHECK(f.call("GET", "/api/v1/officials/cb_bo_ha", op_district).status == 200);
}

TEST_CASE("a commune's token registers staff only for its units and never an administrator of every unit", "[scope]") {
    scope_fixture f;
    // Extra units served (the staff model): each must be one the token serves.
    auto wider = f.call("POST", "/api/v1/officials", op_ts, R"({"id":"cb_hai","name":"Lê Văn Hai","unit":"tan_soi","units":["bo_ha"]})");
    CHECK(wider.status == 403);
    CHECK(parse(wider).at("detail").as_string().find("bo_ha") != boost::json::string::npos);
    // A staff administrator serves every unit: a commune's token may not make one.
    auto admin_staff = f.call("POST", "/api/v1/officials", op_ts, R"({"id":"qt_moi","name":"Lê Văn Quản","unit":"tan_soi","role":"admin"})");
    CHECK(admin_staff.status == 403);
    CHECK(parse(admin_staff).at("detail").as_string().find("every unit") != boost::json::string::npos);
    CHECK(f.call("GET", "/api/v1/officials/qt_moi", admin).status == 404);

    auto own = f.call("POST", "/api/v1/officials", op_ts,
                      R"({"id":"tt_ts","name":"Lê Thị Truyền","unit":"tan_soi","units":["tan_soi"],"role":"propaganda"})");
    REQUIRE(own.status == 201);
    CHECK(parse(own).at("role") == "propaganda");
    auto both = f.call("POST", "/api/v1/officials", admin, R"({"id":"cb_hai","name":"Lê Văn Hai","unit":"tan_soi","units":["bo_ha"]})");
    REQUIRE(both.status == 201);
    const auto both_json = parse(both);
    std::set<std::string> served;
    for (const auto& u : both_json.at("units").as_array()) served.insert(std::string(u.as_string()));
    CHECK(served == std::set<std::string>{"tan_soi", "bo_ha"});
    auto unknown = f.call("POST", "/api/v1/officials", admin, R"({"id":"cb_ba","name":"Lê Văn Ba","unit":"tan_soi","units":["dong_son","nowhere"]})");
    CHECK(unknown.status == 400);
    CHECK(parse(unknown).at("detail").as_string().find("units[1]") != boost::json::string::npos);
    CHECK(f.call("POST", "/api/v1/officials", op_district, R"({"id":"qt_huyen","name":"Lê Văn Huyện","unit":"huyen","role":"admin"})")
              .status == 201);
}

TEST_CASE("a viewer token reports on its own unit only", "[scope]") {
    scope_fixture f;
    auto own = f.call("GET", "/api/v1/reports?from=2026-01-01&to=2026-11-30", view_ts);
    REQUIRE(own.status == 200);
    CHECK(parse(own).at("dossiers").at("levels").as_array().size() == 1);  // tan_soi's level only
    CHECK(f.call("GET", "/api/v1/reports?from=2026-01-01&to=2026-11-30&unit=tan_soi", view_ts).status == 200);
    auto other = f.call("GET", "/api/v1/reports?from=2026-01-01&to=2026-11-30&unit=bo_ha", view_ts);
    CHECK(other.status == 403);
    CHECK(f.call("GET", "/api/v1/reports?from=2026-01-01&to=2026-11-30&level=xa", view_ts).status == 403);
}

namespace {

// An unanswered question with a phone and a citizen-ID number, from a citizen of tan_soi.
void citizen_leaves_numbers(const scope_fixture& f) {
    auto db = storage::open_database(f.t->env->cfg.storage.path);
    db->exec("INSERT INTO users (user_id, unit_id, created_at) VALUES ('user-ts', 'tan_soi', 0)");
    storage::record_unanswered(*db, f.t->now - 3600 * 1000, "2026-11-27", "user-ts",
                               "em so 0912345678 cccd 036095001234 hoi ve dat dai",
                               "em so 0912345678 cccd 036095001234 hoi ve dat dai");
}

}  // namespace

TEST_CASE("unanswered questions are shown with phone and ID numbers masked", "[privacy]") {
    scope_fixture f;
    citizen_leaves_numbers(f);
    for (const auto& token : {view_ts, op_ts}) {
        auto r = f.call("GET", "/api/v1/kb/unanswered", token);
        REQUIRE(r.status == 200);
        INFO(r.body);
        CHECK(r.body.find("0912345678") == std::string::npos);
        CHECK(r.body.find("036095001234") == std::string::npos);
        CHECK(r.body.find("********78") != std::string::npos);
        CHECK(r.body.find("hoi ve dat dai") != std::string::npos);
    }
}

TEST_CASE("every report format shows citizens' numbers masked", "[privacy]") {
    scope_fixture f;
    citizen_leaves_numbers(f);
    for (const char* format : {"json", "csv", "text", "xlsx"}) {
        INFO(format);
        auto r = f.call("GET", std::string("/api/v1/reports?from=2026-11-01&to=2026-11-30&format=") + format, view_ts);
        REQUIRE(r.status == 200);
        std::string body = r.body;
        if (std::string(format) == "xlsx") {
            test::write_file(f.dir.file("r.xlsx"), r.body);
            REQUIRE(test::run("unzip -p '" + f.dir.file("r.xlsx") + "' xl/sharedStrings.xml", body) == 0);
        }
        INFO(body.substr(0, 3000));
        CHECK(body.find("0912345678") == std::string::npos);
        CHECK(body.find("036095001234") == std::string::npos);
        CHECK(body.find("********78") != std::string::npos);
    }
}

// One deployment, two periods: Yên Thế district in 2023 and Bắc Ninh's communes today
// (templates/cchcbot.example.toml). Reports use the units of their period; reminders, hand-offs
// and imports use the units of the day that matters.
#include "bot/app/app.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/unit_absence.hpp"
#include "bot/dossiers/dossier_import.hpp"
#include "bot/dossiers/reminder_admin.hpp"
#include "bot/dossiers/scheduler.hpp"
#include "bot/reports/report.hpp"
#include "handlers/conversation_common.hpp"
#include "handlers/handoff.hpp"
#include "storage/database.hpp"
#include "storage/dossier_repository.hpp"
#include "storage/official_repository.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>

namespace {

namespace json = boost::json;

std::string cchcbot(const std::string& db, const std::string& args, const std::string& env = "CCHCBOT_CONFIG=") {
    return "cd '" + test::source_dir() + "' && " + env + " CCHCBOT_STORAGE_PATH='" + db + "' '" + CCHCBOT_EXE + "' " + args;
}

const json::object& level_of(const json::object& report, const std::string& id) {
    for (const auto& l : report.at("dossiers").at("levels").as_array())
        if (l.at("level").as_string() == id) return l.as_object();
    FAIL("no level " << id);
    throw std::logic_error("unreachable");
}

const json::object& unit_of(const json::object& level, const std::string& id) {
    for (const auto& u : level.at("units").as_array())
        if (u.at("unit").as_string() == id) return u.as_object();
    FAIL("no unit " << id);
    throw std::logic_error("unreachable");
}

std::int64_t n(const json::object& o, const char* key) { return o.at(key).as_int64(); }

// The figures of the 2023 seed period (tests/fixtures/dossiers-2023-06.csv, 1–15 June 2023).
void check_seed_figures(const json::object& r) {
    std::vector<std::string> levels;
    for (const auto& l : r.at("dossiers").at("levels").as_array()) levels.emplace_back(l.at("level").as_string());
    CHECK(levels == std::vector<std::string>{"huyen", "xa"});  // no province level in 2023

    const auto& xa = level_of(r, "xa");
    CHECK(xa.at("label").as_string() == "Cấp xã");
    CHECK(n(xa, "received") == 8);
    CHECK(n(xa, "online") == 5);
    CHECK(n(xa, "offline") == 3);
    CHECK(n(xa, "carried_over") == 1);
    CHECK(n(xa, "total") == 9);
    CHECK(n(xa, "resolved") == 1);
    CHECK(n(xa, "on_time") == 1);
    CHECK(n(xa, "late") == 0);
    CHECK(n(xa, "pending") == 8);
    CHECK(n(xa, "pending_overdue") == 4);
    const auto& tan_soi = unit_of(xa, "tan_soi");
    CHECK(tan_soi.at("name").as_string() == "xã Tân Sỏi");
    CHECK(n(tan_soi, "received") == 6);
    CHECK(n(tan_soi, "pending_overdue") == 2);
    CHECK(n(unit_of(xa, "dong_son"), "total") == 2);
    CHECK(unit_of(xa, "bo_ha").at("name").as_string() == "thị trấn Bố Hạ");
    CHECK(n(unit_of(xa, "bo_ha"), "carried_over") == 1);
    for (const auto& u : xa.at("units").as_array()) CHECK(u.at("unit").as_string() != "yen_the");  // not yet

    const auto& huyen = level_of(r, "huyen");
    CHECK(huyen.at("label").as_string() == "Cấp huyện");
    CHECK(n(huyen, "received") == 1);
    CHECK(n(huyen, "pending") == 1);
    CHECK(n(huyen, "pending_overdue") == 0);
}

std::int64_t at(int y, unsigned m, unsigned d, int h = 9) { return bot::unix_ms_of({y, m, d}, h * 60); }

storage::dossier dossier(std::string code, std::string level, std::string unit, std::string received, std::string due,
                         std::string returned = {}, std::string official = {}) {
    storage::dossier d;
    d.code = std::move(code);
    d.procedure = "Đăng ký khai sinh";
    d.level = std::move(level);
    d.unit_id = std::move(unit);
    d.channel = "truc_tuyen";
    d.received_on = std::move(received);
    d.due_on = std::move(due);
    d.returned_on = std::move(returned);
    d.official_id = std::move(official);
    return d;
}

}  // namespace

TEST_CASE("the 2023 seed report reproduces its figures under the 2023 units of the one deployment", "[units][reports]") {
    test::temp_dir dir;
    const std::string db = dir.file("seed.db");
    std::string out;
    // The demo's structure (no configuration file) and the example configuration are the same file.
    REQUIRE(test::run(cchcbot(db, "dossiers import tests/fixtures/dossiers-2023-06.csv"), out) == 0);
    CHECK(out.find("Đã nhập 10 hồ sơ") != std::string::npos);
    REQUIRE(test::run(cchcbot(db, "report --from 2023-06-01 --to 2023-06-15 --format json"), out) == 0);
    check_seed_figures(json::parse(out).as_object());

    const std::string example_env =
        "CCHCBOT_CONFIG=templates/cchcbot.example.toml CCHCBOT_OA_YEN_THE_OA_SECRET_KEY=k1 CCHCBOT_OA_YEN_THE_APP_SECRET=s1 "
        "CCHCBOT_OA_BO_HA_OA_SECRET_KEY=k2 CCHCBOT_OA_BO_HA_APP_SECRET=s2";
    REQUIRE(test::run(cchcbot(db, "report --from 2023-06-01 --to 2023-06-15 --format json", example_env), out) == 0);
    check_seed_figures(json::parse(out).as_object());
    REQUIRE(test::run(cchcbot(db, "report --from 2023-06-01 --to 2023-06-15", example_env), out) == 0);
    CHECK(out.find("+ Cấp xã: Tổng số hồ sơ tiếp nhận: 9 hồ sơ (tiếp nhận trực tuyến 5 HS; trực tiếp và qua dịch vụ BCCI "
                   "là 3 HS; kỳ trước chuyển qua: 1 HS). Đã giải quyết: 1 hồ sơ, trong đó: Số hồ sơ giải quyết trước hạn "
                   "là 0 HS; đúng hạn: 1 HS; quá hạn: 0 HS; đang giải quyết là 8 HS.") != std::string::npos);
    CHECK(out.find("+ Cấp huyện: Tổng số hồ sơ tiếp nhận: 1 hồ sơ") != std::string::npos);
    CHECK(out.find("Cấp tỉnh") == std::string::npos);
}

TEST_CASE("a report after the merger counts a merged commune's dossiers for the commune that took over", "[units][reports]") {
    const auto cfg = test::example_config();
    auto db = test::memory_db();
    storage::upsert_dossiers(*db,
                             {dossier("T1", "xa", "tan_soi", "2025-06-20", "2025-06-27", "2025-07-10"),  // carried over, late
                              dossier("T2", "xa", "dong_son", "2025-06-25", "2025-07-02"),               // carried over, open
                              dossier("Y1", "xa", "yen_the", "2025-08-04", "2025-08-07", "2025-08-06"),
                              dossier("H1", "huyen", "huyen", "2025-06-02", "2025-06-20", "2025-06-19")},
                             0);
    const auto r = bot::compute_report(*db, cfg, {"2025-07-01", "2025-12-31", "", ""});
    std::vector<std::string> levels;
    for (const auto& l : r.levels) levels.push_back(l.level);
    CHECK(levels == std::vector<std::string>{"tinh", "xa"});  // the district ended before the period
    const auto& xa = r.levels.back();
    REQUIRE(xa.units.size() == 2);
    CHECK(xa.units[0].unit == "yen_the");
    CHECK(xa.units[0].fig.c.carried_over == 1);  // T1 from xã Tân Sỏi
    CHECK(xa.units[0].fig.c.received == 1);
    CHECK(xa.units[0].fig.c.late == 1);
    CHECK(xa.units[1].unit == "bo_ha_moi");
    CHECK(xa.units[1].name == "xã Bố Hạ");  // its name on 2025-12-31
    CHECK(xa.units[1].fig.c.carried_over == 1);  // T2 from xã Đông Sơn
    CHECK(r.excluded_dossiers == 0);

    // The same dossiers in a report on the first half of 2025 stay with their own units.
    const auto before = bot::compute_report(*db, cfg, {"2025-01-01", "2025-06-30", "", ""});
    std::vector<std::string> units;
    for (const auto& l : before.levels)
        for (const auto& u : l.units)
            if (u.fig.total > 0) units.push_back(u.unit);
    CHECK(units == std::vector<std::string>{"huyen", "tan_soi", "dong_son"});

    // One successor's report includes what it took over; a merged commune is not a unit of it.
    const auto yt = bot::compute_report(*db, cfg, {"2025-07-01", "2025-12-31", "yen_the", ""});
    CHECK(yt.totals.total == 2);
    CHECK_THROWS_AS(bot::compute_report(*db, cfg, {"2025-07-01", "2025-12-31", "tan_soi", ""}), bot::report_request_error);
}

TEST_CASE("today's reminders about a merged commune's dossier go to the leaders of the commune that took over", "[units][reminders]") {
    const auto cfg = test::example_config();
    static const auto cal = bot::work_calendar::load(test::source_dir() + "/templates/calendar");
    std::vector<storage::open_dossier> dossiers{{"OLD-1", "Đăng ký khai sinh", "tan_soi", "2026-11-20", "cb_old"},
                                                {"NEW-1", "Đăng ký khai sinh", "yen_the", "2026-11-30", "cb_yt"}};
    std::vector<storage::official> officials;
    auto person = [](std::string id, std::string unit, std::string role) {
        storage::official o;
        o.official_id = id;
        o.name = id;
        o.unit_id = std::move(unit);
        o.role = std::move(role);
        return o;
    };
    officials = {person("cb_old", "tan_soi", "official"), person("ld_old", "tan_soi", "leader"),
                 person("cb_yt", "yen_the", "official"), person("ld_yt", "yen_the", "leader")};
    std::vector<std::pair<std::string, std::int64_t>> open{{"tan_soi", 1}, {"yen_the", 1}};
    std::set<std::pair<std::string, std::string>> escalated;
    bot::plan_input in;
    in.now_ms = at(2026, 11, 30);  // a Monday
    in.dossiers = &dossiers;
    in.officials = &officials;
    in.open_by_unit = &open;
    in.escalated = &escalated;
    in.calendar = &cal;
    in.cfg = &cfg;
    const auto plan = bot::plan_reminders(in);
    REQUIRE(plan.active);
    std::vector<std::string> got;
    for (const auto& r : plan.items) got.push_back(r.kind + ":" + r.recipient + ":" + r.unit_id + ":" + r.dossier);
    // The assigned official still hears about their dossier; the escalation and the digest go to
    // xã Yên Thế's leader, whose digest counts both dossiers; xã Tân Sỏi's leader gets nothing.
    CHECK(std::count(got.begin(), got.end(), "overdue:cb_old:yen_the:OLD-1") == 1);
    CHECK(std::count(got.begin(), got.end(), "escalation:ld_yt:yen_the:OLD-1") == 1);
    CHECK(std::count(got.begin(), got.end(), "due_soon:cb_yt:yen_the:NEW-1") == 1);
    for (const auto& g : got) CHECK(g.find("ld_old") == std::string::npos);
    const auto digest = std::find_if(plan.items.begin(), plan.items.end(), [](const auto& r) { return r.kind == "digest"; });
    REQUIRE(digest != plan.items.end());
    CHECK(digest->recipient == "ld_yt");
    CHECK(digest->open == 2);
}

TEST_CASE("an import files a dossier under the unit of the day it was received", "[units][reminders]") {
    const auto cfg = test::example_config();
    const std::string header = "ma_ho_so,thu_tuc,linh_vuc,cap,don_vi,kenh,ngay_nhan,han_tra,ngay_tra,can_bo,so_dien_thoai\n";
    // An export that still says xã Tân Sỏi after the merger: the dossier is xã Yên Thế's.
    auto r = bot::parse_dossier_csv(header + "A-1,Thủ tục,,xa,tan_soi,truc_tuyen,2025-08-01,2025-08-05,,,\n"
                                             "A-2,Thủ tục,,xa,tan_soi,truc_tuyen,2025-06-30,2025-07-03,,,\n",
                                    cfg);
    REQUIRE(r.ok());
    CHECK(r.rows[0].unit_id == "yen_the");
    CHECK(r.rows[1].unit_id == "tan_soi");
    // A unit before it existed, or the district after it ended (nobody took over), is a bad row.
    auto bad = bot::parse_dossier_csv(header + "B-1,Thủ tục,,xa,yen_the,truc_tuyen,2024-03-01,2024-03-05,,,\n"
                                               "B-2,Thủ tục,,huyen,huyen,truc_tuyen,2025-07-02,2025-07-09,,,\n",
                                      cfg);
    REQUIRE(bad.errors.size() == 2);
    CHECK(bad.errors[0].line == 2);
    CHECK_THAT(bad.errors[0].reason, Catch::Contains("begins on 2025-07-01"));
    CHECK_THAT(bad.errors[1].reason, Catch::Contains("ended on 2025-06-30"));
}

TEST_CASE("a hand-off today from a citizen who chose a merged commune reaches the successor's officials", "[units][conversation]") {
    auto t = test::make_test_env(test::demo_config());  // the clock says 2026-11-27
    auto db = test::memory_db();
    auto add = [&](std::string id, std::string unit, std::string zalo) {
        storage::official o;
        o.official_id = std::move(id);
        o.name = o.official_id;
        o.unit_id = std::move(unit);
        o.role = "official";
        o.zalo_user_id = std::move(zalo);
        REQUIRE(storage::add_official(*db, o, 0));
        SQLite::Statement q(*db, "UPDATE officials SET zalo_user_id = ? WHERE official_id = ?");
        q.bind(1, o.zalo_user_id);
        q.bind(2, o.official_id);
        q.exec();
    };
    add("old", "tan_soi", "z-old");
    add("yt", "yen_the", "z-yt");
    add("bh", "bo_ha_moi", "z-bh");
    add("tinh", "bac_ninh", "z-tinh");
    auto ctx = t->env->context(*db);
    CHECK(handlers::handoff_recipients(ctx, "tan_soi") == std::vector<std::string>{"z-yt"});
    CHECK(handlers::handoff_recipients(ctx, "huong_vi") == std::vector<std::string>{"z-bh"});
    CHECK(handlers::handoff_recipients(ctx, "") == std::vector<std::string>{"z-tinh"});  // nothing chosen: the province
    CHECK(handlers::unit_display_name(ctx, "tan_soi") == "xã Yên Thế");
    CHECK(handlers::handoff_unit_for(ctx, "tan_soi") == "yen_the");  // the case is the successor's
    CHECK(handlers::handoff_unit_for(ctx, "") == "bac_ninh");
    CHECK(handlers::desk_of_unit(ctx, "dong_son") == "Trung tâm Phục vụ hành chính công phường Bố Hạ");
    std::vector<std::string> menu;
    for (const auto* u : handlers::residence_units(ctx)) menu.push_back(u->id);
    CHECK(menu == std::vector<std::string>{"yen_the", "bo_ha_moi"});
}

TEST_CASE("officials are registered on today's units, not on a commune that was merged", "[units][reminders]") {
    const auto cfg = test::example_config();
    storage::official o;
    o.official_id = "cb1";
    o.name = "Nguyễn Văn An";
    o.role = "official";
    o.unit_id = "tan_soi";
    CHECK_THAT(bot::check_official(o, cfg, "2026-11-30"), Catch::Contains("ended on 2025-06-30") && Catch::Contains("\"yen_the\""));
    CHECK(bot::check_official(o, cfg, "2024-03-01").empty());
    o.unit_id = "yen_the";
    CHECK(bot::check_official(o, cfg, "2026-11-30").empty());
}

TEST_CASE("a unit that is not one on a date is explained in Vietnamese, in the console's words", "[units][reminders]") {
    auto t = test::make_test_env(test::example_config());
    const auto& cfg = t->env->cfg;
    const auto& texts = t->env->texts;
    CHECK(bot::unit_absence_text(cfg, texts, "yen_the", "2026-11-30").empty());
    CHECK(bot::unit_absence_text(cfg, texts, "tan_soi", "2026-11-30") ==
          "sau ngày 30/06/2025, xã Tân Sỏi (tan_soi) đã nhập vào xã Yên Thế (yen_the); anh/chị chọn xã Yên Thế");
    CHECK(bot::unit_absence_text(cfg, texts, "yen_the", "2024-03-01") == "xã Yên Thế (yen_the) chỉ có từ ngày 01/07/2025");
    CHECK(bot::unit_absence_text(cfg, texts, "nowhere", "2026-11-30") == "không có đơn vị \"nowhere\" trong cấu hình (mục [[units]])");
    CHECK_THAT(bot::unit_absence_text(cfg, texts, "huyen", "2026-11-30"),
               Catch::StartsWith("sau ngày 30/06/2025, ") && Catch::EndsWith("(huyen) không còn"));
}

TEST_CASE("a citizen of a commune's own OA chooses among its units and is that commune's case", "[units][oa][conversation]") {
    auto t = test::make_test_env(test::example_config());  // the clock says 2026-11-27
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    ctx.oa = "bo_ha";
    std::vector<std::string> menu;
    for (const auto* u : handlers::residence_units(ctx)) menu.push_back(u->id);
    CHECK(menu == std::vector<std::string>{"bo_ha_moi"});
    CHECK(handlers::handoff_unit_for(ctx, "") == "bo_ha_moi");
    CHECK(handlers::handoff_unit_for(ctx, "tan_soi") == "yen_the");  // a unit chosen is kept
    ctx.oa = "";  // not from an OA's event (a command): every commune, and the province's desk
    menu.clear();
    for (const auto* u : handlers::residence_units(ctx)) menu.push_back(u->id);
    CHECK(menu == std::vector<std::string>{"yen_the", "bo_ha_moi"});
    CHECK(handlers::handoff_unit_for(ctx, "") == "bac_ninh");
}

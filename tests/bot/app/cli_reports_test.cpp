// The `cchcbot report` command, run as the built binary on a temporary database.
#include "bot/app/app.hpp"

#include "storage/database.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>

namespace {

// A database file with a few dossiers of today's units (the demo's structure) for the first half
// of 2026.
std::string make_db(const test::temp_dir& dir) {
    const std::string path = dir.file("report.db");
    auto db = storage::open_database(path);
    db->exec(R"SQL(INSERT INTO dossier_rows (code, procedure, level, unit_id, channel, received_on, due_on, returned_on, imported_at) VALUES
      ('A1', 'Đăng ký khai sinh', 'xa', 'yen_the', 'truc_tuyen', '2026-01-05', '2026-01-08', '2026-01-07', 0),
      ('A2', 'Đăng ký khai sinh', 'xa', 'yen_the', 'truc_tuyen', '2026-02-05', '2026-02-08', '2026-02-10', 0),
      ('A3', 'Chứng thực bản sao', 'xa', 'bo_ha_moi', 'truc_tiep', '2026-03-05', '2026-03-06', '2026-03-06', 0),
      ('A4', 'Chứng thực bản sao', 'xa', 'bo_ha_moi', 'bcci', '2025-12-29', '2026-01-03', NULL, 0),
      ('H1', 'Đăng ký thành lập doanh nghiệp tư nhân', 'tinh', 'bac_ninh', 'truc_tuyen', '2026-04-01', '2026-04-06', '2026-04-03', 0))SQL");
    return path;
}

std::string cchcbot(const std::string& db, const std::string& args) {
    return "cd '" + test::source_dir() + "' && CCHCBOT_STORAGE_PATH='" + db + "' '" + CCHCBOT_EXE + "' " + args;
}

}  // namespace

TEST_CASE("cchcbot report prints the level sentences in the report's form", "[reports]") {
    test::temp_dir dir;
    const auto db = make_db(dir);
    std::string out;
    REQUIRE(test::run(cchcbot(db, "report --from 2026-01-01 --to 2026-06-30"), out) == 0);
    CHECK(out.find("từ ngày 01/01/2026 đến ngày 30/06/2026") != std::string::npos);
    CHECK(out.find("+ Cấp xã: Tổng số hồ sơ tiếp nhận: 4 hồ sơ (tiếp nhận trực tuyến 2 HS; trực tiếp và qua dịch vụ "
                   "BCCI là 1 HS; kỳ trước chuyển qua: 1 HS). Đã giải quyết: 3 hồ sơ, trong đó: Số hồ sơ giải quyết "
                   "trước hạn là 1 HS; đúng hạn: 1 HS; quá hạn: 1 HS; đang giải quyết là 1 HS.") != std::string::npos);
    CHECK(out.find("+ Cấp tỉnh: Tổng số hồ sơ tiếp nhận: 1 hồ sơ") != std::string::npos);
    CHECK(out.find("Cấp huyện") == std::string::npos);  // no districts in 2026
}

TEST_CASE("cchcbot report for one unit names it and keeps only its level", "[reports]") {
    test::temp_dir dir;
    const auto db = make_db(dir);
    std::string out;
    REQUIRE(test::run(cchcbot(db, "report --from 2026-01-01 --to 2026-06-30 --unit yen_the"), out) == 0);
    CHECK(out.find("đến ngày 30/06/2026 của xã Yên Thế:") != std::string::npos);
    CHECK(out.find("+ Cấp xã: Tổng số hồ sơ tiếp nhận: 2 hồ sơ") != std::string::npos);
    CHECK(out.find("Cấp tỉnh") == std::string::npos);
    // The province's name on the period's last day (it became a city on 2026-09-20).
    REQUIRE(test::run(cchcbot(db, "report --from 2026-01-01 --to 2026-06-30 --level tinh --format csv"), out) == 0);
    CHECK(out.find("tinh,Cấp tỉnh,bac_ninh,tỉnh Bắc Ninh,1,1,0,0,1,1,1,0,0,0,0,100.00,100.00") != std::string::npos);
}

TEST_CASE("cchcbot report --format json prints one JSON object for a unit", "[reports]") {
    test::temp_dir dir;
    const auto db = make_db(dir);
    std::string out;
    REQUIRE(test::run(cchcbot(db, "report --from 2026-01-01 --to 2026-06-30 --format json --unit bo_ha_moi"), out) == 0);
    auto v = boost::json::parse(out).as_object();
    const auto& levels = v.at("dossiers").at("levels").as_array();
    REQUIRE(levels.size() == 1);
    CHECK(levels[0].at("level").as_string() == "xa");
    CHECK(levels[0].at("total").as_int64() == 2);
    CHECK(levels[0].at("units").as_array().size() == 1);
}

TEST_CASE("cchcbot report --format xlsx writes the workbook to --out", "[reports]") {
    test::temp_dir dir;
    const auto db = make_db(dir);
    const std::string file = dir.file("out.xlsx");
    std::string out;
    REQUIRE(test::run(cchcbot(db, "report --from 2026-01-01 --to 2026-06-30 --format xlsx --out '" + file + "'"), out) == 0);
    REQUIRE(std::filesystem::exists(file));
    std::string listing;
    REQUIRE(test::run("unzip -l '" + file + "'", listing) == 0);
    CHECK(listing.find("xl/worksheets/sheet1.xml") != std::string::npos);
}

TEST_CASE("cchcbot report refuses bad dates, a reversed period and unknown units as usage errors", "[reports]") {
    test::temp_dir dir;
    const auto db = make_db(dir);
    std::string out;
    CHECK(test::run(cchcbot(db, "report --from 2026-02-30 --to 2026-06-30"), out) == 2);
    CHECK(out.find("2026-02-30") != std::string::npos);
    CHECK(test::run(cchcbot(db, "report --from 2026-07-01 --to 2026-06-30"), out) == 2);
    CHECK(out.find("after") != std::string::npos);
    CHECK(test::run(cchcbot(db, "report --from 2026-01-01 --to 2026-06-30 --unit xa_la"), out) == 2);
    CHECK(out.find("xa_la") != std::string::npos);
    CHECK(test::run(cchcbot(db, "report --from 2026-01-01 --to 2026-06-30 --format pdf"), out) == 2);
    // A commune merged before the period ends is not a unit of that report; its successor is.
    CHECK(test::run(cchcbot(db, "report --from 2026-01-01 --to 2026-06-30 --unit tan_soi"), out) == 2);
    CHECK(out.find("\"yen_the\"") != std::string::npos);
    CHECK(test::run(cchcbot(db, "report --to 2026-06-30"), out) == 2);
}

TEST_CASE("cchcbot report fails with exit 1 when the database does not exist", "[reports]") {
    test::temp_dir dir;
    std::string out;
    CHECK(test::run(cchcbot(dir.file("missing.db"), "report --from 2026-01-01 --to 2026-06-30"), out) == 1);
    CHECK(out.find("database not found") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.file("missing.db")));
}

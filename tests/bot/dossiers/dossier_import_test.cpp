#include "bot/dossiers/dossier_import.hpp"

#include "bot/core/config.hpp"
#include "bot/dossiers/reminder_admin.hpp"
#include "storage/dossier_repository.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

namespace {
const std::string header = "ma_ho_so,thu_tuc,linh_vuc,cap,don_vi,kenh,ngay_nhan,han_tra,ngay_tra,can_bo,so_dien_thoai\n";
}

TEST_CASE("dossier dates are read in every export format", "[reminders]") {
    auto a = bot::parse_dossier_datetime("2023-06-15");
    REQUIRE(a);
    CHECK(a->date == "2023-06-15");
    CHECK(a->time.empty());
    auto b = bot::parse_dossier_datetime("2023-06-15 08:05");
    REQUIRE(b);
    CHECK(b->time == "08:05");
    auto c = bot::parse_dossier_datetime("15/06/2023");
    REQUIRE(c);
    CHECK(c->date == "2023-06-15");
    auto d = bot::parse_dossier_datetime("5/6/2023 7:30");
    REQUIRE(d);
    CHECK(d->date == "2023-06-05");
    CHECK(d->time == "07:30");
    auto e = bot::parse_dossier_datetime("2023-06-15T08:05:59");
    REQUIRE(e);
    CHECK(e->time == "08:05");
    for (const char* bad : {"31/02/2023", "2023-13-01", "15-06-2023", "2023/06/15", "15/06/23", "2023-06-15 25:00", "", "hôm nay"})
        CHECK_FALSE(bot::parse_dossier_datetime(bad));
}

TEST_CASE("a CSV with BOM, CRLF and quoted fields with commas, quotes and newlines is read", "[reminders]") {
    auto cfg = test::test_config();
    std::string csv = "\xEF\xBB\xBF" + header;
    csv.replace(csv.size() - 1, 1, "\r\n");
    csv += "HS-2023-000001,\"Cấp bản sao, trích lục \"\"hộ tịch\"\"\nlần 2\",Hộ tịch,xa,tan_soi,truc_tuyen,2023-06-01,15/06/2023 17:00,,cb1,0912345678\r\n";
    csv += "HS-2023-000002,Đăng ký khai sinh,,huyen,huyen,bcci,01/06/2023,2023-06-20,2023-06-19 10:00,,\r\n";
    auto r = bot::parse_dossier_csv(csv, cfg);
    REQUIRE(r.ok());
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[0].code == "HS-2023-000001");
    // The quoted field spans two lines; the procedure name is kept on one line.
    CHECK(r.rows[0].procedure == "Cấp bản sao, trích lục \"hộ tịch\" lần 2");
    CHECK(r.rows[0].due_on == "2023-06-15");
    CHECK(r.rows[0].due_time == "17:00");
    CHECK(r.rows[0].returned_on.empty());
    CHECK(r.rows[0].citizen_phone == "0912345678");
    CHECK(r.rows[1].returned_on == "2023-06-19");
    CHECK(r.rows[1].official_id.empty());
    CHECK(r.lines == std::vector<std::size_t>{2, 4});  // the first record spans lines 2 and 3
}

TEST_CASE("every bad row is reported with its line and reason, and nothing is kept", "[reminders]") {
    auto cfg = test::test_config();
    std::string csv = header;
    csv += "A-1,Thủ tục,,xa,tan_soi,truc_tuyen,2023-06-01,2023-06-05,,,\n";              // line 2: good
    csv += "A-2,Thủ tục,,tinh,tan_soi,truc_tuyen,2023-06-01,2023-06-05,,,\n";            // 3: unknown level
    csv += "A-3,Thủ tục,,xa,ha_noi,truc_tuyen,2023-06-01,2023-06-05,,,\n";               // 4: unknown unit
    csv += "A-4,\"Thủ tục\nhai dòng\",,xa,tan_soi,email,2023-06-01,2023-06-05,,,\n";     // 5-6: bad channel
    csv += "A-5,Thủ tục,,xa,tan_soi,truc_tiep,2023-06-01,32/06/2023,,,\n";               // 7: bad date
    csv += ",Thủ tục,,xa,tan_soi,truc_tiep,2023-06-01,2023-06-05,,,\n";                  // 8: missing code
    csv += "A-1,Thủ tục,,xa,tan_soi,truc_tiep,2023-06-01,2023-06-05,,,\n";               // 9: duplicate of line 2
    csv += "A-9,Thủ tục,,xa,tan_soi\n";                                                   // 10: too few fields
    auto r = bot::parse_dossier_csv(csv, cfg);
    CHECK(r.rows.empty());
    REQUIRE(r.errors.size() == 7);
    CHECK(r.errors[0].line == 3);
    CHECK_THAT(r.errors[0].reason, Catch::Contains("unknown level \"tinh\""));
    CHECK(r.errors[1].line == 4);
    CHECK_THAT(r.errors[1].reason, Catch::Contains("unknown unit \"ha_noi\""));
    CHECK(r.errors[2].line == 5);
    CHECK_THAT(r.errors[2].reason, Catch::Contains("bad channel \"email\""));
    CHECK(r.errors[3].line == 7);
    CHECK_THAT(r.errors[3].reason, Catch::Contains("bad date \"32/06/2023\" in han_tra"));
    CHECK(r.errors[4].line == 8);
    CHECK_THAT(r.errors[4].reason, Catch::Contains("missing ma_ho_so"));
    CHECK(r.errors[5].line == 9);
    CHECK_THAT(r.errors[5].reason, Catch::Contains("duplicate ma_ho_so \"A-1\" (first on line 2)"));
    CHECK(r.errors[6].line == 10);
    CHECK_THAT(r.errors[6].reason, Catch::Contains("expected 11 fields, found 5"));
}

TEST_CASE("a CSV without a required column is refused at line 1", "[reminders]") {
    auto r = bot::parse_dossier_csv("ma_ho_so,thu_tuc\nA,B\n", test::test_config());
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].line == 1);
    CHECK_THAT(r.errors[0].reason, Catch::Contains("cap") && Catch::Contains("han_tra"));
}

TEST_CASE("an unterminated quote is reported, not swallowed", "[reminders]") {
    auto r = bot::parse_dossier_csv(header + "A-1,\"Thủ tục,,xa,tan_soi,truc_tuyen,2023-06-01,2023-06-05,,,\n", test::test_config());
    REQUIRE_FALSE(r.ok());
    CHECK(r.errors[0].line == 2);
    CHECK_THAT(r.errors[0].reason, Catch::Contains("unterminated"));
}

TEST_CASE("the same fields as a JSON array are imported, with bad items numbered", "[reminders]") {
    auto cfg = test::test_config();
    auto ok = bot::parse_dossier_file(R"([{"ma_ho_so":"J-1","thu_tuc":"Đăng ký khai sinh","cap":"xa","don_vi":"dong_son",
        "kenh":"truc_tuyen","ngay_nhan":"01/06/2023 08:00","han_tra":"2023-06-05","ngay_tra":null,"can_bo":"cb1"}])", cfg);
    REQUIRE(ok.ok());
    REQUIRE(ok.rows.size() == 1);
    CHECK(ok.rows[0].unit_id == "dong_son");
    CHECK(ok.rows[0].received_time == "08:00");
    auto bad = bot::parse_dossier_json(R"([{"ma_ho_so":"J-1","thu_tuc":"x","cap":"xa","don_vi":"dong_son","kenh":"truc_tuyen",
        "ngay_nhan":"2023-06-01","han_tra":"2023-06-05"}, 7, {"ma_ho_so":"J-2","thu_tuc":"x","cap":"xa","don_vi":"dong_son",
        "kenh":"fax","ngay_nhan":"2023-06-01","han_tra":"2023-06-05","mau":"x"}])", cfg);
    CHECK(bad.rows.empty());
    REQUIRE(bad.errors.size() == 2);
    CHECK(bad.errors[0].line == 2);
    CHECK(bad.errors[1].line == 3);
    CHECK_THAT(bad.errors[1].reason, Catch::Contains("unknown field \"mau\""));
    CHECK_FALSE(bot::parse_dossier_json("{\"ma_ho_so\": 1}", cfg).ok());
}

TEST_CASE("an import upserts by code and a file with one bad row changes nothing", "[reminders]") {
    auto cfg = test::test_config();
    auto db = test::memory_db();
    auto first = bot::import_dossiers(*db, header + "A-1,Thủ tục,,xa,tan_soi,truc_tuyen,2023-06-01,2023-06-05,,,\n", cfg, 1000);
    REQUIRE(first.parsed.ok());
    CHECK(first.stats.inserted == 1);
    auto second = bot::import_dossiers(*db,
                                       header + "A-1,Thủ tục,,xa,tan_soi,truc_tuyen,2023-06-01,2023-06-05,2023-06-04,,\n"
                                                "A-2,Thủ tục,,xa,tan_soi,truc_tuyen,2023-06-01,2023-06-05,,,\n",
                                       cfg, 2000);
    CHECK(second.stats.inserted == 1);
    CHECK(second.stats.updated == 1);
    CHECK(second.stats.newly_returned == 1);
    CHECK(storage::find_dossier(*db, "A-1")->returned_on == "2023-06-04");
    auto bad = bot::import_dossiers(*db,
                                    header + "A-3,Thủ tục,,xa,tan_soi,truc_tuyen,2023-06-01,2023-06-05,,,\n"
                                             "A-4,Thủ tục,,xa,tan_soi,truc_tuyen,2023-06-01,hôm qua,,,\n",
                                    cfg, 3000);
    CHECK_FALSE(bad.parsed.ok());
    CHECK(storage::count_dossiers(*db) == 2);
    CHECK_FALSE(storage::find_dossier(*db, "A-3"));
    CHECK_THAT(bot::import_json(bad), Catch::Contains("\"line\":3"));
}

TEST_CASE("citizens' phones are masked for display", "[reminders]") {
    CHECK(bot::mask_phone("0912345678") == "0912***678");
    CHECK(bot::mask_phone("") == "");
    CHECK(bot::mask_phone("1234") == "****");
}

#include "bot/dossiers/dossier_import.hpp"

#include "bot/core/config.hpp"
#include "bot/core/messages.hpp"
#include "bot/dossiers/reminder_admin.hpp"
#include "bot/core/scope.hpp"
#include "bot/dossiers/export_mapping.hpp"
#include "bot/dossiers/export_table.hpp"
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
    // The forms one-stop exports use besides: other separators, the time first, SA/CH, seconds,
    // and a date cell saved as an Excel serial number.
    CHECK(bot::parse_dossier_datetime("15-06-2023")->date == "2023-06-15");
    CHECK(bot::parse_dossier_datetime("15.06.2023")->date == "2023-06-15");
    CHECK(bot::parse_dossier_datetime("2023/06/15")->date == "2023-06-15");
    auto f = bot::parse_dossier_datetime("08:15:00 01/12/2025");
    REQUIRE(f);
    CHECK(f->date == "2025-12-01");
    CHECK(f->time == "08:15");
    CHECK(bot::parse_dossier_datetime("01/12/2025, 8:15")->time == "08:15");
    CHECK(bot::parse_dossier_datetime("01/12/2025 2:30 CH")->time == "14:30");
    CHECK(bot::parse_dossier_datetime("01/12/2025 12:05 SA")->time == "00:05");
    auto g = bot::parse_dossier_datetime("45992.34375");
    REQUIRE(g);
    CHECK(g->date == "2025-12-01");
    CHECK(g->time == "08:15");
    for (const char* bad : {"31/02/2023", "2023-13-01", "15/06/23", "2023-06-15 25:00", "", "hôm nay", "12345", "1/2/3/2023",
                            "01/12/2025 13:00 CH", "0987654321"})
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

TEST_CASE("a CSV without a required column is refused at its header line, naming the columns", "[dossiers]") {
    auto r = bot::parse_dossier_csv("ma_ho_so,thu_tuc,don_vi\nA,B,tan_soi\n", test::test_config());
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].line == 1);
    CHECK(r.errors[0].code == "missing_columns");
    CHECK_THAT(r.errors[0].reason, Catch::Contains("kenh") && Catch::Contains("ngay_nhan") && Catch::Contains("han_tra"));
    CHECK_THAT(r.errors[0].reason, !Catch::Contains("cap"));  // the level comes from the unit
    auto nothing = bot::parse_dossier_csv("", test::test_config());
    REQUIRE(nothing.errors.size() == 1);
    CHECK(nothing.errors[0].code == "empty_file");
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
    CHECK_THAT(bot::import_report_json(bad), Catch::Contains("\"line\":3"));
}

TEST_CASE("citizens' phones are masked for display", "[reminders]") {
    CHECK(bot::mask_phone("0912345678") == "0912***678");
    CHECK(bot::mask_phone("") == "");
    CHECK(bot::mask_phone("1234") == "****");
}

namespace {

const std::vector<storage::official> june_officials = {
    {"cb_ts_01", "Nguyễn Văn An", "tan_soi", "official", "", "", true, true, false, {}},
    {"cb_ds_01", "Lê Văn Cường", "dong_son", "official", "", "", true, true, false, {}},
    {"cb_bh_01", "Nguyễn Văn An", "bo_ha", "official", "", "", true, true, false, {}},
};

bot::import_result parse_fixture(const std::string& name, const bot::config& cfg) {
    const auto bytes = test::read_file(test::source_dir() + "/tests/fixtures/" + name);
    return bot::parse_dossier_file(bytes, bot::import_context{cfg, &june_officials});
}

bool has_issue(const std::vector<bot::import_error>& list, std::size_t line, const std::string& code) {
    for (const auto& e : list)
        if (e.line == line && e.code == code) return true;
    return false;
}

}  // namespace

TEST_CASE("an export with Vietnamese headers is read as the one-stop system writes it", "[dossiers]") {
    auto cfg = test::test_config();
    auto r = parse_fixture("mot-cua-export.csv", cfg);
    INFO((r.errors.empty() ? std::string() : r.errors.front().reason));
    REQUIRE(r.ok());
    CHECK(r.format == "csv");
    REQUIRE(r.rows.size() == 6);
    const auto& a = r.rows[0];
    CHECK(a.code == "000.00.31.H12-251201-0001");
    CHECK(a.unit_id == "tan_soi");  // "UBND xã Tân Sỏi"
    CHECK(a.level == "xa");         // "Cấp xã"
    CHECK(a.channel == "truc_tuyen");
    CHECK(a.citizen_phone == "0987654321");  // "0987 654 321"
    CHECK(a.received_on == "2025-12-01");
    CHECK(a.received_time == "08:15");
    CHECK(a.returned_on == "2025-12-02");
    CHECK(a.state == storage::dossier_state::returned);
    CHECK(a.official_id == "cb_ts_01");  // the handling official's name, within the unit
    CHECK(r.rows[1].official_id == "cb_ts_01");  // case and diacritics aside
    CHECK(r.rows[1].state == storage::dossier_state::processing);
    CHECK(r.rows[2].unit_id == "dong_son");  // "Trung tâm Phục vụ hành chính công xã Đồng Sơn"
    CHECK(r.rows[2].channel == "bcci");      // "Dịch vụ bưu chính công ích"
    CHECK(r.rows[2].procedure == "Chứng thực bản sao từ bản chính giấy tờ, văn bản");
    CHECK(r.rows[2].citizen_phone == "0977000111");
    CHECK(r.rows[2].official_id == "cb_ds_01");
    CHECK(r.rows[2].state == storage::dossier_state::received);
    CHECK(r.rows[3].unit_id == "bo_ha");
    CHECK(r.rows[3].citizen_phone == "0966111222");  // "+84 966 111 222"
    CHECK(r.rows[3].due_on == "2025-12-09");
    CHECK(r.rows[3].due_time.empty());
    CHECK(r.rows[3].state == storage::dossier_state::supplement);
    CHECK(r.rows[3].official_id.empty());
    CHECK(r.rows[4].state == storage::dossier_state::withdrawn);
    CHECK(r.rows[5].unit_id == "huyen");  // "Bộ phận Một cửa huyện"
    CHECK(r.rows[5].level == "huyen");
    CHECK(r.rows[5].channel == "truc_tiep");
    CHECK(r.rows[5].state == storage::dossier_state::result_ready);
    CHECK(r.ignored_columns == std::vector<std::string>{"STT", "Người nộp", "Ghi chú"});
    CHECK(r.warnings.empty());
}

TEST_CASE("today's export is filed under today's units, a commune's former name included", "[dossiers]") {
    // The shape of shared/samples/mot-cua-export.csv (December 2025), read with the units of the
    // example configuration: xã Yên Thế, and phường Bố Hạ, which the export still calls xã Bố Hạ.
    auto cfg = test::demo_config();
    auto r = parse_fixture("mot-cua-export-today.csv", cfg);
    INFO((r.errors.empty() ? std::string() : r.errors.front().reason));
    REQUIRE(r.ok());
    REQUIRE(r.rows.size() == 5);
    CHECK(r.rows[0].unit_id == "yen_the");  // "UBND xã Yên Thế", not the district of 2023 named Yên Thế
    CHECK(r.rows[0].level == "xa");
    CHECK(r.rows[0].state == storage::dossier_state::returned);
    CHECK(r.rows[1].state == storage::dossier_state::processing);
    CHECK(r.rows[2].unit_id == "bo_ha_moi");  // "UBND xã Bố Hạ"
    CHECK(r.rows[2].channel == "bcci");
    CHECK(r.rows[2].state == storage::dossier_state::received);
    CHECK(r.rows[3].state == storage::dossier_state::supplement);
    CHECK(r.rows[4].state == storage::dossier_state::withdrawn);
    CHECK(r.rows[1].citizen_phone == "0912345678");
    // Names of officials nobody registered are notes, not errors.
    CHECK(has_issue(r.warnings, 2, "unknown_official"));
}

TEST_CASE("a name two units carried in different periods means the one that existed then", "[dossiers]") {
    auto cfg = test::demo_config();
    const std::string header = "Mã hồ sơ,Tên thủ tục,Đơn vị,Kênh,Ngày tiếp nhận,Ngày hẹn trả\n";
    // "Yên Thế" was the district until 2025-06-30 and is a commune since 2025-07-01.
    auto r = bot::parse_dossier_csv(header + "A-1,x,Yên Thế,Trực tuyến,15/06/2023,20/06/2023\n"
                                             "A-2,x,Yên Thế,Trực tuyến,15/12/2025,20/12/2025\n"
                                             "A-3,x,yen_the,Trực tuyến,15/12/2025,20/12/2025\n",
                                    cfg);
    INFO((r.errors.empty() ? std::string() : r.errors.front().reason));
    REQUIRE(r.ok());
    CHECK(r.rows[0].unit_id == "huyen");
    CHECK(r.rows[1].unit_id == "yen_the");
    CHECK(r.rows[2].unit_id == "yen_the");
}

TEST_CASE("the same export as XLSX reads the same dossiers, Excel dates and numeric phones included", "[dossiers]") {
    auto cfg = test::test_config();
    auto csv = parse_fixture("mot-cua-export.csv", cfg);
    auto xlsx = parse_fixture("mot-cua-export.xlsx", cfg);
    INFO((xlsx.errors.empty() ? std::string() : xlsx.errors.front().reason));
    REQUIRE(xlsx.ok());
    CHECK(xlsx.format == "xlsx");
    REQUIRE(xlsx.rows.size() == csv.rows.size());
    for (std::size_t i = 0; i < csv.rows.size(); ++i) {
        INFO(csv.rows[i].code);
        CHECK(storage::changed_fields(csv.rows[i], xlsx.rows[i]).empty());
    }
    // The sheet's own row numbers: two title lines and a blank row above the header (row 4).
    CHECK(xlsx.lines.front() == 5);
    CHECK(xlsx.skipped == 3);  // two title lines and the "Tổng cộng" line
}

TEST_CASE("a workbook with inline strings, the 1904 date system and a hidden first sheet is read", "[dossiers]") {
    auto cfg = test::test_config();
    auto r = parse_fixture("mot-cua-inline-1904.xlsx", cfg);
    INFO((r.errors.empty() ? std::string() : r.errors.front().reason));
    REQUIRE(r.ok());
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[0].code == "HS-2025-000101");
    CHECK(r.rows[0].unit_id == "tan_soi");  // "xã Tân Sỏi"
    CHECK(r.rows[0].channel == "truc_tuyen");  // "Nộp trực tuyến"
    CHECK(r.rows[0].received_on == "2025-12-01");  // a custom format with quoted text, 1904 system
    CHECK(r.rows[0].due_on == "2025-12-03");
    CHECK(r.rows[0].state == storage::dossier_state::processing);  // "Đang giải quyết"
    CHECK(r.rows[0].citizen_phone == "0912000111");
    CHECK(r.rows[1].unit_id == "tan_soi");   // "Tân Sỏi"
    CHECK(r.rows[1].channel == "bcci");      // "Qua dịch vụ BCCI"
    CHECK(r.rows[1].state == storage::dossier_state::supplement);  // "Chờ công dân bổ sung giấy tờ"
    CHECK(r.ignored_columns == std::vector<std::string>{"Lệ phí"});
}

TEST_CASE("a damaged workbook is refused as a whole with a reason, never half read", "[dossiers]") {
    auto cfg = test::test_config();
    auto bytes = test::read_file(test::source_dir() + "/tests/fixtures/mot-cua-export.xlsx");
    auto r = bot::parse_dossier_file(bytes.substr(0, bytes.size() / 2), cfg);
    REQUIRE_FALSE(r.ok());
    CHECK(r.rows.empty());
    CHECK(r.errors.front().line == 0);
    CHECK(r.errors.front().code == "unreadable_file");
    auto not_a_workbook = bot::parse_dossier_file(std::string("PK\x03\x04garbage", 11), cfg);
    REQUIRE_FALSE(not_a_workbook.ok());
    CHECK_THAT(not_a_workbook.errors.front().reason, Catch::Contains("XLSX"));
}

TEST_CASE("headers match whatever their case, diacritics and spacing, and [import.columns] adds names", "[dossiers]") {
    auto cfg = bot::load_config_from(R"toml(
[import.columns]
han_tra = ["Hạn xử lý cuối cùng"]
ma_ho_so = "Mã biên nhận"
[import.units]
"UBND xã Tân Sỏi (cũ)" = "tan_soi"
[import.statuses]
"Chờ lãnh đạo ký" = "processing"
[import.channels]
"Zalo" = "truc_tuyen"
)toml",
                                     {}, true);
    std::string csv = "  MÃ BIÊN NHẬN ,ten thu tuc,ĐƠN  VỊ,Kenh nop,ngay tiep nhan,Hạn xử lý cuối cùng,tinh trang\n"
                      "X-1,Đăng ký khai sinh,UBND xã Tân Sỏi (cũ),Zalo,01/12/2025,03/12/2025,Chờ lãnh đạo ký\n";
    auto r = bot::parse_dossier_csv(csv, cfg);
    INFO((r.errors.empty() ? std::string() : r.errors.front().reason));
    REQUIRE(r.ok());
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].code == "X-1");
    // [import.units] names xã Tân Sỏi, which had become part of xã Yên Thế by 01/12/2025.
    CHECK(r.rows[0].unit_id == "yen_the");
    CHECK(r.rows[0].channel == "truc_tuyen");
    CHECK(r.rows[0].due_on == "2025-12-03");
    CHECK(r.rows[0].state == storage::dossier_state::processing);
    // A bad [import] value stops start-up naming it.
    CHECK_THROWS_WITH(bot::load_config_from("[import.statuses]\n\"Xong\" = \"done\"\n", {}, true),
                      Catch::Contains("import.statuses") && Catch::Contains("result_ready"));
    CHECK_THROWS_WITH(bot::load_config_from("[import.units]\n\"UBND xã X\" = \"mars\"\n", {}, true), Catch::Contains("mars"));
    CHECK_THROWS_WITH(bot::load_config_from("[import.columns]\nmau = \"Màu\"\n", {}, true), Catch::Contains("import.columns.mau"));
}

TEST_CASE("values the mapping does not know are rejected naming the file's column, names not found are warnings", "[dossiers]") {
    auto cfg = test::test_config();
    std::string csv = "Mã hồ sơ,Tên thủ tục,Đơn vị,Kênh,Ngày tiếp nhận,Ngày hẹn trả,Ngày trả kết quả,Trạng thái,Cán bộ xử lý,Số điện thoại\n"
                      "A-1,Khai sinh,UBND xã Hà Nội,Trực tuyến,01/12/2025,03/12/2025,,Đang xử lý,,\n"            // 2: unit
                      "A-2,Khai sinh,UBND xã Tân Sỏi,Fax,01/12/2025,03/12/2025,,Đang xử lý,,\n"                  // 3: channel
                      "A-3,Khai sinh,UBND xã Tân Sỏi,Trực tuyến,01/12/2025,03/12/2025,,Treo,,\n"                  // 4: status
                      "A-4,Khai sinh,UBND xã Tân Sỏi,Trực tuyến,01/12/2025,03/12/2025,,Đã trả kết quả,,\n"        // 5: no date
                      "A-5,Khai sinh,UBND xã Tân Sỏi,Trực tuyến,01/12/2025,03/12/2025,02/12/2025,Đang xử lý,Ông Ba,không có\n";
    auto r = bot::parse_dossier_file(csv, bot::import_context{cfg, &june_officials});
    REQUIRE_FALSE(r.ok());
    CHECK(r.errors.size() == 4);
    CHECK(has_issue(r.errors, 2, "unknown_unit"));
    CHECK_THAT(r.errors[0].reason, Catch::Contains("\"UBND xã Hà Nội\" in Đơn vị"));
    CHECK(r.errors[0].column == "Đơn vị");
    CHECK(r.errors[0].value == "UBND xã Hà Nội");
    CHECK(has_issue(r.errors, 3, "bad_channel"));
    CHECK(has_issue(r.errors, 4, "unknown_status"));
    CHECK(has_issue(r.errors, 5, "returned_without_date"));
    // Line 6 is accepted: its return date wins over the status, the official is unknown, the
    // phone unreadable — each a warning.
    CHECK(has_issue(r.warnings, 6, "status_conflict"));
    CHECK(has_issue(r.warnings, 6, "unknown_official"));
    CHECK(has_issue(r.warnings, 6, "bad_phone"));
    CHECK(bot::distinct_lines(r.errors) == 4);
    // Officials read every problem in Vietnamese (templates/messages/imports.toml).
    const auto texts = bot::message_catalog::load(test::source_dir() + "/templates/messages");
    for (const auto* list : {&r.errors, &r.warnings})
        for (const auto& e : *list) CHECK(texts.has("import_issue_" + e.code));
    CHECK_THAT(texts.render("import_issue_unknown_unit", {{"line", "2"}, {"value", "UBND xã Hà Nội"}}),
               Catch::Contains("Dòng 2") && Catch::Contains("UBND xã Hà Nội"));
}

TEST_CASE("every problem an import can report has a Vietnamese text for officials", "[dossiers]") {
    const auto texts = bot::message_catalog::load(test::source_dir() + "/templates/messages");
    for (const char* code : {"unreadable_file", "empty_file", "missing_columns", "duplicate_column", "read_error", "field_count",
                             "missing_value", "unknown_unit", "out_of_scope", "unknown_level", "bad_channel", "bad_date",
                             "unknown_status", "returned_without_date", "status_conflict", "unknown_official",
                             "ambiguous_official", "bad_phone", "duplicate_code", "not_a_dossier", "malformed_json",
                             "not_an_object", "unknown_field", "not_a_string", "unit_not_on_date"})
        CHECK(texts.has(std::string("import_issue_") + code));
}

TEST_CASE("an official's name shared by two officials of the unit leaves the dossier unassigned", "[dossiers]") {
    auto cfg = test::test_config();
    auto officials = june_officials;
    officials.push_back({"cb_ts_02", "Nguyễn Văn An", "tan_soi", "official", "", "", true, true, false, {}});
    std::string csv = "Mã hồ sơ,Tên thủ tục,Đơn vị,Kênh,Ngày tiếp nhận,Ngày hẹn trả,Cán bộ xử lý\n"
                      "A-1,Khai sinh,UBND xã Tân Sỏi,Trực tuyến,01/12/2025,03/12/2025,Nguyễn Văn An\n"
                      "A-2,Khai sinh,UBND thị trấn Bố Hạ,Trực tuyến,01/12/2025,03/12/2025,Nguyễn Văn An\n";
    auto r = bot::parse_dossier_file(csv, bot::import_context{cfg, &officials});
    REQUIRE(r.ok());
    CHECK(r.rows[0].official_id.empty());
    CHECK(has_issue(r.warnings, 2, "ambiguous_official"));
    CHECK(r.rows[1].official_id == "cb_bh_01");  // the namesake in the other unit is theirs
}

TEST_CASE("rows of units outside the importer's scope are refused", "[dossiers]") {
    auto cfg = test::test_config();
    const auto scope = bot::unit_scope::of({"tan_soi"});
    auto r = bot::parse_dossier_file(test::read_file(test::source_dir() + "/tests/fixtures/mot-cua-export.csv"),
                                     bot::import_context{cfg, &june_officials, &scope});
    REQUIRE_FALSE(r.ok());
    CHECK(has_issue(r.errors, 4, "out_of_scope"));  // Đồng Sơn
    CHECK(has_issue(r.errors, 7, "out_of_scope"));  // the district desk
    CHECK_FALSE(has_issue(r.errors, 2, "out_of_scope"));
}

TEST_CASE("CSV separated by semicolons, UTF-16 CSV and title lines are read; other encodings are refused", "[dossiers]") {
    auto cfg = test::test_config();
    const std::string body = "Báo cáo hồ sơ tháng 12\n\nMã hồ sơ;Tên thủ tục;Đơn vị;Kênh;Ngày tiếp nhận;Ngày hẹn trả\n"
                             "A-1;Khai sinh;xã Tân Sỏi;Trực tiếp;01/12/2025;03/12/2025\nTổng cộng: 1;;;;;\n";
    auto semi = bot::parse_dossier_csv(body, cfg);
    INFO((semi.errors.empty() ? std::string() : semi.errors.front().reason));
    REQUIRE(semi.ok());
    REQUIRE(semi.rows.size() == 1);
    CHECK(semi.lines[0] == 4);
    CHECK(semi.skipped == 2);  // the title line and the total
    // Excel's "Unicode text": UTF-16LE with a byte order mark.
    std::string utf16 = "\xFF\xFE";
    const std::u32string text = U"Mã hồ sơ,Tên thủ tục,Đơn vị,Kênh,Ngày tiếp nhận,Ngày hẹn trả\nA-1,x,tan_soi,bcci,01/12/2025,03/12/2025\n";
    for (char32_t cp : text) {
        utf16.push_back(static_cast<char>(cp & 0xFF));
        utf16.push_back(static_cast<char>((cp >> 8) & 0xFF));
    }
    auto u16 = bot::parse_dossier_csv(utf16, cfg);
    REQUIRE(u16.ok());
    CHECK(u16.rows[0].channel == "bcci");
    auto latin = bot::parse_dossier_csv("M\xE3 h\xF4 s\xF4,x\n", cfg);
    REQUIRE_FALSE(latin.ok());
    CHECK_THAT(latin.errors[0].reason, Catch::Contains("UTF-8"));
}

TEST_CASE("phones are read with spaces, dots, country code or a lost leading zero", "[dossiers]") {
    CHECK(bot::normalize_phone("0987 654 321") == "0987654321");
    CHECK(bot::normalize_phone("0987.654.321") == "0987654321");
    CHECK(bot::normalize_phone("+84 987 654 321") == "0987654321");
    CHECK(bot::normalize_phone("84987654321") == "0987654321");
    CHECK(bot::normalize_phone("987654321") == "0987654321");
    CHECK(bot::normalize_phone("0204 3870 101") == "02043870101");
    CHECK(bot::normalize_phone("0912345678; 0987654321") == "0912345678");
    CHECK(bot::normalize_phone("0912 345 678 - 0987 654 321") == "0912345678");
    CHECK_FALSE(bot::normalize_phone("không có"));
    CHECK_FALSE(bot::normalize_phone("12345"));
}

TEST_CASE("Excel serial dates convert in both date systems", "[dossiers]") {
    CHECK(bot::excel_serial_to_text(45992.34375) == "2025-12-01 08:15");
    CHECK(bot::excel_serial_to_text(45992) == "2025-12-01");
    CHECK(bot::excel_serial_to_text(44530, true) == "2025-12-01");
    CHECK(bot::excel_serial_to_text(45992.9999999) == "2025-12-02");
    CHECK(bot::excel_serial_to_text(-1).empty());
}

#include "bot/reports/report_format.hpp"

#include "bot/core/messages.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <sstream>

namespace {

const bot::message_catalog& texts() {
    static const bot::message_catalog c = bot::message_catalog::load(test::source_dir() + "/templates/messages");
    return c;
}

const char* const spec_sentence =
    "+ Cấp xã: Tổng số hồ sơ tiếp nhận: 12.219 hồ sơ (tiếp nhận trực tuyến 11.861 HS; trực tiếp và qua dịch vụ "
    "BCCI là 306 HS; kỳ trước chuyển qua: 52 HS). Đã giải quyết: 12.153 hồ sơ, trong đó: Số hồ sơ giải quyết trước "
    "hạn là 11.670 HS; đúng hạn: 378 HS; quá hạn: 105 HS; đang giải quyết là 66 HS.";

// SPEC's commune-level figures as a data set: 11,861 online + 306 in person/post received in the
// first half of 2026, 52 carried over; 11,670 early, 378 on time, 105 late, 66 still pending.
void insert_spec_data_set(SQLite::Database& db) {
    SQLite::Transaction tx(db);
    SQLite::Statement q(db,
                        "INSERT INTO dossier_rows (code, procedure, level, unit_id, channel, received_on, due_on, "
                        "returned_on, imported_at) VALUES (?, ?, 'xa', ?, ?, ?, ?, ?, 0)");
    const char* units[] = {"tan_soi", "dong_son", "bo_ha"};
    for (int i = 0; i < 12219; ++i) {
        const bool carried = i >= 12219 - 52;
        const bool online = !carried && i < 11861;
        std::string received = carried ? "2025-12-20" : "2026-03-02";
        std::string due = "2026-03-10";
        std::string returned;
        if (i < 11670) {
            returned = "2026-03-06";
        } else if (i < 11670 + 378) {
            returned = "2026-03-10";
        } else if (i < 11670 + 378 + 105) {
            returned = "2026-03-12";
        }
        q.bind(1, "X" + std::to_string(i));
        q.bind(2, i >= 11670 + 378 && i < 11670 + 378 + 105 && i % 3 ? "Đăng ký khai sinh" : "Chứng thực bản sao");
        q.bind(3, units[i % 3]);
        q.bind(4, online ? "truc_tuyen" : (i % 2 ? "truc_tiep" : "bcci"));
        q.bind(5, received);
        q.bind(6, due);
        if (returned.empty())
            q.bind(7);
        else
            q.bind(7, returned);
        q.exec();
        q.reset();
    }
    tx.commit();
}

bot::report small_report() {
    bot::report r;
    r.from = "2026-01-01";
    r.to = "2026-06-30";
    r.online_rate_target = 80;
    r.on_time_rate_target = 98;
    bot::level_report l{"xa", "Cấp xã", {}, {}};
    bot::unit_report u{"tan_soi", "xã Tân Sỏi", {}};
    u.fig.c.received = 7;
    u.fig.c.online = 3;
    u.fig.c.carried_over = 1;
    u.fig.c.resolved = 3;
    u.fig.c.early = 1;
    u.fig.c.on_time = 1;
    u.fig.c.late = 1;
    u.fig.late_by_procedure = {{"Đăng ký khai sinh", 1}};
    u.fig.finish();
    l.fig = u.fig;
    l.units.push_back(u);
    r.levels.push_back(l);
    r.totals = u.fig;
    r.warnings.push_back({"returned_before_received", 1, {{"BAD1", "xa", "tan_soi", "2026-02-10", "2026-02-20", "2026-02-05"}}});
    return r;
}

std::string unzip(const std::string& file, const std::string& member) {
    std::string out;
    REQUIRE(test::run("unzip -p '" + file + "' '" + member + "'", out) == 0);
    return out;
}

}  // namespace

TEST_CASE("numbers use a dot for thousands and percentages a comma with two decimals", "[reports]") {
    CHECK(bot::format_vn_number(0) == "0");
    CHECK(bot::format_vn_number(999) == "999");
    CHECK(bot::format_vn_number(12219) == "12.219");
    CHECK(bot::format_vn_number(1234567) == "1.234.567");
    CHECK(bot::format_vn_percent(98.2519) == "98,25%");
    CHECK(bot::format_vn_percent(100) == "100,00%");
    CHECK(bot::format_vn_percent(2.5) == "2,50%");
    CHECK(bot::format_vn_percent(99.999) == "100,00%");
    CHECK(bot::format_rate(98.2519, "null") == "98.25");
    CHECK(bot::format_rate(std::nullopt, "null") == "null");
}

TEST_CASE("the level sentence has exactly the half-year report's form", "[reports]") {
    bot::dossier_figures f;
    f.c.received = 11861 + 306;
    f.c.online = 11861;
    f.c.carried_over = 52;
    f.c.resolved = 12153;
    f.c.early = 11670;
    f.c.on_time = 378;
    f.c.late = 105;
    f.finish();
    CHECK(f.pending == 66);
    CHECK(bot::level_sentence("Cấp xã", f, texts()) == spec_sentence);
}

TEST_CASE("a data set with SPEC's figures prints SPEC's sentence for the commune level", "[reports]") {
    auto db = test::memory_db();
    insert_spec_data_set(*db);
    auto r = bot::compute_report(*db, test::test_config(), {"2026-01-01", "2026-06-30", "", ""});
    const std::string text = bot::to_text(r, texts());
    CHECK(text.find(std::string(spec_sentence) + "\n") != std::string::npos);
    CHECK(text.find("+ Cấp huyện: Tổng số hồ sơ tiếp nhận: 0 hồ sơ") != std::string::npos);
    // 11,861 / 12,167 = 97.485…%; (11,670 + 378) / 12,153 = 99.136…%
    CHECK(text.find("Tỷ lệ hồ sơ tiếp nhận trực tuyến đạt 97,49%, vượt chỉ tiêu 80,00%") != std::string::npos);
    CHECK(text.find("tỷ lệ hồ sơ giải quyết trước hạn và đúng hạn đạt 99,14%, vượt chỉ tiêu 98,00%") !=
          std::string::npos);
    CHECK(text.find("Hồ sơ giải quyết quá hạn thuộc các thủ tục: Đăng ký khai sinh (70 HS); Chứng thực bản sao (35 HS).") !=
          std::string::npos);
    CHECK(text.find("Trong số hồ sơ đang giải quyết có 66 HS đã quá hạn, thuộc các thủ tục: Chứng thực bản sao (66 HS).") !=
          std::string::npos);
    CHECK(text.find("Về hỗ trợ người dân qua Zalo OA") != std::string::npos);
    CHECK(text.find("Về nhắc việc cán bộ") != std::string::npos);
    CHECK(text.find("Về tuyên truyền qua Zalo OA") != std::string::npos);
    CHECK(text.find("Lưu ý") == std::string::npos);
}

TEST_CASE("the text lists excluded dossiers instead of counting them", "[reports]") {
    const std::string text = bot::to_text(small_report(), texts());
    CHECK(text.find("Lưu ý về dữ liệu") != std::string::npos);
    CHECK(text.find("- 1 hồ sơ có ngày trả kết quả trước ngày tiếp nhận: BAD1.") != std::string::npos);
    CHECK(text.find("chưa đạt chỉ tiêu 98,00%") != std::string::npos);  // 2 of 3 on time
}

TEST_CASE("the JSON has SPEC's shape with rates rounded to two decimals", "[reports]") {
    const std::string s = bot::to_json(small_report());
    CHECK(s.find("\"online_rate\":42.86") != std::string::npos);  // 3 / 7
    CHECK(s.find("\"on_time_rate\":66.67") != std::string::npos);  // 2 / 3
    auto v = boost::json::parse(s).as_object();
    CHECK(v.at("period").at("from").as_string() == "2026-01-01");
    CHECK(v.at("period").at("to").as_string() == "2026-06-30");
    const auto& level = v.at("dossiers").at("levels").as_array().at(0).as_object();
    for (const char* key : {"level", "label", "received", "online", "offline", "carried_over", "total", "resolved",
                            "early", "on_time", "late", "pending", "pending_overdue", "online_rate", "on_time_rate",
                            "late_by_procedure", "units"})
        CHECK(level.contains(key));
    CHECK(level.at("label").as_string() == "Cấp xã");
    CHECK(level.at("total").as_int64() == 8);
    CHECK(level.at("pending").as_int64() == 5);
    const auto& proc = level.at("late_by_procedure").as_array().at(0).as_object();
    CHECK(proc.at("procedure").as_string() == "Đăng ký khai sinh");
    CHECK(proc.at("count").as_int64() == 1);
    const auto& unit = level.at("units").as_array().at(0).as_object();
    CHECK(unit.at("unit").as_string() == "tan_soi");
    CHECK(unit.at("name").as_string() == "xã Tân Sỏi");
    CHECK(unit.contains("on_time_rate"));
    for (const char* key : {"conversations", "reminders", "broadcasts", "warnings"}) CHECK(v.contains(key));
    CHECK(v.at("warnings").as_array().at(0).at("kind").as_string() == "returned_before_received");
}

TEST_CASE("a rate with nothing to divide is null in JSON", "[reports]") {
    auto r = small_report();
    r.levels[0].fig = {};
    r.levels[0].fig.finish();
    const std::string s = bot::to_json(r);
    CHECK(s.find("\"online_rate\":null") != std::string::npos);
    CHECK_NOTHROW(boost::json::parse(s));
}

TEST_CASE("the CSV has one titled table per section with header rows and blank lines between", "[reports]") {
    const std::string csv = bot::to_csv(small_report());
    CHECK(csv.rfind("dossiers 2026-01-01 2026-06-30\r\nlevel,label,unit,name,received,online,offline,", 0) == 0);
    CHECK(csv.find("xa,Cấp xã,tan_soi,xã Tân Sỏi,7,3,4,1,8,3,1,1,1,5,0,42.86,66.67\r\n") != std::string::npos);
    CHECK(csv.find("\r\n\r\nlate_by_procedure\r\nlevel,unit,procedure,count\r\nxa,tan_soi,Đăng ký khai sinh,1\r\n") !=
          std::string::npos);
    CHECK(csv.find("\r\n\r\nconversations\r\nmetric,value\r\n") != std::string::npos);
    CHECK(csv.find("\r\n\r\nbroadcasts\r\n") != std::string::npos);
    CHECK(csv.find("\r\n\r\nwarnings\r\n") != std::string::npos);
    CHECK(csv.find("returned_before_received,1,BAD1,") != std::string::npos);
}

TEST_CASE("the workbook opens as a zip with the annex headers, numbers as numbers and merged headers", "[reports]") {
    auto db = test::memory_db();
    insert_spec_data_set(*db);
    auto r = bot::compute_report(*db, test::test_config(), {"2026-01-01", "2026-06-30", "", ""});
    test::temp_dir dir;
    const std::string file = dir.file("bao-cao.xlsx");
    bot::write_xlsx(r, texts(), file);
    const std::string strings = unzip(file, "xl/sharedStrings.xml");
    for (const char* h : {"BIỂU KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", "STT", "Số hồ sơ tiếp nhận",
                          "Số hồ sơ đã giải quyết", "Số hồ sơ đang giải quyết", "Trực tuyến", "Trước hạn", "Đúng hạn",
                          "Quá hạn", "Cấp xã", "Cấp huyện", "xã Tân Sỏi", "Tổng cộng"})
        CHECK(strings.find(h) != std::string::npos);
    const std::string sheet = unzip(file, "xl/worksheets/sheet1.xml");
    CHECK(sheet.find("<mergeCell ref=\"A4:A5\"/>") != std::string::npos);
    CHECK(sheet.find("<mergeCell ref=\"C4:F4\"/>") != std::string::npos);
    CHECK(sheet.find("<v>12219</v>") != std::string::npos);
    CHECK(sheet.find("<v>11861</v>") != std::string::npos);
    CHECK(sheet.find("<v>0.9749</v>") != std::string::npos);  // 97.49% as a number with a % format
    const std::string styles = unzip(file, "xl/styles.xml");
    CHECK(styles.find("0.00%") != std::string::npos);
    const std::string book = unzip(file, "xl/workbook.xml");
    for (const char* s : {"Kết quả giải quyết TTHC", "Hỏi đáp Zalo", "Nhắc việc", "Tin tuyên truyền", "Cảnh báo dữ liệu"})
        CHECK(book.find(s) != std::string::npos);
}

TEST_CASE("the workbook's sheet names, titles and headers come from the message catalogue", "[reports]") {
    auto all = texts().texts();
    std::map<std::string, std::string> changed(all.begin(), all.end());
    changed["xlsx_results_sheet"] = "Biểu 01";
    changed["xlsx_results_title"] = "BIỂU TỔNG HỢP CỦA XÃ";
    changed["xlsx_received"] = "Hồ sơ nhận trong kỳ";
    changed["xlsx_period"] = "Kỳ báo cáo {{from}} – {{to}}";
    const auto catalogue = bot::message_catalog::from(std::move(changed));
    test::temp_dir dir;
    const std::string file = dir.file("bao-cao.xlsx");
    bot::write_xlsx(small_report(), catalogue, file);
    const std::string strings = unzip(file, "xl/sharedStrings.xml");
    CHECK(strings.find("BIỂU TỔNG HỢP CỦA XÃ") != std::string::npos);
    CHECK(strings.find("Hồ sơ nhận trong kỳ") != std::string::npos);
    CHECK(strings.find("Kỳ báo cáo ") != std::string::npos);
    CHECK(strings.find("BIỂU KẾT QUẢ GIẢI QUYẾT") == std::string::npos);
    CHECK(unzip(file, "xl/workbook.xml").find("Biểu 01") != std::string::npos);
}

TEST_CASE("with several Official Accounts the workbook has a sheet of figures per OA", "[reports]") {
    auto r = small_report();
    bot::oa_report o;
    o.oa = "oa_yen_the";
    o.name = "UBND xã Yên Thế";
    o.fig.questions = 41;
    o.fig.broadcast_seen = 17;
    r.by_oa.push_back(o);
    test::temp_dir dir;
    const std::string file = dir.file("bao-cao.xlsx");
    bot::write_xlsx(r, texts(), file);
    CHECK(unzip(file, "xl/workbook.xml").find("Theo Zalo OA") != std::string::npos);
    CHECK(unzip(file, "xl/sharedStrings.xml").find("UBND xã Yên Thế") != std::string::npos);
    CHECK(unzip(file, "xl/worksheets/sheet7.xml").find("<v>41</v>") != std::string::npos);  // after "Theo dõi hồ sơ"

    r.by_oa.clear();
    bot::write_xlsx(r, texts(), file);
    CHECK(unzip(file, "xl/workbook.xml").find("Theo Zalo OA") == std::string::npos);
}

TEST_CASE("a catalogue without the workbook's labels is refused rather than printing blanks", "[reports]") {
    auto all = texts().texts();
    std::map<std::string, std::string> missing(all.begin(), all.end());
    missing.erase("xlsx_recipients");
    const auto catalogue = bot::message_catalog::from(std::move(missing));
    test::temp_dir dir;
    CHECK_THROWS_AS(bot::write_xlsx(small_report(), catalogue, dir.file("x.xlsx")), std::out_of_range);
    CHECK_FALSE(std::filesystem::exists(dir.file("x.xlsx")));
}

TEST_CASE("a long warning names five dossiers and counts the rest", "[reports]") {
    auto r = small_report();
    r.warnings[0].count = 8;
    r.warnings[0].items.clear();
    for (int i = 1; i <= 8; ++i) r.warnings[0].items.push_back({"BAD" + std::to_string(i), "xa", "tan_soi", "", "", ""});
    r.warnings.push_back({"duplicate_code", 4, {{"HS-1, hs-1", "", "tan_soi", "", "", ""}, {"HS-2, HS 2", "", "bo_ha", "", "", ""}}});
    const std::string text = bot::to_text(r, texts());
    CHECK(text.find("- 8 hồ sơ có ngày trả kết quả trước ngày tiếp nhận: BAD1, BAD2, BAD3, BAD4, BAD5 và 3 hồ sơ khác.") !=
          std::string::npos);
    CHECK(text.find("- 4 hồ sơ trùng mã: HS-1, hs-1; HS-2, HS 2.") != std::string::npos);
}

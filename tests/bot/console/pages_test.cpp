// The console's pages: scope refused with 403, and each workflow doing what its words say.
#include "bot/console/pages.hpp"

#include "bot/core/local_time.hpp"
#include "bot/language/knowledge_base.hpp"
#include "storage/dossier_repository.hpp"
#include "storage/handoff_repository.hpp"
#include "storage/interaction_repository.hpp"
#include "storage/user_repository.hpp"
#include "tests/bot/console/console_fixture.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>

using test::console_fixture;

namespace {

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

void add_citizen(console_fixture& f, const std::string& id, const std::string& unit, const std::string& village) {
    f.db([&](SQLite::Database& d) {
        storage::set_follower(d, id, true, f.t->now);
        storage::set_user_place(d, id, unit, village);
    });
}

std::int64_t open_handoff(console_fixture& f, const std::string& user, const std::string& unit, const std::string& question) {
    std::int64_t id = 0;
    f.db([&](SQLite::Database& d) {
        storage::touch_user(d, user, f.t->now);
        storage::set_user_place(d, user, unit, "");
        storage::log_interaction(d, {f.t->now - 1000, "2026-11-27", user, unit, "in", "text", "gap_can_bo", storage::interaction_outcome::handoff, question, 10, ""});
        id = storage::open_handoff(d, user, unit, "asked", question, f.t->now - 1000);
    });
    return id;
}

}  // namespace

TEST_CASE("an official answers a hand-off of their commune and the citizen's reply is queued like a #n reply", "[console]") {
    console_fixture f;
    f.add_staff("cb_ts", "official", "tan_soi");
    const auto id = open_handoff(f, "u1", "tan_soi", "Hồ sơ khai sinh của cháu thế nào rồi?");
    const auto cookie = f.sign_in("cb_ts");
    auto inbox = f.call("GET", "/console/hoi-thoai", cookie);
    REQUIRE(inbox.status == 200);
    CHECK(contains(inbox.body, "Hồ sơ khai sinh của cháu"));
    auto page = f.call("GET", "/console/hoi-thoai/" + std::to_string(id), cookie);
    REQUIRE(page.status == 200);
    auto r = f.call("POST", "/console/hoi-thoai/" + std::to_string(id) + "/tra-loi", cookie,
                    test::form({{"csrf", f.csrf(cookie)}, {"noi_dung", "Hồ sơ đã có kết quả, mời anh/chị đến nhận."}}));
    CHECK(r.status == 303);
    CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'u1' AND purpose = 'relay' AND body LIKE '%mời anh/chị đến nhận%'"
                  " AND body LIKE '%Cán bộ cb_ts%'") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM handoffs WHERE first_answer_at IS NOT NULL") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM audit_log WHERE actor = 'console:cb_ts' AND action = 'handoff reply' AND target = '" +
                  std::to_string(id) + "'") == 1);
    CHECK(f.outbox_wakes == 1);
    auto closed = f.call("POST", "/console/hoi-thoai/" + std::to_string(id) + "/dong", cookie, test::form({{"csrf", f.csrf(cookie)}}));
    CHECK(closed.status == 303);
    CHECK(f.count("SELECT COUNT(*) FROM handoffs WHERE closed_at IS NOT NULL AND closed_by = 'console:cb_ts'") == 1);
}

TEST_CASE("another commune's hand-off is refused by address and by form", "[console]") {
    console_fixture f;
    f.add_staff("cb_ts", "official", "tan_soi");
    const auto other = open_handoff(f, "u2", "dong_son", "Câu hỏi của xã khác");
    const auto cookie = f.sign_in("cb_ts");
    CHECK_FALSE(contains(f.call("GET", "/console/hoi-thoai", cookie).body, "Câu hỏi của xã khác"));
    CHECK(f.call("GET", "/console/hoi-thoai/" + std::to_string(other), cookie).status == 403);
    CHECK(f.call("POST", "/console/hoi-thoai/" + std::to_string(other) + "/tra-loi", cookie,
                 test::form({{"csrf", f.csrf(cookie)}, {"noi_dung", "chen ngang"}}))
              .status == 403);
    CHECK(f.call("POST", "/console/hoi-thoai/" + std::to_string(other) + "/dong", cookie, test::form({{"csrf", f.csrf(cookie)}})).status ==
          403);
    CHECK(f.count("SELECT COUNT(*) FROM outbox") == 0);
    CHECK(f.count("SELECT COUNT(*) FROM handoffs WHERE closed_at IS NOT NULL") == 0);
}

TEST_CASE("the district desk's staff see the communes' hand-offs and those of citizens without a commune", "[console]") {
    console_fixture f;
    f.add_staff("cb_h", "official", "huyen");
    open_handoff(f, "u3", "bo_ha", "Câu hỏi ở Bố Hạ");
    open_handoff(f, "u4", "", "Câu hỏi chưa chọn xã");
    const auto cookie = f.sign_in("cb_h");
    auto inbox = f.call("GET", "/console/hoi-thoai/danh-sach", cookie);
    CHECK(contains(inbox.body, "Câu hỏi ở Bố Hạ"));
    CHECK(contains(inbox.body, "Câu hỏi chưa chọn xã"));
}

TEST_CASE("a hand-off goes to a colleague serving its commune, who is told on Zalo", "[console]") {
    console_fixture f;
    f.add_staff("cb_ts", "official", "tan_soi");
    f.add_staff("cb_ts2", "official", "tan_soi", {}, "zalo-cb-ts2");
    f.add_staff("cb_ds", "official", "dong_son", {}, "zalo-cb-ds");
    const auto id = open_handoff(f, "u5", "tan_soi", "Cần hỏi về đất đai");
    const auto cookie = f.sign_in("cb_ts");
    const auto path = "/console/hoi-thoai/" + std::to_string(id) + "/chuyen";
    CHECK(f.call("POST", path, cookie, test::form({{"csrf", f.csrf(cookie)}, {"can_bo", "cb_ds"}})).status == 403);
    CHECK(f.call("POST", path, cookie, test::form({{"csrf", f.csrf(cookie)}, {"can_bo", "cb_ts2"}})).status == 303);
    CHECK(f.count("SELECT COUNT(*) FROM handoff_assignments WHERE official_id = 'cb_ts2' AND assigned_by = 'cb_ts'") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'zalo-cb-ts2' AND body LIKE '%#" + std::to_string(id) + "%'") == 1);
}

TEST_CASE("a propaganda member previews, confirms the exact count and sends to one village of their commune", "[console]") {
    console_fixture f;
    f.add_staff("tt", "propaganda", "tan_soi");
    add_citizen(f, "c1", "tan_soi", "thôn Đồng Điều");
    add_citizen(f, "c2", "tan_soi", "thôn Đồng Điều");
    add_citizen(f, "c3", "tan_soi", "thôn Tân Lập");
    add_citizen(f, "c4", "dong_son", "thôn Hố Sâu");
    const auto cookie = f.sign_in("tt");
    const auto token = f.csrf(cookie);
    const std::string fields = test::form({{"csrf", token}, {"noi_dung", "Kính gửi bà con {{ten_thon}}: họp thôn tối nay."},
                                           {"thon", "tan_soi|thôn Đồng Điều"}, {"khi", "ngay"}});
    auto preview = f.call("POST", "/console/tuyen-truyen/xem-truoc", cookie, fields);
    REQUIRE(preview.status == 200);
    CHECK(contains(preview.body, "Gửi cho 2 người"));
    CHECK(contains(preview.body, "Kính gửi bà con thôn Đồng Điều"));
    CHECK(f.count("SELECT COUNT(*) FROM broadcasts") == 0);  // a preview stores nothing
    // Without ticking the confirmation, or with another count, nothing is sent.
    CHECK(f.call("POST", "/console/tuyen-truyen/gui", cookie, fields + "&so_nguoi=2").status == 422);
    CHECK(f.call("POST", "/console/tuyen-truyen/gui", cookie, fields + "&so_nguoi=3&xac_nhan=1").status == 409);
    CHECK(f.count("SELECT COUNT(*) FROM broadcasts") == 0);
    auto sent = f.call("POST", "/console/tuyen-truyen/gui", cookie, fields + "&so_nguoi=2&xac_nhan=1");
    CHECK(sent.status == 303);
    CHECK(f.count("SELECT COUNT(*) FROM broadcasts WHERE created_by = 'console:tt' AND target LIKE '%Đồng Điều%'") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM audit_log WHERE actor = 'console:tt' AND action = 'broadcast create'") == 1);
    auto list = f.call("GET", "/console/tuyen-truyen", cookie);
    CHECK(contains(list.body, "họp thôn tối nay"));
}

TEST_CASE("a broadcast composed at night says it leaves when Zalo takes promotion messages again", "[console]") {
    console_fixture f;
    f.t->now = bot::unix_ms_of({2026, 11, 27}, 3 * 60);  // 03:00 local
    f.add_staff("tt", "propaganda", "tan_soi");
    add_citizen(f, "c1", "tan_soi", "thôn Đồng Điều");
    const auto cookie = f.sign_in("tt");
    const std::string fields = test::form({{"csrf", f.csrf(cookie)}, {"noi_dung", "Họp thôn tối nay."}, {"thon", "tan_soi|thôn Đồng Điều"}, {"khi", "ngay"}});
    auto night = f.call("POST", "/console/tuyen-truyen/xem-truoc", cookie, fields);
    REQUIRE(night.status == 200);
    CHECK(contains(night.body, "bắt đầu đi lúc 06:00"));
    f.t->now = bot::unix_ms_of({2026, 11, 27}, 9 * 60);
    const auto morning = f.sign_in("tt");  // the night's session has ended by then
    auto day = f.call("POST", "/console/tuyen-truyen/xem-truoc", morning,
                      test::form({{"csrf", f.csrf(morning)}, {"noi_dung", "Họp thôn tối nay."}, {"thon", "tan_soi|thôn Đồng Điều"}, {"khi", "ngay"}}));
    REQUIRE(day.status == 200);
    CHECK_FALSE(contains(day.body, "bắt đầu đi lúc"));
}

TEST_CASE("a propaganda member is refused another commune, every follower, and pages that are not theirs", "[console]") {
    console_fixture f;
    f.add_staff("tt", "propaganda", "tan_soi");
    add_citizen(f, "c4", "dong_son", "thôn Hố Sâu");
    const auto cookie = f.sign_in("tt");
    const auto token = f.csrf(cookie);
    CHECK(f.call("POST", "/console/tuyen-truyen/xem-truoc", cookie,
                 test::form({{"csrf", token}, {"noi_dung", "x"}, {"don_vi", "dong_son"}}))
              .status == 403);
    CHECK(f.call("POST", "/console/tuyen-truyen/gui", cookie,
                 test::form({{"csrf", token}, {"noi_dung", "x"}, {"thon", "dong_son|thôn Hố Sâu"}, {"so_nguoi", "1"}, {"xac_nhan", "1"}}))
              .status == 403);
    CHECK(f.call("POST", "/console/tuyen-truyen/xem-truoc", cookie, test::form({{"csrf", token}, {"noi_dung", "x"}, {"tat_ca", "1"}}))
              .status == 403);
    CHECK(f.call("GET", "/console/hoi-thoai", cookie).status == 403);
    CHECK(f.call("GET", "/console/ho-so", cookie).status == 403);
    CHECK(f.call("GET", "/console/bao-cao?don_vi=dong_son", cookie).status == 403);
    CHECK(f.count("SELECT COUNT(*) FROM broadcasts") == 0);
    // Their navigation offers only what they may use.
    auto page = f.call("GET", "/console/", cookie);
    CHECK(contains(page.body, "href=\"/console/tuyen-truyen\""));
    CHECK_FALSE(contains(page.body, "href=\"/console/hoi-thoai\""));
}

TEST_CASE("a dossier of another unit is refused, and its list filter too", "[console]") {
    console_fixture f;
    f.add_staff("cb_ts", "official", "tan_soi");
    f.db([](SQLite::Database& d) {
        storage::dossier a{"H06.23-0001", "Đăng ký khai sinh", "Hộ tịch", "xa", "tan_soi", "truc_tuyen", "2026-11-20", "", "2026-11-25", "", "", "", "cb_ts", ""};
        storage::dossier b{"H06.23-0002", "Đăng ký kết hôn", "Hộ tịch", "xa", "dong_son", "truc_tiep", "2026-11-20", "", "2026-11-30", "", "", "", "", "0912345678"};
        storage::upsert_dossiers(d, {a, b}, 1);
    });
    const auto cookie = f.sign_in("cb_ts");
    auto list = f.call("GET", "/console/ho-so", cookie);
    REQUIRE(list.status == 200);
    CHECK(contains(list.body, "H06.23-0001"));
    CHECK(contains(list.body, "Quá hạn"));
    CHECK_FALSE(contains(list.body, "H06.23-0002"));
    CHECK(f.call("GET", "/console/ho-so/H06.23-0001", cookie).status == 200);
    CHECK(f.call("GET", "/console/ho-so/H06.23-0002", cookie).status == 403);
    CHECK(f.call("GET", "/console/ho-so?don_vi=dong_son", cookie).status == 403);
}

TEST_CASE("an uploaded export is checked line by line and written only when every line is right", "[console]") {
    console_fixture f;
    f.add_staff("cb_ts", "official", "tan_soi");
    const auto cookie = f.sign_in("cb_ts");
    const auto token = f.csrf(cookie);
    auto upload = [&](const std::string& csv) {
        const std::string b = "----b0undary";
        std::string body = "--" + b + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + token + "\r\n--" + b +
                           "\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"export.csv\"\r\nContent-Type: text/csv\r\n\r\n" +
                           csv + "\r\n--" + b + "--\r\n";
        return f.call("POST", "/console/ho-so/nhap", cookie, body, {{"Content-Type", "multipart/form-data; boundary=" + b}});
    };
    const std::string header = "ma_ho_so,thu_tuc,linh_vuc,cap,don_vi,kenh,ngay_nhan,han_tra,ngay_tra,can_bo,so_dien_thoai\n";
    auto bad = upload(header + "H06.23-0101,Khai sinh,Hộ tịch,xa,tan_soi,truc_tuyen,2026-11-20,2026-11-25,,,\n"
                               "H06.23-0103,Chứng thực,Chứng thực,xa,tan_soi,fax,2026-11-20,2026-11-25,,,\n");
    CHECK(bad.status == 422);
    CHECK(contains(bad.body, "fax"));  // line 3: the parser's own reason
    auto other = upload(header + "H06.23-0101,Khai sinh,Hộ tịch,xa,tan_soi,truc_tuyen,2026-11-20,2026-11-25,,,\n"
                                 "H06.23-0102,Kết hôn,Hộ tịch,xa,dong_son,truc_tuyen,2026-11-20,2026-11-25,,,\n");
    CHECK(other.status == 422);
    CHECK(contains(other.body, "xã Đồng Sơn"));  // line 3: another commune's dossier
    CHECK(f.count("SELECT COUNT(*) FROM dossiers") == 0);

    auto good = upload(header + "H06.23-0101,Khai sinh,Hộ tịch,xa,tan_soi,truc_tuyen,2026-11-20,2026-11-25,,,\n");
    REQUIRE(good.status == 200);
    CHECK(f.count("SELECT COUNT(*) FROM dossiers") == 0);  // previewed, not written
    const std::string mark = "name=\"tep_id\" value=\"";
    const auto at = good.body.find(mark);
    REQUIRE(at != std::string::npos);
    const std::string upload_id = good.body.substr(at + mark.size(), 24);
    CHECK(f.call("POST", "/console/ho-so/nhap/xac-nhan", cookie, test::form({{"csrf", token}, {"tep_id", "000000000000000000000000"}}))
              .status == 303);
    CHECK(f.count("SELECT COUNT(*) FROM dossiers") == 0);
    CHECK(f.call("POST", "/console/ho-so/nhap/xac-nhan", cookie, test::form({{"csrf", token}, {"tep_id", upload_id}})).status == 303);
    CHECK(f.count("SELECT COUNT(*) FROM dossiers WHERE code = 'H06.23-0101'") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM audit_log WHERE actor = 'console:cb_ts' AND action = 'dossiers import'") == 1);
}

TEST_CASE("the one-stop system's XLSX export is previewed and imported as the command line imports it", "[console]") {
    console_fixture f;
    f.add_staff("cb_h", "official", "huyen");
    const auto cookie = f.sign_in("cb_h");
    const auto token = f.csrf(cookie);
    const std::string xlsx = test::read_file(test::source_dir() + "/tests/fixtures/mot-cua-export.xlsx");
    const std::string b = "----x1sxb0undary";
    const std::string body = "--" + b + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + token + "\r\n--" + b +
                             "\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"ngay-03-12.xlsx\"\r\n"
                             "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n" +
                             xlsx + "\r\n--" + b + "--\r\n";
    auto preview = f.call("POST", "/console/ho-so/nhap", cookie, body, {{"Content-Type", "multipart/form-data; boundary=" + b}});
    INFO(preview.body.substr(0, 4000));
    REQUIRE(preview.status == 200);
    CHECK(contains(preview.body, "<strong>6</strong> hồ sơ mới"));
    CHECK(f.count("SELECT COUNT(*) FROM dossiers") == 0);
    const std::string mark = "name=\"tep_id\" value=\"";
    const auto at = preview.body.find(mark);
    REQUIRE(at != std::string::npos);
    CHECK(f.call("POST", "/console/ho-so/nhap/xac-nhan", cookie, test::form({{"csrf", token}, {"tep_id", preview.body.substr(at + mark.size(), 24)}}))
              .status == 303);
    CHECK(f.count("SELECT COUNT(*) FROM dossiers") == 6);
    CHECK(f.count("SELECT COUNT(*) FROM import_runs WHERE source = 'console' AND actor = 'cb_h' AND file_name = 'ngay-03-12.xlsx'") == 1);
}

namespace {

const std::string export_header = "ma_ho_so,thu_tuc,linh_vuc,cap,don_vi,kenh,ngay_nhan,han_tra,ngay_tra,can_bo,so_dien_thoai\n";

// `n` new dossiers of `unit`, numbered from `first`.
std::string export_rows(std::size_t n, const std::string& unit, std::size_t first = 1) {
    std::string out;
    char code[32];
    for (std::size_t i = first; i < first + n; ++i) {
        std::snprintf(code, sizeof code, "H06.23-%06zu", i);
        out += std::string(code) + ",Khai sinh,Hộ tịch,xa," + unit + ",truc_tuyen,2026-11-20,2026-11-25,,,\n";
    }
    return out;
}

// Uploads a CSV export for its preview and returns the id the confirmation names.
std::string previewed(console_fixture& f, const std::string& cookie, const std::string& token, const std::string& csv,
                      const std::string& file_name) {
    const std::string b = "----b0undary";
    const std::string body = "--" + b + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + token + "\r\n--" + b +
                             "\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"" + file_name +
                             "\"\r\nContent-Type: text/csv\r\n\r\n" + csv + "\r\n--" + b + "--\r\n";
    auto page = f.call("POST", "/console/ho-so/nhap", cookie, body, {{"Content-Type", "multipart/form-data; boundary=" + b}});
    REQUIRE(page.status == 200);
    const std::string mark = "name=\"tep_id\" value=\"";
    const auto at = page.body.find(mark);
    REQUIRE(at != std::string::npos);
    return page.body.substr(at + mark.size(), 24);
}

}  // namespace

TEST_CASE("a large export imported from the console writes in steps, and the write worker serves other jobs between them", "[console]") {
    auto cfg = test::test_config();
    cfg.imports.chunk_rows = 500;  // 20,000 new rows: at least 40 writes
    console_fixture f(cfg);
    f.add_staff("cb_ts", "official", "tan_soi");
    const auto cookie = f.sign_in("cb_ts");
    const auto token = f.csrf(cookie);
    constexpr std::size_t rows = 20000;
    const auto id = previewed(f, cookie, token, export_header + export_rows(rows, "tan_soi"), "lon.csv");

    // While the import runs, jobs go to the write worker one after another (as citizens' replies
    // would), each noting what it saw there. Rows the import has placed but not yet shown mean the
    // job ran between the import's writes, before its merge, so before the import was done. An
    // import run as one job on the worker leaves no such moment: a job sees nothing or everything.
    auto answer = f.send("POST", "/console/ho-so/nhap/xac-nhan", cookie, test::form({{"csrf", token}, {"tep_id", id}}));
    std::atomic<int> jobs{0}, between{0};
    std::atomic<bool> pending{false};
    while (answer.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) {
        if (pending.exchange(true)) continue;
        f.writer->post([&](SQLite::Database& d) {
            const auto placed = d.execAndGet("SELECT COUNT(*) FROM dossier_rows").getInt64();
            const auto shown = d.execAndGet("SELECT COUNT(*) FROM dossiers").getInt64();
            if (placed > 0 && shown == 0) ++between;
            ++jobs;
            pending = false;
        });
    }
    const auto r = answer.get();
    CHECK(f.count("SELECT 1") == 1);  // the last job posted has run
    INFO(jobs.load() << " job(s) on the worker during the import");
    CHECK(between > 0);

    // The same answer as before: back to the list, which says how many were written.
    REQUIRE(r.status == 303);
    const std::string to = console_fixture::header(r, "Location");
    CHECK(to == "/console/ho-so?tb=imported&n=20000");
    CHECK(contains(f.call("GET", to, cookie).body, "Đã ghi 20000 hồ sơ từ tệp."));
    CHECK(f.count("SELECT COUNT(*) FROM dossiers") == static_cast<std::int64_t>(rows));
    // Who imported which file, and what it changed, committed with the change.
    CHECK(f.count("SELECT COUNT(*) FROM audit_log WHERE actor = 'console:cb_ts' AND action = 'dossiers import' AND target = 'lon.csv' "
                  "AND detail = '20000 rows: 20000 new, 0 updated, 0 returned'") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM import_runs WHERE source = 'console' AND actor = 'cb_ts' AND outcome = 'imported' "
                  "AND inserted = 20000") == 1);
    // Spent: the same confirmation again finds no file.
    auto again = f.call("POST", "/console/ho-so/nhap/xac-nhan", cookie, test::form({{"csrf", token}, {"tep_id", id}}));
    CHECK(console_fixture::header(again, "Location") == "/console/ho-so/nhap?tb=upload_expired");
}

TEST_CASE("an export refused at its confirmation changes nothing, names each line, and the attempt is audited", "[console]") {
    console_fixture f;
    f.add_staff("cb_ts", "official", "tan_soi", {"dong_son"});
    const auto cookie = f.sign_in("cb_ts");
    const auto token = f.csrf(cookie);
    const auto id = previewed(f, cookie, token, export_header + export_rows(2, "tan_soi") + export_rows(1, "dong_son", 3), "hai-xa.csv");
    const auto confirm = [&](const std::string& csrf) {
        return f.call("POST", "/console/ho-so/nhap/xac-nhan", cookie, test::form({{"csrf", csrf}, {"tep_id", id}}));
    };

    // Checked on the server as any form: a wrong form token or a role that may not import is refused.
    CHECK(confirm(std::string(32, '0')).status == 403);
    f.add_staff("xem", "viewer", "tan_soi");
    const auto viewer = f.sign_in("xem");
    CHECK(f.call("POST", "/console/ho-so/nhap/xac-nhan", viewer, test::form({{"csrf", f.csrf(viewer)}, {"tep_id", id}})).status == 403);
    CHECK(f.count("SELECT COUNT(*) FROM import_runs") == 0);

    // Đồng Sơn is no longer theirs when they confirm: the file is checked again against their units.
    f.db([&](SQLite::Database& d) { REQUIRE(storage::set_official_units(d, "cb_ts", {})); });
    auto r = confirm(token);
    REQUIRE(r.status == 422);
    CHECK(contains(r.body, "Dữ liệu đã thay đổi từ lúc xem trước"));
    CHECK(contains(r.body, "<li>Dòng 4: hồ sơ của &quot;xã Đồng Sơn&quot; không thuộc đơn vị anh/chị phụ trách."));
    CHECK(f.count("SELECT COUNT(*) FROM dossier_rows") == 0);  // nothing placed, nothing shown
    CHECK(f.count("SELECT COUNT(*) FROM import_runs WHERE source = 'console' AND outcome = 'rejected' AND rejected = 1") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM audit_log WHERE actor = 'console:cb_ts' AND action = 'dossiers import' AND target = 'hai-xa.csv' "
                  "AND detail LIKE 'rejected:%'") == 1);
}

TEST_CASE("an export's mistakes are listed in Vietnamese, one sentence per mistake", "[console]") {
    console_fixture f;
    f.add_staff("cb_ts", "official", "tan_soi");
    const auto cookie = f.sign_in("cb_ts");
    const std::string b = "----b0undary";
    const std::string csv = "ma_ho_so,thu_tuc,linh_vuc,cap,don_vi,kenh,ngay_nhan,han_tra,ngay_tra,can_bo,so_dien_thoai\n"
                            "H06.23-0103,Chứng thực,Chứng thực,xa,tan_soi,fax,2026-11-20,2026-11-25,,,\n";
    const std::string body = "--" + b + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + f.csrf(cookie) + "\r\n--" + b +
                             "\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"export.csv\"\r\nContent-Type: text/csv\r\n\r\n" +
                             csv + "\r\n--" + b + "--\r\n";
    auto bad = f.call("POST", "/console/ho-so/nhap", cookie, body, {{"Content-Type", "multipart/form-data; boundary=" + b}});
    CHECK(bad.status == 422);
    CHECK(contains(bad.body, "<li>Dòng 2: kênh nộp &quot;fax&quot; không rõ"));
}

TEST_CASE("an unanswered question attached to a topic is answered after the reload, without a restart", "[console]") {
    console_fixture f;
    f.add_staff("ld", "leader", "tan_soi");
    // Paying school fees through VNeID: no topic says so; online payment is the closest.
    const std::string question = "đóng học phí cho con qua VNeID được không";
    const std::string key = "dong hoc phi cho con qua vneid duoc khong";
    f.db([&](SQLite::Database& d) {
        storage::touch_user(d, "u9", f.t->now);
        storage::set_user_place(d, "u9", "tan_soi", "");
        storage::record_unanswered(d, f.t->now - 1000, "2026-11-27", "u9", question, key);
    });
    REQUIRE(f.t->env->kb.get()->match(question).outcome != bot::match_outcome::answered);
    const auto cookie = f.sign_in("ld");
    auto page = f.call("GET", "/console/cau-hoi", cookie);
    REQUIRE(page.status == 200);
    CHECK(contains(page.body, question));
    auto r = f.call("POST", "/console/cau-hoi/gan", cookie,
                    test::form({{"csrf", f.csrf(cookie)}, {"chuan", key}, {"chu_de", "thanh_toan_truc_tuyen"}, {"vi_du", question}}));
    CHECK(r.status == 303);
    CHECK(contains(console_fixture::header(r, "Location"), "tb=attached"));
    CHECK(f.count("SELECT COUNT(*) FROM kb_examples WHERE topic_id = 'thanh_toan_truc_tuyen'") == 1);
    auto m = f.t->env->kb.get()->match(question);
    CHECK(m.outcome == bot::match_outcome::answered);
    CHECK((m.topic && m.topic->id == "thanh_toan_truc_tuyen"));
    // Dealt with: it leaves the list.
    CHECK_FALSE(contains(f.call("GET", "/console/cau-hoi", cookie).body, question));
    // The same example twice, or one that repeats another topic's, is refused like `kb check` would.
    f.db([&](SQLite::Database& d) { storage::record_unanswered(d, f.t->now + 5, "2026-11-27", "u9", "lam giay khai sinh", "lam giay khai sinh"); });
    auto dup = f.call("POST", "/console/cau-hoi/gan", cookie,
                      test::form({{"csrf", f.csrf(cookie)}, {"chuan", "lam giay khai sinh"}, {"chu_de", "ho_kinh_doanh"}, {"vi_du", question}}));
    CHECK(dup.status == 422);
}

TEST_CASE("the example offered for a question with a phone number leaves the number out", "[console]") {
    console_fixture f;
    f.add_staff("ld", "leader", "tan_soi");
    f.db([&](SQLite::Database& d) {
        storage::touch_user(d, "u9", f.t->now);
        storage::set_user_place(d, "u9", "tan_soi", "");
        storage::record_unanswered(d, f.t->now - 1000, "2026-11-27", "u9", "tôi sđt 0912 345 678 hỏi tiền hỗ trợ lũ", "toi sdt 0912 345 678 hoi tien ho tro lu");
    });
    const auto cookie = f.sign_in("ld");
    auto page = f.call("GET", "/console/cau-hoi", cookie);
    REQUIRE(page.status == 200);
    // The leader handles the case and reads the message as sent; the example field has no number.
    CHECK(contains(page.body, "0912 345 678"));
    CHECK(contains(page.body, "value=\"tôi sđt hỏi tiền hỗ trợ lũ\""));
}

TEST_CASE("a viewer reads unanswered questions with phone and ID numbers masked, and cannot change them", "[console]") {
    console_fixture f;
    f.add_staff("xem", "viewer", "huyen");
    f.db([&](SQLite::Database& d) {
        storage::touch_user(d, "u8", f.t->now);
        storage::record_unanswered(d, f.t->now - 1000, "2026-11-27", "u8", "tôi sđt 0912345678 hỏi trợ cấp", "toi sdt 0912345678 hoi tro cap");
        storage::log_interaction(d, {f.t->now - 1000, "2026-11-27", "u8", "", "in", "text", "", storage::interaction_outcome::fallback, "tôi sđt 0912345678 hỏi trợ cấp", 900, ""});
    });
    const auto cookie = f.sign_in("xem");
    auto page = f.call("GET", "/console/cau-hoi", cookie);
    REQUIRE(page.status == 200);
    CHECK_FALSE(contains(page.body, "0912345678"));
    CHECK(contains(page.body, "********78"));
    // The report's list of unanswered questions too, and its downloads.
    auto report = f.call("GET", "/console/bao-cao?tu=2026-11-01&den=2026-11-30", cookie);
    REQUIRE(report.status == 200);
    CHECK_FALSE(contains(report.body, "0912345678"));
    CHECK(contains(report.body, "********78"));
    auto csv = f.call("GET", "/console/bao-cao/tai?tu=2026-11-01&den=2026-11-30&don_vi=&dinh_dang=csv", cookie);
    REQUIRE(csv.status == 200);
    CHECK_FALSE(contains(csv.body, "0912345678"));
    CHECK(f.call("POST", "/console/cau-hoi/bo-qua", cookie, test::form({{"csrf", f.csrf(cookie)}, {"chuan", "toi sdt 0912345678 hoi tro cap"}}))
              .status == 403);
}

TEST_CASE("a leader gives a link code to a colleague of their commune but not to another commune's", "[console]") {
    console_fixture f;
    f.add_staff("ld_ts", "leader", "tan_soi");
    f.add_staff("cb_ts", "official", "tan_soi");
    f.add_staff("cb_ds", "official", "dong_son");
    const auto cookie = f.sign_in("ld_ts");
    auto page = f.call("GET", "/console/can-bo", cookie);
    CHECK(contains(page.body, "cb_ts"));
    CHECK_FALSE(contains(page.body, "cb_ds"));
    auto code = f.call("POST", "/console/can-bo/cb_ts/ma-lien-ket", cookie, test::form({{"csrf", f.csrf(cookie)}}));
    CHECK(code.status == 200);
    CHECK(contains(code.body, "DK "));
    CHECK(f.call("POST", "/console/can-bo/cb_ds/ma-lien-ket", cookie, test::form({{"csrf", f.csrf(cookie)}})).status == 404);
    CHECK(f.call("POST", "/console/can-bo/cb_ts/vo-hieu", cookie, test::form({{"csrf", f.csrf(cookie)}})).status == 303);
    CHECK(f.count("SELECT COUNT(*) FROM officials WHERE official_id = 'cb_ts' AND disabled = 1") == 1);
}

TEST_CASE("the staff page says why an official cannot be reached, with the reasons `officials list` gives", "[console]") {
    console_fixture f;
    f.add_staff("ld_ts", "leader", "tan_soi");
    f.add_staff("cb_new", "official", "tan_soi");               // never linked, no phone
    f.add_staff("cb_old", "official", "tan_soi", {}, "u_old");  // linked, but no message to the OA in 7 days
    const auto cookie = f.sign_in("ld_ts");
    auto page = f.call("GET", "/console/can-bo", cookie);
    REQUIRE(page.status == 200);
    CHECK(contains(page.body, "chưa liên kết Zalo, không có số điện thoại"));
    CHECK(contains(page.body, "quá 7 ngày không nhắn Official Account, không có số điện thoại"));
    CHECK(contains(page.body, "3 cán bộ hiện không nhận được nhắc việc"));
}

TEST_CASE("the report page gives the same figures as the report and its XLSX download", "[console]") {
    console_fixture f;
    f.add_staff("xem", "viewer", "huyen");
    f.db([](SQLite::Database& d) {
        storage::dossier a{"H06.23-0001", "Đăng ký khai sinh", "Hộ tịch", "xa", "tan_soi", "truc_tuyen", "2026-11-02", "", "2026-11-05", "", "2026-11-04", "", "", ""};
        storage::upsert_dossiers(d, {a}, 1);
    });
    const auto cookie = f.sign_in("xem");
    auto page = f.call("GET", "/console/bao-cao?tu=2026-11-01&den=2026-11-30", cookie);
    REQUIRE(page.status == 200);
    CHECK(contains(page.body, "Tải bảng Excel"));
    auto x = f.call("GET", "/console/bao-cao/tai?tu=2026-11-01&den=2026-11-30&don_vi=&dinh_dang=xlsx", cookie);
    REQUIRE(x.status == 200);
    CHECK(x.body.substr(0, 2) == "PK");
    CHECK(contains(console_fixture::header(x, "Content-Disposition"), "bao-cao-2026-11-01-2026-11-30.xlsx"));
}

TEST_CASE("a report speaks of the units of its last day: all of today's for the province, a merged commune explained", "[console]") {
    console_fixture f(test::demo_config());
    f.t->now = bot::unix_ms_of({2026, 6, 15}, 9 * 60);
    f.add_staff("xem", "viewer", "bac_ninh");
    const auto cookie = f.sign_in("xem");
    // Today's units are all covered: the report over every unit is offered and chosen.
    auto all = f.call("GET", "/console/bao-cao?tu=2026-01-01&den=2026-06-30", cookie);
    REQUIRE(all.status == 200);
    CHECK(contains(all.body, "<option value=\"\" selected>"));
    CHECK_FALSE(contains(all.body, "xã Tân Sỏi"));
    // A commune merged in 2025, asked for a 2026 period: said in Vietnamese, with its successor.
    auto merged = f.call("GET", "/console/bao-cao?tu=2026-01-01&den=2026-06-30&don_vi=tan_soi", cookie);
    CHECK(merged.status == 422);
    CHECK(contains(merged.body, "đã nhập vào xã Yên Thế"));
    CHECK_FALSE(contains(merged.body, "ended"));
    // ... and for a period of its own, reported.
    auto old = f.call("GET", "/console/bao-cao?tu=2023-01-01&den=2023-06-30&don_vi=tan_soi", cookie);
    CHECK(old.status == 200);
    CHECK(contains(old.body, "Tải bảng Excel"));
    // Dates the wrong way round are explained, not passed on.
    auto backwards = f.call("GET", "/console/bao-cao?tu=2026-06-30&den=2026-01-01", cookie);
    CHECK(backwards.status == 422);
    CHECK(contains(backwards.body, "ở sau ngày kết thúc"));
}

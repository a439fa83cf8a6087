#include "bot/dossiers/import_run.hpp"

#include "bot/core/config.hpp"
#include "storage/dossier_repository.hpp"
#include "storage/import_run_repository.hpp"
#include "storage/official_repository.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

namespace {

std::string fixture(const std::string& name) { return test::read_file(test::source_dir() + "/tests/fixtures/" + name); }

std::int64_t count(SQLite::Database& db, const std::string& sql) {
    SQLite::Statement q(db, sql);
    q.executeStep();
    return q.getColumn(0).getInt64();
}

/// One connection for reading and writing, counting the write jobs and optionally failing one.
struct inline_io {
    SQLite::Database& db;
    int writes = 0;
    int fail_at = -1;  ///< the write job (0-based) that throws
    bot::import_io io() {
        return bot::import_io{db, [this](const std::function<void(SQLite::Database&)>& job) {
                                  if (writes++ == fail_at) throw std::runtime_error("disk full (test)");
                                  job(db);
                              }};
    }
};

bot::import_report run(SQLite::Database& db, const std::string& bytes, const bot::config& cfg, std::int64_t now,
                       const std::string& file = "export.csv") {
    inline_io w{db};
    bot::import_request req;
    req.file_name = file;
    return bot::run_dossier_import(w.io(), bytes, req, cfg, [now] { return now; });
}

void add_june_officials(SQLite::Database& db) {
    REQUIRE(storage::add_official(db, {"cb_ts_01", "Nguyễn Văn An", "tan_soi", "official", "", "", true, true, false, {}}, 0));
    REQUIRE(storage::add_official(db, {"cb_ds_01", "Lê Văn Cường", "dong_son", "official", "", "", true, true, false, {}}, 0));
}

}  // namespace

TEST_CASE("a second import of the same file writes nothing", "[dossiers]") {
    auto cfg = test::test_config();
    auto db = test::memory_db();
    add_june_officials(*db);
    auto first = run(*db, fixture("mot-cua-export.csv"), cfg, 1000);
    REQUIRE(first.outcome == storage::import_outcome::imported);
    CHECK(first.stats.inserted == 6);
    CHECK(storage::find_dossier(*db, "000.00.31.H12-251201-0002")->official_id == "cb_ts_01");
    const auto changes_before = db->getTotalChanges();
    auto second = run(*db, fixture("mot-cua-export.csv"), cfg, 2000);
    REQUIRE(second.outcome == storage::import_outcome::imported);
    CHECK(second.stats.inserted == 0);
    CHECK(second.stats.updated == 0);
    CHECK(second.stats.unchanged == 6);
    // Only the run's own record (one row) was written: no dossier, no change, no staging row.
    CHECK(db->getTotalChanges() - changes_before == 1);
    CHECK(count(*db, "SELECT COUNT(*) FROM dossiers WHERE imported_at = 2000") == 0);
    CHECK(count(*db, "SELECT COUNT(*) FROM dossier_changes") == 0);
    // The same export as XLSX is the same data: nothing to write either.
    auto xlsx = run(*db, fixture("mot-cua-export.xlsx"), cfg, 3000, "export.xlsx");
    REQUIRE(xlsx.outcome == storage::import_outcome::imported);
    CHECK(xlsx.parsed.format == "xlsx");
    CHECK(xlsx.stats.unchanged == 6);
    CHECK(count(*db, "SELECT COUNT(*) FROM dossiers WHERE imported_at > 1000") == 0);
}

TEST_CASE("an edited row is written alone and recorded with what changed and its states", "[dossiers]") {
    auto cfg = test::test_config();
    auto db = test::memory_db();
    add_june_officials(*db);
    auto csv = fixture("mot-cua-export.csv");
    REQUIRE(run(*db, csv, cfg, 1000).outcome == storage::import_outcome::imported);
    // Dossier 0002 now has its result; 0004 got a new appointment.
    auto edited = csv;
    auto replace = [&](const std::string& from, const std::string& to) {
        auto at = edited.find(from);
        REQUIRE(at != std::string::npos);
        edited.replace(at, from.size(), to);
    };
    replace("04/12/2025 17:00,,Đang xử lý", "04/12/2025 17:00,,Đã có kết quả");
    replace("09/12/2025,,Yêu cầu bổ sung", "12/12/2025,,Yêu cầu bổ sung");
    auto rep = run(*db, edited, cfg, 2000);
    REQUIRE(rep.outcome == storage::import_outcome::imported);
    CHECK(rep.stats.updated == 2);
    CHECK(rep.stats.unchanged == 4);
    CHECK(rep.stats.state_changes == 1);
    CHECK(count(*db, "SELECT COUNT(*) FROM dossiers WHERE imported_at = 2000") == 2);
    auto changes = storage::import_run_changes(*db, rep.run_id, 10);
    REQUIRE(changes.size() == 2);
    CHECK(changes[0].code == "000.00.31.H12-251201-0002");
    CHECK(changes[0].old_state == "processing");
    CHECK(changes[0].new_state == "result_ready");
    CHECK(changes[0].fields == "trang_thai");
    CHECK(changes[1].code == "000.00.33.H12-251202-0004");
    CHECK(changes[1].fields == "han_tra");
    CHECK(changes[1].old_due_on == "2025-12-09");
    CHECK(changes[1].new_due_on == "2025-12-12");
    CHECK(changes[1].notice == "none");  // nobody follows it
    auto runs = storage::list_import_runs(*db, 10);
    REQUIRE(runs.size() == 2);
    CHECK(runs[0].id == rep.run_id);
    CHECK(runs[0].updated == 2);
    CHECK(runs[0].state_changes == 1);
    CHECK(runs[0].file_name == "export.csv");
    CHECK(runs[0].format == "csv");
}

TEST_CASE("a run's outcome is stored as its word and an unknown word read back is an error", "[dossiers]") {
    auto cfg = test::test_config();
    auto db = test::memory_db();
    auto rep = run(*db, fixture("mot-cua-export.csv"), cfg, 1000);
    REQUIRE(rep.outcome == storage::import_outcome::imported);
    CHECK(count(*db, "SELECT COUNT(*) FROM import_runs WHERE outcome = 'imported'") == 1);
    CHECK(storage::parse_import_outcome("rejected") == storage::import_outcome::rejected);
    // The schema's CHECK keeps such a word out; a file written past it still reads as an error.
    CHECK_THROWS(db->exec("UPDATE import_runs SET outcome = 'half-done'"));
    db->exec("PRAGMA ignore_check_constraints = ON");
    db->exec("UPDATE import_runs SET outcome = 'half-done'");
    CHECK_THROWS_AS(storage::list_import_runs(*db, 10), std::invalid_argument);
}

TEST_CASE("a file with a bad row changes nothing and its run keeps every error with file and line", "[dossiers]") {
    auto cfg = test::test_config();
    auto db = test::memory_db();
    auto csv = fixture("mot-cua-export.csv");
    csv += "7,X-7,Khai sinh,Hộ tịch,Cấp xã,UBND xã Hà Nội,Trực tuyến,A,,01/12/2025,03/12/2025,,Đang xử lý,,\n";
    csv += "8,X-8,Khai sinh,Hộ tịch,Cấp xã,UBND xã Tân Sỏi,Trực tuyến,A,,32/12/2025,03/12/2025,,Đang xử lý,,\n";
    auto rep = run(*db, csv, cfg, 1000, "hom-nay.csv");
    CHECK(rep.outcome == storage::import_outcome::rejected);
    CHECK(storage::count_dossiers(*db) == 0);
    auto r = storage::find_import_run(*db, rep.run_id);
    REQUIRE(r);
    CHECK(r->outcome == storage::import_outcome::rejected);
    CHECK(r->rejected == 2);
    auto issues = storage::import_run_issues(*db, rep.run_id, 10);
    REQUIRE(issues.size() >= 2);
    CHECK(issues[0].file == "hom-nay.csv");
    CHECK(issues[0].line == 8);
    CHECK(issues[0].column == "Đơn vị");
    CHECK(issues[1].line == 9);
    CHECK_THAT(issues[1].reason, Catch::Contains("32/12/2025"));
    CHECK_THAT(bot::import_report_json(rep), Catch::Contains("\"error\":\"invalid_rows\"") && Catch::Contains("\"line\":8"));
}

TEST_CASE("a big file is staged in chunks and merged once; a failed write leaves nothing behind", "[dossiers]") {
    auto cfg = test::test_config();
    cfg.imports.chunk_rows = 10;
    auto db = test::memory_db();
    std::string csv = "Mã hồ sơ,Tên thủ tục,Đơn vị,Kênh,Ngày tiếp nhận,Ngày hẹn trả\n";
    for (int i = 0; i < 35; ++i) csv += "C-" + std::to_string(i) + ",Khai sinh,xã Tân Sỏi,Trực tuyến,01/12/2025,03/12/2025\n";
    {
        inline_io w{*db};
        w.fail_at = 3;  // the third chunk
        auto rep = bot::run_dossier_import(w.io(), csv, bot::import_request{}, cfg, [] { return std::int64_t{1000}; });
        CHECK(rep.outcome == storage::import_outcome::failed);
        CHECK_THAT(rep.detail, Catch::Contains("disk full"));
        CHECK(storage::count_dossiers(*db) == 0);
        CHECK(count(*db, "SELECT COUNT(*) FROM dossier_import_staging") == 0);
        CHECK(count(*db, "SELECT COUNT(*) FROM import_runs WHERE outcome = 'failed'") == 1);
    }
    inline_io w{*db};
    auto rep = bot::run_dossier_import(w.io(), csv, bot::import_request{}, cfg, [] { return std::int64_t{2000}; });
    REQUIRE(rep.outcome == storage::import_outcome::imported);
    CHECK(rep.chunks == 4);
    CHECK(w.writes == 10);  // clear stale staging, four chunks, one merge, four chunks out of staging
    CHECK(rep.stats.inserted == 35);
    CHECK(storage::count_dossiers(*db) == 35);
    CHECK(count(*db, "SELECT COUNT(*) FROM dossier_import_staging") == 0);
}

TEST_CASE("the preview lists what an import would change and writes nothing", "[dossiers]") {
    auto cfg = test::test_config();
    auto db = test::memory_db();
    auto csv = fixture("mot-cua-export.csv");
    REQUIRE(run(*db, csv, cfg, 1000).outcome == storage::import_outcome::imported);
    auto edited = csv;
    edited.replace(edited.find("Đã tiếp nhận"), std::string("Đã tiếp nhận").size(), "Đang xử lý");
    edited += "7,NEW-7,Khai sinh,Hộ tịch,Cấp xã,UBND xã Tân Sỏi,Trực tuyến,A,,01/12/2025,03/12/2025,,,,\n";
    const auto before = db->getTotalChanges();
    auto p = bot::preview_dossier_import(*db, edited, cfg);
    CHECK(db->getTotalChanges() == before);
    REQUIRE(p.ok());
    CHECK(p.rows == 7);
    CHECK(p.inserted == 1);
    CHECK(p.updated == 1);
    CHECK(p.unchanged == 5);
    REQUIRE(p.changes.size() == 2);
    CHECK(p.changes[0].code == "000.00.32.H12-251202-0003");
    CHECK(p.changes[0].old_state == "received");
    CHECK(p.changes[0].new_state == "processing");
    CHECK(p.changes[0].fields == std::vector<std::string>{"trang_thai"});
    CHECK(p.changes[1].kind == "inserted");
    CHECK_THAT(bot::import_preview_json(p), Catch::Contains("\"inserted\":1") && Catch::Contains("\"kind\":\"updated\""));
}

TEST_CASE("withdrawn dossiers leave the reminder scan and the officials' open lists", "[dossiers]") {
    auto cfg = test::test_config();
    auto db = test::memory_db();
    add_june_officials(*db);
    REQUIRE(run(*db, fixture("mot-cua-export.csv"), cfg, 1000).outcome == storage::import_outcome::imported);
    const auto open = storage::open_dossiers_due_by(*db, "2025-12-31");
    for (const auto& d : open) {
        CHECK(d.code != "000.00.31.H12-251203-0005");  // withdrawn
        CHECK(d.code != "000.00.31.H12-251201-0001");  // returned
    }
    CHECK(open.size() == 4);
    auto of = storage::open_dossiers_of(*db, "cb_ts_01");
    REQUIRE(of.size() == 1);
    CHECK(of[0].code == "000.00.31.H12-251201-0002");
    storage::dossier_filter f;
    f.status = "withdrawn";
    REQUIRE(storage::list_dossiers(*db, f).size() == 1);
}

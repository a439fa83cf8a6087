#include "bot/dossiers/import_run.hpp"

#include "bot/core/config.hpp"
#include "storage/dossier_repository.hpp"
#include "storage/import_run_repository.hpp"
#include "storage/official_repository.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>

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
        w.fail_at = 5;  // the third chunk (after the stale sweep, the placement, and a look for dead rows)
        auto rep = bot::run_dossier_import(w.io(), csv, bot::import_request{}, cfg, [] { return std::int64_t{1000}; });
        CHECK(rep.outcome == storage::import_outcome::failed);
        CHECK_THAT(rep.detail, Catch::Contains("disk full"));
        CHECK(storage::count_dossiers(*db) == 0);
        CHECK(count(*db, "SELECT COUNT(*) FROM dossier_rows") == 0);  // the two placed chunks are gone too
        CHECK(count(*db, "SELECT COUNT(*) FROM dossier_visibility WHERE batch IS NULL") == 1);
        CHECK(count(*db, "SELECT COUNT(*) FROM dossier_import_staging") == 0);
        CHECK(count(*db, "SELECT COUNT(*) FROM import_runs WHERE outcome = 'failed'") == 1);
    }
    inline_io w{*db};
    auto rep = bot::run_dossier_import(w.io(), csv, bot::import_request{}, cfg, [] { return std::int64_t{2000}; });
    REQUIRE(rep.outcome == storage::import_outcome::imported);
    CHECK(rep.chunks == 4);
    // The stale sweep, the placement, a look for dead rows, four chunks placed, one merge; the new
    // rows never went through staging, so there is nothing to take out of it.
    CHECK(w.writes == 8);
    CHECK(rep.stats.inserted == 35);
    CHECK(storage::count_dossiers(*db) == 35);
    CHECK(count(*db, "SELECT COUNT(*) FROM dossier_import_staging") == 0);
}

namespace {

// A dossier as an import places it (the fields the table requires).
storage::dossier plain_dossier(const std::string& code, const std::string& procedure, const std::string& channel,
                               const std::string& received_on, const std::string& due_on) {
    storage::dossier d{};
    d.code = code;
    d.procedure = procedure;
    d.level = "xa";
    d.unit_id = "tan_soi";
    d.channel = channel;
    d.received_on = received_on;
    d.due_on = due_on;
    return d;
}

std::string numbered_csv(int n, const std::string& due = "03/12/2025") {
    std::string csv = "Mã hồ sơ,Tên thủ tục,Đơn vị,Kênh,Ngày tiếp nhận,Ngày hẹn trả\n";
    for (int i = 0; i < n; ++i) csv += "C-" + std::to_string(i) + ",Khai sinh,xã Tân Sỏi,Trực tuyến,01/12/2025," + due + "\n";
    return csv;
}

}  // namespace

TEST_CASE("a big import's new dossiers are written in chunks but nobody sees one before its merge commits", "[dossiers]") {
    auto cfg = test::test_config();
    cfg.imports.chunk_rows = 10;
    auto db = test::memory_db();
    // Three dossiers already there, one of them changed by the file: it is updated in the merge.
    REQUIRE(run(*db, numbered_csv(3), cfg, 500).stats.inserted == 3);
    std::string csv = numbered_csv(35);
    const std::string edited = "C-1,Khai sinh,xã Tân Sỏi,Trực tuyến,01/12/2025,03/12/2025";
    csv.replace(csv.find(edited), edited.size(), "C-1,Khai sinh,xã Tân Sỏi,Trực tuyến,01/12/2025,09/12/2025");
    std::vector<std::int64_t> seen, stored;
    bot::import_io io{*db, [&](const std::function<void(SQLite::Database&)>& job) {
                          job(*db);
                          // What any reader sees between the import's writes, and what the table holds.
                          seen.push_back(storage::count_dossiers(*db));
                          stored.push_back(count(*db, "SELECT COUNT(*) FROM dossier_rows"));
                      }};
    auto rep = bot::run_dossier_import(io, csv, bot::import_request{}, cfg, [] { return std::int64_t{1000}; });
    REQUIRE(rep.outcome == storage::import_outcome::imported);
    CHECK(rep.stats.inserted == 32);
    CHECK(rep.stats.updated == 1);
    CHECK(rep.stats.unchanged == 2);
    // Before the merge: still the three old dossiers, while the table fills; the merge's commit
    // shows all 35 at once, the edit with them.
    const auto shown = static_cast<std::size_t>(std::find(seen.begin(), seen.end(), 35) - seen.begin());
    REQUIRE(shown >= 5);  // the sweep, the placement, the look for dead rows, four chunks, then the merge
    REQUIRE(shown < seen.size());
    for (std::size_t i = 0; i < shown; ++i) CHECK(seen[i] == 3);
    CHECK(stored[shown - 1] == 35);
    for (std::size_t i = shown; i < seen.size(); ++i) CHECK(seen[i] == 35);
    CHECK(storage::find_dossier(*db, "C-1")->due_on == "2025-12-09");
    CHECK(storage::find_dossier(*db, "C-34").has_value());
    CHECK(count(*db, "SELECT COUNT(*) FROM dossier_visibility WHERE batch IS NULL") == 1);
    // The next import's new rows go below these, and everything stays visible.
    REQUIRE(run(*db, numbered_csv(50), cfg, 2000).stats.inserted == 15);
    CHECK(storage::count_dossiers(*db) == 50);
    CHECK(count(*db, "SELECT COUNT(*) FROM dossiers WHERE code = 'C-49'") == 1);
}

TEST_CASE("rows an import that died left hidden are removed by the next one, and never shown", "[dossiers]") {
    auto cfg = test::test_config();
    auto db = test::memory_db();
    // An import placed five rows and died before its merge.
    std::vector<storage::dossier> dead;
    for (int i = 0; i < 5; ++i)
        dead.push_back(plain_dossier("C-" + std::to_string(i), "Khai sinh (cũ)", "truc_tuyen", "2025-11-01", "2025-11-03"));
    std::vector<storage::staged_row> rows;
    for (const auto& r : dead) rows.push_back({&r, {}});
    REQUIRE(storage::claim_placement(*db, "dead", 1000));
    CHECK(storage::stage_dossiers(*db, "dead", 0, rows, 1000, true) == 5);
    CHECK(storage::count_dossiers(*db) == 0);
    // Another import cannot take the placement while the dead one is still fresh...
    CHECK_FALSE(storage::claim_placement(*db, "next", 1000 + 60'000));
    // ...and is told to wait rather than write beside it.
    // Later it can: the dead rows go, the file's rows come in, each code once.
    const std::int64_t later = 1000 + storage::placement_stale_ms + 1;
    auto rep = run(*db, numbered_csv(8), cfg, later);
    REQUIRE(rep.outcome == storage::import_outcome::imported);
    CHECK(rep.stats.inserted == 8);
    CHECK(storage::count_dossiers(*db) == 8);
    CHECK(count(*db, "SELECT COUNT(*) FROM dossier_rows") == 8);
    CHECK(storage::find_dossier(*db, "C-0")->procedure == "Khai sinh");
}

TEST_CASE("an import that stalled and lost its placement fails without touching the new holder's rows", "[dossiers]") {
    auto cfg = test::test_config();
    cfg.imports.chunk_rows = 10;
    auto db = test::memory_db();
    int writes = 0;
    bot::import_io io{*db, [&](const std::function<void(SQLite::Database&)>& job) {
                          job(*db);
                          if (++writes == 4) {
                              // After its first chunk, another import takes over (this one looked dead)
                              // and places a row of its own.
                              SQLite::Statement t(*db, "UPDATE dossier_visibility SET batch = 'other', touched = 1000");
                              t.exec();
                              while (storage::drop_hidden(*db, "other", 100) > 0) {
                              }
                              const auto other = plain_dossier("X-1", "Khai tử", "truc_tiep", "2025-12-01", "2025-12-02");
                              std::vector<storage::staged_row> r{{&other, {}}};
                              storage::stage_dossiers(*db, "other", 1000, r, 1000, true);
                          }
                      }};
    auto rep = bot::run_dossier_import(io, numbered_csv(35), bot::import_request{}, cfg, [] { return std::int64_t{1000}; });
    CHECK(rep.outcome == storage::import_outcome::failed);
    CHECK_THAT(rep.detail, Catch::Contains("another took over"));
    CHECK(storage::count_dossiers(*db) == 0);
    // The new holder removed what this one had placed; its own row is still there, hidden, for its
    // merge to show.
    CHECK(count(*db, "SELECT COUNT(*) FROM dossier_rows") == 1);
    CHECK(count(*db, "SELECT COUNT(*) FROM dossier_rows WHERE code = 'X-1'") == 1);
    CHECK(count(*db, "SELECT COUNT(*) FROM dossier_visibility WHERE batch = 'other'") == 1);
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

TEST_CASE("an import waits while another process's import places rows, and takes over once that one stalled", "[dossiers]") {
    auto cfg = test::test_config();
    auto db = test::memory_db();
    REQUIRE(storage::claim_placement(*db, "other-process", 1000));
    // The other import never touches its placement again (it died). The run's clock reads it
    // fresh at the first look and stale from half a second on: the run waits a second, looks
    // again, and takes over.
    const auto t0 = std::chrono::steady_clock::now();
    auto clock = [&]() -> std::int64_t {
        return std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(500) ? 2000
                                                                                      : 1000 + storage::placement_stale_ms + 5000;
    };
    bot::import_io io{*db, [&](const std::function<void(SQLite::Database&)>& job) { job(*db); }};
    auto rep = bot::run_dossier_import(io, numbered_csv(5), bot::import_request{}, cfg, clock);
    CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(900));  // it waited
    CHECK(rep.outcome == storage::import_outcome::imported);
    CHECK(storage::count_dossiers(*db) == 5);
    CHECK(count(*db, "SELECT COUNT(*) FROM dossier_visibility WHERE batch = 'other-process'") == 0);
}

// A period that ends in the future: overdue is judged as of today, and every format says so.
#include "bot/reports/report.hpp"

#include "bot/core/messages.hpp"
#include "bot/core/wording.hpp"
#include "bot/reports/report_format.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

namespace {

void dossier(SQLite::Database& db, const std::string& code, const std::string& received, const std::string& due) {
    SQLite::Statement q(db,
                        "INSERT INTO dossier_rows (code, procedure, level, unit_id, channel, received_on, due_on, "
                        "returned_on, imported_at) VALUES (?, 'Đăng ký khai sinh', 'xa', 'tan_soi', 'truc_tuyen', ?, ?, NULL, 0)");
    q.bind(1, code);
    q.bind(2, received);
    q.bind(3, due);
    q.exec();
}

// Two dossiers overdue on 2026-06-10, one due that day, two due later in June.
std::unique_ptr<SQLite::Database> june() {
    auto db = test::memory_db();
    dossier(*db, "HS-2026-000001", "2026-06-01", "2026-06-05");
    dossier(*db, "HS-2026-000002", "2026-06-02", "2026-06-09");
    dossier(*db, "HS-2026-000003", "2026-06-03", "2026-06-10");
    dossier(*db, "HS-2026-000004", "2026-06-04", "2026-06-20");
    dossier(*db, "HS-2026-000005", "2026-06-05", "2026-06-25");
    return db;
}

}  // namespace

TEST_CASE("with the period's end in the future, only dossiers overdue today count as overdue", "[reports]") {
    auto db = june();
    bot::report_request rq{"2026-06-01", "2026-06-30", "", ""};
    rq.today = "2026-06-10";
    const auto r = bot::compute_report(*db, test::test_config(), rq);
    CHECK(r.as_of == "2026-06-10");
    CHECK(r.totals.pending == 5);
    CHECK(r.totals.c.pending_overdue == 2);
}

TEST_CASE("a period that has ended is judged as of its last day", "[reports]") {
    auto db = june();
    bot::report_request rq{"2026-06-01", "2026-06-15", "", ""};
    rq.today = "2026-11-30";
    const auto r = bot::compute_report(*db, test::test_config(), rq);
    CHECK(r.as_of == "2026-06-15");
    CHECK(r.totals.c.pending_overdue == 3);
}

TEST_CASE("every format says the date overdue was judged at", "[reports]") {
    auto db = june();
    bot::report_request rq{"2026-06-01", "2026-06-30", "", ""};
    rq.today = "2026-06-10";
    const auto cfg = test::test_config();
    const auto r = bot::compute_report(*db, cfg, rq);

    const auto j = boost::json::parse(bot::to_json(r)).as_object();
    CHECK(j.at("period").at("as_of").as_string() == "2026-06-10");

    const auto texts = bot::load_messages(cfg);
    const std::string text = bot::to_text(r, texts);
    CHECK(text.find("10/06/2026") != std::string::npos);
    CHECK(text.find("quá hạn") != std::string::npos);

    const std::string csv = bot::to_csv(r);
    CHECK(csv.find("as_of") != std::string::npos);
    CHECK(csv.find("2026-06-10") != std::string::npos);

    test::temp_dir dir;
    const std::string xlsx = dir.file("r.xlsx");
    bot::write_xlsx(r, texts, xlsx);
    std::string out;
    REQUIRE(test::run("unzip -p '" + xlsx + "' xl/sharedStrings.xml", out) == 0);
    CHECK(out.find("10/06/2026") != std::string::npos);
}

#include "bot/reports/report.hpp"

#include "bot/core/local_time.hpp"
#include "storage/database.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

namespace {

struct dossier_row {
    std::string code;
    std::string received;
    std::string due;
    std::string returned;  // empty = unresolved
    std::string channel = "truc_tuyen";
    std::string unit = "tan_soi";
    std::string level = "xa";
    std::string procedure = "Đăng ký khai sinh";
};

void insert(SQLite::Database& db, const dossier_row& d) {
    SQLite::Statement q(db,
                        "INSERT INTO dossier_rows (code, procedure, level, unit_id, channel, received_on, due_on, "
                        "returned_on, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)");
    q.bind(1, d.code);
    q.bind(2, d.procedure);
    q.bind(3, d.level);
    q.bind(4, d.unit);
    q.bind(5, d.channel);
    q.bind(6, d.received);
    q.bind(7, d.due);
    if (d.returned.empty())
        q.bind(8);
    else
        q.bind(8, d.returned);
    q.exec();
}

const bot::level_report& level_of(const bot::report& r, const std::string& id) {
    for (const auto& l : r.levels)
        if (l.level == id) return l;
    FAIL("no level " << id);
    throw std::logic_error("unreachable");
}

const bot::unit_report& unit_of(const bot::report& r, const std::string& id) {
    for (const auto& l : r.levels)
        for (const auto& u : l.units)
            if (u.unit == id) return u;
    FAIL("no unit " << id);
    throw std::logic_error("unreachable");
}

bot::report half_year(SQLite::Database& db, const std::string& unit = {}, const std::string& level = {}) {
    return bot::compute_report(db, test::test_config(), {"2026-01-01", "2026-06-30", unit, level});
}

const bot::report_warning* warning_of(const bot::report& r, const std::string& kind) {
    for (const auto& w : r.warnings)
        if (w.kind == kind) return &w;
    return nullptr;
}

}  // namespace

TEST_CASE("dossiers received on both period boundaries count, split online and in person or by post", "[reports]") {
    auto db = test::memory_db();
    insert(*db, {"A1", "2026-01-01", "2026-01-05", "2026-01-03", "truc_tuyen"});
    insert(*db, {"A2", "2026-06-30", "2026-07-05", "", "truc_tiep"});
    insert(*db, {"A3", "2026-03-01", "2026-03-05", "2026-03-05", "bcci"});
    insert(*db, {"A4", "2026-07-01", "2026-07-05", ""});                // after the period
    insert(*db, {"A5", "2025-12-31", "2026-01-05", "2025-12-31"});      // before, returned before
    auto r = half_year(*db);
    const auto& f = level_of(r, "xa").fig;
    CHECK(f.c.received == 3);
    CHECK(f.c.online == 1);
    CHECK(f.offline == 2);
    CHECK(f.c.carried_over == 0);
    CHECK(f.total == 3);
    CHECK(f.c.resolved == 2);
    CHECK(f.pending == 1);
    CHECK(r.warnings.empty());
}

TEST_CASE("carried over dossiers are those unresolved at the start, including one returned on the first day",
          "[reports]") {
    auto db = test::memory_db();
    insert(*db, {"C1", "2025-12-20", "2026-01-10", ""});            // still pending
    insert(*db, {"C2", "2025-12-20", "2026-01-10", "2026-01-01"});  // returned exactly on `from`
    insert(*db, {"C3", "2025-12-20", "2026-01-10", "2025-12-31"});  // returned the day before
    insert(*db, {"C4", "2025-11-01", "2025-12-01", "2026-07-15"});  // resolved after the period
    auto r = half_year(*db);
    const auto& f = level_of(r, "xa").fig;
    CHECK(f.c.carried_over == 3);
    CHECK(f.c.received == 0);
    CHECK(f.total == 3);
    CHECK(f.c.resolved == 1);  // C2 only: C4 came back after `to`, so it is pending at `to`
    CHECK(f.c.early == 1);
    CHECK(f.pending == 2);
    CHECK(f.c.pending_overdue == 2);  // C1 due 2026-01-10 and C4 due 2025-12-01, both before `to`
    CHECK_FALSE(f.online_rate.has_value());  // nothing received in the period
    REQUIRE(f.on_time_rate.has_value());
    CHECK(*f.on_time_rate == Approx(100.0));
}

TEST_CASE("early, on time and late compare the return date with the due date", "[reports]") {
    auto db = test::memory_db();
    insert(*db, {"E1", "2026-02-01", "2026-02-10", "2026-02-09"});  // early
    insert(*db, {"E2", "2026-02-01", "2026-02-10", "2026-02-10"});  // due == returned: on time
    insert(*db, {"E3", "2026-02-01", "2026-02-01", "2026-02-01"});  // same-day return on its due day
    insert(*db, {"E4", "2026-02-01", "2026-02-10", "2026-02-11", "truc_tuyen", "tan_soi", "xa", "Chứng thực"});
    insert(*db, {"E5", "2026-02-01", "2026-02-03", "2026-06-30"});  // late, returned exactly on `to`
    insert(*db, {"E6", "2026-06-30", "2026-07-03", "2026-06-30"});  // received and returned on `to`: early
    auto r = half_year(*db);
    const auto& f = unit_of(r, "tan_soi").fig;
    CHECK(f.c.resolved == 6);
    CHECK(f.c.early == 2);
    CHECK(f.c.on_time == 2);
    CHECK(f.c.late == 2);
    CHECK(f.pending == 0);
    REQUIRE(f.on_time_rate.has_value());
    CHECK(*f.on_time_rate == Approx(400.0 / 6.0));
    REQUIRE(f.late_by_procedure.size() == 2);
}

TEST_CASE("pending dossiers are overdue only when due strictly before the end of the period", "[reports]") {
    auto db = test::memory_db();
    insert(*db, {"P1", "2026-06-01", "2026-06-29", ""});             // overdue
    insert(*db, {"P2", "2026-06-01", "2026-06-30", ""});             // due on `to`: not overdue
    insert(*db, {"P3", "2026-06-01", "2026-07-15", ""});             // not yet due
    insert(*db, {"P4", "2026-06-01", "2026-06-15", "2026-07-02"});   // returned after `to`, overdue at `to`
    auto r = half_year(*db);
    const auto& f = level_of(r, "xa").fig;
    CHECK(f.total == 4);
    CHECK(f.c.resolved == 0);
    CHECK(f.pending == 4);
    CHECK(f.c.pending_overdue == 2);
    REQUIRE(f.pending_overdue_by_procedure.size() == 1);
    CHECK(f.pending_overdue_by_procedure[0].second == 2);
}

TEST_CASE("late dossiers are grouped by procedure, most first, per unit and per level", "[reports]") {
    auto db = test::memory_db();
    int n = 0;
    auto late = [&](const std::string& unit, const std::string& proc) {
        insert(*db, {"L" + std::to_string(++n), "2026-03-01", "2026-03-05", "2026-03-09", "truc_tuyen", unit, "xa", proc});
    };
    late("tan_soi", "Chứng thực bản sao");
    late("tan_soi", "Đăng ký khai sinh");
    late("dong_son", "Đăng ký khai sinh");
    late("dong_son", "Đăng ký khai sinh");
    insert(*db, {"H1", "2026-03-01", "2026-03-20", "2026-03-25", "truc_tiep", "huyen", "huyen", "Cấp giấy phép xây dựng"});
    auto r = half_year(*db);
    const auto& xa = level_of(r, "xa").fig;
    REQUIRE(xa.late_by_procedure.size() == 2);
    CHECK(xa.late_by_procedure[0] == std::make_pair(std::string("Đăng ký khai sinh"), std::int64_t{3}));
    CHECK(xa.late_by_procedure[1] == std::make_pair(std::string("Chứng thực bản sao"), std::int64_t{1}));
    CHECK(unit_of(r, "dong_son").fig.late_by_procedure.size() == 1);
    CHECK(level_of(r, "huyen").fig.c.late == 1);
    CHECK(r.totals.c.late == 5);
    CHECK(r.totals.late_by_procedure.size() == 3);
}

TEST_CASE("impossible dates, duplicate codes and unknown units are warned about and not counted", "[reports]") {
    auto db = test::memory_db();
    insert(*db, {"OK1", "2026-02-01", "2026-02-10", "2026-02-05"});
    insert(*db, {"BAD1", "2026-02-10", "2026-02-20", "2026-02-05"});                     // returned before received
    insert(*db, {"BAD2", "2026-02-10", "2026-02-01", ""});                               // due before received
    insert(*db, {"BAD3", "15/02/2026", "2026-02-20", ""});                               // not a stored date
    insert(*db, {"BAD4", "2026-02-30", "2026-03-20", ""});                               // no such day
    insert(*db, {"HS-2026-000001", "2026-02-01", "2026-02-10", ""});
    insert(*db, {"hs-2026-000001 ", "2026-02-01", "2026-02-10", "2026-02-03"});          // same code, other case
    insert(*db, {"U1", "2026-02-01", "2026-02-10", "", "truc_tuyen", "xa_la", "xa"});    // unit not configured
    insert(*db, {"U2", "2026-02-01", "2026-02-10", "", "truc_tuyen", "tan_soi", "huyen"});  // wrong level for unit
    auto r = half_year(*db);
    const auto& f = level_of(r, "xa").fig;
    CHECK(f.total == 1);
    CHECK(f.c.resolved == 1);
    CHECK(level_of(r, "huyen").fig.total == 0);
    CHECK(r.excluded_dossiers == 8);

    auto* w1 = warning_of(r, "returned_before_received");
    REQUIRE(w1);
    CHECK(w1->count == 1);
    REQUIRE(w1->items.size() == 1);
    CHECK(w1->items[0].code == "BAD1");
    auto* w2 = warning_of(r, "due_before_received");
    REQUIRE(w2);
    CHECK(w2->items[0].code == "BAD2");
    auto* w3 = warning_of(r, "bad_date");
    REQUIRE(w3);
    CHECK(w3->count == 2);
    CHECK(w3->items[0].code == "BAD3");
    CHECK(w3->items[1].code == "BAD4");
    auto* w4 = warning_of(r, "duplicate_code");
    REQUIRE(w4);
    CHECK(w4->count == 2);
    CHECK(w4->items[0].code.find("HS-2026-000001") != std::string::npos);
    auto* w5 = warning_of(r, "unknown_unit");
    REQUIRE(w5);
    CHECK(w5->count == 2);
    CHECK(w5->items.size() == 2);
}

TEST_CASE("a unit or level scope keeps only that unit's or level's dossiers", "[reports]") {
    auto db = test::memory_db();
    insert(*db, {"S1", "2026-02-01", "2026-02-10", "2026-02-05", "truc_tuyen", "tan_soi"});
    insert(*db, {"S2", "2026-02-01", "2026-02-10", "2026-02-05", "truc_tuyen", "dong_son"});
    insert(*db, {"S3", "2026-02-01", "2026-02-10", "2026-02-05", "truc_tuyen", "huyen", "huyen"});
    auto r = half_year(*db, "dong_son");
    REQUIRE(r.levels.size() == 1);
    REQUIRE(r.levels[0].units.size() == 1);
    CHECK(r.levels[0].units[0].unit == "dong_son");
    CHECK(r.levels[0].fig.total == 1);
    CHECK(r.totals.total == 1);

    auto by_level = half_year(*db, "", "xa");
    REQUIRE(by_level.levels.size() == 1);
    CHECK(by_level.levels[0].units.size() == 3);
    CHECK(by_level.totals.total == 2);
}

TEST_CASE("invalid requests are refused with a clear reason", "[reports]") {
    auto db = test::memory_db();
    auto cfg = test::test_config();
    CHECK_THROWS_AS(bot::compute_report(*db, cfg, {"2026-13-01", "2026-06-30", "", ""}), bot::report_request_error);
    CHECK_THROWS_AS(bot::compute_report(*db, cfg, {"2026-01-01", "30/06/2026", "", ""}), bot::report_request_error);
    CHECK_THROWS_WITH(bot::compute_report(*db, cfg, {"2026-07-01", "2026-06-30", "", ""}),
                      Catch::Contains("after"));
    CHECK_THROWS_WITH(bot::compute_report(*db, cfg, {"2026-01-01", "2026-06-30", "xa_la", ""}),
                      Catch::Contains("unknown unit"));
    CHECK_NOTHROW(bot::compute_report(*db, cfg, {"2026-06-30", "2026-06-30", "", ""}));
}

TEST_CASE("conversation figures come from the interaction log, hand-offs and unanswered questions", "[reports]") {
    auto db = test::memory_db();
    auto add = [&](const std::string& day, const std::string& user, const std::string& outcome,
                   const std::string& topic, std::optional<int> latency) {
        SQLite::Statement q(*db,
                            "INSERT INTO interactions (at, local_day, user_id, unit_id, direction, kind, topic, outcome, "
                            "text, latency_ms) VALUES (0, ?, ?, 'tan_soi', 'in', 'text', ?, ?, 'x', ?)");
        q.bind(1, day);
        q.bind(2, user);
        q.bind(3, topic);
        q.bind(4, outcome);
        if (latency)
            q.bind(5, *latency);
        else
            q.bind(5);
        q.exec();
    };
    add("2026-01-01", "u1", "answered", "dang_ky_tai_khoan", 100);
    add("2026-01-02", "u1", "answered", "dang_ky_tai_khoan", 300);
    add("2026-03-02", "u2", "answered", "le_phi", 200);
    add("2026-03-02", "u2", "lookup", "", 50);
    add("2026-03-03", "u3", "clarified", "", 400);
    add("2026-06-30", "u4", "fallback", "", 1000);
    add("2026-06-30", "off1", "command", "", 10);   // an official's command is not a question
    add("2026-07-01", "u5", "answered", "le_phi", 5);  // after the period
    db->exec("INSERT INTO unanswered (at, local_day, user_id, text, normalized) VALUES "
             "(0, '2026-02-01', 'u4', 'Làm căn cước ở đâu', 'lam can cuoc o dau'),"
             "(0, '2026-02-02', 'u5', 'lam can cuoc o dau', 'lam can cuoc o dau'),"
             "(0, '2026-02-03', 'u6', 'Mấy giờ mở cửa', 'may gio mo cua')");
    const auto cfg = test::test_config();
    const std::int64_t jan2 = bot::unix_ms_of({2026, 1, 2}, 8 * 60);
    db->exec("INSERT INTO handoffs (user_id, unit_id, opened_at, reason, first_answer_at) VALUES "
             "('u1', 'tan_soi', " + std::to_string(jan2) + ", 'asked', " + std::to_string(jan2 + 600000) + "),"
             "('u2', 'tan_soi', " + std::to_string(jan2 + 1000) + ", 'fallbacks', " + std::to_string(jan2 + 1000 + 1800000) + "),"
             "('u3', 'tan_soi', " + std::to_string(jan2 + 2000) + ", 'asked', NULL)");
    auto r = bot::compute_report(*db, cfg, {"2026-01-01", "2026-06-30", "", ""});
    const auto& c = r.conversations;
    CHECK(c.questions == 6);
    CHECK(c.citizens == 4);
    CHECK(c.answered == 4);
    CHECK(c.clarified == 1);
    CHECK(c.fallbacks == 1);
    CHECK(c.handoffs == 3);
    CHECK(c.handoffs_answered == 2);
    REQUIRE(c.median_handoff_answer_ms);
    CHECK(*c.median_handoff_answer_ms == (600000 + 1800000) / 2);
    REQUIRE(c.median_reply_latency_ms);
    CHECK(*c.median_reply_latency_ms == 200);  // 10, 50, 100, 200, 300, 400, 1000
    REQUIRE(c.top_topics.size() == 2);
    CHECK(c.top_topics[0].first == "dang_ky_tai_khoan");
    CHECK(c.top_topics[0].second == 2);
    REQUIRE(c.top_unanswered.size() == 2);
    CHECK(c.top_unanswered[0].second == 2);
}

TEST_CASE("reminders are counted per unit and reminded dossiers resolved in time are found", "[reports]") {
    auto db = test::memory_db();
    insert(*db, {"R1", "2026-03-01", "2026-03-10", "2026-03-10"});  // reminded 03-09, returned on its due day
    insert(*db, {"R2", "2026-03-01", "2026-03-10", "2026-03-12"});  // reminded, still late
    insert(*db, {"R3", "2026-03-01", "2026-03-10", "2026-03-08"});  // returned before the reminder
    db->exec(R"SQL(INSERT INTO reminders (kind, dossier_code, recipient, local_day, unit_id, channel, status, created_at) VALUES
      ('due_soon', 'R1', 'cb1', '2026-03-09', 'tan_soi', 'cs', 'queued', 0),
      ('due_soon', 'R1', 'cb1', '2026-03-10', 'tan_soi', 'cs', 'queued', 0),
      ('due_soon', 'R2', 'cb1', '2026-03-09', 'tan_soi', 'cs', 'queued', 0),
      ('due_soon', 'R3', 'cb1', '2026-03-09', 'tan_soi', 'cs', 'queued', 0),
      ('overdue', 'R2', 'cb1', '2026-03-11', 'tan_soi', 'template', 'queued', 0),
      ('escalation', 'R2', 'ld1', '2026-03-12', 'tan_soi', 'cs', 'queued', 0),
      ('digest', '', 'ld1', '2026-03-12', 'tan_soi', 'cs', 'queued', 0),
      ('digest', '', 'ld2', '2026-03-12', 'dong_son', 'none', 'no_zalo', 0),
      ('overdue', 'X', 'cb2', '2026-07-01', 'dong_son', 'cs', 'queued', 0))SQL");
    auto r = half_year(*db);
    REQUIRE(r.reminders.size() == 1);
    CHECK(r.reminders[0].unit == "tan_soi");
    CHECK(r.reminders[0].name == "xã Tân Sỏi");
    CHECK(r.reminder_totals.due_soon == 4);
    CHECK(r.reminder_totals.overdue == 1);
    CHECK(r.reminder_totals.escalation == 1);
    CHECK(r.reminder_totals.digest == 1);
    CHECK(r.reminded_then_resolved == 1);
}

TEST_CASE("broadcast figures count recipients and what the outbox says was received, seen or failed", "[reports]") {
    auto db = test::memory_db();
    const std::int64_t feb = bot::unix_ms_of({2026, 2, 1}, 9 * 60);
    const std::int64_t aug = bot::unix_ms_of({2026, 8, 1}, 9 * 60);
    // Broadcast 1 went out in the period; 2 was cancelled before it started; 3 is after the period.
    db->exec("INSERT INTO broadcasts (id, created_by, text, target, scheduled_at, local_day, started_at, state, created_at) VALUES "
             "(1, 'tt', 'a', '{}', " + std::to_string(feb) + ", '2026-02-01', " + std::to_string(feb) + ", 'done', 0),"
             "(2, 'tt', 'b', '{}', " + std::to_string(feb) + ", '2026-02-01', NULL, 'cancelled', 0),"
             "(3, 'tt', 'c', '{}', " + std::to_string(aug) + ", '2026-08-01', " + std::to_string(aug) + ", 'done', 0)");
    auto out = [&](int broadcast, int n, const std::string& state, const char* delivered, const char* seen) {
        db->exec("INSERT INTO outbox (id, tracking_id, recipient, channel, priority, body, purpose, broadcast_id, state, "
                 "next_attempt_at, created_at, delivered_at, seen_at) VALUES (" + std::to_string(n) + ", 't" +
                 std::to_string(n) + "', 'u" + std::to_string(n) + "', 'promotion', 2, '{}', 'broadcast', " +
                 std::to_string(broadcast) + ", '" + state + "', 0, 0, " + delivered + ", " + seen + ")");
        db->exec("INSERT INTO broadcast_recipients (broadcast_id, user_id, outbox_id, state, seq) VALUES (" +
                 std::to_string(broadcast) + ", 'u" + std::to_string(n) + "', " + std::to_string(n) + ", 'queued', " +
                 std::to_string(n) + ")");
    };
    out(1, 1, "sent", "1", "2");
    out(1, 2, "sent", "1", "NULL");
    out(1, 3, "failed", "NULL", "NULL");
    out(1, 4, "sent", "NULL", "NULL");
    out(3, 5, "sent", "NULL", "NULL");
    auto r = half_year(*db);
    CHECK(r.broadcasts.count == 1);
    CHECK(r.broadcasts.recipients == 4);
    CHECK(r.broadcasts.sent == 3);
    CHECK(r.broadcasts.received == 2);
    CHECK(r.broadcasts.seen == 1);
    CHECK(r.broadcasts.failed == 1);
}

TEST_CASE("reading conversations on a second connection gives the same report", "[reports]") {
    test::temp_dir dir;
    const std::string path = dir.file("parallel.db");
    auto db = storage::open_database(path);
    insert(*db, {"Q1", "2026-02-01", "2026-02-10", "2026-02-05"});
    db->exec("INSERT INTO interactions (at, local_day, user_id, unit_id, direction, kind, topic, outcome, text, latency_ms) "
             "VALUES (0, '2026-02-01', 'u1', 'tan_soi', 'in', 'text', 'le_phi', 'answered', 'x', 120),"
             "(0, '2026-02-02', 'u2', 'tan_soi', 'in', 'text', '', 'fallback', 'y', 80)");
    const auto cfg = test::test_config();
    auto serial = bot::compute_report(*db, cfg, {"2026-01-01", "2026-06-30", "", ""});
    auto parallel = bot::compute_report(*db, cfg, {"2026-01-01", "2026-06-30", "", ""}, path);
    CHECK(parallel.conversations.questions == 2);
    CHECK(parallel.conversations.questions == serial.conversations.questions);
    CHECK(parallel.conversations.citizens == serial.conversations.citizens);
    CHECK(parallel.conversations.median_reply_latency_ms == serial.conversations.median_reply_latency_ms);
    CHECK(parallel.conversations.top_topics == serial.conversations.top_topics);
    CHECK(parallel.totals.total == 1);
}

// Reports by Official Account: conversations and broadcast messages per OA, and one OA alone.
#include "bot/reports/report.hpp"

#include "bot/reports/report_format.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>

namespace {

void seed(SQLite::Database& db) {
    db.exec(R"SQL(
INSERT INTO interactions (at, local_day, user_id, unit_id, direction, kind, topic, outcome, text, oa) VALUES
  (0, '2026-11-02', 'y1', 'yen_the', 'in', 'text', 'khai_sinh', 'answered', 'a', 'yen_the'),
  (0, '2026-11-02', 'y1', 'yen_the', 'in', 'text', '', 'fallback', 'b', 'yen_the'),
  (0, '2026-11-03', 'y2', 'tan_soi', 'in', 'text', 'le_phi', 'answered', 'c', 'yen_the'),
  (0, '2026-11-03', 'b1', 'bo_ha_moi', 'in', 'text', '', 'clarified', 'd', 'bo_ha'),
  (0, '2026-11-03', 'b1', 'bo_ha_moi', 'in', 'text', '', 'command', 'e', 'bo_ha'),
  (0, '2026-11-04', 'old', 'yen_the', 'in', 'text', 'khai_sinh', 'answered', 'f', ''),
  (0, '2026-11-04', 'b2', '', 'in', 'text', '', 'fallback', 'g', 'bo_ha');
INSERT INTO broadcasts (id, created_by, text, target, scheduled_at, local_day, state, created_at, started_at)
  VALUES (1, 'tt', 'Chào', '{"units":[],"villages":[]}', 0, '2026-11-05', 'done', 0, 0);
INSERT INTO outbox (id, tracking_id, recipient, channel, body, purpose, broadcast_id, state, next_attempt_at, created_at, seen_at, oa)
  VALUES (1, 't1', 'y1', 'promotion', '{}', 'broadcast', 1, 'sent', 0, 0, 5, 'yen_the'),
         (2, 't2', 'y2', 'promotion', '{}', 'broadcast', 1, 'sent', 0, 0, NULL, 'yen_the'),
         (3, 't3', 'b1', 'promotion', '{}', 'broadcast', 1, 'failed', 0, 0, NULL, 'bo_ha');
INSERT INTO broadcast_recipients (broadcast_id, user_id, seq, outbox_id, state)
  VALUES (1, 'y1', 1, 1, 'queued'), (1, 'y2', 2, 2, 'queued'), (1, 'b1', 3, 3, 'queued');
)SQL");
}

const bot::oa_report& of(const bot::report& r, const std::string& oa) {
    for (const auto& o : r.by_oa)
        if (o.oa == oa) return o;
    FAIL("no OA " << oa);
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("a report splits conversations and broadcast messages by Official Account", "[reports][oa]") {
    const auto cfg = test::example_config();
    auto db = test::memory_db();
    seed(*db);
    const auto r = bot::compute_report(*db, cfg, {"2026-11-01", "2026-11-30", "", ""});
    REQUIRE(r.by_oa.size() == 2);
    const auto& yt = of(r, "yen_the");  // the default OA: rows from before there were several count here
    CHECK(yt.name == "UBND xã Yên Thế");
    CHECK(yt.fig.questions == 4);
    CHECK(yt.fig.citizens == 3);
    CHECK(yt.fig.answered == 3);
    CHECK(yt.fig.fallbacks == 1);
    CHECK(yt.fig.broadcast_messages == 2);
    CHECK(yt.fig.broadcast_seen == 1);
    const auto& bh = of(r, "bo_ha");
    CHECK(bh.fig.questions == 2);  // the official's command is not a question
    CHECK(bh.fig.clarified == 1);
    CHECK(bh.fig.broadcasts == 1);
    CHECK(bh.fig.broadcast_failed == 1);
    CHECK(r.conversations.questions == 6);

    const auto json = bot::to_json(r);
    CHECK_THAT(json, Catch::Contains("\"by_oa\":[{\"oa\":\"yen_the\",\"name\":\"UBND xã Yên Thế\",\"questions\":4"));
    const auto csv = bot::to_csv(r);
    CHECK_THAT(csv, Catch::Contains("by_oa\r\noa,name,questions") && Catch::Contains("bo_ha,UBND phường Bố Hạ,2,2,0,1,1,1,1,0,0,0,1"));
}

TEST_CASE("a report for one Official Account keeps its own conversations, broadcasts and units", "[reports][oa]") {
    const auto cfg = test::example_config();
    auto db = test::memory_db();
    seed(*db);
    db->exec("INSERT INTO dossier_rows (code, procedure, level, unit_id, channel, received_on, due_on, imported_at) VALUES"
             " ('Y', 'x', 'xa', 'yen_the', 'truc_tuyen', '2026-11-02', '2026-11-05', 0),"
             " ('B', 'x', 'xa', 'bo_ha_moi', 'truc_tuyen', '2026-11-02', '2026-11-05', 0)");
    bot::report_request rq{"2026-11-01", "2026-11-30", "", ""};
    rq.oa = "bo_ha";
    const auto r = bot::compute_report(*db, cfg, rq);
    CHECK(r.conversations.questions == 2);  // also the citizen who has not chosen a unit yet
    REQUIRE(r.by_oa.size() == 1);
    CHECK(r.by_oa[0].oa == "bo_ha");
    CHECK(r.totals.total == 1);  // phường Bố Hạ's dossier only
    CHECK(r.broadcasts.count == 1);
    CHECK(r.broadcasts.recipients == 1);  // the message that went through this OA
    CHECK(r.broadcasts.failed == 1);
    // Only the OA's units are listed: no province level, no xã Yên Thế.
    REQUIRE(r.levels.size() == 1);
    REQUIRE(r.levels[0].units.size() == 1);
    CHECK(r.levels[0].units[0].unit == "bo_ha_moi");
    rq.oa = "nope";
    CHECK_THROWS_AS(bot::compute_report(*db, cfg, rq), bot::report_request_error);
}

TEST_CASE("a deployment with one OA reports no per-OA split", "[reports][oa]") {
    auto db = test::memory_db();
    seed(*db);
    const auto r = bot::compute_report(*db, test::demo_config(), {"2026-11-01", "2026-11-30", "", ""});
    CHECK(r.by_oa.empty());
    CHECK(r.conversations.questions == 6);
    CHECK_THAT(bot::to_json(r), Catch::Contains("\"by_oa\":[]"));
}

// Outcomes and states are enums in code and words in the database: the words stay those every
// version wrote, and a word no version wrote is an error when read back, not a silent new state.
#include "storage/console_queries.hpp"
#include "storage/dossier_follow_repository.hpp"
#include "storage/interaction_repository.hpp"
#include "storage/reminder_repository.hpp"
#include "storage/report_queries.hpp"

#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace {

std::vector<std::string> column_words(SQLite::Database& db, const std::string& sql) {
    SQLite::Statement q(db, sql);
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.getColumn(0).isNull() ? "NULL" : q.getColumn(0).getString());
    return out;
}

}  // namespace

TEST_CASE("interaction outcomes are stored with the words every version wrote and read back as the same outcome",
          "[storage]") {
    using io = storage::interaction_outcome;
    auto db = test::memory_db();
    const std::vector<io> all = {io::answered, io::clarified, io::fallback, io::lookup, io::command, io::handoff, io::none};
    std::int64_t at = 1000;
    for (auto o : all) storage::log_interaction(*db, {at++, "2026-11-27", "u1", "tan_soi", "in", "text", "", o, "x", std::nullopt, ""});
    // none is no word at all: NULL, as before.
    CHECK(column_words(*db, "SELECT outcome FROM interactions ORDER BY at") ==
          std::vector<std::string>{"answered", "clarified", "fallback", "lookup", "command", "handoff", "NULL"});
    std::vector<io> back;
    for (const auto& m : storage::conversation_history(*db, "u1", 10)) back.push_back(m.outcome);
    CHECK(back == all);
    for (auto o : all) CHECK(storage::parse_interaction_outcome(storage::to_string(o)) == o);
}

TEST_CASE("an interaction outcome no version wrote is an error when read back", "[storage]") {
    auto db = test::memory_db();
    CHECK_THROWS_AS(storage::parse_interaction_outcome("answred"), std::invalid_argument);
    db->exec("INSERT INTO interactions (at, local_day, user_id, unit_id, direction, kind, topic, outcome, text) "
             "VALUES (1000, '2026-11-27', 'u1', 'tan_soi', 'in', 'text', '', 'answred', 'x')");
    CHECK_THROWS_AS(storage::conversation_history(*db, "u1", 10), std::invalid_argument);
    storage::report_scope scope;
    scope.from = scope.to = scope.as_of = "2026-11-27";
    CHECK_THROWS_AS(storage::conversation_stats(*db, scope, 5), std::invalid_argument);
}

TEST_CASE("reminder statuses are stored with the words every version wrote and read back as the same status", "[storage]") {
    using rs = storage::reminder_status;
    auto db = test::memory_db();
    const std::vector<rs> all = {rs::queued, rs::no_zalo, rs::no_template};
    const std::vector<std::string> recipients = {"cb_a", "cb_b", "cb_c"};
    for (std::size_t i = 0; i < all.size(); ++i)
        REQUIRE(storage::record_reminder(*db, {"overdue", "H06.23-0001", recipients[i], "2026-11-27", "tan_soi",
                                               all[i] == rs::queued ? "cs" : "none", all[i], std::nullopt},
                                         1000 + static_cast<std::int64_t>(i)));
    CHECK(column_words(*db, "SELECT status FROM reminders ORDER BY recipient") ==
          std::vector<std::string>{"queued", "no_zalo", "no_template"});
    std::vector<rs> back;
    for (const auto& r : storage::reminders_on(*db, "2026-11-27")) back.push_back(r.status);
    CHECK(back == all);
    std::vector<rs> history;
    for (const auto& r : storage::reminder_history(*db, "H06.23-0001")) history.push_back(r.status);
    CHECK(history == std::vector<rs>{rs::no_template, rs::no_zalo, rs::queued});  // newest first
    for (auto st : all) CHECK(storage::parse_reminder_status(storage::to_string(st)) == st);
}

TEST_CASE("a reminder status no version wrote is an error when read back", "[storage]") {
    auto db = test::memory_db();
    CHECK_THROWS_AS(storage::parse_reminder_status("sent"), std::invalid_argument);
    db->exec("INSERT INTO reminders (kind, dossier_code, recipient, local_day, unit_id, channel, status, created_at) "
             "VALUES ('overdue', 'H06.23-0001', 'cb_a', '2026-11-27', 'tan_soi', 'cs', 'sent', 1000)");
    CHECK_THROWS_AS(storage::reminders_on(*db, "2026-11-27"), std::invalid_argument);
    CHECK_THROWS_AS(storage::reminder_history(*db, "H06.23-0001"), std::invalid_argument);
}

TEST_CASE("notice statuses are stored with the words every version wrote, and a word no version wrote is an error",
          "[storage]") {
    using ns = storage::notice_status;
    auto db = test::memory_db();
    std::vector<storage::notice_row> rows(2);
    rows[0].change_id = 1;
    rows[0].user_id = "u1";
    rows[0].channel = "cs";
    rows[0].status = ns::queued;
    rows[1].change_id = 1;
    rows[1].user_id = "u2";
    rows[1].channel = "none";
    rows[1].status = ns::undeliverable;
    for (auto& r : rows) {
        r.code = "H06.23-0001";
        r.kind = "processing";
        r.local_day = "2026-11-27";
    }
    CHECK(storage::claim_notices(*db, rows, 1000) == std::vector<bool>{true, true});
    CHECK(column_words(*db, "SELECT status FROM dossier_notices ORDER BY user_id") ==
          std::vector<std::string>{"queued", "undeliverable"});
    for (auto st : {ns::queued, ns::undeliverable}) CHECK(storage::parse_notice_status(storage::to_string(st)) == st);
    CHECK_THROWS_AS(storage::parse_notice_status("sent"), std::invalid_argument);
}

// Outcomes and states are enums in code and words in the database: the words stay those every
// version wrote, and a word no version wrote is an error when read back, not a silent new state.
#include "storage/console_queries.hpp"
#include "storage/interaction_repository.hpp"
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

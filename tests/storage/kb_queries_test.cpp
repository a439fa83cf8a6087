#include "storage/kb_queries.hpp"

#include "tests/test_support.hpp"

#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

namespace {
void add(SQLite::Database& db, std::int64_t at, const std::string& day, const std::string& text, const std::string& norm) {
    SQLite::Statement q(db, "INSERT INTO unanswered(at, local_day, user_id, text, normalized) VALUES (?, ?, 'u', ?, ?)");
    q.bind(1, at);
    q.bind(2, day);
    q.bind(3, text);
    q.bind(4, norm);
    q.exec();
}
}  // namespace

TEST_CASE("unanswered questions are grouped by normalised text, most frequent first", "[nlp]") {
    auto db = test::memory_db();
    add(*db, 1000, "2026-11-01", "Thời tiết?", "thời tiết");
    add(*db, 2000, "2026-11-02", "thoi tiet", "thời tiết");
    add(*db, 3000, "2026-11-02", "xổ số", "xổ số");
    add(*db, 4000, "2026-11-20", "thời tiết nhé", "thời tiết");
    auto all = storage::list_unanswered(*db, "", "", 10);
    REQUIRE(all.size() == 2);
    CHECK(all[0].normalized == "thời tiết");
    CHECK(all[0].count == 3);
    CHECK(all[0].text == "thời tiết nhé");
    CHECK(all[0].last_day == "2026-11-20");
    auto early = storage::list_unanswered(*db, "2026-11-01", "2026-11-02", 10);
    REQUIRE(early.size() == 2);
    CHECK(early[0].count == 2);
    CHECK(early[0].text == "thoi tiet");
    CHECK(storage::list_unanswered(*db, "", "", 1).size() == 1);
}

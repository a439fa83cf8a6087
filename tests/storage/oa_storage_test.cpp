// Storage for many Official Accounts: tokens per OA, and the OA of every row.
#include "storage/token_repository.hpp"

#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

TEST_CASE("each Official Account keeps its own tokens", "[zalo][oa]") {
    auto db = test::memory_db();
    CHECK(storage::bootstrap_refresh_token(*db, "rt-yt", 1, "yen_the"));
    CHECK(storage::bootstrap_refresh_token(*db, "rt-bh", 1, "bo_ha"));
    storage::store_grant(*db, "at-yt", 90000, "rt-yt-2", 2, "yen_the");
    storage::mark_needs_reauth(*db, "refused", 3, "bo_ha");
    const auto yt = storage::load_tokens(*db, "yen_the").value();
    const auto bh = storage::load_tokens(*db, "bo_ha").value();
    CHECK(yt.access_token == "at-yt");
    CHECK(yt.refresh_token == "rt-yt-2");
    CHECK_FALSE(yt.needs_reauth);
    CHECK(bh.needs_reauth);
    CHECK(bh.refresh_token == "rt-bh");
    CHECK_FALSE(storage::load_tokens(*db));  // the OA `default` has none
    storage::save_oauth_state(*db, "s1", "v1", 1000, "bo_ha");
    std::string oa;
    CHECK(storage::take_oauth_state(*db, "s1", 1001, 600000, &oa) == "v1");
    CHECK(oa == "bo_ha");
}

TEST_CASE("the single token row of a database from before becomes the default OA's", "[zalo][oa]") {
    auto db = storage::open_database(":memory:", false);
    std::vector<storage::migration> before;
    for (const auto& m : storage::all_migrations())
        if (m.version < 40) before.push_back(m);
    storage::migrate(*db, before);
    db->exec("INSERT INTO oauth_tokens (id, access_token, refresh_token, updated_at) VALUES (1, 'at-old', 'rt-old', 5)");
    db->exec("INSERT INTO users (user_id, created_at) VALUES ('u1', 0)");
    storage::migrate(*db);
    const auto row = storage::load_tokens(*db).value();
    CHECK(row.access_token == "at-old");
    CHECK(row.refresh_token == "rt-old");
    SQLite::Statement q(*db, "SELECT oa FROM users WHERE user_id = 'u1'");
    REQUIRE(q.executeStep());
    CHECK(q.getColumn(0).getString().empty());  // the default OA
}

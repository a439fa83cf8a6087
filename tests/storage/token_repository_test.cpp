#include "storage/token_repository.hpp"

#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>

TEST_CASE("a grant stores the new refresh token and keeps the previous one", "[zalo]") {
    auto db = test::memory_db();
    CHECK_FALSE(storage::load_tokens(*db));
    CHECK(storage::bootstrap_refresh_token(*db, "rt-1", 1));
    CHECK_FALSE(storage::bootstrap_refresh_token(*db, "rt-config", 2));  // only while empty
    storage::store_grant(*db, "at-1", 90000, "rt-2", 3);
    auto row = storage::load_tokens(*db).value();
    CHECK(row.refresh_token == "rt-2");
    CHECK(row.previous_refresh == "rt-1");
    CHECK(row.access_token == "at-1");
    storage::mark_needs_reauth(*db, "refused", 4);
    row = storage::load_tokens(*db).value();
    CHECK(row.needs_reauth);
    CHECK(row.access_token.empty());
    storage::replace_refresh_token(*db, "rt-3", 5);
    row = storage::load_tokens(*db).value();
    CHECK_FALSE(row.needs_reauth);
    CHECK(row.refresh_token == "rt-3");
}

TEST_CASE("a PKCE state is single use and expires", "[zalo]") {
    auto db = test::memory_db();
    storage::save_oauth_state(*db, "s1", "v1", 1000);
    storage::save_oauth_state(*db, "s2", "v2", 1000);
    CHECK(storage::take_oauth_state(*db, "s1", 2000, 60000) == "v1");
    CHECK_FALSE(storage::take_oauth_state(*db, "s1", 2000, 60000));
    CHECK_FALSE(storage::take_oauth_state(*db, "s2", 1000 + 60001, 60000));
}

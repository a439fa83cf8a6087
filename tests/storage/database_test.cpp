#include "storage/database.hpp"

#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <catch2/catch.hpp>

TEST_CASE("migrations bring a new database to the latest version once", "[storage]") {
    auto db = test::memory_db();
    CHECK(storage::schema_version(*db) == storage::latest_schema_version());
    CHECK(storage::migrate(*db) == storage::latest_schema_version());
    CHECK(db->tableExists("events"));
    CHECK(db->tableExists("outbox"));
    CHECK(db->tableExists("dossiers"));
}

TEST_CASE("a file database uses WAL and full synchronous commits", "[storage]") {
    test::temp_dir dir;
    auto db = storage::open_database(dir.file("sub/x.db"));
    SQLite::Statement jm(*db, "PRAGMA journal_mode");
    REQUIRE(jm.executeStep());
    CHECK(jm.getColumn(0).getString() == "wal");
    SQLite::Statement sync(*db, "PRAGMA synchronous");
    REQUIRE(sync.executeStep());
    CHECK(sync.getColumn(0).getInt() == 2);  // FULL
}

TEST_CASE("a transaction left uncommitted rolls back", "[storage]") {
    auto db = test::memory_db();
    {
        SQLite::Transaction tx(*db);
        db->exec("INSERT INTO meta (key, value) VALUES ('a', 'b')");
    }
    SQLite::Statement q(*db, "SELECT COUNT(*) FROM meta");
    q.executeStep();
    CHECK(q.getColumn(0).getInt() == 0);
}

TEST_CASE("online backup copies the data", "[storage]") {
    test::temp_dir dir;
    auto db = storage::open_database(dir.file("live.db"));
    db->exec("INSERT INTO meta (key, value) VALUES ('k', 'v')");
    storage::backup(*db, dir.file("copy.db"));
    SQLite::Database copy(dir.file("copy.db"));
    SQLite::Statement q(copy, "SELECT value FROM meta WHERE key = 'k'");
    REQUIRE(q.executeStep());
    CHECK(q.getColumn(0).getString() == "v");
}

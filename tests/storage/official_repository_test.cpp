#include "storage/official_repository.hpp"

#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

TEST_CASE("an official registered with several units serves each of them, home unit first", "[staff]") {
    auto db = test::memory_db();
    storage::official o{"tt_01", "Tổ tuyên truyền", "tan_soi", "propaganda", "", "", true, true, false, {"dong_son", "bo_ha"}};
    REQUIRE(storage::add_official(*db, o, 1));
    auto got = storage::find_official(*db, "tt_01");
    REQUIRE(got);
    CHECK(got->role == "propaganda");
    CHECK(got->units == std::vector<std::string>{"tan_soi", "bo_ha", "dong_son"});
    CHECK(storage::officials_of_unit(*db, "bo_ha").size() == 1);
    CHECK(storage::officials_of_unit(*db, "huyen").empty());

    REQUIRE(storage::set_official_units(*db, "tt_01", {"huyen"}));
    CHECK(storage::find_official(*db, "tt_01")->units == std::vector<std::string>{"tan_soi", "huyen"});
    CHECK(storage::officials_of_unit(*db, "bo_ha").empty());
}

TEST_CASE("the database refuses a role that does not exist", "[staff]") {
    auto db = test::memory_db();
    storage::official o{"x1", "X", "tan_soi", "superuser", "", "", true, true, false, {}};
    CHECK_THROWS(storage::add_official(*db, o, 1));
    CHECK_FALSE(storage::find_official(*db, "x1"));
}

TEST_CASE("upgrading a database keeps its officials, their links and indexes, and gives them their unit", "[staff]") {
    SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    // A database from before the staff model: every migration below 80, recorded as applied.
    std::vector<storage::migration> before;
    for (const auto& m : storage::all_migrations())
        if (m.version < 80) before.push_back(m);
    storage::migrate(db, before);
    db.exec("ALTER TABLE officials ADD COLUMN added_elsewhere TEXT DEFAULT 'kept'");
    db.exec("INSERT INTO officials (official_id, name, unit_id, role, zalo_user_id, created_at) "
            "VALUES ('cb1', 'Cán bộ', 'tan_soi', 'leader', '123', 5)");
    storage::migrate(db);
    auto o = storage::find_official(db, "cb1");
    REQUIRE(o);
    CHECK(o->role == "leader");
    CHECK(o->zalo_user_id == "123");
    CHECK(o->units == std::vector<std::string>{"tan_soi"});
    CHECK(db.execAndGet("SELECT added_elsewhere FROM officials").getString() == "kept");
    CHECK(db.execAndGet("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND name = 'officials_link_code'").getInt() == 1);
    // The new roles are accepted, and zalo_user_id is still unique.
    db.exec("INSERT INTO officials (official_id, name, unit_id, role, created_at) VALUES ('tt', 'T', 'tan_soi', 'propaganda', 1)");
    CHECK_THROWS(db.exec("UPDATE officials SET zalo_user_id = '123' WHERE official_id = 'tt'"));
}

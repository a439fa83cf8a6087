#include "storage/wal_sync.hpp"

#include "storage/database.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

TEST_CASE("the log of a database in a file is synced after a relaxed commit, and callers share syncs", "[server]") {
    test::temp_dir dir;
    const auto path = dir.file("sync.db");
    auto db = storage::open_database(path);
    {
        storage::deferred_sync relaxed(*db);
        db->exec("INSERT INTO events (dedup_key, event_name, zns, zalo_ts, received_at, body, lane) "
                 "VALUES ('k', 'user_send_text', 0, 1, 1, '{}', 0)");
    }
    storage::wal_sync log(path);
    REQUIRE(log.usable());
    log.sync();
    CHECK(log.syncs() == 1);

    std::atomic<int> errors{0};
    std::vector<std::thread> callers;
    for (int t = 0; t < 4; ++t)
        callers.emplace_back([&] {
            for (int i = 0; i < 50; ++i) {
                try {
                    log.sync();
                } catch (const std::exception&) {
                    ++errors;
                }
            }
        });
    for (auto& c : callers) c.join();
    CHECK(errors == 0);
    CHECK(log.syncs() >= 2);
    CHECK(log.syncs() <= 201);
}

TEST_CASE("a database in memory has no log to sync", "[server]") {
    CHECK_FALSE(storage::wal_sync(":memory:").usable());
    CHECK_FALSE(storage::wal_sync("file:x.db?mode=memory").usable());
    CHECK_THROWS(storage::wal_sync(":memory:").sync());
}

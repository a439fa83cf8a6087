#include "storage/wal_sync.hpp"

#include "storage/database.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
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

TEST_CASE("a caller told after a sync is called back on the syncer's thread once a sync began after it", "[server]") {
    test::temp_dir dir;
    const auto path = dir.file("after.db");
    auto db = storage::open_database(path);
    storage::wal_sync log(path);
    log.sync();  // opens the log
    const auto before = log.syncs();

    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::pair<bool, std::uint64_t>> calls;  // ok, syncs done when called back
    std::vector<std::thread::id> threads;
    for (int i = 0; i < 20; ++i)
        log.after_sync([&](bool ok) {
            std::lock_guard lk(mu);
            calls.emplace_back(ok, log.syncs());
            threads.push_back(std::this_thread::get_id());
            cv.notify_all();
        });
    {
        std::unique_lock lk(mu);
        REQUIRE(cv.wait_for(lk, std::chrono::seconds(10), [&] { return calls.size() == 20; }));
    }
    for (const auto& [ok, syncs] : calls) {
        CHECK(ok);
        CHECK(syncs > before);  // never before a sync that began after the call
    }
    for (const auto& t : threads) CHECK(t != std::this_thread::get_id());
    CHECK(log.syncs() - before <= 20);  // shared: twenty callers never need more syncs than that
}

TEST_CASE("callers still waiting for a sync are called back when the syncer goes", "[server]") {
    test::temp_dir dir;
    const auto path = dir.file("end.db");
    auto db = storage::open_database(path);
    std::atomic<int> ok{0};
    {
        storage::wal_sync log(path);
        for (int i = 0; i < 100; ++i) log.after_sync([&](bool synced) { ok += synced ? 1 : 0; });
    }
    CHECK(ok == 100);
}

TEST_CASE("a caller told after a sync of a log that cannot be opened is told it failed", "[server]") {
    test::temp_dir dir;
    std::atomic<int> told{0}, failed{0};
    {
        storage::wal_sync log(dir.file("missing/none.db"));  // no such folder: the log cannot be opened
        REQUIRE(log.usable());
        log.after_sync([&](bool ok) {
            failed += ok ? 0 : 1;
            ++told;
        });
    }  // the syncer's end waits for its callers
    CHECK(told == 1);
    CHECK(failed == 1);
}

#include "bot/core/worker.hpp"

#include "storage/database.hpp"
#include "storage/event_log.hpp"
#include "storage/write_gate.hpp"
#include "storage/write_scope.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <thread>

namespace {

storage::event_record record(const std::string& key) {
    return {key, "user_send_text", "u1", false, 1000, 1000, R"({"event_name":"user_send_text"})", storage::event_lane::people, ""};
}

std::int64_t scalar(SQLite::Database& db, const std::string& sql) {
    SQLite::Statement q(db, sql);
    q.executeStep();
    return q.getColumn(0).getInt64();
}

}  // namespace

TEST_CASE("the event log writes through the worker's connection in turns with the worker's jobs", "[server]") {
    test::temp_dir dir;
    const auto path = dir.file("shared.db");
    storage::open_database(path).reset();
    storage::write_gate gate;
    bot::worker work(path, &gate);
    work.start();
    storage::event_log log(work.shared_connection(), gate);
    log.start();

    // The worker marks what the log stored, in relaxed-sync transactions like the dispatcher's,
    // while submissions from two threads commit groups between its jobs.
    constexpr int per_thread = 150;
    std::atomic<int> stored{0}, failed{0};
    std::atomic<bool> submitting{true};
    std::thread marker([&] {
        while (submitting) {
            work.post([](SQLite::Database& db) {
                storage::deferred_sync relaxed(db);
                storage::write_scope tx(db);
                db.exec("UPDATE events SET state = 1 WHERE state = 0");
                tx.commit();
            });
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
    });
    std::vector<std::thread> submitters;
    for (int t = 0; t < 2; ++t)
        submitters.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                std::promise<storage::store_result> p;
                log.submit(record("t" + std::to_string(t) + "-" + std::to_string(i)),
                           [&p](storage::store_result r, std::int64_t) { p.set_value(r); });
                (p.get_future().get() == storage::store_result::stored ? stored : failed)++;
            }
        });
    for (auto& s : submitters) s.join();
    submitting = false;
    marker.join();
    CHECK(failed == 0);
    CHECK(stored == 2 * per_thread);

    // A job that leaves the shared connection at a lower safety level does not lower the log's:
    // its next group commits with synchronous=FULL, and leaves the level there.
    work.run_sync([](SQLite::Database& db) { db.exec("PRAGMA synchronous=NORMAL"); });
    std::promise<storage::store_result> p;
    log.submit(record("after"), [&p](storage::store_result r, std::int64_t) { p.set_value(r); });
    CHECK(p.get_future().get() == storage::store_result::stored);
    work.run_sync([](SQLite::Database& db) { CHECK(scalar(db, "PRAGMA synchronous") == 2); });
    log.stop();
    work.stop();

    auto db = storage::open_database(path);
    CHECK(scalar(*db, "SELECT COUNT(*) FROM events") == 2 * per_thread + 1);
}

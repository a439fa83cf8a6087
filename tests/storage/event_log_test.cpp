#include "storage/event_log.hpp"

#include "storage/database.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <future>

namespace {

storage::event_record record(const std::string& key, std::int64_t at = 1000) {
    return {key, "user_send_text", "u1", false, at, at, R"({"event_name":"user_send_text"})", storage::event_lane::people, ""};
}

std::int64_t count(SQLite::Database& db, const std::string& where = "1") {
    SQLite::Statement q(db, "SELECT COUNT(*) FROM events WHERE " + where);
    q.executeStep();
    return q.getColumn(0).getInt64();
}

}  // namespace

TEST_CASE("a batch stores each dedup key once and reports duplicates", "[server]") {
    auto db = test::memory_db();
    auto r = storage::store_batch(*db, {record("a"), record("b"), record("a")});
    CHECK(r == std::vector<storage::store_result>{storage::store_result::stored, storage::store_result::stored,
                                                  storage::store_result::duplicate});
    auto again = storage::store_batch(*db, {record("b"), record("c")});
    CHECK(again == std::vector<storage::store_result>{storage::store_result::duplicate, storage::store_result::stored});
    CHECK(count(*db) == 3);
    SQLite::Statement q(*db, "SELECT event_name, user_id, zns, zalo_ts, state FROM events WHERE dedup_key = 'c'");
    REQUIRE(q.executeStep());
    CHECK(q.getColumn(0).getString() == "user_send_text");
    CHECK(q.getColumn(1).getString() == "u1");
    CHECK(q.getColumn(2).getInt() == 0);
    CHECK(q.getColumn(3).getInt64() == 1000);
    CHECK(q.getColumn(4).getInt() == 0);
}

TEST_CASE("the writer thread commits concurrent submissions in groups and completes every one", "[server]") {
    test::temp_dir dir;
    auto path = dir.file("events.db");
    storage::open_database(path).reset();
    std::atomic<int> commits{0};
    storage::event_log log(path, [&] { ++commits; });
    log.start();
    constexpr int threads = 4, per_thread = 60;
    std::atomic<int> stored{0}, dup{0}, err{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t)
        ts.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                // Every key is submitted twice: once here and once by the next thread.
                for (int k : {t, (t + 1) % threads}) {
                    std::promise<storage::store_result> p;
                    auto f = p.get_future();
                    log.submit(record("k" + std::to_string(k) + "-" + std::to_string(i)),
                               [&p](storage::store_result r, std::int64_t) { p.set_value(r); });
                    auto r = f.get();
                    (r == storage::store_result::stored ? stored : r == storage::store_result::duplicate ? dup : err)++;
                }
            }
        });
    for (auto& t : ts) t.join();
    log.stop();
    CHECK(err == 0);
    CHECK(stored == threads * per_thread);
    CHECK(dup == threads * per_thread);
    CHECK(commits > 0);
    // Fewer transactions than records: waiting submitters were grouped.
    CHECK(log.batches() <= log.records());
    auto db = storage::open_database(path);
    CHECK(count(*db) == threads * per_thread);
}

TEST_CASE("what was acknowledged is still there after a restart", "[server]") {
    test::temp_dir dir;
    auto path = dir.file("restart.db");
    storage::open_database(path).reset();
    {
        storage::event_log log(path);
        log.start();
        std::promise<storage::store_result> p;
        log.submit(record("kept"), [&](storage::store_result r, std::int64_t) { p.set_value(r); });
        CHECK(p.get_future().get() == storage::store_result::stored);
        log.stop();
    }
    storage::event_log log(path);
    log.start();
    std::promise<storage::store_result> p;
    log.submit(record("kept"), [&](storage::store_result r, std::int64_t) { p.set_value(r); });
    CHECK(p.get_future().get() == storage::store_result::duplicate);
    log.stop();
    auto db = storage::open_database(path);
    CHECK(count(*db, "dedup_key = 'kept'") == 1);
}

TEST_CASE("stop flushes what is queued and later submissions fail instead of hanging", "[server]") {
    test::temp_dir dir;
    auto path = dir.file("stop.db");
    storage::open_database(path).reset();
    storage::event_log log(path);
    log.start();
    std::atomic<int> ok{0};
    for (int i = 0; i < 500; ++i)
        log.submit(record("s" + std::to_string(i)), [&](storage::store_result r, std::int64_t) { ok += r == storage::store_result::stored; });
    log.stop();
    CHECK(ok == 500);
    CHECK(log.batches() < 500);  // submitted faster than fsync: grouped
    storage::store_result late = storage::store_result::stored;
    log.submit(record("late"), [&](storage::store_result r, std::int64_t) { late = r; });
    CHECK(late == storage::store_result::error);
}

TEST_CASE("pruning removes only processed events older than the cutoff", "[server]") {
    auto db = test::memory_db();
    (void)storage::store_batch(*db, {record("old-done", 1000), record("old-new", 1000), record("young-done", 9000)});
    db->exec("UPDATE events SET state = 1 WHERE dedup_key IN ('old-done', 'young-done')");
    CHECK(storage::prune_events(*db, 5000) == 1);
    CHECK(count(*db, "dedup_key = 'old-done'") == 0);
    CHECK(count(*db, "dedup_key = 'old-new'") == 1);  // not processed yet: never pruned
    CHECK(count(*db, "dedup_key = 'young-done'") == 1);
}

TEST_CASE("pruning keeps the newest event, so a later event never reuses its seq", "[server]") {
    auto db = test::memory_db();
    std::vector<std::int64_t> seqs;
    (void)storage::store_batch(*db, {record("a", 1000), record("b", 1000)}, &seqs);
    const std::int64_t newest = seqs.at(1);
    db->exec("UPDATE events SET state = 1");
    CHECK(storage::prune_events(*db, 5000) == 1);  // a quiet spell: everything is old and processed
    (void)storage::store_batch(*db, {record("c", 9000)}, &seqs);
    CHECK(seqs.at(0) > newest);  // the dispatcher, which processed up to `newest`, still sees it
}

TEST_CASE("fresh events of a lane come back oldest first and leave once marked", "[server]") {
    auto db = test::memory_db();
    auto receipt = record("r1");
    receipt.event_name = "user_seen_message";
    receipt.lane = storage::event_lane::bulk;
    std::vector<std::int64_t> seqs;
    (void)storage::store_batch(*db, {record("p1"), receipt, record("p2"), record("p1")}, &seqs);
    CHECK(seqs.at(3) == 0);  // the duplicate has no row of its own
    auto people = storage::pending_events(*db, storage::event_lane::people, 0, 10);
    REQUIRE(people.size() == 2);
    CHECK(people[0].seq == seqs[0]);
    CHECK(people[1].seq == seqs[2]);
    CHECK(storage::pending_events(*db, storage::event_lane::people, seqs[0], 10).size() == 1);
    CHECK(storage::pending_events(*db, storage::event_lane::bulk, 0, 10).size() == 1);
    storage::mark_event(*db, seqs[0], storage::event_state::processed, 5);
    storage::mark_event(*db, seqs[2], storage::event_state::failed, 6, "handler threw");
    CHECK(storage::pending_events(*db, storage::event_lane::people, 0, 10).empty());
    CHECK(storage::count_events(*db, storage::event_state::processed) == 1);
    CHECK(storage::count_events(*db, storage::event_state::failed) == 1);
    CHECK(count(*db, "error = 'handler threw' AND processed_at = 6") == 1);
}

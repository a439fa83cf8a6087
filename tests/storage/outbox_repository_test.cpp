#include "storage/outbox_repository.hpp"

#include "storage/outbox_watch.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>

namespace {
std::int64_t add(SQLite::Database& db, const std::string& recipient, int priority, std::int64_t now = 1000) {
    storage::outbox_item it;
    it.recipient = recipient;
    it.channel = "cs";
    it.priority = priority;
    it.body_json = "{}";
    return storage::enqueue(db, {it}, now).at(0);
}
}  // namespace

TEST_CASE("ready messages come lowest priority first and one at a time per recipient", "[zalo]") {
    auto db = test::memory_db();
    auto b1 = add(*db, "a", 2);
    auto r1 = add(*db, "b", 0);
    auto a2 = add(*db, "a", 0);  // waits behind a's broadcast: per-recipient order wins
    auto rem = add(*db, "c", 1);
    auto rows = storage::ready_messages(*db, 1000, 10);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].id == r1);
    CHECK(rows[1].id == rem);
    CHECK(rows[2].id == b1);
    REQUIRE(storage::mark_sending(*db, b1, 1000));
    storage::mark_retry(*db, b1, 5000, 503, "HTTP 503");
    // a's second message still waits for the first (now pending again, due later).
    for (const auto& r : storage::ready_messages(*db, 2000, 10)) CHECK(r.id != a2);
    CHECK(storage::next_due_at(*db) == 1000);
    REQUIRE(storage::mark_sending(*db, b1, 5000));
    storage::mark_sent(*db, b1, "m1", 5000);
    bool found = false;
    for (const auto& r : storage::ready_messages(*db, 5000, 10)) found |= r.id == a2;
    CHECK(found);
}

TEST_CASE("tracking ids are stable and crash recovery resends at most once", "[zalo]") {
    auto db = test::memory_db();
    auto id = add(*db, "x", 0);
    auto tracking = storage::get_outbox(*db, id)->tracking_id;
    CHECK_FALSE(tracking.empty());
    REQUIRE(storage::mark_sending(*db, id, 1000));
    auto rep = storage::resume_interrupted(*db, 2000);
    CHECK(rep.resend == 1);
    auto row = storage::get_outbox(*db, id).value();
    CHECK(row.state == storage::outbox_state::pending);
    CHECK(row.tracking_id == tracking);
    REQUIRE(storage::mark_sending(*db, id, 2000));
    rep = storage::resume_interrupted(*db, 3000);
    CHECK(rep.failed == 1);
    row = storage::get_outbox(*db, id).value();
    CHECK(row.state == storage::outbox_state::failed);
    CHECK_FALSE(row.error_reason.empty());
    CHECK(storage::outbox_depth(*db) == 0);
}

TEST_CASE("broadcast messages can be cancelled until they are sent", "[zalo]") {
    auto db = test::memory_db();
    storage::outbox_item it;
    it.recipient = "u";
    it.channel = "cs";
    it.priority = 2;
    it.body_json = "{}";
    it.broadcast_id = 7;
    auto ids = storage::enqueue(*db, {it, it, it}, 1000);
    REQUIRE(storage::mark_sending(*db, ids[0], 1000));
    storage::mark_sent(*db, ids[0], "m", 1000);
    CHECK(storage::cancel_broadcast_messages(*db, 7, 2000) == 2);
    CHECK(storage::get_outbox(*db, ids[0])->state == storage::outbox_state::sent);
    CHECK(storage::get_outbox(*db, ids[2])->state == storage::outbox_state::cancelled);
}


TEST_CASE("the outbox watch reports a commit that queued messages once, and never a rolled back one", "[zalo]") {
    auto db = test::memory_db();
    storage::outbox_watch watch(*db);
    CHECK_FALSE(watch.take());
    add(*db, "a", 0);  // its own transaction
    CHECK(watch.take());
    CHECK_FALSE(watch.take());  // once per commit

    db->exec("BEGIN IMMEDIATE");
    add(*db, "b", 0);
    CHECK_FALSE(watch.take());  // not committed yet: the sender must not look now
    db->exec("ROLLBACK");
    CHECK_FALSE(watch.take());

    db->exec("BEGIN IMMEDIATE");
    db->exec("UPDATE outbox SET attempts = 1");  // no new message
    db->exec("COMMIT");
    CHECK_FALSE(watch.take());

    db->exec("BEGIN IMMEDIATE");
    add(*db, "c", 0);
    add(*db, "d", 0);
    db->exec("COMMIT");
    CHECK(watch.take());
}

TEST_CASE("queued rows get consecutive ids and their own tracking ids, also after deletions", "[zalo]") {
    auto db = test::memory_db();
    auto a = add(*db, "a", 0);
    auto b = add(*db, "b", 0);
    CHECK(b == a + 1);
    db->exec("DELETE FROM outbox WHERE id = " + std::to_string(b));
    auto c = add(*db, "c", 0);
    CHECK(c == b);  // the highest id was free again
    CHECK(storage::get_outbox(*db, c)->tracking_id == "cb" + std::to_string(c));
    CHECK(storage::last_outbox_id(*db) == c);
}

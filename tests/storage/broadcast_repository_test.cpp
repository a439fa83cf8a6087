// Broadcast storage: follower selection, quota reading, per-period totals for the report.
#include "storage/broadcast_repository.hpp"

#include "storage/outbox_repository.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

namespace {

void exec(SQLite::Database& db, const std::string& sql) { db.exec(sql); }

std::int64_t new_broadcast(SQLite::Database& db, const std::string& day) {
    storage::broadcast_row b;
    b.created_by = "test";
    b.text = "x";
    b.target_json = R"({"units":[],"villages":[]})";
    b.scheduled_at = 1;
    b.local_day = day;
    b.created_at = 1;
    return storage::insert_broadcast(db, b);
}

void queue(SQLite::Database& db, std::int64_t broadcast_id, const std::vector<std::string>& users) {
    storage::insert_recipients(db, broadcast_id, users, 10);
    for (const auto& u : users) {
        storage::outbox_item it;
        it.recipient = u;
        it.channel = "promotion";
        it.priority = 2;
        it.body_json = "{}";
        it.purpose = "broadcast";
        it.broadcast_id = broadcast_id;
        auto ids = storage::enqueue(db, {it}, 10);
        storage::mark_recipient_queued(db, broadcast_id, u, ids.at(0));
    }
}

}  // namespace

TEST_CASE("followers are selected by unit or a village of a unit, never unfollowed or opted out", "[broadcasts]") {
    auto db = test::memory_db();
    exec(*db, "INSERT INTO users (user_id, is_follower, unit_id, village, broadcast_opt_out, created_at) VALUES"
              " ('a', 1, 'u1', 'v1', 0, 0), ('b', 1, 'u1', 'v2', 0, 0), ('c', 1, 'u2', 'v3', 0, 0),"
              " ('d', 0, 'u1', 'v1', 0, 0), ('e', 1, 'u1', 'v1', 1, 0), ('f', 1, NULL, NULL, 0, 0)");
    auto ids = [](const std::vector<storage::broadcast_follower>& fs) {
        std::vector<std::string> out;
        for (const auto& f : fs) out.push_back(f.user_id);
        return out;
    };
    CHECK(ids(storage::select_followers(*db, {})) == std::vector<std::string>{"a", "b", "c", "f"});
    CHECK(ids(storage::select_followers(*db, {{"u1", ""}})) == std::vector<std::string>{"a", "b"});
    CHECK(ids(storage::select_followers(*db, {{"u2", "v3"}, {"u1", "v2"}})) == std::vector<std::string>{"b", "c"});
    // A village is a village of its unit: v1 of u2 is nobody, whoever lives in u1's v1.
    CHECK(ids(storage::select_followers(*db, {{"u2", "v1"}})).empty());
    CHECK(ids(storage::select_followers(*db, {{"u2", ""}, {"u1", "v1"}})) == std::vector<std::string>{"a", "c"});
}

TEST_CASE("the reported daily quota is read from meta when it is a number", "[broadcasts]") {
    auto db = test::memory_db();
    CHECK_FALSE(storage::reported_daily_quota(*db));
    exec(*db, "INSERT INTO meta (key, value) VALUES ('broadcast_daily_quota', '2500')");
    CHECK(storage::reported_daily_quota(*db) == 2500);
    exec(*db, "UPDATE meta SET value = 'unknown' WHERE key = 'broadcast_daily_quota'");
    CHECK_FALSE(storage::reported_daily_quota(*db));
}

TEST_CASE("broadcast totals for a period count broadcasts, recipients, received, seen and failed", "[broadcasts]") {
    auto db = test::memory_db();
    auto a = new_broadcast(*db, "2026-11-10");
    auto b = new_broadcast(*db, "2026-11-20");
    auto outside = new_broadcast(*db, "2026-12-01");
    new_broadcast(*db, "2026-11-15");  // never started: not counted
    queue(*db, a, {"u1", "u2", "u3"});
    queue(*db, b, {"u1", "u4"});
    queue(*db, outside, {"u9"});
    exec(*db, "UPDATE outbox SET state = 'sent', delivered_at = 5 WHERE recipient IN ('u1', 'u2')");
    exec(*db, "UPDATE outbox SET seen_at = 6 WHERE recipient = 'u1'");
    exec(*db, "UPDATE outbox SET state = 'failed' WHERE recipient = 'u3'");
    exec(*db, "UPDATE outbox SET state = 'cancelled' WHERE recipient = 'u4'");

    auto t = storage::broadcast_totals(*db, "2026-11-01", "2026-11-30");
    CHECK(t.count == 2);
    CHECK(t.recipients == 4);  // u4's message was cancelled before sending
    CHECK(t.received == 3);    // u1 twice, u2
    CHECK(t.seen == 2);
    CHECK(t.failed == 1);
    exec(*db, "INSERT INTO users (user_id, is_follower, unit_id, created_at) VALUES ('u1', 1, 'x1', 0), ('u3', 1, 'x2', 0)");
    auto x1 = storage::broadcast_totals(*db, "2026-11-01", "2026-11-30", {"x1"});
    CHECK(x1.count == 2);
    CHECK(x1.recipients == 2);
    CHECK(x1.received == 2);
    CHECK(x1.seen == 2);
    CHECK(x1.failed == 0);
    auto x2 = storage::broadcast_totals(*db, "2026-11-01", "2026-11-30", {"x2"});
    CHECK(x2.count == 1);
    CHECK(x2.failed == 1);
    auto none = storage::broadcast_totals(*db, "2025-01-01", "2025-01-31");
    CHECK(none.count == 0);
    CHECK(none.recipients == 0);
}

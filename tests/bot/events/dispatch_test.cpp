#include "bot/events/dispatch.hpp"

#include "storage/event_log.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

#include <map>
#include <stdexcept>

namespace {

/// One stored event: its record (as the webhook makes it) and the same event parsed.
struct stored {
    storage::event_record rec;
    zalo::event ev;
};

stored make(const std::string& key, const std::string& name, std::int64_t at = 1000) {
    stored s;
    const std::string body = R"({"event_name":")" + name + R"(","sender":{"id":"u1"},"message":{"msg_id":")" + key +
                             R"(","text":"xin chào"},"timestamp":"1000"})";
    s.ev = zalo::parse_event(body, false).value();
    s.rec.dedup_key = key;
    s.rec.event_name = name;
    s.rec.received_at = at;
    s.rec.zalo_ts = at;
    s.rec.body = body;
    s.rec.lane = zalo::is_bulk(s.ev.type) ? storage::event_lane::bulk : storage::event_lane::people;
    return s;
}

/// Stores the events and hands each to the dispatcher's memory as the event log does after its commit.
std::vector<std::int64_t> store(SQLite::Database& db, bot::dispatcher* memory, const std::vector<stored>& events) {
    std::vector<storage::event_record> recs;
    for (const auto& e : events) recs.push_back(e.rec);
    std::vector<std::int64_t> seqs;
    (void)storage::store_batch(db, recs, &seqs);
    if (memory)
        for (std::size_t i = 0; i < events.size(); ++i)
            memory->accept(bot::stored_event{seqs[i], events[i].rec.received_at, events[i].ev, {}}, events[i].rec.lane);
    return seqs;
}

std::vector<stored> many(const std::string& prefix, const std::string& name, int n, std::int64_t at = 1000) {
    std::vector<stored> v;
    for (int i = 0; i < n; ++i) v.push_back(make(prefix + std::to_string(i), name, at));
    return v;
}

std::int64_t state_of(SQLite::Database& db, std::int64_t seq) {
    SQLite::Statement q(db, "SELECT state FROM events WHERE seq = ?");
    q.bind(1, seq);
    REQUIRE(q.executeStep());
    return q.getColumn(0).getInt64();
}

std::int64_t fresh(SQLite::Database& db) { return storage::pending_events(db, storage::event_lane::people, 0, 1000000).size() +
                                                   storage::pending_events(db, storage::event_lane::bulk, 0, 1000000).size(); }

}  // namespace

TEST_CASE("a citizen's message goes before the receipts that arrived ahead of it", "[server]") {
    auto db = test::memory_db();
    std::vector<std::string> order;
    bot::dispatcher disp([&](const bot::stored_event& se, SQLite::Database&) { order.push_back(se.ev.name); }, nullptr,
                         [] { return std::int64_t{1100}; });
    (void)store(*db, &disp, many("seen-", "user_seen_message", 500));
    (void)store(*db, &disp, {make("hello", "user_send_text")});
    (void)disp.drain_group(*db);
    REQUIRE_FALSE(order.empty());
    CHECK(order.front() == "user_send_text");
    (void)disp.drain(*db);
    CHECK(order.size() == 501);
    CHECK(fresh(*db) == 0);
}

TEST_CASE("receipts that waited too long get their share while people's messages keep coming", "[server]") {
    auto db = test::memory_db();
    bot::dispatcher::options opts;
    opts.max_group = 40;  // a group cannot finish the people's queue
    std::map<std::string, int> done;
    bot::dispatcher disp([&](const bot::stored_event& se, SQLite::Database&) { ++done[se.ev.name]; }, opts, nullptr,
                         [] { return std::int64_t{1000 + 5000}; });  // the receipts are 5 s old
    (void)store(*db, &disp, many("seen-", "user_seen_message", 10));
    (void)store(*db, &disp, many("text-", "user_send_text", 200));
    (void)disp.drain_group(*db);
    CHECK(done["user_seen_message"] == 10);
    CHECK(done["user_send_text"] < 200);
}

TEST_CASE("a handler that throws fails its own event; the rest of the group is processed", "[server]") {
    auto db = test::memory_db();
    auto process = [](const bot::stored_event& se, SQLite::Database& wdb) {
        wdb.exec("CREATE TABLE IF NOT EXISTS seen_by_test (k TEXT)");
        SQLite::Statement ins(wdb, "INSERT INTO seen_by_test VALUES (?)");
        ins.bind(1, se.ev.msg_id);
        ins.exec();
        if (se.ev.msg_id == "text-2" || se.ev.msg_id == "seen-3") throw std::runtime_error("handler broke");
    };
    bot::dispatcher disp(process, nullptr, [] { return std::int64_t{1100}; });
    auto texts = store(*db, &disp, many("text-", "user_send_text", 5));
    auto seens = store(*db, &disp, many("seen-", "user_seen_message", 5));
    CHECK(disp.drain(*db) == 10);
    for (int i = 0; i < 5; ++i) {
        CHECK(state_of(*db, texts[i]) == (i == 2 ? 2 : 1));
        CHECK(state_of(*db, seens[i]) == (i == 3 ? 2 : 1));
    }
    // The failed events' writes were rolled back; the others' kept, each once.
    SQLite::Statement q(*db, "SELECT COUNT(*), COUNT(DISTINCT k) FROM seen_by_test");
    REQUIRE(q.executeStep());
    CHECK(q.getColumn(0).getInt() == 8);
    CHECK(q.getColumn(1).getInt() == 8);
}

TEST_CASE("events beyond what memory holds are read back from the table, each processed once and in order", "[server]") {
    auto db = test::memory_db();
    bot::dispatcher::options opts;
    opts.memory_events = 7;
    std::vector<std::int64_t> seen;
    bot::dispatcher disp([&](const bot::stored_event& se, SQLite::Database&) { seen.push_back(se.seq); }, opts, nullptr,
                         [] { return std::int64_t{1100}; });
    auto first = store(*db, &disp, many("a-", "user_send_text", 50));
    CHECK(disp.drain(*db) == 50);
    // Memory takes over again once the table is read to its end.
    auto second = store(*db, &disp, many("b-", "user_send_text", 5));
    CHECK(disp.drain(*db) == 5);
    REQUIRE(seen.size() == 55);
    for (std::size_t i = 0; i < 50; ++i) CHECK(seen[i] == first[i]);
    for (std::size_t i = 0; i < 5; ++i) CHECK(seen[50 + i] == second[i]);
    CHECK(fresh(*db) == 0);
}

TEST_CASE("after a restart the events stored but not processed are read back from the table", "[server]") {
    auto db = test::memory_db();
    auto seqs = store(*db, nullptr, many("left-", "user_send_text", 3));
    std::vector<std::string> got;
    bot::dispatcher disp([&](const bot::stored_event& se, SQLite::Database&) { got.push_back(se.ev.msg_id); }, nullptr,
                         [] { return std::int64_t{1100}; });
    CHECK(disp.drain(*db) == 3);
    CHECK(got == std::vector<std::string>{"left-0", "left-1", "left-2"});
    for (auto s : seqs) CHECK(state_of(*db, s) == 1);
}

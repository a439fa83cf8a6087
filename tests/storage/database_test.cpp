#include "storage/database.hpp"

#include "storage/event_log.hpp"
#include "storage/handoff_repository.hpp"
#include "storage/interaction_repository.hpp"
#include "storage/migrations.hpp"
#include "storage/statement_cache.hpp"
#include "storage/user_repository.hpp"
#include "storage/wal_checkpointer.hpp"
#include "storage/write_gate.hpp"
#include "storage/write_scope.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

TEST_CASE("migrations bring a new database to the latest version once", "[storage]") {
    auto db = test::memory_db();
    CHECK(storage::schema_version(*db) == storage::latest_schema_version());
    CHECK(storage::migrate(*db) == storage::latest_schema_version());
    CHECK(db->tableExists("events"));
    CHECK(db->tableExists("outbox"));
    CHECK(db->tableExists("dossier_rows"));
    CHECK(db->execAndGet("SELECT COUNT(*) FROM dossiers").getInt() == 0);  // the view readers use
}

TEST_CASE("dossiers stored before the visibility ceiling stay visible after it", "[storage]") {
    SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    std::vector<storage::migration> before;
    for (const auto& m : storage::all_migrations())
        if (m.version <= 50) before.push_back(m);
    storage::migrate(db, before);
    db.exec("INSERT INTO dossiers (code, procedure, level, unit_id, channel, received_on, due_on, imported_at) VALUES "
            "('A-1', 'Khai sinh', 'xa', 'tan_soi', 'truc_tuyen', '2025-12-01', '2025-12-03', 0), "
            "('A-2', 'Khai tử', 'xa', 'tan_soi', 'truc_tiep', '2025-12-01', '2025-12-02', 0)");
    CHECK(storage::migrate(db) == storage::latest_schema_version());
    CHECK(db.execAndGet("SELECT COUNT(*) FROM dossiers").getInt() == 2);
    CHECK(db.execAndGet("SELECT batch IS NULL FROM dossier_visibility").getInt() == 1);
}

TEST_CASE("webhook events stored before keys began with their time get the prefix, so their retries stay duplicates",
          "[storage]") {
    SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    std::vector<storage::migration> before;
    for (const auto& m : storage::all_migrations())
        if (m.version < 92) before.push_back(m);
    storage::migrate(db, before);
    db.exec(
        "INSERT INTO events (dedup_key, event_name, zns, zalo_ts, received_at, body, lane) VALUES "
        "('user_send_text:96d3', 'user_send_text', 0, 1764230400000, 1764230400100, '{}', 0), "
        "('sha256:ab12', 'follow', 0, 1764230400001, 1764230400100, '{}', 1)");
    CHECK(storage::migrate(db) == storage::latest_schema_version());
    CHECK(db.execAndGet("SELECT COUNT(*) FROM events WHERE dedup_key IN "
                        "('1764230400000:user_send_text:96d3', '1764230400001:sha256:ab12')")
              .getInt() == 2);
    // Zalo's retry of the first, keyed as zalo::dedup_key keys it now, is not stored again.
    storage::event_record retry{"1764230400000:user_send_text:96d3",
                                "user_send_text",
                                "u1",
                                false,
                                1764230400000,
                                1764230500000,
                                "{}",
                                storage::event_lane::people,
                                ""};
    CHECK(storage::store_batch(db, {retry}) == std::vector<storage::store_result>{storage::store_result::duplicate});
}

TEST_CASE("a migration that lands after a higher version is still applied, and none twice", "[storage]") {
    SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    const std::vector<storage::migration> first = {{1, "CREATE TABLE a(x)"}, {30, "CREATE TABLE c(x)"}};
    CHECK(storage::migrate(db, first) == 30);
    // Version 20 lands later (another area's block), listed out of order.
    const std::vector<storage::migration> later = {{30, "CREATE TABLE c(x)"}, {1, "CREATE TABLE a(x)"}, {20, "CREATE TABLE b(x)"}};
    CHECK(storage::migrate(db, later) == 30);
    CHECK(db.tableExists("b"));
    CHECK(storage::migrate(db, later) == 30);  // nothing applied twice (CREATE TABLE would throw)
}

TEST_CASE("a database from before per-version tracking keeps its applied versions", "[storage]") {
    SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE a(x); PRAGMA user_version = 1");
    const std::vector<storage::migration> list = {{1, "CREATE TABLE a(x)"}, {2, "CREATE TABLE b(x)"}};
    CHECK(storage::migrate(db, list) == 2);
    CHECK(db.tableExists("b"));
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

namespace {

unsigned mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

// Runs with the usual umask 022 (under which files are created 0644), restoring the old one.
struct usual_umask {
    mode_t old = ::umask(022);
    ~usual_umask() { ::umask(old); }
};

}  // namespace

TEST_CASE("the database, its -wal and -shm files and its backups are created 0600 whatever the umask", "[storage][trust]") {
    usual_umask um;
    test::temp_dir dir;
    const auto path = dir.file("data/bot.db");
    auto db = storage::open_database(path);
    db->exec("INSERT INTO meta (key, value) VALUES ('k', 'v')");
    CHECK(mode_of(path) == 0600);
    CHECK(mode_of(path + "-wal") == 0600);
    CHECK(mode_of(path + "-shm") == 0600);
    CHECK(mode_of(dir.file("data")) == 0700);  // a folder it creates is private too
    storage::backup(*db, dir.file("backups/2026-11-30.db"));
    CHECK(mode_of(dir.file("backups/2026-11-30.db")) == 0600);
}

TEST_CASE("an existing database or backup readable by others is brought back to 0600", "[storage][trust]") {
    usual_umask um;
    test::temp_dir dir;
    const auto path = dir.file("old.db");
    { SQLite::Database made(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE); }
    ::chmod(path.c_str(), 0644);
    test::write_file(dir.file("copy.db"), "");
    ::chmod(dir.file("copy.db").c_str(), 0644);
    auto db = storage::open_database(path);
    CHECK(mode_of(path) == 0600);
    storage::backup(*db, dir.file("copy.db"));
    CHECK(mode_of(dir.file("copy.db")) == 0600);
}

TEST_CASE("opening one more connection keeps the process's locks: another process closing the database leaves the WAL in use",
          "[storage]") {
    test::temp_dir dir;
    const auto path = dir.file("shared.db");
    auto server = storage::open_database(path);
    server->exec("INSERT INTO meta (key, value) VALUES ('before', '1')");
    auto another = storage::open_database(path);  // the server starts one more worker

    // Another process (`cchcbot console link`, `chat`) opens and closes the same database: the
    // sqlite3 shell, a process of its own (a fork would inherit SQLite's view of the locks).
    const std::string cmd = "sqlite3 '" + path + "' 'SELECT COUNT(*) FROM meta;' >/dev/null 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);

    // The server's WAL is still the database's: what it commits now, others read.
    server->exec("INSERT INTO meta (key, value) VALUES ('after', '2')");
    CHECK(::access((path + "-wal").c_str(), F_OK) == 0);
    SQLite::Database reader(path, SQLite::OPEN_READONLY);
    SQLite::Statement q(reader, "SELECT value FROM meta WHERE key = 'after'");
    REQUIRE(q.executeStep());
    CHECK(q.getColumn(0).getString() == "2");
}

namespace {
int prepared_statements(SQLite::Database& db) {
    int n = 0;
    for (sqlite3_stmt* s = sqlite3_next_stmt(db.getHandle(), nullptr); s; s = sqlite3_next_stmt(db.getHandle(), s)) ++n;
    return n;
}
std::int64_t rows_of(SQLite::Database& db) { return db.execAndGet("SELECT COUNT(*) FROM t").getInt64(); }
}  // namespace

TEST_CASE("nested write scopes roll back only their own writes at any depth", "[storage]") {
    SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE t(x)");
    {
        storage::write_scope outer(db);
        db.exec("INSERT INTO t VALUES (1)");
        {
            storage::write_scope middle(db);
            db.exec("INSERT INTO t VALUES (2)");
            {
                storage::write_scope inner(db);
                db.exec("INSERT INTO t VALUES (3)");
            }  // not committed: only 3 goes
            CHECK(rows_of(db) == 2);
            middle.commit();
        }
        {
            storage::write_scope failed(db);
            db.exec("INSERT INTO t VALUES (4)");
            {
                storage::write_scope kept_inside(db);
                db.exec("INSERT INTO t VALUES (5)");
                kept_inside.commit();
            }
        }  // rolls back 4 and the committed-inside 5
        CHECK(rows_of(db) == 2);
        outer.commit();
    }
    CHECK(rows_of(db) == 2);
    CHECK(sqlite3_get_autocommit(db.getHandle()) != 0);
    {
        storage::write_scope dropped(db);
        db.exec("INSERT INTO t VALUES (6)");
    }
    CHECK(rows_of(db) == 2);
    CHECK(sqlite3_get_autocommit(db.getHandle()) != 0);
}

TEST_CASE("an event's writes reuse the connection's prepared statements instead of compiling SQL each time",
          "[storage]") {
    auto db = test::memory_db();
    storage::statement_cache cache(*db);
    auto one_event = [&](int i) {
        storage::write_scope tx(*db);
        storage::write_scope handler(*db);
        const std::string user = "u" + std::to_string(i % 3);
        storage::touch_user(*db, user, 1000 + i, "");
        storage::set_fallback_streak(*db, user, 1);
        (void)storage::find_user(*db, user);
        storage::interaction it;
        it.at = 1000 + i;
        it.local_day = "2026-12-01";
        it.user_id = user;
        it.direction = "in";
        it.kind = "text";
        it.text = "hỏi số " + std::to_string(i);
        storage::log_interaction(*db, it);
        handler.commit();
        tx.commit();
    };
    one_event(0);
    const int after_one = prepared_statements(*db);
    CHECK(after_one > 0);
    for (int i = 1; i < 50; ++i) one_event(i);
    CHECK(prepared_statements(*db) == after_one);  // none compiled again, none left behind
    CHECK(db->execAndGet("SELECT COUNT(*) FROM interactions").getInt64() == 50);
}

TEST_CASE("only inbound interactions go into an index, and the reports still read them from it alone", "[storage]") {
    auto db = test::memory_db();
    std::vector<std::string> names;
    std::string sql;
    SQLite::Statement q(*db, "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'interactions'"
                             " AND sql IS NOT NULL");
    while (q.executeStep()) {
        names.push_back(q.getColumn(0).getString());
        sql = q.getColumn(1).getString();
    }
    REQUIRE(names == std::vector<std::string>{"interactions_report"});
    CHECK(sql.find("WHERE direction = 'in'") != std::string::npos);
    // A day's questions in the order they came, so each new one goes at the index's right edge
    // (storage migration 93), not onto a page of its kind, outcome and topic.
    CHECK(sql.find("(direction, local_day, id, ") != std::string::npos);
    // The shape of the reports' reads (storage/report_queries.cpp, console_queries.cpp).
    std::string plan;
    SQLite::Statement p(*db, "EXPLAIN QUERY PLAN SELECT user_id, kind, outcome, topic, latency_ms, oa"
                             " FROM interactions INDEXED BY interactions_report"
                             " WHERE direction = 'in' AND local_day BETWEEN '2026-01-01' AND '2026-06-30'");
    while (p.executeStep()) plan += p.getColumn(3).getString() + "\n";
    CHECK(plan.find("USING COVERING INDEX interactions_report") != std::string::npos);
}

TEST_CASE("a citizen's last unanswered question is found by an index, not by reading every one", "[storage]") {
    auto db = test::memory_db();
    for (int i = 0; i < 50; ++i)
        storage::record_unanswered(*db, 1000 + i, "2026-12-02", "u" + std::to_string(i % 5), "câu hỏi " + std::to_string(i),
                                   "cau hoi " + std::to_string(i));
    CHECK(storage::last_unanswered(*db, "u3", 0) == std::string("câu hỏi 48"));
    CHECK(storage::last_unanswered(*db, "u3", 1049) == std::nullopt);
    CHECK(storage::last_unanswered(*db, "nobody", 0) == std::nullopt);
    std::string plan;
    SQLite::Statement p(*db, "EXPLAIN QUERY PLAN SELECT text FROM unanswered WHERE user_id = 'u3' AND at >= 0"
                             " ORDER BY at DESC, id DESC LIMIT 1");
    while (p.executeStep()) plan += p.getColumn(3).getString() + "\n";
    INFO(plan);
    CHECK(plan.find("USING INDEX unanswered_user") != std::string::npos);
    CHECK(plan.find("TEMP B-TREE") == std::string::npos);
}

TEST_CASE("a log written without pause is brought back to its beginning by turns at the write gate", "[storage]") {
    // A writer that commits all the time never lets a checkpoint copy the whole log by itself, so
    // without the checkpointer's turn at the gate the log would grow for as long as it writes.
    test::temp_dir dir;
    const std::string path = dir.file("bot.db");
    auto writer = storage::open_database(path, false);
    storage::disable_auto_checkpoint(*writer);
    writer->exec("PRAGMA synchronous=OFF");  // many commits quickly; the disk is not what is tested
    writer->exec("CREATE TABLE t(x)");
    // Each time the log starts again from its beginning, SQLite counts it in the log's header
    // (the checkpoint sequence number, bytes 12-15, big-endian).
    auto restarts = [&] {
        std::ifstream in(path + "-wal", std::ios::binary);
        unsigned char h[16] = {};
        in.read(reinterpret_cast<char*>(h), sizeof h);
        return (std::uint32_t{h[12]} << 24) | (std::uint32_t{h[13]} << 16) | (std::uint32_t{h[14]} << 8) | h[15];
    };
    const auto restarts_before = restarts();
    storage::write_gate gate;
    int commits = 0;
    {
        storage::wal_checkpointer cp(path, std::chrono::milliseconds(2), &gate, 256);
        cp.start();
        // At least 3,000 commits (about 3 pages each); more while the log has not restarted twice
        // (the sanitizers slow the checkpointer more than the writer), up to 20,000 commits or 60 s.
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (commits < 3000 ||
               (restarts() < restarts_before + 2 && commits < 20000 && std::chrono::steady_clock::now() < until)) {
            storage::gate_turn turn(&gate);
            storage::write_scope tx(*writer);
            writer->exec("INSERT INTO t VALUES (randomblob(3000))");
            tx.commit();
            ++commits;
        }
        INFO("checkpoints: " << cp.runs() << ", commits: " << commits);
        CHECK(cp.runs() >= 2);
    }
    INFO("the log started again " << restarts() - restarts_before << " times in " << commits << " commits");
    CHECK(restarts() >= restarts_before + 2);
    CHECK(writer->execAndGet("SELECT COUNT(*) FROM t").getInt64() == commits);
    CHECK(writer->execAndGet("PRAGMA integrity_check").getString() == "ok");
}

TEST_CASE("the checkpointer copies the writers' log into the database file beside them", "[storage]") {
    test::temp_dir dir;
    const std::string path = dir.file("bot.db");
    auto writer = storage::open_database(path, false);
    storage::disable_auto_checkpoint(*writer);
    writer->exec("CREATE TABLE t(x)");
    for (int i = 0; i < 20; ++i) {
        storage::write_scope tx(*writer);
        for (int k = 0; k < 200; ++k) writer->exec("INSERT INTO t VALUES (randomblob(100))");
        tx.commit();
    }
    const auto main_before = std::filesystem::file_size(path);
    CHECK(std::filesystem::file_size(path + "-wal") > 400000);  // the writer copied nothing itself
    {
        storage::wal_checkpointer cp(path, std::chrono::milliseconds(5));
        // Its connection found the database file's descriptor (through SQLite's unix VFS), so
        // what it copies goes to the disk a few pages at a time.
        CHECK(cp.paces_writes());
        cp.start();
        for (int i = 0; i < 400 && cp.runs() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        CHECK(cp.runs() >= 2);
        // The writer goes on meanwhile, and the next commit starts the log over.
        storage::write_scope tx(*writer);
        writer->exec("INSERT INTO t VALUES (1)");
        tx.commit();
    }  // stops with a last checkpoint
    CHECK(std::filesystem::file_size(path) > main_before + 400000);
    CHECK(writer->execAndGet("SELECT COUNT(*) FROM t").getInt64() == 4001);
}

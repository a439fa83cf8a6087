// Opening the database, applying migrations, online backup.
#include "storage/database.hpp"

#include "storage/migrations.hpp"

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <vector>

namespace storage {

namespace {

constexpr mode_t private_file = S_IRUSR | S_IWUSR;            // 0600
constexpr mode_t private_dir = S_IRUSR | S_IWUSR | S_IXUSR;   // 0700

bool on_disk(const std::string& path) { return path != ":memory:" && path.rfind("file:", 0) != 0 && !path.empty(); }

// A folder we create for the database is the service user's alone; an existing one is left as
// the operator set it up.
void create_parent(const std::string& path) {
    auto parent = std::filesystem::path(path).parent_path();
    if (parent.empty() || std::filesystem::exists(parent)) return;
    std::filesystem::create_directories(parent);
    ::chmod(parent.c_str(), private_dir);
}

// The database holds OAuth access and refresh tokens and citizens' messages: it is created 0600
// whatever the umask, and an existing file of ours is brought back to 0600. SQLite creates the
// -wal, -shm and -journal files with the main file's permissions, so they follow.
//
// An existing file is never opened here, only chmod'ed by name: closing any descriptor of a file
// drops every POSIX lock this process holds on it, SQLite's included. A server opening one more
// connection would then look, to another process (`cchcbot console link`, `chat`), like nobody
// had the database open, and that process would checkpoint and delete the WAL the server is
// still writing to: every later commit of the server lost.
void make_private(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, private_file);
        if (fd >= 0) {
            ::close(fd);  // a file nobody had open: no lock to lose
        } else if (errno != EEXIST) {
            throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
        }
    }
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        const std::string file = path + suffix;
        if (::stat(file.c_str(), &st) == 0 && (st.st_mode & 0777) != private_file && st.st_uid == ::geteuid())
            ::chmod(file.c_str(), private_file);
    }
}

}  // namespace

std::unique_ptr<SQLite::Database> open_database(const std::string& path, bool run_migrations) {
    if (on_disk(path)) {
        create_parent(path);
        make_private(path);
    }
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_URI);
    db->setBusyTimeout(5000);
    // WAL + FULL: a committed event survives a power cut, not only a crash (SPEC quality bars).
    db->exec("PRAGMA journal_mode=WAL");
    db->exec("PRAGMA synchronous=FULL");
    db->exec("PRAGMA foreign_keys=ON");
    db->exec("PRAGMA temp_store=MEMORY");
    if (run_migrations) migrate(*db);
    return db;
}

std::unique_ptr<SQLite::Database> open_reader(const std::string& path) {
    // Opened read-write but refusing writes: a truly read-only handle cannot create the WAL's
    // shared-memory file when it is the first to open the database.
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_URI);
    db->setBusyTimeout(5000);
    db->exec("PRAGMA journal_mode=WAL");
    db->exec("PRAGMA temp_store=MEMORY");
    db->exec("PRAGMA query_only=ON");
    return db;
}

int schema_version(SQLite::Database& db) {
    SQLite::Statement q(db, "PRAGMA user_version");
    q.executeStep();
    return q.getColumn(0).getInt();
}

int latest_schema_version() {
    int v = 0;
    for (const auto& m : all_migrations()) v = std::max(v, m.version);
    return v;
}

int migrate(SQLite::Database& db) { return migrate(db, all_migrations()); }

int migrate(SQLite::Database& db, const std::vector<migration>& list) {
    // Each applied version is recorded on its own, so a migration that lands after a higher one
    // (areas reserve version blocks and land in any order) is still applied. Databases made
    // before this table existed recorded only PRAGMA user_version, and then only versions 1–6
    // existed: those count as applied up to their user_version.
    constexpr int last_untracked_version = 6;
    const int before = schema_version(db);
    db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
    std::set<int> applied;
    {
        SQLite::Statement q(db, "SELECT version FROM schema_migrations");
        while (q.executeStep()) applied.insert(q.getColumn(0).getInt());
    }
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    SQLite::Statement record(db, "INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)");
    if (applied.empty() && before > 0) {
        for (const auto& m : list)
            if (m.version <= std::min(before, last_untracked_version)) {
                record.bind(1, m.version);
                record.bind(2, static_cast<std::int64_t>(now_ms));
                record.exec();
                record.reset();
                applied.insert(m.version);
            }
    }
    std::vector<const migration*> order;
    for (const auto& m : list) order.push_back(&m);
    std::sort(order.begin(), order.end(), [](const migration* a, const migration* b) { return a->version < b->version; });
    int current = before;
    for (const migration* m : order) {
        if (applied.count(m->version)) continue;
        SQLite::Transaction tx(db);
        if (m->sql) db.exec(m->sql);
        if (m->step) m->step(db);
        record.bind(1, m->version);
        record.bind(2, static_cast<std::int64_t>(now_ms));
        record.exec();
        record.reset();
        current = std::max(current, m->version);
        db.exec("PRAGMA user_version = " + std::to_string(current));
        tx.commit();
    }
    return current;
}

deferred_sync::deferred_sync(SQLite::Database& db) : db_(db) {
    // SQLite refuses to change the safety level inside a transaction.
    if (sqlite3_get_autocommit(db_.getHandle()) == 0) return;
    db_.exec("PRAGMA synchronous=NORMAL");
    active_ = true;
}

deferred_sync::~deferred_sync() {
    if (!active_) return;
    try {
        db_.exec("PRAGMA synchronous=FULL");
    } catch (...) {
        // Destructors never throw; the connection is unusable then anyway.
    }
}

void backup(SQLite::Database& db, const std::string& file) {
    // A backup holds what the database holds: 0600 too.
    create_parent(file);
    make_private(file);
    SQLite::Database dest(file, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    SQLite::Backup b(dest, db);
    b.executeStep();  // -1: copy every page in one step
}

}  // namespace storage

// Opening the database, applying migrations, online backup.
#include "storage/database.hpp"

#include "storage/migrations.hpp"

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <filesystem>

namespace storage {

std::unique_ptr<SQLite::Database> open_database(const std::string& path, bool run_migrations) {
    if (path != ":memory:" && path.rfind("file:", 0) != 0) {
        auto parent = std::filesystem::path(path).parent_path();
        if (!parent.empty()) std::filesystem::create_directories(parent);
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

int migrate(SQLite::Database& db) {
    int current = schema_version(db);
    for (const auto& m : all_migrations()) {
        if (m.version <= current) continue;
        SQLite::Transaction tx(db);
        if (m.sql) db.exec(m.sql);
        if (m.step) m.step(db);
        db.exec("PRAGMA user_version = " + std::to_string(m.version));
        tx.commit();
        current = m.version;
    }
    return current;
}

void backup(SQLite::Database& db, const std::string& file) {
    auto parent = std::filesystem::path(file).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    SQLite::Database dest(file, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    SQLite::Backup b(dest, db);
    b.executeStep();  // -1: copy every page in one step
}

}  // namespace storage

// Nestable write transactions.
#include "storage/write_scope.hpp"

#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

#include <atomic>

namespace storage {

write_scope::write_scope(SQLite::Database& db) : db_(db) {
    if (sqlite3_get_autocommit(db_.getHandle()) != 0) {
        db_.exec("BEGIN IMMEDIATE");
    } else {
        static std::atomic<unsigned long> counter{0};
        savepoint_ = "ws" + std::to_string(++counter);
        db_.exec("SAVEPOINT " + savepoint_);
    }
}

write_scope::~write_scope() {
    if (done_) return;
    try {
        if (savepoint_.empty()) {
            db_.exec("ROLLBACK");
        } else {
            // ROLLBACK TO keeps the savepoint on the stack; RELEASE removes it.
            db_.exec("ROLLBACK TO " + savepoint_);
            db_.exec("RELEASE " + savepoint_);
        }
    } catch (...) {
        // Destructors never throw; SQLite may already have rolled back (e.g. after SQLITE_FULL).
    }
}

void write_scope::commit() {
    db_.exec(savepoint_.empty() ? std::string("COMMIT") : "RELEASE " + savepoint_);
    done_ = true;
}

}  // namespace storage

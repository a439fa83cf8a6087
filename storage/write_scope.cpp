// Nestable write transactions.
#include "storage/write_scope.hpp"

#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

namespace storage {

namespace {
// Savepoints nest in LIFO order with one name: RELEASE and ROLLBACK TO act on the most recent
// savepoint of that name, which is this scope's. Fixed texts are prepared once per connection.

void run(SQLite::Database& db, const char* sql) {
    statement q(db, sql);
    q->exec();
}
}  // namespace

write_scope::write_scope(SQLite::Database& db) : db_(db) {
    if (sqlite3_get_autocommit(db_.getHandle()) != 0) {
        run(db_, "BEGIN IMMEDIATE");
    } else {
        nested_ = true;
        run(db_, "SAVEPOINT ws");
    }
}

write_scope::~write_scope() {
    if (done_) return;
    try {
        if (!nested_) {
            run(db_, "ROLLBACK");
        } else {
            // ROLLBACK TO keeps the savepoint on the stack; RELEASE removes it.
            run(db_, "ROLLBACK TO ws");
            run(db_, "RELEASE ws");
        }
    } catch (...) {
        // Destructors never throw; SQLite may already have rolled back (e.g. after SQLITE_FULL).
    }
}

void write_scope::commit() {
    run(db_, nested_ ? "RELEASE ws" : "COMMIT");
    done_ = true;
}

}  // namespace storage

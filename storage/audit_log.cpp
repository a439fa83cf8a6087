// The audit log's one statement.
#include "storage/audit_log.hpp"

#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace storage {

void record_audit(SQLite::Database& db, const audit_entry& e) {
    statement q(db, "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)");
    q->bind(1, e.at);
    q->bind(2, e.actor);
    q->bind(3, e.action);
    q->bind(4, e.target);
    q->bind(5, e.detail);
    q->exec();
}

}  // namespace storage

// The versioned schema migrations, in order.
#pragma once

#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace storage {

/// One schema step: applied once, in its own transaction, recorded in table schema_migrations
/// (and PRAGMA user_version holds the highest applied).
/// `step` (optional) runs after `sql` in the same transaction, for changes plain SQL cannot make
/// without knowing the current shape of a table (see rebuild_table).
struct migration {
    int version;
    const char* sql;
    void (*step)(SQLite::Database&) = nullptr;
};

/// Rebuilds table `name` with `from` replaced by `to` in its CREATE TABLE text (SQLite cannot
/// ALTER a CHECK constraint): every column, row and index of the current table is kept, also
/// columns other migrations added; nothing when the table already reads `to`. Call inside a transaction.
/// @throws std::runtime_error when `from` is not in the table's definition; SQLite::Exception
void rebuild_table(SQLite::Database& db, const std::string& name, const std::string& from, const std::string& to);

/// Every migration. Applied in ascending version order; each version is applied once even when
/// it lands after a higher one.
[[nodiscard]] const std::vector<migration>& all_migrations();

}  // namespace storage

// Opening the SQLite database with the project's settings, migrations and online backup.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace storage {

struct migration;

/// Opens (creating the parent folder) in WAL mode with synchronous=FULL, foreign keys on and a
/// busy timeout; applies pending migrations when `migrate` is true. ":memory:" works for tests.
/// @throws SQLite::Exception or std::runtime_error when it cannot.
[[nodiscard]] std::unique_ptr<SQLite::Database> open_database(const std::string& path, bool migrate = true);

/// Applies every migration the database has not recorded, in version order, each in its own transaction.
/// Returns the resulting schema version.
/// @throws SQLite::Exception
int migrate(SQLite::Database& db);
/// Applies the migrations of `list` that the database has not recorded (tests). @throws SQLite::Exception
int migrate(SQLite::Database& db, const std::vector<migration>& list);

/// The schema version recorded in the database (0 when new).
[[nodiscard]] int schema_version(SQLite::Database& db);

/// The newest schema version this build knows.
[[nodiscard]] int latest_schema_version();

/// Copies the live database to `file` through SQLite's online backup API.
/// @throws SQLite::Exception
void backup(SQLite::Database& db, const std::string& file);

}  // namespace storage

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

/// A connection that only reads (PRAGMA query_only: any write throws), for readers beside the
/// writer: with WAL they never wait for it, nor it for them. Migrations are the writer's.
/// @throws SQLite::Exception when the file cannot be opened.
[[nodiscard]] std::unique_ptr<SQLite::Database> open_reader(const std::string& path);

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

/// While it lives, commits on `db` do not wait for the disk (PRAGMA synchronous=NORMAL; the WAL
/// is written, not synced). Such a commit is durable once any later commit with the default FULL
/// syncs the WAL, or a sync of the WAL file itself (storage::wal_sync), and a power cut can only
/// lose it together with everything after it. The dispatcher uses it for its groups: an event's
/// processing has no effect outside the database until the WAL is synced after it (no message
/// leaves before: see storage::wal_sync), so a lost group means the event is processed again after the
/// restart, never twice and never half. The event log uses it too, and syncs the WAL after its
/// write turn and before any acknowledgement (storage::event_log); so does the outbox sender,
/// whose requests leave only after a sync of the WAL that began after its commit (so after the
/// dispatcher's group that queued the message too). API writes stay FULL. Only outside a
/// transaction; a no-op inside one.
class deferred_sync {
public:
    explicit deferred_sync(SQLite::Database& db);
    ~deferred_sync();
    deferred_sync(const deferred_sync&) = delete;
    deferred_sync& operator=(const deferred_sync&) = delete;

private:
    SQLite::Database& db_;
    bool active_ = false;
};

/// Copies the live database to `file` through SQLite's online backup API.
/// @throws SQLite::Exception
void backup(SQLite::Database& db, const std::string& file);

}  // namespace storage

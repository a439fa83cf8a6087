// Import runs: what each dossier import read, changed and rejected, and how long it took.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite {
class Database;
}

namespace storage {

/// How an import run ended: every row imported (or nothing differed), the file rejected for its
/// bad rows (nothing written), or a storage failure (nothing written).
enum class import_outcome { imported, rejected, failed };

/// The stored word ("imported").
[[nodiscard]] std::string_view to_string(import_outcome o);
/// The outcome a stored word names. @throws std::invalid_argument for a word no version wrote
[[nodiscard]] import_outcome parse_import_outcome(std::string_view s);

/// One import run as stored.
struct import_run {
    std::int64_t id = 0;
    std::int64_t started_at = 0;   ///< Unix ms
    std::int64_t finished_at = 0;  ///< Unix ms
    std::int64_t duration_ms = 0;
    std::int64_t merge_ms = 0;     ///< the longest single write (the final merge)
    std::string source;            ///< cli | api | watch | console | demo
    std::string actor;             ///< token name, official id, "watch"
    std::string file_name;
    std::string format;            ///< csv | xlsx | json | ""
    import_outcome outcome = import_outcome::failed;
    std::int64_t rows = 0, inserted = 0, updated = 0, unchanged = 0, state_changes = 0, rejected = 0, warnings = 0;
    std::string detail;            ///< why it failed, or a summary
};

/// A rejected row or a warning of a run.
struct import_run_issue {
    std::string kind;    ///< error | warning
    std::string file;
    std::int64_t line = 0;
    std::string column;  ///< the header as the file writes it
    std::string code;    ///< stable id (templates/messages/imports.toml: import_issue_<code>)
    std::string reason;  ///< English
    std::string value;   ///< the cell as written (empty in runs stored before migration 52)
};

/// One dossier a run changed.
struct import_run_change {
    std::string code;
    std::string old_state, new_state;
    std::string old_due_on, new_due_on;
    std::string fields;  ///< comma-separated column names
    std::string notice;  ///< none | pending | done
};

/// Stores a run and its issues; returns its id. @throws SQLite::Exception
std::int64_t insert_import_run(SQLite::Database& db, const import_run& run, const std::vector<import_run_issue>& issues);
/// Rewrites a run's counters and outcome (by run.id). @throws SQLite::Exception
void update_import_run(SQLite::Database& db, const import_run& run);
/// Newest runs first. @throws SQLite::Exception
[[nodiscard]] std::vector<import_run> list_import_runs(SQLite::Database& db, std::size_t limit, std::size_t offset = 0);
/// The run with this id. @throws SQLite::Exception
[[nodiscard]] std::optional<import_run> find_import_run(SQLite::Database& db, std::int64_t id);
/// A run's issues in file order (at most `limit`). @throws SQLite::Exception
[[nodiscard]] std::vector<import_run_issue> import_run_issues(SQLite::Database& db, std::int64_t id, std::size_t limit);
/// The dossiers a run updated (at most `limit`). @throws SQLite::Exception
[[nodiscard]] std::vector<import_run_change> import_run_changes(SQLite::Database& db, std::int64_t id, std::size_t limit);
/// Deletes the issues and changes of runs that started before `before_ms` (the runs stay).
/// @throws SQLite::Exception
void prune_import_details(SQLite::Database& db, std::int64_t before_ms);

}  // namespace storage

// Importing a dossier export: the preview (read only) and the run (new dossiers placed hidden and
// changed ones staged, in short writes; then merged and shown in one short transaction, recorded
// with what changed, what was rejected and how long).
#pragma once

#include "bot/core/scope.hpp"
#include "bot/dossiers/dossier_import.hpp"
#include "storage/dossier_repository.hpp"
#include "storage/import_run_repository.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace SQLite {
class Database;
}

namespace storage {
struct import_run;
}

namespace bot {

struct config;

/// One dossier an import adds or changes.
struct dossier_change {
    std::string code;
    std::string kind;                  ///< inserted | updated
    std::string old_state, new_state; ///< storage::dossier_state names; old_state "" when inserted
    std::string old_due_on, new_due_on;
    std::vector<std::string> fields;   ///< changed columns (thu_tuc, han_tra, trang_thai, ...); empty when inserted
};

/// What importing a file would do.
struct import_preview {
    std::string format;                        ///< csv | xlsx | json
    std::size_t rows = 0;                      ///< dossier rows read
    std::vector<import_error> errors;          ///< every rejected row (any error rejects the file)
    std::vector<import_error> warnings;        ///< accepted with a note
    std::vector<std::pair<std::string, std::string>> columns;  ///< (field, the file's header)
    std::vector<std::string> ignored_columns;  ///< headers not used
    std::size_t skipped = 0;                   ///< title, total and note lines
    std::size_t inserted = 0, updated = 0, unchanged = 0;
    std::vector<dossier_change> changes;       ///< inserted and updated dossiers, in file order
    [[nodiscard]] bool ok() const { return errors.empty(); }
};

/// Reads an export (CSV, XLSX or JSON, told apart by content), validates it and compares it with
/// the stored dossiers. Writes nothing. Rows of units `scope` does not cover are errors. With
/// `parsed`, the rows read are kept there too (a page that shows some of them reads the file once).
/// @throws SQLite::Exception
[[nodiscard]] import_preview preview_dossier_import(SQLite::Database& read_db, std::string_view bytes, const config& cfg,
                                                   const unit_scope& scope = unit_scope::everything(),
                                                   import_result* parsed = nullptr);

/// Where a run reads and writes.
struct import_io {
    /// A connection to read from (the comparison). The CLI passes its only connection.
    SQLite::Database& read;
    /// Runs a job on the write connection and waits for it (the worker's run_sync in the server,
    /// called from a thread of its own: the API's and the console's task threads; a direct call in
    /// the CLI). Exceptions the job throws come back out.
    /// The run waits (sleeps between looks, up to placement_stale_ms and 10 s more) while another
    /// process's import places its rows, so `write` must never run inline on the server's write
    /// worker.
    std::function<void(const std::function<void(SQLite::Database&)>&)> write;
};

/// Who imports what.
struct import_request {
    std::string source = "cli";   ///< cli | api | watch | console | demo
    std::string actor;            ///< token name, official id, "watch"
    std::string file_name;        ///< shown in the run's record and its issues
    std::string format;           ///< "" = by content; csv | xlsx | json to insist
    unit_scope scope = unit_scope::everything();
    /// Runs inside the transaction that records an imported run, with what it changed (the audit
    /// row of the admin API and of the console: the change and who made it commit together).
    std::function<void(SQLite::Database&, const storage::upsert_stats&)> on_imported;
};

/// What a run did.
struct import_report {
    std::int64_t run_id = 0;         ///< the import_runs row
    storage::import_outcome outcome = storage::import_outcome::failed;
    import_result parsed;            ///< what was read (rows, errors, warnings, columns)
    storage::upsert_stats stats;     ///< what the merge changed
    std::int64_t duration_ms = 0;    ///< the whole run
    std::int64_t merge_ms = 0;       ///< the final merge
    std::int64_t longest_chunk_ms = 0;  ///< the longest write before the merge
    std::size_t chunks = 0;          ///< writes before the merge (placing and staging)
    std::string detail;              ///< why it failed
};

/// Imports a file: parse and compare on `io.read`; when every row is valid, the rows that differ
/// from what is stored are written in short write jobs (about 20 ms each, at most
/// cfg.imports.chunk_rows rows): new dossiers placed in the table but hidden, changed ones staged;
/// then one job merges the changed ones, shows the new ones and records the run. A file with any
/// bad row changes no dossier (its run is recorded as rejected, with every issue's file and line).
/// Unchanged rows are never written. One import places at a time (across processes too: another
/// waits for it). Never throws for bad input; a storage failure gives outcome `failed` (what was
/// placed or staged is removed).
[[nodiscard]] import_report run_dossier_import(const import_io& io, std::string_view bytes, const import_request& req,
                                               const config& cfg, const std::function<std::int64_t()>& clock);

/// A run on one connection (the command line, tests): `db` reads and writes; `json` insists on
/// JSON (true) or CSV (false), else the format is told by content.
[[nodiscard]] import_report import_dossiers(SQLite::Database& db, std::string_view bytes, const config& cfg,
                                            std::int64_t now_ms, std::optional<bool> json = std::nullopt,
                                            const std::string& source = "cli");

/// JSON of a run: {"run", "outcome", "format", "imported", "inserted", "updated", "unchanged",
/// "state_changes", "returned", "cancelled_reminders", "notices", "duration_ms", "merge_ms",
/// "warnings": [...], "ignored_columns": [...]} or, when rejected, {"error": "invalid_rows",
/// "detail", "run", "rows": [{"line", "column", "reason"}], ...}.
[[nodiscard]] std::string import_report_json(const import_report& r);
/// JSON object of a stored run (times local, counters, outcome).
[[nodiscard]] std::string import_run_json(const storage::import_run& r, int utc_offset_minutes);
/// The same with its issues (file, line, column, reason) and the dossiers it changed, up to `limit` each.
/// @throws SQLite::Exception
[[nodiscard]] std::string import_run_detail_json(SQLite::Database& db, const storage::import_run& r, int utc_offset_minutes,
                                                 std::size_t limit);
/// JSON of a preview (same shape, plus "changes" and nothing written).
[[nodiscard]] std::string import_preview_json(const import_preview& p);

}  // namespace bot

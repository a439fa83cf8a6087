// Dossiers from the one-stop system: change-detecting upsert by code (staged, then merged),
// lookups, and the scheduler's scan.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace storage {

/// Where a dossier stands in the one-stop system (its export's status column).
enum class dossier_state {
    received,      ///< Đã tiếp nhận
    processing,    ///< Đang xử lý / đang giải quyết
    supplement,    ///< Yêu cầu bổ sung: waiting for the citizen
    result_ready,  ///< Đã có kết quả, not yet handed over
    returned,      ///< Đã trả kết quả (a return date)
    withdrawn      ///< Rút hồ sơ: finished without a result
};

/// "received", "processing", ... (the stored text).
[[nodiscard]] const char* to_string(dossier_state s);
/// The state with this stored name, or nullopt.
[[nodiscard]] std::optional<dossier_state> dossier_state_from(std::string_view name);
/// True for returned and withdrawn: nothing more will happen to the dossier.
[[nodiscard]] bool is_finished(dossier_state s);

/// One dossier as stored. Dates are local 'YYYY-MM-DD', times 'HH:MM' or "" when not given.
struct dossier {
    std::string code;
    std::string procedure;
    std::string field;
    std::string level;
    std::string unit_id;
    std::string channel;  ///< truc_tuyen | truc_tiep | bcci
    std::string received_on, received_time;
    std::string due_on, due_time;
    std::string returned_on, returned_time;  ///< empty while unresolved
    std::string official_id;                 ///< empty when unassigned
    std::string citizen_phone;               ///< digits only; never shown unmasked
    /// Where it stands. A return date always means `returned` when stored (see upsert_dossiers).
    dossier_state state = dossier_state::processing;
};

/// The state a dossier is stored with: `returned` when it has a return date (unless withdrawn).
[[nodiscard]] dossier_state stored_state(const dossier& d);

/// A short digest of every imported field (state included): equal digests mean nothing changed.
[[nodiscard]] std::string dossier_fingerprint(const dossier& d);
/// The columns (project CSV names: thu_tuc, han_tra, trang_thai, ...) that differ.
[[nodiscard]] std::vector<std::string> changed_fields(const dossier& before, const dossier& after);

/// The rows of `dossier_rows` a reader may see (migration 51): the view `dossiers` is these rows.
/// Only for queries that name an index (INDEXED BY, NOT INDEXED), which SQLite refuses on a view.
#define VISIBLE_DOSSIER_ROW "+dossier_rows.rowid <= (SELECT ceiling FROM dossier_visibility)"

/// Reads dossiers by code with one prepared statement (the read side of an import).
class dossier_reader {
public:
    /// @throws SQLite::Exception
    explicit dossier_reader(SQLite::Database& db);
    ~dossier_reader();
    dossier_reader(const dossier_reader&) = delete;
    dossier_reader& operator=(const dossier_reader&) = delete;
    /// The dossier with this code, or nullopt. @throws SQLite::Exception
    [[nodiscard]] std::optional<dossier> find(const std::string& code);

private:
    std::unique_ptr<SQLite::Statement> q_;
};

/// One row to stage: the dossier and the columns that changed ("" for a new dossier).
struct staged_row {
    const dossier* row = nullptr;
    std::string changed;  ///< comma-separated column names
};

/// Removes staging rows written before `before_ms` (an import that died half-way).
/// @throws SQLite::Exception
void clear_stale_staging(SQLite::Database& db, std::int64_t before_ms);
/// Appends rows to the staging area of import `batch`, numbered from `first_seq`. Call in short
/// chunks, each its own transaction. With `place` (the caller holds the placement, see
/// claim_placement), new dossiers go straight into the table above the visibility ceiling
/// instead, hidden until merge_staged commits; a code someone stored meanwhile is staged as
/// usual. Returns how many rows were placed. @throws SQLite::Exception
std::size_t stage_dossiers(SQLite::Database& db, const std::string& batch, std::int64_t first_seq,
                           const std::vector<staged_row>& rows, std::int64_t now_ms, bool place = false);

/// A placement not touched for this long belongs to an import that died (a live one touches it
/// with every chunk, a few milliseconds apart).
inline constexpr std::int64_t placement_stale_ms = 120LL * 1000;
/// Takes the placement of new rows for `batch`: free (the ceiling comes down to the last row),
/// already its own (then it is touched: call it with every chunk), or its holder untouched for
/// placement_stale_ms. False while another import holds it: wait and try again. After a true,
/// remove a dead holder's rows with drop_hidden before placing. One import places at a time, so
/// every row above the ceiling is the holder's. @throws SQLite::Exception
[[nodiscard]] bool claim_placement(SQLite::Database& db, const std::string& batch, std::int64_t now_ms);
/// Whether `batch` still holds the placement (another import takes it over only after it stalled
/// for placement_stale_ms, and removes its rows). @throws SQLite::Exception
[[nodiscard]] bool holds_placement(SQLite::Database& db, const std::string& batch);
/// Removes up to `limit` hidden rows (placed by an import that did not commit) if `batch` holds
/// the placement; returns how many. Call in short writes until it returns 0.
/// @throws SQLite::Exception
std::size_t drop_hidden(SQLite::Database& db, const std::string& batch, std::size_t limit);
/// Gives the placement up without showing anything (its hidden rows dropped first): the ceiling
/// goes back up. @throws SQLite::Exception
void release_placement(SQLite::Database& db, const std::string& batch);
/// Drops a batch's staging rows (an import given up, or merged). @throws SQLite::Exception
void drop_staged(SQLite::Database& db, const std::string& batch);
/// Drops the batch's staging rows numbered [first_seq, first_seq + count): a merged import's
/// rows are removed in chunks, each its own short write. @throws SQLite::Exception
void drop_staged(SQLite::Database& db, const std::string& batch, std::int64_t first_seq, std::int64_t count);

/// What merging an import changed.
struct upsert_stats {
    std::size_t inserted = 0;
    std::size_t updated = 0;              ///< stored dossiers that changed
    std::size_t unchanged = 0;            ///< rows equal to what was stored (not written)
    std::size_t state_changes = 0;        ///< updated dossiers whose state changed
    std::size_t newly_returned = 0;       ///< open before, returned or withdrawn now
    std::size_t cancelled_reminders = 0;  ///< pending reminder messages cancelled for them
    std::size_t notices_pending = 0;      ///< changes with followers to tell (dossier_changes.notice = 'pending')
};

/// Moves batch `batch` from staging into dossiers in one statement set: new codes are inserted,
/// stored ones updated only when their fingerprint differs; every update is recorded in
/// dossier_changes under `run_id` (pending a notice when the state changed or the due date moved
/// later on an open dossier and someone follows it); pending reminders of dossiers now finished
/// are cancelled. New rows go in in code order (an append to the primary key's b-tree, about half
/// the time of file order for a first import of 100,000 rows). The staging rows stay: drop them
/// after the commit (drop_staged). If `batch` holds the placement, its placed rows become visible
/// in the same commit (the ceiling goes back up; count them into `inserted` yourself). A merge
/// that does not hold it (upsert_dossiers) first removes what a dead import left hidden, and
/// refuses to run while a live one is placing (its rows would land above the ceiling too).
/// Call inside one transaction with the run's record. `unchanged` is left 0 (the caller knows how
/// many rows it read). @throws SQLite::Exception
upsert_stats merge_staged(SQLite::Database& db, const std::string& batch, std::optional<std::int64_t> run_id,
                          std::int64_t now_ms);

/// Stages and merges `rows` in one transaction (a savepoint inside a caller's): the small-file
/// and demo path. Unchanged rows are not written. @throws SQLite::Exception (nothing written then);
/// std::runtime_error while another import is placing rows (see merge_staged)
upsert_stats upsert_dossiers(SQLite::Database& db, const std::vector<dossier>& rows, std::int64_t now_ms,
                             std::optional<std::int64_t> run_id = std::nullopt);

/// The dossier with this code. @throws SQLite::Exception
[[nodiscard]] std::optional<dossier> find_dossier(SQLite::Database& db, const std::string& code);

/// Filters for list_dossiers; empty strings match everything.
struct dossier_filter {
    std::string unit_id;
    std::string status;       ///< "" | open | returned | overdue (needs `today`) | a dossier_state name
    std::string official_id;
    std::string today;        ///< local 'YYYY-MM-DD', for `overdue`
    std::size_t limit = 100;
    std::size_t offset = 0;
    std::vector<std::string> unit_ids;  ///< when not empty: only dossiers of these units (a token's scope)
};
/// Dossiers matching the filter, oldest due first. @throws SQLite::Exception
[[nodiscard]] std::vector<dossier> list_dossiers(SQLite::Database& db, const dossier_filter& f);

/// The fields the reminder scan needs.
struct open_dossier {
    std::string code;
    std::string procedure;
    std::string unit_id;
    std::string due_on;
    std::string official_id;
};
/// Unresolved (not returned, not withdrawn) dossiers due on or before `due_until`
/// ('YYYY-MM-DD'), by due date then code. @throws SQLite::Exception
[[nodiscard]] std::vector<open_dossier> open_dossiers_due_by(SQLite::Database& db, const std::string& due_until);
/// Unresolved dossiers assigned to an official, oldest due first. @throws SQLite::Exception
[[nodiscard]] std::vector<open_dossier> open_dossiers_of(SQLite::Database& db, const std::string& official_id);
/// Number of unresolved dossiers per unit. @throws SQLite::Exception
[[nodiscard]] std::vector<std::pair<std::string, std::int64_t>> open_counts_by_unit(SQLite::Database& db);
/// Number of stored dossiers. @throws SQLite::Exception
[[nodiscard]] std::int64_t count_dossiers(SQLite::Database& db);

}  // namespace storage

// Dossiers from the one-stop system: upsert by code, lookups, and the scheduler's scan.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace storage {

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
    std::string citizen_phone;               ///< never shown unmasked
};

/// What an import changed.
struct upsert_stats {
    std::size_t inserted = 0;
    std::size_t updated = 0;
    std::size_t newly_returned = 0;       ///< open before, returned now
    std::size_t cancelled_reminders = 0;  ///< pending reminder messages cancelled for them
};

/// Inserts or updates every dossier by code, all or nothing (one savepoint, one prepared
/// statement). Pending reminder messages of dossiers that are now returned are cancelled.
/// @throws SQLite::Exception (nothing is written then)
upsert_stats upsert_dossiers(SQLite::Database& db, const std::vector<dossier>& rows, std::int64_t now_ms);

/// The dossier with this code. @throws SQLite::Exception
[[nodiscard]] std::optional<dossier> find_dossier(SQLite::Database& db, const std::string& code);

/// Filters for list_dossiers; empty strings match everything.
struct dossier_filter {
    std::string unit_id;
    std::string status;       ///< "" | open | returned | overdue (needs `today`)
    std::string official_id;
    std::string today;        ///< local 'YYYY-MM-DD', for `overdue`
    std::size_t limit = 100;
    std::size_t offset = 0;
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
/// Unresolved dossiers due on or before `due_until` ('YYYY-MM-DD'), by due date then code.
/// @throws SQLite::Exception
[[nodiscard]] std::vector<open_dossier> open_dossiers_due_by(SQLite::Database& db, const std::string& due_until);
/// Unresolved dossiers assigned to an official, oldest due first. @throws SQLite::Exception
[[nodiscard]] std::vector<open_dossier> open_dossiers_of(SQLite::Database& db, const std::string& official_id);
/// Number of unresolved dossiers per unit. @throws SQLite::Exception
[[nodiscard]] std::vector<std::pair<std::string, std::int64_t>> open_counts_by_unit(SQLite::Database& db);
/// Number of stored dossiers. @throws SQLite::Exception
[[nodiscard]] std::int64_t count_dossiers(SQLite::Database& db);

}  // namespace storage

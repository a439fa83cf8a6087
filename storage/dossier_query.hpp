// Read-only dossier lookups for citizens (status by code; no personal data leaves this query).
#pragma once

#include <optional>
#include <string>

namespace SQLite {
class Database;
}

namespace storage {

/// What a citizen may learn about a dossier from its code.
struct dossier_status {
    std::string code;
    std::string procedure;
    std::string level;
    std::string unit_id;
    std::string channel;      ///< truc_tuyen | truc_tiep | bcci
    std::string received_on;  ///< local 'YYYY-MM-DD'
    std::string due_on;       ///< local 'YYYY-MM-DD'
    std::string returned_on;  ///< local 'YYYY-MM-DD'; empty while unresolved
    std::string state;        ///< received | processing | supplement | result_ready | returned | withdrawn
};

/// The dossier with exactly this code, or nullopt. @throws SQLite::Exception
[[nodiscard]] std::optional<dossier_status> find_dossier_status(SQLite::Database& db, const std::string& code);

}  // namespace storage

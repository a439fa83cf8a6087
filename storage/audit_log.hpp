// The audit log: who changed what through the admin API (or an import), one row per change.
#pragma once

#include <cstdint>
#include <string>

namespace SQLite {
class Database;
}

namespace storage {

/// One change somebody made, as the audit_log table keeps it.
struct audit_entry {
    std::int64_t at = 0;  ///< Unix ms
    std::string actor;    ///< the API token's name (or the command's)
    std::string action;   ///< e.g. "POST /api/v1/officials"
    std::string target;   ///< the resource's id, when there is one
    std::string detail;   ///< e.g. the HTTP status
};

/// Appends `e`; meant for the transaction of the change it records, so both commit or neither.
/// @throws SQLite::Exception
void record_audit(SQLite::Database& db, const audit_entry& e);

}  // namespace storage

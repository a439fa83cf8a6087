// Officials and dossiers administration shared by the command line and the admin API.
#pragma once

#include "bot/dossiers/dossier_import.hpp"
#include "bot/dossiers/import_run.hpp"
#include "bot/dossiers/reachability.hpp"
#include "storage/official_repository.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace SQLite {
class Database;
}

namespace bot {

struct config;

/// Checks a new official's fields against the configuration; the error text, or "" when valid.
/// The unit must exist on `today` ('YYYY-MM-DD'): officials serve today's units.
[[nodiscard]] std::string check_official(const storage::official& o, const config& cfg, const std::string& today);
/// JSON object of an official (no link code; phone masked unless `full_phone`).
[[nodiscard]] std::string official_json(const storage::official& o, bool full_phone = false);
/// The same with "reachability": how a reminder reaches them now (bot::reachability_json).
[[nodiscard]] std::string official_json(const storage::official& o, bool full_phone, const reachability& reach,
                                        int utc_offset_minutes);

/// A fresh link code for an official: stored hashed, valid for 72 h, returned once.
struct issued_code {
    std::string code;
    std::int64_t expires_at_ms = 0;
};
/// nullopt when no enabled official has this id. @throws SQLite::Exception
[[nodiscard]] std::optional<issued_code> issue_link_code(SQLite::Database& db, const std::string& official_id, std::int64_t now_ms);

/// JSON object of a dossier (citizen phone masked).
[[nodiscard]] std::string dossier_json(const storage::dossier& d);

/// Demo data: per demo unit one official and one leader, and the demo dossier set from
/// `templates/demo/dossiers.csv` with its dates moved so its reference day is today. Only into
/// empty tables. Returns a one-line summary. @throws SQLite::Exception, std::runtime_error
std::string seed_demo(SQLite::Database& db, const config& cfg, std::int64_t now_ms);

}  // namespace bot

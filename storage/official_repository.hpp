// Officials: registration, Zalo linking, on-duty lookups.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace storage {

/// One official as stored.
struct official {
    std::string official_id;
    std::string name;
    std::string unit_id;
    std::string role;          ///< official | leader
    std::string phone;
    std::string zalo_user_id;  ///< empty until linked with `DK <code>`
    bool reminders_enabled = true;
    bool on_duty = true;
    bool disabled = false;
};

/// The enabled official linked to this Zalo user, if any. @throws SQLite::Exception
[[nodiscard]] std::optional<official> find_official_by_zalo(SQLite::Database& db, const std::string& zalo_user_id);
/// Enabled officials of a unit (all roles), linked or not. @throws SQLite::Exception
[[nodiscard]] std::vector<official> officials_of_unit(SQLite::Database& db, const std::string& unit_id);

}  // namespace storage

// Linking an official to a Zalo account from the terminal chat (`cchcbot chat --as-official`).
#pragma once

#include <optional>
#include <string>

namespace SQLite {
class Database;
}

namespace storage {

/// The Zalo user id linked to an enabled official: nullopt when no such official, "" when not linked.
/// @throws SQLite::Exception
[[nodiscard]] std::optional<std::string> official_zalo_account(SQLite::Database& db, const std::string& official_id);
/// Links the official to this Zalo user id. @throws SQLite::Exception
void link_official_account(SQLite::Database& db, const std::string& official_id, const std::string& zalo_user_id);

}  // namespace storage

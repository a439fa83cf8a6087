// Linking an official to a Zalo account from the terminal chat.
#include "storage/official_link.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace storage {

std::optional<std::string> official_zalo_account(SQLite::Database& db, const std::string& official_id) {
    SQLite::Statement q(db, "SELECT COALESCE(zalo_user_id, '') FROM officials WHERE official_id = ? AND disabled = 0");
    q.bind(1, official_id);
    if (q.executeStep()) return q.getColumn(0).getString();
    return std::nullopt;
}

void link_official_account(SQLite::Database& db, const std::string& official_id, const std::string& zalo_user_id) {
    SQLite::Statement q(db, "UPDATE officials SET zalo_user_id = ?, link_code_hash = NULL, link_code_expires_at = NULL"
                            " WHERE official_id = ?");
    q.bind(1, zalo_user_id);
    q.bind(2, official_id);
    q.exec();
}

}  // namespace storage

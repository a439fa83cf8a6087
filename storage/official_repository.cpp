// Officials storage.
#include "storage/official_repository.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace storage {

namespace {
constexpr const char* columns =
    "official_id, name, unit_id, role, COALESCE(phone, ''), COALESCE(zalo_user_id, ''), reminders_enabled, on_duty, disabled";

official read(SQLite::Statement& q) {
    official o;
    o.official_id = q.getColumn(0).getString();
    o.name = q.getColumn(1).getString();
    o.unit_id = q.getColumn(2).getString();
    o.role = q.getColumn(3).getString();
    o.phone = q.getColumn(4).getString();
    o.zalo_user_id = q.getColumn(5).getString();
    o.reminders_enabled = q.getColumn(6).getInt() != 0;
    o.on_duty = q.getColumn(7).getInt() != 0;
    o.disabled = q.getColumn(8).getInt() != 0;
    return o;
}
}  // namespace

std::optional<official> find_official_by_zalo(SQLite::Database& db, const std::string& zalo_user_id) {
    SQLite::Statement q(db, std::string("SELECT ") + columns + " FROM officials WHERE zalo_user_id = ? AND disabled = 0");
    q.bind(1, zalo_user_id);
    if (q.executeStep()) return read(q);
    return std::nullopt;
}

std::vector<official> officials_of_unit(SQLite::Database& db, const std::string& unit_id) {
    SQLite::Statement q(db, std::string("SELECT ") + columns + " FROM officials WHERE unit_id = ? AND disabled = 0 ORDER BY official_id");
    q.bind(1, unit_id);
    std::vector<official> out;
    while (q.executeStep()) out.push_back(read(q));
    return out;
}

}  // namespace storage

// Officials storage.
#include "storage/official_repository.hpp"

#include "storage/write_scope.hpp"

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

bool add_official(SQLite::Database& db, const official& o, std::int64_t now_ms) {
    SQLite::Statement q(db,
                        "INSERT INTO officials (official_id, name, unit_id, role, phone, created_at) VALUES (?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT(official_id) DO NOTHING");
    q.bind(1, o.official_id);
    q.bind(2, o.name);
    q.bind(3, o.unit_id);
    q.bind(4, o.role);
    if (o.phone.empty())
        q.bind(5);
    else
        q.bind(5, o.phone);
    q.bind(6, static_cast<std::int64_t>(now_ms));
    return q.exec() == 1;
}

std::optional<official> find_official(SQLite::Database& db, const std::string& official_id) {
    SQLite::Statement q(db, std::string("SELECT ") + columns + " FROM officials WHERE official_id = ?");
    q.bind(1, official_id);
    if (q.executeStep()) return read(q);
    return std::nullopt;
}

std::vector<official> list_officials(SQLite::Database& db, bool include_disabled) {
    SQLite::Statement q(db, std::string("SELECT ") + columns + " FROM officials" +
                                (include_disabled ? "" : " WHERE disabled = 0") + " ORDER BY official_id");
    std::vector<official> out;
    while (q.executeStep()) out.push_back(read(q));
    return out;
}

bool set_link_code(SQLite::Database& db, const std::string& official_id, const std::string& code_hash,
                   std::int64_t expires_at_ms) {
    SQLite::Statement q(db,
                        "UPDATE officials SET link_code_hash = ?, link_code_expires_at = ? WHERE official_id = ? AND disabled = 0");
    q.bind(1, code_hash);
    q.bind(2, static_cast<std::int64_t>(expires_at_ms));
    q.bind(3, official_id);
    return q.exec() == 1;
}

link_status redeem_link_code(SQLite::Database& db, const std::string& code_hash, const std::string& zalo_user_id,
                             std::int64_t now_ms, official* linked) {
    storage::write_scope sp(db);
    SQLite::Statement find(db, "SELECT official_id, link_code_expires_at FROM officials WHERE link_code_hash = ? AND disabled = 0");
    find.bind(1, code_hash);
    if (!find.executeStep()) return link_status::unknown_code;
    const std::string id = find.getColumn(0).getString();
    const std::int64_t expires = find.getColumn(1).getInt64();
    find.reset();
    if (expires <= now_ms) {
        // An expired code is useless from now on: clear it so it cannot be tried again.
        SQLite::Statement clear(db, "UPDATE officials SET link_code_hash = NULL, link_code_expires_at = NULL WHERE official_id = ?");
        clear.bind(1, id);
        clear.exec();
        sp.commit();
        return link_status::expired;
    }
    // zalo_user_id is UNIQUE: a phone moving to a new official leaves the old link first.
    SQLite::Statement unlink(db, "UPDATE officials SET zalo_user_id = NULL WHERE zalo_user_id = ? AND official_id <> ?");
    unlink.bind(1, zalo_user_id);
    unlink.bind(2, id);
    unlink.exec();
    SQLite::Statement link(db,
                           "UPDATE officials SET zalo_user_id = ?, link_code_hash = NULL, link_code_expires_at = NULL "
                           "WHERE official_id = ?");
    link.bind(1, zalo_user_id);
    link.bind(2, id);
    link.exec();
    if (linked) *linked = *find_official(db, id);
    sp.commit();
    return link_status::linked;
}

bool disable_official(SQLite::Database& db, const std::string& official_id) {
    SQLite::Statement q(db,
                        "UPDATE officials SET disabled = 1, zalo_user_id = NULL, link_code_hash = NULL, "
                        "link_code_expires_at = NULL WHERE official_id = ?");
    q.bind(1, official_id);
    return q.exec() == 1;
}

bool set_reminders_enabled(SQLite::Database& db, const std::string& official_id, bool enabled) {
    SQLite::Statement q(db, "UPDATE officials SET reminders_enabled = ? WHERE official_id = ?");
    q.bind(1, enabled ? 1 : 0);
    q.bind(2, official_id);
    return q.exec() == 1;
}

}  // namespace storage

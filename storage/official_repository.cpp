// Officials storage.
#include "storage/official_repository.hpp"

#include "storage/write_scope.hpp"

#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>

namespace storage {

namespace {
// The served units come along as one text (unit ids never contain the separator U+001F).
constexpr const char* columns =
    "official_id, name, unit_id, role, COALESCE(phone, ''), COALESCE(zalo_user_id, ''), reminders_enabled, on_duty, disabled, "
    "COALESCE((SELECT group_concat(s.unit_id, char(31)) FROM official_units s WHERE s.official_id = officials.official_id), ''), "
    "oa";

// The home unit first, then the others in id order, each once.
std::vector<std::string> served_units(const std::string& home, const std::string& joined) {
    std::vector<std::string> out{home};
    std::vector<std::string> rest;
    std::size_t i = 0;
    while (i <= joined.size() && !joined.empty()) {
        auto j = joined.find('\x1f', i);
        if (j == std::string::npos) j = joined.size();
        std::string u = joined.substr(i, j - i);
        if (!u.empty() && u != home) rest.push_back(std::move(u));
        i = j + 1;
    }
    std::sort(rest.begin(), rest.end());
    rest.erase(std::unique(rest.begin(), rest.end()), rest.end());
    out.insert(out.end(), rest.begin(), rest.end());
    return out;
}

void insert_units(SQLite::Database& db, const std::string& official_id, const std::string& home,
                  const std::vector<std::string>& units) {
    statement q(db, "INSERT OR IGNORE INTO official_units (official_id, unit_id) VALUES (?, ?)");
    q->bind(1, official_id);
    q->bind(2, home);
    q->exec();
    for (const auto& u : units) {
        q->reset();
        q->bind(2, u);
        q->exec();
    }
}

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
    o.units = served_units(o.unit_id, q.getColumn(9).getString());
    o.oa = q.getColumn(10).getString();
    return o;
}
}  // namespace

std::optional<official> find_official_by_zalo(SQLite::Database& db, const std::string& zalo_user_id) {
    statement q(db, std::string("SELECT ") + columns + " FROM officials WHERE zalo_user_id = ? AND disabled = 0");
    q->bind(1, zalo_user_id);
    if (q->executeStep()) return read(*q);
    return std::nullopt;
}

std::vector<official> officials_of_unit(SQLite::Database& db, const std::string& unit_id) {
    statement q(db, std::string("SELECT ") + columns +
                                " FROM officials WHERE (unit_id = ?1 OR official_id IN (SELECT official_id FROM official_units"
                                " WHERE unit_id = ?1)) AND disabled = 0 ORDER BY official_id");
    q->bind(1, unit_id);
    std::vector<official> out;
    while (q->executeStep()) out.push_back(read(*q));
    return out;
}

bool add_official(SQLite::Database& db, const official& o, std::int64_t now_ms) {
    storage::write_scope tx(db);
    statement q(db,
                        "INSERT INTO officials (official_id, name, unit_id, role, phone, created_at) VALUES (?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT(official_id) DO NOTHING");
    q->bind(1, o.official_id);
    q->bind(2, o.name);
    q->bind(3, o.unit_id);
    q->bind(4, o.role);
    if (o.phone.empty())
        q->bind(5);
    else
        q->bind(5, o.phone);
    q->bind(6, static_cast<std::int64_t>(now_ms));
    if (q->exec() != 1) return false;
    insert_units(db, o.official_id, o.unit_id, o.units);
    tx.commit();
    return true;
}

bool set_official_units(SQLite::Database& db, const std::string& official_id, const std::vector<std::string>& units) {
    auto o = find_official(db, official_id);
    if (!o) return false;
    storage::write_scope tx(db);
    statement del(db, "DELETE FROM official_units WHERE official_id = ?");
    del->bind(1, official_id);
    del->exec();
    insert_units(db, official_id, o->unit_id, units);
    tx.commit();
    return true;
}

std::optional<official> find_official(SQLite::Database& db, const std::string& official_id) {
    statement q(db, std::string("SELECT ") + columns + " FROM officials WHERE official_id = ?");
    q->bind(1, official_id);
    if (q->executeStep()) return read(*q);
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
                   std::int64_t expires_at_ms, const std::string& selector) {
    statement q(db,
                        "UPDATE officials SET link_code_hash = ?, link_code_expires_at = ?, link_code_selector = ?,"
                        " link_code_failures = 0, link_code_locked = 0 WHERE official_id = ? AND disabled = 0");
    q->bind(1, code_hash);
    q->bind(2, static_cast<std::int64_t>(expires_at_ms));
    if (selector.empty()) q->bind(3); else q->bind(3, selector);
    q->bind(4, official_id);
    return q->exec() == 1;
}

link_status redeem_link_code(SQLite::Database& db, const std::string& code_hash, const std::string& zalo_user_id,
                             std::int64_t now_ms, official* linked, const std::string& oa) {
    storage::write_scope sp(db);
    statement find(db, "SELECT official_id, link_code_expires_at, link_code_locked FROM officials"
                               " WHERE link_code_hash = ? AND disabled = 0");
    find->bind(1, code_hash);
    if (!find->executeStep()) return link_status::unknown_code;
    const std::string id = find->getColumn(0).getString();
    const std::int64_t expires = find->getColumn(1).getInt64();
    const bool locked = find->getColumn(2).getInt() != 0;
    find->reset();
    // Kept as it is: only an administrator's new code (set_link_code) replaces a locked one.
    if (locked) return link_status::locked;
    if (expires <= now_ms) {
        // An expired code is useless from now on: clear it so it cannot be tried again.
        statement clear(db, "UPDATE officials SET link_code_hash = NULL, link_code_expires_at = NULL WHERE official_id = ?");
        clear->bind(1, id);
        clear->exec();
        sp.commit();
        return link_status::expired;
    }
    // zalo_user_id is UNIQUE: a phone moving to a new official leaves the old link first.
    statement unlink(db, "UPDATE officials SET zalo_user_id = NULL WHERE zalo_user_id = ? AND official_id <> ?");
    unlink->bind(1, zalo_user_id);
    unlink->bind(2, id);
    unlink->exec();
    statement link(db,
                           "UPDATE officials SET zalo_user_id = ?, link_code_hash = NULL, link_code_expires_at = NULL, oa = ? "
                           "WHERE official_id = ?");
    link->bind(1, zalo_user_id);
    link->bind(2, oa);
    link->bind(3, id);
    link->exec();
    if (linked) *linked = *find_official(db, id);
    sp.commit();
    return link_status::linked;
}

bool disable_official(SQLite::Database& db, const std::string& official_id) {
    statement q(db,
                        "UPDATE officials SET disabled = 1, zalo_user_id = NULL, link_code_hash = NULL, "
                        "link_code_expires_at = NULL WHERE official_id = ?");
    q->bind(1, official_id);
    return q->exec() == 1;
}

bool set_reminders_enabled(SQLite::Database& db, const std::string& official_id, bool enabled) {
    statement q(db, "UPDATE officials SET reminders_enabled = ? WHERE official_id = ?");
    q->bind(1, enabled ? 1 : 0);
    q->bind(2, official_id);
    return q->exec() == 1;
}

}  // namespace storage

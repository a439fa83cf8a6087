// Users storage.
#include "storage/user_repository.hpp"

#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <stdexcept>

namespace storage {

namespace {
void ensure_user(SQLite::Database& db, const std::string& user_id, std::int64_t now_ms) {
    statement q(db, "INSERT INTO users (user_id, created_at) VALUES (?, ?) ON CONFLICT(user_id) DO NOTHING");
    q->bind(1, user_id);
    q->bind(2, now_ms);
    q->exec();
}
}  // namespace

void touch_user(SQLite::Database& db, const std::string& user_id, std::int64_t now_ms, const std::string& oa) {
    statement q(db,
                        "INSERT INTO users (user_id, last_interaction_at, created_at, oa) VALUES (?1, ?2, ?2, ?3)"
                        " ON CONFLICT(user_id) DO UPDATE SET last_interaction_at = excluded.last_interaction_at,"
                        " oa = CASE WHEN excluded.oa <> '' THEN excluded.oa ELSE users.oa END");
    q->bind(1, user_id);
    q->bind(2, now_ms);
    q->bind(3, oa);
    q->exec();
}

namespace {
// The columns of a user row, in the order read_user reads them.
const std::string user_columns =
    "user_id, COALESCE(display_name, ''), is_follower, COALESCE(unit_id, ''), COALESCE(village, ''),"
    " broadcast_opt_out, last_interaction_at, COALESCE(phone, ''), fallback_streak, flood_window_start,"
    " flood_count, flood_notified";
// touch_user's upsert, returning the row as it is after it (RETURNING reads the new values).
const std::string touch_and_find_sql =
    "INSERT INTO users (user_id, last_interaction_at, created_at, oa) VALUES (?1, ?2, ?2, ?3)"
    " ON CONFLICT(user_id) DO UPDATE SET last_interaction_at = excluded.last_interaction_at,"
    " oa = CASE WHEN excluded.oa <> '' THEN excluded.oa ELSE users.oa END RETURNING " + user_columns;
const std::string find_user_sql = "SELECT " + user_columns + " FROM users WHERE user_id = ?";

user read_user(SQLite::Statement& q) {
    user u;
    u.user_id = q.getColumn(0).getString();
    u.display_name = q.getColumn(1).getString();
    u.is_follower = q.getColumn(2).getInt() != 0;
    u.unit_id = q.getColumn(3).getString();
    u.village = q.getColumn(4).getString();
    u.broadcast_opt_out = q.getColumn(5).getInt() != 0;
    if (!q.getColumn(6).isNull()) u.last_interaction_at = q.getColumn(6).getInt64();
    u.phone = q.getColumn(7).getString();
    u.fallback_streak = q.getColumn(8).getInt();
    if (!q.getColumn(9).isNull()) u.flood_window_start = q.getColumn(9).getInt64();
    u.flood_count = q.getColumn(10).getInt64();
    u.flood_notified = q.getColumn(11).getInt() != 0;
    return u;
}
}  // namespace

user touch_and_find_user(SQLite::Database& db, const std::string& user_id, std::int64_t now_ms, const std::string& oa) {
    statement q(db, touch_and_find_sql);
    q->bind(1, user_id);
    q->bind(2, now_ms);
    q->bind(3, oa);
    if (!q->executeStep()) throw std::logic_error("touch_and_find_user: the upsert returned no row");
    user u = read_user(*q);
    // Stepped to the end: the statement is complete before its handle is reset.
    while (q->executeStep()) {
    }
    return u;
}

std::optional<user> find_user(SQLite::Database& db, const std::string& user_id) {
    statement q(db, find_user_sql);
    q->bind(1, user_id);
    if (!q->executeStep()) return std::nullopt;
    return read_user(*q);
}

void set_follower(SQLite::Database& db, const std::string& user_id, bool following, std::int64_t now_ms) {
    ensure_user(db, user_id, now_ms);
    statement q(db, following
                                ? "UPDATE users SET is_follower = 1, followed_at = ?, unfollowed_at = NULL WHERE user_id = ?"
                                : "UPDATE users SET is_follower = 0, unfollowed_at = ? WHERE user_id = ?");
    q->bind(1, now_ms);
    q->bind(2, user_id);
    q->exec();
}

void set_user_place(SQLite::Database& db, const std::string& user_id, const std::string& unit_id,
                    const std::string& village) {
    statement q(db, "UPDATE users SET unit_id = ?, village = ? WHERE user_id = ?");
    if (unit_id.empty()) q->bind(1); else q->bind(1, unit_id);
    if (village.empty()) q->bind(2); else q->bind(2, village);
    q->bind(3, user_id);
    q->exec();
}

void set_broadcast_opt_out(SQLite::Database& db, const std::string& user_id, bool opt_out) {
    statement q(db, "UPDATE users SET broadcast_opt_out = ? WHERE user_id = ?");
    q->bind(1, opt_out ? 1 : 0);
    q->bind(2, user_id);
    q->exec();
}

void set_fallback_streak(SQLite::Database& db, const std::string& user_id, int streak) {
    statement q(db, "UPDATE users SET fallback_streak = ? WHERE user_id = ?");
    q->bind(1, streak);
    q->bind(2, user_id);
    q->exec();
}

void set_user_phone(SQLite::Database& db, const std::string& user_id, const std::string& phone) {
    statement q(db, "UPDATE users SET phone = ? WHERE user_id = ?");
    q->bind(1, phone);
    q->bind(2, user_id);
    q->exec();
}

void erase_user_data(SQLite::Database& db, const std::string& user_id, std::int64_t now_ms) {
    ensure_user(db, user_id, now_ms);
    {
        statement q(db,
                            "UPDATE users SET display_name = NULL, phone = NULL, unit_id = NULL, village = NULL,"
                            " is_follower = 0, broadcast_opt_out = 1, fallback_streak = 0, dialog_state = NULL"
                            " WHERE user_id = ?");
        q->bind(1, user_id);
        q->exec();
    }
    {
        // Counts stay for the report; what the person wrote goes.
        statement q(db, "UPDATE interactions SET text = NULL WHERE user_id = ?");
        q->bind(1, user_id);
        q->exec();
    }
    {
        statement q(db, "DELETE FROM unanswered WHERE user_id = ?");
        q->bind(1, user_id);
        q->exec();
    }
    {
        statement q(db,
                            "UPDATE handoffs SET question = NULL,"
                            " closed_at = COALESCE(closed_at, ?), closed_by = COALESCE(closed_by, 'withdraw')"
                            " WHERE user_id = ?");
        q->bind(1, now_ms);
        q->bind(2, user_id);
        q->exec();
    }
}

flood_verdict count_message(SQLite::Database& db, const user& u, std::int64_t now_ms, unsigned limit_per_minute) {
    constexpr std::int64_t window_ms = 60'000;
    const bool fresh = !u.flood_window_start;
    std::int64_t start = u.flood_window_start.value_or(0);
    std::int64_t count = u.flood_count;
    bool notified = u.flood_notified;
    if (fresh || now_ms - start >= window_ms || now_ms < start) {
        start = now_ms;
        count = 0;
        notified = false;
    }
    ++count;
    flood_verdict v = flood_verdict::ok;
    if (limit_per_minute > 0 && count > static_cast<std::int64_t>(limit_per_minute)) {
        v = notified ? flood_verdict::silent : flood_verdict::notify;
        notified = true;
    }
    statement q(db, "UPDATE users SET flood_window_start = ?, flood_count = ?, flood_notified = ? WHERE user_id = ?");
    q->bind(1, start);
    q->bind(2, count);
    q->bind(3, notified ? 1 : 0);
    q->bind(4, u.user_id);
    q->exec();
    return v;
}

}  // namespace storage

// Linking an official to a Zalo account from the terminal chat; link attempts.
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

namespace {

const char* result_name(link_attempt r) {
    switch (r) {
    case link_attempt::linked:
        return "linked";
    case link_attempt::failed:
        return "failed";
    case link_attempt::refused:
        return "refused";
    }
    return "failed";
}

// The `limit`-th most recent failure since `since_ms` (optionally of one user): once it leaves
// the window, fewer than `limit` remain. nullopt when there are fewer than `limit` now.
std::optional<std::int64_t> nth_latest_failure(SQLite::Database& db, const std::string* user, std::int64_t since_ms,
                                               std::int64_t limit) {
    if (limit <= 0) return std::nullopt;
    SQLite::Statement q(db, std::string("SELECT at FROM link_attempts WHERE result = 'failed' AND at > ?1") +
                                (user ? " AND zalo_user_id = ?3" : "") + " ORDER BY at DESC LIMIT 1 OFFSET ?2");
    q.bind(1, since_ms);
    q.bind(2, limit - 1);
    if (user) q.bind(3, *user);
    if (q.executeStep()) return q.getColumn(0).getInt64();
    return std::nullopt;
}

}  // namespace

link_attempt_window link_attempts_since(SQLite::Database& db, const std::string& zalo_user_id, std::int64_t since_ms,
                                        std::int64_t window_ms, std::int64_t user_limit, std::int64_t total_limit) {
    link_attempt_window w;
    SQLite::Statement q(db,
                        "SELECT COALESCE(SUM(result = 'failed' AND zalo_user_id = ?2), 0), COALESCE(SUM(result = 'failed'), 0),"
                        " COALESCE(MAX(result = 'refused' AND zalo_user_id = ?2), 0) FROM link_attempts WHERE at > ?1");
    q.bind(1, since_ms);
    q.bind(2, zalo_user_id);
    if (q.executeStep()) {
        w.by_user = q.getColumn(0).getInt64();
        w.total = q.getColumn(1).getInt64();
        w.user_refused = q.getColumn(2).getInt64() != 0;
    }
    if (w.by_user >= user_limit)
        if (auto at = nth_latest_failure(db, &zalo_user_id, since_ms, user_limit)) w.user_free_at = *at + window_ms;
    if (w.total >= total_limit)
        if (auto at = nth_latest_failure(db, nullptr, since_ms, total_limit)) w.total_free_at = *at + window_ms;
    return w;
}

void record_link_attempt(SQLite::Database& db, const std::string& zalo_user_id, link_attempt result, std::int64_t at_ms) {
    SQLite::Statement q(db, "INSERT INTO link_attempts (zalo_user_id, at, result) VALUES (?, ?, ?)");
    q.bind(1, zalo_user_id);
    q.bind(2, at_ms);
    q.bind(3, result_name(result));
    q.exec();
}

void forget_link_attempts(SQLite::Database& db, std::int64_t before_ms) {
    SQLite::Statement q(db, "DELETE FROM link_attempts WHERE at < ?");
    q.bind(1, before_ms);
    q.exec();
}

void count_wrong_guess(SQLite::Database& db, const std::string& selector, std::int64_t max_failures) {
    SQLite::Statement q(db,
                        "UPDATE officials SET link_code_failures = link_code_failures + 1,"
                        " link_code_locked = (link_code_failures + 1 >= ?1)"
                        " WHERE link_code_selector = ?2 AND link_code_hash IS NOT NULL AND disabled = 0");
    q.bind(1, max_failures);
    q.bind(2, selector);
    q.exec();
}

bool link_selector_in_use(SQLite::Database& db, const std::string& selector) {
    SQLite::Statement q(db, "SELECT 1 FROM officials WHERE link_code_selector = ? AND link_code_hash IS NOT NULL");
    q.bind(1, selector);
    return q.executeStep();
}

}  // namespace storage

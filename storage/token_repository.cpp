// OAuth token storage, one row per Official Account.
#include "storage/token_repository.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace storage {

namespace {
std::string text_or_empty(const SQLite::Column& c) { return c.isNull() ? std::string{} : c.getString(); }
}  // namespace

std::optional<token_row> load_tokens(SQLite::Database& db, const std::string& oa) {
    SQLite::Statement q(db,
                        "SELECT access_token, access_expires_at, refresh_token, previous_refresh, updated_at, needs_reauth,"
                        " last_error FROM oa_tokens WHERE oa = ?");
    q.bind(1, oa);
    if (!q.executeStep()) return std::nullopt;
    token_row r;
    r.access_token = text_or_empty(q.getColumn(0));
    r.access_expires_at = q.getColumn(1).isNull() ? 0 : q.getColumn(1).getInt64();
    r.refresh_token = text_or_empty(q.getColumn(2));
    r.previous_refresh = text_or_empty(q.getColumn(3));
    r.updated_at = q.getColumn(4).getInt64();
    r.needs_reauth = q.getColumn(5).getInt() != 0;
    r.last_error = text_or_empty(q.getColumn(6));
    return r;
}

bool bootstrap_refresh_token(SQLite::Database& db, const std::string& refresh_token, std::int64_t now_ms,
                             const std::string& oa) {
    if (refresh_token.empty()) return false;
    SQLite::Statement q(db, "INSERT OR IGNORE INTO oa_tokens (oa, refresh_token, updated_at) VALUES (?, ?, ?)");
    q.bind(1, oa);
    q.bind(2, refresh_token);
    q.bind(3, now_ms);
    return q.exec() > 0;
}

void store_grant(SQLite::Database& db, const std::string& access_token, std::int64_t expires_at_ms,
                 const std::string& refresh_token, std::int64_t now_ms, const std::string& oa) {
    // One statement, so the new refresh token and the access token land together (or not at all).
    SQLite::Statement q(db,
                        "INSERT INTO oa_tokens (oa, access_token, access_expires_at, refresh_token, updated_at, needs_reauth)"
                        " VALUES (?, ?, ?, ?, ?, 0)"
                        " ON CONFLICT(oa) DO UPDATE SET previous_refresh = oa_tokens.refresh_token,"
                        " access_token = excluded.access_token, access_expires_at = excluded.access_expires_at,"
                        " refresh_token = excluded.refresh_token, updated_at = excluded.updated_at, needs_reauth = 0,"
                        " last_error = NULL");
    q.bind(1, oa);
    q.bind(2, access_token);
    q.bind(3, expires_at_ms);
    q.bind(4, refresh_token);
    q.bind(5, now_ms);
    q.exec();
}

void replace_refresh_token(SQLite::Database& db, const std::string& refresh_token, std::int64_t now_ms,
                           const std::string& oa) {
    SQLite::Statement q(db,
                        "INSERT INTO oa_tokens (oa, refresh_token, updated_at) VALUES (?, ?, ?)"
                        " ON CONFLICT(oa) DO UPDATE SET previous_refresh = oa_tokens.refresh_token,"
                        " refresh_token = excluded.refresh_token, access_token = NULL, access_expires_at = NULL,"
                        " updated_at = excluded.updated_at, needs_reauth = 0, last_error = NULL");
    q.bind(1, oa);
    q.bind(2, refresh_token);
    q.bind(3, now_ms);
    q.exec();
}

void forget_access_token(SQLite::Database& db, std::int64_t now_ms, const std::string& oa) {
    SQLite::Statement q(db, "UPDATE oa_tokens SET access_token = NULL, access_expires_at = NULL, updated_at = ? WHERE oa = ?");
    q.bind(1, now_ms);
    q.bind(2, oa);
    q.exec();
}

void mark_needs_reauth(SQLite::Database& db, const std::string& reason, std::int64_t now_ms, const std::string& oa) {
    SQLite::Statement q(db,
                        "INSERT INTO oa_tokens (oa, updated_at, needs_reauth, last_error) VALUES (?, ?, 1, ?)"
                        " ON CONFLICT(oa) DO UPDATE SET needs_reauth = 1, last_error = excluded.last_error,"
                        " access_token = NULL, access_expires_at = NULL, updated_at = excluded.updated_at");
    q.bind(1, oa);
    q.bind(2, now_ms);
    q.bind(3, reason);
    q.exec();
}

void record_token_error(SQLite::Database& db, const std::string& reason, std::int64_t now_ms, const std::string& oa) {
    SQLite::Statement q(db, "UPDATE oa_tokens SET last_error = ?, updated_at = ? WHERE oa = ?");
    q.bind(1, reason);
    q.bind(2, now_ms);
    q.bind(3, oa);
    q.exec();
}

void save_oauth_state(SQLite::Database& db, const std::string& state, const std::string& verifier, std::int64_t now_ms,
                      const std::string& oa) {
    SQLite::Statement q(db, "INSERT OR REPLACE INTO oauth_states (state, verifier, created_at, oa) VALUES (?, ?, ?, ?)");
    q.bind(1, state);
    q.bind(2, verifier);
    q.bind(3, now_ms);
    q.bind(4, oa);
    q.exec();
}

std::optional<std::string> take_oauth_state(SQLite::Database& db, const std::string& state, std::int64_t now_ms,
                                            std::int64_t max_age_ms, std::string* oa) {
    std::optional<std::string> verifier;
    {
        SQLite::Statement q(db, "SELECT verifier, oa FROM oauth_states WHERE state = ? AND created_at >= ?");
        q.bind(1, state);
        q.bind(2, now_ms - max_age_ms);
        if (q.executeStep()) {
            verifier = q.getColumn(0).getString();
            if (oa) *oa = q.getColumn(1).getString();
        }
    }
    SQLite::Statement del(db, "DELETE FROM oauth_states WHERE state = ? OR created_at < ?");
    del.bind(1, state);
    del.bind(2, now_ms - max_age_ms);
    del.exec();
    return verifier;
}

}  // namespace storage

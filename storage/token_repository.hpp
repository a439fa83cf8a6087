// Each Official Account's OAuth tokens (one row per OA id) and pending PKCE authorisations.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace SQLite {
class Database;
}

namespace storage {

/// The token row of the one OA of a deployment without `[[oa]]` tables (its id `default`).
inline constexpr const char* default_token_key = "default";

/// The stored token state. Tokens are secrets: never log them.
struct token_row {
    std::string access_token;
    std::int64_t access_expires_at = 0;  ///< Unix ms; 0 when unknown
    std::string refresh_token;
    std::string previous_refresh;        ///< the one it replaced (diagnostics only; never reused)
    std::int64_t updated_at = 0;
    bool needs_reauth = false;
    std::string last_error;
};

/// The OA's row, or nullopt when it has none. @throws SQLite::Exception
[[nodiscard]] std::optional<token_row> load_tokens(SQLite::Database& db, const std::string& oa = default_token_key);

/// Stores the configured first refresh token when the store is empty; returns true when it did.
/// @throws SQLite::Exception
bool bootstrap_refresh_token(SQLite::Database& db, const std::string& refresh_token, std::int64_t now_ms,
                             const std::string& oa = default_token_key);

/// Stores a successful grant in one statement: the new single-use refresh token (the old one
/// kept as previous) together with the access token, clearing needs_reauth. Must complete before
/// the access token is used. @throws SQLite::Exception
void store_grant(SQLite::Database& db, const std::string& access_token, std::int64_t expires_at_ms,
                 const std::string& refresh_token, std::int64_t now_ms, const std::string& oa = default_token_key);

/// Replaces the refresh token (operator action): forgets the access token, clears needs_reauth.
/// @throws SQLite::Exception
void replace_refresh_token(SQLite::Database& db, const std::string& refresh_token, std::int64_t now_ms,
                           const std::string& oa = default_token_key);

/// Forgets the access token (after Zalo called it invalid). @throws SQLite::Exception
void forget_access_token(SQLite::Database& db, std::int64_t now_ms, const std::string& oa = default_token_key);

/// Marks that the OA admin must authorise again, with the reason. @throws SQLite::Exception
void mark_needs_reauth(SQLite::Database& db, const std::string& reason, std::int64_t now_ms,
                       const std::string& oa = default_token_key);

/// Records a transient refresh error (the refresh token stays usable). @throws SQLite::Exception
void record_token_error(SQLite::Database& db, const std::string& reason, std::int64_t now_ms,
                        const std::string& oa = default_token_key);

/// Remembers a PKCE authorisation in progress. @throws SQLite::Exception
void save_oauth_state(SQLite::Database& db, const std::string& state, const std::string& verifier, std::int64_t now_ms,
                      const std::string& oa = default_token_key);

/// Takes (and deletes) the verifier for `state` when it is younger than `max_age_ms`, and the OA
/// it was for into `*oa` when given; also removes expired states. @throws SQLite::Exception
[[nodiscard]] std::optional<std::string> take_oauth_state(SQLite::Database& db, const std::string& state,
                                                          std::int64_t now_ms, std::int64_t max_age_ms,
                                                          std::string* oa = nullptr);

}  // namespace storage

// Linking an official to a Zalo account: from the terminal chat (`cchcbot chat --as-official`),
// and the record of `DK <code>` attempts that limits guessing.
#pragma once

#include <cstdint>
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

/// What became of one `DK <code>` attempt.
enum class link_attempt { linked, failed, refused };

/// Failed link attempts in a window, and whether this user was already told they are refused.
struct link_attempt_window {
    std::int64_t by_user = 0;  ///< failed attempts by this Zalo user
    std::int64_t total = 0;    ///< failed attempts by everyone
    bool user_refused = false; ///< a refusal was recorded for this user in the window
    /// When the user falls below `user_limit` again (Unix ms), if they are at it now.
    std::optional<std::int64_t> user_free_at;
    /// When everyone falls below `total_limit` again, if they are at it now.
    std::optional<std::int64_t> total_free_at;
};
/// Counts attempts since `since_ms`; `*_free_at` = the attempt that must age out + `window_ms`.
/// @throws SQLite::Exception
[[nodiscard]] link_attempt_window link_attempts_since(SQLite::Database& db, const std::string& zalo_user_id,
                                                      std::int64_t since_ms, std::int64_t window_ms,
                                                      std::int64_t user_limit, std::int64_t total_limit);
/// Records an attempt. @throws SQLite::Exception
void record_link_attempt(SQLite::Database& db, const std::string& zalo_user_id, link_attempt result, std::int64_t at_ms);
/// Forgets attempts older than `before_ms` (they no longer count). @throws SQLite::Exception
void forget_link_attempts(SQLite::Database& db, std::int64_t before_ms);
/// Counts a wrong guess against the outstanding code with this selector (if any) and locks it
/// once `max_failures` wrong guesses were aimed at it. @throws SQLite::Exception
void count_wrong_guess(SQLite::Database& db, const std::string& selector, std::int64_t max_failures);
/// True when an outstanding (not yet redeemed) code has this selector. @throws SQLite::Exception
[[nodiscard]] bool link_selector_in_use(SQLite::Database& db, const std::string& selector);

}  // namespace storage

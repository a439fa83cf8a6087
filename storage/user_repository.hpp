// Citizens (and officials) as Zalo users: follow state, commune/village, opt-out, flood window.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace SQLite {
class Database;
}

namespace storage {

/// One user row as stored.
struct user {
    std::string user_id;
    std::string display_name;
    bool is_follower = false;
    std::string unit_id;   ///< empty until chosen
    std::string village;   ///< empty until chosen
    bool broadcast_opt_out = false;
    std::optional<std::int64_t> last_interaction_at;
    std::string phone;     ///< never shown back unmasked
    int fallback_streak = 0;
    std::optional<std::int64_t> flood_window_start;  ///< the flood limiter's window (count_message); none yet
    std::int64_t flood_count = 0;                    ///< messages in that window
    bool flood_notified = false;                     ///< the window's one notice was sent
};

/// Creates the user if new and records the interaction time (Zalo's 7-day window) and the
/// Official Account the user wrote to (`oa`, [[oa]] id; empty leaves it as it is). Zalo user ids
/// belong to one OA, so messages to the user go back through it. @throws SQLite::Exception
void touch_user(SQLite::Database& db, const std::string& user_id, std::int64_t now_ms, const std::string& oa = {});
/// touch_user, then the user row as it is afterwards: one statement instead of two for each
/// message's sender. @throws SQLite::Exception
[[nodiscard]] user touch_and_find_user(SQLite::Database& db, const std::string& user_id, std::int64_t now_ms,
                                       const std::string& oa = {});
/// The user, or nullopt. @throws SQLite::Exception
[[nodiscard]] std::optional<user> find_user(SQLite::Database& db, const std::string& user_id);
/// Records a follow (true) or unfollow (false); creates the user if new. @throws SQLite::Exception
void set_follower(SQLite::Database& db, const std::string& user_id, bool following, std::int64_t now_ms);
/// Stores the chosen unit and village (village may be empty). @throws SQLite::Exception
void set_user_place(SQLite::Database& db, const std::string& user_id, const std::string& unit_id,
                    const std::string& village);
/// Opts the user out of broadcasts (true) or back in (false). @throws SQLite::Exception
void set_broadcast_opt_out(SQLite::Database& db, const std::string& user_id, bool opt_out);
/// Stores the number of fallbacks in a row. @throws SQLite::Exception
void set_fallback_streak(SQLite::Database& db, const std::string& user_id, int streak);
/// Stores the phone the user shared. @throws SQLite::Exception
void set_user_phone(SQLite::Database& db, const std::string& user_id, const std::string& phone);
/// Erases the user's personal data (name, phone, place, message texts, unanswered questions) and
/// stops broadcasts to them; closes an open hand-off. @throws SQLite::Exception
void erase_user_data(SQLite::Database& db, const std::string& user_id, std::int64_t now_ms);

/// What the flood limiter decided for one message.
enum class flood_verdict {
    ok,      ///< within the limit: handle it
    notify,  ///< first message over the limit in this window: send the one polite notice
    silent   ///< over the limit, notice already sent: ignore
};
/// Counts one message in the user's fixed one-minute window and says what to do with it. `u` is
/// the stored row as loaded for this message (touch_and_find_user), so its window is not read
/// again. @throws SQLite::Exception
[[nodiscard]] flood_verdict count_message(SQLite::Database& db, const user& u, std::int64_t now_ms,
                                          unsigned limit_per_minute);

}  // namespace storage

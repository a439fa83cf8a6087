// Broadcasts: the broadcast rows, their expanded recipients, and delivery counts from the outbox.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite {
class Database;
}

namespace storage {

/// Where a broadcast is in its life: scheduled → sending (⇄ waiting_quota) → done, or cancelled.
enum class broadcast_state { scheduled, sending, waiting_quota, done, cancelled };

/// The stored word ("waiting_quota"); also the API's and the console's key for it.
[[nodiscard]] std::string_view to_string(broadcast_state s);
/// The state a stored word names. @throws std::invalid_argument for a word no version wrote
[[nodiscard]] broadcast_state parse_broadcast_state(std::string_view s);

/// One broadcast as stored.
struct broadcast_row {
    std::int64_t id = 0;
    std::string created_by;
    std::string text;          ///< mustache template or plain text
    std::string buttons_json;  ///< JSON array [{"title", "url"}] ("[]" when none)
    std::string target_json;   ///< JSON {"units": [...], "villages": [...]}
    std::int64_t scheduled_at = 0;  ///< Unix ms
    std::string local_day;     ///< local date of scheduled_at
    broadcast_state state = broadcast_state::scheduled;
    std::optional<std::int64_t> recipients;  ///< set once expanded
    std::int64_t created_at = 0;
    std::optional<std::int64_t> started_at;
    std::optional<std::int64_t> finished_at;
};

/// A follower a broadcast may go to, with what the template needs.
struct broadcast_follower {
    std::string user_id;
    std::string unit_id;
    std::string village;
    std::string display_name;
    bool is_follower = false;
    bool opted_out = false;
    std::string oa;  ///< the Official Account the user follows/wrote to (users.oa; '' = the default)
};

/// Per-recipient counts of one broadcast, derived from its recipients' outbox rows.
struct broadcast_counts {
    std::int64_t recipients = 0;  ///< expanded recipients
    std::int64_t waiting = 0;     ///< not yet enqueued (quota, hours)
    std::int64_t queued = 0;      ///< enqueued to the outbox (any outbox state)
    std::int64_t pending = 0;     ///< outbox pending or sending
    std::int64_t sent = 0;        ///< outbox state sent
    std::int64_t failed = 0;      ///< outbox state failed
    std::int64_t received = 0;    ///< delivered_at or seen_at set
    std::int64_t seen = 0;        ///< seen_at set
    std::int64_t cancelled = 0;   ///< cancelled before sending (outbox row or waiting recipient)
    std::int64_t excluded = 0;    ///< unfollowed or opted out while waiting
};

/// Totals over broadcasts scheduled in a period of local days (report "Broadcasts").
struct broadcast_period_totals {
    std::int64_t count = 0;       ///< broadcasts that started sending
    std::int64_t recipients = 0;  ///< messages enqueued to recipients (excluding cancelled before sending)
    std::int64_t sent = 0;        ///< accepted by Zalo
    std::int64_t received = 0;
    std::int64_t seen = 0;
    std::int64_t failed = 0;
};

/// Stores a new broadcast (state `scheduled`) and returns its id. @throws SQLite::Exception
std::int64_t insert_broadcast(SQLite::Database& db, const broadcast_row& b);

/// The broadcast with this id. @throws SQLite::Exception
[[nodiscard]] std::optional<broadcast_row> find_broadcast(SQLite::Database& db, std::int64_t id);

/// Every broadcast, newest first (at most `limit`). @throws SQLite::Exception
[[nodiscard]] std::vector<broadcast_row> list_broadcasts(SQLite::Database& db, int limit = 200);

/// Broadcasts due at `now_ms` that still have work (scheduled, sending, waiting_quota), oldest
/// scheduled first. @throws SQLite::Exception
[[nodiscard]] std::vector<broadcast_row> due_broadcasts(SQLite::Database& db, std::int64_t now_ms);

/// Sets the state (and finished_at when given). @throws SQLite::Exception
void set_broadcast_state(SQLite::Database& db, std::int64_t id, broadcast_state state,
                         std::optional<std::int64_t> finished_at = std::nullopt);

/// A place a broadcast reaches: a unit's followers, or only those of one of its villages.
struct follower_place {
    std::string unit_id;
    std::string village;  ///< "" = the whole unit
};

/// Current followers matching the target, ordered by user id: is_follower = 1, not opted out, and
/// in one of `places` (their unit_id, and their village when the place names one). Every follower
/// when `places` is empty: callers decide that only for an explicit "all". @throws SQLite::Exception
[[nodiscard]] std::vector<broadcast_follower> select_followers(SQLite::Database& db, const std::vector<follower_place>& places);

/// Stores the expanded recipients (state waiting, seq in the given order), sets the broadcast's
/// recipients count, started_at and state `sending`. Call inside a transaction. @throws SQLite::Exception
void insert_recipients(SQLite::Database& db, std::int64_t broadcast_id, const std::vector<std::string>& user_ids,
                       std::int64_t now_ms);

/// Waiting recipients in sending order, with their current follower data. @throws SQLite::Exception
[[nodiscard]] std::vector<broadcast_follower> waiting_recipients(SQLite::Database& db, std::int64_t broadcast_id);

/// Marks a recipient queued with its outbox row. @throws SQLite::Exception
void mark_recipient_queued(SQLite::Database& db, std::int64_t broadcast_id, const std::string& user_id,
                           std::int64_t outbox_id);
/// Marks a waiting recipient excluded (unfollowed or opted out since expansion). @throws SQLite::Exception
void mark_recipient_excluded(SQLite::Database& db, std::int64_t broadcast_id, const std::string& user_id);

/// Broadcast messages enqueued since `since_ms` and not cancelled (they count against Zalo's
/// daily quota). @throws SQLite::Exception
[[nodiscard]] std::int64_t broadcast_messages_since(SQLite::Database& db, std::int64_t since_ms);
/// The same per Official Account, as stored in outbox.oa ('' = the default OA's older rows).
/// @throws SQLite::Exception
[[nodiscard]] std::map<std::string, std::int64_t> broadcast_messages_by_oa_since(SQLite::Database& db, std::int64_t since_ms);
/// Recipients that already have a promotion message enqueued since `since_ms` (Zalo allows one
/// promotion per user per day). @throws SQLite::Exception
[[nodiscard]] std::set<std::string> promoted_recipients_since(SQLite::Database& db, std::int64_t since_ms);

/// The daily quota Zalo reported (meta `key`, by default `broadcast_daily_quota`: the default
/// OA's; bot::quota_meta_key names another OA's), if any and valid. @throws SQLite::Exception
[[nodiscard]] std::optional<std::int64_t> reported_daily_quota(SQLite::Database& db,
                                                               const std::string& key = "broadcast_daily_quota");

/// Counts of one broadcast. @throws SQLite::Exception
[[nodiscard]] broadcast_counts count_broadcast(SQLite::Database& db, std::int64_t broadcast_id);

/// Cancels what is not sent yet: pending outbox rows become `cancelled`, waiting recipients
/// `cancelled`, the broadcast `cancelled` with finished_at. Returns the number of messages stopped.
/// Call inside a transaction. @throws SQLite::Exception
std::int64_t cancel_unsent(SQLite::Database& db, std::int64_t broadcast_id, std::int64_t now_ms);

/// Totals over broadcasts whose local_day is in [from_day, to_day] ('YYYY-MM-DD'): count of
/// broadcasts that started sending (including ones cancelled midway), recipients (messages
/// enqueued, excluding those cancelled before sending), received (delivered or seen), seen, failed.
/// With `units`, only recipients whose users.unit_id is listed (and broadcasts that reached one).
/// @throws SQLite::Exception
[[nodiscard]] broadcast_period_totals broadcast_totals(SQLite::Database& db, const std::string& from_day,
                                                       const std::string& to_day,
                                                       const std::vector<std::string>& units = {});

}  // namespace storage

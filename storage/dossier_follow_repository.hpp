// Citizens following their dossier, and the status notices imports give rise to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite {
class Database;
}

namespace storage {

/// Starts (or restarts) `user_id` following `code` with the receipt's phone. True when they were
/// not following it already. @throws SQLite::Exception
bool follow_dossier(SQLite::Database& db, const std::string& code, const std::string& user_id, const std::string& phone,
                    std::int64_t now_ms);
/// Stops following one dossier; false when they were not following it. @throws SQLite::Exception
bool unfollow_dossier(SQLite::Database& db, const std::string& code, const std::string& user_id, std::int64_t now_ms);
/// Stops following every dossier; returns how many. @throws SQLite::Exception
std::size_t unfollow_all(SQLite::Database& db, const std::string& user_id, std::int64_t now_ms);
/// The dossiers `user_id` follows, by code. @throws SQLite::Exception
[[nodiscard]] std::vector<std::string> followed_dossiers(SQLite::Database& db, const std::string& user_id);
/// Number of citizens following `code`. @throws SQLite::Exception
[[nodiscard]] std::int64_t count_followers(SQLite::Database& db, const std::string& code);
/// True when `user_id` follows `code`. @throws SQLite::Exception
[[nodiscard]] bool follows(SQLite::Database& db, const std::string& code, const std::string& user_id);

/// The code a citizen was asked the phone for ("Theo dõi hồ sơ này"), if asked since `since_ms`.
/// @throws SQLite::Exception
[[nodiscard]] std::optional<std::string> pending_follow(SQLite::Database& db, const std::string& user_id, std::int64_t since_ms);
/// Remembers (code non-empty) or forgets (empty) the code a citizen is asked the phone for.
/// @throws SQLite::Exception
void set_pending_follow(SQLite::Database& db, const std::string& user_id, const std::string& code, std::int64_t now_ms);

/// Failed follow attempts (wrong code or phone) of `user_id` on `local_day`. @throws SQLite::Exception
[[nodiscard]] int follow_failures(SQLite::Database& db, const std::string& user_id, const std::string& local_day);
/// Counts one more failed attempt; returns the day's count. @throws SQLite::Exception
int record_follow_failure(SQLite::Database& db, const std::string& user_id, const std::string& local_day);

/// A follower to tell about a change.
struct change_follower {
    std::string user_id;
    std::string phone;                          ///< the receipt's phone (digits)
    std::optional<std::int64_t> last_interaction_at;  ///< Zalo's 7-day window
    std::int64_t followed_at = 0;               ///< Unix ms
    std::string oa;                             ///< the OA they wrote to ('' = default): a ZNS goes through it
};

/// A dossier change waiting for its notices, with what the notice says.
struct pending_change {
    std::int64_t id = 0;
    std::string code;
    std::string old_state, new_state;
    std::string old_due_on, new_due_on;
    std::string procedure, unit_id, channel;
    std::string returned_on;
    std::string fields;  ///< changed columns, or overdue_change_marker
    std::vector<change_follower> followers;  ///< active followers now
};

/// `dossier_changes.fields` of a change that is no import's: the dossier passed its due date
/// still open, and its followers are owed the apology.
inline constexpr const char* overdue_change_marker = "#overdue";

/// Records a change pending a notice for each followed dossier that is still open (received,
/// processing, supplement) after its due date (due_on < `today`) and has had none for that due
/// date: followers get the apology once per due date; a later due date (from an import) that
/// passes again gets another. Returns how many were recorded. @throws SQLite::Exception
std::size_t record_overdue_changes(SQLite::Database& db, const std::string& today, std::int64_t now_ms);
/// Up to `limit` changes whose notice is pending, oldest first. @throws SQLite::Exception
[[nodiscard]] std::vector<pending_change> pending_notice_changes(SQLite::Database& db, std::size_t limit);

/// Whether a notice went into the outbox (queued) or could not reach the follower at all
/// (undeliverable: outside Zalo's 7-day window with no ZNS template or phone).
enum class notice_status { queued, undeliverable };

/// The stored word ("undeliverable").
[[nodiscard]] std::string_view to_string(notice_status s);
/// The status a stored word names. @throws std::invalid_argument for a word no version wrote
[[nodiscard]] notice_status parse_notice_status(std::string_view s);

/// One notice as recorded (sent at most once per change and follower).
struct notice_row {
    std::int64_t change_id = 0;
    std::string user_id;
    std::string code;
    std::string kind;     ///< the new state, rescheduled (a later due date) or overdue
    std::string channel;  ///< cs | zns | none
    notice_status status = notice_status::queued;
    std::optional<std::int64_t> outbox_id;
    std::string unit_id;
    std::string local_day;
};
/// Records notices before anything is queued: a row for a change and follower already recorded
/// is left as it was. Returns, per row, whether it is new (only new ones may be queued).
/// @throws SQLite::Exception
std::vector<bool> claim_notices(SQLite::Database& db, const std::vector<notice_row>& rows, std::int64_t now_ms);
/// Stores the outbox id of each queued notice (rows with outbox_id set). @throws SQLite::Exception
void set_notice_outboxes(SQLite::Database& db, const std::vector<notice_row>& rows);
/// Marks changes' notices done. @throws SQLite::Exception
void mark_changes_noticed(SQLite::Database& db, const std::vector<std::int64_t>& change_ids);

}  // namespace storage

// Reminders sent (one row per kind, dossier, recipient and local day) and what the scan reads.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace SQLite {
class Database;
}

namespace storage {

/// Whether a reminder went into the outbox (queued) or why it could not: the official has no
/// Zalo account reachable and no phone (no_zalo), or a phone but no ZNS template is configured
/// (no_template).
enum class reminder_status { queued, no_zalo, no_template };

/// The stored word ("no_zalo"); also the console's message key and `remind --json`'s status.
[[nodiscard]] std::string_view to_string(reminder_status s);
/// The status a stored word names. @throws std::invalid_argument for a word no version wrote
[[nodiscard]] reminder_status parse_reminder_status(std::string_view s);

/// One reminder as recorded.
struct reminder_row {
    std::string kind;          ///< due_soon | overdue | escalation | digest
    std::string dossier_code;  ///< "" for a digest
    std::string recipient;     ///< official id
    std::string local_day;     ///< 'YYYY-MM-DD'
    std::string unit_id;
    std::string channel;       ///< cs | template | none
    reminder_status status = reminder_status::queued;
    std::optional<std::int64_t> outbox_id;
    std::string reason = {};   ///< channel none: why nobody can receive it (bot::reachability::reason)
};

/// Records a reminder unless the same (kind, dossier, recipient, day) exists. True when recorded.
/// @throws SQLite::Exception
bool record_reminder(SQLite::Database& db, const reminder_row& r, std::int64_t now_ms);
/// Sets the outbox id of a recorded reminder. @throws SQLite::Exception
void set_reminder_outbox(SQLite::Database& db, const reminder_row& r, std::int64_t outbox_id);
/// record_reminder for many rows with one prepared statement; element i tells whether row i was
/// recorded. Call inside a transaction. @throws SQLite::Exception
[[nodiscard]] std::vector<bool> record_reminders(SQLite::Database& db, const std::vector<reminder_row>& rows, std::int64_t now_ms);
/// set_reminder_outbox for many rows with one prepared statement. @throws SQLite::Exception
void set_reminder_outboxes(SQLite::Database& db, const std::vector<reminder_row>& rows, const std::vector<std::int64_t>& outbox_ids);
/// Keys "kind|dossier|recipient" already recorded for a local day. @throws SQLite::Exception
[[nodiscard]] std::set<std::string> reminder_keys_on(SQLite::Database& db, const std::string& local_day);
/// (dossier, recipient) pairs that were ever escalated. @throws SQLite::Exception
[[nodiscard]] std::set<std::pair<std::string, std::string>> escalated_pairs(SQLite::Database& db);
/// Reminders recorded on a day (tests, reports). @throws SQLite::Exception
[[nodiscard]] std::vector<reminder_row> reminders_on(SQLite::Database& db, const std::string& local_day);
/// When this Zalo user last interacted with the OA (users.last_interaction_at, Unix ms).
/// @throws SQLite::Exception
[[nodiscard]] std::optional<std::int64_t> last_interaction_at(SQLite::Database& db, const std::string& zalo_user_id);

/// The key used by reminder_keys_on.
[[nodiscard]] std::string reminder_key(const std::string& kind, const std::string& dossier, const std::string& recipient);

}  // namespace storage

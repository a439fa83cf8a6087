// Read-only queries behind the console's pages. Unit lists passed here are the result of
// bot::unit_scope::covers (the console decides scope; these only filter by it).
#pragma once

#include "storage/interaction_repository.hpp"
#include "storage/outbox_repository.hpp"
#include "storage/reminder_repository.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace storage {

/// A filter on unit ids: `all`, or exactly these ids ("" stands for citizens without a unit).
struct unit_filter {
    bool all = false;
    std::vector<std::string> units;
};

/// Citizens' questions of one local day (the report's definitions: inbound texts that are not
/// official commands; answered = a topic answer or a dossier lookup).
struct day_questions {
    std::string day;
    std::int64_t questions = 0;
    std::int64_t answered = 0;
};
/// Every day in [from_day, to_day] that had questions, in order. @throws SQLite::Exception
[[nodiscard]] std::vector<day_questions> questions_by_day(SQLite::Database& db, const std::string& from_day,
                                                          const std::string& to_day, const unit_filter& units);

/// Unresolved dossiers of one unit, by due date.
struct unit_dossier_counts {
    std::string unit_id;
    std::int64_t open = 0;
    std::int64_t overdue = 0;   ///< due before `today`
    std::int64_t due_soon = 0;  ///< due from `today` to `horizon`
};
/// Per unit, every unit with unresolved dossiers. @throws SQLite::Exception
[[nodiscard]] std::vector<unit_dossier_counts> dossier_counts_by_unit(SQLite::Database& db, const std::string& today,
                                                                      const std::string& horizon);
/// The same per assigned official ("" = unassigned) within the units. @throws SQLite::Exception
struct official_dossier_counts {
    std::string official_id;
    std::string name;  ///< "" when unassigned or unknown
    std::int64_t open = 0, overdue = 0, due_soon = 0;
};
[[nodiscard]] std::vector<official_dossier_counts> dossier_counts_by_official(SQLite::Database& db, const std::string& today,
                                                                              const std::string& horizon, const unit_filter& units);

/// One open hand-off with what the inbox shows.
struct inbox_row {
    std::int64_t id = 0;
    std::string user_id;
    std::string citizen_name;  ///< the Zalo display name, if known
    std::string unit_id;
    std::string village;
    std::int64_t opened_at = 0;
    std::string reason;
    std::string question;
    std::optional<std::int64_t> first_answer_at;
    std::optional<std::int64_t> last_message_at;  ///< the citizen's latest message
    std::string assigned_to;                      ///< official id handed over to
    std::string assigned_name;
};
/// Every open hand-off, oldest first. @throws SQLite::Exception
[[nodiscard]] std::vector<inbox_row> open_inbox(SQLite::Database& db);
/// One hand-off (open or closed) with the same details. @throws SQLite::Exception
[[nodiscard]] std::optional<inbox_row> inbox_item(SQLite::Database& db, std::int64_t id);

/// One message of a citizen's conversation.
struct history_message {
    std::int64_t at = 0;
    std::string direction;  ///< in | out
    std::string kind;
    interaction_outcome outcome = interaction_outcome::none;
    std::string text;
};
/// The latest `limit` messages to and from a user, oldest first. @throws SQLite::Exception
[[nodiscard]] std::vector<history_message> conversation_history(SQLite::Database& db, const std::string& user_id, int limit);

/// A dossier row of the console's list.
struct dossier_row {
    std::string code, procedure, field, unit_id, channel;
    std::string received_on, due_on, returned_on;
    std::string official_id, official_name;
    std::int64_t reminders = 0;       ///< reminders recorded for it
    std::int64_t undeliverable = 0;   ///< ... that could not be sent (no channel, or failed)
};
/// Filters of the dossier list; empty strings match everything.
struct dossier_list_filter {
    unit_filter units;
    std::string unit_id;      ///< one unit
    std::string official_id;  ///< one assigned official ("-" = unassigned)
    std::string status;       ///< open | overdue | due_soon | returned | all ("" = open)
    std::string search;       ///< part of the code or the procedure
    std::string today, horizon;
    int limit = 200;
};
/// Matching dossiers, the most urgent first. @throws SQLite::Exception
[[nodiscard]] std::vector<dossier_row> list_dossier_rows(SQLite::Database& db, const dossier_list_filter& f);

/// One reminder of a dossier with what became of its message.
struct reminder_history_row {
    std::string kind, recipient, recipient_name, local_day, channel;
    storage::reminder_status status = storage::reminder_status::queued;
    std::int64_t created_at = 0;
    std::optional<storage::outbox_state> outbox_state;  ///< none: never queued
    std::optional<int> error_code;
    std::string error_reason;
    std::optional<std::int64_t> sent_at, delivered_at, seen_at;
};
/// Every reminder recorded for a dossier, newest first. @throws SQLite::Exception
[[nodiscard]] std::vector<reminder_history_row> reminder_history(SQLite::Database& db, const std::string& code);

/// One unanswered question not yet dealt with.
struct open_question {
    std::int64_t id = 0;
    std::int64_t at = 0;
    std::string local_day;
    std::string user_id;
    std::string unit_id;  ///< the asker's unit ("" when not chosen)
    std::string text;
    std::string normalized;
};
/// Unanswered questions since `since_ms` whose normalised text was not attached or dismissed
/// after they were asked, newest first, at most `limit`. @throws SQLite::Exception
[[nodiscard]] std::vector<open_question> open_questions(SQLite::Database& db, std::int64_t since_ms, int limit);

/// When each linked official's Zalo account last wrote to the OA (the 7-day window), by official id.
/// @throws SQLite::Exception
[[nodiscard]] std::vector<std::pair<std::string, std::int64_t>> officials_last_interaction(SQLite::Database& db);

}  // namespace storage

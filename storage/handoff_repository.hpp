// Hand-offs (a citizen's conversation passed to officials) and questions the bot could not answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace storage {

/// One hand-off as stored.
struct handoff {
    std::int64_t id = 0;
    std::string user_id;
    std::string unit_id;
    std::int64_t opened_at = 0;
    std::string reason;    ///< asked | fallbacks
    std::string question;
    std::optional<std::int64_t> first_answer_at;
    std::optional<std::int64_t> closed_at;
    std::string closed_by;
};

/// Opens a hand-off for the user; returns its number. @throws SQLite::Exception (also when one is open)
std::int64_t open_handoff(SQLite::Database& db, const std::string& user_id, const std::string& unit_id,
                          const std::string& reason, const std::string& question, std::int64_t now_ms);
/// The user's open hand-off, or nullopt. @throws SQLite::Exception
[[nodiscard]] std::optional<handoff> open_handoff_of(SQLite::Database& db, const std::string& user_id);
/// The hand-off with this number, or nullopt. @throws SQLite::Exception
[[nodiscard]] std::optional<handoff> find_handoff(SQLite::Database& db, std::int64_t id);
/// Every open hand-off, oldest first. @throws SQLite::Exception
[[nodiscard]] std::vector<handoff> open_handoffs(SQLite::Database& db);
/// Records the first human answer (kept when already set). @throws SQLite::Exception
void record_first_answer(SQLite::Database& db, std::int64_t id, std::int64_t now_ms);
/// Closes the hand-off; false when it was already closed or does not exist. @throws SQLite::Exception
bool close_handoff(SQLite::Database& db, std::int64_t id, const std::string& closed_by, std::int64_t now_ms);

/// Records a question the knowledge base could not answer. @throws SQLite::Exception
void record_unanswered(SQLite::Database& db, std::int64_t at_ms, const std::string& local_day, const std::string& user_id,
                       const std::string& text, const std::string& normalized);
/// The user's most recent unanswered question since `since_ms`, or nullopt. @throws SQLite::Exception
[[nodiscard]] std::optional<std::string> last_unanswered(SQLite::Database& db, const std::string& user_id,
                                                         std::int64_t since_ms);

}  // namespace storage

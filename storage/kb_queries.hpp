// Read-only queries for the knowledge-base editors (the conversation area writes `unanswered`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace storage {

/// A question the bot could not answer, grouped by its normalised text.
struct unanswered_question {
    std::string text;        ///< the most recent wording as typed
    std::string normalized;  ///< normalised text (the grouping key)
    std::int64_t count = 0;  ///< how many times it was asked in the period
    std::int64_t last_at = 0;       ///< Unix ms of the latest occurrence
    std::string last_day;    ///< local 'YYYY-MM-DD' of the latest occurrence
};

/// Unanswered questions between two local days (inclusive; empty = unbounded), most frequent
/// first, at most `limit`. @throws SQLite::Exception
[[nodiscard]] std::vector<unanswered_question> list_unanswered(SQLite::Database& db, const std::string& from_day,
                                                               const std::string& to_day, int limit);

}  // namespace storage

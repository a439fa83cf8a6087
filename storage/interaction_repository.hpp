// The interaction log: every inbound and outbound message, for the report metrics.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace SQLite {
class Database;
}

namespace storage {

/// One logged message.
struct interaction {
    std::int64_t at = 0;        ///< Unix ms
    std::string local_day;      ///< 'YYYY-MM-DD' (UTC+7)
    std::string user_id;
    std::string unit_id;
    std::string direction;      ///< in | out
    std::string kind;           ///< text | image | sticker | follow | button | ...
    std::string topic;
    std::string outcome;        ///< answered | clarified | fallback | lookup | command | handoff | ""
    std::string text;
    std::optional<std::int64_t> latency_ms;
    std::string oa;             ///< the Official Account it came in or went out through ([[oa]] id)
};

/// Appends one interaction and returns its id. @throws SQLite::Exception
std::int64_t log_interaction(SQLite::Database& db, const interaction& i);

/// Sets the reply latency of an inbound interaction once (the first reply's Zalo call); returns
/// false when it was already set or the row is gone. @throws SQLite::Exception
bool record_reply_latency(SQLite::Database& db, std::int64_t interaction_id, std::int64_t latency_ms);

}  // namespace storage

// The interaction log: every inbound and outbound message, for the report metrics.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace SQLite {
class Database;
}

namespace storage {

/// How the bot dealt with an inbound message: answered a topic, asked back (clarified), could not
/// help (fallback), looked a dossier up, ran a command, handed over to an official; none when it
/// records no outcome (outbound messages, follows, non-text kept quiet, floods).
enum class interaction_outcome { none, answered, clarified, fallback, lookup, command, handoff };

/// The stored word ("answered"; "" for none, which is stored as NULL).
[[nodiscard]] std::string_view to_string(interaction_outcome o);
/// The outcome a stored word names ("" for none). @throws std::invalid_argument for a word no version wrote
[[nodiscard]] interaction_outcome parse_interaction_outcome(std::string_view s);

/// One logged message.
struct interaction {
    std::int64_t at = 0;        ///< Unix ms
    std::string local_day;      ///< 'YYYY-MM-DD' (UTC+7)
    std::string user_id;
    std::string unit_id;
    std::string direction;      ///< in | out
    std::string kind;           ///< text | image | sticker | follow | button | ...
    std::string topic;
    interaction_outcome outcome = interaction_outcome::none;
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

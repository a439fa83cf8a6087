// The outbox: outbound messages stored before they are sent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace storage {

/// A message to store for sending.
struct outbox_item {
    std::string recipient;
    std::string channel;    ///< cs | transaction | promotion | zns
    int priority = 0;       ///< 0 reply, 1 reminder, 2 broadcast
    std::string body_json;  ///< zalo::to_json(outgoing_message)
    std::string purpose = "reply";
    std::string ref;
    std::optional<std::int64_t> broadcast_id;
    std::optional<std::int64_t> event_seq;
};

/// Stores the items (pending, due now) and returns their ids in order. Each gets a tracking id
/// that stays the same across resends. Call inside the caller's transaction.
/// @throws SQLite::Exception
std::vector<std::int64_t> enqueue(SQLite::Database& db, const std::vector<outbox_item>& items, std::int64_t now_ms);

/// Number of messages not yet final (pending or sending).
[[nodiscard]] std::int64_t outbox_depth(SQLite::Database& db);

}  // namespace storage

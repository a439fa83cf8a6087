// The one way into the outbox: replies, reminders, broadcasts and hand-off answers all queue here.
#pragma once

#include "bot/zalo/outgoing.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace SQLite {
class Database;
}

namespace zalo {

/// What a queued message answers, so the reply latency (event arrival → Zalo call) can be
/// measured when it is sent. Empty for messages nobody asked for (reminders, broadcasts).
struct message_origin {
    std::optional<std::int64_t> event_seq;       ///< the webhook event it answers
    std::optional<std::int64_t> received_at_ms;  ///< when that event arrived (Unix ms)
    std::optional<std::int64_t> interaction_id;  ///< the inbound interaction it answers
};

/// Stores `messages` in the outbox (pending, due now), in order, inside the caller's transaction
/// (or its own), and returns their outbox ids. Nothing else is needed to send them: the worker
/// wakes the outbox sender after the transaction that queued them commits (storage::outbox_watch),
/// also when the caller forgets to notify. An empty `purpose` is stored as "reply".
/// @throws SQLite::Exception
std::vector<std::int64_t> queue_messages(SQLite::Database& db, const std::vector<outgoing_message>& messages,
                                         std::int64_t now_ms, const message_origin& origin = {});

}  // namespace zalo

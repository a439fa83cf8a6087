// The outbox: outbound messages stored before they are sent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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
    std::optional<std::int64_t> origin_at;       ///< arrival of the event it answers (Unix ms)
    std::optional<std::int64_t> interaction_id;  ///< the inbound interaction it answers
    std::string oa{};  ///< the Official Account it goes through; '' = the recipient's (users.oa / officials.oa)
};

/// Stores the items (pending, due now) and returns their ids in order. Each gets a tracking id
/// that stays the same across resends. Call inside the caller's transaction. Code outside
/// storage queues through zalo::queue_messages (bot/zalo/outbox.hpp), the one way in.
/// @throws SQLite::Exception
std::vector<std::int64_t> enqueue(SQLite::Database& db, const std::vector<outbox_item>& items, std::int64_t now_ms);

/// Number of messages not yet final (pending or sending).
[[nodiscard]] std::int64_t outbox_depth(SQLite::Database& db);

/// Where an outbound message is: pending (due at next_attempt_at) → sending → sent, or back to
/// pending for a retry, or failed (given up), or cancelled (a broadcast stopped before it went).
enum class outbox_state { pending, sending, sent, failed, cancelled };

/// The stored word ("pending").
[[nodiscard]] std::string_view to_string(outbox_state s);
/// The state a stored word names. @throws std::invalid_argument for a word no version wrote
[[nodiscard]] outbox_state parse_outbox_state(std::string_view s);

/// One stored outbound message.
struct outbox_row {
    std::int64_t id = 0;
    std::string tracking_id;
    std::string recipient;
    std::string channel;
    int priority = 0;
    std::string body_json;
    std::string purpose;
    outbox_state state = outbox_state::pending;
    int attempts = 0;
    int parts_sent = 0;
    int resends = 0;
    std::string zalo_msg_id;
    std::optional<int> error_code;
    std::string error_reason;
    std::optional<std::int64_t> broadcast_id;
    std::int64_t next_attempt_at = 0;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> sent_at, delivered_at, seen_at;
    std::optional<std::int64_t> origin_at;       ///< arrival of the event it answers
    std::optional<std::int64_t> interaction_id;  ///< the inbound interaction it answers
    std::string oa{};                            ///< the Official Account it goes through ('' = default)
};

/// Pending messages due at `now_ms` that are first in their recipient's queue (no older
/// unfinished message to the same recipient), lowest priority value first, then oldest; none of
/// the OAs in `held_oas` (as stored: '' is the default OA's rows), whose tokens cannot be had now.
/// @throws SQLite::Exception
[[nodiscard]] std::vector<outbox_row> ready_messages(SQLite::Database& db, std::int64_t now_ms, int limit,
                                                     const std::vector<std::string>& held_oas = {});

/// The row with this id. @throws SQLite::Exception
[[nodiscard]] std::optional<outbox_row> get_outbox(SQLite::Database& db, std::int64_t id);
/// The row with this tracking id. @throws SQLite::Exception
[[nodiscard]] std::optional<outbox_row> get_outbox_by_tracking(SQLite::Database& db, const std::string& tracking_id);

/// The highest outbox id (0 when empty): a cheap probe for rows other processes queued.
/// @throws SQLite::Exception
[[nodiscard]] std::int64_t last_outbox_id(SQLite::Database& db);

/// The earliest next_attempt_at among pending messages. @throws SQLite::Exception
[[nodiscard]] std::optional<std::int64_t> next_due_at(SQLite::Database& db);

/// pending → sending, one more attempt; persisted before the request goes out. Returns false when
/// the row is no longer pending (cancelled meanwhile). @throws SQLite::Exception
bool mark_sending(SQLite::Database& db, std::int64_t id, std::int64_t now_ms);
/// A part of a long text went out. @throws SQLite::Exception
void mark_part_sent(SQLite::Database& db, std::int64_t id, int parts_sent, const std::string& zalo_msg_id);
/// Final: sent with Zalo's message id. @throws SQLite::Exception
void mark_sent(SQLite::Database& db, std::int64_t id, const std::string& zalo_msg_id, std::int64_t now_ms);
/// Back to pending, to be tried at `next_at_ms`, with the last error. @throws SQLite::Exception
void mark_retry(SQLite::Database& db, std::int64_t id, std::int64_t next_at_ms, int code, const std::string& reason);
/// Takes back the attempt counted by mark_sending (the try never reached Zalo). @throws SQLite::Exception
void uncount_attempt(SQLite::Database& db, std::int64_t id);
/// Final: failed with a code and reason. @throws SQLite::Exception
void mark_failed(SQLite::Database& db, std::int64_t id, int code, const std::string& reason, std::int64_t now_ms);
/// Moves a message to another channel with a new body (window fallback to ZNS); stays sending.
/// @throws SQLite::Exception
void switch_channel(SQLite::Database& db, std::int64_t id, const std::string& channel, const std::string& body_json);

/// Cancels a message that has not gone out (pending). Returns true when it did. @throws SQLite::Exception
bool cancel_message(SQLite::Database& db, std::int64_t id, std::int64_t now_ms);
/// Cancels every pending message of a broadcast; returns how many. @throws SQLite::Exception
int cancel_broadcast_messages(SQLite::Database& db, std::int64_t broadcast_id, std::int64_t now_ms);

/// What start-up recovery did.
struct resume_report {
    int resend = 0;  ///< left 'sending' by a crash: will be resent once, same tracking id
    int failed = 0;  ///< left 'sending' again after a resend: failed (outcome unknown), not sent a third time
};
/// Recovers rows a crash left in 'sending'. Call once at start, before sending.
/// @throws SQLite::Exception
resume_report resume_interrupted(SQLite::Database& db, std::int64_t now_ms);

/// Receipts: set delivered_at / seen_at where unset; return the number of rows changed.
/// @throws SQLite::Exception
int mark_delivered_by_msg_id(SQLite::Database& db, const std::string& zalo_msg_id, std::int64_t at_ms);
int mark_delivered_by_tracking(SQLite::Database& db, const std::string& tracking_id, std::int64_t at_ms);
int mark_seen_by_msg_id(SQLite::Database& db, const std::string& zalo_msg_id, std::int64_t at_ms);

/// Sets a key in table meta. @throws SQLite::Exception
void set_meta(SQLite::Database& db, const std::string& key, const std::string& value);
/// A key of table meta. @throws SQLite::Exception
[[nodiscard]] std::optional<std::string> get_meta(SQLite::Database& db, const std::string& key);

}  // namespace storage

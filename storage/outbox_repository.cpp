// Outbox storage.
#include "storage/outbox_repository.hpp"

#include "storage/sql_list.hpp"
#include "storage/stored_words.hpp"
#include "storage/write_scope.hpp"

#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace storage {

namespace {
constexpr detail::word_table<outbox_state, 5> outbox_state_words{{
    {outbox_state::pending, "pending"},
    {outbox_state::sending, "sending"},
    {outbox_state::sent, "sent"},
    {outbox_state::failed, "failed"},
    {outbox_state::cancelled, "cancelled"},
}};
}  // namespace

std::string_view to_string(outbox_state s) { return detail::word_of(outbox_state_words, s); }

outbox_state parse_outbox_state(std::string_view s) {
    return detail::value_of(outbox_state_words, s, "outbox state");
}

std::vector<std::int64_t> enqueue(SQLite::Database& db, const std::vector<outbox_item>& items, std::int64_t now_ms) {
    std::vector<std::int64_t> ids;
    if (items.empty()) return ids;
    ids.reserve(items.size());
    // Ids are chosen here, inside a write transaction (the caller's, or our own), so the tracking id, derived
    // from the row id and reused by a resend after a crash, goes in with the row: one statement
    // per message instead of an insert and an update.
    write_scope tx(db);
    std::int64_t next = last_outbox_id(db) + 1;
    // A message without an OA goes through its recipient's: Zalo user ids belong to one OA, and
    // the user row (or the official linked on it) says which ('' = the default OA).
    statement ins(db,
                          "INSERT INTO outbox (id, tracking_id, recipient, channel, priority, body, purpose, ref, broadcast_id,"
                          " event_seq, origin_at, interaction_id, state, attempts, next_attempt_at, created_at, oa)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'pending', 0, ?13, ?14,"
                          " COALESCE(NULLIF(?15, ''), (SELECT NULLIF(oa, '') FROM users WHERE user_id = ?3),"
                          " (SELECT NULLIF(oa, '') FROM officials WHERE zalo_user_id = ?3), ''))");
    auto opt = [&ins](int idx, const std::optional<std::int64_t>& v) {
        if (v) ins->bind(idx, *v); else ins->bind(idx);
    };
    for (const auto& it : items) {
        const std::int64_t id = next++;
        ins->reset();
        ins->clearBindings();
        ins->bind(1, id);
        ins->bind(2, "cb" + std::to_string(id));
        ins->bindNoCopy(3, it.recipient);
        ins->bindNoCopy(4, it.channel);
        ins->bind(5, it.priority);
        ins->bindNoCopy(6, it.body_json);
        ins->bindNoCopy(7, it.purpose);
        if (it.ref.empty()) ins->bind(8); else ins->bindNoCopy(8, it.ref);
        opt(9, it.broadcast_id);
        opt(10, it.event_seq);
        opt(11, it.origin_at);
        opt(12, it.interaction_id);
        ins->bind(13, now_ms);
        ins->bind(14, now_ms);
        ins->bindNoCopy(15, it.oa);
        ins->exec();
        ids.push_back(id);
    }
    tx.commit();
    return ids;
}

std::int64_t last_outbox_id(SQLite::Database& db) {
    statement q(db, "SELECT IFNULL(MAX(id), 0) FROM outbox");
    q->executeStep();
    return q->getColumn(0).getInt64();
}

std::int64_t outbox_depth(SQLite::Database& db) {
    statement q(db, "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')");
    q->executeStep();
    return q->getColumn(0).getInt64();
}

}  // namespace storage

namespace storage {

namespace {

const char* const row_columns =
    "id, tracking_id, recipient, channel, priority, body, purpose, state, attempts, parts_sent, resends, zalo_msg_id,"
    " error_code, error_reason, broadcast_id, next_attempt_at, created_at, sent_at, delivered_at, seen_at, origin_at,"
    " interaction_id, oa";

std::optional<std::int64_t> opt64(const SQLite::Column& c) {
    if (c.isNull()) return std::nullopt;
    return c.getInt64();
}

outbox_row read_row(SQLite::Statement& q) {
    outbox_row r;
    r.id = q.getColumn(0).getInt64();
    r.tracking_id = q.getColumn(1).getString();
    r.recipient = q.getColumn(2).getString();
    r.channel = q.getColumn(3).getString();
    r.priority = q.getColumn(4).getInt();
    r.body_json = q.getColumn(5).getString();
    r.purpose = q.getColumn(6).getString();
    r.state = parse_outbox_state(q.getColumn(7).getString());
    r.attempts = q.getColumn(8).getInt();
    r.parts_sent = q.getColumn(9).getInt();
    r.resends = q.getColumn(10).getInt();
    r.zalo_msg_id = q.getColumn(11).isNull() ? std::string{} : q.getColumn(11).getString();
    if (!q.getColumn(12).isNull()) r.error_code = q.getColumn(12).getInt();
    r.error_reason = q.getColumn(13).isNull() ? std::string{} : q.getColumn(13).getString();
    r.broadcast_id = opt64(q.getColumn(14));
    r.next_attempt_at = q.getColumn(15).getInt64();
    r.created_at = q.getColumn(16).getInt64();
    r.sent_at = opt64(q.getColumn(17));
    r.delivered_at = opt64(q.getColumn(18));
    r.seen_at = opt64(q.getColumn(19));
    r.origin_at = opt64(q.getColumn(20));
    r.interaction_id = opt64(q.getColumn(21));
    r.oa = q.getColumn(22).getString();
    return r;
}

}  // namespace

std::vector<outbox_row> ready_messages(SQLite::Database& db, std::int64_t now_ms, int limit,
                                       const std::vector<std::string>& held_oas) {
    // The IN term repeats the partial indexes' WHERE so SQLite may use outbox_ready and outbox_recipient.
    std::string sql = std::string("SELECT ") + row_columns +
                      " FROM outbox o WHERE state IN ('pending', 'sending') AND state = 'pending' AND next_attempt_at <= ?1"
                      " AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.recipient = o.recipient"
                      " AND p.state IN ('pending', 'sending') AND p.id < o.id)";
    // An OA without a usable token holds its messages back; the others' go on.
    if (!held_oas.empty()) sql += " AND o.oa NOT IN (SELECT value FROM json_each(?3))";
    sql += " ORDER BY priority, next_attempt_at, id LIMIT ?2";
    statement q(db, sql);  // one of two texts: cached
    q->bind(1, now_ms);
    q->bind(2, limit);
    if (!held_oas.empty()) q->bind(3, json_array(held_oas));
    std::vector<outbox_row> rows;
    while (q->executeStep()) rows.push_back(read_row(*q));
    return rows;
}

std::optional<outbox_row> get_outbox(SQLite::Database& db, std::int64_t id) {
    statement q(db, std::string("SELECT ") + row_columns + " FROM outbox WHERE id = ?");
    q->bind(1, id);
    if (!q->executeStep()) return std::nullopt;
    return read_row(*q);
}

std::optional<outbox_row> get_outbox_by_tracking(SQLite::Database& db, const std::string& tracking_id) {
    statement q(db, std::string("SELECT ") + row_columns + " FROM outbox WHERE tracking_id = ?");
    q->bind(1, tracking_id);
    if (!q->executeStep()) return std::nullopt;
    return read_row(*q);
}

std::optional<std::int64_t> next_due_at(SQLite::Database& db) {
    statement q(db, "SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending'");
    q->executeStep();
    return opt64(q->getColumn(0));
}

bool mark_sending(SQLite::Database& db, std::int64_t id, std::int64_t now_ms) {
    (void)now_ms;
    statement q(db, "UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE id = ? AND state = 'pending'");
    q->bind(1, id);
    return q->exec() > 0;
}

void mark_part_sent(SQLite::Database& db, std::int64_t id, int parts_sent, const std::string& zalo_msg_id) {
    statement q(db, "UPDATE outbox SET parts_sent = ?, zalo_msg_id = ? WHERE id = ?");
    q->bind(1, parts_sent);
    q->bind(2, zalo_msg_id);
    q->bind(3, id);
    q->exec();
}

void mark_sent(SQLite::Database& db, std::int64_t id, const std::string& zalo_msg_id, std::int64_t now_ms) {
    statement q(db,
                        "UPDATE outbox SET state = 'sent', zalo_msg_id = ?, sent_at = ?, error_code = NULL, error_reason = NULL"
                        " WHERE id = ?");
    q->bind(1, zalo_msg_id);
    q->bind(2, now_ms);
    q->bind(3, id);
    q->exec();
}

void mark_retry(SQLite::Database& db, std::int64_t id, std::int64_t next_at_ms, int code, const std::string& reason) {
    statement q(db,
                        "UPDATE outbox SET state = 'pending', next_attempt_at = ?, error_code = ?, error_reason = ?"
                        " WHERE id = ? AND state = 'sending'");
    q->bind(1, next_at_ms);
    q->bind(2, code);
    q->bind(3, reason);
    q->bind(4, id);
    q->exec();
}

void uncount_attempt(SQLite::Database& db, std::int64_t id) {
    statement q(db, "UPDATE outbox SET attempts = MAX(0, attempts - 1) WHERE id = ?");
    q->bind(1, id);
    q->exec();
}

void mark_failed(SQLite::Database& db, std::int64_t id, int code, const std::string& reason, std::int64_t now_ms) {
    (void)now_ms;
    statement q(db, "UPDATE outbox SET state = 'failed', error_code = ?, error_reason = ? WHERE id = ?");
    q->bind(1, code);
    q->bind(2, reason);
    q->bind(3, id);
    q->exec();
}

void switch_channel(SQLite::Database& db, std::int64_t id, const std::string& channel, const std::string& body_json) {
    statement q(db, "UPDATE outbox SET channel = ?, body = ?, parts_sent = 0 WHERE id = ?");
    q->bind(1, channel);
    q->bind(2, body_json);
    q->bind(3, id);
    q->exec();
}

bool cancel_message(SQLite::Database& db, std::int64_t id, std::int64_t now_ms) {
    (void)now_ms;
    statement q(db, "UPDATE outbox SET state = 'cancelled' WHERE id = ? AND state = 'pending'");
    q->bind(1, id);
    return q->exec() > 0;
}

int cancel_broadcast_messages(SQLite::Database& db, std::int64_t broadcast_id, std::int64_t now_ms) {
    (void)now_ms;
    statement q(db, "UPDATE outbox SET state = 'cancelled' WHERE broadcast_id = ? AND state = 'pending'");
    q->bind(1, broadcast_id);
    return q->exec();
}

resume_report resume_interrupted(SQLite::Database& db, std::int64_t now_ms) {
    resume_report rep;
    statement again(db,
                            "UPDATE outbox SET state = 'failed', error_code = 0,"
                            " error_reason = 'interrupted twice while sending; outcome unknown, not resent again'"
                            " WHERE state = 'sending' AND resends >= 1");
    rep.failed = again->exec();
    statement once(db,
                           "UPDATE outbox SET state = 'pending', resends = resends + 1, next_attempt_at = ?"
                           " WHERE state = 'sending'");
    once->bind(1, now_ms);
    rep.resend = once->exec();
    return rep;
}

int mark_delivered_by_msg_id(SQLite::Database& db, const std::string& zalo_msg_id, std::int64_t at_ms) {
    statement q(db, "UPDATE outbox SET delivered_at = ? WHERE zalo_msg_id = ? AND delivered_at IS NULL");
    q->bind(1, at_ms);
    q->bind(2, zalo_msg_id);
    return q->exec();
}

int mark_delivered_by_tracking(SQLite::Database& db, const std::string& tracking_id, std::int64_t at_ms) {
    statement q(db, "UPDATE outbox SET delivered_at = ? WHERE tracking_id = ? AND delivered_at IS NULL");
    q->bind(1, at_ms);
    q->bind(2, tracking_id);
    return q->exec();
}

int mark_seen_by_msg_id(SQLite::Database& db, const std::string& zalo_msg_id, std::int64_t at_ms) {
    // Seen implies delivered (the received receipt may be missing: it is sent to mobile only).
    statement q(db,
                        "UPDATE outbox SET seen_at = ?, delivered_at = COALESCE(delivered_at, ?)"
                        " WHERE zalo_msg_id = ? AND seen_at IS NULL");
    q->bind(1, at_ms);
    q->bind(2, at_ms);
    q->bind(3, zalo_msg_id);
    return q->exec();
}

void set_meta(SQLite::Database& db, const std::string& key, const std::string& value) {
    statement q(db, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    q->bind(1, key);
    q->bind(2, value);
    q->exec();
}

std::optional<std::string> get_meta(SQLite::Database& db, const std::string& key) {
    statement q(db, "SELECT value FROM meta WHERE key = ?");
    q->bind(1, key);
    if (!q->executeStep()) return std::nullopt;
    return q->getColumn(0).getString();
}

}  // namespace storage

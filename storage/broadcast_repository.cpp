// Broadcast storage.
#include "storage/broadcast_repository.hpp"

#include "storage/statement_cache.hpp"
#include "storage/stored_words.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <charconv>

namespace storage {

namespace {
constexpr detail::word_table<broadcast_state, 5> broadcast_state_words{{
    {broadcast_state::scheduled, "scheduled"},
    {broadcast_state::sending, "sending"},
    {broadcast_state::waiting_quota, "waiting_quota"},
    {broadcast_state::done, "done"},
    {broadcast_state::cancelled, "cancelled"},
}};
}  // namespace

std::string_view to_string(broadcast_state s) { return detail::word_of(broadcast_state_words, s); }

broadcast_state parse_broadcast_state(std::string_view s) {
    return detail::value_of(broadcast_state_words, s, "broadcast state");
}

namespace {

const char* const broadcast_columns =
    "id, created_by, text, COALESCE(buttons, '[]'), target, scheduled_at, local_day, state, recipients, created_at,"
    " started_at, finished_at";

broadcast_row read_row(SQLite::Statement& q) {
    broadcast_row b;
    b.id = q.getColumn(0).getInt64();
    b.created_by = q.getColumn(1).getString();
    b.text = q.getColumn(2).getString();
    b.buttons_json = q.getColumn(3).getString();
    b.target_json = q.getColumn(4).getString();
    b.scheduled_at = q.getColumn(5).getInt64();
    b.local_day = q.getColumn(6).getString();
    b.state = parse_broadcast_state(q.getColumn(7).getString());
    if (!q.getColumn(8).isNull()) b.recipients = q.getColumn(8).getInt64();
    b.created_at = q.getColumn(9).getInt64();
    if (!q.getColumn(10).isNull()) b.started_at = q.getColumn(10).getInt64();
    if (!q.getColumn(11).isNull()) b.finished_at = q.getColumn(11).getInt64();
    return b;
}

std::vector<broadcast_row> read_rows(SQLite::Statement& q) {
    std::vector<broadcast_row> out;
    while (q.executeStep()) out.push_back(read_row(q));
    return out;
}

// "?, ?, ?" for an IN list.
std::string placeholders(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
    return s;
}

}  // namespace

std::int64_t insert_broadcast(SQLite::Database& db, const broadcast_row& b) {
    statement q(db,
                        "INSERT INTO broadcasts (created_by, text, buttons, target, scheduled_at, local_day, state, created_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, 'scheduled', ?)");
    q->bind(1, b.created_by);
    q->bind(2, b.text);
    q->bind(3, b.buttons_json.empty() ? std::string("[]") : b.buttons_json);
    q->bind(4, b.target_json);
    q->bind(5, b.scheduled_at);
    q->bind(6, b.local_day);
    q->bind(7, b.created_at);
    q->exec();
    return db.getLastInsertRowid();
}

std::optional<broadcast_row> find_broadcast(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement q(db, std::string("SELECT ") + broadcast_columns + " FROM broadcasts WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return std::nullopt;
    return read_row(q);
}

std::vector<broadcast_row> list_broadcasts(SQLite::Database& db, int limit) {
    SQLite::Statement q(db, std::string("SELECT ") + broadcast_columns + " FROM broadcasts ORDER BY id DESC LIMIT ?");
    q.bind(1, limit);
    return read_rows(q);
}

std::vector<broadcast_row> due_broadcasts(SQLite::Database& db, std::int64_t now_ms) {
    SQLite::Statement q(db, std::string("SELECT ") + broadcast_columns +
                                " FROM broadcasts WHERE state IN ('scheduled', 'sending', 'waiting_quota')"
                                " AND scheduled_at <= ? ORDER BY scheduled_at, id");
    q.bind(1, now_ms);
    return read_rows(q);
}

void set_broadcast_state(SQLite::Database& db, std::int64_t id, broadcast_state state,
                         std::optional<std::int64_t> finished_at) {
    statement q(db, "UPDATE broadcasts SET state = ?, finished_at = COALESCE(?, finished_at) WHERE id = ?");
    q->bind(1, std::string(to_string(state)));
    if (finished_at) q->bind(2, *finished_at); else q->bind(2);
    q->bind(3, id);
    q->exec();
}

std::vector<broadcast_follower> select_followers(SQLite::Database& db, const std::vector<follower_place>& places) {
    std::string sql =
        "SELECT user_id, COALESCE(unit_id, ''), COALESCE(village, ''), COALESCE(display_name, '') FROM users"
        " WHERE is_follower = 1 AND broadcast_opt_out = 0";
    if (!places.empty()) {
        sql += " AND (";
        for (std::size_t i = 0; i < places.size(); ++i)
            sql += std::string(i ? " OR " : "") + (places[i].village.empty() ? "unit_id = ?" : "(unit_id = ? AND village = ?)");
        sql += ")";
    }
    sql += " ORDER BY user_id";
    SQLite::Statement q(db, sql);
    int i = 1;
    for (const auto& p : places) {
        q.bind(i++, p.unit_id);
        if (!p.village.empty()) q.bind(i++, p.village);
    }
    std::vector<broadcast_follower> out;
    while (q.executeStep()) {
        broadcast_follower f;
        f.user_id = q.getColumn(0).getString();
        f.unit_id = q.getColumn(1).getString();
        f.village = q.getColumn(2).getString();
        f.display_name = q.getColumn(3).getString();
        f.is_follower = true;
        out.push_back(std::move(f));
    }
    return out;
}

void insert_recipients(SQLite::Database& db, std::int64_t broadcast_id, const std::vector<std::string>& user_ids,
                       std::int64_t now_ms) {
    statement ins(db,
                          "INSERT OR IGNORE INTO broadcast_recipients (broadcast_id, user_id, seq, state) VALUES (?, ?, ?, 'waiting')");
    std::int64_t seq = 0;
    for (const auto& u : user_ids) {
        ins->reset();
        ins->bind(1, broadcast_id);
        ins->bind(2, u);
        ins->bind(3, seq++);
        ins->exec();
    }
    statement up(db, "UPDATE broadcasts SET recipients = ?, started_at = ?, state = 'sending' WHERE id = ?");
    up->bind(1, static_cast<std::int64_t>(user_ids.size()));
    up->bind(2, now_ms);
    up->bind(3, broadcast_id);
    up->exec();
}

std::vector<broadcast_follower> waiting_recipients(SQLite::Database& db, std::int64_t broadcast_id) {
    statement q(db,
                        "SELECT r.user_id, COALESCE(u.unit_id, ''), COALESCE(u.village, ''), COALESCE(u.display_name, ''),"
                        " COALESCE(u.is_follower, 0), COALESCE(u.broadcast_opt_out, 0), COALESCE(u.oa, '')"
                        " FROM broadcast_recipients r LEFT JOIN users u ON u.user_id = r.user_id"
                        " WHERE r.broadcast_id = ? AND r.state = 'waiting' ORDER BY r.seq");
    q->bind(1, broadcast_id);
    std::vector<broadcast_follower> out;
    while (q->executeStep()) {
        broadcast_follower f;
        f.user_id = q->getColumn(0).getString();
        f.unit_id = q->getColumn(1).getString();
        f.village = q->getColumn(2).getString();
        f.display_name = q->getColumn(3).getString();
        f.is_follower = q->getColumn(4).getInt() != 0;
        f.opted_out = q->getColumn(5).getInt() != 0;
        f.oa = q->getColumn(6).getString();
        out.push_back(std::move(f));
    }
    return out;
}

void mark_recipient_queued(SQLite::Database& db, std::int64_t broadcast_id, const std::string& user_id,
                           std::int64_t outbox_id) {
    statement q(db,
                        "UPDATE broadcast_recipients SET state = 'queued', outbox_id = ? WHERE broadcast_id = ? AND user_id = ?");
    q->bind(1, outbox_id);
    q->bind(2, broadcast_id);
    q->bind(3, user_id);
    q->exec();
}

void mark_recipient_excluded(SQLite::Database& db, std::int64_t broadcast_id, const std::string& user_id) {
    statement q(db,
                        "UPDATE broadcast_recipients SET state = 'excluded' WHERE broadcast_id = ? AND user_id = ? AND state = 'waiting'");
    q->bind(1, broadcast_id);
    q->bind(2, user_id);
    q->exec();
}

std::int64_t broadcast_messages_since(SQLite::Database& db, std::int64_t since_ms) {
    statement q(db,
                        "SELECT COUNT(*) FROM outbox WHERE created_at >= ? AND broadcast_id IS NOT NULL AND state <> 'cancelled'");
    q->bind(1, since_ms);
    q->executeStep();
    return q->getColumn(0).getInt64();
}

std::map<std::string, std::int64_t> broadcast_messages_by_oa_since(SQLite::Database& db, std::int64_t since_ms) {
    statement q(db,
                        "SELECT oa, COUNT(*) FROM outbox WHERE created_at >= ? AND broadcast_id IS NOT NULL AND state <> 'cancelled'"
                        " GROUP BY oa");
    q->bind(1, since_ms);
    std::map<std::string, std::int64_t> out;
    while (q->executeStep()) out[q->getColumn(0).getString()] = q->getColumn(1).getInt64();
    return out;
}

std::set<std::string> promoted_recipients_since(SQLite::Database& db, std::int64_t since_ms) {
    statement q(db,
                        "SELECT DISTINCT recipient FROM outbox WHERE created_at >= ? AND channel = 'promotion'"
                        " AND state <> 'cancelled'");
    q->bind(1, since_ms);
    std::set<std::string> out;
    while (q->executeStep()) out.insert(q->getColumn(0).getString());
    return out;
}

std::optional<std::int64_t> reported_daily_quota(SQLite::Database& db, const std::string& key) {
    statement q(db, "SELECT value FROM meta WHERE key = ?");
    q->bind(1, key);
    if (!q->executeStep()) return std::nullopt;
    std::string v = q->getColumn(0).getString();
    // Stored as a decimal number; tolerate surrounding blanks or quotes.
    auto b = v.find_first_of("0123456789");
    if (b == std::string::npos) return std::nullopt;
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(v.data() + b, v.data() + v.size(), n);
    (void)p;
    if (ec != std::errc{} || n < 0) return std::nullopt;
    return n;
}

broadcast_counts count_broadcast(SQLite::Database& db, std::int64_t broadcast_id) {
    statement q(db,
                        "SELECT COUNT(*),"
                        " COALESCE(SUM(r.state = 'waiting'), 0),"
                        " COALESCE(SUM(r.state = 'queued'), 0),"
                        " COALESCE(SUM(o.state IN ('pending', 'sending')), 0),"
                        " COALESCE(SUM(o.state = 'sent'), 0),"
                        " COALESCE(SUM(o.state = 'failed'), 0),"
                        " COALESCE(SUM(o.delivered_at IS NOT NULL OR o.seen_at IS NOT NULL), 0),"
                        " COALESCE(SUM(o.seen_at IS NOT NULL), 0),"
                        " COALESCE(SUM(r.state = 'cancelled' OR o.state = 'cancelled'), 0),"
                        " COALESCE(SUM(r.state = 'excluded'), 0)"
                        " FROM broadcast_recipients r LEFT JOIN outbox o ON o.id = r.outbox_id"
                        " WHERE r.broadcast_id = ?");
    q->bind(1, broadcast_id);
    q->executeStep();
    broadcast_counts c;
    c.recipients = q->getColumn(0).getInt64();
    c.waiting = q->getColumn(1).getInt64();
    c.queued = q->getColumn(2).getInt64();
    c.pending = q->getColumn(3).getInt64();
    c.sent = q->getColumn(4).getInt64();
    c.failed = q->getColumn(5).getInt64();
    c.received = q->getColumn(6).getInt64();
    c.seen = q->getColumn(7).getInt64();
    c.cancelled = q->getColumn(8).getInt64();
    c.excluded = q->getColumn(9).getInt64();
    return c;
}

std::int64_t cancel_unsent(SQLite::Database& db, std::int64_t broadcast_id, std::int64_t now_ms) {
    // Only rows not yet handed to the sender: a row in `sending` may already be at Zalo.
    statement ob(db,
                         "UPDATE outbox SET state = 'cancelled', error_reason = 'broadcast cancelled'"
                         " WHERE broadcast_id = ? AND state = 'pending'");
    ob->bind(1, broadcast_id);
    std::int64_t n = ob->exec();
    statement rc(db, "UPDATE broadcast_recipients SET state = 'cancelled' WHERE broadcast_id = ? AND state = 'waiting'");
    rc->bind(1, broadcast_id);
    n += rc->exec();
    set_broadcast_state(db, broadcast_id, broadcast_state::cancelled, now_ms);
    return n;
}

broadcast_period_totals broadcast_totals(SQLite::Database& db, const std::string& from_day, const std::string& to_day,
                                         const std::vector<std::string>& units) {
    broadcast_period_totals t;
    std::string unit_filter;
    if (!units.empty())
        unit_filter = " AND o.recipient IN (SELECT user_id FROM users WHERE unit_id IN (" + placeholders(units.size()) + "))";
    SQLite::Statement q(db,
                        "SELECT COUNT(DISTINCT b.id), COUNT(o.id),"
                        " COALESCE(SUM(o.delivered_at IS NOT NULL OR o.seen_at IS NOT NULL), 0),"
                        " COALESCE(SUM(o.seen_at IS NOT NULL), 0),"
                        " COALESCE(SUM(o.state = 'failed'), 0),"
                        " COALESCE(SUM(o.state = 'sent'), 0)"
                        " FROM broadcasts b JOIN broadcast_recipients r ON r.broadcast_id = b.id"
                        " JOIN outbox o ON o.id = r.outbox_id"
                        " WHERE b.local_day BETWEEN ? AND ? AND b.started_at IS NOT NULL AND o.state <> 'cancelled'" +
                            unit_filter);
    q.bind(1, from_day);
    q.bind(2, to_day);
    int i = 3;
    for (const auto& u : units) q.bind(i++, u);
    q.executeStep();
    t.recipients = q.getColumn(1).getInt64();
    t.received = q.getColumn(2).getInt64();
    t.seen = q.getColumn(3).getInt64();
    t.failed = q.getColumn(4).getInt64();
    t.sent = q.getColumn(5).getInt64();
    if (units.empty()) {
        // A broadcast that started but reached nobody (no matching follower) still counts.
        statement c(db, "SELECT COUNT(*) FROM broadcasts WHERE local_day BETWEEN ? AND ? AND started_at IS NOT NULL");
        c->bind(1, from_day);
        c->bind(2, to_day);
        c->executeStep();
        t.count = c->getColumn(0).getInt64();
    } else {
        t.count = q.getColumn(0).getInt64();
    }
    return t;
}

}  // namespace storage

// The console's own tables.
#include "storage/console_repository.hpp"

#include "storage/write_scope.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace storage {

void insert_console_link(SQLite::Database& db, const std::string& token_hash, const std::string& official_id,
                         std::int64_t now_ms, std::int64_t expires_at_ms, const std::string& via) {
    SQLite::Statement q(db,
                        "INSERT INTO console_links (token_hash, official_id, created_at, expires_at, via) VALUES (?, ?, ?, ?, ?)");
    q.bind(1, token_hash);
    q.bind(2, official_id);
    q.bind(3, static_cast<std::int64_t>(now_ms));
    q.bind(4, static_cast<std::int64_t>(expires_at_ms));
    q.bind(5, via);
    q.exec();
}

std::int64_t console_links_since(SQLite::Database& db, const std::string& official_id, std::int64_t since_ms) {
    SQLite::Statement q(db, "SELECT COUNT(*) FROM console_links WHERE official_id = ? AND created_at >= ?");
    q.bind(1, official_id);
    q.bind(2, static_cast<std::int64_t>(since_ms));
    q.executeStep();
    return q.getColumn(0).getInt64();
}

std::optional<std::int64_t> oldest_console_link_since(SQLite::Database& db, const std::string& official_id,
                                                      std::int64_t since_ms) {
    SQLite::Statement q(db, "SELECT MIN(created_at) FROM console_links WHERE official_id = ? AND created_at >= ?");
    q.bind(1, official_id);
    q.bind(2, static_cast<std::int64_t>(since_ms));
    if (!q.executeStep() || q.getColumn(0).isNull()) return std::nullopt;
    return q.getColumn(0).getInt64();
}

namespace {
link_state state_of(SQLite::Statement& q, std::int64_t now_ms) {
    if (!q.getColumn(2).isNull()) return link_state::used;
    if (q.getColumn(1).getInt64() <= now_ms) return link_state::expired;
    return link_state::valid;
}
}  // namespace

link_state peek_console_link(SQLite::Database& db, const std::string& token_hash, std::int64_t now_ms, std::string* official_id) {
    SQLite::Statement q(db, "SELECT official_id, expires_at, used_at FROM console_links WHERE token_hash = ?");
    q.bind(1, token_hash);
    if (!q.executeStep()) return link_state::unknown;
    if (official_id) *official_id = q.getColumn(0).getString();
    return state_of(q, now_ms);
}

link_state redeem_console_link(SQLite::Database& db, const std::string& token_hash, std::int64_t now_ms,
                               std::string* official_id) {
    write_scope tx(db);
    std::string who;
    auto st = peek_console_link(db, token_hash, now_ms, &who);
    if (st != link_state::valid) return st;
    // used_at IS NULL in the UPDATE too: of two requests racing with one link, one wins.
    SQLite::Statement use(db, "UPDATE console_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL");
    use.bind(1, static_cast<std::int64_t>(now_ms));
    use.bind(2, token_hash);
    if (use.exec() != 1) return link_state::used;
    tx.commit();
    if (official_id) *official_id = who;
    return link_state::valid;
}

void insert_console_session(SQLite::Database& db, const std::string& id_hash, const std::string& official_id,
                            const std::string& csrf, std::int64_t now_ms) {
    SQLite::Statement q(db,
                        "INSERT INTO console_sessions (id_hash, official_id, csrf, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)");
    q.bind(1, id_hash);
    q.bind(2, official_id);
    q.bind(3, csrf);
    q.bind(4, static_cast<std::int64_t>(now_ms));
    q.bind(5, static_cast<std::int64_t>(now_ms));
    q.exec();
}

std::optional<console_session> find_console_session(SQLite::Database& db, const std::string& id_hash) {
    SQLite::Statement q(db,
                        "SELECT official_id, csrf, created_at, last_seen_at, ended_at IS NOT NULL FROM console_sessions WHERE id_hash = ?");
    q.bind(1, id_hash);
    if (!q.executeStep()) return std::nullopt;
    console_session s;
    s.official_id = q.getColumn(0).getString();
    s.csrf = q.getColumn(1).getString();
    s.created_at = q.getColumn(2).getInt64();
    s.last_seen_at = q.getColumn(3).getInt64();
    s.ended = q.getColumn(4).getInt() != 0;
    return s;
}

void touch_console_session(SQLite::Database& db, const std::string& id_hash, std::int64_t now_ms) {
    SQLite::Statement q(db, "UPDATE console_sessions SET last_seen_at = MAX(last_seen_at, ?) WHERE id_hash = ?");
    q.bind(1, static_cast<std::int64_t>(now_ms));
    q.bind(2, id_hash);
    q.exec();
}

void end_console_session(SQLite::Database& db, const std::string& id_hash, std::int64_t now_ms) {
    SQLite::Statement q(db, "UPDATE console_sessions SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL");
    q.bind(1, static_cast<std::int64_t>(now_ms));
    q.bind(2, id_hash);
    q.exec();
}

int end_console_sessions_of(SQLite::Database& db, const std::string& official_id, std::int64_t now_ms) {
    SQLite::Statement q(db, "UPDATE console_sessions SET ended_at = ? WHERE official_id = ? AND ended_at IS NULL");
    q.bind(1, static_cast<std::int64_t>(now_ms));
    q.bind(2, official_id);
    return q.exec();
}

void prune_console_state(SQLite::Database& db, std::int64_t before_ms) {
    SQLite::Statement s(db, "DELETE FROM console_sessions WHERE COALESCE(ended_at, last_seen_at) < ?");
    s.bind(1, static_cast<std::int64_t>(before_ms));
    s.exec();
    SQLite::Statement l(db, "DELETE FROM console_links WHERE expires_at < ?");
    l.bind(1, static_cast<std::int64_t>(before_ms));
    l.exec();
}

void assign_handoff(SQLite::Database& db, std::int64_t handoff_id, const std::string& official_id,
                    const std::string& assigned_by, std::int64_t now_ms) {
    SQLite::Statement q(db,
                        "INSERT INTO handoff_assignments (handoff_id, official_id, assigned_by, assigned_at) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT(handoff_id) DO UPDATE SET official_id = excluded.official_id, "
                        "assigned_by = excluded.assigned_by, assigned_at = excluded.assigned_at");
    q.bind(1, static_cast<std::int64_t>(handoff_id));
    q.bind(2, official_id);
    q.bind(3, assigned_by);
    q.bind(4, static_cast<std::int64_t>(now_ms));
    q.exec();
}

std::optional<handoff_assignment> find_handoff_assignment(SQLite::Database& db, std::int64_t handoff_id) {
    SQLite::Statement q(db, "SELECT official_id, assigned_by, assigned_at FROM handoff_assignments WHERE handoff_id = ?");
    q.bind(1, static_cast<std::int64_t>(handoff_id));
    if (!q.executeStep()) return std::nullopt;
    return handoff_assignment{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getInt64()};
}

bool insert_kb_example(SQLite::Database& db, const std::string& topic_id, const std::string& text,
                       const std::string& added_by, std::int64_t now_ms) {
    SQLite::Statement q(db,
                        "INSERT INTO kb_examples (topic_id, text, added_by, added_at) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT(topic_id, text) DO NOTHING");
    q.bind(1, topic_id);
    q.bind(2, text);
    q.bind(3, added_by);
    q.bind(4, static_cast<std::int64_t>(now_ms));
    return q.exec() == 1;
}

std::vector<kb_example> list_kb_examples(SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT id, topic_id, text, added_by, added_at FROM kb_examples ORDER BY id");
    std::vector<kb_example> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                       q.getColumn(3).getString(), q.getColumn(4).getInt64()});
    return out;
}

void set_user_display_name(SQLite::Database& db, const std::string& user_id, const std::string& name) {
    SQLite::Statement q(db, "UPDATE users SET display_name = ? WHERE user_id = ?");
    q.bind(1, name);
    q.bind(2, user_id);
    q.exec();
}

void resolve_unanswered(SQLite::Database& db, const std::string& normalized, const std::string& action,
                        const std::string& topic_id, const std::string& by, std::int64_t now_ms) {
    SQLite::Statement q(db,
                        "INSERT INTO unanswered_resolved (normalized, action, topic_id, resolved_by, resolved_at) "
                        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(normalized) DO UPDATE SET action = excluded.action, "
                        "topic_id = excluded.topic_id, resolved_by = excluded.resolved_by, resolved_at = excluded.resolved_at");
    q.bind(1, normalized);
    q.bind(2, action);
    if (topic_id.empty())
        q.bind(3);
    else
        q.bind(3, topic_id);
    q.bind(4, by);
    q.bind(5, static_cast<std::int64_t>(now_ms));
    q.exec();
}

}  // namespace storage

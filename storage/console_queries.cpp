// Console queries.
#include "storage/console_queries.hpp"

#include "storage/dossier_repository.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>

namespace storage {

namespace {

// A JSON array of strings for json_each(?).
std::string json_array(const std::vector<std::string>& items) {
    std::string out = "[";
    for (const auto& s : items) {
        if (out.size() > 1) out += ",";
        out += "\"";
        for (char c : s) {
            if (c == '"' || c == '\\') out += '\\';
            if (static_cast<unsigned char>(c) < 0x20) continue;
            out += c;
        }
        out += "\"";
    }
    return out + "]";
}

void bind_units(SQLite::Statement& q, int all_index, int list_index, const unit_filter& f) {
    q.bind(all_index, f.all ? 1 : 0);
    q.bind(list_index, json_array(f.units));
}

std::optional<std::int64_t> opt_int(SQLite::Statement& q, int col) {
    if (q.getColumn(col).isNull()) return std::nullopt;
    return q.getColumn(col).getInt64();
}

constexpr const char* inbox_select = R"SQL(
SELECT h.id, h.user_id, COALESCE(u.display_name, ''), COALESCE(h.unit_id, ''), COALESCE(u.village, ''), h.opened_at,
       h.reason, COALESCE(h.question, ''), h.first_answer_at,
       (SELECT MAX(i.at) FROM interactions i WHERE i.user_id = h.user_id AND i.direction = 'in' AND i.at >= h.opened_at),
       COALESCE(a.official_id, ''), COALESCE(o.name, '')
FROM handoffs h
LEFT JOIN users u ON u.user_id = h.user_id
LEFT JOIN handoff_assignments a ON a.handoff_id = h.id
LEFT JOIN officials o ON o.official_id = a.official_id)SQL";

inbox_row read_inbox(SQLite::Statement& q) {
    inbox_row r;
    r.id = q.getColumn(0).getInt64();
    r.user_id = q.getColumn(1).getString();
    r.citizen_name = q.getColumn(2).getString();
    r.unit_id = q.getColumn(3).getString();
    r.village = q.getColumn(4).getString();
    r.opened_at = q.getColumn(5).getInt64();
    r.reason = q.getColumn(6).getString();
    r.question = q.getColumn(7).getString();
    r.first_answer_at = opt_int(q, 8);
    r.last_message_at = opt_int(q, 9);
    r.assigned_to = q.getColumn(10).getString();
    r.assigned_name = q.getColumn(11).getString();
    return r;
}

}  // namespace

std::vector<day_questions> questions_by_day(SQLite::Database& db, const std::string& from_day, const std::string& to_day,
                                            const unit_filter& units) {
    SQLite::Statement q(db, R"SQL(
SELECT local_day, COUNT(*), SUM(outcome IN ('answered', 'lookup'))
FROM interactions INDEXED BY interactions_report
WHERE direction = 'in' AND local_day BETWEEN ?1 AND ?2 AND kind = 'text' AND COALESCE(outcome, '') <> 'command'
  AND (?3 OR COALESCE(unit_id, '') IN (SELECT value FROM json_each(?4)))
GROUP BY local_day ORDER BY local_day)SQL");
    q.bind(1, from_day);
    q.bind(2, to_day);
    bind_units(q, 3, 4, units);
    std::vector<day_questions> out;
    while (q.executeStep()) out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64()});
    return out;
}

// Open = not returned and not withdrawn (storage/migrations 50: the open indexes leave withdrawn out).
std::vector<unit_dossier_counts> dossier_counts_by_unit(SQLite::Database& db, const std::string& today, const std::string& horizon) {
    SQLite::Statement q(db, R"SQL(
SELECT unit_id, COUNT(*), SUM(due_on < ?1), SUM(due_on >= ?1 AND due_on <= ?2)
FROM dossier_rows INDEXED BY dossiers_open
WHERE returned_on IS NULL AND state <> 'withdrawn' AND )SQL" VISIBLE_DOSSIER_ROW " GROUP BY unit_id ORDER BY unit_id");
    q.bind(1, today);
    q.bind(2, horizon);
    std::vector<unit_dossier_counts> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(), q.getColumn(3).getInt64()});
    return out;
}

std::vector<official_dossier_counts> dossier_counts_by_official(SQLite::Database& db, const std::string& today,
                                                                const std::string& horizon, const unit_filter& units) {
    SQLite::Statement q(db, R"SQL(
SELECT COALESCE(d.official_id, ''), COALESCE(o.name, ''), COUNT(*), SUM(d.due_on < ?1), SUM(d.due_on >= ?1 AND d.due_on <= ?2)
FROM dossiers d LEFT JOIN officials o ON o.official_id = d.official_id
WHERE d.returned_on IS NULL AND d.state <> 'withdrawn' AND (?3 OR d.unit_id IN (SELECT value FROM json_each(?4)))
GROUP BY COALESCE(d.official_id, '') ORDER BY SUM(d.due_on < ?1) DESC, COUNT(*) DESC)SQL");
    q.bind(1, today);
    q.bind(2, horizon);
    bind_units(q, 3, 4, units);
    std::vector<official_dossier_counts> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getInt64(),
                       q.getColumn(3).getInt64(), q.getColumn(4).getInt64()});
    return out;
}

std::vector<inbox_row> open_inbox(SQLite::Database& db) {
    SQLite::Statement q(db, std::string(inbox_select) + " WHERE h.closed_at IS NULL ORDER BY h.opened_at, h.id");
    std::vector<inbox_row> out;
    while (q.executeStep()) out.push_back(read_inbox(q));
    return out;
}

std::optional<inbox_row> inbox_item(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement q(db, std::string(inbox_select) + " WHERE h.id = ?");
    q.bind(1, static_cast<std::int64_t>(id));
    if (!q.executeStep()) return std::nullopt;
    return read_inbox(q);
}

std::vector<history_message> conversation_history(SQLite::Database& db, const std::string& user_id, int limit) {
    SQLite::Statement q(db, R"SQL(
SELECT at, direction, kind, COALESCE(outcome, ''), COALESCE(text, '') FROM interactions
WHERE user_id = ? ORDER BY at DESC, id DESC LIMIT ?)SQL");
    q.bind(1, user_id);
    q.bind(2, limit);
    std::vector<history_message> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                       parse_interaction_outcome(q.getColumn(3).getString()), q.getColumn(4).getString()});
    std::reverse(out.begin(), out.end());
    return out;
}

std::vector<dossier_row> list_dossier_rows(SQLite::Database& db, const dossier_list_filter& f) {
    std::string sql = R"SQL(
SELECT d.code, d.procedure, COALESCE(d.field, ''), d.unit_id, d.channel, d.received_on, d.due_on, COALESCE(d.returned_on, ''),
       COALESCE(d.official_id, ''), COALESCE(o.name, ''),
       (SELECT COUNT(*) FROM reminders r WHERE r.dossier_code = d.code),
       (SELECT COUNT(*) FROM reminders r LEFT JOIN outbox x ON x.id = r.outbox_id
         WHERE r.dossier_code = d.code AND (r.status <> 'queued' OR x.state = 'failed'))
FROM dossiers d LEFT JOIN officials o ON o.official_id = d.official_id
WHERE (?1 OR d.unit_id IN (SELECT value FROM json_each(?2)))
  AND (?3 = '' OR d.unit_id = ?3)
  AND (?4 = '' OR (?4 = '-' AND d.official_id IS NULL) OR d.official_id = ?4)
  AND (?5 = '' OR d.code LIKE '%' || ?5 || '%' OR d.procedure LIKE '%' || ?5 || '%'))SQL";
    const std::string st = f.status.empty() ? "open" : f.status;
    if (st == "open")
        sql += " AND d.returned_on IS NULL AND d.state <> 'withdrawn'";
    else if (st == "overdue")
        sql += " AND d.returned_on IS NULL AND d.state <> 'withdrawn' AND d.due_on < ?6";
    else if (st == "due_soon")
        sql += " AND d.returned_on IS NULL AND d.state <> 'withdrawn' AND d.due_on >= ?6 AND d.due_on <= ?7";
    else if (st == "returned")
        sql += " AND d.returned_on IS NOT NULL";
    sql += st == "returned" ? " ORDER BY d.returned_on DESC, d.code" : " ORDER BY d.returned_on IS NOT NULL, d.due_on, d.code";
    sql += " LIMIT ?8";
    SQLite::Statement q(db, sql);
    bind_units(q, 1, 2, f.units);
    q.bind(3, f.unit_id);
    q.bind(4, f.official_id);
    q.bind(5, f.search);
    q.bind(6, f.today);
    q.bind(7, f.horizon);
    q.bind(8, f.limit);
    std::vector<dossier_row> out;
    while (q.executeStep()) {
        dossier_row r;
        r.code = q.getColumn(0).getString();
        r.procedure = q.getColumn(1).getString();
        r.field = q.getColumn(2).getString();
        r.unit_id = q.getColumn(3).getString();
        r.channel = q.getColumn(4).getString();
        r.received_on = q.getColumn(5).getString();
        r.due_on = q.getColumn(6).getString();
        r.returned_on = q.getColumn(7).getString();
        r.official_id = q.getColumn(8).getString();
        r.official_name = q.getColumn(9).getString();
        r.reminders = q.getColumn(10).getInt64();
        r.undeliverable = q.getColumn(11).getInt64();
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<reminder_history_row> reminder_history(SQLite::Database& db, const std::string& code) {
    SQLite::Statement q(db, R"SQL(
SELECT r.kind, r.recipient, COALESCE(o.name, ''), r.local_day, COALESCE(r.channel, ''), r.status, r.created_at,
       COALESCE(x.state, ''), x.error_code, COALESCE(x.error_reason, ''), x.sent_at, x.delivered_at, x.seen_at
FROM reminders r LEFT JOIN officials o ON o.official_id = r.recipient LEFT JOIN outbox x ON x.id = r.outbox_id
WHERE r.dossier_code = ? ORDER BY r.created_at DESC, r.kind)SQL");
    q.bind(1, code);
    std::vector<reminder_history_row> out;
    while (q.executeStep()) {
        reminder_history_row r;
        r.kind = q.getColumn(0).getString();
        r.recipient = q.getColumn(1).getString();
        r.recipient_name = q.getColumn(2).getString();
        r.local_day = q.getColumn(3).getString();
        r.channel = q.getColumn(4).getString();
        r.status = parse_reminder_status(q.getColumn(5).getString());
        r.created_at = q.getColumn(6).getInt64();
        if (!q.getColumn(7).isNull() && !q.getColumn(7).getString().empty())
            r.outbox_state = parse_outbox_state(q.getColumn(7).getString());
        if (!q.getColumn(8).isNull()) r.error_code = q.getColumn(8).getInt();
        r.error_reason = q.getColumn(9).getString();
        r.sent_at = opt_int(q, 10);
        r.delivered_at = opt_int(q, 11);
        r.seen_at = opt_int(q, 12);
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<open_question> open_questions(SQLite::Database& db, std::int64_t since_ms, int limit) {
    SQLite::Statement q(db, R"SQL(
SELECT n.id, n.at, n.local_day, COALESCE(n.user_id, ''), COALESCE(u.unit_id, ''), n.text, n.normalized
FROM unanswered n
LEFT JOIN users u ON u.user_id = n.user_id
LEFT JOIN unanswered_resolved r ON r.normalized = n.normalized
WHERE n.at >= ? AND (r.resolved_at IS NULL OR n.at > r.resolved_at)
ORDER BY n.at DESC LIMIT ?)SQL");
    q.bind(1, static_cast<std::int64_t>(since_ms));
    q.bind(2, limit);
    std::vector<open_question> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getString(), q.getColumn(3).getString(),
                       q.getColumn(4).getString(), q.getColumn(5).getString(), q.getColumn(6).getString()});
    return out;
}

std::vector<std::pair<std::string, std::int64_t>> officials_last_interaction(SQLite::Database& db) {
    SQLite::Statement q(db, R"SQL(
SELECT o.official_id, u.last_interaction_at FROM officials o JOIN users u ON u.user_id = o.zalo_user_id
WHERE u.last_interaction_at IS NOT NULL)SQL");
    std::vector<std::pair<std::string, std::int64_t>> out;
    while (q.executeStep()) out.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getInt64());
    return out;
}

}  // namespace storage

// Hand-offs and unanswered questions storage.
#include "storage/handoff_repository.hpp"

#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace storage {

namespace {
constexpr const char* columns =
    "id, user_id, COALESCE(unit_id, ''), opened_at, reason, COALESCE(question, ''), first_answer_at, closed_at,"
    " COALESCE(closed_by, '')";

handoff read(SQLite::Statement& q) {
    handoff h;
    h.id = q.getColumn(0).getInt64();
    h.user_id = q.getColumn(1).getString();
    h.unit_id = q.getColumn(2).getString();
    h.opened_at = q.getColumn(3).getInt64();
    h.reason = q.getColumn(4).getString();
    h.question = q.getColumn(5).getString();
    if (!q.getColumn(6).isNull()) h.first_answer_at = q.getColumn(6).getInt64();
    if (!q.getColumn(7).isNull()) h.closed_at = q.getColumn(7).getInt64();
    h.closed_by = q.getColumn(8).getString();
    return h;
}
}  // namespace

std::int64_t open_handoff(SQLite::Database& db, const std::string& user_id, const std::string& unit_id,
                          const std::string& reason, const std::string& question, std::int64_t now_ms) {
    statement q(db, "INSERT INTO handoffs (user_id, unit_id, opened_at, reason, question) VALUES (?, ?, ?, ?, ?)");
    q->bind(1, user_id);
    if (unit_id.empty()) q->bind(2); else q->bind(2, unit_id);
    q->bind(3, now_ms);
    q->bind(4, reason);
    q->bind(5, question);
    q->exec();
    return db.getLastInsertRowid();
}

std::optional<handoff> open_handoff_of(SQLite::Database& db, const std::string& user_id) {
    statement q(db, std::string("SELECT ") + columns + " FROM handoffs WHERE user_id = ? AND closed_at IS NULL");
    q->bind(1, user_id);
    if (q->executeStep()) return read(*q);
    return std::nullopt;
}

std::optional<handoff> find_handoff(SQLite::Database& db, std::int64_t id) {
    statement q(db, std::string("SELECT ") + columns + " FROM handoffs WHERE id = ?");
    q->bind(1, id);
    if (q->executeStep()) return read(*q);
    return std::nullopt;
}

std::vector<handoff> open_handoffs(SQLite::Database& db) {
    statement q(db, std::string("SELECT ") + columns + " FROM handoffs WHERE closed_at IS NULL ORDER BY opened_at, id");
    std::vector<handoff> out;
    while (q->executeStep()) out.push_back(read(*q));
    return out;
}

void record_first_answer(SQLite::Database& db, std::int64_t id, std::int64_t now_ms) {
    statement q(db, "UPDATE handoffs SET first_answer_at = ? WHERE id = ? AND first_answer_at IS NULL");
    q->bind(1, now_ms);
    q->bind(2, id);
    q->exec();
}

bool close_handoff(SQLite::Database& db, std::int64_t id, const std::string& closed_by, std::int64_t now_ms) {
    statement q(db, "UPDATE handoffs SET closed_at = ?, closed_by = ? WHERE id = ? AND closed_at IS NULL");
    q->bind(1, now_ms);
    q->bind(2, closed_by);
    q->bind(3, id);
    return q->exec() > 0;
}

void record_unanswered(SQLite::Database& db, std::int64_t at_ms, const std::string& local_day, const std::string& user_id,
                       const std::string& text, const std::string& normalized) {
    statement q(db, "INSERT INTO unanswered (at, local_day, user_id, text, normalized) VALUES (?, ?, ?, ?, ?)");
    q->bind(1, at_ms);
    q->bind(2, local_day);
    if (user_id.empty()) q->bind(3); else q->bind(3, user_id);
    q->bind(4, text);
    q->bind(5, normalized);
    q->exec();
}

std::optional<std::string> last_unanswered(SQLite::Database& db, const std::string& user_id, std::int64_t since_ms) {
    statement q(db, "SELECT text FROM unanswered WHERE user_id = ? AND at >= ? ORDER BY at DESC, id DESC LIMIT 1");
    q->bind(1, user_id);
    q->bind(2, since_ms);
    if (q->executeStep()) return q->getColumn(0).getString();
    return std::nullopt;
}

}  // namespace storage

// Reminders storage.
#include "storage/reminder_repository.hpp"

#include "storage/statement_cache.hpp"
#include "storage/stored_words.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace storage {

namespace {
constexpr detail::word_table<reminder_status, 3> reminder_status_words{{
    {reminder_status::queued, "queued"},
    {reminder_status::no_zalo, "no_zalo"},
    {reminder_status::no_template, "no_template"},
}};
}  // namespace

std::string_view to_string(reminder_status s) { return detail::word_of(reminder_status_words, s); }

reminder_status parse_reminder_status(std::string_view s) {
    return detail::value_of(reminder_status_words, s, "reminder status");
}

std::string reminder_key(const std::string& kind, const std::string& dossier, const std::string& recipient) {
    return kind + "|" + dossier + "|" + recipient;
}

namespace {

constexpr const char* insert_sql =
    "INSERT INTO reminders (kind, dossier_code, recipient, local_day, unit_id, channel, outbox_id, status, "
    "created_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
constexpr const char* outbox_sql =
    "UPDATE reminders SET outbox_id = ? WHERE kind = ? AND dossier_code = ? AND recipient = ? AND local_day = ?";

bool insert_row(SQLite::Statement& q, const reminder_row& r, std::int64_t now_ms) {
    q.bind(1, r.kind);
    q.bind(2, r.dossier_code);
    q.bind(3, r.recipient);
    q.bind(4, r.local_day);
    q.bind(5, r.unit_id);
    q.bind(6, r.channel);
    if (r.outbox_id)
        q.bind(7, static_cast<std::int64_t>(*r.outbox_id));
    else
        q.bind(7);
    q.bind(8, std::string(to_string(r.status)));
    q.bind(9, static_cast<std::int64_t>(now_ms));
    if (r.reason.empty()) q.bind(10); else q.bind(10, r.reason);
    const bool inserted = q.exec() == 1;
    q.reset();
    return inserted;
}

void update_outbox(SQLite::Statement& q, const reminder_row& r, std::int64_t outbox_id) {
    q.bind(1, static_cast<std::int64_t>(outbox_id));
    q.bind(2, r.kind);
    q.bind(3, r.dossier_code);
    q.bind(4, r.recipient);
    q.bind(5, r.local_day);
    q.exec();
    q.reset();
}

}  // namespace

bool record_reminder(SQLite::Database& db, const reminder_row& r, std::int64_t now_ms) {
    SQLite::Statement q(db, insert_sql);
    return insert_row(q, r, now_ms);
}

std::vector<bool> record_reminders(SQLite::Database& db, const std::vector<reminder_row>& rows, std::int64_t now_ms) {
    SQLite::Statement q(db, insert_sql);
    std::vector<bool> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(insert_row(q, r, now_ms));
    return out;
}

void set_reminder_outbox(SQLite::Database& db, const reminder_row& r, std::int64_t outbox_id) {
    SQLite::Statement q(db, outbox_sql);
    update_outbox(q, r, outbox_id);
}

void set_reminder_outboxes(SQLite::Database& db, const std::vector<reminder_row>& rows, const std::vector<std::int64_t>& outbox_ids) {
    SQLite::Statement q(db, outbox_sql);
    for (std::size_t i = 0; i < rows.size() && i < outbox_ids.size(); ++i) update_outbox(q, rows[i], outbox_ids[i]);
}

std::set<std::string> reminder_keys_on(SQLite::Database& db, const std::string& local_day) {
    statement q(db, "SELECT kind, dossier_code, recipient FROM reminders WHERE local_day = ?");
    q->bind(1, local_day);
    std::set<std::string> out;
    while (q->executeStep())
        out.insert(reminder_key(q->getColumn(0).getString(), q->getColumn(1).getString(), q->getColumn(2).getString()));
    return out;
}

std::set<std::pair<std::string, std::string>> escalated_pairs(SQLite::Database& db) {
    statement q(db, "SELECT DISTINCT dossier_code, recipient FROM reminders WHERE kind = 'escalation'");
    std::set<std::pair<std::string, std::string>> out;
    while (q->executeStep()) out.emplace(q->getColumn(0).getString(), q->getColumn(1).getString());
    return out;
}

std::vector<reminder_row> reminders_on(SQLite::Database& db, const std::string& local_day) {
    statement q(db,
                        "SELECT kind, dossier_code, recipient, local_day, COALESCE(unit_id, ''), COALESCE(channel, ''), "
                        "status, outbox_id, COALESCE(reason, '') FROM reminders WHERE local_day = ? ORDER BY kind, dossier_code, recipient");
    q->bind(1, local_day);
    std::vector<reminder_row> out;
    while (q->executeStep()) {
        reminder_row r;
        r.kind = q->getColumn(0).getString();
        r.dossier_code = q->getColumn(1).getString();
        r.recipient = q->getColumn(2).getString();
        r.local_day = q->getColumn(3).getString();
        r.unit_id = q->getColumn(4).getString();
        r.channel = q->getColumn(5).getString();
        r.status = parse_reminder_status(q->getColumn(6).getString());
        if (!q->getColumn(7).isNull()) r.outbox_id = q->getColumn(7).getInt64();
        r.reason = q->getColumn(8).getString();
        out.push_back(std::move(r));
    }
    return out;
}

std::optional<std::int64_t> last_interaction_at(SQLite::Database& db, const std::string& zalo_user_id) {
    statement q(db, "SELECT last_interaction_at FROM users WHERE user_id = ?");
    q->bind(1, zalo_user_id);
    if (q->executeStep() && !q->getColumn(0).isNull()) return q->getColumn(0).getInt64();
    return std::nullopt;
}

}  // namespace storage

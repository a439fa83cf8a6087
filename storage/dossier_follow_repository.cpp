// Dossier followers and notices storage.
#include "storage/dossier_follow_repository.hpp"

#include "storage/statement_cache.hpp"
#include "storage/stored_words.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <unordered_map>

namespace storage {

namespace {
constexpr detail::word_table<notice_status, 2> notice_status_words{{
    {notice_status::queued, "queued"},
    {notice_status::undeliverable, "undeliverable"},
}};
}  // namespace

std::string_view to_string(notice_status s) { return detail::word_of(notice_status_words, s); }

notice_status parse_notice_status(std::string_view s) {
    return detail::value_of(notice_status_words, s, "notice status");
}

bool follow_dossier(SQLite::Database& db, const std::string& code, const std::string& user_id, const std::string& phone,
                    std::int64_t now_ms) {
    const bool was = follows(db, code, user_id);
    statement q(db,
                        "INSERT INTO dossier_follows (code, user_id, phone, followed_at) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT(code, user_id) DO UPDATE SET phone = excluded.phone, "
                        "followed_at = CASE WHEN unfollowed_at IS NULL THEN followed_at ELSE excluded.followed_at END, "
                        "unfollowed_at = NULL");
    q->bind(1, code);
    q->bind(2, user_id);
    q->bind(3, phone);
    q->bind(4, now_ms);
    q->exec();
    return !was;
}

bool unfollow_dossier(SQLite::Database& db, const std::string& code, const std::string& user_id, std::int64_t now_ms) {
    statement q(db, "UPDATE dossier_follows SET unfollowed_at = ? WHERE code = ? AND user_id = ? AND unfollowed_at IS NULL");
    q->bind(1, now_ms);
    q->bind(2, code);
    q->bind(3, user_id);
    return q->exec() > 0;
}

std::size_t unfollow_all(SQLite::Database& db, const std::string& user_id, std::int64_t now_ms) {
    statement q(db, "UPDATE dossier_follows SET unfollowed_at = ? WHERE user_id = ? AND unfollowed_at IS NULL");
    q->bind(1, now_ms);
    q->bind(2, user_id);
    return static_cast<std::size_t>(q->exec());
}

std::vector<std::string> followed_dossiers(SQLite::Database& db, const std::string& user_id) {
    statement q(db, "SELECT code FROM dossier_follows WHERE user_id = ? AND unfollowed_at IS NULL ORDER BY code");
    q->bind(1, user_id);
    std::vector<std::string> out;
    while (q->executeStep()) out.push_back(q->getColumn(0).getString());
    return out;
}

std::int64_t count_followers(SQLite::Database& db, const std::string& code) {
    statement q(db, "SELECT COUNT(*) FROM dossier_follows WHERE code = ? AND unfollowed_at IS NULL");
    q->bind(1, code);
    q->executeStep();
    return q->getColumn(0).getInt64();
}

bool follows(SQLite::Database& db, const std::string& code, const std::string& user_id) {
    statement q(db, "SELECT 1 FROM dossier_follows WHERE code = ? AND user_id = ? AND unfollowed_at IS NULL");
    q->bind(1, code);
    q->bind(2, user_id);
    return q->executeStep();
}

std::optional<std::string> pending_follow(SQLite::Database& db, const std::string& user_id, std::int64_t since_ms) {
    statement q(db, "SELECT code FROM dossier_follow_pending WHERE user_id = ? AND at >= ?");
    q->bind(1, user_id);
    q->bind(2, since_ms);
    if (q->executeStep()) return q->getColumn(0).getString();
    return std::nullopt;
}

void set_pending_follow(SQLite::Database& db, const std::string& user_id, const std::string& code, std::int64_t now_ms) {
    if (code.empty()) {
        statement q(db, "DELETE FROM dossier_follow_pending WHERE user_id = ?");
        q->bind(1, user_id);
        q->exec();
        return;
    }
    statement q(db,
                        "INSERT INTO dossier_follow_pending (user_id, code, at) VALUES (?, ?, ?) "
                        "ON CONFLICT(user_id) DO UPDATE SET code = excluded.code, at = excluded.at");
    q->bind(1, user_id);
    q->bind(2, code);
    q->bind(3, now_ms);
    q->exec();
}

int follow_failures(SQLite::Database& db, const std::string& user_id, const std::string& local_day) {
    statement q(db, "SELECT failures FROM dossier_follow_attempts WHERE user_id = ? AND local_day = ?");
    q->bind(1, user_id);
    q->bind(2, local_day);
    return q->executeStep() ? q->getColumn(0).getInt() : 0;
}

int record_follow_failure(SQLite::Database& db, const std::string& user_id, const std::string& local_day) {
    statement q(db,
                        "INSERT INTO dossier_follow_attempts (user_id, local_day, failures) VALUES (?, ?, 1) "
                        "ON CONFLICT(user_id, local_day) DO UPDATE SET failures = failures + 1");
    q->bind(1, user_id);
    q->bind(2, local_day);
    q->exec();
    return follow_failures(db, user_id, local_day);
}

std::size_t record_overdue_changes(SQLite::Database& db, const std::string& today, std::int64_t now_ms) {
    // Driven by the active follows (few) rather than the open dossiers (many).
    SQLite::Statement q(db, R"SQL(
INSERT INTO dossier_changes (run_id, code, at, old_state, new_state, old_due_on, new_due_on, fields, notice)
SELECT NULL, d.code, ?2, d.state, d.state, d.due_on, d.due_on, ?3, 'pending'
FROM dossiers d
WHERE d.code IN (SELECT code FROM dossier_follows WHERE unfollowed_at IS NULL)
  AND d.returned_on IS NULL AND d.state IN ('received', 'processing', 'supplement') AND d.due_on < ?1
  AND NOT EXISTS (SELECT 1 FROM dossier_changes c WHERE c.code = d.code AND c.fields = ?3 AND c.new_due_on = d.due_on)
ORDER BY d.code)SQL");
    q.bind(1, today);
    q.bind(2, now_ms);
    q.bind(3, overdue_change_marker);
    return static_cast<std::size_t>(q.exec());
}

std::vector<pending_change> pending_notice_changes(SQLite::Database& db, std::size_t limit) {
    std::vector<pending_change> out;
    std::unordered_map<std::string, std::vector<std::size_t>> by_code;
    {
        statement q(db,
                            "SELECT c.id, c.code, c.old_state, c.new_state, c.old_due_on, c.new_due_on, "
                            "COALESCE(d.procedure, ''), COALESCE(d.unit_id, ''), COALESCE(d.channel, ''), "
                            "COALESCE(d.returned_on, ''), c.fields "
                            "FROM dossier_changes c LEFT JOIN dossiers d ON d.code = c.code "
                            "WHERE c.notice = 'pending' ORDER BY c.id LIMIT ?");
        q->bind(1, static_cast<std::int64_t>(limit));
        while (q->executeStep()) {
            pending_change c;
            c.id = q->getColumn(0).getInt64();
            c.code = q->getColumn(1).getString();
            c.old_state = q->getColumn(2).getString();
            c.new_state = q->getColumn(3).getString();
            c.old_due_on = q->getColumn(4).getString();
            c.new_due_on = q->getColumn(5).getString();
            c.procedure = q->getColumn(6).getString();
            c.unit_id = q->getColumn(7).getString();
            c.channel = q->getColumn(8).getString();
            c.returned_on = q->getColumn(9).getString();
            c.fields = q->getColumn(10).getString();
            by_code[c.code].push_back(out.size());
            out.push_back(std::move(c));
        }
    }
    // Followers as of now (someone who stopped following in between is not told).
    statement f(db,
                        "SELECT f.user_id, f.phone, u.last_interaction_at, f.followed_at, COALESCE(u.oa, '') FROM dossier_follows f "
                        "LEFT JOIN users u ON u.user_id = f.user_id WHERE f.code = ? AND f.unfollowed_at IS NULL "
                        "ORDER BY f.followed_at, f.user_id");
    for (auto& [code, idx] : by_code) {
        f->bind(1, code);
        std::vector<change_follower> followers;
        while (f->executeStep()) {
            change_follower cf;
            cf.user_id = f->getColumn(0).getString();
            cf.phone = f->getColumn(1).getString();
            if (!f->getColumn(2).isNull()) cf.last_interaction_at = f->getColumn(2).getInt64();
            cf.followed_at = f->getColumn(3).getInt64();
            cf.oa = f->getColumn(4).getString();
            followers.push_back(std::move(cf));
        }
        f->reset();
        for (auto i : idx) out[i].followers = followers;
    }
    return out;
}

std::vector<bool> claim_notices(SQLite::Database& db, const std::vector<notice_row>& rows, std::int64_t now_ms) {
    statement q(db,
                        "INSERT OR IGNORE INTO dossier_notices (change_id, user_id, code, kind, channel, status, unit_id, "
                        "local_day, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    std::vector<bool> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
        q->bind(1, r.change_id);
        q->bind(2, r.user_id);
        q->bind(3, r.code);
        q->bind(4, r.kind);
        q->bind(5, r.channel);
        q->bind(6, std::string(to_string(r.status)));
        q->bind(7, r.unit_id);
        q->bind(8, r.local_day);
        q->bind(9, now_ms);
        out.push_back(q->exec() > 0);
        q->reset();
    }
    return out;
}

void set_notice_outboxes(SQLite::Database& db, const std::vector<notice_row>& rows) {
    statement q(db, "UPDATE dossier_notices SET outbox_id = ? WHERE change_id = ? AND user_id = ?");
    for (const auto& r : rows) {
        if (!r.outbox_id) continue;
        q->bind(1, *r.outbox_id);
        q->bind(2, r.change_id);
        q->bind(3, r.user_id);
        q->exec();
        q->reset();
    }
}

void mark_changes_noticed(SQLite::Database& db, const std::vector<std::int64_t>& change_ids) {
    statement q(db, "UPDATE dossier_changes SET notice = 'done' WHERE id = ?");
    for (auto id : change_ids) {
        q->bind(1, id);
        q->exec();
        q->reset();
    }
}

}  // namespace storage

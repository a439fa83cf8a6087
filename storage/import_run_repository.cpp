// Import runs storage.
#include "storage/import_run_repository.hpp"

#include "storage/stored_words.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace storage {

namespace {

constexpr detail::word_table<import_outcome, 3> outcome_words{{
    {import_outcome::imported, "imported"},
    {import_outcome::rejected, "rejected"},
    {import_outcome::failed, "failed"},
}};

constexpr const char* run_columns =
    "id, started_at, finished_at, duration_ms, merge_ms, source, COALESCE(actor, ''), COALESCE(file_name, ''), format, "
    "outcome, rows, inserted, updated, unchanged, state_changes, rejected, warnings, COALESCE(detail, '')";

import_run read_run(SQLite::Statement& q) {
    import_run r;
    r.id = q.getColumn(0).getInt64();
    r.started_at = q.getColumn(1).getInt64();
    r.finished_at = q.getColumn(2).getInt64();
    r.duration_ms = q.getColumn(3).getInt64();
    r.merge_ms = q.getColumn(4).getInt64();
    r.source = q.getColumn(5).getString();
    r.actor = q.getColumn(6).getString();
    r.file_name = q.getColumn(7).getString();
    r.format = q.getColumn(8).getString();
    r.outcome = parse_import_outcome(q.getColumn(9).getString());
    r.rows = q.getColumn(10).getInt64();
    r.inserted = q.getColumn(11).getInt64();
    r.updated = q.getColumn(12).getInt64();
    r.unchanged = q.getColumn(13).getInt64();
    r.state_changes = q.getColumn(14).getInt64();
    r.rejected = q.getColumn(15).getInt64();
    r.warnings = q.getColumn(16).getInt64();
    r.detail = q.getColumn(17).getString();
    return r;
}

void bind_counts(SQLite::Statement& q, const import_run& r, int first) {
    q.bind(first, r.finished_at);
    q.bind(first + 1, r.duration_ms);
    q.bind(first + 2, r.merge_ms);
    q.bind(first + 3, std::string(to_string(r.outcome)));
    q.bind(first + 4, r.rows);
    q.bind(first + 5, r.inserted);
    q.bind(first + 6, r.updated);
    q.bind(first + 7, r.unchanged);
    q.bind(first + 8, r.state_changes);
    q.bind(first + 9, r.rejected);
    q.bind(first + 10, r.warnings);
    q.bind(first + 11, r.detail);
}

}  // namespace

std::string_view to_string(import_outcome o) { return detail::word_of(outcome_words, o); }

import_outcome parse_import_outcome(std::string_view s) {
    return detail::value_of(outcome_words, s, "import outcome");
}

std::int64_t insert_import_run(SQLite::Database& db, const import_run& run, const std::vector<import_run_issue>& issues) {
    SQLite::Statement q(db,
                        "INSERT INTO import_runs (started_at, source, actor, file_name, format, finished_at, duration_ms, "
                        "merge_ms, outcome, rows, inserted, updated, unchanged, state_changes, rejected, warnings, detail) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, run.started_at);
    q.bind(2, run.source);
    q.bind(3, run.actor);
    q.bind(4, run.file_name);
    q.bind(5, run.format);
    bind_counts(q, run, 6);
    q.exec();
    const std::int64_t id = db.getLastInsertRowid();
    SQLite::Statement iq(db,
                         "INSERT INTO import_run_issues (run_id, seq, kind, file, line, column_name, code, reason, value) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    std::int64_t seq = 0;
    for (const auto& i : issues) {
        iq.bind(1, id);
        iq.bind(2, seq++);
        iq.bind(3, i.kind);
        iq.bind(4, i.file);
        iq.bind(5, i.line);
        iq.bind(6, i.column);
        iq.bind(7, i.code);
        iq.bind(8, i.reason);
        iq.bind(9, i.value);
        iq.exec();
        iq.reset();
    }
    return id;
}

void update_import_run(SQLite::Database& db, const import_run& run) {
    SQLite::Statement q(db,
                        "UPDATE import_runs SET finished_at = ?, duration_ms = ?, merge_ms = ?, outcome = ?, rows = ?, "
                        "inserted = ?, updated = ?, unchanged = ?, state_changes = ?, rejected = ?, warnings = ?, detail = ? "
                        "WHERE id = ?");
    bind_counts(q, run, 1);
    q.bind(13, run.id);
    q.exec();
}

std::vector<import_run> list_import_runs(SQLite::Database& db, std::size_t limit, std::size_t offset) {
    SQLite::Statement q(db, std::string("SELECT ") + run_columns + " FROM import_runs ORDER BY id DESC LIMIT ? OFFSET ?");
    q.bind(1, static_cast<std::int64_t>(limit));
    q.bind(2, static_cast<std::int64_t>(offset));
    std::vector<import_run> out;
    while (q.executeStep()) out.push_back(read_run(q));
    return out;
}

std::optional<import_run> find_import_run(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement q(db, std::string("SELECT ") + run_columns + " FROM import_runs WHERE id = ?");
    q.bind(1, id);
    if (q.executeStep()) return read_run(q);
    return std::nullopt;
}

std::vector<import_run_issue> import_run_issues(SQLite::Database& db, std::int64_t id, std::size_t limit) {
    SQLite::Statement q(db,
                        "SELECT kind, COALESCE(file, ''), line, COALESCE(column_name, ''), COALESCE(code, ''), reason, "
                        "COALESCE(value, '') "
                        "FROM import_run_issues WHERE run_id = ? ORDER BY seq LIMIT ?");
    q.bind(1, id);
    q.bind(2, static_cast<std::int64_t>(limit));
    std::vector<import_run_issue> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getInt64(),
                       q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getString(),
                       q.getColumn(6).getString()});
    return out;
}

std::vector<import_run_change> import_run_changes(SQLite::Database& db, std::int64_t id, std::size_t limit) {
    SQLite::Statement q(db,
                        "SELECT code, old_state, new_state, old_due_on, new_due_on, fields, notice FROM dossier_changes "
                        "WHERE run_id = ? ORDER BY id LIMIT ?");
    q.bind(1, id);
    q.bind(2, static_cast<std::int64_t>(limit));
    std::vector<import_run_change> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                       q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getString(),
                       q.getColumn(6).getString()});
    return out;
}

void prune_import_details(SQLite::Database& db, std::int64_t before_ms) {
    SQLite::Statement a(db, "DELETE FROM import_run_issues WHERE run_id IN (SELECT id FROM import_runs WHERE started_at < ?)");
    a.bind(1, before_ms);
    a.exec();
    // Changes still waiting for a notice are kept until it is sent.
    SQLite::Statement b(db,
                        "DELETE FROM dossier_changes WHERE notice <> 'pending' AND run_id IN "
                        "(SELECT id FROM import_runs WHERE started_at < ?)");
    b.bind(1, before_ms);
    b.exec();
}

}  // namespace storage

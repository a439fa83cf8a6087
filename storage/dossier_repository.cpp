// Dossiers storage.
#include "storage/dossier_repository.hpp"

#include "storage/write_scope.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <unordered_set>

namespace storage {

namespace {

constexpr const char* columns =
    "code, procedure, COALESCE(field, ''), level, unit_id, channel, received_on, COALESCE(received_time, ''), due_on, "
    "COALESCE(due_time, ''), COALESCE(returned_on, ''), COALESCE(returned_time, ''), COALESCE(official_id, ''), "
    "COALESCE(citizen_phone, '')";

dossier read(SQLite::Statement& q) {
    dossier d;
    d.code = q.getColumn(0).getString();
    d.procedure = q.getColumn(1).getString();
    d.field = q.getColumn(2).getString();
    d.level = q.getColumn(3).getString();
    d.unit_id = q.getColumn(4).getString();
    d.channel = q.getColumn(5).getString();
    d.received_on = q.getColumn(6).getString();
    d.received_time = q.getColumn(7).getString();
    d.due_on = q.getColumn(8).getString();
    d.due_time = q.getColumn(9).getString();
    d.returned_on = q.getColumn(10).getString();
    d.returned_time = q.getColumn(11).getString();
    d.official_id = q.getColumn(12).getString();
    d.citizen_phone = q.getColumn(13).getString();
    return d;
}

void bind_text_or_null(SQLite::Statement& q, int i, const std::string& v) {
    if (v.empty())
        q.bind(i);
    else
        q.bind(i, v);
}

open_dossier read_open(SQLite::Statement& q) {
    return {q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
            q.getColumn(3).getString(), q.getColumn(4).getString()};
}

}  // namespace

upsert_stats upsert_dossiers(SQLite::Database& db, const std::vector<dossier>& rows, std::int64_t now_ms) {
    upsert_stats st;
    // A savepoint nests inside a caller's transaction (the admin API wraps writes with their audit row).
    storage::write_scope sp(db);
    // Which codes are open now (a small set: served by the partial index), so that dossiers an
    // import marks returned can have their pending reminders cancelled, without a lookup per row.
    std::unordered_set<std::string> open_before;
    {
        SQLite::Statement q(db, "SELECT code FROM dossiers WHERE returned_on IS NULL");
        while (q.executeStep()) open_before.insert(q.getColumn(0).getString());
    }
    const std::int64_t count_before = count_dossiers(db);
    SQLite::Statement up(db,
                         "INSERT INTO dossiers (code, procedure, field, level, unit_id, channel, received_on, received_time, "
                         "due_on, due_time, returned_on, returned_time, official_id, citizen_phone, imported_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                         "ON CONFLICT(code) DO UPDATE SET procedure = excluded.procedure, field = excluded.field, "
                         "level = excluded.level, unit_id = excluded.unit_id, channel = excluded.channel, "
                         "received_on = excluded.received_on, received_time = excluded.received_time, "
                         "due_on = excluded.due_on, due_time = excluded.due_time, returned_on = excluded.returned_on, "
                         "returned_time = excluded.returned_time, official_id = excluded.official_id, "
                         "citizen_phone = excluded.citizen_phone, imported_at = excluded.imported_at");
    SQLite::Statement cancel(db,
                             "UPDATE outbox SET state = 'cancelled', error_reason = 'dossier returned' "
                             "WHERE state = 'pending' AND purpose = 'reminder' AND ref = ?");
    for (const auto& d : rows) {
        up.bind(1, d.code);
        up.bind(2, d.procedure);
        bind_text_or_null(up, 3, d.field);
        up.bind(4, d.level);
        up.bind(5, d.unit_id);
        up.bind(6, d.channel);
        up.bind(7, d.received_on);
        bind_text_or_null(up, 8, d.received_time);
        up.bind(9, d.due_on);
        bind_text_or_null(up, 10, d.due_time);
        bind_text_or_null(up, 11, d.returned_on);
        bind_text_or_null(up, 12, d.returned_time);
        bind_text_or_null(up, 13, d.official_id);
        bind_text_or_null(up, 14, d.citizen_phone);
        up.bind(15, static_cast<std::int64_t>(now_ms));
        up.exec();
        up.reset();
        if (!d.returned_on.empty() && open_before.count(d.code)) {
            ++st.newly_returned;
            cancel.bind(1, d.code);
            st.cancelled_reminders += static_cast<std::size_t>(cancel.exec());
            cancel.reset();
        }
    }
    st.inserted = static_cast<std::size_t>(count_dossiers(db) - count_before);
    st.updated = rows.size() - st.inserted;
    sp.commit();
    return st;
}

std::optional<dossier> find_dossier(SQLite::Database& db, const std::string& code) {
    SQLite::Statement q(db, std::string("SELECT ") + columns + " FROM dossiers WHERE code = ?");
    q.bind(1, code);
    if (q.executeStep()) return read(q);
    return std::nullopt;
}

std::vector<dossier> list_dossiers(SQLite::Database& db, const dossier_filter& f) {
    std::string sql = std::string("SELECT ") + columns + " FROM dossiers WHERE 1 = 1";
    if (!f.unit_id.empty()) sql += " AND unit_id = :unit";
    if (!f.official_id.empty()) sql += " AND official_id = :official";
    if (f.status == "open") sql += " AND returned_on IS NULL";
    if (f.status == "returned") sql += " AND returned_on IS NOT NULL";
    if (f.status == "overdue") sql += " AND returned_on IS NULL AND due_on < :today";
    sql += " ORDER BY due_on, code LIMIT :limit OFFSET :offset";
    SQLite::Statement q(db, sql);
    if (!f.unit_id.empty()) q.bind(":unit", f.unit_id);
    if (!f.official_id.empty()) q.bind(":official", f.official_id);
    if (f.status == "overdue") q.bind(":today", f.today);
    q.bind(":limit", static_cast<std::int64_t>(f.limit));
    q.bind(":offset", static_cast<std::int64_t>(f.offset));
    std::vector<dossier> out;
    while (q.executeStep()) out.push_back(read(q));
    return out;
}

std::vector<open_dossier> open_dossiers_due_by(SQLite::Database& db, const std::string& due_until) {
    // Served by the covering partial index dossiers_open (reminders migration block).
    SQLite::Statement q(db,
                        "SELECT code, procedure, unit_id, due_on, COALESCE(official_id, '') FROM dossiers "
                        "WHERE returned_on IS NULL AND due_on <= ? ORDER BY due_on, code");
    q.bind(1, due_until);
    std::vector<open_dossier> out;
    while (q.executeStep()) out.push_back(read_open(q));
    return out;
}

std::vector<open_dossier> open_dossiers_of(SQLite::Database& db, const std::string& official_id) {
    SQLite::Statement q(db,
                        "SELECT code, procedure, unit_id, due_on, COALESCE(official_id, '') FROM dossiers "
                        "WHERE returned_on IS NULL AND official_id = ? ORDER BY due_on, code");
    q.bind(1, official_id);
    std::vector<open_dossier> out;
    while (q.executeStep()) out.push_back(read_open(q));
    return out;
}

std::vector<std::pair<std::string, std::int64_t>> open_counts_by_unit(SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT unit_id, COUNT(*) FROM dossiers WHERE returned_on IS NULL GROUP BY unit_id ORDER BY unit_id");
    std::vector<std::pair<std::string, std::int64_t>> out;
    while (q.executeStep()) out.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getInt64());
    return out;
}

std::int64_t count_dossiers(SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT COUNT(*) FROM dossiers");
    q.executeStep();
    return q.getColumn(0).getInt64();
}

}  // namespace storage

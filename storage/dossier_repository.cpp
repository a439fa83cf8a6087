// Dossiers storage.
#include "storage/dossier_repository.hpp"

#include "storage/write_scope.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <array>
#include <cstdio>
#include <memory>
#include <random>
#include <stdexcept>

namespace storage {

namespace {

constexpr const char* columns =
    "code, procedure, COALESCE(field, ''), level, unit_id, channel, received_on, COALESCE(received_time, ''), due_on, "
    "COALESCE(due_time, ''), COALESCE(returned_on, ''), COALESCE(returned_time, ''), COALESCE(official_id, ''), "
    "COALESCE(citizen_phone, ''), state";

// The state names as stored, in enum order.
constexpr std::array<const char*, 6> state_names = {"received", "processing", "supplement", "result_ready", "returned", "withdrawn"};

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
    d.state = dossier_state_from(q.getColumn(14).getString()).value_or(dossier_state::processing);
    return d;
}

void bind_text_or_null(SQLite::Statement& q, int i, const std::string& v) {
    if (v.empty())
        q.bind(i);
    else
        q.bind(i, v);
}

// The 16 stored fields, from code to fingerprint, bound from parameter `first` on (the staging
// table and the dossiers take them in the same order).
void bind_fields(SQLite::Statement& q, int first, const dossier& d) {
    int i = first;
    q.bind(i++, d.code);
    q.bind(i++, d.procedure);
    bind_text_or_null(q, i++, d.field);
    q.bind(i++, d.level);
    q.bind(i++, d.unit_id);
    q.bind(i++, d.channel);
    q.bind(i++, d.received_on);
    bind_text_or_null(q, i++, d.received_time);
    q.bind(i++, d.due_on);
    bind_text_or_null(q, i++, d.due_time);
    bind_text_or_null(q, i++, d.returned_on);
    bind_text_or_null(q, i++, d.returned_time);
    bind_text_or_null(q, i++, d.official_id);
    bind_text_or_null(q, i++, d.citizen_phone);
    q.bind(i++, to_string(stored_state(d)));
    q.bind(i, dossier_fingerprint(d));
}

open_dossier read_open(SQLite::Statement& q) {
    return {q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
            q.getColumn(3).getString(), q.getColumn(4).getString()};
}

// Up to `limit` rows above the visibility ceiling, highest first.
std::size_t drop_rows_above_ceiling(SQLite::Database& db, std::size_t limit) {
    SQLite::Statement q(db,
                        "DELETE FROM dossier_rows WHERE rowid IN (SELECT rowid FROM dossier_rows "
                        "WHERE rowid > (SELECT ceiling FROM dossier_visibility) ORDER BY rowid DESC LIMIT ?)");
    q.bind(1, static_cast<std::int64_t>(limit));
    return static_cast<std::size_t>(q.exec());
}

// Lifts the ceiling back to the largest rowid there can be and frees the placement, so every row
// shows: only while `holder` holds it, or whoever holds it when `holder` is null.
void lift_ceiling(SQLite::Database& db, const std::string* holder) {
    SQLite::Statement q(db, std::string("UPDATE dossier_visibility SET ceiling = 9223372036854775807, batch = NULL, touched = NULL") +
                                (holder ? " WHERE batch = ?" : ""));
    if (holder) q.bind(1, *holder);
    q.exec();
}

std::string random_batch() {
    std::random_device rd;
    std::uniform_int_distribution<unsigned long long> dist;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", dist(rd));
    return buf;
}

// The condition the open-dossier indexes are declared with (migration 50); queries repeat it
// literally so SQLite can use them.
#define OPEN_DOSSIER "returned_on IS NULL AND state <> 'withdrawn'"

}  // namespace

const char* to_string(dossier_state s) { return state_names[static_cast<std::size_t>(s)]; }

std::optional<dossier_state> dossier_state_from(std::string_view name) {
    for (std::size_t i = 0; i < state_names.size(); ++i)
        if (name == state_names[i]) return static_cast<dossier_state>(i);
    return std::nullopt;
}

bool is_finished(dossier_state s) { return s == dossier_state::returned || s == dossier_state::withdrawn; }

dossier_state stored_state(const dossier& d) {
    if (!d.returned_on.empty() && d.state != dossier_state::withdrawn) return dossier_state::returned;
    return d.state;
}

std::string dossier_fingerprint(const dossier& d) {
    // FNV-1a, 64 bits, over the fields separated by a unit separator: only ever compared for
    // equality with the stored value of the same code, so a cryptographic digest buys nothing.
    std::uint64_t h = 1469598103934665603ULL;
    auto mix = [&h](const std::string& s) {
        for (unsigned char c : s) {
            h ^= c;
            h *= 1099511628211ULL;
        }
        h ^= 0x1f;
        h *= 1099511628211ULL;
    };
    for (const std::string* f : {&d.code, &d.procedure, &d.field, &d.level, &d.unit_id, &d.channel, &d.received_on,
                                 &d.received_time, &d.due_on, &d.due_time, &d.returned_on, &d.returned_time,
                                 &d.official_id, &d.citizen_phone})
        mix(*f);
    mix(to_string(stored_state(d)));
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

std::vector<std::string> changed_fields(const dossier& a, const dossier& b) {
    std::vector<std::string> out;
    auto cmp = [&out](const std::string& x, const std::string& y, const char* name) {
        if (x != y) out.emplace_back(name);
    };
    cmp(a.procedure, b.procedure, "thu_tuc");
    cmp(a.field, b.field, "linh_vuc");
    cmp(a.level, b.level, "cap");
    cmp(a.unit_id, b.unit_id, "don_vi");
    cmp(a.channel, b.channel, "kenh");
    cmp(a.received_on + " " + a.received_time, b.received_on + " " + b.received_time, "ngay_nhan");
    cmp(a.due_on + " " + a.due_time, b.due_on + " " + b.due_time, "han_tra");
    cmp(a.returned_on + " " + a.returned_time, b.returned_on + " " + b.returned_time, "ngay_tra");
    cmp(a.official_id, b.official_id, "can_bo");
    cmp(a.citizen_phone, b.citizen_phone, "so_dien_thoai");
    if (stored_state(a) != stored_state(b)) out.emplace_back("trang_thai");
    return out;
}

dossier_reader::dossier_reader(SQLite::Database& db)
    : q_(std::make_unique<SQLite::Statement>(db, std::string("SELECT ") + columns + " FROM dossiers WHERE code = ?")) {}

dossier_reader::~dossier_reader() = default;

std::optional<dossier> dossier_reader::find(const std::string& code) {
    q_->reset();
    q_->bind(1, code);
    std::optional<dossier> out;
    if (q_->executeStep()) out = read(*q_);
    q_->reset();
    return out;
}

void clear_stale_staging(SQLite::Database& db, std::int64_t before_ms) {
    SQLite::Statement q(db, "DELETE FROM dossier_import_staging WHERE staged_at < ?");
    q.bind(1, before_ms);
    q.exec();
}

std::size_t stage_dossiers(SQLite::Database& db, const std::string& batch, std::int64_t first_seq,
                           const std::vector<staged_row>& rows, std::int64_t now_ms, bool place) {
    SQLite::Statement q(db,
                        "INSERT INTO dossier_import_staging (batch, seq, code, procedure, field, level, unit_id, channel, "
                        "received_on, received_time, due_on, due_time, returned_on, returned_time, official_id, "
                        "citizen_phone, state, fingerprint, changed, staged_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    // Placed rows take the next rowids, above the ceiling: appended to the table in order.
    std::unique_ptr<SQLite::Statement> put;
    if (place) {
        if (!holds_placement(db, batch)) throw std::runtime_error("placing dossiers without holding the placement");
        put = std::make_unique<SQLite::Statement>(
            db,
            "INSERT INTO dossier_rows (code, procedure, field, level, unit_id, channel, received_on, received_time, "
            "due_on, due_time, returned_on, returned_time, official_id, citizen_phone, state, fingerprint, imported_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    }
    std::size_t placed = 0;
    std::int64_t seq = first_seq;
    for (const auto& r : rows) {
        const dossier& d = *r.row;
        const std::int64_t this_seq = seq++;
        if (put && r.changed.empty()) {
            bind_fields(*put, 1, d);
            put->bind(17, now_ms);
            const int n = put->exec();
            put->reset();
            if (n == 1) {
                ++placed;
                continue;
            }
        }
        q.bind(1, batch);
        q.bind(2, this_seq);
        bind_fields(q, 3, d);
        q.bind(19, r.changed);
        q.bind(20, now_ms);
        q.exec();
        q.reset();
    }
    return placed;
}

bool claim_placement(SQLite::Database& db, const std::string& batch, std::int64_t now_ms) {
    // Taken when free, the ceiling comes down to the last row; kept when taken over from a dead
    // import (its rows above it go with drop_hidden).
    SQLite::Statement q(db,
                        "UPDATE dossier_visibility SET batch = ?1, touched = ?2, "
                        "ceiling = CASE WHEN batch IS NULL THEN (SELECT COALESCE(MAX(rowid), 0) FROM dossier_rows) ELSE ceiling END "
                        "WHERE batch IS NULL OR batch = ?1 OR touched IS NULL OR touched < ?3");
    q.bind(1, batch);
    q.bind(2, now_ms);
    q.bind(3, now_ms - placement_stale_ms);
    return q.exec() == 1;
}

bool holds_placement(SQLite::Database& db, const std::string& batch) {
    SQLite::Statement q(db, "SELECT 1 FROM dossier_visibility WHERE batch = ?");
    q.bind(1, batch);
    return q.executeStep();
}

std::size_t drop_hidden(SQLite::Database& db, const std::string& batch, std::size_t limit) {
    if (!holds_placement(db, batch)) return 0;
    return drop_rows_above_ceiling(db, limit);
}

void release_placement(SQLite::Database& db, const std::string& batch) { lift_ceiling(db, &batch); }

void drop_staged(SQLite::Database& db, const std::string& batch) {
    SQLite::Statement q(db, "DELETE FROM dossier_import_staging WHERE batch = ?");
    q.bind(1, batch);
    q.exec();
}

void drop_staged(SQLite::Database& db, const std::string& batch, std::int64_t first_seq, std::int64_t count) {
    SQLite::Statement q(db, "DELETE FROM dossier_import_staging WHERE batch = ? AND seq >= ? AND seq < ?");
    q.bind(1, batch);
    q.bind(2, first_seq);
    q.bind(3, first_seq + count);
    q.exec();
}

upsert_stats merge_staged(SQLite::Database& db, const std::string& batch, std::optional<std::int64_t> run_id,
                          std::int64_t now_ms) {
    upsert_stats st;
    bool holds_placement = false;
    {
        SQLite::Statement h(db, "SELECT batch IS ?1, batch IS NULL, touched IS NULL OR touched < ?2 FROM dossier_visibility");
        h.bind(1, batch);
        h.bind(2, now_ms - placement_stale_ms);
        if (!h.executeStep()) throw std::runtime_error("dossier_visibility has no row");
        holds_placement = h.getColumn(0).getInt() != 0;
        const bool free = h.getColumn(1).getInt() != 0, stale = h.getColumn(2).getInt() != 0;
        h.reset();
        if (!holds_placement && !free) {
            // New rows would land above the ceiling with a live import's, hidden until it commits.
            if (!stale) throw std::runtime_error("a dossier import is in progress; try again when it has finished");
            // A dead import's rows would take the codes they hold: they go first.
            while (drop_rows_above_ceiling(db, 5000) > 0) {
            }
            lift_ceiling(db, nullptr);
        }
    }
    // Set-based statements over the staged rows: the time this holds the write connection is a
    // few statements, not one round trip per row.
    {
        SQLite::Statement q(db,
                            "SELECT COUNT(*) FROM dossier_import_staging s WHERE s.batch = ? "
                            "AND NOT EXISTS (SELECT 1 FROM dossiers d WHERE d.code = s.code)");
        q.bind(1, batch);
        q.executeStep();
        st.inserted = static_cast<std::size_t>(q.getColumn(0).getInt64());
    }
    std::int64_t last_change = 0;
    {
        SQLite::Statement q(db, "SELECT COALESCE(MAX(id), 0) FROM dossier_changes");
        q.executeStep();
        last_change = q.getColumn(0).getInt64();
    }
    {
        // Every stored dossier that differs is recorded with its state and due date before and
        // after. Followers are told of a new state, and of a later due date while it is open
        // (the apology and new appointment), so those changes wait for a notice.
        SQLite::Statement q(db, R"SQL(
INSERT INTO dossier_changes (run_id, code, at, old_state, new_state, old_due_on, new_due_on, fields, notice)
SELECT ?1, s.code, ?3, d.state, s.state, d.due_on, s.due_on, COALESCE(s.changed, ''),
       CASE WHEN (d.state <> s.state OR (s.due_on > d.due_on AND s.state IN ('received', 'processing', 'supplement')))
                 AND EXISTS (SELECT 1 FROM dossier_follows f WHERE f.code = s.code AND f.unfollowed_at IS NULL)
            THEN 'pending' ELSE 'none' END
FROM dossier_import_staging s JOIN dossiers d ON d.code = s.code
WHERE s.batch = ?2 AND d.fingerprint IS NOT s.fingerprint
ORDER BY s.seq)SQL");
        if (run_id)
            q.bind(1, *run_id);
        else
            q.bind(1);
        q.bind(2, batch);
        q.bind(3, now_ms);
        st.updated = static_cast<std::size_t>(q.exec());
    }
    if (st.updated > 0) {
        SQLite::Statement q(db,
                            "SELECT COALESCE(SUM(old_state <> new_state), 0), COALESCE(SUM(notice = 'pending'), 0) "
                            "FROM dossier_changes WHERE id > ?");
        q.bind(1, last_change);
        q.executeStep();
        st.state_changes = static_cast<std::size_t>(q.getColumn(0).getInt64());
        st.notices_pending = static_cast<std::size_t>(q.getColumn(1).getInt64());
    }
    {
        // Dossiers that finish now: their pending reminder messages are cancelled (before the
        // update below, while the stored row still says open).
        SQLite::Statement n(db, "SELECT COUNT(*) FROM dossier_import_staging s JOIN dossiers d ON d.code = s.code "
                                "WHERE s.batch = ? AND d.returned_on IS NULL AND d.state <> 'withdrawn' AND s.state IN ('returned', 'withdrawn')");
        n.bind(1, batch);
        n.executeStep();
        st.newly_returned = static_cast<std::size_t>(n.getColumn(0).getInt64());
        if (st.newly_returned > 0) {
            SQLite::Statement c(db,
                                "UPDATE outbox SET state = 'cancelled', error_reason = 'dossier returned' "
                                "WHERE state = 'pending' AND purpose = 'reminder' AND ref IN ("
                                "SELECT s.code FROM dossier_import_staging s JOIN dossiers d ON d.code = s.code "
                                "WHERE s.batch = ? AND d.returned_on IS NULL AND d.state <> 'withdrawn' AND s.state IN ('returned', 'withdrawn'))");
            c.bind(1, batch);
            st.cancelled_reminders = static_cast<std::size_t>(c.exec());
        }
    }
    {
        SQLite::Statement up(db, R"SQL(
INSERT INTO dossier_rows (code, procedure, field, level, unit_id, channel, received_on, received_time, due_on, due_time,
                      returned_on, returned_time, official_id, citizen_phone, state, fingerprint, imported_at)
SELECT code, procedure, field, level, unit_id, channel, received_on, received_time, due_on, due_time,
       returned_on, returned_time, official_id, citizen_phone, state, fingerprint, ?2
FROM dossier_import_staging WHERE batch = ?1 ORDER BY code
ON CONFLICT(code) DO UPDATE SET procedure = excluded.procedure, field = excluded.field, level = excluded.level,
  unit_id = excluded.unit_id, channel = excluded.channel, received_on = excluded.received_on,
  received_time = excluded.received_time, due_on = excluded.due_on, due_time = excluded.due_time,
  returned_on = excluded.returned_on, returned_time = excluded.returned_time, official_id = excluded.official_id,
  citizen_phone = excluded.citizen_phone, state = excluded.state, fingerprint = excluded.fingerprint,
  imported_at = excluded.imported_at
WHERE dossier_rows.fingerprint IS NOT excluded.fingerprint)SQL");
        up.bind(1, batch);
        up.bind(2, now_ms);
        up.exec();
    }
    // The one short swap: everything placed above the ceiling becomes visible with this commit.
    if (holds_placement) lift_ceiling(db, &batch);
    return st;
}

upsert_stats upsert_dossiers(SQLite::Database& db, const std::vector<dossier>& rows, std::int64_t now_ms,
                             std::optional<std::int64_t> run_id) {
    // A savepoint nests inside a caller's transaction (the admin API wraps writes with their audit row).
    storage::write_scope sp(db);
    std::vector<staged_row> changed;
    std::size_t unchanged = 0;
    {
        dossier_reader reader(db);
        for (const auto& d : rows) {
            auto before = reader.find(d.code);
            if (!before) {
                changed.push_back({&d, {}});
                continue;
            }
            auto fields = changed_fields(*before, d);
            if (fields.empty()) {
                ++unchanged;
                continue;
            }
            std::string list;
            for (const auto& f : fields) list += (list.empty() ? "" : ",") + f;
            changed.push_back({&d, std::move(list)});
        }
    }
    upsert_stats st;
    if (!changed.empty()) {
        const std::string batch = random_batch();
        stage_dossiers(db, batch, 0, changed, now_ms);
        st = merge_staged(db, batch, run_id, now_ms);
        drop_staged(db, batch);
    }
    st.unchanged = unchanged;
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
    if (!f.unit_ids.empty()) {
        sql += " AND unit_id IN (";
        for (std::size_t i = 0; i < f.unit_ids.size(); ++i) sql += (i ? ", :u" : ":u") + std::to_string(i);
        sql += ")";
    }
    if (!f.official_id.empty()) sql += " AND official_id = :official";
    const auto state = dossier_state_from(f.status);
    if (f.status == "open") sql += " AND " OPEN_DOSSIER;
    if (f.status == "returned") sql += " AND returned_on IS NOT NULL";
    if (f.status == "overdue") sql += " AND " OPEN_DOSSIER " AND due_on < :today";
    if (state) sql += " AND state = :state";
    sql += " ORDER BY due_on, code LIMIT :limit OFFSET :offset";
    SQLite::Statement q(db, sql);
    if (!f.unit_id.empty()) q.bind(":unit", f.unit_id);
    if (!f.official_id.empty()) q.bind(":official", f.official_id);
    for (std::size_t i = 0; i < f.unit_ids.size(); ++i) q.bind(":u" + std::to_string(i), f.unit_ids[i]);
    if (f.status == "overdue") q.bind(":today", f.today);
    if (state) q.bind(":state", to_string(*state));
    q.bind(":limit", static_cast<std::int64_t>(f.limit));
    q.bind(":offset", static_cast<std::int64_t>(f.offset));
    std::vector<dossier> out;
    while (q.executeStep()) out.push_back(read(q));
    return out;
}

std::vector<open_dossier> open_dossiers_due_by(SQLite::Database& db, const std::string& due_until) {
    // Served by the covering partial index dossiers_open.
    SQLite::Statement q(db,
                        "SELECT code, procedure, unit_id, due_on, COALESCE(official_id, '') FROM dossiers "
                        "WHERE " OPEN_DOSSIER " AND due_on <= ? ORDER BY due_on, code");
    q.bind(1, due_until);
    std::vector<open_dossier> out;
    while (q.executeStep()) out.push_back(read_open(q));
    return out;
}

std::vector<open_dossier> open_dossiers_of(SQLite::Database& db, const std::string& official_id) {
    SQLite::Statement q(db,
                        "SELECT code, procedure, unit_id, due_on, COALESCE(official_id, '') FROM dossiers "
                        "WHERE " OPEN_DOSSIER " AND official_id = ? ORDER BY due_on, code");
    q.bind(1, official_id);
    std::vector<open_dossier> out;
    while (q.executeStep()) out.push_back(read_open(q));
    return out;
}

std::vector<std::pair<std::string, std::int64_t>> open_counts_by_unit(SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT unit_id, COUNT(*) FROM dossiers WHERE " OPEN_DOSSIER " GROUP BY unit_id ORDER BY unit_id");
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

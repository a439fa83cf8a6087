// Report aggregates: one SQL statement per figure family, all read-only and parameterised.
#include "storage/report_queries.hpp"

#include "storage/broadcast_repository.hpp"
#include "storage/dossier_repository.hpp"
#include "storage/interaction_repository.hpp"
#include "storage/sql_list.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace storage {

namespace {

void bind_oas(SQLite::Statement& q, int index, const report_scope& s) {
    if (s.oas.empty())
        q.bind(index);
    else
        q.bind(index, json_array(s.oas));
}

void bind_units(SQLite::Statement& q, int index, const report_scope& s) {
    if (s.units.empty())
        q.bind(index);  // NULL: no filter
    else
        q.bind(index, json_array(s.units));
}

std::optional<std::int64_t> median(std::vector<std::int64_t>& v) {
    if (v.empty()) return std::nullopt;
    const std::size_t mid = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
    const std::int64_t upper = v[mid];
    if (v.size() % 2 == 1) return upper;
    const std::int64_t lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
    return (lower + upper) / 2;
}

}  // namespace

namespace {

// Column access on the raw statement in the scan loops: SQLiteCpp's Column objects copy a
// shared_ptr per call, which shows up over millions of rows.
std::string_view text_of(sqlite3_stmt* st, int i) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(st, i))) : std::string_view{};
}
bool is_null(sqlite3_stmt* st, int i) { return sqlite3_column_type(st, i) == SQLITE_NULL; }

// A prepared statement on the raw handle, for the scan loops (SQLiteCpp keeps its handle private).
class raw_statement {
public:
    raw_statement(SQLite::Database& db, const std::string& sql) : db_(db.getHandle()) {
        const int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &st_, nullptr);
        if (rc != SQLITE_OK) throw SQLite::Exception(db_, rc);
    }
    ~raw_statement() { sqlite3_finalize(st_); }
    raw_statement(const raw_statement&) = delete;
    raw_statement& operator=(const raw_statement&) = delete;
    void bind(int i, const std::string& v) {
        const int rc = sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        if (rc != SQLITE_OK) throw SQLite::Exception(db_, rc);
    }
    /// True while there is a row. @throws SQLite::Exception
    bool step() {
        const int rc = sqlite3_step(st_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw SQLite::Exception(db_, rc);
    }
    [[nodiscard]] sqlite3_stmt* get() const { return st_; }

private:
    sqlite3* db_;
    sqlite3_stmt* st_ = nullptr;
};

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// 'YYYY-MM-DD' with a real calendar day: how the import stores dates. Anything else ('15/02/2026',
// '2026-02-30') cannot be compared as text and is reported instead of counted.
bool iso_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (s[i] < '0' || s[i] > '9') return false;
    const int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    const int m = (s[5] - '0') * 10 + (s[6] - '0');
    const int d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1) return false;
    return d <= days[m - 1] + (m == 2 && leap(y) ? 1 : 0);
}

// Upper-case ASCII without spaces: 'hs-2026-000001 ' and 'HS-2026-000001' are one dossier.
void normalize_code(std::string_view code, std::string& out) {
    out.clear();
    for (char c : code) {
        if (c == ' ' || c == '\t') continue;
        out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    }
}

struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

enum : std::uint8_t {
    f_received = 1,
    f_online = 2,
    f_resolved = 4,
    f_early = 8,
    f_on_time = 16,
    f_late = 32,
    f_pending_overdue = 64,
};

struct scanned_row {
    std::uint32_t group;
    std::uint8_t flags;
    bool excluded;
};

void add_row(dossier_counters& c, std::uint8_t f) {
    if (f & f_received) {
        ++c.received;
        if (f & f_online) ++c.online;
    } else {
        ++c.carried_over;
    }
    if (f & f_resolved) {
        ++c.resolved;
        if (f & f_early) ++c.early;
        if (f & f_on_time) ++c.on_time;
        if (f & f_late) ++c.late;
    } else if (f & f_pending_overdue) {
        ++c.pending_overdue;
    }
}

}  // namespace

dossier_scan scan_dossiers(SQLite::Database& db, const report_scope& s, int list_limit) {
    // One pass, filtered in SQL and counted here: the carried-over condition makes any index on
    // received_on unselective (most of the table lies before `to`), and SQLite's GROUP BY would
    // sort every row. NOT INDEXED keeps the plan a plain sequential scan.
    std::string sql = R"SQL(
SELECT code, level, unit_id, procedure, channel, received_on, due_on, returned_on
FROM dossier_rows NOT INDEXED
WHERE )SQL" VISIBLE_DOSSIER_ROW R"SQL( AND received_on <= ?2
  AND (received_on >= ?1 OR returned_on IS NULL OR returned_on = '' OR returned_on >= ?1))SQL";
    if (!s.units.empty()) sql += " AND unit_id IN (SELECT value FROM json_each(?3))";
    raw_statement q(db, sql);
    q.bind(1, s.from);
    q.bind(2, s.to);
    if (!s.units.empty()) q.bind(3, json_array(s.units));
    const std::string_view from = s.from, to = s.to;
    const std::string_view as_of = s.as_of.empty() ? std::string_view(s.to) : std::string_view(s.as_of);

    dossier_scan out;
    std::map<std::string, std::int64_t> suspect_counts;
    std::map<std::string, int> suspects_listed;
    std::unordered_map<std::string, std::uint32_t, string_hash, std::equal_to<>> group_index;
    std::vector<scanned_row> rows;
    // normalized code → first row; codes that differ from their normalized form are kept aside.
    std::unordered_map<std::string, std::uint32_t, string_hash, std::equal_to<>> seen_codes;
    std::unordered_map<std::uint32_t, std::pair<std::string, std::string>> row_code;  // row → code, unit
    std::map<std::string, std::vector<std::uint32_t>> duplicate_rows;
    std::string key, norm;

    sqlite3_stmt* st = q.get();
    rows.reserve(1 << 16);
    seen_codes.reserve(1 << 16);
    while (q.step()) {
        const std::string_view code = text_of(st, 0);
        const std::string_view level = text_of(st, 1);
        const std::string_view unit = text_of(st, 2);
        const std::string_view procedure = text_of(st, 3);
        const std::string_view channel = text_of(st, 4);
        const std::string_view rec = text_of(st, 5);
        const std::string_view due = text_of(st, 6);
        const std::string_view ret = text_of(st, 7);
        const bool returned = !ret.empty();

        const char* kind = nullptr;
        if (!iso_date(rec) || !iso_date(due) || (returned && !iso_date(ret)))
            kind = "bad_date";
        else if (returned && ret < rec)
            kind = "returned_before_received";
        else if (due < rec)
            kind = "due_before_received";
        if (kind) {
            ++suspect_counts[kind];
            if (suspects_listed[kind]++ < list_limit)
                out.suspects.push_back({kind, std::string(code), std::string(level), std::string(unit),
                                        std::string(rec), std::string(due), std::string(ret)});
            continue;
        }

        std::uint8_t f = 0;
        if (rec >= from) {
            f |= f_received;
            if (channel == "truc_tuyen") f |= f_online;
        }
        if (returned && ret <= to) {
            f |= f_resolved;
            f |= ret < due ? f_early : ret == due ? f_on_time : f_late;
        } else if (due < as_of) {
            f |= f_pending_overdue;
        }

        key.assign(level);
        key += '\x1f';
        key.append(unit);
        key += '\x1f';
        key.append(procedure);
        auto g = group_index.find(std::string_view(key));
        if (g == group_index.end()) {
            g = group_index.emplace(key, static_cast<std::uint32_t>(out.groups.size())).first;
            out.groups.push_back({std::string(level), std::string(unit), std::string(procedure), {}});
        }
        const auto row = static_cast<std::uint32_t>(rows.size());
        rows.push_back({g->second, f, false});

        normalize_code(code, norm);
        auto [it, inserted] = seen_codes.try_emplace(norm, row);
        if (norm != code || !inserted) row_code.emplace(row, std::make_pair(std::string(code), std::string(unit)));
        if (!inserted) {
            auto& members = duplicate_rows[norm];
            if (members.empty()) members.push_back(it->second);
            members.push_back(row);
        }
    }

    // Duplicates: every member is left out, since either record may be the wrong one.
    for (auto& [n, members] : duplicate_rows) {
        duplicate_code_group dg;
        dg.normalized = n;
        for (auto r : members) {
            rows[r].excluded = true;
            auto c = row_code.find(r);
            dg.codes.push_back(c != row_code.end() ? c->second.first : n);
            dg.units.push_back(c != row_code.end() ? c->second.second : out.groups[rows[r].group].unit_id);
        }
        out.duplicate_dossiers += static_cast<std::int64_t>(members.size());
        if (static_cast<int>(out.duplicates.size()) < list_limit) out.duplicates.push_back(std::move(dg));
    }
    for (const auto& r : rows)
        if (!r.excluded) add_row(out.groups[r.group].c, r.flags);
    out.suspect_counts.assign(suspect_counts.begin(), suspect_counts.end());
    return out;
}

conversation_figures conversation_stats(SQLite::Database& db, const report_scope& s, int top_n) {
    conversation_figures f;
    constexpr const char* unit_filter = " AND (?3 IS NULL OR unit_id IN (SELECT value FROM json_each(?3)))";
    // One pass over the period's inbound messages (the log is large; three aggregate queries
    // would read it three times). Questions are what citizens typed: official commands are not.
    {
        std::string sql = R"SQL(
SELECT user_id, kind, outcome, topic, latency_ms FROM interactions INDEXED BY interactions_report
WHERE direction = 'in' AND local_day BETWEEN ?1 AND ?2)SQL";
        if (!s.units.empty()) sql += " AND unit_id IN (SELECT value FROM json_each(?3))";
        if (!s.oas.empty()) sql += " AND oa IN (SELECT value FROM json_each(?4))";
        raw_statement q(db, sql);
        q.bind(1, s.from);
        q.bind(2, s.to);
        if (!s.units.empty()) q.bind(3, json_array(s.units));
        if (!s.oas.empty()) q.bind(4, json_array(s.oas));
        std::unordered_set<std::string, string_hash, std::equal_to<>> users;
        std::unordered_map<std::string, std::int64_t, string_hash, std::equal_to<>> topics;
        std::vector<std::int64_t> latencies;
        sqlite3_stmt* st = q.get();
        while (q.step()) {
            const std::string_view kind = text_of(st, 1);
            const interaction_outcome outcome = parse_interaction_outcome(text_of(st, 2));
            if (!is_null(st, 4)) latencies.push_back(sqlite3_column_int64(st, 4));
            if (outcome == interaction_outcome::answered) {
                const std::string_view topic = text_of(st, 3);
                if (!topic.empty()) {
                    auto it = topics.find(topic);
                    if (it == topics.end()) it = topics.emplace(std::string(topic), 0).first;
                    ++it->second;
                }
            }
            if (kind != "text" || outcome == interaction_outcome::command) continue;
            ++f.questions;
            const std::string_view user = text_of(st, 0);
            if (users.find(user) == users.end()) users.emplace(user);
            if (outcome == interaction_outcome::answered || outcome == interaction_outcome::lookup)
                ++f.answered;
            else if (outcome == interaction_outcome::clarified)
                ++f.clarified;
            else if (outcome == interaction_outcome::fallback)
                ++f.fallbacks;
        }
        f.citizens = static_cast<std::int64_t>(users.size());
        f.median_reply_latency_ms = median(latencies);
        std::vector<std::pair<std::string, std::int64_t>> ranked(topics.begin(), topics.end());
        std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
            return a.second != b.second ? a.second > b.second : a.first < b.first;
        });
        if (static_cast<int>(ranked.size()) > top_n) ranked.resize(static_cast<std::size_t>(top_n));
        f.top_topics = std::move(ranked);
    }
    {
        // Unanswered questions have no unit of their own: the asker's unit decides.
        SQLite::Statement q(db, R"SQL(
SELECT MIN(text), COUNT(*) AS n FROM unanswered
WHERE local_day BETWEEN ?1 AND ?2
  AND (?3 IS NULL OR user_id IN (SELECT user_id FROM users WHERE unit_id IN (SELECT value FROM json_each(?3))))
  AND (?5 IS NULL OR user_id IN (SELECT user_id FROM users WHERE oa IN (SELECT value FROM json_each(?5))))
GROUP BY normalized ORDER BY n DESC, MIN(text) LIMIT ?4)SQL");
        q.bind(1, s.from);
        q.bind(2, s.to);
        bind_units(q, 3, s);
        q.bind(4, top_n);
        bind_oas(q, 5, s);
        while (q.executeStep()) f.top_unanswered.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getInt64());
    }
    {
        SQLite::Statement q(db, std::string(R"SQL(
SELECT first_answer_at - opened_at FROM handoffs
WHERE opened_at >= ?1 AND opened_at < ?2
  AND (?4 IS NULL OR user_id IN (SELECT user_id FROM users WHERE oa IN (SELECT value FROM json_each(?4)))))SQL") +
                                    unit_filter);
        q.bind(1, s.from_ms);
        q.bind(2, s.to_end_ms);
        bind_units(q, 3, s);
        bind_oas(q, 4, s);
        std::vector<std::int64_t> waits;
        while (q.executeStep()) {
            ++f.handoffs;
            if (!q.getColumn(0).isNull()) waits.push_back(q.getColumn(0).getInt64());
        }
        f.handoffs_answered = static_cast<std::int64_t>(waits.size());
        f.median_handoff_answer_ms = median(waits);
    }
    return f;
}

std::vector<reminder_counts> reminder_stats(SQLite::Database& db, const report_scope& s) {
    // A reminder that found no way to reach its recipient (channel 'none', status 'no_zalo' or
    // 'failed') was recorded but not sent.
    SQLite::Statement q(db, R"SQL(
SELECT COALESCE(unit_id, ''),
       SUM(kind = 'due_soon'), SUM(kind = 'overdue'), SUM(kind = 'escalation'), SUM(kind = 'digest')
FROM reminders
WHERE local_day BETWEEN ?1 AND ?2
  AND COALESCE(channel, '') <> 'none' AND status NOT IN ('no_zalo', 'failed')
  AND (?3 IS NULL OR unit_id IN (SELECT value FROM json_each(?3)))
GROUP BY COALESCE(unit_id, '') ORDER BY 1)SQL");
    q.bind(1, s.from);
    q.bind(2, s.to);
    bind_units(q, 3, s);
    std::vector<reminder_counts> out;
    while (q.executeStep()) {
        reminder_counts r;
        r.unit_id = q.getColumn(0).getString();
        r.due_soon = q.getColumn(1).getInt64();
        r.overdue = q.getColumn(2).getInt64();
        r.escalation = q.getColumn(3).getInt64();
        r.digest = q.getColumn(4).getInt64();
        out.push_back(std::move(r));
    }
    return out;
}

std::int64_t reminded_then_resolved_in_time(SQLite::Database& db, const report_scope& s) {
    // Only a due-soon reminder comes before the due date: an overdue one is already too late.
    SQLite::Statement q(db, R"SQL(
SELECT COUNT(DISTINCT r.dossier_code)
FROM reminders r JOIN dossiers d ON d.code = r.dossier_code
WHERE r.kind = 'due_soon' AND r.local_day BETWEEN ?1 AND ?2
  AND COALESCE(r.channel, '') <> 'none' AND r.status NOT IN ('no_zalo', 'failed')
  AND d.returned_on IS NOT NULL AND d.returned_on <> ''
  AND d.returned_on >= r.local_day AND d.returned_on <= d.due_on
  AND (?3 IS NULL OR d.unit_id IN (SELECT value FROM json_each(?3))))SQL");
    q.bind(1, s.from);
    q.bind(2, s.to);
    bind_units(q, 3, s);
    return q.executeStep() ? q.getColumn(0).getInt64() : 0;
}

broadcast_figures broadcast_stats(SQLite::Database& db, const report_scope& s) {
    // One definition with `broadcast status`: the broadcasts area's totals (recipients and
    // outcomes of a unit are those of its citizens, users.unit_id).
    auto t = broadcast_totals(db, s.from, s.to, s.units);
    broadcast_figures f;
    f.count = t.count;
    f.recipients = t.recipients;
    f.sent = t.sent;
    f.received = t.received;
    f.seen = t.seen;
    f.failed = t.failed;
    return f;
}

dossier_notice_figures dossier_notice_stats(SQLite::Database& db, const report_scope& s) {
    dossier_notice_figures f;
    {
        SQLite::Statement q(db, R"SQL(
SELECT COUNT(*), COALESCE(SUM(n.channel = 'cs'), 0), COALESCE(SUM(n.channel = 'zns'), 0),
       COALESCE(SUM(n.status = 'undeliverable'), 0), COALESCE(SUM(o.state = 'sent'), 0),
       COALESCE(SUM(o.state = 'failed'), 0), COALESCE(SUM(n.kind = 'result_ready'), 0),
       COALESCE(SUM(n.kind IN ('rescheduled', 'overdue')), 0)
FROM dossier_notices n LEFT JOIN outbox o ON o.id = n.outbox_id
WHERE n.local_day BETWEEN ?1 AND ?2
  AND (?3 IS NULL OR n.unit_id IN (SELECT value FROM json_each(?3))))SQL");
        q.bind(1, s.from);
        q.bind(2, s.to);
        bind_units(q, 3, s);
        if (q.executeStep()) {
            f.notices = q.getColumn(0).getInt64();
            f.zalo = q.getColumn(1).getInt64();
            f.zns = q.getColumn(2).getInt64();
            f.undeliverable = q.getColumn(3).getInt64();
            f.sent = q.getColumn(4).getInt64();
            f.failed = q.getColumn(5).getInt64();
            f.result_ready = q.getColumn(6).getInt64();
            f.apologies = q.getColumn(7).getInt64();
        }
    }
    {
        SQLite::Statement q(db, R"SQL(
SELECT COUNT(*) FROM dossier_follows f
WHERE f.followed_at >= ?1 AND f.followed_at < ?2
  AND (?3 IS NULL OR f.code IN (SELECT code FROM dossiers WHERE unit_id IN (SELECT value FROM json_each(?3)))))SQL");
        q.bind(1, s.from_ms);
        q.bind(2, s.to_end_ms);
        bind_units(q, 3, s);
        if (q.executeStep()) f.follows = q.getColumn(0).getInt64();
    }
    return f;
}

std::vector<oa_figures> oa_stats(SQLite::Database& db, const report_scope& s) {
    std::map<std::string, oa_figures> by;
    {
        // The covering index holds oa last (migration 41): the same index-only read as
        // conversation_stats, grouped by OA.
        std::string sql = R"SQL(
SELECT oa, COUNT(*), COUNT(DISTINCT user_id), SUM(outcome IN ('answered', 'lookup')), SUM(outcome = 'clarified'),
       SUM(outcome = 'fallback')
FROM interactions INDEXED BY interactions_report
WHERE direction = 'in' AND local_day BETWEEN ?1 AND ?2 AND kind = 'text' AND COALESCE(outcome, '') <> 'command')SQL";
        if (!s.units.empty()) sql += " AND unit_id IN (SELECT value FROM json_each(?3))";
        if (!s.oas.empty()) sql += " AND oa IN (SELECT value FROM json_each(?4))";
        sql += " GROUP BY oa";
        SQLite::Statement q(db, sql);
        q.bind(1, s.from);
        q.bind(2, s.to);
        if (!s.units.empty()) q.bind(3, json_array(s.units));
        if (!s.oas.empty()) q.bind(4, json_array(s.oas));
        while (q.executeStep()) {
            auto& f = by[q.getColumn(0).getString()];
            f.questions = q.getColumn(1).getInt64();
            f.citizens = q.getColumn(2).getInt64();
            f.answered = q.getColumn(3).getInt64();
            f.clarified = q.getColumn(4).getInt64();
            f.fallbacks = q.getColumn(5).getInt64();
        }
    }
    {
        // Broadcast messages go through the recipient's OA: the outbox row says which. Same
        // definitions as broadcast_totals (started broadcasts, cancelled messages left out).
        SQLite::Statement q(db, R"SQL(
SELECT o.oa, COUNT(DISTINCT b.id), COUNT(o.id), SUM(o.state = 'sent'),
       SUM(o.delivered_at IS NOT NULL OR o.seen_at IS NOT NULL), SUM(o.seen_at IS NOT NULL), SUM(o.state = 'failed')
FROM broadcasts b JOIN broadcast_recipients r ON r.broadcast_id = b.id JOIN outbox o ON o.id = r.outbox_id
WHERE b.local_day BETWEEN ?1 AND ?2 AND b.started_at IS NOT NULL AND o.state <> 'cancelled'
  AND (?3 IS NULL OR o.recipient IN (SELECT user_id FROM users WHERE unit_id IN (SELECT value FROM json_each(?3))))
  AND (?4 IS NULL OR o.oa IN (SELECT value FROM json_each(?4)))
GROUP BY o.oa)SQL");
        q.bind(1, s.from);
        q.bind(2, s.to);
        bind_units(q, 3, s);
        bind_oas(q, 4, s);
        while (q.executeStep()) {
            auto& f = by[q.getColumn(0).getString()];
            f.broadcasts = q.getColumn(1).getInt64();
            f.broadcast_messages = q.getColumn(2).getInt64();
            f.broadcast_sent = q.getColumn(3).getInt64();
            f.broadcast_received = q.getColumn(4).getInt64();
            f.broadcast_seen = q.getColumn(5).getInt64();
            f.broadcast_failed = q.getColumn(6).getInt64();
        }
    }
    std::vector<oa_figures> out;
    for (auto& [oa, f] : by) {
        f.oa = oa;
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace storage

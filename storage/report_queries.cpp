// Report aggregates: one SQL statement per figure family, all read-only and parameterised.
#include "storage/report_queries.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>

namespace storage {

namespace {

// A JSON array of strings, bound as one parameter and read back with json_each(): lets a single
// prepared statement take a list of any length without building SQL from data.
std::string json_array(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ',';
        out += '"';
        for (unsigned char c : items[i]) {
            if (c == '"' || c == '\\') {
                out += '\\';
                out += static_cast<char>(c);
            } else if (c < 0x20) {
                static const char* hex = "0123456789abcdef";
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xF];
            } else {
                out += static_cast<char>(c);
            }
        }
        out += '"';
    }
    out += ']';
    return out;
}

void bind_units(SQLite::Statement& q, int index, const report_scope& s) {
    if (s.units.empty())
        q.bind(index);  // NULL: no filter
    else
        q.bind(index, json_array(s.units));
}

// The dossiers that matter for the period: received in it, or received before it and not
// returned before it (SPEC "carried over"). ret is NULL while unresolved ('' counts as NULL).
// ?1 from, ?2 to, ?3 unit filter (JSON array or NULL), ?4 excluded codes (JSON array).
constexpr const char* period_dossiers = R"SQL(
WITH d AS (
  SELECT code, level, unit_id, procedure, channel, received_on AS rec, due_on AS due,
         NULLIF(returned_on, '') AS ret
  FROM dossiers
  WHERE received_on <= ?2
    AND (received_on >= ?1 OR returned_on IS NULL OR returned_on = '' OR returned_on >= ?1)
    AND (?3 IS NULL OR unit_id IN (SELECT value FROM json_each(?3)))
    AND code NOT IN (SELECT value FROM json_each(?4))
))SQL";

constexpr const char* date_glob = "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'";

std::string well_formed() {
    std::string g = date_glob;
    return "(rec GLOB " + g + " AND due GLOB " + g + " AND (ret IS NULL OR ret GLOB " + g + "))";
}

std::string valid_dates() { return "(" + well_formed() + " AND due >= rec AND (ret IS NULL OR ret >= rec))"; }

void bind_period(SQLite::Statement& q, const report_scope& s, const std::vector<std::string>& excluded) {
    q.bind(1, s.from);
    q.bind(2, s.to);
    bind_units(q, 3, s);
    q.bind(4, json_array(excluded));
}

std::vector<procedure_count> by_procedure(SQLite::Database& db, const report_scope& s,
                                          const std::vector<std::string>& excluded, const char* condition) {
    SQLite::Statement q(db, std::string(period_dossiers) +
                                " SELECT level, unit_id, procedure, COUNT(*) FROM d WHERE " + valid_dates() +
                                " AND " + condition + " GROUP BY level, unit_id, procedure");
    bind_period(q, s, excluded);
    std::vector<procedure_count> out;
    while (q.executeStep()) {
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                       q.getColumn(3).getInt64()});
    }
    return out;
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

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        auto pos = s.find(sep, start);
        out.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
        if (pos == std::string::npos) break;
        start = pos + 1;
    }
    return out;
}

}  // namespace

std::vector<unit_dossier_counts> dossier_counts(SQLite::Database& db, const report_scope& s,
                                                const std::vector<std::string>& excluded) {
    SQLite::Statement q(db, std::string(period_dossiers) + R"SQL(
SELECT level, unit_id,
       SUM(rec >= ?1),
       SUM(rec >= ?1 AND channel = 'truc_tuyen'),
       SUM(rec < ?1),
       SUM(ret <= ?2),
       SUM(ret <= ?2 AND ret < due),
       SUM(ret <= ?2 AND ret = due),
       SUM(ret <= ?2 AND ret > due),
       SUM((ret IS NULL OR ret > ?2) AND due < ?2)
FROM d WHERE )SQL" + valid_dates() + " GROUP BY level, unit_id ORDER BY level, unit_id");
    bind_period(q, s, excluded);
    std::vector<unit_dossier_counts> out;
    while (q.executeStep()) {
        unit_dossier_counts u;
        u.level = q.getColumn(0).getString();
        u.unit_id = q.getColumn(1).getString();
        u.c.received = q.getColumn(2).getInt64();
        u.c.online = q.getColumn(3).getInt64();
        u.c.carried_over = q.getColumn(4).getInt64();
        u.c.resolved = q.getColumn(5).getInt64();
        u.c.early = q.getColumn(6).getInt64();
        u.c.on_time = q.getColumn(7).getInt64();
        u.c.late = q.getColumn(8).getInt64();
        u.c.pending_overdue = q.getColumn(9).getInt64();
        out.push_back(std::move(u));
    }
    return out;
}

std::vector<procedure_count> late_by_procedure(SQLite::Database& db, const report_scope& s,
                                               const std::vector<std::string>& excluded) {
    return by_procedure(db, s, excluded, "ret <= ?2 AND ret > due");
}

std::vector<procedure_count> pending_overdue_by_procedure(SQLite::Database& db, const report_scope& s,
                                                          const std::vector<std::string>& excluded) {
    return by_procedure(db, s, excluded, "(ret IS NULL OR ret > ?2) AND due < ?2");
}

namespace {
std::string suspect_kind_expr() {
    return "CASE WHEN NOT " + well_formed() +
           " THEN 'bad_date' WHEN ret < rec THEN 'returned_before_received'"
           " WHEN due < rec THEN 'due_before_received' END";
}
}  // namespace

std::vector<suspect_dossier> suspect_dossiers(SQLite::Database& db, const report_scope& s, int limit) {
    SQLite::Statement q(db, std::string(period_dossiers) + " SELECT kind, code, level, unit_id, rec, due, COALESCE(ret, '')"
                                " FROM (SELECT d.*, " + suspect_kind_expr() + " AS kind FROM d)"
                                " WHERE kind IS NOT NULL ORDER BY kind, code LIMIT ?5");
    bind_period(q, s, {});
    q.bind(5, limit);
    std::vector<suspect_dossier> out;
    while (q.executeStep()) {
        suspect_dossier d;
        d.kind = q.getColumn(0).getString();
        d.code = q.getColumn(1).getString();
        d.level = q.getColumn(2).getString();
        d.unit_id = q.getColumn(3).getString();
        d.received_on = q.getColumn(4).getString();
        d.due_on = q.getColumn(5).getString();
        d.returned_on = q.getColumn(6).getString();
        out.push_back(std::move(d));
    }
    return out;
}

std::vector<std::pair<std::string, std::int64_t>> suspect_counts(SQLite::Database& db, const report_scope& s) {
    SQLite::Statement q(db, std::string(period_dossiers) + " SELECT kind, COUNT(*) FROM (SELECT " +
                                suspect_kind_expr() + " AS kind FROM d) WHERE kind IS NOT NULL GROUP BY kind ORDER BY kind");
    bind_period(q, s, {});
    std::vector<std::pair<std::string, std::int64_t>> out;
    while (q.executeStep()) out.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getInt64());
    return out;
}

std::vector<duplicate_code_group> duplicate_codes(SQLite::Database& db, const report_scope& s) {
    // Whole table, through the expression index dossiers_code_norm (reports migration): a
    // collision with an old dossier matters as much as one inside the period.
    SQLite::Statement q(db, R"SQL(
SELECT upper(replace(code, ' ', '')) AS n, group_concat(code, char(31)), group_concat(unit_id, char(31))
FROM dossiers
WHERE (?1 IS NULL OR unit_id IN (SELECT value FROM json_each(?1)))
GROUP BY upper(replace(code, ' ', ''))
HAVING COUNT(*) > 1
ORDER BY n)SQL");
    bind_units(q, 1, s);
    std::vector<duplicate_code_group> out;
    while (q.executeStep()) {
        duplicate_code_group g;
        g.normalized = q.getColumn(0).getString();
        g.codes = split(q.getColumn(1).getString(), '\x1f');
        g.units = split(q.getColumn(2).getString(), '\x1f');
        out.push_back(std::move(g));
    }
    return out;
}

conversation_figures conversation_stats(SQLite::Database& db, const report_scope& s, int top_n) {
    conversation_figures f;
    constexpr const char* unit_filter = " AND (?3 IS NULL OR unit_id IN (SELECT value FROM json_each(?3)))";
    // Questions: what citizens typed (official commands are not questions).
    {
        SQLite::Statement q(db, std::string(R"SQL(
SELECT COUNT(*), COUNT(DISTINCT user_id), SUM(outcome IN ('answered', 'lookup')),
       SUM(outcome = 'clarified'), SUM(outcome = 'fallback')
FROM interactions
WHERE local_day BETWEEN ?1 AND ?2 AND direction = 'in' AND kind = 'text'
  AND COALESCE(outcome, '') <> 'command')SQL") + unit_filter);
        q.bind(1, s.from);
        q.bind(2, s.to);
        bind_units(q, 3, s);
        if (q.executeStep()) {
            f.questions = q.getColumn(0).getInt64();
            f.citizens = q.getColumn(1).getInt64();
            f.answered = q.getColumn(2).getInt64();
            f.clarified = q.getColumn(3).getInt64();
            f.fallbacks = q.getColumn(4).getInt64();
        }
    }
    {
        SQLite::Statement q(db, std::string(R"SQL(
SELECT latency_ms FROM interactions
WHERE local_day BETWEEN ?1 AND ?2 AND direction = 'in' AND latency_ms IS NOT NULL)SQL") + unit_filter);
        q.bind(1, s.from);
        q.bind(2, s.to);
        bind_units(q, 3, s);
        std::vector<std::int64_t> v;
        while (q.executeStep()) v.push_back(q.getColumn(0).getInt64());
        f.median_reply_latency_ms = median(v);
    }
    {
        SQLite::Statement q(db, std::string(R"SQL(
SELECT topic, COUNT(*) AS n FROM interactions
WHERE local_day BETWEEN ?1 AND ?2 AND direction = 'in' AND outcome = 'answered'
  AND topic IS NOT NULL AND topic <> '')SQL") + unit_filter + " GROUP BY topic ORDER BY n DESC, topic LIMIT ?4");
        q.bind(1, s.from);
        q.bind(2, s.to);
        bind_units(q, 3, s);
        q.bind(4, top_n);
        while (q.executeStep()) f.top_topics.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getInt64());
    }
    {
        // Unanswered questions have no unit of their own: the asker's unit decides.
        SQLite::Statement q(db, R"SQL(
SELECT MIN(text), COUNT(*) AS n FROM unanswered
WHERE local_day BETWEEN ?1 AND ?2
  AND (?3 IS NULL OR user_id IN (SELECT user_id FROM users WHERE unit_id IN (SELECT value FROM json_each(?3))))
GROUP BY normalized ORDER BY n DESC, MIN(text) LIMIT ?4)SQL");
        q.bind(1, s.from);
        q.bind(2, s.to);
        bind_units(q, 3, s);
        q.bind(4, top_n);
        while (q.executeStep()) f.top_unanswered.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getInt64());
    }
    {
        SQLite::Statement q(db, std::string(R"SQL(
SELECT first_answer_at - opened_at FROM handoffs
WHERE opened_at >= ?1 AND opened_at < ?2)SQL") + unit_filter);
        q.bind(1, s.from_ms);
        q.bind(2, s.to_end_ms);
        bind_units(q, 3, s);
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
    broadcast_figures f;
    // Recipients and outcomes of a unit are those of its citizens (users.unit_id).
    constexpr const char* in_period =
        "SELECT id FROM broadcasts WHERE scheduled_at >= ?1 AND scheduled_at < ?2 AND state <> 'cancelled'";
    {
        SQLite::Statement q(db, std::string("SELECT COUNT(*) FROM (") + in_period +
                                    ") b WHERE ?3 IS NULL OR EXISTS (SELECT 1 FROM broadcast_recipients r JOIN users u"
                                    " ON u.user_id = r.user_id WHERE r.broadcast_id = b.id AND u.unit_id IN"
                                    " (SELECT value FROM json_each(?3)))");
        q.bind(1, s.from_ms);
        q.bind(2, s.to_end_ms);
        bind_units(q, 3, s);
        if (q.executeStep()) f.count = q.getColumn(0).getInt64();
    }
    {
        SQLite::Statement q(db, std::string("SELECT COUNT(*) FROM broadcast_recipients WHERE broadcast_id IN (") +
                                    in_period +
                                    ") AND (?3 IS NULL OR user_id IN (SELECT user_id FROM users WHERE unit_id IN "
                                    "(SELECT value FROM json_each(?3))))");
        q.bind(1, s.from_ms);
        q.bind(2, s.to_end_ms);
        bind_units(q, 3, s);
        if (q.executeStep()) f.recipients = q.getColumn(0).getInt64();
    }
    {
        SQLite::Statement q(db, std::string(R"SQL(
SELECT SUM(state = 'sent'), SUM(delivered_at IS NOT NULL OR seen_at IS NOT NULL), SUM(seen_at IS NOT NULL),
       SUM(state = 'failed')
FROM outbox WHERE broadcast_id IN ()SQL") + in_period +
                                    ") AND (?3 IS NULL OR recipient IN (SELECT user_id FROM users WHERE unit_id IN "
                                    "(SELECT value FROM json_each(?3))))");
        q.bind(1, s.from_ms);
        q.bind(2, s.to_end_ms);
        bind_units(q, 3, s);
        if (q.executeStep()) {
            f.sent = q.getColumn(0).getInt64();
            f.received = q.getColumn(1).getInt64();
            f.seen = q.getColumn(2).getInt64();
            f.failed = q.getColumn(3).getInt64();
        }
    }
    return f;
}

}  // namespace storage

// The interaction log.
#include "storage/interaction_repository.hpp"

#include "storage/statement_cache.hpp"
#include "storage/stored_words.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace storage {

namespace {
constexpr detail::word_table<interaction_outcome, 7> interaction_outcome_words{{
    {interaction_outcome::answered, "answered"},
    {interaction_outcome::clarified, "clarified"},
    {interaction_outcome::fallback, "fallback"},
    {interaction_outcome::lookup, "lookup"},
    {interaction_outcome::command, "command"},
    {interaction_outcome::handoff, "handoff"},
    {interaction_outcome::none, ""},
}};
}  // namespace

std::string_view to_string(interaction_outcome o) { return detail::word_of(interaction_outcome_words, o); }

interaction_outcome parse_interaction_outcome(std::string_view s) {
    return detail::value_of(interaction_outcome_words, s, "interaction outcome");
}

std::int64_t log_interaction(SQLite::Database& db, const interaction& i) {
    statement q(db,
                        "INSERT INTO interactions (at, local_day, user_id, unit_id, direction, kind, topic, outcome, text, latency_ms, oa)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    q->bind(1, i.at);
    q->bind(2, i.local_day);
    auto opt = [&](int idx, const std::string& v) {
        if (v.empty()) q->bind(idx); else q->bind(idx, v);
    };
    opt(3, i.user_id);
    opt(4, i.unit_id);
    q->bind(5, i.direction);
    q->bind(6, i.kind);
    opt(7, i.topic);
    opt(8, std::string(to_string(i.outcome)));
    opt(9, i.text);
    if (i.latency_ms) q->bind(10, *i.latency_ms); else q->bind(10);
    q->bind(11, i.oa);
    q->exec();
    return db.getLastInsertRowid();
}

bool record_reply_latency(SQLite::Database& db, std::int64_t interaction_id, std::int64_t latency_ms) {
    statement q(db, "UPDATE interactions SET latency_ms = ? WHERE id = ? AND latency_ms IS NULL");
    q->bind(1, latency_ms);
    q->bind(2, interaction_id);
    return q->exec() > 0;
}

}  // namespace storage

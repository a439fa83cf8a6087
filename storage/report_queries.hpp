// Read-only aggregates behind the periodic CCHC report (SPEC "Report metrics").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace storage {

/// The period and scope of a report query. Dates are local 'YYYY-MM-DD', both ends inclusive.
struct report_scope {
    std::string from;                 ///< first local day
    std::string to;                   ///< last local day
    std::string as_of;                ///< pending dossiers due before this day are overdue (default `to`)
    std::int64_t from_ms = 0;         ///< Unix ms of local midnight starting `from`
    std::int64_t to_end_ms = 0;       ///< Unix ms of local midnight after `to` (exclusive)
    std::vector<std::string> units;   ///< restrict to these unit ids; empty = every unit
    /// Restrict conversations and broadcast messages to these Official Accounts (as stored: ''
    /// is the default OA's rows from before there were several); empty = every OA.
    std::vector<std::string> oas;
};

/// Dossier counters with SPEC's definitions (see bot/report.hpp for the derived ones).
struct dossier_counters {
    std::int64_t received = 0;         ///< received_on in [from, to]
    std::int64_t online = 0;           ///< ... of which channel truc_tuyen
    std::int64_t carried_over = 0;     ///< received_on < from, not returned before from
    std::int64_t resolved = 0;         ///< returned_on <= to (among received + carried over)
    std::int64_t early = 0;            ///< resolved, returned_on < due_on
    std::int64_t on_time = 0;          ///< resolved, returned_on = due_on
    std::int64_t late = 0;             ///< resolved, returned_on > due_on
    std::int64_t pending_overdue = 0;  ///< not resolved at `to`, due_on < as_of
};

/// The counters of one (level, unit, procedure) group of valid dossiers.
struct procedure_group {
    std::string level;
    std::string unit_id;
    std::string procedure;
    dossier_counters c;
};

/// A dossier whose dates cannot be right.
struct suspect_dossier {
    std::string kind;   ///< returned_before_received | due_before_received | bad_date
    std::string code;
    std::string level;
    std::string unit_id;
    std::string received_on;
    std::string due_on;
    std::string returned_on;
};

/// Two or more codes that are the same dossier once case and spaces are ignored.
struct duplicate_code_group {
    std::string normalized;            ///< upper case, without spaces
    std::vector<std::string> codes;    ///< the stored codes
    std::vector<std::string> units;    ///< their units, same order
};

/// Everything the report needs from the dossiers of a period, in one pass over the table.
struct dossier_scan {
    /// Valid dossiers, counted per (level, unit, procedure). Suspect and duplicate ones are not.
    std::vector<procedure_group> groups;
    std::vector<std::pair<std::string, std::int64_t>> suspect_counts;  ///< kind → dossiers, by kind
    std::vector<suspect_dossier> suspects;          ///< at most `list_limit` of each kind
    std::vector<duplicate_code_group> duplicates;   ///< at most `list_limit` groups
    std::int64_t duplicate_dossiers = 0;            ///< dossiers in all duplicate groups
};

/// Scans the dossiers that matter for the period (received in it, or received before it and not
/// returned before it), checks their dates and codes, and counts the valid ones with SPEC's
/// definitions. Dossiers with impossible dates and every member of a duplicate-code group are
/// left out of the counters and reported instead.
/// @throws SQLite::Exception
[[nodiscard]] dossier_scan scan_dossiers(SQLite::Database& db, const report_scope& s, int list_limit);

/// Conversation figures from the interaction log, hand-offs and unanswered questions.
struct conversation_figures {
    std::int64_t questions = 0;         ///< inbound citizen texts (official commands excluded)
    std::int64_t citizens = 0;          ///< distinct users asking
    std::int64_t answered = 0;          ///< answered automatically (topic answer or dossier lookup)
    std::int64_t clarified = 0;         ///< asked back with choices
    std::int64_t fallbacks = 0;         ///< could not help
    std::int64_t handoffs = 0;          ///< hand-offs opened in the period
    std::int64_t handoffs_answered = 0; ///< ... that got a first human answer
    std::optional<std::int64_t> median_handoff_answer_ms;  ///< opened → first human answer
    std::optional<std::int64_t> median_reply_latency_ms;   ///< inbound → bot reply stored
    std::vector<std::pair<std::string, std::int64_t>> top_topics;      ///< topic id, answers
    std::vector<std::pair<std::string, std::int64_t>> top_unanswered;  ///< sample text, times asked
};

/// @throws SQLite::Exception
[[nodiscard]] conversation_figures conversation_stats(SQLite::Database& db, const report_scope& s, int top_n);

/// Reminders recorded per unit and kind in the period.
struct reminder_counts {
    std::string unit_id;
    std::int64_t due_soon = 0;
    std::int64_t overdue = 0;
    std::int64_t escalation = 0;
    std::int64_t digest = 0;
};

/// Reminders sent (not those that found no way to reach the official), per unit.
/// @throws SQLite::Exception
[[nodiscard]] std::vector<reminder_counts> reminder_stats(SQLite::Database& db, const report_scope& s);

/// Dossiers sent a due-soon reminder in the period that were then returned on or before their due
/// date (and not before the reminder): the reminders that worked.
/// @throws SQLite::Exception
[[nodiscard]] std::int64_t reminded_then_resolved_in_time(SQLite::Database& db, const report_scope& s);

/// Broadcast figures for broadcasts scheduled in the period (cancelled ones not counted).
struct broadcast_figures {
    std::int64_t count = 0;       ///< broadcasts
    std::int64_t recipients = 0;  ///< recipients expanded
    std::int64_t sent = 0;        ///< outbox rows sent
    std::int64_t received = 0;    ///< delivered (or seen, which implies delivered)
    std::int64_t seen = 0;        ///< seen
    std::int64_t failed = 0;      ///< outbox rows failed
};

/// @throws SQLite::Exception
[[nodiscard]] broadcast_figures broadcast_stats(SQLite::Database& db, const report_scope& s);

/// Citizens following their dossiers, and the status notices they were given in the period (by
/// the notice's local day; a unit scope keeps the dossiers of those units).
struct dossier_notice_figures {
    std::int64_t follows = 0;        ///< follows started in the period (code and phone proved)
    std::int64_t notices = 0;        ///< notices recorded, one per change and follower
    std::int64_t zalo = 0;           ///< ... queued as Zalo consultation messages (7-day window)
    std::int64_t zns = 0;            ///< ... queued as the ZNS status template
    std::int64_t undeliverable = 0;  ///< ... no channel could carry (recorded, not sent)
    std::int64_t sent = 0;           ///< queued ones Zalo accepted
    std::int64_t failed = 0;         ///< queued ones that failed for good
    std::int64_t result_ready = 0;   ///< notices that a result is ready
    std::int64_t apologies = 0;      ///< apologies for an overdue dossier (with the new date when known)
};

/// @throws SQLite::Exception
[[nodiscard]] dossier_notice_figures dossier_notice_stats(SQLite::Database& db, const report_scope& s);
/// Conversations and broadcast messages of one Official Account.
struct oa_figures {
    std::string oa;                  ///< as stored ('' = the default OA)
    std::int64_t questions = 0;      ///< inbound citizen texts (official commands excluded)
    std::int64_t citizens = 0;       ///< distinct users asking
    std::int64_t answered = 0;       ///< answered automatically (topic answer or dossier lookup)
    std::int64_t clarified = 0;
    std::int64_t fallbacks = 0;
    std::int64_t broadcasts = 0;          ///< broadcasts that sent at least one message through it
    std::int64_t broadcast_messages = 0;  ///< broadcast messages queued through it (recipients)
    std::int64_t broadcast_sent = 0;
    std::int64_t broadcast_received = 0;
    std::int64_t broadcast_seen = 0;
    std::int64_t broadcast_failed = 0;
};

/// The period's conversations (same definitions as conversation_stats) and broadcast messages
/// (same definitions as broadcast_totals), per OA as stored, by OA id.
/// @throws SQLite::Exception
[[nodiscard]] std::vector<oa_figures> oa_stats(SQLite::Database& db, const report_scope& s);

}  // namespace storage

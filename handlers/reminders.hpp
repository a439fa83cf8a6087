// The reminder job: plans with bot/scheduler, records each reminder once per day and enqueues it.
#pragma once

#include "bot/core/calendar.hpp"
#include "handlers/context.hpp"
#include "storage/reminder_repository.hpp"

#include <map>
#include <string>
#include <vector>

namespace handlers {

/// One reminder of a scan and what happened to it.
struct reminder_result {
    std::string kind;       ///< due_soon | overdue | escalation | digest
    std::string recipient;  ///< official id
    std::string dossier;    ///< "" for a digest
    std::string channel;    ///< cs | template | none
    storage::reminder_status status = storage::reminder_status::queued;
    std::string reason = {};  ///< channel none: bot::reachability::reason
};

/// What a scan did (or, dry, would do).
struct scan_report {
    bool active = false;
    std::string reason;  ///< why nothing was planned (not a working day, outside hours)
    std::string today;
    std::vector<reminder_result> items;     ///< new today (already recorded ones are left out)
    std::map<std::string, int> queued_by_kind;
};

/// A procedure name fit for a phone line: whitespace runs (the export may hold newlines) become
/// one space, and names over `max_chars` code points are cut with "…".
[[nodiscard]] std::string short_procedure(const std::string& name, std::size_t max_chars = 80);

/// Runs one reminder scan at ctx.now_ms(). Dry: reports what would be sent, writes nothing.
/// Otherwise records every new reminder in `reminders` and enqueues its message (priority
/// reminder) in one transaction, so a second scan on the same day sends nothing new.
/// @throws SQLite::Exception
[[nodiscard]] scan_report run_reminder_scan(context& ctx, const bot::work_calendar& cal, bool dry_run);

/// Enabled officials who would get reminders (reminders on, a role that handles cases) but whom
/// nothing reaches at ctx.now_ms(), counted by reason (/metrics). @throws SQLite::Exception
[[nodiscard]] std::map<std::string, std::int64_t> unreachable_officials(context& ctx);

}  // namespace handlers

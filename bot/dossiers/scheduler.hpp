// Reminder planning: a pure function of (now, dossiers, officials, calendar, config) → reminders.
#pragma once

#include "bot/core/calendar.hpp"
#include "bot/dossiers/reachability.hpp"
#include "storage/dossier_repository.hpp"
#include "storage/official_repository.hpp"
#include "storage/reminder_repository.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace bot {

struct config;

/// One reminder the rules call for.
struct planned_reminder {
    std::string kind;          ///< due_soon | overdue | escalation | digest
    std::string recipient;     ///< official id
    std::string dossier;       ///< dossier code; "" for a digest
    std::string unit_id;       ///< the dossier's unit as of today (what took over a merged commune's work)
    std::string procedure;
    std::string due_on;        ///< 'YYYY-MM-DD'
    std::string assignee;      ///< escalation: the assigned official's id ("" when unassigned)
    int working_days_late = 0; ///< overdue / escalation: working days after the due date up to today
    // digest only
    std::int64_t open = 0, overdue = 0, due_soon = 0;
    std::vector<storage::open_dossier> oldest_overdue;  ///< up to digest_items, oldest first
};

/// The planner's inputs. `dossiers` are the unresolved ones due by `horizon(now)`; `open_by_unit`
/// counts all unresolved ones per unit (for digests).
struct plan_input {
    std::int64_t now_ms = 0;
    const std::vector<storage::open_dossier>* dossiers = nullptr;
    const std::vector<storage::official>* officials = nullptr;
    const std::vector<std::pair<std::string, std::int64_t>>* open_by_unit = nullptr;
    const std::set<std::pair<std::string, std::string>>* escalated = nullptr;  ///< (dossier, leader) ever escalated
    const work_calendar* calendar = nullptr;
    const config* cfg = nullptr;
};

/// What the scheduler decided.
struct reminder_plan {
    bool active = false;   ///< false outside working days and hours
    std::string reason;    ///< why not active
    std::string today;     ///< local date 'YYYY-MM-DD'
    std::vector<planned_reminder> items;  ///< due_soon, overdue, escalation, digest; each by due date, code, recipient
};

/// Items of the oldest overdue list in a digest.
inline constexpr std::size_t digest_items = 3;

/// The last due date the scan must read for `now`: today + N working days.
[[nodiscard]] std::string scan_horizon(std::int64_t now_ms, const work_calendar& cal, const config& cfg);

/// Applies SPEC "Officials and reminders":
/// - due_soon to the assigned official when today <= due <= today + N working days;
/// - overdue to the assigned official every working day while today > due;
/// - escalation to each leader of the dossier's unit once, when the working days in (due, today]
///   reach M (and was never sent to that leader for that dossier);
/// - digest to each leader whose unit has unresolved dossiers.
/// "The dossier's unit" is its unit as of today: a commune merged since is replaced by the one
/// that took over its work (bot/core/units.hpp); leaders of units that no longer exist get none.
/// Disabled officials and officials who turned reminders off get nothing; dossiers whose official
/// is unknown get no official reminders (leaders still see them).
[[nodiscard]] reminder_plan plan_reminders(const plan_input& in);

/// The delivery channel for one official at `now`.
struct channel_choice {
    std::string channel;  ///< cs | template | none
    storage::reminder_status status = storage::reminder_status::queued;
    std::string reason;   ///< none: why (bot::reachability::reason)
};
/// cs inside Zalo's 7-day interaction window (linked account, recent interaction); otherwise the
/// ZNS template by phone (needs zalo.zns_reminder_template); otherwise none, with the reason
/// (bot::reachability_of decides).
[[nodiscard]] channel_choice choose_channel(const storage::official& o, std::optional<std::int64_t> last_interaction_ms,
                                            std::int64_t now_ms, const config& cfg);

}  // namespace bot

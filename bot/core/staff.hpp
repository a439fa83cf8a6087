// Staff roles (who may do what in the console and on Zalo) and the units a staff member serves.
#pragma once

#include "bot/core/scope.hpp"
#include "storage/official_repository.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace bot {

/// A staff member's role (officials.role).
enum class staff_role {
    official,    ///< a one-stop desk official: hand-offs and dossiers of their units
    leader,      ///< a unit's leader: as an official, plus escalations, digests and staff of their units
    propaganda,  ///< a propaganda team member: broadcasts to followers of their units
    admin,       ///< the district or province administrator: everything, every unit
    viewer       ///< reads figures and reports of their units; changes nothing
};

/// The role for its stored name ("official", "leader", "propaganda", "admin", "viewer").
[[nodiscard]] std::optional<staff_role> parse_staff_role(std::string_view name);
/// The stored name of a role.
[[nodiscard]] std::string_view to_string(staff_role r);
/// Every role name, in the order above (command-line choices, validation messages).
[[nodiscard]] const std::vector<std::string_view>& staff_role_names();

/// What a role may do; the unit of each item is checked separately with unit_scope::covers.
enum class staff_action {
    see_overview,       ///< the console's overview
    handle_handoffs,    ///< read, answer, close and hand over citizens' conversations
    see_dossiers,       ///< dossiers, their reminders
    import_dossiers,    ///< upload the one-stop export
    see_broadcasts,     ///< the broadcast list and counts
    send_broadcasts,    ///< compose, schedule, cancel broadcasts
    see_reports,        ///< reports and their downloads
    see_unanswered,     ///< questions the bot could not answer (masked for viewers)
    edit_knowledge,     ///< attach an unanswered question to a topic, dismiss it
    see_staff,          ///< officials, their link and reachability state
    manage_staff        ///< link codes, disabling (staff of units in scope, never an administrator)
};

/// True when `role` may do `action` at all.
[[nodiscard]] bool may(staff_role role, staff_action action);

/// True when the role answers citizens' cases (hand-off notices, dossier reminders go to them).
[[nodiscard]] bool handles_cases(staff_role role);

/// The role of a stored official; an unknown name (a database edited by hand) reads as viewer.
[[nodiscard]] staff_role role_of(const storage::official& o);

/// The units a staff member serves, as the scope every check goes through: an administrator
/// covers every unit; a disabled official covers none; anyone else their units (official_units,
/// the home unit included) and what unit_scope::covers puts below them.
[[nodiscard]] unit_scope scope_of(const storage::official& o);

}  // namespace bot

// Who may see and change what: the units a staff member or an API token serves.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bot {

struct config;

/// The units a staff member (console, Zalo commands) or an admin API token serves. Every read
/// or write of a citizen's data, a hand-off, a dossier or a broadcast audience is checked with
/// covers() on the server; nothing else decides unit scope.
struct unit_scope {
    bool all = false;                ///< every unit (administrators, admin tokens)
    std::vector<std::string> units;  ///< unit ids served

    /// Every unit.
    [[nodiscard]] static unit_scope everything() { return unit_scope{true, {}}; }
    /// Just these units (and what lies below them).
    [[nodiscard]] static unit_scope of(std::vector<std::string> ids) { return unit_scope{false, std::move(ids)}; }

    /// True when `unit_id` is served: every unit for `all`; a listed unit; a unit below a listed
    /// one (its `parent`, or the parent's parent...); or a unit that became a listed one, or a
    /// unit below it (staff of a merged commune serve the dossiers of the communes it replaced).
    [[nodiscard]] bool covers(const config& cfg, std::string_view unit_id) const;
};

}  // namespace bot

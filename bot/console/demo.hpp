// Demo data for the console (`cchcbot demo`): staff of every role, followers in communes and
// villages, 30 days of questions, open hand-offs, unanswered questions, broadcasts and a reminder
// round, so every page has something to show.
#pragma once

#include "handlers/context.hpp"

#include <string>

namespace bot::console {

/// The demo's staff ids (printed by `cchcbot demo`): an administrator, a propaganda member of the
/// first commune, a viewer.
inline constexpr const char* demo_admin_id = "qt_demo";
inline constexpr const char* demo_viewer_id = "xem_demo";
/// "tt_<first commune id>"
[[nodiscard]] std::string demo_propaganda_id(const config& cfg);

/// Seeds once per database (meta `console_demo_seeded`); returns a one-line summary, or "" when it
/// had been done. Runs after the dossiers' own demo seeding. @throws SQLite::Exception
std::string seed_console_demo(handlers::context& ctx);

}  // namespace bot::console

// How a reminder can reach an official now: Zalo's consultation window, a ZNS template by phone,
// or not at all (and why), for reminders, `officials list`, the API, digests and /metrics.
#pragma once

#include "storage/official_repository.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace SQLite {
class Database;
}

namespace bot {

struct config;

/// Zalo's consultation window (zalo-api.md §2.1): a user who interacted within it gets cs messages.
inline constexpr std::int64_t cs_window_ms = 7LL * 24 * 3600 * 1000;

/// The way a message reaches an official.
enum class reach_state {
    window,      ///< linked and inside Zalo's 7-day window: consultation message
    zns,         ///< outside it, but a ZNS template and a phone are configured
    unreachable  ///< neither: reminders are recorded as undeliverable
};

/// An official's reachability at one moment.
struct reachability {
    reach_state state = reach_state::unreachable;
    std::optional<std::int64_t> until_ms;  ///< window: when it closes (last interaction + 7 days)
    /// unreachable: disabled | not_linked_no_phone | not_linked_no_template | window_closed_no_phone
    /// | window_closed_no_template
    std::string reason;
};

/// Decides from the official's link, phone and last interaction (Unix ms) and the ZNS template.
[[nodiscard]] reachability reachability_of(const storage::official& o, std::optional<std::int64_t> last_interaction_ms,
                                           std::int64_t now_ms, const config& cfg);
/// reachability_of with the official's last interaction read from the database.
/// @throws SQLite::Exception
[[nodiscard]] reachability reachability_now(SQLite::Database& db, const storage::official& o, std::int64_t now_ms,
                                            const config& cfg);
/// "window", "zns", "unreachable".
[[nodiscard]] std::string_view to_string(reach_state s);
/// In English for the command line: "Zalo until 2026-06-20 09:00", "ZNS by phone",
/// "unreachable: not linked on Zalo and no ZNS template configured".
[[nodiscard]] std::string describe(const reachability& r, int utc_offset_minutes);
/// JSON object {"state", "until" (local time or null), "reason" (or null), "detail"}.
[[nodiscard]] std::string reachability_json(const reachability& r, int utc_offset_minutes);

}  // namespace bot

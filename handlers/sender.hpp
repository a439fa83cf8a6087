// What is known about the sender of one message, loaded once and decided from.
#pragma once

#include "handlers/context.hpp"
#include "storage/handoff_repository.hpp"
#include "storage/official_repository.hpp"
#include "storage/user_repository.hpp"

#include <optional>
#include <string>

namespace handlers {

/// The sender's facts a message handler decides from: loaded once per message, never looked up
/// again while handling it (STYLE §11: a handler that goes back to storage for the same fact
/// is a corridor that zig-zags).
struct sender {
    storage::user user;                           ///< the user row; a new user has only user_id set
    std::optional<storage::official> official;    ///< the enabled official linked to this Zalo account
    std::optional<storage::handoff> open_handoff; ///< the user's open hand-off

    [[nodiscard]] const std::string& id() const { return user.user_id; }
    [[nodiscard]] const std::string& unit_id() const { return user.unit_id; }
};

/// Records the interaction (Zalo's 7-day window: every message opens or refreshes it, officials'
/// too) and loads the sender's facts. @throws SQLite::Exception
[[nodiscard]] sender load_sender(context& ctx, const std::string& user_id);

}  // namespace handlers

// Follow and unfollow of the OA.
#pragma once

#include "bot/events/zalo_event.hpp"
#include "handlers/context.hpp"

namespace handlers {
/// Greets a new follower with the main menu and records the follow.
[[nodiscard]] outcome handle_follow(const zalo::event& ev, context& ctx);
/// Records the unfollow: no more broadcasts; nothing is sent.
[[nodiscard]] outcome handle_unfollow(const zalo::event& ev, context& ctx);
}  // namespace handlers

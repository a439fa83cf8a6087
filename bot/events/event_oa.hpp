// Which Official Account an event came for.
#pragma once

#include "bot/events/zalo_event.hpp"

#include <string>
#include <string_view>

namespace bot {

struct config;

/// The Zalo id of the OA the event is for: its top-level `oa_id` (follow, chat-now, tags, ZNS
/// quota), else the side of the message that is not the user: the recipient of what a user sent,
/// the sender of the OA's own messages and of receipts (zalo-api.md §1.4).
[[nodiscard]] std::string_view oa_zalo_id(const zalo::event& ev);

/// The [[oa]] id of the OA the event came for (bot::oa_id_for): "default" without [[oa]] tables,
/// empty when no configured OA matches.
[[nodiscard]] std::string oa_of_event(const config& cfg, const zalo::event& ev);

}  // namespace bot

// Delivery and seen receipts, and Zalo's quota notices.
#pragma once

#include "bot/events/zalo_event.hpp"
#include "handlers/context.hpp"

namespace handlers {
/// user_received_message (OA or ZNS): marks the outbox message delivered.
[[nodiscard]] outcome handle_user_received_message(const zalo::event& ev, context& ctx);
/// user_seen_message: marks every listed message seen.
[[nodiscard]] outcome handle_user_seen_message(const zalo::event& ev, context& ctx);
/// change_oa_daily_quota: records Zalo's new daily quota.
[[nodiscard]] outcome handle_change_oa_daily_quota(const zalo::event& ev, context& ctx);
}  // namespace handlers

// Profile events: shared info, data-subject withdrawal, chat-now taps.
#pragma once

#include "bot/events/zalo_event.hpp"
#include "handlers/context.hpp"

namespace handlers {
/// user_submit_info: stores the shared phone (never shown back unmasked).
[[nodiscard]] outcome handle_user_submit_info(const zalo::event& ev, context& ctx);
/// user_withdraw: stops processing and erases the user's personal data.
[[nodiscard]] outcome handle_user_withdraw(const zalo::event& ev, context& ctx);
/// user_click_chatnow: first tap on "Nhắn tin": greet with the main menu.
[[nodiscard]] outcome handle_user_click_chatnow(const zalo::event& ev, context& ctx);
}  // namespace handlers

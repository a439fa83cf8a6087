// Images, files, stickers, audio, video, locations, links, business cards.
#pragma once

#include "bot/events/zalo_event.hpp"
#include "handlers/context.hpp"

namespace handlers {
/// A short polite reply: what the bot can read and how to submit documents properly.
[[nodiscard]] outcome handle_non_text(const zalo::event& ev, context& ctx);
}  // namespace handlers

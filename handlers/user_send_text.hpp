// A citizen's (or official's) text message: commands, dossier lookup, Q&A, hand-off.
#pragma once

#include "bot/events/zalo_event.hpp"
#include "handlers/context.hpp"

namespace handlers {
/// Answers a text message (also the payload of a tapped oa.query button).
[[nodiscard]] outcome handle_user_send_text(const zalo::event& ev, context& ctx);
}  // namespace handlers

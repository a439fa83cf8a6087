// Officials on Zalo: linking (`DK <code>`) and their commands.
#pragma once

#include "bot/events/zalo_event.hpp"
#include "handlers/context.hpp"

#include <optional>

namespace handlers {
/// Handles `DK <code>` from anyone, and `hồ sơ của tôi`, `quá hạn`, `sắp đến hạn`, `tắt nhắc`,
/// `bật nhắc` from a linked official. nullopt when the text is none of these (the citizen flow
/// then takes it).
[[nodiscard]] std::optional<outcome> handle_official_text(const zalo::event& ev, context& ctx);
}  // namespace handlers

// Officials on Zalo: linking (`DK <code>`) and their commands.
#pragma once

#include "handlers/context.hpp"
#include "handlers/sender.hpp"

#include <optional>
#include <string>

namespace handlers {
/// Handles `DK <code>` from anyone, and `hồ sơ của tôi`, `quá hạn`, `sắp đến hạn`, `tắt nhắc`,
/// `bật nhắc`, `đăng nhập` (a console sign-in link) from a linked official. nullopt when the text is none of these (the citizen flow
/// then takes it).
[[nodiscard]] std::optional<outcome> handle_official_text(const std::string& text, context& ctx, const sender& s);
/// The same with `folded` = bot::fold_text(text), folded once by a caller that reads it again.
[[nodiscard]] std::optional<outcome> handle_official_text(const std::string& text, const std::string& folded, context& ctx,
                                                        const sender& s);
}  // namespace handlers

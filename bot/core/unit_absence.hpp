// Why a unit id is not a unit on a date, in Vietnamese for officials (the words of
// templates/messages/core.toml; why_not_on says it in English for logs and the API).
#pragma once

#include <string>
#include <string_view>

namespace bot {

struct config;
class message_catalog;

/// Empty when `id` is a unit existing on `date` ('YYYY-MM-DD'); else one clause officials read:
/// unknown, not yet created, merged into its successor (named, to choose instead) or gone. In
/// the console's voice for a merged commune ("đã nhập vào …").
[[nodiscard]] std::string unit_absence_text(const config& cfg, const message_catalog& texts, std::string_view id,
                                            std::string_view date);

}  // namespace bot

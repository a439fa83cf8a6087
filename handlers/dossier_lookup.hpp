// A dossier code in a message: its status, procedure, due date and where to collect the result.
#pragma once

#include "handlers/context.hpp"

#include <optional>
#include <string>

namespace bot {
struct config;
}

namespace handlers {

/// The dossier code in a message (cfg.conversation.dossier_code_pattern, matched case-insensitively
/// by upper-casing the text), if any. Shared by the Zalo conversation and `cchcbot ask`.
[[nodiscard]] std::optional<std::string> find_dossier_code(const bot::config& cfg, const std::string& text);

/// The status answer for a dossier code, addressed to `to` (no personal data).
/// @throws SQLite::Exception
[[nodiscard]] outcome dossier_lookup(context& ctx, const std::string& to, const std::string& code, const std::string& kind,
                                     const std::string& unit);

}  // namespace handlers

// A dossier code in a message: its status, procedure, due date and where to collect the result;
// more to a citizen who follows it (proved code and phone) or an official of its unit.
#pragma once

#include "handlers/context.hpp"

#include <optional>
#include <string>

namespace bot {
struct config;
}
namespace storage {
struct dossier_status;
}

namespace handlers {

struct sender;

/// The dossier code in a message (cfg.conversation.dossier_code_pattern, matched case-insensitively
/// by upper-casing the text), if any. Shared by the Zalo conversation and `cchcbot ask`.
[[nodiscard]] std::optional<std::string> find_dossier_code(const bot::config& cfg, const std::string& text);

/// The status answer for a dossier code, addressed to `to`. Anyone with the code learns what the
/// receipt says (status, procedure, due date, where to collect) and is offered to follow it; a
/// sender who follows it also sees when it was received, and an official whose units cover the
/// dossier's unit (bot::unit_scope::covers) sees the handling official, the masked phone and the
/// followers. `s` is null for `cchcbot ask`. @throws SQLite::Exception
[[nodiscard]] outcome dossier_lookup(context& ctx, const std::string& to, const std::string& code, const std::string& kind,
                                     const std::string& unit, const sender* s = nullptr);

/// "đang giải quyết", "đã có kết quả (ngày …)", ...: the dossier's state in the citizen's words.
[[nodiscard]] std::string dossier_status_text(const context& ctx, const storage::dossier_status& d);
/// Where the result is collected: the unit's desk with address and phone, or by post.
[[nodiscard]] std::string dossier_place_text(const context& ctx, const std::string& unit_id, const std::string& channel);
/// "dd/mm/yyyy" for an ISO date (as is when it is not one).
[[nodiscard]] std::string vn_date(const std::string& iso);

}  // namespace handlers

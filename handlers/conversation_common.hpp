// Pieces the conversation handlers share: text folding, the main menu, buttons, hand-offs.
#pragma once

#include "handlers/context.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bot {
struct config;
struct unit_config;
}

namespace handlers {

/// Reserved button payloads (zalo-api.md §1.6: a tapped oa.query button arrives as this text).
namespace payload {
inline constexpr std::string_view menu = "#menu";
inline constexpr std::string_view units = "#units";
inline constexpr std::string_view more = "#more";
inline constexpr std::string_view topic = "#topic:";
inline constexpr std::string_view unit = "#unit:";
inline constexpr std::string_view village = "#village:";
}  // namespace payload

/// Zalo shows at most this many buttons under one message.
inline constexpr std::size_t max_buttons_per_message = 5;

/// Lower-case, diacritics removed (đ → d), punctuation as spaces, spaces squeezed and trimmed:
/// "Huỷ nhận tin!" and "huy  nhan tin" both give "huy nhan tin". Invalid UTF-8 never throws.
[[nodiscard]] std::string fold_text(std::string_view s);

/// A query button (tapping it sends `payload` back as text).
[[nodiscard]] zalo::button query_button(std::string title, std::string payload);

/// Messages to `to`: `text` with `buttons`, split so that no message carries more than Zalo's
/// limit (the extra ones get the catalogue's "more options" line).
[[nodiscard]] std::vector<zalo::outgoing_message> with_buttons(const context& ctx, const std::string& to, std::string text,
                                                               std::vector<zalo::button> buttons,
                                                               const std::string& purpose = "reply");

/// The main menu's buttons (most useful topics, talking to an official, choosing the commune).
[[nodiscard]] std::vector<zalo::button> main_menu_buttons(const context& ctx);
/// The menu's second page ("Xem thêm"): common procedures, hours, address.
[[nodiscard]] std::vector<zalo::button> more_menu_buttons(const context& ctx);

/// The units a citizen can live in (communes; the district desk only when there is nothing else).
[[nodiscard]] std::vector<const bot::unit_config*> residence_units(const context& ctx);

/// "xã Tân Sỏi" or the catalogue's "not chosen" text.
[[nodiscard]] std::string unit_display_name(const context& ctx, const std::string& unit_id);

/// Opens a hand-off for `user_id` and returns the messages: the notices to the unit's on-duty
/// linked officials (the first district-level unit's when the citizen chose no unit or it has
/// none) and the citizen's confirmation saying when to expect an answer.
/// `reason` is asked | fallbacks. @throws SQLite::Exception
[[nodiscard]] outcome open_handoff_for(context& ctx, const std::string& user_id, const std::string& reason,
                                       const std::string& question, const std::string& kind);

/// Zalo user ids of the officials to notify for a hand-off of this unit (see open_handoff_for).
/// @throws SQLite::Exception
[[nodiscard]] std::vector<std::string> handoff_recipients(context& ctx, const std::string& unit_id);

/// The citizen's text for "when will an official answer": in working hours or the next working morning.
[[nodiscard]] std::string answer_expected_when(const context& ctx);

/// Closes hand-off `id` by `closed_by` and returns the message telling the citizen (empty when
/// it was not open). @throws SQLite::Exception
[[nodiscard]] std::vector<zalo::outgoing_message> close_handoff_messages(context& ctx, std::int64_t id,
                                                                         const std::string& closed_by);

/// Relays `text` from `answerer` (shown to the citizen) to hand-off `id`'s citizen and records the
/// first answer. Empty when it is not open. @throws SQLite::Exception
[[nodiscard]] std::vector<zalo::outgoing_message> relay_handoff_answer(context& ctx, std::int64_t id,
                                                                       const std::string& answerer,
                                                                       const std::string& text);

/// The user's unit id, or "" (new users included). @throws SQLite::Exception
[[nodiscard]] std::string unit_of_user(context& ctx, const std::string& user_id);

/// The dossier code in a message (cfg.conversation.dossier_code_pattern, matched case-insensitively
/// by upper-casing the text), if any. Shared by the Zalo conversation and `cchcbot ask`.
[[nodiscard]] std::optional<std::string> find_dossier_code(const bot::config& cfg, const std::string& text);
/// The status answer for a dossier code, addressed to `to` (no personal data).
[[nodiscard]] outcome dossier_lookup(context& ctx, const std::string& to, const std::string& code, const std::string& kind,
                                     const std::string& unit);

}  // namespace handlers

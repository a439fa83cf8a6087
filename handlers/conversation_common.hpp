// Pieces the conversation handlers share: text folding, replies with buttons, the main menu, units.
#pragma once

#include "bot/core/text_fold.hpp"
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

/// Lower-case, diacritics removed (đ → d), punctuation as spaces, spaces squeezed and trimmed
/// (bot/core/text_fold.hpp; kept here so handlers need no qualification).
using bot::fold_text;

/// `s` without surrounding spaces, tabs and line breaks.
[[nodiscard]] std::string trim(std::string_view s);

/// A query button (tapping it sends `payload` back as text).
[[nodiscard]] zalo::button query_button(std::string title, std::string payload);

/// Messages to `to`: `text` with `buttons`, split so that no message carries more than Zalo's
/// limit (the extra ones get the catalogue's "more options" line).
[[nodiscard]] std::vector<zalo::outgoing_message> with_buttons(const context& ctx, const std::string& to, std::string text,
                                                               std::vector<zalo::button> buttons,
                                                               const std::string& purpose = "reply");

/// One reply to `to`: `text` with `buttons` (see with_buttons) and the note for the inbound message.
[[nodiscard]] outcome reply_to(const context& ctx, const std::string& to, std::string text,
                               std::vector<zalo::button> buttons, interaction_note note);

/// "Gặp cán bộ": the button that opens a hand-off, under the menu, a dossier code not found and
/// an ask-back.
[[nodiscard]] zalo::button official_button(const context& ctx);
/// The main menu's buttons (most useful topics, talking to an official, choosing the commune).
[[nodiscard]] std::vector<zalo::button> main_menu_buttons(const context& ctx);
/// The menu's second page ("Xem thêm"): common procedures, hours, address.
[[nodiscard]] std::vector<zalo::button> more_menu_buttons(const context& ctx);

/// Today's local date, 'YYYY-MM-DD' (the date that decides which units exist).
[[nodiscard]] std::string today_of(const context& ctx);

/// The units a citizen can live in today: today's communes and wards (units with none below
/// them); a unit above them only when there is nothing else.
[[nodiscard]] std::vector<const bot::unit_config*> residence_units(const context& ctx);

/// The name of the unit `unit_id` stands for today ("xã Yên Thế" for a citizen who chose xã Tân
/// Sỏi before the merger), or the catalogue's "not chosen" text.
[[nodiscard]] std::string unit_display_name(const context& ctx, const std::string& unit_id);

/// The one-stop desk of the unit `unit_id` stands for today as citizens name it
/// (bot::desk_name_of), or the deployment's desk (the {{desk}} default) when the unit is unknown
/// or not chosen.
[[nodiscard]] std::string desk_of_unit(const context& ctx, const std::string& unit_id);

/// The user's unit id, or "" (new users included). @throws SQLite::Exception
[[nodiscard]] std::string unit_of_user(context& ctx, const std::string& user_id);

}  // namespace handlers

// What a citizen sets about themselves: their commune and village, and whether they get broadcasts.
#pragma once

#include "handlers/context.hpp"
#include "handlers/sender.hpp"

#include <optional>
#include <string>

namespace bot {
struct unit_config;
}

namespace handlers {

/// The menu of communes to choose from. `kind` and `unit` go into the interaction note.
[[nodiscard]] outcome unit_menu(const context& ctx, const std::string& to, const std::string& kind,
                                const std::string& unit);

/// Stores the chosen commune (and village, when given) and answers: the village menu when the
/// commune has villages and none was chosen, else a confirmation with the main menu.
/// @throws SQLite::Exception
[[nodiscard]] outcome place_chosen(context& ctx, const std::string& to, const bot::unit_config& unit,
                                   const std::string& village, const std::string& kind);

/// The commune owning `village` (the sender's own commune first when several have that name).
[[nodiscard]] const bot::unit_config* village_owner(const context& ctx, const std::string& village,
                                                    const std::string& current_unit);

/// A message that is only a commune and/or village name ("xã Tân Sỏi", "thon dong dieu"):
/// stores it and answers; nullopt otherwise. `folded` is fold_text(text). @throws SQLite::Exception
[[nodiscard]] std::optional<outcome> typed_place(context& ctx, const std::string& folded, const sender& s);

/// "huỷ nhận tin" / "nhận tin lại": stores the broadcast opt-out and confirms; nullopt when the
/// message is neither. @throws SQLite::Exception
[[nodiscard]] std::optional<outcome> broadcast_preference(context& ctx, const std::string& folded, const sender& s);

}  // namespace handlers

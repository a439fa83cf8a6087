// Hand-offs: a citizen's conversation passed to officials, their answers, and closing it.
#pragma once

#include "handlers/context.hpp"
#include "handlers/sender.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace handlers {

/// True when official `o` may answer and close hand-off `h`: their role handles hand-offs
/// (bot::may) and they serve its unit or one above it (bot::scope_of(o).covers, the one rule).
[[nodiscard]] bool may_handle(const context& ctx, const storage::official& o, const storage::handoff& h);

/// The one-stop desk that takes hand-offs nobody else can: the first unit of the highest level.
/// Empty when no unit is configured.
[[nodiscard]] std::string handoff_desk(const context& ctx);

/// The unit a citizen's hand-off belongs to: their commune, or the desk when they chose none.
[[nodiscard]] std::string handoff_unit_for(const context& ctx, const std::string& citizen_unit);

/// Zalo user ids of the officials to notify for a hand-off of this unit: the unit's on-duty
/// linked officials that handle cases, else the desk's (handoff_desk). @throws SQLite::Exception
[[nodiscard]] std::vector<std::string> handoff_recipients(context& ctx, const std::string& unit_id);

/// `text` to every official notified for hand-off `h` (purpose "handoff", ref "handoff:<id>").
/// @throws SQLite::Exception
[[nodiscard]] std::vector<zalo::outgoing_message> to_handoff_officials(context& ctx, const storage::handoff& h,
                                                                       const std::string& text);

/// The citizen's text for "when will an official answer": in working hours or the next working morning.
[[nodiscard]] std::string answer_expected_when(const context& ctx);

/// Opens a hand-off for the citizen `u` and returns the messages: the notices to the officials
/// (handoff_recipients) and the citizen's confirmation saying when to expect an answer.
/// `reason` is asked | fallbacks. @throws SQLite::Exception
[[nodiscard]] outcome open_handoff_for(context& ctx, const storage::user& u, const std::string& reason,
                                       const std::string& question, const std::string& kind);

/// Closes hand-off `id` by `closed_by` and returns the message telling the citizen (empty when
/// it was not open). @throws SQLite::Exception
[[nodiscard]] std::vector<zalo::outgoing_message> close_handoff_messages(context& ctx, std::int64_t id,
                                                                         const std::string& closed_by);

/// Relays `text` from `answerer` (shown to the citizen) to hand-off `id`'s citizen and records the
/// first answer. Empty when it is not open. @throws SQLite::Exception
[[nodiscard]] std::vector<zalo::outgoing_message> relay_handoff_answer(context& ctx, std::int64_t id,
                                                                       const std::string& answerer,
                                                                       const std::string& text);

/// An official's "#12 nội dung" (answer) or "#12 xong" (close) on Zalo; nullopt when the text
/// is not of that form. @throws SQLite::Exception
[[nodiscard]] std::optional<outcome> official_handoff_reply(context& ctx, const std::string& text, const sender& s);

/// While a hand-off is open the bot stays quiet: a citizen's text goes to the officials, or
/// ends the hand-off when it says so ("kết thúc"); a dossier code in it also gets its status.
/// @throws SQLite::Exception
[[nodiscard]] outcome citizen_message_in_handoff(context& ctx, const std::string& text, const sender& s);

}  // namespace handlers

// Outgoing messages as handlers return them; bot/ sends them through the outbox.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace zalo {

/// A button under a message (zalo-api.md §2.4).
struct button {
    enum class kind { query_show, query_hide, open_url, open_phone };
    kind type = kind::query_show;
    std::string title;    ///< ≤ 100 chars (≤ 35 in templates)
    std::string payload;  ///< query text, URL, or phone number
};

/// The channel a message goes out on.
enum class channel {
    cs,           ///< consultation (inside the 7-day interaction window)
    transaction,  ///< transaction template (interaction within 1 year)
    promotion,    ///< promotion / broadcast (followers only, 06:00–21:59)
    zns           ///< ZNS template by phone
};

/// Priority in the outbox: lower goes first.
enum class priority : int { reply = 0, reminder = 1, broadcast = 2 };

/// One message a handler wants sent.
struct outgoing_message {
    std::string recipient;               ///< Zalo user id (or phone for ZNS)
    channel via = channel::cs;
    priority prio = priority::reply;
    std::string text;                    ///< body text (split by the sender at Zalo's limits)
    std::vector<button> buttons;
    std::string header;                  ///< transaction/promotion header
    std::string template_id;             ///< ZNS template id
    std::map<std::string, std::string> template_data;  ///< ZNS template data
    std::string fallback_phone;          ///< for reminders: phone for the ZNS fallback outside the window
    std::string purpose;                 ///< reply | handoff | reminder | digest | broadcast | relay
    std::string ref;                     ///< free reference (reminder key, hand-off id)
    std::optional<long long> broadcast_id;
    /// Official Account it goes through ([[oa]] id). Leave empty for a Zalo user: the outbox takes
    /// the recipient's OA (Zalo user ids belong to one OA). Set it for ZNS by phone.
    std::string oa{};
};

/// Serialises a message for the outbox table (JSON) and back.
[[nodiscard]] std::string to_json(const outgoing_message& m);
/// @throws std::runtime_error on malformed JSON.
[[nodiscard]] outgoing_message outgoing_from_json(const std::string& json);

[[nodiscard]] const char* to_string(channel c);
[[nodiscard]] std::optional<channel> channel_from(const std::string& s);

}  // namespace zalo

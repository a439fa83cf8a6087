// Which Official Account an event came for.
#include "bot/events/event_oa.hpp"

#include "bot/core/official_accounts.hpp"

namespace bot {

std::string_view oa_zalo_id(const zalo::event& ev) {
    if (!ev.oa_id.empty()) return ev.oa_id;
    // The user is one side of a message; the OA is the other. ZNS receipts name a phone, not a
    // user, as recipient: their sender is the OA too.
    if (!ev.user_id.empty() && ev.user_id == ev.sender_id) return ev.recipient_id;
    return ev.sender_id;
}

std::string oa_of_event(const config& cfg, const zalo::event& ev) {
    return oa_id_for(cfg, ev.app_id, oa_zalo_id(ev));
}

}  // namespace bot

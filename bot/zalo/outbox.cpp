// Outgoing messages into outbox rows.
#include "bot/zalo/outbox.hpp"

#include "storage/outbox_repository.hpp"

namespace zalo {

std::vector<std::int64_t> queue_messages(SQLite::Database& db, const std::vector<outgoing_message>& messages,
                                         std::int64_t now_ms, const message_origin& origin) {
    std::vector<storage::outbox_item> items;
    items.reserve(messages.size());
    for (const auto& m : messages) {
        storage::outbox_item it;
        it.recipient = m.recipient;
        it.channel = to_string(m.via);
        it.priority = static_cast<int>(m.prio);
        it.body_json = to_json(m);
        it.purpose = m.purpose.empty() ? "reply" : m.purpose;
        it.ref = m.ref;
        if (m.broadcast_id) it.broadcast_id = static_cast<std::int64_t>(*m.broadcast_id);
        it.event_seq = origin.event_seq;
        it.origin_at = origin.received_at_ms;
        it.interaction_id = origin.interaction_id;
        it.oa = m.oa;
        items.push_back(std::move(it));
    }
    return storage::enqueue(db, items, now_ms);
}

}  // namespace zalo

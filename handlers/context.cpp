// Storing what a handler returned.
#include "handlers/context.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/zalo/outbox.hpp"
#include "storage/interaction_repository.hpp"

namespace handlers {

std::vector<std::int64_t> commit_outcome(context& ctx, const outcome& out, const std::string& user_id,
                                         const std::string& inbound_text, std::optional<std::int64_t> event_seq,
                                         std::optional<std::int64_t> received_at_ms) {
    const std::int64_t now = ctx.now_ms();
    const int offset = ctx.cfg.time.utc_offset_minutes;
    const std::string day = bot::to_iso(bot::local_date_of(now, offset));
    std::string unit = out.note ? out.note->unit_id : std::string{};

    zalo::message_origin origin;
    origin.event_seq = event_seq;
    origin.received_at_ms = received_at_ms;
    if (out.note) {
        storage::interaction in;
        in.at = received_at_ms.value_or(now);
        in.local_day = bot::to_iso(bot::local_date_of(in.at, offset));
        in.user_id = user_id;
        in.unit_id = unit;
        in.direction = "in";
        in.kind = out.note->kind;
        in.topic = out.note->topic;
        in.outcome = out.note->outcome;
        in.text = inbound_text;
        in.oa = ctx.oa;
        // latency_ms stays empty until the first reply's Zalo call (the outbox sender sets it).
        origin.interaction_id = storage::log_interaction(ctx.db, in);
    }

    for (const auto& m : out.messages) {
        storage::interaction o;
        o.at = now;
        o.local_day = day;
        o.user_id = m.recipient;
        o.unit_id = m.recipient == user_id ? unit : std::string{};
        o.direction = "out";
        o.kind = m.purpose.empty() ? "reply" : m.purpose;
        o.topic = out.note && m.recipient == user_id ? out.note->topic : std::string{};
        o.text = m.text;
        o.oa = m.oa.empty() && m.recipient == user_id ? ctx.oa : m.oa;
        storage::log_interaction(ctx.db, o);
    }
    return zalo::queue_messages(ctx.db, out.messages, now, origin);
}

}  // namespace handlers

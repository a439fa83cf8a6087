// Delivery and seen receipts (OA and ZNS) and Zalo's daily-quota notices.
#include "handlers/delivery.hpp"

#include "handlers/broadcasts.hpp"
#include "storage/outbox_repository.hpp"

#include <spdlog/spdlog.h>

#include <string>

namespace handlers {

namespace {

/// When the receipt says it happened: ZNS delivery_time, else the event's timestamp, else now.
std::int64_t receipt_time(const zalo::event& ev, const context& ctx) {
    if (!ev.delivery_time.empty()) {
        try {
            return std::stoll(ev.delivery_time);
        } catch (const std::exception&) {
        }
    }
    return ev.timestamp_ms > 0 ? ev.timestamp_ms : ctx.now_ms();
}

}  // namespace

outcome handle_user_received_message(const zalo::event& ev, context& ctx) {
    const std::int64_t at = receipt_time(ev, ctx);
    int n = 0;
    // ZNS receipts carry our tracking id; OA receipts only Zalo's message id.
    if (!ev.tracking_id.empty()) n = storage::mark_delivered_by_tracking(ctx.db, ev.tracking_id, at);
    if (n == 0 && !ev.msg_id.empty()) n = storage::mark_delivered_by_msg_id(ctx.db, ev.msg_id, at);
    if (n == 0) spdlog::debug("delivery receipt for an unknown message");
    return {};
}

outcome handle_user_seen_message(const zalo::event& ev, context& ctx) {
    const std::int64_t at = receipt_time(ev, ctx);
    // Zalo documents `msg_ids` (array); one guide shows a single `msg_id`: accept both.
    for (const auto& id : ev.msg_ids) storage::mark_seen_by_msg_id(ctx.db, id, at);
    if (ev.msg_ids.empty() && !ev.msg_id.empty()) storage::mark_seen_by_msg_id(ctx.db, ev.msg_id, at);
    return {};
}

outcome handle_change_oa_daily_quota(const zalo::event& ev, context& ctx) {
    if (ev.quota_new <= 0) return {};
    // The quota of the OA the event came for (each OA has its own).
    storage::set_meta(ctx.db, broadcast_quota_key(ctx, ctx.oa), std::to_string(ev.quota_new));
    spdlog::info("Zalo changed the OA daily quota from {} to {}", ev.quota_prev, ev.quota_new);
    return {};
}

}  // namespace handlers

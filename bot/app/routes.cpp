// The routing table: every event_name → its handler. Events ignored on purpose have explicit no-ops.
#include "bot/app/app.hpp"

#include "bot/events/event_oa.hpp"

#include "handlers/delivery.hpp"
#include "handlers/follow.hpp"
#include "handlers/non_text.hpp"
#include "handlers/user_profile.hpp"
#include "handlers/user_send_text.hpp"

#include <spdlog/spdlog.h>

namespace bot::app {

namespace {
handlers::outcome ignore(const zalo::event&, handlers::context&) { return {}; }
}  // namespace

handlers::outcome route(const zalo::event& ev, handlers::context& ctx) {
    using zalo::event_type;
    switch (ev.type) {
    case event_type::user_send_text:
        return handlers::handle_user_send_text(ev, ctx);
    case event_type::user_send_image:
    case event_type::user_send_link:
    case event_type::user_send_audio:
    case event_type::user_send_video:
    case event_type::user_send_sticker:
    case event_type::user_send_location:
    case event_type::user_send_business_card:
    case event_type::user_send_file:
    case event_type::user_send_gif:
        return handlers::handle_non_text(ev, ctx);
    case event_type::follow:
        return handlers::handle_follow(ev, ctx);
    case event_type::unfollow:
        return handlers::handle_unfollow(ev, ctx);
    case event_type::user_click_chatnow:
        return handlers::handle_user_click_chatnow(ev, ctx);
    case event_type::user_submit_info:
        return handlers::handle_user_submit_info(ev, ctx);
    case event_type::user_withdraw:
        return handlers::handle_user_withdraw(ev, ctx);
    case event_type::user_received_message:
        return handlers::handle_user_received_message(ev, ctx);
    case event_type::user_seen_message:
        return handlers::handle_user_seen_message(ev, ctx);
    case event_type::change_oa_daily_quota:
        return handlers::handle_change_oa_daily_quota(ev, ctx);
    // Echoes of our own (or an admin's) sends, reactions, tags and ZNS template notices: stored, nothing to do.
    case event_type::oa_send_text:
    case event_type::oa_send_image:
    case event_type::oa_send_gif:
    case event_type::oa_send_list:
    case event_type::oa_send_file:
    case event_type::oa_send_sticker:
    case event_type::oa_send_template:
    case event_type::user_reacted_message:
    case event_type::oa_reacted_message:
    case event_type::add_user_to_tag:
    case event_type::remove_user_from_tag:
    case event_type::widget_interaction_accepted:
    case event_type::update_user_info:
    case event_type::change_template_status:
    case event_type::change_template_quality:
    case event_type::change_oa_template_tags:
    case event_type::user_feedback:
    case event_type::event_journey_acknowledged:
    case event_type::event_journey_time_out:
        return ignore(ev, ctx);
    // Anonymous chats need the v2.0 anonymous reply API; the bot does not answer them.
    case event_type::anonymous_send_text:
    case event_type::anonymous_send_image:
    case event_type::anonymous_send_file:
    case event_type::anonymous_send_sticker:
        return ignore(ev, ctx);
    case event_type::unknown:
        spdlog::debug("unhandled event {}", ev.name);
        return {};
    }
    return {};
}

void process(const stored_event& se, SQLite::Database& db, const environment& env) {
    // Replies go back through the OA the user wrote to: the one whose key signed the event (the
    // webhook refused a body naming another of ours), or for an event stored before that was kept,
    // the OA it names.
    auto ctx = env.context(db, !se.ev.oa.empty() ? se.ev.oa : oa_of_event(env.cfg, se.ev));
    handlers::outcome out = route(se.ev, ctx);
    handlers::commit_outcome(ctx, out, se.ev.user_id, se.ev.text, se.seq, se.received_at_ms);
}

}  // namespace bot::app

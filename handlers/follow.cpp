// Follow and unfollow.
#include "handlers/follow.hpp"

#include "bot/core/messages.hpp"
#include "handlers/conversation_common.hpp"
#include "storage/user_repository.hpp"

namespace handlers {

outcome handle_follow(const zalo::event& ev, context& ctx) {
    if (ev.user_id.empty()) return {};
    const std::int64_t now = ctx.now_ms();
    storage::set_follower(ctx.db, ev.user_id, true, now);
    storage::touch_user(ctx.db, ev.user_id, now, ctx.oa);  // following counts as an interaction (zalo-api.md §2.1)
    const std::string unit = unit_of_user(ctx, ev.user_id);
    outcome out;
    out.messages = with_buttons(ctx, ev.user_id,
                                ctx.texts.render(unit.empty() ? "conversation_welcome_choose_unit" : "conversation_welcome"),
                                main_menu_buttons(ctx));
    out.note = interaction_note{"follow", "", interaction_outcome::none, unit};
    return out;
}

outcome handle_unfollow(const zalo::event& ev, context& ctx) {
    if (ev.user_id.empty()) return {};
    storage::set_follower(ctx.db, ev.user_id, false, ctx.now_ms());
    return outcome{{}, interaction_note{"unfollow", "", interaction_outcome::none, unit_of_user(ctx, ev.user_id)}};
}

}  // namespace handlers

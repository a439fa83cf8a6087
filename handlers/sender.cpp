// Loading a message's sender once.
#include "handlers/sender.hpp"

namespace handlers {

sender load_sender(context& ctx, const std::string& user_id) {
    storage::touch_user(ctx.db, user_id, ctx.now_ms(), ctx.oa);
    sender s;
    if (auto found = storage::find_user(ctx.db, user_id)) s.user = std::move(*found);
    s.user.user_id = user_id;
    s.official = storage::find_official_by_zalo(ctx.db, user_id);
    s.open_handoff = storage::open_handoff_of(ctx.db, user_id);
    return s;
}

}  // namespace handlers

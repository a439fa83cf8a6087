// Loading a message's sender once.
#include "handlers/sender.hpp"

namespace handlers {

sender load_sender(context& ctx, const std::string& user_id) {
    sender s;
    s.user = storage::touch_and_find_user(ctx.db, user_id, ctx.now_ms(), ctx.oa);
    s.official = storage::find_official_by_zalo(ctx.db, user_id);
    s.open_handoff = storage::open_handoff_of(ctx.db, user_id);
    return s;
}

}  // namespace handlers

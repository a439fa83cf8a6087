// Follow and unfollow.
#include "handlers/follow.hpp"

namespace handlers {

outcome handle_follow(const zalo::event&, context&) { return {}; }
outcome handle_unfollow(const zalo::event&, context&) { return {}; }

}  // namespace handlers

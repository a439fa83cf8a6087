// Profile events.
#include "handlers/user_profile.hpp"

namespace handlers {

outcome handle_user_submit_info(const zalo::event&, context&) { return {}; }
outcome handle_user_withdraw(const zalo::event&, context&) { return {}; }
outcome handle_user_click_chatnow(const zalo::event&, context&) { return {}; }

}  // namespace handlers

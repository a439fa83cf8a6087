// Text messages.
#include "handlers/user_send_text.hpp"

namespace handlers {

outcome handle_user_send_text(const zalo::event&, context&) { return {}; }

}  // namespace handlers

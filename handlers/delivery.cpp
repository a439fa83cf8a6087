// Delivery receipts.
#include "handlers/delivery.hpp"

namespace handlers {

outcome handle_user_received_message(const zalo::event&, context&) { return {}; }
outcome handle_user_seen_message(const zalo::event&, context&) { return {}; }
outcome handle_change_oa_daily_quota(const zalo::event&, context&) { return {}; }

}  // namespace handlers

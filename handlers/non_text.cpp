// Non-text messages.
#include "handlers/non_text.hpp"

namespace handlers {

outcome handle_non_text(const zalo::event&, context&) { return {}; }

}  // namespace handlers

// Officials on Zalo.
#include "handlers/official_commands.hpp"

namespace handlers {

std::optional<outcome> handle_official_text(const zalo::event&, context&) { return std::nullopt; }

}  // namespace handlers

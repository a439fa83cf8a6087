// Conversation: hand-off resources: start-up hook of the running server.
#include "bot/app.hpp"

namespace bot::app {

void start_conversation(services& s) {
    (void)s;
}

}  // namespace bot::app

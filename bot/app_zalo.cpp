// Zalo client, tokens, outbox sender: start-up hook of the running server.
#include "bot/app.hpp"

namespace bot::app {

void start_zalo(services& s) {
    (void)s;
}

}  // namespace bot::app

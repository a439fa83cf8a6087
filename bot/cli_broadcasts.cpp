// Broadcast commands: broadcast create|list|status|cancel.
#include "bot/app.hpp"

#include <CLI/CLI.hpp>

namespace bot::app {

void register_broadcast_commands(CLI::App& app, cli_options& opts) {
    (void)app;
    (void)opts;
}

}  // namespace bot::app

// Zalo commands: token status|set|hash.
#include "bot/app.hpp"

#include <CLI/CLI.hpp>

namespace bot::app {

void register_zalo_commands(CLI::App& app, cli_options& opts) {
    (void)app;
    (void)opts;
}

}  // namespace bot::app

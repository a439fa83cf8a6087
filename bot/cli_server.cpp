// Server commands: serve, demo.
#include "bot/app.hpp"

#include <CLI/CLI.hpp>

namespace bot::app {

void register_server_commands(CLI::App& app, cli_options& opts) {
    (void)app;
    (void)opts;
}

}  // namespace bot::app

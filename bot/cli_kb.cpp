// Knowledge-base commands: ask, eval, kb check.
#include "bot/app.hpp"

#include <CLI/CLI.hpp>

namespace bot::app {

void register_kb_commands(CLI::App& app, cli_options& opts) {
    (void)app;
    (void)opts;
}

}  // namespace bot::app

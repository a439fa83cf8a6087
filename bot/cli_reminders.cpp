// Reminder commands: officials, dossiers, remind.
#include "bot/app.hpp"

#include <CLI/CLI.hpp>

namespace bot::app {

void register_reminder_commands(CLI::App& app, cli_options& opts) {
    (void)app;
    (void)opts;
}

}  // namespace bot::app

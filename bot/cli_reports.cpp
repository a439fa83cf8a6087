// Report commands: report.
#include "bot/app.hpp"

#include <CLI/CLI.hpp>

namespace bot::app {

void register_report_commands(CLI::App& app, cli_options& opts) {
    (void)app;
    (void)opts;
}

}  // namespace bot::app

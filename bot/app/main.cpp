// cchcbot: the command line.
#include "bot/app/app.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <iostream>

int main(int argc, char** argv) {
    CLI::App app{"cchcbot: the Zalo OA assistant for administrative reform (cải cách hành chính)", "cchcbot"};
    bot::app::cli_options opts;
    app.add_option("--config", opts.config_file, "configuration file (default: $CCHCBOT_CONFIG or ./cchcbot.toml)");
    app.require_subcommand(1);
    // --config may be given after the subcommand too (`cchcbot report --config f.toml ...`):
    // subcommands created from here on pass options they do not know to their parent.
    app.fallthrough();
    bot::app::register_core_commands(app, opts);
    bot::app::register_server_commands(app, opts);
    bot::app::register_zalo_commands(app, opts);
    bot::app::register_kb_commands(app, opts);
    bot::app::register_chat_commands(app, opts);
    bot::app::register_reminder_commands(app, opts);
    bot::app::register_dossier_commands(app, opts);
    bot::app::register_broadcast_commands(app, opts);
    bot::app::register_report_commands(app, opts);
    bot::app::register_check_commands(app, opts);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 2;
    } catch (const bot::config_error& e) {
        std::cerr << e.what() << "\n";
        return 1;
    } catch (const bot::app::command_error& e) {
        std::cerr << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return opts.exit_code;
}

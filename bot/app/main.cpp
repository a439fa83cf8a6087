// cchcbot: the command line.
#include "bot/app/app.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <system_error>

int main(int argc, char** argv) {
    CLI::App app{"cchcbot: the Zalo OA assistant for administrative reform (cải cách hành chính)", "cchcbot"};
    bot::app::cli_options opts;
    // Templates and the default database are found from the installation, not the current folder.
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    opts.install_root = bot::find_install_root(ec ? std::string(argv[0]) : exe.string(), bot::default_install_places());
    // Local time with its offset: a log read on another machine (or in UTC) is unambiguous.
    spdlog::set_pattern("[%Y-%m-%d %H:%M:%S.%e %z] [%l] %v");
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
    bot::app::register_console_commands(app, opts);
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

// Console commands: `cchcbot console link --official ID` prints a one-time sign-in link.
#include "bot/app/app.hpp"

#include "bot/core/local_time.hpp"
#include "bot/dossiers/sign_in_link.hpp"
#include "bot/http/admin_api.hpp"
#include "storage/database.hpp"
#include "storage/outbox_repository.hpp"
#include "storage/write_scope.hpp"

#include <CLI/CLI.hpp>
#include <SQLiteCpp/Database.h>

#include <iostream>

namespace bot::app {

void register_console_commands(CLI::App& app, cli_options& opts) {
    auto* con = app.add_subcommand("console", "The web console under /console/");
    con->require_subcommand(1);
    auto official = std::make_shared<std::string>();
    auto* link = con->add_subcommand("link", "Print a one-time sign-in link for a staff member (valid 10 minutes, single use)");
    link->add_option("--official", *official, "official id (see `cchcbot officials list`)")->required();
    link->callback([&opts, official] {
        auto cfg = load_config(source_for(opts));
        auto db = storage::open_database(cfg.storage.path);
        const std::string base = console_base_url(*db, cfg);
        storage::write_scope tx(*db);
        auto issued = issue_sign_in_link(*db, cfg, *official, now_ms(), "cli", base);
        switch (issued.result) {
        case sign_in_issue::status::unknown_official:
            throw command_error("no enabled official \"" + *official + "\" (see cchcbot officials list)");
        case sign_in_issue::status::rate_limited:
            throw command_error("too many sign-in links for \"" + *official + "\" in the last hour; try again in " +
                                std::to_string(issued.retry_after_ms / 60000 + 1) + " minutes");
        case sign_in_issue::status::issued:
            break;
        }
        audit(*db, "cli", "console link", *official, "");
        tx.commit();
        // The link is a secret for its owner: printed once to this terminal, never logged.
        std::cout << issued.url << "\n"
                  << "Open it within 10 minutes (until "
                  << format_local_datetime(issued.expires_at_ms, cfg.reminders.utc_offset_minutes)
                  << " local time); it works once. Staff get their own link by sending \"đăng nhập\" to the OA.\n";
    });
}

}  // namespace bot::app

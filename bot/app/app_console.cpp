// The web console: start-up hook of the running server (bot/console does the work).
#include "bot/app/app.hpp"

#include "bot/app/kb_commands.hpp"
#include "bot/console/demo.hpp"
#include "bot/console/site.hpp"
#include "bot/core/worker.hpp"
#include "bot/dossiers/sign_in_link.hpp"
#include "storage/console_repository.hpp"
#include "storage/outbox_repository.hpp"

#include <SQLiteCpp/Database.h>
#include <spdlog/spdlog.h>

#include <chrono>

namespace bot::app {

namespace {
/// How often ended sessions and spent links are forgotten.
constexpr std::chrono::hours console_prune_interval{1};
}  // namespace

void start_console(services& s) {
    environment& env = s.env;
    // Pages read on a connection of their own, so a long report never holds up the webhook's writes.
    auto reader = std::make_shared<worker>(env.cfg.storage.path);
    reader->start();
    console::site_deps deps{env.cfg,
                            env.texts,
                            [&env] { return env.kb.get(); },
                            [&env] { return reload_kb(env); },
                            env.clock,
                            s.work,
                            *reader,
                            s.notify_outbox,
                            &s.stats};
    // Demo data only where the simulator stands in for Zalo: its broadcasts and reminders go to
    // made-up accounts.
    if (env.cfg.demo && env.cfg.zalo.simulator)
        s.work.run_sync([&env](SQLite::Database& db) {
            auto ctx = env.context(db);
            if (auto summary = console::seed_console_demo(ctx); !summary.empty()) spdlog::info("{}", summary);
        });
    auto site = std::make_shared<console::site>(std::move(deps), env.cfg.templates_dir + "/console");
    site->mount(s.router);

    // `cchcbot console link` (another process) builds its links on the address this server
    // answers at, when console.public_url does not say.
    // Links name the address this server answers at (server.port = 0 picks a free one), for its
    // pages, its Zalo commands and `cchcbot console link` in another process. Published before
    // the server takes requests.
    const std::string base = env.cfg.console.public_url.empty() ? s.runtime.base_url : env.cfg.console.public_url;
    s.work.run_sync([base](SQLite::Database& db) { storage::set_meta(db, std::string(published_console_base_url_key), base); });
    auto& cfg = env.cfg;
    auto clock = env.clock;
    s.work.every(std::chrono::duration_cast<std::chrono::milliseconds>(console_prune_interval), [&cfg, clock](SQLite::Database& db) {
        const auto keep = std::max<std::chrono::seconds>(cfg.console.session_max, std::chrono::hours(24));
        storage::prune_console_state(db, clock() - std::chrono::duration_cast<std::chrono::milliseconds>(keep).count());
    });
    spdlog::info("web console at {}/console/", base);

    auto prev = s.on_shutdown;
    s.on_shutdown = [prev, reader, site] {
        site->stop();  // an import in progress finishes its steps while the worker still runs
        reader->stop();
        if (prev) prev();
    };
}

}  // namespace bot::app

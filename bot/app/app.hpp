// The wiring shared by the executable, its commands and the tests: environment, routes, server.
#pragma once

#include "bot/core/config.hpp"
#include "bot/core/runtime.hpp"
#include "bot/events/dispatch.hpp"
#include "bot/core/messages.hpp"
#include "handlers/context.hpp"

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}
namespace SQLite {
class Database;
}
namespace storage {
class wal_sync;
}

namespace bot {
class worker;
class reader_pool;
class http_router;
class admin_api;
class metrics;
}  // namespace bot

namespace bot::app {

/// The current knowledge base, swapped atomically on reload (SIGHUP, POST /api/v1/kb/reload).
class kb_holder {
public:
    [[nodiscard]] std::shared_ptr<const knowledge_base> get() const {
        std::lock_guard lk(mu_);
        return kb_;
    }
    void set(std::shared_ptr<const knowledge_base> kb) {
        std::lock_guard lk(mu_);
        kb_ = std::move(kb);
    }

private:
    mutable std::mutex mu_;
    std::shared_ptr<const knowledge_base> kb_;
};

/// What the process shares: configuration, texts, knowledge base, clock.
struct environment {
    config cfg;
    message_catalog texts;
    kb_holder kb;
    std::function<std::int64_t()> clock;  ///< Unix ms; injected in tests

    /// A handler context on `db` (the caller's connection).
    [[nodiscard]] handlers::context context(SQLite::Database& db) const {
        return handlers::context{db, cfg, texts, kb.get(), clock};
    }
    /// A handler context for an event that came for the Official Account `oa` ([[oa]] id): replies
    /// go back through it, and for an OA that serves its own units {{desk}} is the desk of the
    /// first of them today (a citizen writing to phường Bố Hạ's OA is not greeted by xã Yên Thế's).
    [[nodiscard]] handlers::context context(SQLite::Database& db, const std::string& oa) const;

private:
    /// The texts of each OA that serves its own units, by OA id and desk name (a renamed desk gets
    /// a new entry; entries live as long as the environment, as contexts hold references).
    mutable std::mutex oa_texts_mu_;
    mutable std::map<std::string, std::unique_ptr<const message_catalog>, std::less<>> oa_texts_;
};

/// Loads configuration, texts and the knowledge base. `demo` fills the demo defaults.
/// @throws config_error, std::runtime_error
[[nodiscard]] std::unique_ptr<environment> make_environment(const config_source& src);
/// Same from an already loaded configuration (tests).
[[nodiscard]] std::unique_ptr<environment> make_environment(config cfg);

/// The routing table (bot/routes.cpp): event → handler. Unknown events are logged and ignored.
[[nodiscard]] handlers::outcome route(const zalo::event& ev, handlers::context& ctx);

/// Routes one stored event and commits its outcome (outbox, interactions). Runs inside the
/// dispatcher's transaction on the worker thread.
void process(const stored_event& se, SQLite::Database& db, const environment& env);

/// Services of the running server that areas plug into (see start_* below).
struct services {
    /// The five every area needs; the rest are set by whoever has them (the server assembly).
    services(environment& e, worker& w, http_router& r, admin_api& a, metrics& m)
        : env(e), work(w), router(r), api(a), stats(m) {}

    environment& env;
    worker& work;                         ///< the worker thread (owns the write connection)
    http_router& router;                  ///< add HTTP endpoints
    admin_api& api;                       ///< add /api/v1 resources
    metrics& stats;                       ///< Prometheus metrics (GET /metrics)
    std::function<void()> notify_outbox;  ///< wake the outbox sender after enqueuing (set by start_zalo)
    std::function<void()> on_shutdown;    ///< areas may chain their own stop steps
    /// Readiness checks for GET /readyz: each returns an error text when not ready, else nullopt.
    std::vector<std::function<std::optional<std::string>()>> ready_checks;
    /// Run on SIGHUP (knowledge-base reload, ...).
    std::vector<std::function<void()>> reload_hooks;
    /// Read-only connections beside the worker (admin_api::add_read uses them); null in tests
    /// that wire no pool (reads then run on the worker).
    reader_pool* readers = nullptr;
    /// Syncs the database's WAL after relaxed commits (storage::wal_sync); null for a database in
    /// memory or without a server assembly (writes then commit with synchronous=FULL).
    storage::wal_sync* wal = nullptr;
    /// Facts of this run (the bound port): filled by the server before any thread starts.
    runtime_info runtime;
};

/// Area start-up hooks, called by the server assembly in this order after the worker starts.
void start_zalo(services& s);        ///< outbox sender, tokens, OAuth callback, (demo) simulator
void start_kb(services& s);          ///< KB reload endpoint and SIGHUP
void start_conversation(services& s); ///< hand-off resources
void start_reminders(services& s);   ///< admin API auth, officials resources, scheduler
void start_dossiers(services& s);    ///< dossier import API and runs, the watched import folder, status notices
void start_broadcasts(services& s);  ///< broadcast resources and sender job
void start_reports(services& s);     ///< report resources
void start_console(services& s);     ///< the web console under /console/ (bot/console)

/// Command-line registration, one function per area (bot/cli_*.cpp).
struct cli_options {
    std::string config_file;  ///< --config
    std::string install_root; ///< the installation the executable belongs to (bot::find_install_root)
    int exit_code = 0;        ///< a command sets 1 for failure (2 is for usage errors, set by CLI11)
};
void register_core_commands(CLI::App& app, cli_options& opts);        ///< db migrate, db backup
void register_server_commands(CLI::App& app, cli_options& opts);      ///< serve, demo
void register_zalo_commands(CLI::App& app, cli_options& opts);        ///< token status|set|hash
void register_kb_commands(CLI::App& app, cli_options& opts);          ///< ask, eval, kb check
void register_chat_commands(CLI::App& app, cli_options& opts);        ///< chat
void register_reminder_commands(CLI::App& app, cli_options& opts);    ///< officials, remind
void register_dossier_commands(CLI::App& app, cli_options& opts);     ///< dossiers import|runs|run
void register_broadcast_commands(CLI::App& app, cli_options& opts);   ///< broadcast
void register_report_commands(CLI::App& app, cli_options& opts);      ///< report
void register_check_commands(CLI::App& app, cli_options& opts);       ///< calendar check
void register_console_commands(CLI::App& app, cli_options& opts);     ///< console link

/// `kb check`: the knowledge base, its facts' dates and the calendar as of `today`
/// ("YYYY-MM-DD", or "" for the local date now); problems and warnings go to `out`.
/// Returns the exit code (1 when there is an error). @throws CLI::ValidationError for a bad date
[[nodiscard]] int run_kb_check(const config& cfg, const std::string& today, std::ostream& out);

/// The config source for a command: --config, else CCHCBOT_CONFIG, else ./cchcbot.toml.
[[nodiscard]] config_source source_for(const cli_options& opts, bool demo = false);

/// The OA a command's `--oa ID` names among `oas` (config::official_accounts()); '' is the
/// default OA. @throws CLI::ValidationError naming the configured ids for an unknown one.
[[nodiscard]] const oa_config& oa_option(const std::vector<oa_config>& oas, const std::string& id);

/// Thrown by commands for a failure the user should read (exit code 1, message printed as is).
struct command_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace bot::app

// Core commands (db migrate, db backup) and the environment every command builds.
#include "bot/app/app.hpp"
#include "bot/app/kb_commands.hpp"

#include "bot/language/knowledge_base.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/official_accounts.hpp"
#include "bot/core/wording.hpp"
#include "storage/database.hpp"

#include <CLI/CLI.hpp>
#include <SQLiteCpp/Database.h>

#include <algorithm>
#include <iostream>

namespace bot::app {

const oa_config& oa_option(const std::vector<oa_config>& oas, const std::string& id) {
    if (!id.empty() && std::none_of(oas.begin(), oas.end(), [&](const oa_config& o) { return o.id == id; })) {
        std::string known;
        for (const auto& o : oas) known += (known.empty() ? "" : ", ") + o.id;
        throw CLI::ValidationError("--oa", "unknown Official Account \"" + id + "\" (configured: " + known + ")");
    }
    return oa_by_id(oas, id);
}

config_source source_for(const cli_options& opts, bool demo) {
    config_source src;
    if (!opts.config_file.empty()) src.file = opts.config_file;
    src.demo = demo;
    src.install_root = opts.install_root;
    return src;
}

std::unique_ptr<environment> make_environment(config cfg) {
    auto env = std::make_unique<environment>();
    env->texts = load_messages(cfg);
    env->cfg = std::move(cfg);
    env->kb.set(load_kb_with_stored_examples(env->cfg));
    env->clock = [] { return now_ms(); };
    return env;
}

std::unique_ptr<environment> make_environment(const config_source& src) { return make_environment(load_config(src)); }

handlers::context environment::context(SQLite::Database& db, const std::string& oa) const {
    const message_catalog* own = &texts;
    const std::string today = to_iso(local_date_of(clock(), cfg.reminders.utc_offset_minutes));
    if (const auto units = oa_units_on(cfg, oa, today); !units.empty()) {
        const std::string desk = desk_name_of(texts, *units.front());
        const std::string key = oa + '\x1f' + desk;
        std::lock_guard lk(oa_texts_mu_);
        auto it = oa_texts_.find(key);
        if (it == oa_texts_.end()) {
            auto copy = std::make_unique<message_catalog>(texts);
            auto defaults = copy->defaults();
            defaults["desk"] = desk;
            copy->set_defaults(std::move(defaults));
            it = oa_texts_.emplace(key, std::move(copy)).first;
        }
        own = it->second.get();
    }
    handlers::context ctx{db, cfg, *own, kb.get(), clock};
    ctx.oa = oa;
    return ctx;
}

void register_core_commands(CLI::App& app, cli_options& opts) {
    auto* db = app.add_subcommand("db", "Database maintenance");
    db->require_subcommand(1);
    auto* mig = db->add_subcommand("migrate", "Apply pending schema migrations");
    mig->callback([&opts] {
        auto cfg = load_config(source_for(opts));
        auto conn = storage::open_database(cfg.storage.path, false);
        int before = storage::schema_version(*conn);
        int after = storage::migrate(*conn);
        std::cout << "schema version " << before << " -> " << after << " (" << cfg.storage.path << ")\n";
    });
    auto* bk = db->add_subcommand("backup", "Copy the live database to FILE (SQLite online backup)");
    auto file = std::make_shared<std::string>();
    bk->add_option("FILE", *file, "destination file")->required();
    bk->callback([&opts, file] {
        auto cfg = load_config(source_for(opts));
        auto conn = storage::open_database(cfg.storage.path);
        storage::backup(*conn, *file);
        std::cout << "backed up " << cfg.storage.path << " to " << *file << "\n";
    });
}

}  // namespace bot::app

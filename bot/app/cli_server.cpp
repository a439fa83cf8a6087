// Server commands: serve, demo.
#include "bot/app/server_app.hpp"

#include "bot/console/demo.hpp"

#include "bot/core/local_time.hpp"
#include "bot/events/webhook.hpp"
#include "storage/database.hpp"
#include "storage/outbox_repository.hpp"

#include <SQLiteCpp/Database.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <system_error>
#include <random>

namespace bot::app {

std::string demo_oa_secret_key(SQLite::Database& db, const std::string& oa) {
    const std::string key = oa == "default" ? std::string("demo_oa_secret_key") : "demo_oa_secret_key_" + oa;
    if (auto stored = storage::get_meta(db, key); stored && !stored->empty()) return *stored;
    std::string secret = random_demo_secret();
    storage::set_meta(db, key, secret);
    return secret;
}

namespace {

void require_webhook_secrets(const config& cfg) {
    if (cfg.oa_tables.empty()) {
        if (cfg.zalo.oa_secret_key.empty())
            throw config_error(
                "zalo.oa_secret_key_file: required to verify webhooks (or set CCHCBOT_ZALO_OA_SECRET_KEY)");
        if (cfg.zalo.app_id.empty())
            throw config_error("zalo.app_id: required to verify webhooks (or set CCHCBOT_ZALO_APP_ID)");
        return;
    }
    // Each OA's events are verified with its own key.
    for (const auto& oa : cfg.oa_tables)
        if (oa.oa_secret_key.empty())
            throw config_error("oa." + oa.id +
                               ".oa_secret_key_file: required to verify its webhooks (or set CCHCBOT_OA_<ID>_OA_SECRET_KEY)");
}

// A signed user_send_text event and the curl command that posts it (demo only).
std::string demo_curl(const config& cfg, const std::string& url) {
    std::random_device rd;
    std::string ts = std::to_string(now_ms());
    std::string msg_id = "demo" + std::to_string(rd()) + std::to_string(rd());
    std::string body = R"({"app_id":")" + cfg.zalo.app_id +
                       R"(","user_id_by_app":"5521772797175877301","sender":{"id":"2468458835291979221"},)"
                       R"("recipient":{"id":")" + cfg.zalo.oa_id +
                       R"("},"event_name":"user_send_text","message":{"text":"Làm giấy khai sinh cần giấy tờ gì?",)"
                       R"("msg_id":")" + msg_id + R"("},"timestamp":")" + ts + R"("})";
    std::string sig = webhook::signature_header(cfg.zalo.app_id, body, ts, cfg.zalo.oa_secret_key);
    return "curl -sS -X POST '" + url + cfg.server.webhook_path + "' -H 'Content-Type: application/json' -H " +
           "'X-ZEvent-Signature: " + sig + "' --data-binary '" + body + "'";
}

void serve(std::unique_ptr<environment> env, bool demo, const std::string& exe_path = "cchcbot") {
    server srv(*env);
    srv.catch_signals();
    srv.start();
    std::cout << "cchcbot listening on " << srv.url() << std::endl;
    if (demo) {
        const auto& cfg = env->cfg;
        // The demo's one documented exception to "never print secrets": anyone trying it must
        // be able to sign test events. Unless configured, the key is made once per demo database
        // and kept in it, so the printed curl keeps working after a restart.
        std::error_code ec;
        const std::string db = std::filesystem::absolute(cfg.storage.path, ec).string();
        // `chat` in another terminal finds the same database by default; named here all the same,
        // for a demo started on another one (CCHCBOT_STORAGE_PATH, --config).
        if (cfg.oa_tables.empty())
            std::cout << "demo app id: " << cfg.zalo.app_id << "\n"
                      << "demo OA secret key: " << cfg.zalo.oa_secret_key << "\n";
        for (const auto& oa : cfg.oa_tables)
            std::cout << "demo OA " << oa.id << ": app id " << oa.app_id << ", OA id " << oa.oa_id << ", OA secret key "
                      << oa.oa_secret_key << "\n";
        std::cout << "database: " << db << "\n";
        if (cfg.oa_tables.empty())
            std::cout << "post a signed user_send_text event:\n  " << demo_curl(cfg, srv.url()) << "\n";
        std::cout << "talk to it in another terminal with:\n  CCHCBOT_STORAGE_PATH='" << db << "' " << exe_path << " chat"
                  << (cfg.oa_tables.empty() ? "" : " --oa ID") << "\n"
                  << "web console: open the link printed by\n  CCHCBOT_STORAGE_PATH='" << db << "' " << exe_path
                  << " console link --official " << console::demo_admin_id << " (administrator), or --official "
                  << console::demo_propaganda_id(cfg) << " (propaganda), " << console::demo_viewer_id
                  << " (viewer), cb_<unit> (official)" << std::endl;
    }
    srv.run_until_signal();
}

}  // namespace

void register_server_commands(CLI::App& app, cli_options& opts) {
    auto* s = app.add_subcommand("serve", "Run the webhook server, admin API and background jobs");
    s->callback([&opts] {
        auto env = make_environment(source_for(opts));
        require_webhook_secrets(env->cfg);
        serve(std::move(env), false);
    });
    auto* d = app.add_subcommand("demo", "Run the server on demo data with the built-in Zalo simulator");
    d->callback([&opts] {
        auto cfg = load_config(source_for(opts, true));
        cfg.demo = true;
        cfg.zalo.simulator = true;
        if (cfg.zalo.oa_secret_key.empty() && cfg.oa_tables.empty())
            cfg.zalo.oa_secret_key = demo_oa_secret_key(*storage::open_database(cfg.storage.path));
        // The simulator accepts any ZNS template: reminders outside the 7-day window show it.
        if (cfg.zalo.zns_reminder_template.empty()) cfg.zalo.zns_reminder_template = "demo-nhac-han-ho-so";
        for (auto& oa : cfg.oa_tables) {  // several OAs: each its own demo key and template
            if (oa.oa_secret_key.empty()) oa.oa_secret_key = demo_oa_secret_key(*storage::open_database(cfg.storage.path), oa.id);
            if (oa.zns_reminder_template.empty()) oa.zns_reminder_template = cfg.zalo.zns_reminder_template;
        }
        std::error_code ec;
        const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
        serve(make_environment(std::move(cfg)), true, ec ? std::string("cchcbot") : exe.string());
    });
}

}  // namespace bot::app

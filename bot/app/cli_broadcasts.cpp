// Broadcast commands: broadcast create|list|status|cancel.
#include "bot/app/app.hpp"

#include "bot/core/local_time.hpp"
#include "bot/core/messages.hpp"
#include "bot/core/wording.hpp"
#include "handlers/broadcasts.hpp"
#include "storage/database.hpp"

#include <CLI/CLI.hpp>
#include <SQLiteCpp/Database.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <memory>

namespace bot::app {

namespace {

/// What a broadcast command works with: configuration, texts, its own connection.
struct command_env {
    config cfg;
    message_catalog texts;
    std::unique_ptr<SQLite::Database> db;

    [[nodiscard]] handlers::context context() { return handlers::context{*db, cfg, texts, nullptr, [] { return now_ms(); }}; }
};

std::unique_ptr<command_env> open_env(const cli_options& opts) {
    // The command prints its own results; info logs would mix into --json output.
    spdlog::set_level(spdlog::level::warn);
    auto e = std::make_unique<command_env>();
    e->cfg = load_config(source_for(opts));
    e->texts = load_messages(e->cfg);
    e->db = storage::open_database(e->cfg.storage.path);
    return e;
}

std::string target_text(const handlers::broadcast_status& s) {
    // Stored as {"all", "units", "villages", "places"} (before: {"units", "villages"}, both empty
    // for every follower); shown compactly.
    const bool all = s.target_json.rfind(R"({"all":true,)", 0) == 0 || s.target_json == R"({"units":[],"villages":[]})";
    return all ? std::string("every follower") : s.target_json;
}

void print_status(const handlers::context& ctx, const handlers::broadcast_status& s) {
    std::cout << "broadcast " << s.id << ": " << storage::to_string(s.state) << "\n"
              << "  scheduled:  " << format_local_datetime(s.scheduled_at, ctx.cfg.time.utc_offset_minutes) << "\n"
              << "  target:     " << target_text(s) << "\n"
              << "  recipients: " << s.recipients << "\n"
              << "  waiting:    " << s.waiting << "\n"
              << "  pending:    " << s.pending << "\n"
              << "  sent:       " << s.sent << "\n"
              << "  failed:     " << s.failed << "\n"
              << "  received:   " << s.received << "\n"
              << "  seen:       " << s.seen << "\n";
    if (s.cancelled) std::cout << "  cancelled:  " << s.cancelled << "\n";
    if (s.excluded) std::cout << "  excluded:   " << s.excluded << " (unfollowed or opted out)\n";
}

std::int64_t parse_id(const std::string& s) {
    std::size_t used = 0;
    long long id = 0;
    try {
        id = std::stoll(s, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != s.size() || id <= 0) throw command_error("error: not a broadcast id: " + s);
    return id;
}

}  // namespace

void register_broadcast_commands(CLI::App& app, cli_options& opts) {
    auto* bc = app.add_subcommand("broadcast", "Broadcasts to followers: create, list, status, cancel");
    bc->require_subcommand(1);

    struct create_args {
        std::string text;
        std::vector<std::string> units, villages, buttons;
        std::string at;
        bool all = false;
        bool dry_run = false;
        bool json = false;
    };
    auto ca = std::make_shared<create_args>();
    auto* create = bc->add_subcommand("create", "Create a broadcast (goes out now, or at --at local time)");
    create->add_option("--text", ca->text, "text, or a template with {{ten_xa}}, {{ten_thon}}, {{ten}}")->required();
    create->add_option("--unit", ca->units, "target unit id of today (repeatable)");
    create->add_option("--village", ca->villages,
                       "target village (repeatable); with --unit: a village of that unit, and only it");
    create->add_flag("--all", ca->all, "to every follower (only this way, and not with --unit/--village)");
    create->add_option("--button", ca->buttons, "link button \"Title|https://url\" (repeatable, at most 4)");
    create->add_option("--at", ca->at, "local time \"YYYY-MM-DD HH:MM\" (default: now)");
    create->add_flag("--dry-run", ca->dry_run, "show the message and the recipient count; store and send nothing");
    create->add_flag("--json", ca->json, "print JSON");
    create->callback([&opts, ca] {
        auto e = open_env(opts);
        auto ctx = e->context();
        handlers::broadcast_request req;
        req.text = ca->text;
        req.units = ca->units;
        req.villages = ca->villages;
        req.all = ca->all;
        if (!ca->at.empty()) req.at = ca->at;
        req.created_by = "cli";
        try {
            for (const auto& b : ca->buttons) req.buttons.push_back(handlers::parse_button(b));
            if (ca->dry_run) {
                auto p = handlers::preview_broadcast(ctx, req);
                if (ca->json) {
                    std::cout << handlers::to_json(ctx, p) << "\n";
                    return;
                }
                std::cout << "dry run: nothing stored or sent\n"
                          << "audience:       " << p.audience << "\n"
                          << "recipients now: " << p.recipients << "\n"
                          << "scheduled:      " << format_local_datetime(p.scheduled_at, e->cfg.time.utc_offset_minutes) << "\n"
                          << "sample:         " << (p.sample_user.empty() ? std::string("(no follower matches yet)") : p.sample_user)
                          << (p.sample_unit.empty() ? "" : " [" + p.sample_unit + (p.sample_village.empty() ? "" : ", " + p.sample_village) + "]")
                          << "\n--- " << p.header << " ---\n"
                          << p.text << "\n";
                for (const auto& b : req.buttons) std::cout << "[" << b.title << "] " << b.url << "\n";
                return;
            }
            auto made = handlers::create_broadcast(ctx, req);
            if (ca->json) {
                std::cout << "{\"id\": " << made.id << ", \"recipients\": " << made.recipients << "}\n";
                return;
            }
            std::cout << "broadcast " << made.id << " created for " << made.audience << ": " << made.recipients
                      << " followers targeted now, sending "
                      << (ca->at.empty() ? std::string("now") : "at " + format_local_datetime(made.scheduled_at, e->cfg.time.utc_offset_minutes))
                      << " (by the running server, 06:00-21:59 local)\n";
        } catch (const handlers::broadcast_error& ex) {
            throw command_error(std::string("error: ") + ex.what());
        }
    });

    auto list_json = std::make_shared<bool>(false);
    auto* list = bc->add_subcommand("list", "List broadcasts, newest first");
    list->add_flag("--json", *list_json, "print JSON");
    list->callback([&opts, list_json] {
        auto e = open_env(opts);
        auto ctx = e->context();
        auto all = handlers::list_broadcast_statuses(ctx);
        if (*list_json) {
            std::cout << "{\"broadcasts\": [";
            for (std::size_t i = 0; i < all.size(); ++i) std::cout << (i ? ", " : "") << handlers::to_json(ctx, all[i]);
            std::cout << "]}\n";
            return;
        }
        if (all.empty()) std::cout << "no broadcasts\n";
        for (const auto& s : all) {
            std::string first_line = s.text.substr(0, s.text.find('\n'));
            if (first_line.size() > 60) {
                std::size_t cut = 60;
                while (cut > 0 && (static_cast<unsigned char>(first_line[cut]) & 0xC0) == 0x80) --cut;
                first_line = first_line.substr(0, cut) + "...";
            }
            std::cout << s.id << "  " << format_local_datetime(s.scheduled_at, e->cfg.time.utc_offset_minutes) << "  "
                      << storage::to_string(s.state) << "  recipients " << s.recipients << ", sent " << s.sent << ", seen " << s.seen << "  "
                      << first_line << "\n";
        }
    });

    struct id_args {
        std::string id;
        bool json = false;
    };
    auto sa = std::make_shared<id_args>();
    auto* status = bc->add_subcommand("status", "Show a broadcast's state and delivery counts");
    status->add_option("ID", sa->id, "broadcast id")->required();
    status->add_flag("--json", sa->json, "print JSON");
    status->callback([&opts, sa] {
        auto id = parse_id(sa->id);
        auto e = open_env(opts);
        auto ctx = e->context();
        auto s = handlers::get_broadcast_status(ctx, id);
        if (!s) throw command_error("error: no broadcast " + sa->id);
        if (sa->json)
            std::cout << handlers::to_json(ctx, *s) << "\n";
        else
            print_status(ctx, *s);
    });

    auto xa = std::make_shared<id_args>();
    auto* cancel = bc->add_subcommand("cancel", "Cancel a broadcast: messages not yet sent are stopped");
    cancel->add_option("ID", xa->id, "broadcast id")->required();
    cancel->callback([&opts, xa] {
        auto id = parse_id(xa->id);
        auto e = open_env(opts);
        auto ctx = e->context();
        std::int64_t stopped = 0;
        switch (handlers::cancel_broadcast(ctx, id, &stopped)) {
        case handlers::cancel_result::not_found: throw command_error("error: no broadcast " + xa->id);
        case handlers::cancel_result::already_finished:
            throw command_error("error: broadcast " + xa->id + " has already finished; nothing to cancel");
        case handlers::cancel_result::cancelled:
            std::cout << "broadcast " << id << " cancelled: " << stopped << " messages stopped\n";
            break;
        }
    });
}

}  // namespace bot::app

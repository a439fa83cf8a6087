// Reminder commands: officials, dossiers, remind.
#include "bot/app/app.hpp"

#include "bot/core/calendar.hpp"
#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/messages.hpp"
#include "bot/core/staff.hpp"
#include "bot/core/unit_absence.hpp"
#include "bot/dossiers/reminder_admin.hpp"
#include "bot/core/wording.hpp"
#include "handlers/reminders.hpp"
#include "storage/database.hpp"
#include "storage/official_repository.hpp"

#include <CLI/CLI.hpp>
#include <SQLiteCpp/Database.h>
#include <boost/json.hpp>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace bot::app {

namespace {

struct official_args {
    std::string id, name, role, phone;
    std::vector<std::string> units;
    bool json = false;
};

std::unique_ptr<SQLite::Database> open_db(const config& cfg) { return storage::open_database(cfg.storage.path); }

void register_officials(CLI::App& app, cli_options& opts) {
    auto* off = app.add_subcommand("officials", "Officials who receive reminders: add, list, link-code, disable");
    off->require_subcommand(1);
    auto a = std::make_shared<official_args>();

    auto* add = off->add_subcommand("add", "Register an official");
    add->add_option("--id", a->id, "official id (letters, digits, _ - .)")->required();
    add->add_option("--name", a->name, "full name")->required();
    add->add_option("--unit", a->units, "unit id as configured; repeat for every unit served (the first is the home unit)")
        ->required();
    std::vector<std::string> roles(staff_role_names().begin(), staff_role_names().end());
    add->add_option("--role", a->role,
                    "official, leader (escalations, digests), propaganda (broadcasts), admin (every unit) or viewer")
        ->required()
        ->check(CLI::IsMember(roles));
    add->add_option("--phone", a->phone, "phone (for ZNS reminders outside Zalo's 7-day window)");
    add->callback([&opts, a] {
        auto cfg = load_config(source_for(opts));
        storage::official o{a->id, a->name, a->units.front(), a->role, a->phone, "", true, true, false, {}};
        o.units.assign(a->units.begin() + 1, a->units.end());
        const std::string today = to_iso(local_date_of(now_ms(), cfg.time.utc_offset_minutes));
        // A unit that is not one today, in Vietnamese as the console says it (unknown ones first,
        // then a merged commune with the unit to choose instead).
        const auto texts = load_messages(cfg);
        auto refuse = [&](const std::string& why) {
            throw command_error(texts.render("official_unit_refused", {{"official", a->id}, {"why", why}}));
        };
        for (const auto& u : a->units)
            if (!cfg.find_unit(u)) refuse(unit_absence_text(cfg, texts, u, today));
        for (const auto& u : a->units)
            if (auto why = unit_absence_text(cfg, texts, u, today); !why.empty()) refuse(why);
        if (auto err = check_official(o, cfg, today); !err.empty()) throw command_error(err);
        auto db = open_db(cfg);
        if (!storage::add_official(*db, o, now_ms())) throw command_error("official \"" + a->id + "\" already exists");
        std::string units;
        for (const auto& u : a->units) units += (units.empty() ? "" : ", ") + u;
        std::cout << "added " << o.role << " " << o.official_id << " (" << o.name << ", " << units
                  << "); give them a link code: cchcbot officials link-code " << o.official_id << "\n";
    });

    auto* list = off->add_subcommand("list", "List officials");
    list->add_flag("--json", a->json, "one JSON object per line");
    list->callback([&opts, a] {
        auto cfg = load_config(source_for(opts));
        auto db = open_db(cfg);
        auto all = storage::list_officials(*db, true);
        const std::int64_t now = now_ms();
        const int offset = cfg.time.utc_offset_minutes;
        for (const auto& o : all) {
            // "linked" alone misled: a linked official silent for 7 days gets nothing without ZNS.
            const auto reach = reachability_now(*db, o, now, cfg);
            if (a->json) {
                std::cout << official_json(o, false, reach, offset) << "\n";
                continue;
            }
            std::string units;
            for (const auto& u : o.units) units += (units.empty() ? "" : ",") + u;
            std::cout << std::left << std::setw(16) << o.official_id << " " << std::setw(10) << o.role << " " << std::setw(12)
                      << units << " " << (o.zalo_user_id.empty() ? "not linked" : "linked    ") << " "
                      << (o.disabled ? "disabled" : o.reminders_enabled ? "reminders on" : "reminders off") << "  " << o.name
                      << "\n" << std::string(17, ' ') << "reachability: " << describe(reach, offset) << "\n";
        }
        if (!a->json && all.empty()) std::cout << "no officials yet: cchcbot officials add --help\n";
    });

    auto* code = off->add_subcommand("link-code", "Issue a one-time link code (valid 72 h; printed once)");
    code->add_option("ID", a->id, "official id")->required();
    code->callback([&opts, a] {
        auto cfg = load_config(source_for(opts));
        auto db = open_db(cfg);
        auto c = issue_link_code(*db, a->id, now_ms());
        if (!c) throw command_error("no enabled official \"" + a->id + "\"");
        std::cout << "link code for " << a->id << ": " << c->code << "\n"
                  << "valid until " << format_local_datetime(c->expires_at_ms, cfg.time.utc_offset_minutes)
                  << " (local time). The official sends \"DK " << c->code
                  << "\" to the Official Account. It is shown only now.\n";
    });

    auto* dis = off->add_subcommand("disable", "Disable an official (no reminders, no commands)");
    dis->add_option("ID", a->id, "official id")->required();
    dis->callback([&opts, a] {
        auto cfg = load_config(source_for(opts));
        auto db = open_db(cfg);
        if (!storage::disable_official(*db, a->id)) throw command_error("no official \"" + a->id + "\"");
        std::cout << "disabled " << a->id << "\n";
    });
}

struct remind_args {
    bool dry_run = false;
    bool json = false;
    std::string at;
};

void register_remind(CLI::App& app, cli_options& opts) {
    auto a = std::make_shared<remind_args>();
    auto* rm = app.add_subcommand("remind", "Run one reminder scan now (or at --at); --dry-run shows it without sending");
    rm->add_flag("--dry-run", a->dry_run, "show what would be sent, send nothing");
    rm->add_option("--at", a->at, "local time \"YYYY-MM-DD HH:MM\" to plan for (default: now)");
    rm->add_flag("--json", a->json, "one JSON object per line");
    rm->callback([&opts, a] {
        auto cfg = load_config(source_for(opts));
        std::int64_t at = now_ms();
        if (!a->at.empty()) {
            auto t = parse_local_datetime(a->at, cfg.time.utc_offset_minutes);
            if (!t) throw CLI::ValidationError("--at", "expected \"YYYY-MM-DD HH:MM\" (local time)");
            at = *t;
        }
        auto texts = load_messages(cfg);
        auto cal = calendar_for(cfg);
        auto db = open_db(cfg);
        handlers::context ctx{*db, cfg, texts, nullptr, [at] { return at; }};
        auto rep = handlers::run_reminder_scan(ctx, *cal, a->dry_run);
        if (a->json) {
            // One object, also when nothing is due, so a script can always parse it.
            boost::json::object o;
            o["at"] = format_local_datetime(at, cfg.time.utc_offset_minutes);
            o["dry_run"] = a->dry_run;
            o["active"] = rep.active;
            o["reason"] = rep.reason;
            o["today"] = rep.today;
            boost::json::array items;
            std::int64_t undeliverable = 0;
            for (const auto& r : rep.items) {
                boost::json::object j;
                j["kind"] = r.kind;
                j["recipient"] = r.recipient;
                j["dossier"] = r.dossier.empty() ? boost::json::value(nullptr) : boost::json::value(r.dossier);
                j["channel"] = r.channel;
                if (r.status != storage::reminder_status::queued) {
                    j["status"] = std::string(storage::to_string(r.status));
                    j["reason"] = r.reason;
                    ++undeliverable;
                }
                items.push_back(std::move(j));
            }
            o["reminders"] = std::move(items);
            std::int64_t queued = 0;
            for (const auto& [k, n] : rep.queued_by_kind) queued += n;
            o["queued"] = queued;
            o["undeliverable"] = undeliverable;
            std::cout << boost::json::serialize(o) << "\n";
            return;
        }
        if (!rep.active) {
            std::cout << "nothing to send at " << format_local_datetime(at, cfg.time.utc_offset_minutes) << ": " << rep.reason << "\n";
            return;
        }
        for (const auto& r : rep.items) {
            std::cout << std::left << std::setw(11) << r.kind << " " << std::setw(16) << r.recipient << " " << std::setw(27)
                      << (r.dossier.empty() ? "-" : r.dossier) << " " << std::setw(9) << r.channel
                      << (r.status == storage::reminder_status::queued ? "" : "undeliverable: " + r.reason) << "\n";
        }
        if (!a->json) {
            int queued = 0;
            for (const auto& [k, n] : rep.queued_by_kind) queued += n;
            if (a->dry_run)
                std::cout << rep.items.size() << " reminder(s) would be sent (dry run; nothing sent)\n";
            else
                std::cout << queued << " reminder(s) queued; " << rep.items.size() - static_cast<std::size_t>(queued)
                          << " could not be delivered (see status)\n";
        }
    });
}

}  // namespace

void register_reminder_commands(CLI::App& app, cli_options& opts) {
    register_officials(app, opts);
    register_remind(app, opts);
}

}  // namespace bot::app

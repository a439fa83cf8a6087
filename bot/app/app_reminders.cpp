// Officials, dossiers, reminders: start-up hook of the running server.
#include "bot/app/app.hpp"

#include "bot/http/admin_api.hpp"
#include "bot/http/json_body.hpp"
#include "bot/core/calendar.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/metrics.hpp"
#include "bot/dossiers/reminder_admin.hpp"
#include "bot/core/worker.hpp"
#include "handlers/reminders.hpp"
#include "storage/official_repository.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

namespace bot::app {

namespace {

// The official with this id, refused (403) when the token does not serve their unit.
storage::official served_official(const api_request& r, SQLite::Database& db, const config& cfg) {
    auto o = storage::find_official(db, r.path_params.at(0));
    if (!o) throw std::out_of_range("no official \"" + r.path_params.at(0) + "\"");
    require_unit(r, cfg, o->unit_id, "official \"" + o->official_id + "\"");
    return *o;
}

void add_official_resources(services& s) {
    const auto& cfg = s.env.cfg;
    auto& env = s.env;
    const std::vector<api_role> ops = {api_role::operator_};
    // Each official with how a reminder reaches them now (Zalo window, ZNS, or unreachable and why).
    auto with_reach = [&cfg, &env](SQLite::Database& db, const storage::official& o, bool full_phone) {
        return official_json(o, full_phone, reachability_now(db, o, env.clock(), cfg), cfg.time.utc_offset_minutes);
    };
    s.api.add_read("GET", "/api/v1/officials", ops, [&cfg, with_reach](const api_request& r, SQLite::Database& db) {
        std::string out = "[";
        for (const auto& o : storage::list_officials(db, true))
            if (serves_unit(r, cfg, o.unit_id)) out += (out.size() > 1 ? "," : "") + with_reach(db, o, false);
        return json_response(out + "]");
    });
    s.api.add("POST", "/api/v1/officials", ops, true, [&cfg, &env](const api_request& r, SQLite::Database& db) {
        auto b = json_body::parse(r.http.body);
        storage::official o{b.string("id").value_or(""), b.string("name").value_or(""), b.string("unit").value_or(""),
                            b.string("role").value_or(""), b.string("phone").value_or(""), "", true, true, false, {}};
        // Units served besides the home unit (the console's staff model): each one the token's too.
        o.units = b.strings("units").value_or(std::vector<std::string>{});
        b.finish();
        if (!o.unit_id.empty()) require_known_unit(cfg, "unit", o.unit_id);
        for (std::size_t i = 0; i < o.units.size(); ++i) require_known_unit(cfg, "units[" + std::to_string(i) + "]", o.units[i]);
        if (o.role.empty()) o.role = "official";
        if (auto err = check_official(o, cfg, to_iso(local_date_of(env.clock(), cfg.time.utc_offset_minutes))); !err.empty()) {
            // The CLI's option names read oddly in an API error.
            if (err.rfind("--", 0) == 0) err = err.substr(2);
            throw std::invalid_argument(err);
        }
        require_unit(r, cfg, o.unit_id, "official \"" + o.official_id + "\"");
        for (const auto& u : o.units) require_unit(r, cfg, u, "official \"" + o.official_id + "\"");
        // A staff administrator serves every unit (bot::scope_of): only a token serving every unit
        // may make one, or a commune's token could make itself a way into every commune.
        if (o.role == "admin" && !serves_unit(r, cfg, ""))
            throw api_forbidden("an administrator (role \"admin\") serves every unit, so only a token serving every unit may "
                                "register one; the token \"" + r.actor + "\" does not");
        if (!storage::add_official(db, o, env.clock())) return json_error(409, "conflict", "official \"" + o.official_id + "\" already exists");
        return json_response(official_json(*storage::find_official(db, o.official_id)), 201);
    });
    s.api.add_read("GET", "/api/v1/officials/:id", ops, [&cfg, with_reach](const api_request& r, SQLite::Database& db) {
        return json_response(with_reach(db, served_official(r, db, cfg), true));
    });
    s.api.add("POST", "/api/v1/officials/:id/link-code", ops, true, [&cfg, &env](const api_request& r, SQLite::Database& db) {
        (void)served_official(r, db, cfg);
        auto c = issue_link_code(db, r.path_params.at(0), env.clock());
        if (!c) throw std::out_of_range("no enabled official \"" + r.path_params.at(0) + "\"");
        boost::json::object j{{"official", r.path_params.at(0)},
                              {"code", c->code},
                              {"expires_at", format_local_datetime(c->expires_at_ms, cfg.time.utc_offset_minutes)},
                              {"instruction", "DK " + c->code}};
        return json_response(boost::json::serialize(j), 201);
    });
    s.api.add("POST", "/api/v1/officials/:id/disable", ops, true, [&cfg](const api_request& r, SQLite::Database& db) {
        (void)served_official(r, db, cfg);
        if (!storage::disable_official(db, r.path_params.at(0))) throw std::out_of_range("no official \"" + r.path_params.at(0) + "\"");
        return json_response(official_json(*storage::find_official(db, r.path_params.at(0))));
    });
}

}  // namespace

void start_reminders(services& s) {
    auto& env = s.env;
    const auto& cfg = env.cfg;
    auto cal = calendar_for(cfg);  // fails start-up on a broken calendar, not the first scan
    for (int y : {2023, 2024, 2025, 2026, 2027})
        if (!cal->years().count(y)) spdlog::warn("working-day calendar has no file for {}", y);

    add_official_resources(s);

    s.stats.describe("cchcbot_reminders_sent_total", "counter", "Reminders queued for officials, by kind");
    s.stats.describe("cchcbot_reminders_undeliverable_total", "counter",
                     "Reminders recorded with no way to reach their recipient, by reason");
    s.stats.describe("cchcbot_officials_unreachable", "gauge",
                     "Officials with reminders on whom nothing reaches (not linked or outside Zalo's 7-day window, and no ZNS), by reason");
    // Reachability changes with time (a window closes) as well as with events: counted again
    // every minute on the worker, so /metrics never reads the database itself.
    auto count_unreachable = [&env, &stats = s.stats](SQLite::Database& db) {
        auto ctx = env.context(db);
        const auto counts = handlers::unreachable_officials(ctx);
        for (const char* reason : {"disabled", "not_linked_no_phone", "not_linked_no_template", "window_closed_no_phone",
                                   "window_closed_no_template"}) {
            const auto it = counts.find(reason);
            stats.set("cchcbot_officials_unreachable", {{"reason", reason}}, it == counts.end() ? 0.0 : static_cast<double>(it->second));
        }
    };
    s.work.run_sync(count_unreachable);
    s.work.every(std::chrono::minutes(1), count_unreachable);

    if (cfg.demo) {
        s.work.run_sync([&env](SQLite::Database& db) { spdlog::info("{}", seed_demo(db, env.cfg, env.clock())); });
    }

    auto& stats = s.stats;
    auto notify = s.notify_outbox;
    s.work.every(std::chrono::duration_cast<std::chrono::milliseconds>(cfg.reminders.interval),
                 [&env, &stats, notify, cal](SQLite::Database& db) {
                     auto ctx = env.context(db);
                     auto rep = handlers::run_reminder_scan(ctx, *cal, false);
                     if (!rep.active) return;
                     int queued = 0;
                     for (const auto& [kind, n] : rep.queued_by_kind) {
                         stats.inc("cchcbot_reminders_sent_total", {{"kind", kind}}, n);
                         queued += n;
                     }
                     const auto undeliverable = static_cast<int>(rep.items.size()) - queued;
                     for (const auto& r : rep.items)
                         if (r.channel == "none") stats.inc("cchcbot_reminders_undeliverable_total", {{"reason", r.reason}});
                     if (queued > 0) {
                         spdlog::info("reminder scan {}: {} queued, {} undeliverable", rep.today, queued, undeliverable);
                         if (notify) notify();
                     }
                 });
}

}  // namespace bot::app

// Broadcasts: start-up hook of the running server (admin API resources and the sending job).
#include "bot/app/app.hpp"

#include "bot/http/admin_api.hpp"
#include "bot/core/metrics.hpp"
#include "bot/core/worker.hpp"
#include "handlers/broadcasts.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

namespace bot::app {

namespace {

// How often the worker looks for due broadcasts and quota windows.
constexpr std::chrono::milliseconds broadcast_job_interval{5000};

std::int64_t id_param(const api_request& r) {
    const std::string& s = r.path_params.at(0);
    std::size_t used = 0;
    long long id = 0;
    try {
        id = std::stoll(s, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != s.size() || id <= 0) throw std::out_of_range("no such broadcast: " + s);
    return id;
}

// Why the token may not reach this audience (nullopt when it may): it must serve every unit the
// broadcast reaches, in whole or through one of its villages; no unit means every follower,
// which needs a token serving every unit.
std::optional<std::string> audience_refusal(const api_request& r, const config& cfg, const std::vector<std::string>& units,
                                            const std::string& what) {
    if (units.empty()) {
        if (serves_unit(r, cfg, "")) return std::nullopt;
        return what + " goes to every follower, but the token \"" + r.actor + "\" does not serve every unit";
    }
    for (const auto& u : units)
        if (!serves_unit(r, cfg, u)) return what + " reaches unit \"" + u + "\", which the token \"" + r.actor + "\" does not serve";
    return std::nullopt;
}

// The units a stored broadcast reaches (empty: every follower). Stored with places, "units" is
// every unit reached; stored before, units and villages were a union and a village name reached
// every unit having it.
std::vector<std::string> units_reached(const config& cfg, const std::string& target_json) {
    std::vector<std::string> units, villages;
    const auto target = boost::json::parse(target_json);
    const auto* o = target.if_object();
    if (!o) return units;
    if (const auto* a = o->if_contains("units"); a && a->is_array())
        for (const auto& x : a->as_array()) units.emplace_back(x.as_string());
    if (o->contains("places")) return units;
    if (const auto* a = o->if_contains("villages"); a && a->is_array())
        for (const auto& x : a->as_array()) villages.emplace_back(x.as_string());
    for (const auto& v : villages)
        for (const auto& u : cfg.units)
            if (std::find(u.villages.begin(), u.villages.end(), v) != u.villages.end()) units.push_back(u.id);
    return units;
}

std::optional<std::string> status_refusal(const api_request& r, const config& cfg, const handlers::broadcast_status& st) {
    return audience_refusal(r, cfg, units_reached(cfg, st.target_json), "broadcast " + std::to_string(st.id));
}

void refuse_if(const std::optional<std::string>& why) {
    if (why) throw api_forbidden(*why);
}

}  // namespace

void start_broadcasts(services& s) {
    services* sv = &s;
    s.stats.describe("cchcbot_broadcast_messages_total", "counter", "Broadcast messages put into the outbox");
    s.stats.describe("cchcbot_broadcasts_total", "counter", "Broadcasts by event (created, started, done, cancelled)");

    const std::vector<api_role> roles = {api_role::propaganda};
    s.api.add("POST", "/api/v1/broadcasts", roles, true, [sv](const api_request& r, SQLite::Database& db) {
        auto ctx = sv->env.context(db);
        bool dry_run = false;
        auto req = handlers::broadcast_request_from_json(r.http.body, &dry_run);
        req.created_by = r.actor;
        // The audience as it will be sent (unit ids, villages resolved), checked against the token's units.
        const auto plan = handlers::validate_broadcast(ctx, req);
        refuse_if(audience_refusal(r, sv->env.cfg, plan.units, "this broadcast"));
        if (dry_run) return json_response(handlers::to_json(ctx, handlers::preview_broadcast(ctx, req)));
        auto made = handlers::create_broadcast(ctx, req);
        sv->stats.inc("cchcbot_broadcasts_total", {{"event", "created"}});
        auto st = handlers::get_broadcast_status(ctx, made.id);
        return json_response(handlers::to_json(ctx, *st), 201);
    });
    s.api.add_read("GET", "/api/v1/broadcasts", roles, [sv](const api_request& r, SQLite::Database& db) {
        auto ctx = sv->env.context(db);
        std::string body = "{\"broadcasts\":[";
        bool first = true;
        for (const auto& st : handlers::list_broadcast_statuses(ctx)) {
            if (status_refusal(r, sv->env.cfg, st)) continue;  // another unit's broadcast: not listed
            body += (first ? "" : ",") + handlers::to_json(ctx, st);
            first = false;
        }
        return json_response(body + "]}");
    });
    s.api.add_read("GET", "/api/v1/broadcasts/:id", roles, [sv](const api_request& r, SQLite::Database& db) {
        auto ctx = sv->env.context(db);
        auto id = id_param(r);
        auto st = handlers::get_broadcast_status(ctx, id);
        if (!st) throw std::out_of_range("no such broadcast: " + std::to_string(id));
        refuse_if(status_refusal(r, sv->env.cfg, *st));
        return json_response(handlers::to_json(ctx, *st));
    });
    s.api.add("POST", "/api/v1/broadcasts/:id/cancel", roles, true, [sv](const api_request& r, SQLite::Database& db) {
        auto ctx = sv->env.context(db);
        auto id = id_param(r);
        if (auto st = handlers::get_broadcast_status(ctx, id)) refuse_if(status_refusal(r, sv->env.cfg, *st));
        std::int64_t stopped = 0;
        switch (handlers::cancel_broadcast(ctx, id, &stopped)) {
        case handlers::cancel_result::not_found: throw std::out_of_range("no such broadcast: " + std::to_string(id));
        case handlers::cancel_result::already_finished:
            return json_error(409, "conflict", "broadcast " + std::to_string(id) + " has already finished");
        case handlers::cancel_result::cancelled: break;
        }
        sv->stats.inc("cchcbot_broadcasts_total", {{"event", "cancelled"}});
        auto st = handlers::get_broadcast_status(ctx, id);
        return json_response(handlers::to_json(ctx, *st));
    });

    // The sending job: due broadcasts into the outbox, then wake the sender.
    s.work.every(broadcast_job_interval, [sv](SQLite::Database& db) {
        auto ctx = sv->env.context(db);
        auto run = handlers::run_broadcasts(ctx);
        if (run.started) sv->stats.inc("cchcbot_broadcasts_total", {{"event", "started"}}, static_cast<double>(run.started));
        if (run.finished) sv->stats.inc("cchcbot_broadcasts_total", {{"event", "done"}}, static_cast<double>(run.finished));
        if (run.enqueued > 0) {
            sv->stats.inc("cchcbot_broadcast_messages_total", {}, static_cast<double>(run.enqueued));
            if (sv->notify_outbox) sv->notify_outbox();
        }
    });
}

}  // namespace bot::app

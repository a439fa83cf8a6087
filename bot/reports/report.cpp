// Computing the periodic report: SQL aggregates per (level, unit), checked against the configuration.
#include "bot/reports/report.hpp"

#include "bot/core/local_time.hpp"
#include "bot/core/personal_data.hpp"
#include "bot/core/official_accounts.hpp"
#include "bot/core/scope.hpp"
#include "bot/core/units.hpp"

#include <SQLiteCpp/Database.h>

#include <algorithm>
#include <future>
#include <map>
#include <set>

namespace bot {

void dossier_figures::add(const storage::dossier_counters& o) {
    c.received += o.received;
    c.online += o.online;
    c.carried_over += o.carried_over;
    c.resolved += o.resolved;
    c.early += o.early;
    c.on_time += o.on_time;
    c.late += o.late;
    c.pending_overdue += o.pending_overdue;
}

void dossier_figures::finish() {
    offline = c.received - c.online;
    total = c.received + c.carried_over;
    pending = total - c.resolved;
    online_rate.reset();
    on_time_rate.reset();
    if (c.received > 0) online_rate = 100.0 * static_cast<double>(c.online) / static_cast<double>(c.received);
    if (c.resolved > 0)
        on_time_rate = 100.0 * static_cast<double>(c.early + c.on_time) / static_cast<double>(c.resolved);
}

void validate(const report_request& req, const config& cfg) {
    auto from = parse_iso_date(req.from);
    if (!from) throw report_request_error("invalid --from date '" + req.from + "' (expected YYYY-MM-DD)");
    auto to = parse_iso_date(req.to);
    if (!to) throw report_request_error("invalid --to date '" + req.to + "' (expected YYYY-MM-DD)");
    if (*to < *from) throw report_request_error("--from " + req.from + " is after --to " + req.to);
    if (!req.today.empty() && !parse_iso_date(req.today))
        throw report_request_error("invalid report day '" + req.today + "' (expected YYYY-MM-DD)");
    // A report speaks of the units as they were at the end of its period.
    if (!req.unit.empty()) {
        if (!cfg.find_unit(req.unit)) throw report_request_error("unknown unit '" + req.unit + "'");
        // ... or a unit that ended during the period with nobody after it (it is reported as is).
        const unit_config* u = cfg.find_unit(req.unit);
        const bool dissolved_in_period = !u->valid_until.empty() && u->valid_until >= req.from && !unit_on(cfg, u->id, req.to);
        if (const std::string why = why_not_on(cfg, req.unit, req.to); !why.empty() && !dissolved_in_period)
            throw report_request_error(why + " (the report uses the units of " + req.to + ")");
    }
    if (!req.level.empty()) {
        const level_config* l = cfg.find_level(req.level);
        if (!l) throw report_request_error("unknown level '" + req.level + "'");
        if (!exists_on(*l, req.to)) throw report_request_error("level '" + req.level + "' did not exist on " + req.to);
    }
    if (!req.oa.empty()) {
        const auto oas = cfg.official_accounts();
        if (std::none_of(oas.begin(), oas.end(), [&](const oa_config& o) { return o.id == req.oa; }))
            throw report_request_error("unknown Official Account '" + req.oa + "'");
    }
}

namespace {

using proc_map = std::map<std::string, std::int64_t>;

std::vector<std::pair<std::string, std::int64_t>> most_first(const proc_map& m) {
    std::vector<std::pair<std::string, std::int64_t>> v(m.begin(), m.end());
    std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    return v;
}

void add_warning_item(report_warning& w, warning_item item, std::int64_t count) {
    w.count += count;
    if (static_cast<int>(w.items.size()) < report_warning_list_limit) w.items.push_back(std::move(item));
}

}  // namespace

report compute_report(SQLite::Database& db, const config& cfg, const report_request& req,
                      const std::string& parallel_path) {
    validate(req, cfg);
    report r;
    r.from = req.from;
    r.to = req.to;
    // Overdue as of the earlier of the period's end and today: with `to` in the future, a
    // dossier due next week is not overdue yet.
    const std::string today =
        req.today.empty() ? to_iso(local_date_of(now_ms(), cfg.time.utc_offset_minutes)) : req.today;
    r.as_of = std::min(req.to, today);
    r.unit = req.unit;
    r.level = req.unit.empty() ? req.level : std::string{};
    r.oa = req.oa;
    r.online_rate_target = cfg.report.online_rate_target;
    r.on_time_rate_target = cfg.report.on_time_rate_target;

    const int offset = cfg.time.utc_offset_minutes;
    storage::report_scope scope;
    scope.from = req.from;
    scope.to = req.to;
    scope.as_of = r.as_of;
    scope.from_ms = unix_ms_of(*parse_iso_date(req.from), 0, offset);
    scope.to_end_ms = unix_ms_of(civil_from_days(days_from_civil(*parse_iso_date(req.to)) + 1), 0, offset);

    // Units as of the period's end: a dossier of a commune merged before then counts for the
    // commune that took it over. The skeleton holds the units that exist on that day, and those
    // that ended during the period with nobody after them.
    unit_resolver as_of(cfg, req.to);
    auto in_skeleton = [&](const unit_config& u) {
        if (exists_on(u, req.to)) return true;
        const bool ended_in_period = !u.valid_until.empty() && u.valid_until >= req.from && u.valid_until < req.to;
        return ended_in_period && !as_of.on(u.id);
    };
    // The unit a stored unit id counts for in this report.
    auto counted_as = [&](const std::string& id) -> const unit_config* {
        if (const unit_config* now = as_of.on(id)) return now;
        const unit_config* u = cfg.find_unit(id);
        return u && in_skeleton(*u) ? u : nullptr;
    };
    auto add_with_predecessors = [&](const std::string& id) {
        for (const auto& u : cfg.units)
            if (const unit_config* c = counted_as(u.id); c && c->id == id) scope.units.push_back(u.id);
    };
    // One OA: its own rows ('' too when it is the default), and the dossiers of the units it serves.
    const auto oas = cfg.official_accounts();
    const oa_config* only_oa = nullptr;
    for (const auto& o : oas)
        if (o.id == req.oa) only_oa = &o;
    if (only_oa) {
        scope.oas = {only_oa->id};
        if (only_oa->is_default) scope.oas.push_back("");
    }
    // The units an OA serves (and what they cover: the communes its commune replaced).
    const bool oa_units = only_oa && !only_oa->units.empty() && req.unit.empty() && req.level.empty();
    const unit_scope served = oa_units ? unit_scope::of(only_oa->units) : unit_scope::everything();
    if (!req.unit.empty()) {
        add_with_predecessors(req.unit);
        if (scope.units.empty()) scope.units.push_back(req.unit);
    } else if (oa_units) {
        for (const auto& u : cfg.units)
            if (served.covers(cfg, u.id)) scope.units.push_back(u.id);
    } else if (!req.level.empty()) {
        for (const auto& u : cfg.units)
            if (u.level == req.level && in_skeleton(u)) add_with_predecessors(u.id);
        // A level without units matches nothing rather than everything.
        if (scope.units.empty()) scope.units.push_back(std::string(1, '\x1f'));
    }

    // The skeleton of the result: levels and units in configuration order.
    const unit_config* only_unit = req.unit.empty() ? nullptr : cfg.find_unit(req.unit);
    for (const auto& l : cfg.levels) {
        if (only_unit && l.id != only_unit->level) continue;
        if (!only_unit && !req.level.empty() && l.id != req.level) continue;
        level_report lr{l.id, l.label, {}, {}};
        for (const auto& u : cfg.units) {
            if (u.level != l.id || !in_skeleton(u)) continue;
            if (only_unit && u.id != only_unit->id) continue;
            if (!served.covers(cfg, u.id)) continue;
            lr.units.push_back({u.id, unit_name_on(u, req.to), {}});
        }
        // A level of another period (no unit then), or above an OA's units, stays out of the report.
        if (lr.units.empty() && !only_unit && req.level.empty()) continue;
        r.levels.push_back(std::move(lr));
    }
    auto find_unit = [&r](const std::string& level, const std::string& unit) -> std::pair<level_report*, unit_report*> {
        for (auto& l : r.levels) {
            if (l.level != level) continue;
            for (auto& u : l.units)
                if (u.unit == unit) return {&l, &u};
        }
        return {nullptr, nullptr};
    };

    // Conversations and broadcasts of one OA are its own rows, whatever unit the citizen chose
    // (or none yet): the OA's units narrow only the dossiers and reminders.
    storage::report_scope talk = scope;
    if (oa_units) talk.units.clear();

    // The conversation pass reads the interaction log, the dossier scan the dossiers: on their own
    // connections they run side by side (WAL readers do not block each other or the writer).
    std::future<storage::conversation_figures> conversations;
    if (!parallel_path.empty() && parallel_path != ":memory:") {
        conversations = std::async(std::launch::async, [parallel_path, talk] {
            SQLite::Database reader(parallel_path, SQLite::OPEN_READONLY);
            reader.setBusyTimeout(5000);
            return storage::conversation_stats(reader, talk, report_top_n);
        });
    }
    const storage::dossier_scan scan = storage::scan_dossiers(db, scope, report_warning_list_limit);

    // 1. Dossiers whose dates cannot be right: listed, never counted.
    for (const char* kind : {"returned_before_received", "due_before_received", "bad_date"}) {
        report_warning w{kind, 0, {}};
        for (const auto& [k, n] : scan.suspect_counts)
            if (k == kind) w.count = n;
        if (w.count == 0) continue;
        for (const auto& s : scan.suspects)
            if (s.kind == kind) w.items.push_back({s.code, s.level, s.unit_id, s.received_on, s.due_on, s.returned_on});
        r.excluded_dossiers += w.count;
        r.warnings.push_back(std::move(w));
    }

    // 2. Codes that are the same dossier written twice: all left out, since either may be wrong.
    if (scan.duplicate_dossiers > 0) {
        report_warning dup{"duplicate_code", scan.duplicate_dossiers, {}};
        for (const auto& g : scan.duplicates) {
            std::string codes, unit_list;
            for (const auto& c : g.codes) codes += (codes.empty() ? "" : ", ") + c;
            for (const auto& u : std::set<std::string>(g.units.begin(), g.units.end()))
                unit_list += (unit_list.empty() ? "" : ", ") + u;
            dup.items.push_back({codes, "", unit_list, "", "", ""});
        }
        r.excluded_dossiers += dup.count;
        r.warnings.push_back(std::move(dup));
    }

    // 3. The counters per (level, unit, procedure); groups outside the configuration are warned about.
    report_warning unknown{"unknown_unit", 0, {}};
    std::map<std::pair<std::string, std::string>, std::int64_t> unknown_groups;
    std::map<const void*, proc_map> late_by, overdue_by;
    proc_map late_all, overdue_all;
    for (const auto& g : scan.groups) {
        // The dossier's own unit must be of the level it was filed at; it then counts for the unit
        // (and level) that unit is at the period's end.
        const unit_config* own = cfg.find_unit(g.unit_id);
        const unit_config* uc = own && own->level == g.level ? counted_as(g.unit_id) : nullptr;
        auto [lr, ur] = uc ? find_unit(uc->level, uc->id) : std::pair<level_report*, unit_report*>{nullptr, nullptr};
        if (!lr || !ur) {
            unknown_groups[{g.level, g.unit_id}] += g.c.received + g.c.carried_over;
            continue;
        }
        ur->fig.add(g.c);
        lr->fig.add(g.c);
        r.totals.add(g.c);
        if (g.c.late > 0) {
            late_by[lr][g.procedure] += g.c.late;
            late_by[ur][g.procedure] += g.c.late;
            late_all[g.procedure] += g.c.late;
        }
        if (g.c.pending_overdue > 0) {
            overdue_by[lr][g.procedure] += g.c.pending_overdue;
            overdue_by[ur][g.procedure] += g.c.pending_overdue;
            overdue_all[g.procedure] += g.c.pending_overdue;
        }
    }
    for (const auto& [key, n] : unknown_groups) add_warning_item(unknown, {"", key.first, key.second, "", "", ""}, n);
    if (unknown.count > 0) {
        r.excluded_dossiers += unknown.count;
        r.warnings.push_back(std::move(unknown));
    }

    // 4. Late and pending-overdue dossiers by procedure, most first.
    for (auto& l : r.levels) {
        l.fig.late_by_procedure = most_first(late_by[&l]);
        l.fig.pending_overdue_by_procedure = most_first(overdue_by[&l]);
        for (auto& u : l.units) {
            u.fig.late_by_procedure = most_first(late_by[&u]);
            u.fig.pending_overdue_by_procedure = most_first(overdue_by[&u]);
        }
    }
    r.totals.late_by_procedure = most_first(late_all);
    r.totals.pending_overdue_by_procedure = most_first(overdue_all);

    for (auto& l : r.levels) {
        l.fig.finish();
        for (auto& u : l.units) u.fig.finish();
    }
    r.totals.finish();

    // 5. Conversations, reminders, broadcasts, dossier notices.
    r.conversations = conversations.valid() ? conversations.get() : storage::conversation_stats(db, talk, report_top_n);
    // Reports go to viewers and beyond: citizens' phone and ID numbers in their questions are masked
    // here, once, for every format.
    for (auto& q : r.conversations.top_unanswered) q.first = mask_personal_numbers(q.first);
    for (auto& rc : storage::reminder_stats(db, scope)) {
        // Reminders recorded for a unit that was merged since count for the one that took over.
        const unit_config* uc = counted_as(rc.unit_id);
        const std::string id = uc ? uc->id : rc.unit_id;
        rc.unit_id = id;
        auto it = std::find_if(r.reminders.begin(), r.reminders.end(), [&](const auto& x) { return x.unit == id; });
        if (it == r.reminders.end()) {
            r.reminders.push_back({id, uc ? unit_name_on(*uc, req.to) : id, rc});
        } else {
            it->counts.due_soon += rc.due_soon;
            it->counts.overdue += rc.overdue;
            it->counts.escalation += rc.escalation;
            it->counts.digest += rc.digest;
        }
        r.reminder_totals.due_soon += rc.due_soon;
        r.reminder_totals.overdue += rc.overdue;
        r.reminder_totals.escalation += rc.escalation;
        r.reminder_totals.digest += rc.digest;
    }
    r.reminded_then_resolved = storage::reminded_then_resolved_in_time(db, scope);
    r.broadcasts = storage::broadcast_stats(db, scope);
    r.dossier_notices = storage::dossier_notice_stats(db, scope);

    // 6. Per Official Account, when there are several or one was asked for (rows from before
    // there were several, and of OAs no longer configured, are the default OA's).
    if (oas.size() > 1 || only_oa) {
        const auto figures = storage::oa_stats(db, talk);
        for (const auto& o : oas) {
            if (only_oa && &o != only_oa) continue;
            oa_report rep{o.id, o.name.empty() ? o.id : o.name, {}};
            rep.fig.oa = o.id;
            for (const auto& f : figures) {
                if (oa_by_id(oas, f.oa).id != o.id) continue;
                rep.fig.questions += f.questions;
                rep.fig.citizens += f.citizens;
                rep.fig.answered += f.answered;
                rep.fig.clarified += f.clarified;
                rep.fig.fallbacks += f.fallbacks;
                // A broadcast that went out through rows of both ids is one broadcast.
                rep.fig.broadcasts = std::max(rep.fig.broadcasts, f.broadcasts);
                rep.fig.broadcast_messages += f.broadcast_messages;
                rep.fig.broadcast_sent += f.broadcast_sent;
                rep.fig.broadcast_received += f.broadcast_received;
                rep.fig.broadcast_seen += f.broadcast_seen;
                rep.fig.broadcast_failed += f.broadcast_failed;
            }
            r.by_oa.push_back(std::move(rep));
        }
        // One OA's report: its broadcasts are the messages that went through it.
        if (only_oa && r.by_oa.size() == 1) {
            const auto& f = r.by_oa.front().fig;
            r.broadcasts = {f.broadcasts, f.broadcast_messages, f.broadcast_sent, f.broadcast_received,
                            f.broadcast_seen, f.broadcast_failed};
        }
    }
    return r;
}

}  // namespace bot

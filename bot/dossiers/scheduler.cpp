// Reminder planning rules (SPEC "Officials and reminders").
#include "bot/dossiers/scheduler.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/units.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace bot {

namespace {

int kind_rank(const std::string& k) {
    if (k == "due_soon") return 0;
    if (k == "overdue") return 1;
    if (k == "escalation") return 2;
    return 3;
}

/// A reminder about one dossier, to one official.
planned_reminder dossier_reminder(const char* kind, const std::string& recipient, const storage::open_dossier& d,
                                  const std::string& unit_now, int working_days_late) {
    planned_reminder r;
    r.kind = kind;
    r.recipient = recipient;
    r.dossier = d.code;
    r.unit_id = unit_now;
    r.procedure = d.procedure;
    r.due_on = d.due_on;
    r.working_days_late = working_days_late;
    return r;
}

}  // namespace

std::string scan_horizon(std::int64_t now_ms, const work_calendar& cal, const config& cfg) {
    const local_date today = local_date_of(now_ms, cfg.time.utc_offset_minutes);
    // Today + N working days; when today is off, the count starts from the next working day,
    // which is never earlier than today + N.
    local_date h = cal.add_working_days(today, cfg.reminders.due_soon_days);
    if (h < today) h = today;
    return to_iso(h);
}

reminder_plan plan_reminders(const plan_input& in) {
    const config& cfg = *in.cfg;
    const work_calendar& cal = *in.calendar;
    reminder_plan plan;
    const local_date today = local_date_of(in.now_ms, cfg.time.utc_offset_minutes);
    plan.today = to_iso(today);
    if (!cal.is_working_day(today)) {
        std::string why = cal.day_off_name(today);
        plan.reason = plan.today + " is not a working day" + (why.empty() ? "" : " (" + why + ")");
        return plan;
    }
    if (!within_working_hours(cal, cfg, in.now_ms)) {
        plan.reason = "outside working hours " + cfg.reminders.work_start + "–" + cfg.reminders.work_end;
        return plan;
    }
    plan.active = true;

    const std::string horizon = scan_horizon(in.now_ms, cal, cfg);
    const std::string& today_iso = plan.today;

    // Units as of today: a dossier of a commune merged since counts for the commune that took
    // over its work, and that commune's leaders are the ones escalated to and sent digests.
    unit_resolver today_units(cfg, plan.today);
    std::unordered_map<std::string, const storage::official*> by_id;
    std::unordered_map<std::string, std::vector<const storage::official*>> leaders_of;
    for (const auto& o : *in.officials) {
        if (o.disabled) continue;
        by_id.emplace(o.official_id, &o);
        // A leader registered on a unit that no longer exists leads nothing today.
        const unit_config* u = cfg.find_unit(o.unit_id);
        if (o.role == "leader" && (!u || exists_on(*u, today_units.date()))) leaders_of[o.unit_id].push_back(&o);
    }
    auto wants = [](const storage::official* o) { return o && !o->disabled && o->reminders_enabled; };

    struct unit_tally {
        std::int64_t overdue = 0, due_soon = 0;
        std::vector<storage::open_dossier> oldest;
    };
    std::map<std::string, unit_tally> tally;

    // Working days late depend only on the due date: the list is sorted by due date, so one
    // computation per distinct date.
    std::string last_due;
    int last_late = 0;
    std::vector<planned_reminder> escalations;
    for (const auto& d : *in.dossiers) {
        if (d.due_on > horizon) continue;
        const std::string& unit_now = today_units.id_on(d.unit_id);
        auto& t = tally[unit_now];
        const auto off_it = d.official_id.empty() ? by_id.end() : by_id.find(d.official_id);
        const storage::official* assignee = off_it == by_id.end() ? nullptr : off_it->second;
        if (d.due_on >= today_iso) {
            ++t.due_soon;
            if (wants(assignee)) {
                plan.items.push_back(dossier_reminder("due_soon", assignee->official_id, d, unit_now, 0));
            }
            continue;
        }
        // Overdue: today is after the due date.
        if (d.due_on != last_due) {
            auto due = date_of(d.due_on);
            last_late = due ? cal.working_days_between(*due, today) : 0;
            last_due = d.due_on;
        }
        ++t.overdue;
        if (t.oldest.size() < digest_items) t.oldest.push_back(d);
        if (wants(assignee)) {
            plan.items.push_back(dossier_reminder("overdue", assignee->official_id, d, unit_now, last_late));
        }
        if (last_late >= static_cast<int>(cfg.reminders.escalate_after_days)) {
            auto lit = leaders_of.find(unit_now);
            if (lit == leaders_of.end()) continue;
            for (const auto* leader : lit->second) {
                if (!wants(leader)) continue;
                if (in.escalated && in.escalated->count({d.code, leader->official_id})) continue;
                auto r = dossier_reminder("escalation", leader->official_id, d, unit_now, last_late);
                r.assignee = d.official_id;
                escalations.push_back(std::move(r));
            }
        }
    }
    for (auto& e : escalations) plan.items.push_back(std::move(e));

    // Digests: one per leader whose unit has unresolved dossiers.
    std::map<std::string, std::int64_t> open;
    if (in.open_by_unit)
        for (const auto& [unit, n] : *in.open_by_unit) open[today_units.id_on(unit)] += n;
    std::vector<planned_reminder> digests;
    for (const auto& [unit, leaders] : leaders_of) {
        auto oit = open.find(unit);
        const std::int64_t n_open = oit == open.end() ? 0 : oit->second;
        if (n_open == 0) continue;
        const auto tit = tally.find(unit);
        for (const auto* leader : leaders) {
            if (!wants(leader)) continue;
            planned_reminder r;
            r.kind = "digest";
            r.recipient = leader->official_id;
            r.unit_id = unit;
            r.open = n_open;
            if (tit != tally.end()) {
                r.overdue = tit->second.overdue;
                r.due_soon = tit->second.due_soon;
                r.oldest_overdue = tit->second.oldest;
            }
            digests.push_back(std::move(r));
        }
    }
    std::sort(digests.begin(), digests.end(), [](const auto& a, const auto& b) { return a.recipient < b.recipient; });
    for (auto& d : digests) plan.items.push_back(std::move(d));

    // Kinds in a fixed order; inside a kind, dossiers keep their (due date, code) order.
    std::stable_sort(plan.items.begin(), plan.items.end(),
                     [](const auto& a, const auto& b) { return kind_rank(a.kind) < kind_rank(b.kind); });
    return plan;
}

channel_choice choose_channel(const storage::official& o, std::optional<std::int64_t> last_interaction_ms,
                              std::int64_t now_ms, const config& cfg) {
    const auto r = reachability_of(o, last_interaction_ms, now_ms, cfg);
    using storage::reminder_status;
    if (r.state == reach_state::window) return {"cs", reminder_status::queued, {}};
    if (r.state == reach_state::zns) return {"template", reminder_status::queued, {}};
    return {"none", o.phone.empty() ? reminder_status::no_zalo : reminder_status::no_template, r.reason};
}

}  // namespace bot

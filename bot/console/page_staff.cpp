// Cán bộ: the staff of the person's units with their Zalo link and whether the bot can reach them
// now (inside Zalo's 7-day window, by ZNS, or not at all), link codes and disabling.
#include "bot/console/pages.hpp"

#include "bot/core/local_time.hpp"
#include "bot/dossiers/reachability.hpp"
#include "bot/dossiers/reminder_admin.hpp"
#include "bot/dossiers/scheduler.hpp"
#include "storage/console_queries.hpp"
#include "storage/console_repository.hpp"

#include <algorithm>
#include <map>

namespace bot::console {

namespace {

bool visible(const page_ctx& c, const storage::official& o) {
    if (c.me.scope.all) return true;
    for (const auto& u : o.units.empty() ? std::vector<std::string>{o.unit_id} : o.units)
        if (c.covers(u)) return true;
    return false;
}

// Another person the signed-in staff member may give a link code to or disable: someone else,
// enabled, whose every unit they cover, and never an administrator unless they are one.
bool manageable(const page_ctx& c, const storage::official& o) {
    if (!may(c.me.role, staff_action::manage_staff) || o.official_id == c.me.who.official_id || o.disabled) return false;
    if (role_of(o) == staff_role::admin && c.me.role != staff_role::admin) return false;
    for (const auto& u : o.units.empty() ? std::vector<std::string>{o.unit_id} : o.units)
        if (!c.covers(u)) return false;
    return true;
}

boost::json::object staff_row(const page_ctx& c, const storage::official& o, std::optional<std::int64_t> last) {
    std::string units;
    for (const auto& u : o.units.empty() ? std::vector<std::string>{o.unit_id} : o.units) units += (units.empty() ? "" : ", ") + c.unit_name(u);
    // One judgement for the console, `officials list`, the API and the reminders (bot/dossiers/reachability).
    const auto r = reachability_of(o, last, c.now(), c.cfg());
    std::string reach, tag;
    switch (r.state) {
    case reach_state::window:
        reach = c.text("console_staff_reach_window", {{"until", local_time_text(c.cfg(), r.until_ms.value_or(c.now()))}});
        tag = "ok";
        break;
    case reach_state::zns:
        reach = c.text("console_staff_reach_zns");
        tag = "warn";
        break;
    case reach_state::unreachable:
        reach = c.text(r.reason == "disabled" ? std::string("console_staff_disabled") : "console_staff_reach_" + r.reason);
        tag = r.reason == "disabled" ? "plain" : "bad";
        break;
    }
    return boost::json::object{
        {"id", o.official_id},
        {"name", o.name},
        {"role", role_label(c.deps.texts, role_of(o))},
        {"units", units},
        {"linked", !o.zalo_user_id.empty()},
        {"phone", o.phone.empty() ? std::string{} : mask_phone(o.phone)},
        {"reach", reach},
        {"tag", tag},
        {"reminders", o.reminders_enabled},
        {"disabled", o.disabled},
        {"manage", manageable(c, o)},
    };
}

storage::official load_target(const page_ctx& c) {
    auto o = storage::find_official(c.db, c.params.at(0));
    if (!o || !visible(c, *o)) throw not_found(c.text("console_error_staff_not_found"));
    if (!manageable(c, *o)) throw forbidden(c.text("console_error_staff_scope", {{"name", o->name}}));
    return *o;
}

}  // namespace

http_response page_staff(page_ctx& c) {
    std::map<std::string, std::int64_t> last;
    for (const auto& [id, at] : storage::officials_last_interaction(c.db)) last[id] = at;
    boost::json::array rows;
    std::int64_t unreachable = 0;
    for (const auto& o : storage::list_officials(c.db, true)) {
        if (!visible(c, o)) continue;
        auto it = last.find(o.official_id);
        auto row = staff_row(c, o, it == last.end() ? std::nullopt : std::optional<std::int64_t>(it->second));
        // Reminders go to officials and leaders: the others' reachability is shown, not counted.
        const auto role = role_of(o);
        if (row.at("tag").as_string() == "bad" && (role == staff_role::official || role == staff_role::leader)) ++unreachable;
        rows.push_back(std::move(row));
    }
    boost::json::object m;
    m["section"] = "staff";
    m["count"] = number_text(static_cast<std::int64_t>(rows.size()));
    m["unreachable"] = unreachable > 0 ? number_text(unreachable) : std::string{};
    m["rows"] = std::move(rows);
    return c.render("staff", std::move(m));
}

http_response post_staff_link_code(page_ctx& c) {
    const auto o = load_target(c);
    auto code = issue_link_code(c.db, o.official_id, c.now());
    if (!code) throw not_found(c.text("console_error_staff_not_found"));
    c.audit_action = "official link code";
    c.audit_target = o.official_id;
    boost::json::object m;
    m["section"] = "staff";
    m["title"] = c.text("console_title_link_code");
    m["name"] = o.name;
    m["code"] = code->code;
    m["expires"] = local_time_text(c.cfg(), code->expires_at_ms);
    return c.render("link_code", std::move(m));
}

http_response post_staff_disable(page_ctx& c) {
    const auto o = load_target(c);
    storage::disable_official(c.db, o.official_id);
    const int ended = storage::end_console_sessions_of(c.db, o.official_id, c.now());
    c.audit_action = "official disable";
    c.audit_target = o.official_id;
    c.audit_detail = std::to_string(ended) + " console session(s) ended";
    return page_ctx::redirect("/console/can-bo?tb=disabled");
}

}  // namespace bot::console

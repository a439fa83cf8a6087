// What every page shares: the page context's helpers, the layout's navigation, small formatters.
#include "bot/console/pages.hpp"

#include "bot/core/calendar.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/units.hpp"
#include "bot/core/messages.hpp"
#include "bot/http/admin_api.hpp"  // audit(), one audit log with the API
#include "bot/language/knowledge_base.hpp"
#include "handlers/handoff.hpp"

#include <cstdio>

namespace bot::console {

handlers::context page_ctx::handler_context() const {
    return handlers::context{db, deps.cfg, deps.texts, deps.kb ? deps.kb() : nullptr, deps.clock};
}

std::string page_ctx::query(const std::string& key) const {
    auto it = req.query.find(key);
    return it == req.query.end() ? std::string{} : it->second;
}

std::string page_ctx::field(const std::string& key) const { return form ? form->get(key) : std::string{}; }

std::string page_ctx::text(const std::string& key, const std::map<std::string, std::string>& vars) const {
    return deps.texts.render(key, vars);
}

bool page_ctx::covers(const std::string& unit_id) const { return me.scope.covers(deps.cfg, unit_id); }

void page_ctx::require_unit(const std::string& unit_id) const {
    if (!covers(unit_id)) throw forbidden(text("console_error_unit", {{"unit", unit_name(unit_id)}}));
}

void page_ctx::require(staff_action a) const {
    if (!may(me.role, a)) throw forbidden(text("console_error_role"));
}

std::vector<const unit_config*> page_ctx::units_in_scope(const std::string& on) const {
    std::vector<const unit_config*> out;
    for (const auto* u : units_on(deps.cfg, on.empty() ? today() : on))
        if (covers(u->id)) out.push_back(u);
    return out;
}

std::string page_ctx::today() const { return to_iso(local_date_of(now(), deps.cfg.reminders.utc_offset_minutes)); }

std::string page_ctx::unit_name(const std::string& unit_id) const {
    if (unit_id.empty()) return text("console_no_unit");
    const auto* u = deps.cfg.find_unit(unit_id);
    return u ? u->name : unit_id;
}

std::string page_ctx::case_unit(const std::string& unit_id) const {
    return handlers::handoff_unit_for(handler_context(), unit_id);
}

storage::unit_filter page_ctx::unit_filter() const {
    storage::unit_filter f;
    f.all = me.scope.all;
    for (const auto& u : deps.cfg.units)
        if (covers(u.id)) f.units.push_back(u.id);
    if (covers(case_unit(""))) f.units.emplace_back();
    return f;
}

std::int64_t answer_due_at(const config& cfg, std::int64_t opened_at_ms) {
    const int off = cfg.reminders.utc_offset_minutes;
    const int start = parse_hhmm(cfg.reminders.work_start).value_or(7 * 60 + 30);
    const int end = parse_hhmm(cfg.reminders.work_end).value_or(17 * 60);
    auto cal = calendar_for(cfg);
    const auto day = local_date_of(opened_at_ms, off);
    if (cal->is_working_day(day) && local_minute_of_day(opened_at_ms, off) < end) return unix_ms_of(day, end, off);
    const auto next = cal->add_working_days(civil_from_days(days_from_civil(day) + 1), 0);
    return unix_ms_of(next, std::max(start, std::min(end, 12 * 60)), off);
}

http_response page_ctx::redirect(const std::string& to) {
    http_response r;
    r.status = 303;
    r.content_type = "text/html; charset=utf-8";
    r.headers.emplace_back("Location", to);
    return r;
}

namespace {

struct nav_item {
    const char* href;
    const char* label_key;
    staff_action action;
    const char* section;
};

constexpr nav_item nav_items[] = {
    {"/console/", "console_nav_overview", staff_action::see_overview, "overview"},
    {"/console/hoi-thoai", "console_nav_inbox", staff_action::handle_handoffs, "inbox"},
    {"/console/ho-so", "console_nav_dossiers", staff_action::see_dossiers, "dossiers"},
    {"/console/tuyen-truyen", "console_nav_broadcasts", staff_action::see_broadcasts, "broadcasts"},
    {"/console/bao-cao", "console_nav_reports", staff_action::see_reports, "reports"},
    {"/console/cau-hoi", "console_nav_unanswered", staff_action::see_unanswered, "unanswered"},
    {"/console/can-bo", "console_nav_staff", staff_action::see_staff, "staff"},
};

}  // namespace

void page_ctx::audit_into(SQLite::Database& w) const {
    audit(w, "console:" + me.who.official_id, audit_action.empty() ? req.method + " " + req.path : audit_action, audit_target,
          audit_detail);
}

http_response page_ctx::render(const std::string& page, boost::json::object model, int status) const {
    const std::string section = model.contains("section") ? std::string(model.at("section").as_string()) : page;
    boost::json::array nav;
    for (const auto& n : nav_items) {
        if (!may(me.role, n.action)) continue;
        boost::json::object item{{"href", n.href}, {"label", text(n.label_key)}, {"current", section == n.section}};
        nav.push_back(std::move(item));
    }
    std::string units;
    if (me.scope.all) {
        units = text("console_all_units");
    } else {
        for (const auto& u : me.who.units) units += (units.empty() ? "" : ", ") + unit_name(u);
    }
    model["has_nav"] = !nav.empty();
    model["nav"] = std::move(nav);
    model["staff"] = boost::json::object{{"name", me.who.name},
                                         {"role_label", role_label(deps.texts, me.role)},
                                         {"units_label", units}};
    model["csrf"] = me.csrf;
    model["unit_word"] = text("console_word_unit");
    model["village_word"] = text("console_word_village");
    if (!model.contains("title")) model["title"] = text("console_nav_" + section);
    if (auto tb = query("tb"); !tb.empty()) {
        if (deps.texts.has("console_flash_" + tb)) model["flash"] = text("console_flash_" + tb, {{"n", query("n")}});
        if (deps.texts.has("console_warn_" + tb)) model["warn"] = text("console_warn_" + tb, {{"n", query("n")}});
    }
    http_response r;
    r.status = status;
    r.content_type = "text/html; charset=utf-8";
    r.body = views.page(page, model);
    return r;
}

std::string duration_text(std::int64_t ms) {
    if (ms < 0) ms = 0;
    const std::int64_t minutes = ms / 60000;
    const std::int64_t days = minutes / (24 * 60), hours = (minutes / 60) % 24, mins = minutes % 60;
    if (days > 0) return std::to_string(days) + " ngày" + (hours ? " " + std::to_string(hours) + " giờ" : "");
    if (hours > 0) return std::to_string(hours) + " giờ" + (mins ? " " + std::to_string(mins) + " phút" : "");
    return std::to_string(std::max<std::int64_t>(mins, minutes == 0 ? 0 : 1)) + " phút";
}

std::string local_time_text(const config& cfg, std::int64_t ms) {
    const int off = cfg.reminders.utc_offset_minutes;
    const int m = local_minute_of_day(ms, off);
    char hm[16];
    std::snprintf(hm, sizeof hm, "%02d:%02d", m / 60, m % 60);
    return std::string(hm) + " " + to_vn(local_date_of(ms, off));
}

std::string vn_date_text(const std::string& iso) {
    auto d = parse_iso_date(iso);
    return d ? to_vn(*d) : iso;
}

std::string number_text(std::int64_t n) {
    std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back('.');
        out.push_back(digits[i]);
    }
    return (n < 0 ? "-" : "") + out;
}

std::string role_label(const message_catalog& texts, staff_role r) {
    return texts.render("console_role_" + std::string(to_string(r)));
}

}  // namespace bot::console

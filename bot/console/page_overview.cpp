// Tổng quan: today and the last 30 days at a glance, within the staff member's units.
#include "bot/console/pages.hpp"

#include "bot/console/charts.hpp"
#include "bot/core/calendar.hpp"
#include "bot/core/local_time.hpp"
#include "bot/dossiers/scheduler.hpp"
#include "handlers/broadcasts.hpp"
#include "storage/console_queries.hpp"

#include <algorithm>

namespace bot::console {

namespace {

constexpr int overview_days = 30;

std::string percent_text(std::int64_t part, std::int64_t whole) {
    if (whole <= 0) return "–";
    const double p = 100.0 * static_cast<double>(part) / static_cast<double>(whole);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.0f%%", p);
    return buf;
}

}  // namespace

http_response page_overview(page_ctx& c) {
    const auto& cfg = c.cfg();
    const std::int64_t now = c.now();
    const int off = cfg.reminders.utc_offset_minutes;
    const auto today_d = local_date_of(now, off);
    const std::string today = to_iso(today_d);
    const std::string first = to_iso(civil_from_days(days_from_civil(today_d) - (overview_days - 1)));
    const auto cal = calendar_for(cfg);
    const std::string horizon = scan_horizon(now, *cal, cfg);
    boost::json::object m;
    m["section"] = "overview";
    m["today"] = to_vn(today_d);

    // Questions: today and the last 30 days, with the share the bot answered itself.
    const auto days = storage::questions_by_day(c.db, first, today, c.unit_filter());
    std::int64_t q30 = 0, a30 = 0, q_today = 0, a_today = 0;
    std::vector<chart_column> cols;
    boost::json::array day_rows;
    for (std::int64_t d = days_from_civil(today_d) - (overview_days - 1); d <= days_from_civil(today_d); ++d) {
        const std::string iso = to_iso(civil_from_days(d));
        auto it = std::find_if(days.begin(), days.end(), [&](const storage::day_questions& x) { return x.day == iso; });
        const std::int64_t q = it == days.end() ? 0 : it->questions, a = it == days.end() ? 0 : it->answered;
        q30 += q;
        a30 += a;
        if (iso == today) {
            q_today = q;
            a_today = a;
        }
        const std::string label = vn_date_text(iso).substr(0, 5);
        cols.push_back({c.text("console_chart_day", {{"day", label}, {"questions", std::to_string(q)}, {"answered", std::to_string(a)}}),
                        {static_cast<double>(a), static_cast<double>(q - a)}});
        if (q > 0) day_rows.push_back(boost::json::object{{"day", vn_date_text(iso)}, {"questions", number_text(q)},
                                                          {"answered", number_text(a)}, {"share", percent_text(a, q)}});
    }
    m["questions_today"] = number_text(q_today);
    m["answered_today"] = percent_text(a_today, q_today);
    m["questions_30"] = number_text(q30);
    m["answered_30"] = percent_text(a30, q30);
    m["chart_questions"] = column_chart(c.text("console_chart_questions_label", {{"questions", std::to_string(q30)},
                                                                                  {"share", percent_text(a30, q30)}}),
                                        cols, {"s-answered", "s-other"});
    m["chart_from"] = vn_date_text(first);
    m["chart_to"] = vn_date_text(today);
    m["day_rows"] = std::move(day_rows);

    // Open hand-offs and how long citizens have waited.
    std::int64_t open = 0, late = 0, longest = 0;
    if (may(c.me.role, staff_action::handle_handoffs) || may(c.me.role, staff_action::see_overview)) {
        for (const auto& h : storage::open_inbox(c.db)) {
            if (!c.covers(c.case_unit(h.unit_id))) continue;
            ++open;
            if (!h.first_answer_at) {
                longest = std::max(longest, now - h.opened_at);
                if (now > answer_due_at(cfg, h.opened_at)) ++late;
            }
        }
    }
    m["handoffs_open"] = number_text(open);
    m["handoffs_late"] = number_text(late);
    m["handoffs_longest"] = longest > 0 ? duration_text(longest) : std::string("–");
    m["handoffs_link"] = may(c.me.role, staff_action::handle_handoffs);

    // Dossiers by unit.
    std::int64_t overdue = 0, soon = 0, open_d = 0, max_open = 0;
    std::vector<storage::unit_dossier_counts> units;
    auto counted = storage::dossier_counts_by_unit(c.db, today, horizon);
    auto order = [&](const std::string& id) {
        for (std::size_t i = 0; i < cfg.units.size(); ++i)
            if (cfg.units[i].id == id) return i;
        return cfg.units.size();
    };
    std::stable_sort(counted.begin(), counted.end(), [&](const auto& a, const auto& b) { return order(a.unit_id) < order(b.unit_id); });
    for (auto& u : counted) {
        if (!c.covers(u.unit_id)) continue;
        overdue += u.overdue;
        soon += u.due_soon;
        open_d += u.open;
        max_open = std::max(max_open, u.open);
        units.push_back(u);
    }
    boost::json::array unit_rows;
    for (const auto& u : units) {
        const std::int64_t rest = u.open - u.overdue - u.due_soon;
        unit_rows.push_back(boost::json::object{
            {"unit", c.unit_name(u.unit_id)},
            {"unit_id", u.unit_id},
            {"open", number_text(u.open)},
            {"overdue", number_text(u.overdue)},
            {"due_soon", number_text(u.due_soon)},
            {"bar", stacked_bar(c.text("console_bar_dossiers", {{"overdue", std::to_string(u.overdue)},
                                                                 {"soon", std::to_string(u.due_soon)},
                                                                 {"open", std::to_string(u.open)}}),
                                {static_cast<double>(u.overdue), static_cast<double>(u.due_soon), static_cast<double>(rest)},
                                {"s-overdue", "s-soon", "s-open"}, static_cast<double>(max_open))}});
    }
    m["dossiers_overdue"] = number_text(overdue);
    m["dossiers_soon"] = number_text(soon);
    m["dossiers_open"] = number_text(open_d);
    m["unit_rows"] = std::move(unit_rows);
    m["has_units"] = !units.empty();
    m["dossiers_link"] = may(c.me.role, staff_action::see_dossiers);

    // Broadcasts in flight.
    auto hctx = c.handler_context();
    boost::json::array flying;
    for (const auto& b : handlers::list_broadcast_statuses(hctx)) {
        if (b.state == storage::broadcast_state::done || b.state == storage::broadcast_state::cancelled) continue;
        if (!broadcast_visible(c, b.target_json)) continue;
        flying.push_back(broadcast_summary(c, b));
    }
    m["broadcasts_flying"] = number_text(static_cast<std::int64_t>(flying.size()));
    m["broadcasts"] = std::move(flying);
    m["broadcasts_link"] = may(c.me.role, staff_action::see_broadcasts);
    return c.render("overview", std::move(m));
}

}  // namespace bot::console

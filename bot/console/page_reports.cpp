// Báo cáo: period and unit, the report's sentences, its tables and charts, XLSX and CSV downloads.
// The figures are those of `cchcbot report` (bot/reports), computed the same way.
#include "bot/console/pages.hpp"

#include "bot/console/charts.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/units.hpp"
#include "bot/http/https_client.hpp"
#include "bot/language/knowledge_base.hpp"
#include "bot/reports/report.hpp"
#include "bot/reports/report_format.hpp"

namespace bot::console {

namespace {

std::string rate_text(const std::optional<double>& r) { return r ? format_vn_percent(*r) : std::string("–"); }

// Every unit that exists on `date` covered: the report over all units is this person's to read.
bool covers_every_unit(const page_ctx& c, const std::string& date) {
    if (c.me.scope.all) return true;
    for (const auto* u : units_on(c.cfg(), date))
        if (!c.covers(u->id)) return false;
    return true;
}

struct period {
    std::string from, to, unit;
    std::string problem;  ///< why the period cannot be reported, for the person (Vietnamese)
};

// The request from the query, defaulting to the current half-year and, for someone who does not
// cover every unit, their first unit on the period's last day (a report uses the units of that
// day). Another unit typed into the address is refused; dates that are not dates, or a period
// that ends before it starts, are explained rather than passed on.
period read_period(const page_ctx& c) {
    const auto today = local_date_of(c.now(), c.cfg().reminders.utc_offset_minutes);
    period p;
    p.from = c.query("tu");
    p.to = c.query("den");
    p.unit = c.query("don_vi");
    if (p.from.empty()) p.from = to_iso(local_date{today.year, today.month <= 6 ? 1u : 7u, 1});
    if (p.to.empty()) p.to = to_iso(today);
    if (!p.unit.empty()) {
        if (!c.cfg().find_unit(p.unit)) throw not_found(c.text("console_error_not_found"));
        c.require_unit(p.unit);
    }
    if (!parse_iso_date(p.from) || !parse_iso_date(p.to)) {
        p.problem = c.text("console_report_bad_date");
    } else if (p.to < p.from) {
        p.problem = c.text("console_report_from_after_to", {{"from", vn_date_text(p.from)}, {"to", vn_date_text(p.to)}});
    } else if (!p.unit.empty() && !exists_on(*c.cfg().find_unit(p.unit), p.to)) {
        // A report speaks of the units of its last day (as bot/reports checks): a unit that no
        // longer exists then is reported only when it ended during the period with nobody after it.
        const auto* u = c.cfg().find_unit(p.unit);
        const bool dissolved_in_period = !u->valid_until.empty() && u->valid_until >= p.from && !unit_on(c.cfg(), u->id, p.to);
        if (!dissolved_in_period) {
            const auto* now = unit_on(c.cfg(), u->id, p.to);
            p.problem = now ? c.text("console_report_unit_merged", {{"unit", u->name}, {"to", vn_date_text(p.to)}, {"successor", unit_name_on(*now, p.to)}})
                            : c.text("console_report_unit_gone", {{"unit", u->name}, {"to", vn_date_text(p.to)}});
        }
    }
    if (p.problem.empty() && p.unit.empty() && !covers_every_unit(c, p.to)) {
        auto units = c.units_in_scope(p.to);
        if (units.empty()) throw forbidden(c.text("console_error_no_units"));
        p.unit = units.front()->id;
    }
    return p;
}

// The report's request: the same as `cchcbot report --from --to --unit`, overdue judged as of
// the console's today.
report_request request_of(const page_ctx& c, const period& p) {
    report_request rq;
    rq.from = p.from;
    rq.to = p.to;
    rq.unit = p.unit;
    rq.today = c.today();
    return rq;
}

// The report as `cchcbot report` computes it, with the knowledge base's topic titles; citizens'
// own words (the top unanswered questions) with phone and ID numbers masked for a role that does
// not handle their cases. @throws report_request_error
report report_for(const page_ctx& c, const period& p) {
    report r = compute_report(c.db, c.cfg(), request_of(c, p), c.cfg().storage.path);
    if (auto kb = c.deps.kb ? c.deps.kb() : nullptr)
        for (const auto& t : kb->topics()) r.topic_titles[t.id] = t.title;
    // (The report masks phone and ID numbers in its unanswered questions itself, for every reader.)
    return r;
}

boost::json::object figures_row(const std::string& name, const dossier_figures& f) {
    return boost::json::object{
        {"name", name},
        {"received", format_vn_number(f.c.received)},
        {"online", format_vn_number(f.c.online)},
        {"carried_over", format_vn_number(f.c.carried_over)},
        {"total", format_vn_number(f.total)},
        {"resolved", format_vn_number(f.c.resolved)},
        {"in_time", format_vn_number(f.c.early + f.c.on_time)},
        {"late", format_vn_number(f.c.late)},
        {"pending", format_vn_number(f.pending)},
        {"pending_overdue", format_vn_number(f.c.pending_overdue)},
        {"online_rate", rate_text(f.online_rate)},
        {"on_time_rate", rate_text(f.on_time_rate)},
    };
}

}  // namespace

http_response page_reports(page_ctx& c) {
    const period p = read_period(c);
    boost::json::object m;
    m["section"] = "reports";
    m["from"] = p.from;
    m["to"] = p.to;
    const std::string options_on = p.problem.empty() ? p.to : c.today();
    boost::json::array units;
    bool listed = p.unit.empty();
    for (const auto* u : c.units_in_scope(options_on)) {
        listed = listed || u->id == p.unit;
        units.push_back(boost::json::object{{"id", u->id}, {"name", unit_name_on(*u, options_on)}, {"selected", u->id == p.unit}});
    }
    // A unit of that period that has ended since (a report on 2023 for a commune since merged).
    if (!listed)
        if (const auto* u = c.cfg().find_unit(p.unit))
            units.push_back(boost::json::object{{"id", u->id}, {"name", u->name}, {"selected", true}});
    m["unit_options"] = std::move(units);
    m["can_all"] = covers_every_unit(c, options_on);
    m["all_selected"] = p.unit.empty();
    if (!p.problem.empty()) {
        m["problem"] = p.problem;
        return c.render("reports", std::move(m), 422);
    }

    report r;
    try {
        r = report_for(c, p);
    } catch (const report_request_error& e) {
        m["problem"] = c.text("console_report_bad_period", {{"reason", e.what()}});
        return c.render("reports", std::move(m), 422);
    }
    m["text"] = to_text(r, c.deps.texts);
    m["period"] = vn_date_text(p.from) + " – " + vn_date_text(p.to);
    m["scope"] = p.unit.empty() ? c.text("console_all_units") : c.unit_name(p.unit);

    boost::json::array levels;
    double max_resolved = 0;
    for (const auto& l : r.levels)
        for (const auto& u : l.units) max_resolved = std::max(max_resolved, static_cast<double>(u.fig.c.resolved + u.fig.pending));
    for (const auto& l : r.levels) {
        boost::json::array rows;
        for (const auto& u : l.units) {
            auto row = figures_row(u.name, u.fig);
            row["bar"] = stacked_bar(c.text("console_bar_report", {{"in_time", std::to_string(u.fig.c.early + u.fig.c.on_time)},
                                                                   {"late", std::to_string(u.fig.c.late)},
                                                                   {"pending", std::to_string(u.fig.pending)}}),
                                     {static_cast<double>(u.fig.c.early + u.fig.c.on_time), static_cast<double>(u.fig.c.late),
                                      static_cast<double>(u.fig.pending)},
                                     {"s-ontime", "s-late", "s-open"}, max_resolved);
            rows.push_back(std::move(row));
        }
        auto lv = figures_row(l.label, l.fig);
        lv["units"] = std::move(rows);
        levels.push_back(std::move(lv));
    }
    m["levels"] = std::move(levels);
    m["totals"] = figures_row(c.text("console_report_total"), r.totals);

    const auto& cv = r.conversations;
    m["conversations"] = boost::json::object{
        {"questions", format_vn_number(cv.questions)},
        {"citizens", format_vn_number(cv.citizens)},
        {"answered", format_vn_number(cv.answered)},
        {"clarified", format_vn_number(cv.clarified)},
        {"fallbacks", format_vn_number(cv.fallbacks)},
        {"handoffs", format_vn_number(cv.handoffs)},
        {"answered_rate", cv.questions > 0 ? format_vn_percent(100.0 * static_cast<double>(cv.answered) / static_cast<double>(cv.questions))
                                           : std::string("–")},
    };
    m["reminders"] = boost::json::object{{"due_soon", format_vn_number(r.reminder_totals.due_soon)},
                                         {"overdue", format_vn_number(r.reminder_totals.overdue)},
                                         {"escalation", format_vn_number(r.reminder_totals.escalation)},
                                         {"digest", format_vn_number(r.reminder_totals.digest)}};
    m["broadcasts"] = boost::json::object{{"count", format_vn_number(r.broadcasts.count)},
                                          {"recipients", format_vn_number(r.broadcasts.recipients)},
                                          {"received", format_vn_number(r.broadcasts.received)},
                                          {"seen", format_vn_number(r.broadcasts.seen)}};
    const std::string q = "tu=" + url_encode(p.from) + "&den=" + url_encode(p.to) + "&don_vi=" + url_encode(p.unit);
    m["xlsx_url"] = "/console/bao-cao/tai?" + q + "&dinh_dang=xlsx";
    m["csv_url"] = "/console/bao-cao/tai?" + q + "&dinh_dang=csv";
    return c.render("reports", std::move(m));
}

http_response page_report_download(page_ctx& c) {
    const period p = read_period(c);
    const std::string format = c.query("dinh_dang");
    if (format != "xlsx" && format != "csv") throw not_found(c.text("console_error_not_found"));
    if (!p.problem.empty()) throw not_found(p.problem);
    report r;
    try {
        r = report_for(c, p);
    } catch (const report_request_error& e) {
        throw not_found(c.text("console_report_bad_period", {{"reason", e.what()}}));
    }
    http_response res;
    const std::string name = "bao-cao-" + p.from + "-" + p.to + (p.unit.empty() ? "" : "-" + p.unit);
    if (format == "xlsx") {
        res.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        res.body = to_xlsx(r, c.deps.texts);
    } else {
        res.content_type = "text/csv; charset=utf-8";
        res.body = to_csv(r);
    }
    res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "." + format + "\"");
    return res;
}

}  // namespace bot::console

// Báo cáo: period and unit, the report's sentences, its tables and charts, XLSX and CSV downloads.
// The figures are those of `cchcbot report` (bot/reports), computed the same way.
#include "bot/console/pages.hpp"

#include "bot/console/charts.hpp"
#include "bot/core/local_time.hpp"
#include "bot/language/knowledge_base.hpp"
#include "bot/reports/report.hpp"
#include "bot/reports/report_format.hpp"

namespace bot::console {

namespace {

std::string rate_text(const std::optional<double>& r) { return r ? format_vn_percent(*r) : std::string("–"); }

// Every configured unit covered: the report over all units is this person's to read.
bool covers_every_unit(const page_ctx& c) { return c.me.scope.all || c.units_in_scope(true).size() == c.cfg().units.size(); }

struct period {
    std::string from, to, unit;
};

// The request from the query, defaulting to the current half-year and the person's first unit;
// another unit typed into the address is refused.
period read_period(const page_ctx& c) {
    const auto today = local_date_of(c.now(), c.cfg().reminders.utc_offset_minutes);
    period p;
    p.from = c.query("tu");
    p.to = c.query("den");
    p.unit = c.query("don_vi");
    if (p.from.empty()) p.from = to_iso(local_date{today.year, today.month <= 6 ? 1u : 7u, 1});
    if (p.to.empty()) p.to = to_iso(today);
    if (p.unit.empty() && !covers_every_unit(c)) {
        auto units = c.units_in_scope(true);
        if (units.empty()) throw forbidden(c.text("console_error_no_units"));
        p.unit = units.front()->id;
    }
    if (!p.unit.empty()) {
        if (!c.cfg().find_unit(p.unit)) throw not_found(c.text("console_error_not_found"));
        c.require_unit(p.unit);
    }
    return p;
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
    boost::json::array units;
    for (const auto* u : c.units_in_scope(true))
        units.push_back(boost::json::object{{"id", u->id}, {"name", u->name}, {"selected", u->id == p.unit}});
    m["unit_options"] = std::move(units);
    m["can_all"] = covers_every_unit(c);
    m["all_selected"] = p.unit.empty();

    report_request rq{p.from, p.to, p.unit, ""};
    report r;
    try {
        r = compute_report(c.db, c.cfg(), rq, c.cfg().storage.path);
    } catch (const report_request_error& e) {
        m["problem"] = c.text("console_report_bad_period", {{"reason", e.what()}});
        return c.render("reports", std::move(m), 422);
    }
    if (auto kb = c.deps.kb ? c.deps.kb() : nullptr)
        for (const auto& t : kb->topics()) r.topic_titles[t.id] = t.title;
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
    report_request rq{p.from, p.to, p.unit, ""};
    report r;
    try {
        r = compute_report(c.db, c.cfg(), rq, c.cfg().storage.path);
    } catch (const report_request_error& e) {
        throw not_found(c.text("console_report_bad_period", {{"reason", e.what()}}));
    }
    if (auto kb = c.deps.kb ? c.deps.kb() : nullptr)
        for (const auto& t : kb->topics()) r.topic_titles[t.id] = t.title;
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

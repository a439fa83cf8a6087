// The report as Vietnamese paragraphs, in the wording and number style of the district's own report.
#include "bot/reports/report_format.hpp"
#include "bot/reports/report_format_detail.hpp"

#include "bot/core/messages.hpp"

#include <cctype>
#include <functional>

namespace bot {

using namespace report_detail;

std::string level_sentence(const std::string& label, const dossier_figures& f, const message_catalog& texts) {
    return texts.render("report_level", {{"label", label},
                                         {"total", format_vn_number(f.total)},
                                         {"online", format_vn_number(f.c.online)},
                                         {"offline", format_vn_number(f.offline)},
                                         {"carried_over", format_vn_number(f.c.carried_over)},
                                         {"resolved", format_vn_number(f.c.resolved)},
                                         {"early", format_vn_number(f.c.early)},
                                         {"on_time", format_vn_number(f.c.on_time)},
                                         {"late", format_vn_number(f.c.late)},
                                         {"pending", format_vn_number(f.pending)}});
}

namespace {

constexpr std::size_t text_list_limit = 5;

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) out += sep;
        out += p;
    }
    return out;
}

std::string procedure_list(const std::vector<std::pair<std::string, std::int64_t>>& v, const message_catalog& t) {
    std::vector<std::string> parts;
    std::int64_t rest = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i < text_list_limit)
            parts.push_back(t.render("report_procedure_item",
                                     {{"procedure", v[i].first}, {"count", format_vn_number(v[i].second)}}));
        else
            rest += v[i].second;
    }
    if (rest > 0) parts.push_back(t.render("report_other_procedures", {{"count", format_vn_number(rest)}}));
    return join(parts, "; ");
}

std::string verdict(double rate, double target, const message_catalog& t) {
    const auto r = hundredths(rate), g = hundredths(target);
    return t.render(r > g ? "report_verdict_above" : r == g ? "report_verdict_met" : "report_verdict_below");
}

std::string duration_text(std::int64_t ms, const message_catalog& t) {
    if (ms < 60'000) {
        // Seconds with one decimal: "0,4 giây", "12 giây".
        const std::int64_t tenths = (ms + 50) / 100;
        std::string n = std::to_string(tenths / 10);
        if (tenths % 10 != 0) n += "," + std::to_string(tenths % 10);
        return t.render("report_seconds", {{"n", n}});
    }
    const std::int64_t minutes = (ms + 30'000) / 60'000;
    if (minutes < 60) return t.render("report_minutes", {{"n", std::to_string(minutes)}});
    return t.render("report_hours", {{"h", format_vn_number(minutes / 60)}, {"m", std::to_string(minutes % 60)}});
}

void level_paragraph(std::string& out, const std::string& label, const dossier_figures& f, const report& r,
                     const message_catalog& t) {
    out += level_sentence(label, f, t) + "\n";
    std::vector<std::string> parts;
    if (f.online_rate)
        parts.push_back(t.render("report_rate_online", {{"rate", format_vn_percent(*f.online_rate)},
                                                        {"verdict", verdict(*f.online_rate, r.online_rate_target, t)},
                                                        {"target", format_vn_percent(r.online_rate_target)}}));
    if (f.on_time_rate)
        parts.push_back(
            t.render("report_rate_on_time", {{"rate", format_vn_percent(*f.on_time_rate)},
                                             {"verdict", verdict(*f.on_time_rate, r.on_time_rate_target, t)},
                                             {"target", format_vn_percent(r.on_time_rate_target)}}));
    if (!parts.empty()) {
        std::string joined = join(parts, "; ");
        joined[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(joined[0])));
        out += t.render("report_rates", {{"label", label}, {"parts", joined}}) + "\n";
    }
    if (f.c.resolved > 0) {
        if (f.c.late > 0)
            out += t.render("report_late_procedures", {{"list", procedure_list(f.late_by_procedure, t)}}) + "\n";
        else
            out += t.render("report_no_late") + "\n";
    }
    if (f.c.pending_overdue > 0)
        out += t.render("report_pending_overdue", {{"count", format_vn_number(f.c.pending_overdue)},
                                                   {"list", procedure_list(f.pending_overdue_by_procedure, t)}}) +
               "\n";
}

std::string counted_list(const std::vector<std::pair<std::string, std::int64_t>>& v,
                         const std::function<std::string(const std::string&)>& name, const message_catalog& t) {
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < v.size() && i < text_list_limit; ++i)
        parts.push_back(
            t.render("report_count_item", {{"name", name(v[i].first)}, {"count", format_vn_number(v[i].second)}}));
    return join(parts, "; ");
}

}  // namespace

std::string to_text(const report& r, const message_catalog& t) {
    std::string out;
    std::string scope;
    if (!r.unit.empty()) {
        std::string name = r.unit;
        for (const auto& l : r.levels)
            for (const auto& u : l.units)
                if (u.unit == r.unit) name = u.name;
        scope = t.render("report_scope_unit", {{"name", name}});
    } else if (!r.level.empty() && !r.levels.empty()) {
        scope = t.render("report_scope_level", {{"label", r.levels.front().label}});
    }
    out += t.render("report_intro", {{"from", vn_date(r.from)}, {"to", vn_date(r.to)}, {"scope", scope}}) + "\n";
    out += t.render("report_as_of", {{"as_of", vn_date(r.as_of)}}) + "\n";
    for (const auto& l : r.levels) level_paragraph(out, l.label, l.fig, r, t);

    if (!r.warnings.empty()) {
        out += t.render("report_warnings_intro") + "\n";
        for (const auto& w : r.warnings) {
            std::vector<std::string> names;
            for (std::size_t i = 0; i < w.items.size() && i < text_list_limit; ++i) {
                const auto& it = w.items[i];
                names.push_back(it.code.empty() ? (it.level + "/" + it.unit) : it.code);
            }
            // Duplicates and unknown units are listed by group (codes of one dossier, a level/unit
            // pair); the others one dossier each, so "and N more" counts dossiers.
            const bool grouped = w.kind == "unknown_unit" || w.kind == "duplicate_code";
            std::string codes = join(names, grouped ? "; " : ", ");
            if (grouped && w.items.size() > names.size())
                codes +=
                    " " +
                    t.render("report_more_groups",
                             {{"count", format_vn_number(static_cast<std::int64_t>(w.items.size() - names.size()))}});
            const std::int64_t more = grouped ? 0 : w.count - static_cast<std::int64_t>(names.size());
            if (more > 0) codes += " " + t.render("report_more", {{"count", format_vn_number(more)}});
            out +=
                t.render("report_warning_" + w.kind, {{"count", format_vn_number(w.count)}, {"codes", codes}}) + "\n";
        }
    }
    out += "\n";

    const auto& c = r.conversations;
    if (c.questions == 0 && c.handoffs == 0) {
        out += t.render("report_conversations_none") + "\n";
    } else {
        std::string wait =
            c.median_handoff_answer_ms
                ? t.render("report_handoff_wait", {{"wait", duration_text(*c.median_handoff_answer_ms, t)}})
                : std::string{};
        std::string latency =
            c.median_reply_latency_ms
                ? t.render("report_reply_latency", {{"latency", duration_text(*c.median_reply_latency_ms, t)}})
                : std::string{};
        auto rate = percent_of(c.answered, c.questions);
        out += t.render("report_conversations", {{"questions", format_vn_number(c.questions)},
                                                 {"citizens", format_vn_number(c.citizens)},
                                                 {"answered", format_vn_number(c.answered)},
                                                 {"answered_rate", rate ? format_vn_percent(*rate) : "0,00%"},
                                                 {"clarified", format_vn_number(c.clarified)},
                                                 {"fallbacks", format_vn_number(c.fallbacks)},
                                                 {"handoffs", format_vn_number(c.handoffs)},
                                                 {"handoff_wait", wait},
                                                 {"latency", latency}});
        if (!c.top_topics.empty()) {
            auto title = [&r](const std::string& id) {
                auto it = r.topic_titles.find(id);
                return it == r.topic_titles.end() ? id : it->second;
            };
            out += " " + t.render("report_top_topics", {{"list", counted_list(c.top_topics, title, t)}});
        }
        if (!c.top_unanswered.empty()) {
            auto quoted = [](const std::string& s) { return "“" + s + "”"; };
            out += " " + t.render("report_top_unanswered", {{"list", counted_list(c.top_unanswered, quoted, t)}});
        }
        out += "\n";
    }

    const auto& rt = r.reminder_totals;
    if (rt.due_soon + rt.overdue + rt.escalation + rt.digest == 0)
        out += t.render("report_reminders_none") + "\n";
    else
        out += t.render("report_reminders", {{"due_soon", format_vn_number(rt.due_soon)},
                                             {"overdue", format_vn_number(rt.overdue)},
                                             {"escalation", format_vn_number(rt.escalation)},
                                             {"digest", format_vn_number(rt.digest)},
                                             {"resolved", format_vn_number(r.reminded_then_resolved)}}) +
               "\n";

    const auto& b = r.broadcasts;
    if (b.count == 0)
        out += t.render("report_broadcasts_none") + "\n";
    else
        out += t.render("report_broadcasts", {{"count", format_vn_number(b.count)},
                                              {"recipients", format_vn_number(b.recipients)},
                                              {"received", format_vn_number(b.received)},
                                              {"seen", format_vn_number(b.seen)},
                                              {"failed", format_vn_number(b.failed)}}) +
               "\n";

    const auto& dn = r.dossier_notices;
    if (dn.follows + dn.notices == 0)
        out += t.render("report_dossier_notices_none") + "\n";
    else
        out += t.render("report_dossier_notices", {{"follows", format_vn_number(dn.follows)},
                                                   {"notices", format_vn_number(dn.notices)},
                                                   {"zalo", format_vn_number(dn.zalo)},
                                                   {"zns", format_vn_number(dn.zns)},
                                                   {"undeliverable", format_vn_number(dn.undeliverable)},
                                                   {"result_ready", format_vn_number(dn.result_ready)},
                                                   {"apologies", format_vn_number(dn.apologies)}}) +
               "\n";
    if (!r.by_oa.empty()) out += t.render("report_oa_intro") + "\n";
    for (const auto& o : r.by_oa) {
        const auto& f = o.fig;
        out += t.render("report_oa", {{"name", o.name},
                                      {"questions", format_vn_number(f.questions)},
                                      {"citizens", format_vn_number(f.citizens)},
                                      {"answered", format_vn_number(f.answered)},
                                      {"broadcasts", format_vn_number(f.broadcasts)},
                                      {"recipients", format_vn_number(f.broadcast_messages)},
                                      {"seen", format_vn_number(f.broadcast_seen)}}) +
               "\n";
    }
    return out;
}

}  // namespace bot

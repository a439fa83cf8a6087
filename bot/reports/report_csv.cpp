// The report as CSV: one titled table per section.
#include "bot/reports/report_format.hpp"
#include "bot/reports/report_format_detail.hpp"

namespace bot {

using namespace report_detail;

namespace {

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

void csv_row(std::string& out, const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i) out += ',';
        out += csv_field(cells[i]);
    }
    out += "\r\n";
}

std::vector<std::string> csv_counters(const dossier_figures& f) {
    return {std::to_string(f.c.received),
            std::to_string(f.c.online),
            std::to_string(f.offline),
            std::to_string(f.c.carried_over),
            std::to_string(f.total),
            std::to_string(f.c.resolved),
            std::to_string(f.c.early),
            std::to_string(f.c.on_time),
            std::to_string(f.c.late),
            std::to_string(f.pending),
            std::to_string(f.c.pending_overdue),
            format_rate(f.online_rate, ""),
            format_rate(f.on_time_rate, "")};
}

}  // namespace

std::string to_csv(const report& r) {
    std::string out;
    auto section = [&out](const std::string& title, const std::vector<std::string>& header) {
        if (!out.empty()) out += "\r\n";
        csv_row(out, {title});
        csv_row(out, header);
    };
    section("dossiers " + r.from + " " + r.to,
            {"level", "label", "unit", "name", "received", "online", "offline", "carried_over", "total", "resolved",
             "early", "on_time", "late", "pending", "pending_overdue", "online_rate", "on_time_rate"});
    for (const auto& l : r.levels) {
        for (const auto& u : l.units) {
            std::vector<std::string> row{l.level, l.label, u.unit, u.name};
            for (auto& c : csv_counters(u.fig)) row.push_back(std::move(c));
            csv_row(out, row);
        }
        std::vector<std::string> row{l.level, l.label, "", ""};
        for (auto& c : csv_counters(l.fig)) row.push_back(std::move(c));
        csv_row(out, row);
    }
    {
        std::vector<std::string> row{"", "", "", ""};
        for (auto& c : csv_counters(r.totals)) row.push_back(std::move(c));
        csv_row(out, row);
    }
    section("notes", {"key", "value", "meaning"});
    csv_row(out, {"as_of", r.as_of,
                  "pending_overdue counts pending dossiers due before this day (the earlier of the period's end and "
                  "the report's day)"});

    auto procedures = [&](const char* title, bool late) {
        section(title, {"level", "unit", "procedure", "count"});
        for (const auto& l : r.levels) {
            for (const auto& u : l.units)
                for (const auto& [p, n] : late ? u.fig.late_by_procedure : u.fig.pending_overdue_by_procedure)
                    csv_row(out, {l.level, u.unit, p, std::to_string(n)});
        }
    };
    procedures("late_by_procedure", true);
    procedures("pending_overdue_by_procedure", false);

    const auto& c = r.conversations;
    section("conversations", {"metric", "value"});
    csv_row(out, {"questions", std::to_string(c.questions)});
    csv_row(out, {"citizens", std::to_string(c.citizens)});
    csv_row(out, {"answered", std::to_string(c.answered)});
    csv_row(out, {"answered_rate", format_rate(percent_of(c.answered, c.questions), "")});
    csv_row(out, {"clarified", std::to_string(c.clarified)});
    csv_row(out, {"fallbacks", std::to_string(c.fallbacks)});
    csv_row(out, {"handoffs", std::to_string(c.handoffs)});
    csv_row(out, {"handoffs_answered", std::to_string(c.handoffs_answered)});
    csv_row(out, {"median_handoff_answer_ms",
                  c.median_handoff_answer_ms ? std::to_string(*c.median_handoff_answer_ms) : ""});
    csv_row(out,
            {"median_reply_latency_ms", c.median_reply_latency_ms ? std::to_string(*c.median_reply_latency_ms) : ""});
    section("top_topics", {"topic", "title", "count"});
    for (const auto& [t, n] : c.top_topics) {
        auto it = r.topic_titles.find(t);
        csv_row(out, {t, it == r.topic_titles.end() ? t : it->second, std::to_string(n)});
    }
    section("top_unanswered", {"text", "count"});
    for (const auto& [t, n] : c.top_unanswered) csv_row(out, {t, std::to_string(n)});

    section("reminders", {"unit", "name", "due_soon", "overdue", "escalations", "digests"});
    for (const auto& u : r.reminders)
        csv_row(out, {u.unit, u.name, std::to_string(u.counts.due_soon), std::to_string(u.counts.overdue),
                      std::to_string(u.counts.escalation), std::to_string(u.counts.digest)});
    csv_row(out, {"", "", std::to_string(r.reminder_totals.due_soon), std::to_string(r.reminder_totals.overdue),
                  std::to_string(r.reminder_totals.escalation), std::to_string(r.reminder_totals.digest)});
    section("reminded_then_resolved", {"dossiers"});
    csv_row(out, {std::to_string(r.reminded_then_resolved)});

    const auto& b = r.broadcasts;
    section("broadcasts", {"count", "recipients", "sent", "received", "seen", "failed"});
    csv_row(out, {std::to_string(b.count), std::to_string(b.recipients), std::to_string(b.sent),
                  std::to_string(b.received), std::to_string(b.seen), std::to_string(b.failed)});

    const auto& dn = r.dossier_notices;
    section("dossier_notices", {"follows", "notices", "zalo", "zns", "undeliverable", "sent", "failed",
                                "result_ready", "apologies"});
    csv_row(out, {std::to_string(dn.follows), std::to_string(dn.notices), std::to_string(dn.zalo),
                  std::to_string(dn.zns), std::to_string(dn.undeliverable), std::to_string(dn.sent),
                  std::to_string(dn.failed), std::to_string(dn.result_ready), std::to_string(dn.apologies)});

    if (!r.by_oa.empty()) {
        section("by_oa", {"oa", "name", "questions", "citizens", "answered", "clarified", "fallbacks", "broadcasts",
                          "broadcast_messages", "broadcast_sent", "broadcast_received", "broadcast_seen",
                          "broadcast_failed"});
        for (const auto& o : r.by_oa) {
            const auto& f = o.fig;
            csv_row(out, {o.oa, o.name, std::to_string(f.questions), std::to_string(f.citizens),
                          std::to_string(f.answered), std::to_string(f.clarified), std::to_string(f.fallbacks),
                          std::to_string(f.broadcasts), std::to_string(f.broadcast_messages),
                          std::to_string(f.broadcast_sent), std::to_string(f.broadcast_received),
                          std::to_string(f.broadcast_seen), std::to_string(f.broadcast_failed)});
        }
    }

    section("warnings", {"kind", "count", "code", "level", "unit", "received_on", "due_on", "returned_on"});
    for (const auto& w : r.warnings) {
        if (w.items.empty()) csv_row(out, {w.kind, std::to_string(w.count), "", "", "", "", "", ""});
        for (const auto& it : w.items)
            csv_row(out, {w.kind, std::to_string(w.count), it.code, it.level, it.unit, it.received_on, it.due_on,
                          it.returned_on});
    }
    return out;
}

}  // namespace bot

// Report formats. The text follows the wording and number style of the district's own report.
#include "bot/reports/report_format.hpp"

#include "bot/core/local_time.hpp"
#include "bot/core/messages.hpp"

#include <xlsxwriter.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

namespace bot {

std::string format_vn_number(std::int64_t n) {
    const bool negative = n < 0;
    std::string digits = std::to_string(negative ? -n : n);
    std::string out;
    const std::size_t len = digits.size();
    for (std::size_t i = 0; i < len; ++i) {
        if (i > 0 && (len - i) % 3 == 0) out += '.';
        out += digits[i];
    }
    return negative ? "-" + out : out;
}

namespace {

// Rounded to hundredths as an integer, so 98.245 and friends round the same way everywhere.
std::int64_t hundredths(double percent) { return static_cast<std::int64_t>(std::llround(percent * 100.0)); }

std::string two_decimals(double percent, char sep) {
    const std::int64_t h = hundredths(percent);
    const std::int64_t whole = (h < 0 ? -h : h) / 100;
    const std::int64_t frac = (h < 0 ? -h : h) % 100;
    std::string out = (h < 0 ? "-" : "") + (sep == ',' ? format_vn_number(whole) : std::to_string(whole));
    out += sep;
    if (frac < 10) out += '0';
    out += std::to_string(frac);
    return out;
}

}  // namespace

std::string format_vn_percent(double percent) { return two_decimals(percent, ',') + "%"; }

std::string format_rate(std::optional<double> percent, const char* none) {
    if (!percent) return none;
    return two_decimals(*percent, '.');
}

namespace {

std::string vn_date(const std::string& iso) {
    auto d = parse_iso_date(iso);
    return d ? to_vn(*d) : iso;
}

// ---------------------------------------------------------------- JSON

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out + "\"";
}

// A minimal writer: Boost.JSON prints doubles in exponent form (9.825E1), and SPEC wants rates
// that read as percentages with two decimals.
class json_writer {
public:
    json_writer& open(char c) {
        sep();
        out_ += c;
        first_ = true;
        return *this;
    }
    json_writer& close(char c) {
        out_ += c;
        first_ = false;
        return *this;
    }
    json_writer& key(const std::string& k) {
        sep();
        out_ += json_string(k);
        out_ += ':';
        first_ = true;  // the value follows without a comma
        return *this;
    }
    json_writer& str(const std::string& v) { return raw(json_string(v)); }
    json_writer& num(std::int64_t v) { return raw(std::to_string(v)); }
    json_writer& rate(std::optional<double> v) { return raw(format_rate(v, "null")); }
    json_writer& opt(std::optional<std::int64_t> v) { return raw(v ? std::to_string(*v) : "null"); }
    json_writer& raw(const std::string& v) {
        sep();
        out_ += v;
        return *this;
    }
    [[nodiscard]] std::string take() { return std::move(out_); }

private:
    void sep() {
        if (!first_) out_ += ',';
        first_ = false;
    }
    std::string out_;
    bool first_ = true;
};

void json_procedures(json_writer& w, const std::vector<std::pair<std::string, std::int64_t>>& v) {
    w.open('[');
    for (const auto& [p, n] : v) {
        w.open('{');
        w.key("procedure").str(p);
        w.key("count").num(n);
        w.close('}');
    }
    w.close(']');
}

void json_counters(json_writer& w, const dossier_figures& f) {
    w.key("received").num(f.c.received);
    w.key("online").num(f.c.online);
    w.key("offline").num(f.offline);
    w.key("carried_over").num(f.c.carried_over);
    w.key("total").num(f.total);
    w.key("resolved").num(f.c.resolved);
    w.key("early").num(f.c.early);
    w.key("on_time").num(f.c.on_time);
    w.key("late").num(f.c.late);
    w.key("pending").num(f.pending);
    w.key("pending_overdue").num(f.c.pending_overdue);
    w.key("online_rate").rate(f.online_rate);
    w.key("on_time_rate").rate(f.on_time_rate);
    w.key("late_by_procedure");
    json_procedures(w, f.late_by_procedure);
    w.key("pending_overdue_by_procedure");
    json_procedures(w, f.pending_overdue_by_procedure);
}

std::optional<double> percent_of(std::int64_t part, std::int64_t whole) {
    if (whole <= 0) return std::nullopt;
    return 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

std::string to_json(const report& r) {
    json_writer w;
    w.open('{');
    w.key("period").open('{');
    w.key("from").str(r.from);
    w.key("to").str(r.to);
    w.key("as_of").str(r.as_of);  // pending_overdue: pending dossiers due before this day
    w.close('}');
    w.key("scope").open('{');
    w.key("unit").raw(r.unit.empty() ? "null" : json_string(r.unit));
    w.key("level").raw(r.level.empty() ? "null" : json_string(r.level));
    w.key("oa").raw(r.oa.empty() ? "null" : json_string(r.oa));
    w.close('}');

    w.key("dossiers").open('{');
    w.key("levels").open('[');
    for (const auto& l : r.levels) {
        w.open('{');
        w.key("level").str(l.level);
        w.key("label").str(l.label);
        json_counters(w, l.fig);
        w.key("units").open('[');
        for (const auto& u : l.units) {
            w.open('{');
            w.key("unit").str(u.unit);
            w.key("name").str(u.name);
            json_counters(w, u.fig);
            w.close('}');
        }
        w.close(']');
        w.close('}');
    }
    w.close(']');
    w.key("totals").open('{');
    json_counters(w, r.totals);
    w.close('}');
    w.key("targets").open('{');
    w.key("online_rate").raw(format_rate(r.online_rate_target, "null"));
    w.key("on_time_rate").raw(format_rate(r.on_time_rate_target, "null"));
    w.close('}');
    w.key("excluded").num(r.excluded_dossiers);
    w.close('}');

    const auto& c = r.conversations;
    w.key("conversations").open('{');
    w.key("questions").num(c.questions);
    w.key("citizens").num(c.citizens);
    w.key("answered").num(c.answered);
    w.key("answered_rate").rate(percent_of(c.answered, c.questions));
    w.key("clarified").num(c.clarified);
    w.key("fallbacks").num(c.fallbacks);
    w.key("handoffs").num(c.handoffs);
    w.key("handoffs_answered").num(c.handoffs_answered);
    w.key("median_handoff_answer_ms").opt(c.median_handoff_answer_ms);
    w.key("median_reply_latency_ms").opt(c.median_reply_latency_ms);
    w.key("top_topics").open('[');
    for (const auto& [t, n] : c.top_topics) {
        w.open('{');
        w.key("topic").str(t);
        auto it = r.topic_titles.find(t);
        w.key("title").str(it == r.topic_titles.end() ? t : it->second);
        w.key("count").num(n);
        w.close('}');
    }
    w.close(']');
    w.key("top_unanswered").open('[');
    for (const auto& [t, n] : c.top_unanswered) {
        w.open('{');
        w.key("text").str(t);
        w.key("count").num(n);
        w.close('}');
    }
    w.close(']');
    w.close('}');

    w.key("reminders").open('{');
    w.key("due_soon").num(r.reminder_totals.due_soon);
    w.key("overdue").num(r.reminder_totals.overdue);
    w.key("escalations").num(r.reminder_totals.escalation);
    w.key("digests").num(r.reminder_totals.digest);
    w.key("reminded_then_resolved").num(r.reminded_then_resolved);
    w.key("units").open('[');
    for (const auto& u : r.reminders) {
        w.open('{');
        w.key("unit").str(u.unit);
        w.key("name").str(u.name);
        w.key("due_soon").num(u.counts.due_soon);
        w.key("overdue").num(u.counts.overdue);
        w.key("escalations").num(u.counts.escalation);
        w.key("digests").num(u.counts.digest);
        w.close('}');
    }
    w.close(']');
    w.close('}');

    const auto& b = r.broadcasts;
    w.key("broadcasts").open('{');
    w.key("count").num(b.count);
    w.key("recipients").num(b.recipients);
    w.key("sent").num(b.sent);
    w.key("received").num(b.received);
    w.key("seen").num(b.seen);
    w.key("failed").num(b.failed);
    w.close('}');

    const auto& dn = r.dossier_notices;
    w.key("dossier_notices").open('{');
    w.key("follows").num(dn.follows);
    w.key("notices").num(dn.notices);
    w.key("zalo").num(dn.zalo);
    w.key("zns").num(dn.zns);
    w.key("undeliverable").num(dn.undeliverable);
    w.key("sent").num(dn.sent);
    w.key("failed").num(dn.failed);
    w.key("result_ready").num(dn.result_ready);
    w.key("apologies").num(dn.apologies);
    w.close('}');
    // Per Official Account (several OAs, or one asked for): conversations and broadcast messages.
    w.key("by_oa").open('[');
    for (const auto& o : r.by_oa) {
        const auto& f = o.fig;
        w.open('{');
        w.key("oa").str(o.oa);
        w.key("name").str(o.name);
        w.key("questions").num(f.questions);
        w.key("citizens").num(f.citizens);
        w.key("answered").num(f.answered);
        w.key("answered_rate").rate(percent_of(f.answered, f.questions));
        w.key("clarified").num(f.clarified);
        w.key("fallbacks").num(f.fallbacks);
        w.key("broadcasts").num(f.broadcasts);
        w.key("broadcast_messages").num(f.broadcast_messages);
        w.key("broadcast_sent").num(f.broadcast_sent);
        w.key("broadcast_received").num(f.broadcast_received);
        w.key("broadcast_seen").num(f.broadcast_seen);
        w.key("broadcast_failed").num(f.broadcast_failed);
        w.close('}');
    }
    w.close(']');

    w.key("warnings").open('[');
    for (const auto& wr : r.warnings) {
        w.open('{');
        w.key("kind").str(wr.kind);
        w.key("count").num(wr.count);
        w.key("dossiers").open('[');
        for (const auto& it : wr.items) {
            w.open('{');
            w.key("code").str(it.code);
            w.key("level").str(it.level);
            w.key("unit").str(it.unit);
            w.key("received_on").str(it.received_on);
            w.key("due_on").str(it.due_on);
            w.key("returned_on").str(it.returned_on);
            w.close('}');
        }
        w.close(']');
        w.close('}');
    }
    w.close(']');
    w.close('}');
    return w.take() + "\n";
}

// ---------------------------------------------------------------- CSV

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
    return {std::to_string(f.c.received), std::to_string(f.c.online),   std::to_string(f.offline),
            std::to_string(f.c.carried_over), std::to_string(f.total),  std::to_string(f.c.resolved),
            std::to_string(f.c.early),    std::to_string(f.c.on_time),  std::to_string(f.c.late),
            std::to_string(f.pending),    std::to_string(f.c.pending_overdue), format_rate(f.online_rate, ""),
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
    csv_row(out, {"as_of", r.as_of, "pending_overdue counts pending dossiers due before this day (the earlier of the period's end and the report's day)"});

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
    csv_row(out, {"median_reply_latency_ms",
                  c.median_reply_latency_ms ? std::to_string(*c.median_reply_latency_ms) : ""});
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
                          "broadcast_messages", "broadcast_sent", "broadcast_received", "broadcast_seen", "broadcast_failed"});
        for (const auto& o : r.by_oa) {
            const auto& f = o.fig;
            csv_row(out, {o.oa, o.name, std::to_string(f.questions), std::to_string(f.citizens), std::to_string(f.answered),
                          std::to_string(f.clarified), std::to_string(f.fallbacks), std::to_string(f.broadcasts),
                          std::to_string(f.broadcast_messages),
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

// ---------------------------------------------------------------- text

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
        parts.push_back(t.render("report_rate_on_time",
                                 {{"rate", format_vn_percent(*f.on_time_rate)},
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
        parts.push_back(t.render("report_count_item", {{"name", name(v[i].first)}, {"count", format_vn_number(v[i].second)}}));
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
                codes += " " + t.render("report_more_groups",
                                        {{"count", format_vn_number(static_cast<std::int64_t>(w.items.size() - names.size()))}});
            const std::int64_t more = grouped ? 0 : w.count - static_cast<std::int64_t>(names.size());
            if (more > 0) codes += " " + t.render("report_more", {{"count", format_vn_number(more)}});
            out += t.render("report_warning_" + w.kind, {{"count", format_vn_number(w.count)}, {"codes", codes}}) + "\n";
        }
    }
    out += "\n";

    const auto& c = r.conversations;
    if (c.questions == 0 && c.handoffs == 0) {
        out += t.render("report_conversations_none") + "\n";
    } else {
        std::string wait = c.median_handoff_answer_ms
                               ? t.render("report_handoff_wait", {{"wait", duration_text(*c.median_handoff_answer_ms, t)}})
                               : std::string{};
        std::string latency = c.median_reply_latency_ms
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

// ---------------------------------------------------------------- XLSX

namespace {

std::string roman(std::size_t n) {
    static const std::array<std::pair<int, const char*>, 9> table{
        {{100, "C"}, {90, "XC"}, {50, "L"}, {40, "XL"}, {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}}};
    std::string out;
    auto v = static_cast<int>(n);
    for (const auto& [value, s] : table)
        while (v >= value) {
            out += s;
            v -= value;
        }
    return out;
}

struct workbook_deleter {
    void operator()(lxw_workbook* wb) const {
        if (wb) workbook_close(wb);
    }
};

struct formats {
    lxw_format* title;
    lxw_format* subtitle;
    lxw_format* header;
    lxw_format* text;
    lxw_format* number;
    lxw_format* percent;
    lxw_format* center;
    lxw_format* bold_text;
    lxw_format* bold_number;
    lxw_format* bold_percent;
    lxw_format* bold_center;
};

lxw_format* make_format(lxw_workbook* wb, bool bold, bool border, const char* num_format, uint8_t align,
                        std::uint32_t bg = 0) {
    lxw_format* f = workbook_add_format(wb);
    format_set_font_name(f, "Times New Roman");
    format_set_font_size(f, 12);
    if (bold) format_set_bold(f);
    if (border) format_set_border(f, LXW_BORDER_THIN);
    if (num_format) format_set_num_format(f, num_format);
    if (align != LXW_ALIGN_NONE) format_set_align(f, align);
    format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
    if (bg) format_set_bg_color(f, bg);
    return f;
}

formats make_formats(lxw_workbook* wb) {
    formats f{};
    f.title = make_format(wb, true, false, nullptr, LXW_ALIGN_CENTER);
    format_set_font_size(f.title, 14);
    f.subtitle = make_format(wb, false, false, nullptr, LXW_ALIGN_CENTER);
    format_set_italic(f.subtitle);
    f.header = make_format(wb, true, true, nullptr, LXW_ALIGN_CENTER, 0xDDEBF7);
    format_set_text_wrap(f.header);
    f.text = make_format(wb, false, true, nullptr, LXW_ALIGN_LEFT);
    format_set_text_wrap(f.text);
    f.number = make_format(wb, false, true, "#,##0", LXW_ALIGN_NONE);
    f.percent = make_format(wb, false, true, "0.00%", LXW_ALIGN_NONE);
    f.center = make_format(wb, false, true, nullptr, LXW_ALIGN_CENTER);
    // Subtotal and total rows: bold on a light fill, as the annex sets them apart.
    f.bold_text = make_format(wb, true, true, nullptr, LXW_ALIGN_LEFT, 0xF2F2F2);
    f.bold_number = make_format(wb, true, true, "#,##0", LXW_ALIGN_NONE, 0xF2F2F2);
    f.bold_percent = make_format(wb, true, true, "0.00%", LXW_ALIGN_NONE, 0xF2F2F2);
    f.bold_center = make_format(wb, true, true, nullptr, LXW_ALIGN_CENTER, 0xF2F2F2);
    return f;
}

void write_rate(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, std::optional<double> rate, lxw_format* fmt) {
    if (rate)
        worksheet_write_number(ws, row, col, static_cast<double>(hundredths(*rate)) / 10000.0, fmt);
    else
        worksheet_write_blank(ws, row, col, fmt);
}

// One row of the result table: STT, name, then the counters as numbers and the rates as percentages.
void result_row(lxw_worksheet* ws, lxw_row_t row, const std::string& stt, const std::string& name,
                const dossier_figures& f, const formats& fm, bool bold) {
    worksheet_write_string(ws, row, 0, stt.c_str(), bold ? fm.bold_center : fm.center);
    worksheet_write_string(ws, row, 1, name.c_str(), bold ? fm.bold_text : fm.text);
    const std::array<std::int64_t, 10> values{f.total,      f.c.online,  f.offline, f.c.carried_over, f.c.resolved,
                                              f.c.early,    f.c.on_time, f.c.late,  f.pending,        f.c.pending_overdue};
    lxw_col_t col = 2;
    for (auto v : values) worksheet_write_number(ws, row, col++, static_cast<double>(v), bold ? fm.bold_number : fm.number);
    write_rate(ws, row, col++, f.online_rate, bold ? fm.bold_percent : fm.percent);
    write_rate(ws, row, col++, f.on_time_rate, bold ? fm.bold_percent : fm.percent);
}

// Every sheet prints on A4, one page wide.
lxw_worksheet* add_sheet(lxw_workbook* wb, const char* name, bool landscape) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, name);
    if (landscape) worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);  // A4
    worksheet_fit_to_pages(ws, 1, 0);
    return ws;
}

void header_cells(lxw_worksheet* ws, lxw_row_t row, const std::vector<std::string>& headers, const formats& fm) {
    for (std::size_t i = 0; i < headers.size(); ++i)
        worksheet_write_string(ws, row, static_cast<lxw_col_t>(i), headers[i].c_str(), fm.header);
}

/// A portrait sheet with a title and the period merged across its columns, and the header row at
/// row 3; data starts at row 4.
lxw_worksheet* titled_sheet(lxw_workbook* wb, const char* name, const char* title, const std::string& period,
                            const std::vector<std::string>& headers, const formats& fm) {
    lxw_worksheet* ws = add_sheet(wb, name, false);
    const auto last = static_cast<lxw_col_t>(headers.size() - 1);
    worksheet_merge_range(ws, 0, 0, 0, last, title, fm.title);
    worksheet_merge_range(ws, 1, 0, 1, last, period.c_str(), fm.subtitle);
    header_cells(ws, 3, headers, fm);
    return ws;
}

}  // namespace

void write_xlsx(const report& r, const message_catalog& texts, const std::string& path) {
    std::unique_ptr<lxw_workbook, workbook_deleter> owner(workbook_new(path.c_str()));
    lxw_workbook* wb = owner.get();
    if (!wb) throw std::runtime_error("cannot create workbook " + path);
    const formats fm = make_formats(wb);
    const std::string period = "Từ ngày " + vn_date(r.from) + " đến ngày " + vn_date(r.to);
    const std::string as_of = texts.render("report_as_of", {{"as_of", vn_date(r.as_of)}});

    // Sheet 1: the annex table, by level and unit.
    lxw_worksheet* ws = add_sheet(wb, "Kết quả giải quyết TTHC", true);
    worksheet_merge_range(ws, 0, 0, 0, 13, "BIỂU KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", fm.title);
    worksheet_merge_range(ws, 1, 0, 1, 13, ("(" + period + ")").c_str(), fm.subtitle);
    const lxw_row_t h1 = 3, h2 = 4;
    worksheet_merge_range(ws, h1, 0, h2, 0, "STT", fm.header);
    worksheet_merge_range(ws, h1, 1, h2, 1, "Cấp / Đơn vị", fm.header);
    worksheet_merge_range(ws, h1, 2, h1, 5, "Số hồ sơ tiếp nhận", fm.header);
    worksheet_merge_range(ws, h1, 6, h1, 9, "Số hồ sơ đã giải quyết", fm.header);
    worksheet_merge_range(ws, h1, 10, h1, 11, "Số hồ sơ đang giải quyết", fm.header);
    worksheet_merge_range(ws, h1, 12, h2, 12, "Tỷ lệ tiếp nhận trực tuyến", fm.header);
    worksheet_merge_range(ws, h1, 13, h2, 13, "Tỷ lệ giải quyết trước hạn, đúng hạn", fm.header);
    const std::array<const char*, 10> sub{"Tổng số",  "Trực tuyến", "Trực tiếp, BCCI", "Kỳ trước chuyển qua", "Tổng số",
                                          "Trước hạn", "Đúng hạn",  "Quá hạn",        "Tổng số",             "Quá hạn"};
    for (std::size_t i = 0; i < sub.size(); ++i)
        worksheet_write_string(ws, h2, static_cast<lxw_col_t>(2 + i), sub[i], fm.header);
    worksheet_set_row(ws, h1, 32, nullptr);
    worksheet_set_row(ws, h2, 48, nullptr);
    // Column numbers under the header, as in the annex: (1) (2) ...
    for (lxw_col_t c = 0; c <= 13; ++c)
        worksheet_write_string(ws, h2 + 1, c, ("(" + std::to_string(c + 1) + ")").c_str(), fm.subtitle);

    std::size_t name_width = 22;
    lxw_row_t row = h2 + 2;
    std::size_t level_no = 0;
    for (const auto& l : r.levels) {
        result_row(ws, row++, roman(++level_no), l.label, l.fig, fm, true);
        name_width = std::max(name_width, l.label.size());
        std::size_t unit_no = 0;
        for (const auto& u : l.units) {
            result_row(ws, row++, std::to_string(++unit_no), u.name, u.fig, fm, false);
            // UTF-8 Vietnamese runs about 1.3 bytes a letter.
            name_width = std::max(name_width, u.name.size() * 10 / 13 + 2);
        }
    }
    result_row(ws, row++, "", "Tổng cộng", r.totals, fm, true);
    worksheet_merge_range(ws, row + 1, 0, row + 1, 13, as_of.c_str(), fm.text);
    worksheet_set_column(ws, 0, 0, 6, nullptr);
    worksheet_set_column(ws, 1, 1, static_cast<double>(std::min<std::size_t>(name_width, 45)), nullptr);
    worksheet_set_column(ws, 2, 11, 11, nullptr);
    worksheet_set_column(ws, 12, 13, 14, nullptr);
    worksheet_freeze_panes(ws, h2 + 2, 2);

    // Late and pending-overdue dossiers by procedure.
    lxw_worksheet* wp = add_sheet(wb, "Quá hạn theo thủ tục", false);
    worksheet_merge_range(wp, 0, 0, 0, 4, "HỒ SƠ QUÁ HẠN THEO THỦ TỤC", fm.title);
    header_cells(wp, 2, {"Cấp", "Đơn vị", "Thủ tục", "Giải quyết quá hạn", "Đang giải quyết đã quá hạn"}, fm);
    row = 3;
    for (const auto& l : r.levels) {
        for (const auto& u : l.units) {
            std::map<std::string, std::pair<std::int64_t, std::int64_t>> per;
            for (const auto& [p, n] : u.fig.late_by_procedure) per[p].first = n;
            for (const auto& [p, n] : u.fig.pending_overdue_by_procedure) per[p].second = n;
            for (const auto& [p, n] : per) {
                worksheet_write_string(wp, row, 0, l.label.c_str(), fm.text);
                worksheet_write_string(wp, row, 1, u.name.c_str(), fm.text);
                worksheet_write_string(wp, row, 2, p.c_str(), fm.text);
                worksheet_write_number(wp, row, 3, static_cast<double>(n.first), fm.number);
                worksheet_write_number(wp, row, 4, static_cast<double>(n.second), fm.number);
                ++row;
            }
        }
    }
    worksheet_set_column(wp, 0, 0, 14, nullptr);
    worksheet_set_column(wp, 1, 1, 26, nullptr);
    worksheet_set_column(wp, 2, 2, 50, nullptr);
    worksheet_set_column(wp, 3, 4, 16, nullptr);

    // Conversations.
    const auto& c = r.conversations;
    lxw_worksheet* wc = titled_sheet(wb, "Hỏi đáp Zalo", "HỖ TRỢ NGƯỜI DÂN QUA ZALO OA", period, {"Chỉ tiêu", "Số liệu"}, fm);
    row = 4;
    auto metric = [&](lxw_worksheet* sheet, const char* name, double value, lxw_format* f) {
        worksheet_write_string(sheet, row, 0, name, fm.text);
        worksheet_write_number(sheet, row, 1, value, f);
        ++row;
    };
    metric(wc, "Số câu hỏi của người dân", static_cast<double>(c.questions), fm.number);
    metric(wc, "Số người dân hỏi", static_cast<double>(c.citizens), fm.number);
    metric(wc, "Tự động trả lời", static_cast<double>(c.answered), fm.number);
    if (auto rate = percent_of(c.answered, c.questions)) {
        worksheet_write_string(wc, row, 0, "Tỷ lệ tự động trả lời", fm.text);
        write_rate(wc, row++, 1, rate, fm.percent);
    }
    metric(wc, "Hỏi lại để làm rõ", static_cast<double>(c.clarified), fm.number);
    metric(wc, "Chưa trả lời được", static_cast<double>(c.fallbacks), fm.number);
    metric(wc, "Chuyển cán bộ hỗ trợ", static_cast<double>(c.handoffs), fm.number);
    if (c.median_handoff_answer_ms)
        metric(wc, "Thời gian cán bộ trả lời (trung vị, phút)",
               std::round(static_cast<double>(*c.median_handoff_answer_ms) / 600.0) / 100.0, fm.number);
    if (c.median_reply_latency_ms)
        metric(wc, "Thời gian phản hồi tự động (trung vị, mili giây)",
               static_cast<double>(*c.median_reply_latency_ms), fm.number);
    ++row;
    header_cells(wc, row++, {"Nội dung được hỏi nhiều nhất", "Số lượt"}, fm);
    for (const auto& [t, n] : c.top_topics) {
        auto it = r.topic_titles.find(t);
        metric(wc, (it == r.topic_titles.end() ? t : it->second).c_str(), static_cast<double>(n), fm.number);
    }
    ++row;
    header_cells(wc, row++, {"Câu hỏi chưa có câu trả lời", "Số lượt"}, fm);
    for (const auto& [t, n] : c.top_unanswered) metric(wc, t.c_str(), static_cast<double>(n), fm.number);
    worksheet_set_column(wc, 0, 0, 60, nullptr);
    worksheet_set_column(wc, 1, 1, 14, nullptr);

    // Reminders per unit.
    lxw_worksheet* wr = titled_sheet(wb, "Nhắc việc", "NHẮC VIỆC CÁN BỘ QUA ZALO", period,
                                     {"STT", "Đơn vị", "Sắp đến hạn", "Quá hạn", "Báo lãnh đạo", "Tổng hợp hằng ngày"}, fm);
    row = 4;
    std::size_t n_unit = 0;
    for (const auto& u : r.reminders) {
        worksheet_write_number(wr, row, 0, static_cast<double>(++n_unit), fm.center);
        worksheet_write_string(wr, row, 1, u.name.c_str(), fm.text);
        worksheet_write_number(wr, row, 2, static_cast<double>(u.counts.due_soon), fm.number);
        worksheet_write_number(wr, row, 3, static_cast<double>(u.counts.overdue), fm.number);
        worksheet_write_number(wr, row, 4, static_cast<double>(u.counts.escalation), fm.number);
        worksheet_write_number(wr, row, 5, static_cast<double>(u.counts.digest), fm.number);
        ++row;
    }
    worksheet_write_string(wr, row, 0, "", fm.bold_center);
    worksheet_write_string(wr, row, 1, "Tổng cộng", fm.bold_text);
    worksheet_write_number(wr, row, 2, static_cast<double>(r.reminder_totals.due_soon), fm.bold_number);
    worksheet_write_number(wr, row, 3, static_cast<double>(r.reminder_totals.overdue), fm.bold_number);
    worksheet_write_number(wr, row, 4, static_cast<double>(r.reminder_totals.escalation), fm.bold_number);
    worksheet_write_number(wr, row, 5, static_cast<double>(r.reminder_totals.digest), fm.bold_number);
    row += 2;
    worksheet_write_string(wr, row, 1, "Hồ sơ được nhắc rồi giải quyết trước hoặc đúng hạn", fm.text);
    worksheet_write_number(wr, row, 2, static_cast<double>(r.reminded_then_resolved), fm.number);
    worksheet_set_column(wr, 0, 0, 6, nullptr);
    worksheet_set_column(wr, 1, 1, 40, nullptr);
    worksheet_set_column(wr, 2, 5, 14, nullptr);

    // Broadcasts.
    const auto& b = r.broadcasts;
    lxw_worksheet* wb2 = titled_sheet(wb, "Tin tuyên truyền", "TUYÊN TRUYỀN QUA ZALO OA", period, {"Chỉ tiêu", "Số liệu"}, fm);
    row = 4;
    metric(wb2, "Số tin đã phát", static_cast<double>(b.count), fm.number);
    metric(wb2, "Lượt người nhận", static_cast<double>(b.recipients), fm.number);
    metric(wb2, "Đã gửi", static_cast<double>(b.sent), fm.number);
    metric(wb2, "Đã nhận", static_cast<double>(b.received), fm.number);
    metric(wb2, "Đã xem", static_cast<double>(b.seen), fm.number);
    metric(wb2, "Gửi không thành công", static_cast<double>(b.failed), fm.number);
    worksheet_set_column(wb2, 0, 0, 36, nullptr);
    worksheet_set_column(wb2, 1, 1, 14, nullptr);

    // Citizens following their dossiers.
    const auto& dn = r.dossier_notices;
    lxw_worksheet* wn = titled_sheet(wb, "Theo dõi hồ sơ", "NGƯỜI DÂN THEO DÕI HỒ SƠ QUA ZALO", period,
                                     {"Chỉ tiêu", "Số liệu"}, fm);
    row = 4;
    metric(wn, "Lượt bắt đầu theo dõi hồ sơ", static_cast<double>(dn.follows), fm.number);
    metric(wn, "Tin báo tình trạng hồ sơ", static_cast<double>(dn.notices), fm.number);
    metric(wn, "Gửi qua tin tư vấn Zalo", static_cast<double>(dn.zalo), fm.number);
    metric(wn, "Gửi qua ZNS", static_cast<double>(dn.zns), fm.number);
    metric(wn, "Không gửi được (ngoài 7 ngày, không có ZNS)", static_cast<double>(dn.undeliverable), fm.number);
    metric(wn, "Báo đã có kết quả", static_cast<double>(dn.result_ready), fm.number);
    metric(wn, "Xin lỗi hồ sơ quá hạn", static_cast<double>(dn.apologies), fm.number);
    worksheet_set_column(wn, 0, 0, 44, nullptr);
    worksheet_set_column(wn, 1, 1, 14, nullptr);

    // Warnings: the dossiers left out of the figures, and why.
    lxw_worksheet* ww = add_sheet(wb, "Cảnh báo dữ liệu", true);
    worksheet_merge_range(ww, 0, 0, 0, 6, "HỒ SƠ KHÔNG ĐƯỢC TÍNH VÀO SỐ LIỆU", fm.title);
    header_cells(ww, 2, {"Lý do", "Mã hồ sơ", "Cấp", "Đơn vị", "Ngày nhận", "Hạn trả", "Ngày trả"}, fm);
    row = 3;
    for (const auto& w : r.warnings) {
        const std::string reason = texts.render("report_reason_" + w.kind);
        for (const auto& it : w.items) {
            const std::array<std::string, 7> cells{reason, it.code, it.level, it.unit,
                                                   it.received_on, it.due_on, it.returned_on};
            for (std::size_t i = 0; i < cells.size(); ++i)
                worksheet_write_string(ww, row, static_cast<lxw_col_t>(i), cells[i].c_str(), fm.text);
            ++row;
        }
    }
    worksheet_set_column(ww, 0, 0, 50, nullptr);
    worksheet_set_column(ww, 1, 1, 30, nullptr);
    worksheet_set_column(ww, 2, 6, 13, nullptr);

    lxw_error err = workbook_close(owner.release());
    if (err != LXW_NO_ERROR) throw std::runtime_error("cannot write workbook " + path + ": " + lxw_strerror(err));
}

std::string to_xlsx(const report& r, const message_catalog& texts) {
    std::random_device rd;
    const auto path = std::filesystem::temp_directory_path() /
                      ("cchcbot-report-" + std::to_string(rd()) + std::to_string(rd()) + ".xlsx");
    struct remover {
        std::filesystem::path p;
        ~remover() {
            std::error_code ec;
            std::filesystem::remove(p, ec);
        }
    } cleanup{path};
    write_xlsx(r, texts, path.string());
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace bot

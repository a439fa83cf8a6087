// The report as JSON: SPEC's fixed shape, rates with two decimals.
#include "bot/reports/report_format.hpp"
#include "bot/reports/report_format_detail.hpp"

#include <cstdio>

namespace bot {

using namespace report_detail;

namespace {

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
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

}  // namespace bot

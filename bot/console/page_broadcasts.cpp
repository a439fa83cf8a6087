// Tuyên truyền: the composer (text, link buttons, audience by commune then village, schedule), an
// exact preview with the recipient count, a confirmation naming that count, the list with
// sent / received / seen, and cancelling. Broadcasts are made by the same functions as
// `cchcbot broadcast` and the admin API (handlers/broadcasts).
#include "bot/console/pages.hpp"

#include "bot/core/local_time.hpp"
#include "handlers/broadcasts.hpp"
#include "handlers/handoff.hpp"

#include <algorithm>
#include <cstdio>

namespace bot::console {

namespace {

constexpr std::size_t button_rows = 4;  // handlers::broadcast_max_buttons
constexpr std::size_t excerpt_chars = 160;

// Where a broadcast goes, as stored: every follower, or places (a unit whole when the village is
// empty; a village of a unit; a village alone in broadcasts stored before villages had units).
struct target {
    bool all = false;
    std::vector<std::pair<std::string, std::string>> places;  ///< (unit, village)
};

target parse_target(const std::string& json) {
    target t;
    boost::system::error_code ec;
    auto v = boost::json::parse(json, ec);
    if (ec || !v.is_object()) return t;
    const auto& o = v.as_object();
    auto strings = [&o](const char* key) {
        std::vector<std::string> out;
        if (auto* a = o.if_contains(key); a && a->is_array())
            for (const auto& x : a->as_array())
                if (x.is_string()) out.emplace_back(x.as_string());
        return out;
    };
    auto field = [](const boost::json::object& p, const char* key) {
        auto* x = p.if_contains(key);
        return x && x->is_string() ? std::string(x->as_string()) : std::string{};
    };
    if (auto* a = o.if_contains("places"); a && a->is_array()) {
        for (const auto& x : a->as_array())
            if (x.is_object()) t.places.emplace_back(field(x.as_object(), "unit"), field(x.as_object(), "village"));
    } else {
        for (auto& u : strings("units")) t.places.emplace_back(std::move(u), "");
        for (auto& village : strings("villages")) t.places.emplace_back("", std::move(village));
    }
    if (auto* all = o.if_contains("all"); all && all->is_bool()) t.all = all->as_bool();
    if (t.places.empty()) t.all = true;  // stored before "all" was written: no place meant everyone
    return t;
}

// What the form asked for, in the same terms.
target target_of(const handlers::broadcast_request& req) {
    target t;
    t.all = req.all;
    for (const auto& u : req.units) t.places.emplace_back(u, "");
    for (const auto& uv : req.unit_villages) t.places.push_back(uv);
    return t;
}

// The units that have a village of this name.
std::vector<const unit_config*> village_units(const config& cfg, const std::string& village) {
    std::vector<const unit_config*> out;
    for (const auto& u : cfg.units)
        if (std::find(u.villages.begin(), u.villages.end(), village) != u.villages.end()) out.push_back(&u);
    return out;
}

// The template's variables as the staff member reads them ("[tên thôn]"), then cut to a few lines.
std::string excerpt(const page_ctx& c, std::string text) {
    for (const auto& [tag, key] : {std::pair{"{{ten_xa}}", "console_var_ten_xa"}, std::pair{"{{ten_thon}}", "console_var_ten_thon"},
                                   std::pair{"{{ten}}", "console_var_ten"}})
        for (auto at = text.find(tag); at != std::string::npos; at = text.find(tag, at))
            text.replace(at, std::string_view(tag).size(), c.text(key));
    std::string out;
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool lead = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
        if (lead && ++chars > excerpt_chars) return out + "…";
        out.push_back(text[i] == '\n' ? ' ' : text[i]);
    }
    return out;
}

// "06:00" from a minute of the day (24:00 for the end of the day).
std::string hhmm(int minute) {
    char buf[16];  // room for any int the compiler cannot rule out (-Wformat-truncation)
    std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60, minute % 60);
    return buf;
}

// Outside the hours Zalo takes promotion messages (zalo.promotion_hours) a due broadcast waits:
// said so, instead of a "sending" that does not move. Empty inside those hours.
std::string outside_hours_text(const page_ctx& c, std::int64_t at_ms) {
    const auto& z = c.cfg().zalo;
    const int minute = local_minute_of_day(at_ms, c.cfg().reminders.utc_offset_minutes);
    if (minute >= z.promotion_first_minute && minute < z.promotion_end_minute) return {};
    return c.text("console_broadcast_outside_hours", {{"from", hhmm(z.promotion_first_minute)}, {"to", hhmm(z.promotion_end_minute)}});
}

std::string audience_label(const page_ctx& c, const target& t) {
    if (t.all) return c.text("console_audience_all");
    std::string out;
    for (const auto& [unit, village] : t.places) {
        std::string one;
        if (village.empty()) {
            one = c.text("console_audience_unit", {{"unit", c.unit_name(unit)}});
        } else if (!unit.empty()) {
            one = village + " (" + c.unit_name(unit) + ")";
        } else {
            auto owners = village_units(c.cfg(), village);
            one = owners.size() == 1 ? village + " (" + owners.front()->name + ")" : village;
        }
        out += (out.empty() ? "" : "; ") + one;
    }
    return out;
}

// The residence units (communes and the like, not the desk above them) this person may reach.
std::vector<const unit_config*> audience_units(const page_ctx& c) {
    const std::string desk = handlers::handoff_desk(c.handler_context());
    const auto* d = c.cfg().find_unit(desk);
    std::vector<const unit_config*> out;
    for (const auto* u : c.units_in_scope())
        if (!d || u->level != d->level || !u->villages.empty()) out.push_back(u);
    if (out.empty()) out = c.units_in_scope();
    return out;
}

/// The composer's fields as submitted, checked against the person's units.
struct composed {
    handlers::broadcast_request req;
    bool all = false;
    std::string when;                                    ///< "now" | "later"
    std::string at_input;                                ///< the datetime-local value
    std::vector<std::pair<std::string, std::string>> buttons;  ///< title, url as typed (rows kept)
    std::vector<std::string> picked_units;
    std::vector<std::string> picked_villages;            ///< "unit|village"
    std::vector<std::string> errors;
};

composed read_form(const page_ctx& c) {
    composed out;
    const form_data& f = *c.form;
    out.req.text = f.get("noi_dung");
    out.req.created_by = "console:" + c.me.who.official_id;
    out.all = f.get("tat_ca") == "1";
    out.when = f.get("khi") == "hen_gio" ? "later" : "now";
    out.at_input = f.get("hen_gio");
    for (std::size_t i = 1; i <= button_rows; ++i) {
        std::string title = f.get("nut_" + std::to_string(i) + "_ten"), url = f.get("nut_" + std::to_string(i) + "_lien_ket");
        out.buttons.emplace_back(title, url);
        if (title.empty() && url.empty()) continue;
        if (title.empty() || url.empty()) {
            out.errors.push_back(c.text("console_broadcast_button_incomplete", {{"n", std::to_string(i)}}));
            continue;
        }
        out.req.buttons.push_back({title, url});
    }
    auto [ub, ue] = f.all.equal_range("don_vi");
    for (auto it = ub; it != ue; ++it) {
        const std::string& id = it->second;
        if (!c.cfg().find_unit(id)) {
            out.errors.push_back(c.text("console_broadcast_unknown_unit", {{"unit", id}}));
            continue;
        }
        c.require_unit(id);  // another commune, typed into the form: 403
        if (std::find(out.picked_units.begin(), out.picked_units.end(), id) == out.picked_units.end()) {
            out.picked_units.push_back(id);
            out.req.units.push_back(id);
        }
    }
    auto [vb, ve] = f.all.equal_range("thon");
    for (auto it = vb; it != ve; ++it) {
        const std::string& pair = it->second;
        const auto bar = pair.find('|');
        const std::string unit = bar == std::string::npos ? std::string{} : pair.substr(0, bar);
        const std::string village = bar == std::string::npos ? pair : pair.substr(bar + 1);
        const auto* u = c.cfg().find_unit(unit);
        if (!u || std::find(u->villages.begin(), u->villages.end(), village) == u->villages.end()) {
            out.errors.push_back(c.text("console_broadcast_unknown_village", {{"village", village}}));
            continue;
        }
        c.require_unit(unit);
        // A whole commune already includes its villages.
        if (std::find(out.picked_units.begin(), out.picked_units.end(), unit) != out.picked_units.end()) continue;
        if (std::find(out.picked_villages.begin(), out.picked_villages.end(), pair) != out.picked_villages.end()) continue;
        out.picked_villages.push_back(pair);
        out.req.unit_villages.emplace_back(unit, village);
    }
    if (out.all) {
        if (!c.me.scope.all) throw forbidden(c.text("console_error_all_followers"));
        out.req.units.clear();
        out.req.unit_villages.clear();
        out.req.all = true;
    } else if (out.req.units.empty() && out.req.unit_villages.empty()) {
        out.errors.push_back(c.text("console_broadcast_no_audience"));
    }
    if (out.when == "later") {
        std::string at = out.at_input;
        std::replace(at.begin(), at.end(), 'T', ' ');
        if (at.size() > 16) at.resize(16);  // seconds, if a browser sends them
        if (at.empty())
            out.errors.push_back(c.text("console_broadcast_no_time"));
        else
            out.req.at = at;
    }
    return out;
}

boost::json::object composer_model(const page_ctx& c, const composed* in) {
    boost::json::object m;
    m["section"] = "broadcasts";
    m["title"] = c.text("console_title_broadcast_new");
    m["text"] = in ? in->req.text : std::string{};
    m["can_all"] = c.me.scope.all;
    m["all"] = in && in->all;
    m["later"] = in && in->when == "later";
    m["hours_from"] = hhmm(c.cfg().zalo.promotion_first_minute);
    m["hours_to"] = hhmm(c.cfg().zalo.promotion_end_minute);
    m["at"] = in ? in->at_input : std::string{};
    boost::json::array buttons;
    for (std::size_t i = 1; i <= button_rows; ++i) {
        std::string title, url;
        if (in && i <= in->buttons.size()) std::tie(title, url) = in->buttons[i - 1];
        buttons.push_back(boost::json::object{{"n", i}, {"title", title}, {"url", url}});
    }
    m["buttons"] = std::move(buttons);
    m["buttons_open"] = in && !in->req.buttons.empty();
    boost::json::array units;
    for (const auto* u : audience_units(c)) {
        const bool whole = in && std::find(in->picked_units.begin(), in->picked_units.end(), u->id) != in->picked_units.end();
        boost::json::array villages;
        bool any = whole;
        for (const auto& v : u->villages) {
            const std::string pair = u->id + "|" + v;
            const bool on = in && std::find(in->picked_villages.begin(), in->picked_villages.end(), pair) != in->picked_villages.end();
            any = any || on;
            villages.push_back(boost::json::object{{"value", pair}, {"name", v}, {"checked", on}});
        }
        units.push_back(boost::json::object{{"id", u->id}, {"name", u->name}, {"checked", whole}, {"open", any},
                                            {"villages", std::move(villages)}, {"has_villages", !u->villages.empty()}});
    }
    m["units"] = std::move(units);
    m["single_unit"] = audience_units(c).size() == 1;
    if (in && !in->errors.empty()) {
        boost::json::array errs;
        for (const auto& e : in->errors) errs.emplace_back(e);
        m["errors"] = std::move(errs);
        m["has_errors"] = true;
    }
    return m;
}

// The composer's fields again, as hidden inputs of the preview (to send, or to edit).
boost::json::array hidden_fields(const composed& in) {
    boost::json::array out;
    auto add = [&](const std::string& n, const std::string& v) { out.push_back(boost::json::object{{"name", n}, {"value", v}}); };
    add("noi_dung", in.req.text);
    if (in.all) add("tat_ca", "1");
    add("khi", in.when == "later" ? "hen_gio" : "ngay");
    add("hen_gio", in.at_input);
    for (std::size_t i = 0; i < in.buttons.size(); ++i) {
        add("nut_" + std::to_string(i + 1) + "_ten", in.buttons[i].first);
        add("nut_" + std::to_string(i + 1) + "_lien_ket", in.buttons[i].second);
    }
    for (const auto& u : in.picked_units) add("don_vi", u);
    for (const auto& v : in.picked_villages) add("thon", v);
    return out;
}

http_response preview_page(page_ctx& c, const composed& in, const handlers::broadcast_preview& p, const std::string& notice,
                           int status) {
    boost::json::object m;
    m["section"] = "broadcasts";
    m["title"] = c.text("console_title_broadcast_preview");
    m["count"] = number_text(p.recipients);
    m["count_raw"] = std::to_string(p.recipients);
    m["none"] = p.recipients == 0;
    m["header"] = p.header;
    m["sample"] = p.text;
    m["audience"] = audience_label(c, target_of(in.req));
    m["when"] = in.when == "later" ? local_time_text(c.cfg(), p.scheduled_at) : c.text("console_broadcast_now");
    m["later"] = in.when == "later";
    m["night"] = outside_hours_text(c, in.when == "later" ? p.scheduled_at : c.now());
    boost::json::array buttons;
    for (const auto& b : in.req.buttons) buttons.push_back(boost::json::object{{"title", b.title}, {"url", b.url}});
    m["buttons"] = std::move(buttons);
    m["hidden"] = hidden_fields(in);
    m["confirm_label"] = c.text("console_broadcast_confirm", {{"count", number_text(p.recipients)}});
    m["send_label"] = c.text(in.when == "later" ? "console_broadcast_schedule_button" : "console_broadcast_send_button",
                             {{"count", number_text(p.recipients)}});
    if (!notice.empty()) m["notice"] = notice;
    return c.render("broadcast_preview", std::move(m), status);
}

}  // namespace

bool broadcast_visible(const page_ctx& c, const std::string& target_json) {
    if (c.me.scope.all) return true;
    const auto t = parse_target(target_json);
    if (t.all) return false;  // every follower: theirs and others'
    for (const auto& [unit, village] : t.places) {
        bool ok = !unit.empty() && c.covers(unit);
        if (unit.empty())
            for (const auto* u : village_units(c.cfg(), village)) ok = ok || c.covers(u->id);
        if (!ok) return false;
    }
    return true;
}

boost::json::object broadcast_summary(const page_ctx& c, const handlers::broadcast_status& b) {
    const std::int64_t base = std::max<std::int64_t>(b.recipients, 1);
    using bstate = storage::broadcast_state;
    const bool finished = b.state == bstate::done || b.state == bstate::cancelled;
    auto meter = [&](const char* key, std::int64_t n) {
        return boost::json::object{{"label", c.text(key)}, {"value", n}, {"text", number_text(n)}, {"max", base}};
    };
    boost::json::array counts;
    counts.push_back(meter("console_broadcast_sent", b.sent));
    counts.push_back(meter("console_broadcast_received", b.received));
    counts.push_back(meter("console_broadcast_seen", b.seen));
    const char* tag = b.state == bstate::done ? "ok" : b.state == bstate::cancelled ? "plain" : b.state == bstate::waiting_quota ? "warn" : "info";
    const bool due = (b.state == bstate::scheduled || b.state == bstate::sending) && b.scheduled_at <= c.now();
    const std::string waiting_hours = due ? outside_hours_text(c, c.now()) : std::string{};
    return boost::json::object{
        {"id", b.id},
        {"text", excerpt(c, b.text)},
        {"audience", audience_label(c, parse_target(b.target_json))},
        {"state", c.text(b.state == bstate::scheduled && b.scheduled_at <= c.now()
                             ? std::string("console_broadcast_state_due")
                             : "console_broadcast_state_" + std::string(storage::to_string(b.state)))},
        {"waiting_hours", waiting_hours},
        {"tag", tag},
        {"scheduled", local_time_text(c.cfg(), b.scheduled_at)},
        {"recipients", number_text(b.recipients)},
        {"failed", b.failed > 0 ? number_text(b.failed) : std::string{}},
        {"waiting", b.waiting > 0 ? number_text(b.waiting) : std::string{}},
        {"counts", std::move(counts)},
        {"can_cancel", !finished && may(c.me.role, staff_action::send_broadcasts)},
        {"csrf", c.me.csrf},
    };
}

http_response page_broadcasts(page_ctx& c) {
    auto hctx = c.handler_context();
    boost::json::array list;
    for (const auto& b : handlers::list_broadcast_statuses(hctx))
        if (broadcast_visible(c, b.target_json)) list.push_back(broadcast_summary(c, b));
    boost::json::object m;
    m["broadcasts"] = std::move(list);
    m["can_send"] = may(c.me.role, staff_action::send_broadcasts);
    return c.render("broadcasts", std::move(m));
}

http_response page_broadcast_new(page_ctx& c) {
    if (c.form) {  // "Sửa lại" from the preview: the composer with what was typed
        auto in = read_form(c);
        in.errors.clear();
        return c.render("broadcast_new", composer_model(c, &in));
    }
    return c.render("broadcast_new", composer_model(c, nullptr));
}

http_response post_broadcast_preview(page_ctx& c) {
    auto in = read_form(c);
    if (in.errors.empty()) {
        try {
            auto hctx = c.handler_context();
            auto p = handlers::preview_broadcast(hctx, in.req);
            return preview_page(c, in, p, "", 200);
        } catch (const handlers::broadcast_error& e) {
            in.errors.push_back(c.text("console_broadcast_invalid", {{"reason", e.what()}}));
        }
    }
    return c.render("broadcast_new", composer_model(c, &in), 422);
}

http_response post_broadcast_send(page_ctx& c) {
    auto in = read_form(c);
    if (!in.errors.empty()) return c.render("broadcast_new", composer_model(c, &in), 422);
    auto hctx = c.handler_context();
    handlers::broadcast_preview p;
    try {
        p = handlers::preview_broadcast(hctx, in.req);
    } catch (const handlers::broadcast_error& e) {
        in.errors.push_back(c.text("console_broadcast_invalid", {{"reason", e.what()}}));
        return c.render("broadcast_new", composer_model(c, &in), 422);
    }
    // The confirmation named a count: send only that. Followers who came or went in between
    // change it, and then the person decides again.
    const std::string confirmed = c.field("so_nguoi");
    if (c.field("xac_nhan") != "1")
        return preview_page(c, in, p, c.text("console_broadcast_tick_confirm"), 422);
    if (confirmed != std::to_string(p.recipients))
        return preview_page(c, in, p, c.text("console_broadcast_count_changed", {{"before", confirmed}, {"now", number_text(p.recipients)}}),
                            409);
    if (p.recipients == 0) return preview_page(c, in, p, c.text("console_broadcast_nobody"), 422);
    auto made = handlers::create_broadcast(hctx, in.req);
    const target t = target_of(in.req);
    c.audit_action = "broadcast create";
    c.audit_target = std::to_string(made.id);
    c.audit_detail = std::to_string(made.recipients) + " recipients: " + audience_label(c, t);
    c.wake_outbox = true;
    return page_ctx::redirect("/console/tuyen-truyen?tb=broadcast_created");
}

http_response post_broadcast_cancel(page_ctx& c) {
    std::int64_t id = 0;
    try {
        id = std::stoll(c.params.at(0));
    } catch (const std::exception&) {
        throw not_found(c.text("console_error_not_found"));
    }
    auto hctx = c.handler_context();
    auto st = handlers::get_broadcast_status(hctx, id);
    if (!st) throw not_found(c.text("console_error_not_found"));
    if (!broadcast_visible(c, st->target_json)) throw forbidden(c.text("console_error_broadcast_scope"));
    std::int64_t stopped = 0;
    switch (handlers::cancel_broadcast(hctx, id, &stopped)) {
    case handlers::cancel_result::not_found: throw not_found(c.text("console_error_not_found"));
    case handlers::cancel_result::already_finished: return page_ctx::redirect("/console/tuyen-truyen?tb=broadcast_finished");
    case handlers::cancel_result::cancelled: break;
    }
    c.audit_action = "broadcast cancel";
    c.audit_target = std::to_string(id);
    c.audit_detail = std::to_string(stopped) + " messages stopped";
    return page_ctx::redirect("/console/tuyen-truyen?tb=broadcast_cancelled");
}

}  // namespace bot::console

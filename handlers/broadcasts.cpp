// Broadcasts: from a propaganda user's request to promotion messages in the outbox.
#include "handlers/broadcasts.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/messages.hpp"
#include "bot/core/official_accounts.hpp"
#include "bot/core/units.hpp"
#include "bot/http/json_body.hpp"
#include "bot/zalo/outbox.hpp"
#include "handlers/dossier_lookup.hpp"
#include "storage/broadcast_repository.hpp"
#include "storage/interaction_repository.hpp"

#include "storage/write_scope.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/json.hpp>
#include <kainjow/mustache.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <regex>

namespace handlers {

namespace json = boost::json;
using bstate = storage::broadcast_state;

namespace {

// A scheduled time this far in the past is a mistake, not "now".
constexpr std::int64_t past_tolerance_ms = 5 * 60 * 1000;
// Room kept for a display name when checking the worst-case rendered length.
constexpr std::size_t assumed_display_name_chars = 40;

const std::vector<std::string>& template_variables() {
    static const std::vector<std::string> v = {"ten_xa", "ten_thon", "ten"};
    return v;
}

std::size_t utf8_chars(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool valid_utf8(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n;
    }
    return true;
}

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::string today_iso(const context& ctx) {
    return bot::to_iso(bot::local_date_of(ctx.now_ms(), ctx.cfg.time.utc_offset_minutes));
}

// The name of the unit a follower's stored unit stands for today (a citizen who chose a commune
// before it was merged reads the merged commune's name).
std::string unit_name(const context& ctx, const std::string& unit_id) {
    const auto* u = bot::unit_on(ctx.cfg, unit_id, today_iso(ctx));
    return u ? u->name : std::string{};
}

// A broadcast's audience: every follower, or the places named.
struct target_set {
    bool all = false;
    std::vector<broadcast_place> places;
};

// The followers an audience reaches: every follower, or those of the places named, a place of
// today's unit also reaching the followers who chose it under a unit it replaced.
std::vector<storage::broadcast_follower> followers_of(const context& ctx, const target_set& a) {
    if (a.all) return storage::select_followers(ctx.db, {});
    if (a.places.empty()) return {};
    std::vector<storage::follower_place> where;
    auto add = [&where](std::string unit, const std::string& village) {
        storage::follower_place p{std::move(unit), village};
        if (std::none_of(where.begin(), where.end(),
                         [&p](const storage::follower_place& q) { return q.unit_id == p.unit_id && q.village == p.village; }))
            where.push_back(std::move(p));
    };
    for (const auto& p : a.places) {
        add(p.unit, p.village);
        for (auto& pre : bot::predecessors(ctx.cfg, p.unit)) add(std::move(pre), p.village);
    }
    return storage::select_followers(ctx.db, where);
}

std::string render_template(const std::string& text, const std::map<std::string, std::string>& vars) {
    kainjow::mustache::mustache m(text);
    m.set_custom_escape([](const std::string& s) { return s; });
    kainjow::mustache::data d;
    for (const auto& [k, v] : vars) d.set(k, v);
    return m.render(d);
}

// Checks every {{tag}} names a known variable (sections and inverted sections allowed).
// The fill-in fields a broadcast may use, as the team reads them: "{{ten_xa}} (tên xã), ...".
std::string variable_names(const context& ctx) {
    return ctx.texts.render("broadcast_variable_names", {{"ten_xa", "{{ten_xa}}"}, {"ten_thon", "{{ten_thon}}"}, {"ten", "{{ten}}"}});
}

void check_variables(const context& ctx, const std::string& text) {
    kainjow::mustache::mustache m(text);
    if (!m.is_valid()) throw broadcast_error(ctx.texts.render("broadcast_template_invalid", {{"names", variable_names(ctx)}}));
    static const std::regex tag(R"(\{\{\{?\s*([#^/&!]?)\s*([^}]*?)\s*\}?\}\})");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), tag); it != std::sregex_iterator(); ++it) {
        std::string kind = (*it)[1];
        std::string name = (*it)[2];
        if (kind == "!") continue;
        const auto& vars = template_variables();
        if (std::find(vars.begin(), vars.end(), name) == vars.end())
            throw broadcast_error(
                ctx.texts.render("broadcast_unknown_variable", {{"tag", "{{" + name + "}}"}, {"names", variable_names(ctx)}}));
    }
}

// The configured villages `given` names among `units`: exact names first, else names without
// their "thôn"/"tổ dân phố" prefix. Each is (unit, village as configured).
std::vector<std::pair<const bot::unit_config*, std::string>> village_matches(const std::vector<const bot::unit_config*>& units,
                                                                           const std::string& given) {
    std::vector<std::pair<const bot::unit_config*, std::string>> found;
    for (const auto* u : units)
        for (const auto& v : u->villages)
            if (v == given) found.emplace_back(u, v);
    if (!found.empty()) return found;
    for (const auto* u : units)
        for (const auto& v : u->villages)
            if (v.size() > given.size() && v.compare(v.size() - given.size(), given.size(), given) == 0 &&
                v[v.size() - given.size() - 1] == ' ')
                found.emplace_back(u, v);
    return found;
}

std::string unit_words(const std::vector<const bot::unit_config*>& units, const std::string& today) {
    std::string out;
    for (const auto* u : units) out += (out.empty() ? "" : ", ") + bot::unit_name_on(*u, today) + " (\"" + u->id + "\")";
    return out;
}

// Refuses a unit that does not exist today (merged away, or not begun), in the team's words.
void require_unit_today(const context& ctx, const bot::unit_config& u, const std::string& today) {
    if (bot::exists_on(u, today)) return;
    const std::string name = unit_words({&u}, today);
    if (!u.valid_from.empty() && today < u.valid_from)
        throw broadcast_error(ctx.texts.render("broadcast_unit_not_begun", {{"unit", name}, {"begins", vn_date(u.valid_from)}}));
    if (const bot::unit_config* now = bot::unit_on(ctx.cfg, u.id, today))
        throw broadcast_error(ctx.texts.render(
            "broadcast_unit_merged", {{"unit", name}, {"ended", vn_date(u.valid_until)}, {"now", unit_words({now}, today)}}));
    throw broadcast_error(ctx.texts.render("broadcast_unit_ended", {{"unit", name}, {"ended", vn_date(u.valid_until)}}));
}

// Today's unit ids, for a message naming one that is not.
std::string known_units(const context& ctx, const std::string& today) {
    std::string known;
    for (const auto* cu : bot::units_on(ctx.cfg, today)) known += (known.empty() ? "" : ", ") + cu->id;
    return known;
}

// Who the request reaches: `all` alone; else each unit given, narrowed to the villages given of
// it; a village given alone is the village of the one unit having it. @throws broadcast_error
target_set resolve_audience(const context& ctx, const broadcast_request& req, const std::string& today,
                          std::vector<std::string>& units_reached, std::vector<std::string>& villages_named) {
    target_set a;
    if (req.all) {
        if (!req.units.empty() || !req.villages.empty() || !req.unit_villages.empty()) {
            std::string given;
            for (const auto& x : req.units) given += (given.empty() ? "" : ", ") + x;
            for (const auto& x : req.villages) given += (given.empty() ? "" : ", ") + x;
            for (const auto& [u, v] : req.unit_villages) given += (given.empty() ? "" : ", ") + v + " (" + u + ")";
            throw broadcast_error(ctx.texts.render("broadcast_all_alone", {{"given", given}}));
        }
        a.all = true;
        return a;
    }
    if (req.units.empty() && req.villages.empty() && req.unit_villages.empty())
        throw broadcast_error(ctx.texts.render("broadcast_no_audience"));

    std::vector<const bot::unit_config*> given;
    for (const auto& u : req.units) {
        if (!ctx.cfg.find_unit(u)) {
            const std::string known = known_units(ctx, today);
            throw broadcast_error(ctx.texts.render("broadcast_unknown_unit", {{"unit", u}, {"known", known}}));
        }
        // A broadcast goes to today's units; a merged commune's followers are reached through
        // the commune that took over.
        const auto* cu = ctx.cfg.find_unit(u);
        require_unit_today(ctx, *cu, today);
        if (std::find(given.begin(), given.end(), cu) == given.end()) given.push_back(cu);
    }
    const auto today_units = bot::units_on(ctx.cfg, today);
    for (const auto& raw : req.villages) {
        const std::string v = trim(raw);
        const auto everywhere = village_matches(today_units, v);
        if (everywhere.empty()) throw broadcast_error(ctx.texts.render("broadcast_unknown_village", {{"village", v}}));
        auto matches = everywhere;
        if (!given.empty())
            matches.erase(std::remove_if(matches.begin(), matches.end(),
                                         [&given](const auto& m) { return std::find(given.begin(), given.end(), m.first) == given.end(); }),
                          matches.end());
        std::vector<const bot::unit_config*> owners;
        for (const auto& m : (matches.empty() ? everywhere : matches))
            if (std::find(owners.begin(), owners.end(), m.first) == owners.end()) owners.push_back(m.first);
        if (matches.empty())
            throw broadcast_error(ctx.texts.render(
                "broadcast_village_elsewhere",
                {{"village", v}, {"owners", unit_words(owners, today)}, {"given", unit_words(given, today)}}));
        if (matches.size() > 1) {
            if (owners.size() > 1)
                throw broadcast_error(
                    ctx.texts.render("broadcast_village_in_several", {{"village", v}, {"owners", unit_words(owners, today)}}));
            std::string names;
            for (const auto& m : matches) names += (names.empty() ? "" : ", ") + m.second;
            throw broadcast_error(ctx.texts.render("broadcast_village_ambiguous", {{"village", v}, {"names", names}}));
        }
        const broadcast_place place{matches.front().first->id, matches.front().second};
        if (std::none_of(a.places.begin(), a.places.end(),
                         [&place](const broadcast_place& p) { return p.unit == place.unit && p.village == place.village; }))
            a.places.push_back(place);
        if (std::find(villages_named.begin(), villages_named.end(), place.village) == villages_named.end())
            villages_named.push_back(place.village);
    }
    for (const auto& [unit, village] : req.unit_villages) {
        const auto* cu = ctx.cfg.find_unit(unit);
        if (!cu) throw broadcast_error(ctx.texts.render("broadcast_unknown_unit", {{"unit", unit}, {"known", known_units(ctx, today)}}));
        require_unit_today(ctx, *cu, today);
        const auto own = village_matches({cu}, trim(village));
        if (own.size() != 1)
            throw broadcast_error(
                ctx.texts.render("broadcast_not_village_of", {{"village", trim(village)}, {"unit", unit_words({cu}, today)}}));
        const broadcast_place place{cu->id, own.front().second};
        const bool whole = std::find(given.begin(), given.end(), cu) != given.end();  // already reached in full
        if (!whole && std::none_of(a.places.begin(), a.places.end(),
                                   [&place](const broadcast_place& p) { return p.unit == place.unit && p.village == place.village; }))
            a.places.push_back(place);
        if (!whole && std::find(villages_named.begin(), villages_named.end(), place.village) == villages_named.end())
            villages_named.push_back(place.village);
    }
    for (const auto* u : given) {
        const bool narrowed = std::any_of(a.places.begin(), a.places.end(), [u](const broadcast_place& p) { return p.unit == u->id; });
        if (!narrowed && !req.villages.empty()) {
            // "--unit A --unit B --village (of A)": B whole or a village of B? Neither is guessed.
            std::string own;
            for (const auto& v : u->villages) own += (own.empty() ? "" : ", ") + v;
            throw broadcast_error(ctx.texts.render(
                "broadcast_unit_without_village",
                {{"unit", unit_words({u}, today)}, {"villages", own.empty() ? ctx.texts.render("broadcast_no_villages") : own}}));
        }
        if (!narrowed) a.places.push_back({u->id, ""});
    }
    for (const auto& p : a.places)
        if (std::find(units_reached.begin(), units_reached.end(), p.unit) == units_reached.end()) units_reached.push_back(p.unit);
    return a;
}

// Stored as {"all": bool, "units": [every unit reached], "villages": [names], "places": [{"unit", "village"}]}.
std::string target_json(const broadcast_plan& p) {
    json::array u, v, places;
    for (const auto& x : p.units) u.emplace_back(x);
    for (const auto& x : p.villages) v.emplace_back(x);
    for (const auto& x : p.places) places.push_back(json::object{{"unit", x.unit}, {"village", x.village}});
    return json::serialize(json::object{{"all", p.all}, {"units", std::move(u)}, {"villages", std::move(v)}, {"places", std::move(places)}});
}

target_set parse_target(const context& ctx, const std::string& text) {
    const json::value v = json::parse(text);
    const auto& o = v.as_object();
    target_set a;
    if (const auto* places = o.if_contains("places")) {
        for (const auto& x : places->as_array())
            a.places.push_back({std::string(x.at("unit").as_string()), std::string(x.at("village").as_string())});
        const auto* all = o.if_contains("all");
        a.all = all && all->is_bool() && all->as_bool();
        return a;
    }
    // Stored before villages belonged to units: units and villages were a union, and no target
    // meant every follower; such a broadcast keeps the audience it was created for.
    std::vector<std::string> units, villages;
    if (auto* x = o.if_contains("units"))
        for (const auto& e : x->as_array()) units.emplace_back(e.as_string());
    if (auto* x = o.if_contains("villages"))
        for (const auto& e : x->as_array()) villages.emplace_back(e.as_string());
    a.all = units.empty() && villages.empty();
    for (const auto& u : units) a.places.push_back({u, ""});
    for (const auto& name : villages)
        for (const auto& u : ctx.cfg.units)
            if (std::find(u.villages.begin(), u.villages.end(), name) != u.villages.end()) a.places.push_back({u.id, name});
    return a;
}

// Who, in words, for the command line: "every follower", "thôn Đồng Điều, xã Tân Sỏi (tan_soi)".
std::string audience_text(const context& ctx, const target_set& a) {
    if (a.all) return "every follower";
    std::string out;
    for (const auto& p : a.places) {
        const auto* u = ctx.cfg.find_unit(p.unit);
        const std::string name = u ? bot::unit_name_on(*u, today_iso(ctx)) : p.unit;
        out += (out.empty() ? "" : "; ") + (p.village.empty() ? "" : p.village + ", ") + name + " (" + p.unit + ")";
    }
    return out;
}

std::string buttons_json(const std::vector<broadcast_button>& buttons) {
    json::array a;
    for (const auto& b : buttons) a.push_back(json::object{{"title", b.title}, {"url", b.url}});
    return json::serialize(a);
}

std::vector<zalo::button> parse_buttons(const std::string& text) {
    std::vector<zalo::button> out;
    const json::value v = json::parse(text);
    for (const auto& x : v.as_array()) {
        const auto& o = x.as_object();
        zalo::button b;
        b.type = zalo::button::kind::open_url;
        b.title = std::string(o.at("title").as_string());
        b.payload = std::string(o.at("url").as_string());
        out.push_back(std::move(b));
    }
    return out;
}

std::string local_time_text(const context& ctx, std::int64_t ms) {
    return bot::format_local_datetime(ms, ctx.cfg.time.utc_offset_minutes);
}

broadcast_status make_status(const context& ctx, const storage::broadcast_row& b) {
    broadcast_status s;
    s.id = b.id;
    s.state = b.state;
    s.created_by = b.created_by;
    s.text = b.text;
    s.target_json = b.target_json;
    s.buttons_json = b.buttons_json;
    s.scheduled_at = b.scheduled_at;
    s.created_at = b.created_at;
    s.finished_at = b.finished_at;
    if (b.recipients) {
        auto c = storage::count_broadcast(ctx.db, b.id);
        s.recipients = c.recipients;
        s.waiting = c.waiting;
        s.queued = c.queued;
        s.pending = c.pending;
        s.sent = c.sent;
        s.failed = c.failed;
        s.received = c.received;
        s.seen = c.seen;
        s.cancelled = c.cancelled;
        s.excluded = c.excluded;
        // Every message final but the job has not looked yet: report what it will record.
        if (s.state == bstate::sending && s.waiting == 0 && s.pending == 0) s.state = bstate::done;
    } else {
        // Not expanded yet: the followers it targets now.
        s.recipients = static_cast<std::int64_t>(followers_of(ctx, parse_target(ctx, b.target_json)).size());
        if (s.state == bstate::scheduled) s.waiting = s.recipients;
    }
    return s;
}

}  // namespace

broadcast_button parse_button(const std::string& spec) {
    auto bar = spec.rfind('|');
    if (bar == std::string::npos) throw broadcast_error("button \"" + spec + "\": expected \"Title|https://url\"");
    return {trim(spec.substr(0, bar)), trim(spec.substr(bar + 1))};
}

broadcast_request broadcast_request_from_json(const std::string& body, bool* dry_run) {
    // Strict: an unknown key (say "target" instead of "units") is an error naming it, never a
    // broadcast to every follower.
    try {
        auto b = bot::json_body::parse(body);
        broadcast_request r;
        r.text = b.string("text").value_or("");
        r.units = b.strings("units", true).value_or(std::vector<std::string>{});
        r.villages = b.strings("villages", true).value_or(std::vector<std::string>{});
        r.all = b.boolean("all").value_or(false);
        r.at = b.string("at");
        for (auto& item : b.items("buttons").value_or(std::vector<bot::json_body::item>{})) {
            if (auto* spec = std::get_if<std::string>(&item)) {
                r.buttons.push_back(parse_button(*spec));
            } else {
                auto& o = std::get<bot::json_body>(item);
                r.buttons.push_back({o.required_string("title"), o.required_string("url")});
                o.finish();
            }
        }
        const bool dry = b.boolean("dry_run").value_or(false);
        if (dry_run) *dry_run = dry;
        b.finish();
        return r;
    } catch (const broadcast_error&) {
        throw;
    } catch (const std::invalid_argument& e) {
        throw broadcast_error(e.what());
    }
}

broadcast_plan validate_broadcast(const context& ctx, const broadcast_request& req) {
    broadcast_plan p;
    p.text = trim(req.text);
    if (p.text.empty()) throw broadcast_error(ctx.texts.render("broadcast_text_empty"));
    if (!valid_utf8(p.text)) throw broadcast_error(ctx.texts.render("broadcast_text_unreadable"));
    check_variables(ctx, p.text);

    const auto who = resolve_audience(ctx, req, today_iso(ctx), p.units, p.villages);
    p.all = who.all;
    p.places = who.places;

    if (req.buttons.size() > broadcast_max_buttons)
        throw broadcast_error(ctx.texts.render("broadcast_too_many_buttons", {{"max", std::to_string(broadcast_max_buttons)}}));
    for (const auto& b : req.buttons) {
        if (b.title.empty()) throw broadcast_error(ctx.texts.render("broadcast_button_no_title"));
        if (!valid_utf8(b.title)) throw broadcast_error(ctx.texts.render("broadcast_button_unreadable"));
        if (utf8_chars(b.title) > broadcast_max_button_title_chars)
            throw broadcast_error(ctx.texts.render("broadcast_button_title_long",
                                                   {{"title", b.title}, {"max", std::to_string(broadcast_max_button_title_chars)}}));
        static const std::regex url(R"(^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s]*)?$)");
        if (!std::regex_match(b.url, url))
            throw broadcast_error(ctx.texts.render("broadcast_button_bad_link", {{"title", b.title}, {"url", b.url}}));
        p.buttons.push_back(b);
    }

    const std::int64_t now = ctx.now_ms();
    if (req.at && !trim(*req.at).empty()) {
        auto t = bot::parse_local_datetime(trim(*req.at), ctx.cfg.time.utc_offset_minutes);
        if (!t)
            throw broadcast_error(ctx.texts.render("broadcast_bad_time", {{"at", *req.at}, {"example", today_iso(ctx) + " 08:00"}}));
        if (*t < now - past_tolerance_ms) throw broadcast_error(ctx.texts.render("broadcast_time_past", {{"at", *req.at}}));
        p.scheduled_at = *t;
    } else {
        p.scheduled_at = now;
    }

    // The longest text a recipient could get (longest names, opt-out line) must fit one promotion
    // text block.
    std::string longest_unit, longest_village;
    for (const auto& u : ctx.cfg.units) {
        if (utf8_chars(u.name) > utf8_chars(longest_unit)) longest_unit = u.name;
        for (const auto& v : u.villages)
            if (utf8_chars(v) > utf8_chars(longest_village)) longest_village = v;
    }
    auto worst = render_template(p.text, {{"ten_xa", longest_unit}, {"ten_thon", longest_village},
                                          {"ten", std::string(assumed_display_name_chars, 'x')}}) +
                 "\n\n" + ctx.texts.render("broadcast_opt_out_hint");
    if (utf8_chars(worst) > broadcast_max_text_chars)
        throw broadcast_error(ctx.texts.render("broadcast_text_too_long",
                                               {{"chars", std::to_string(utf8_chars(worst))},
                                                {"max", std::to_string(broadcast_max_text_chars)},
                                                {"over", std::to_string(utf8_chars(worst) - broadcast_max_text_chars)}}));
    return p;
}

std::string render_broadcast_text(const context& ctx, const std::string& text, const std::string& unit_id,
                                  const std::string& village, const std::string& display_name) {
    return render_template(text, {{"ten_xa", unit_name(ctx, unit_id)}, {"ten_thon", village}, {"ten", display_name}}) + "\n\n" + ctx.texts.render("broadcast_opt_out_hint");
}

broadcast_preview preview_broadcast(const context& ctx, const broadcast_request& req) {
    auto p = validate_broadcast(ctx, req);
    const target_set who{p.all, p.places};
    auto followers = followers_of(ctx, who);
    broadcast_preview out;
    out.recipients = static_cast<std::int64_t>(followers.size());
    out.all = p.all;
    out.audience = audience_text(ctx, who);
    out.target_json = target_json(p);
    out.scheduled_at = p.scheduled_at;
    out.header = ctx.texts.render("broadcast_header");
    std::string display;
    if (!followers.empty()) {
        out.sample_user = followers.front().user_id;
        out.sample_unit = followers.front().unit_id;
        out.sample_village = followers.front().village;
        display = followers.front().display_name;
    } else {
        // Nobody matches yet: show it as a follower of the first place targeted would read it.
        const bot::unit_config* u = nullptr;
        if (!p.places.empty()) {
            u = ctx.cfg.find_unit(p.places.front().unit);
            out.sample_village = p.places.front().village;
        } else if (const auto today = bot::units_on(ctx.cfg, today_iso(ctx)); !today.empty()) {
            u = today.front();
        }
        if (u) {
            out.sample_unit = u->id;
            if (out.sample_village.empty() && !u->villages.empty()) out.sample_village = u->villages.front();
        }
    }
    out.text = render_broadcast_text(ctx, p.text, out.sample_unit, out.sample_village, display);
    return out;
}

broadcast_created create_broadcast(const context& ctx, const broadcast_request& req) {
    auto p = validate_broadcast(ctx, req);
    storage::broadcast_row row;
    row.created_by = req.created_by.empty() ? "cli" : req.created_by;
    row.text = p.text;
    row.buttons_json = buttons_json(p.buttons);
    row.target_json = target_json(p);
    row.scheduled_at = p.scheduled_at;
    row.local_day = bot::to_iso(bot::local_date_of(p.scheduled_at, ctx.cfg.time.utc_offset_minutes));
    row.created_at = ctx.now_ms();
    broadcast_created out;
    out.id = storage::insert_broadcast(ctx.db, row);
    const target_set who{p.all, p.places};
    out.recipients = static_cast<std::int64_t>(followers_of(ctx, who).size());
    out.scheduled_at = p.scheduled_at;
    out.all = p.all;
    out.audience = audience_text(ctx, who);
    spdlog::info("broadcast {} created by {} for {} to {} ({} followers targeted now)", out.id, row.created_by,
                 local_time_text(ctx, p.scheduled_at), out.audience, out.recipients);
    return out;
}

std::optional<broadcast_status> get_broadcast_status(const context& ctx, std::int64_t id) {
    auto b = storage::find_broadcast(ctx.db, id);
    if (!b) return std::nullopt;
    return make_status(ctx, *b);
}

std::vector<broadcast_status> list_broadcast_statuses(const context& ctx) {
    std::vector<broadcast_status> out;
    for (const auto& b : storage::list_broadcasts(ctx.db)) out.push_back(make_status(ctx, b));
    return out;
}

std::string to_json(const context& ctx, const broadcast_preview& p) {
    json::object o;
    o["dry_run"] = true;
    o["recipients"] = p.recipients;
    o["all"] = p.all;
    o["target"] = json::parse(p.target_json);
    o["scheduled_at"] = local_time_text(ctx, p.scheduled_at);
    o["sample_user"] = p.sample_user;
    o["sample_unit"] = p.sample_unit;
    o["sample_village"] = p.sample_village;
    o["header"] = p.header;
    o["text"] = p.text;
    return json::serialize(o);
}

std::string to_json(const context& ctx, const broadcast_status& s) {
    json::object o;
    o["id"] = s.id;
    o["state"] = std::string(storage::to_string(s.state));
    o["recipients"] = s.recipients;
    o["sent"] = s.sent;
    o["failed"] = s.failed;
    o["received"] = s.received;
    o["seen"] = s.seen;
    o["waiting"] = s.waiting;
    o["pending"] = s.pending;
    o["cancelled"] = s.cancelled;
    o["excluded"] = s.excluded;
    o["scheduled_at"] = local_time_text(ctx, s.scheduled_at);
    o["created_at"] = local_time_text(ctx, s.created_at);
    if (s.finished_at) o["finished_at"] = local_time_text(ctx, *s.finished_at); else o["finished_at"] = nullptr;
    o["created_by"] = s.created_by;
    o["text"] = s.text;
    o["target"] = json::parse(s.target_json);
    o["buttons"] = json::parse(s.buttons_json);
    return json::serialize(o);
}

cancel_result cancel_broadcast(const context& ctx, std::int64_t id, std::int64_t* stopped) {
    storage::write_scope tx(ctx.db);
    auto b = storage::find_broadcast(ctx.db, id);
    if (!b) return cancel_result::not_found;
    if (b->state == bstate::done || b->state == bstate::cancelled) return cancel_result::already_finished;
    if (b->recipients) {
        auto c = storage::count_broadcast(ctx.db, id);
        if (c.waiting == 0 && c.pending == 0) {
            // The last message has gone: nothing left to stop.
            storage::set_broadcast_state(ctx.db, id, bstate::done, ctx.now_ms());
            tx.commit();
            return cancel_result::already_finished;
        }
    }
    auto n = storage::cancel_unsent(ctx.db, id, ctx.now_ms());
    tx.commit();
    if (stopped) *stopped = n;
    spdlog::info("broadcast {} cancelled ({} messages stopped)", id, n);
    return cancel_result::cancelled;
}

std::string broadcast_quota_key(const context& ctx, const std::string& oa) {
    const auto oas = ctx.cfg.official_accounts();
    const bot::oa_config& o = bot::oa_by_id(oas, oa);
    return o.is_default ? "broadcast_daily_quota" : "broadcast_daily_quota:" + o.id;
}

std::int64_t broadcast_daily_quota(const context& ctx, const std::string& oa) {
    if (auto q = storage::reported_daily_quota(ctx.db, broadcast_quota_key(ctx, oa))) return *q;
    const auto oas = ctx.cfg.official_accounts();
    return bot::oa_by_id(oas, oa).broadcast_daily_quota;
}

broadcast_run run_broadcasts(const context& ctx) {
    broadcast_run run;
    const std::int64_t now = ctx.now_ms();
    auto due = storage::due_broadcasts(ctx.db, now);
    if (due.empty()) return run;

    const int offset = ctx.cfg.time.utc_offset_minutes;
    const int minute = bot::local_minute_of_day(now, offset);
    // Zalo sends promotion messages 06:00–21:59 local only (zalo-api.md §2.1; night sends → −234):
    // zalo.promotion_hours, a setting so that a change of Zalo's rule needs no new build.
    const bool in_hours = minute >= ctx.cfg.zalo.promotion_first_minute && minute < ctx.cfg.zalo.promotion_end_minute;
    run.outside_hours = !in_hours;
    const auto today = bot::local_date_of(now, offset);
    const std::int64_t day_start = bot::unix_ms_of(today, 0, offset);
    const std::string day = bot::to_iso(today);
    // Each Official Account has its own daily quota; a recipient's message goes through (and
    // counts against) the OA they follow. Rows from before there were several are the default's.
    const auto oas = ctx.cfg.official_accounts();
    std::map<std::string, std::int64_t> quota, used;
    for (const auto& o : oas) quota[o.id] = broadcast_daily_quota(ctx, o.id);
    for (const auto& [stored, n] : storage::broadcast_messages_by_oa_since(ctx.db, day_start)) used[bot::oa_by_id(oas, stored).id] += n;
    const auto left = [&](const std::string& oa) { return used[oa] < quota[oa]; };
    const auto any_left = [&] { return std::any_of(oas.begin(), oas.end(), [&](const bot::oa_config& o) { return left(o.id); }); };
    auto promoted = storage::promoted_recipients_since(ctx.db, day_start);
    const std::string header = ctx.texts.render("broadcast_header");

    for (const auto& due_row : due) {
        storage::write_scope tx(ctx.db);
        // Re-read inside the transaction: a cancel may have come from another connection.
        auto b = storage::find_broadcast(ctx.db, due_row.id);
        if (!b || b->state == bstate::done || b->state == bstate::cancelled) continue;

        if (b->state == bstate::scheduled) {
            if (!in_hours) continue;  // expand when it can start, so late followers are included
            std::vector<std::string> ids;
            for (const auto& f : followers_of(ctx, parse_target(ctx, b->target_json))) ids.push_back(f.user_id);
            storage::insert_recipients(ctx.db, b->id, ids, now);
            b->state = bstate::sending;
            ++run.started;
            spdlog::info("broadcast {} started: {} recipients", b->id, ids.size());
        }

        // With every OA's quota used up there is nothing to enqueue: skip loading the waiting list.
        if (in_hours && !any_left()) run.quota_exhausted = true;
        if (in_hours && any_left()) {
            const auto buttons = parse_buttons(b->buttons_json);
            kainjow::mustache::mustache tmpl(b->text);
            tmpl.set_custom_escape([](const std::string& s) { return s; });
            const std::string hint = ctx.texts.render("broadcast_opt_out_hint");
            std::vector<zalo::outgoing_message> items;
            std::vector<storage::broadcast_follower> queued;
            std::vector<std::string> texts;
            for (const auto& f : storage::waiting_recipients(ctx.db, b->id)) {
                if (!f.is_follower || f.opted_out) {
                    storage::mark_recipient_excluded(ctx.db, b->id, f.user_id);
                    continue;
                }
                // The OA the follower wrote to; a follower from before there were several (users.oa
                // empty) hears from the OA serving their unit, not from another commune's.
                const std::string oa = f.oa.empty() ? bot::oa_serving(ctx.cfg, oas, f.unit_id) : bot::oa_by_id(oas, f.oa).id;
                if (!left(oa)) {
                    // This OA's quota is used up: its followers wait; another OA's may still go.
                    run.quota_exhausted = true;
                    if (!any_left()) break;
                    continue;
                }
                // Zalo takes one promotion per user per day: a second one waits for tomorrow.
                if (promoted.count(f.user_id)) continue;
                kainjow::mustache::data d;
                d.set("ten_xa", unit_name(ctx, f.unit_id));
                d.set("ten_thon", f.village);
                d.set("ten", f.display_name);
                zalo::outgoing_message m;
                m.recipient = f.user_id;
                m.via = zalo::channel::promotion;
                m.prio = zalo::priority::broadcast;
                m.text = tmpl.render(d) + "\n\n" + hint;
                m.header = header;
                m.buttons = buttons;
                m.purpose = "broadcast";
                m.ref = "broadcast:" + std::to_string(b->id);
                m.broadcast_id = b->id;
                m.oa = oa;
                texts.push_back(m.text);
                items.push_back(std::move(m));
                queued.push_back(f);
                promoted.insert(f.user_id);
                ++used[oa];
            }
            auto ids = zalo::queue_messages(ctx.db, items, now);
            for (std::size_t i = 0; i < ids.size(); ++i) {
                storage::mark_recipient_queued(ctx.db, b->id, queued[i].user_id, ids[i]);
                storage::interaction o;
                o.at = now;
                o.local_day = day;
                o.user_id = queued[i].user_id;
                o.unit_id = queued[i].unit_id;
                o.direction = "out";
                o.kind = "broadcast";
                o.text = texts[i];
                o.oa = items[i].oa;
                storage::log_interaction(ctx.db, o);
            }
            run.enqueued += static_cast<std::int64_t>(ids.size());
        }

        auto c = storage::count_broadcast(ctx.db, b->id);
        bstate next = b->state;
        std::optional<std::int64_t> finished;
        if (c.waiting > 0) {
            if (in_hours) next = bstate::waiting_quota;
        } else if (c.pending == 0) {
            next = bstate::done;
            finished = now;
            ++run.finished;
        } else {
            next = bstate::sending;
        }
        if (next != b->state) storage::set_broadcast_state(ctx.db, b->id, next, finished);
        tx.commit();
        if (next == bstate::waiting_quota && b->state != next)
            spdlog::info("broadcast {}: {} recipients wait for the next quota window", b->id, c.waiting);
    }
    if (run.enqueued > 0) spdlog::info("broadcasts: {} messages enqueued", run.enqueued);
    return run;
}

}  // namespace handlers

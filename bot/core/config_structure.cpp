// The administrative structure and the Official Accounts: read from TOML, then checked together.
#include "bot/core/config_structure.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <set>
#include <string_view>

#include "bot/core/local_time.hpp"

namespace bot::config_detail {

namespace {

void check_keys(const toml::table& t, const std::string& ctx, std::initializer_list<std::string_view> known) {
    for (auto&& [k, v] : t) {
        (void)v;
        if (std::find(known.begin(), known.end(), k.str()) == known.end())
            fail(ctx + "." + std::string(k.str()), "unknown key");
    }
}

std::string required(const toml::table& t, const std::string& ctx, const char* key) {
    auto v = t[key].value<std::string>();
    if (!v || !t[key].is_string() || trim(*v).empty()) fail(ctx + "." + key, "missing or not a string");
    return trim(*v);
}

std::string optional(const toml::table& t, const std::string& ctx, const char* key) {
    const toml::node* n = t.get(key);
    if (!n) return {};
    if (!n->is_string()) fail(ctx + "." + key, "must be a string");
    return trim(*n->value<std::string>());
}

std::string optional_date(const toml::table& t, const std::string& ctx, const char* key) {
    const toml::node* n = t.get(key);
    if (!n) return {};
    std::string v;
    if (n->is_date()) {
        v = to_iso({n->as_date()->get().year, n->as_date()->get().month, n->as_date()->get().day});
    } else if (n->is_string()) {
        v = trim(*n->value<std::string>());
    } else {
        fail(ctx + "." + key, "must be a date 'YYYY-MM-DD'");
    }
    if (!parse_iso_date(v)) fail(ctx + "." + key, "must be a date 'YYYY-MM-DD', got \"" + v + "\"");
    return v;
}

std::vector<std::string> string_list(const toml::table& t, const std::string& ctx, const char* key) {
    std::vector<std::string> out;
    const toml::node* n = t.get(key);
    if (!n) return out;
    const toml::array* a = n->as_array();
    if (!a) fail(ctx + "." + key, "must be a list of strings");
    for (auto&& el : *a) {
        auto s = el.value<std::string>();
        if (!s || !el.is_string() || trim(*s).empty()) fail(ctx + "." + key, "must be a list of non-empty strings");
        out.push_back(trim(*s));
    }
    return out;
}

// The context name of a table: "units.<id>" once its id is known, else "units[i]".
std::string named(const char* section, std::size_t i, const toml::table& t) {
    auto id = t["id"].value<std::string>();
    if (id && !trim(*id).empty()) return std::string(section) + "." + trim(*id);
    return std::string(section) + "[" + std::to_string(i) + "]";
}

// Calls fn(table, context name) for each table of the array of tables `section` of `root`.
void each_table(const toml::table& root, const char* section,
                const std::function<void(const toml::table&, const std::string&)>& fn) {
    const toml::node* n = root.get(section);
    if (!n) return;
    const toml::array* arr = n->as_array();
    if (!arr) fail(section, std::string("must be [[") + section + "]] tables");
    std::size_t i = 0;
    for (auto&& el : *arr) {
        const toml::table* t = el.as_table();
        if (!t) fail(std::string(section) + "[" + std::to_string(i) + "]", "must be a table");
        fn(*t, named(section, i++, *t));
    }
}

std::string day_after(const std::string& iso) {
    return to_iso(civil_from_days(days_from_civil(*parse_iso_date(iso)) + 1));
}

std::string upper_id(const std::string& id) {
    std::string s = id;
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
    return s;
}

bool valid_oa_id(const std::string& id) {
    if (id.empty() || id.size() > 32) return false;
    return std::all_of(id.begin(), id.end(),
                       [](unsigned char c) { return std::islower(c) || std::isdigit(c) || c == '_'; });
}

// "[from .. until]" for messages.
std::string period(const std::string& from, const std::string& until) {
    return (from.empty() ? std::string("always") : from) + " .. " + (until.empty() ? std::string("now") : until);
}

// True when [from, until] lies inside [outer_from, outer_until] (empty ends are open).
bool inside(const std::string& from, const std::string& until, const std::string& outer_from,
            const std::string& outer_until) {
    if (!outer_from.empty() && (from.empty() || from < outer_from)) return false;
    if (!outer_until.empty() && (until.empty() || until > outer_until)) return false;
    return true;
}

std::size_t level_index(const config& cfg, const std::string& id) {
    for (std::size_t i = 0; i < cfg.levels.size(); ++i)
        if (cfg.levels[i].id == id) return i;
    return cfg.levels.size();
}

bool names_history(const config& cfg) {
    for (const auto& l : cfg.levels)
        if (!l.valid_from.empty() || !l.valid_until.empty()) return true;
    for (const auto& u : cfg.units)
        if (!u.parent.empty() || !u.valid_from.empty() || !u.valid_until.empty() || !u.successors.empty()) return true;
    return false;
}

// A file from before units had history names no parents: each unit then sits below the only
// unit of the nearest level above it (the district desk above its communes), as it always did.
void fill_single_period_parents(config& cfg) {
    if (names_history(cfg)) return;
    for (auto& u : cfg.units) {
        const std::size_t mine = level_index(cfg, u.level);
        for (std::size_t li = mine; li-- > 0;) {
            const unit_config* only = nullptr;
            int count = 0;
            for (const auto& other : cfg.units)
                if (other.level == cfg.levels[li].id) {
                    only = &other;
                    ++count;
                }
            if (count == 0) continue;
            if (count == 1 && only->id != u.id) u.parent = only->id;
            break;
        }
    }
}

void validate_levels(const config& cfg) {
    std::set<std::string> seen;
    for (const auto& l : cfg.levels) {
        const std::string ctx = "levels." + l.id;
        if (!seen.insert(l.id).second) fail("levels", "duplicate level id \"" + l.id + "\"");
        if (!l.valid_from.empty() && !l.valid_until.empty() && l.valid_until < l.valid_from)
            fail(ctx + ".valid_until", l.valid_until + " is before valid_from " + l.valid_from);
    }
}

void validate_units(const config& cfg) {
    std::set<std::string> seen;
    for (const auto& u : cfg.units)
        if (!seen.insert(u.id).second) fail("units", "duplicate unit id \"" + u.id + "\"");

    for (const auto& u : cfg.units) {
        const std::string ctx = "units." + u.id;
        const level_config* level = cfg.find_level(u.level);
        if (!level) fail(ctx + ".level", "unknown level \"" + u.level + "\"");
        if (!u.valid_from.empty() && !u.valid_until.empty() && u.valid_until < u.valid_from)
            fail(ctx + ".valid_until", u.valid_until + " is before valid_from " + u.valid_from);
        if (!inside(u.valid_from, u.valid_until, level->valid_from, level->valid_until))
            fail(ctx + ".valid_from", "the unit's period " + period(u.valid_from, u.valid_until) +
                                          " lies outside its level \"" + level->id + "\" (" +
                                          period(level->valid_from, level->valid_until) + ")");
        if (!u.parent.empty()) {
            const unit_config* p = cfg.find_unit(u.parent);
            if (!p) fail(ctx + ".parent", "unknown unit \"" + u.parent + "\"");
            if (p == &u) fail(ctx + ".parent", "a unit cannot be its own parent");
            if (level_index(cfg, p->level) >= level_index(cfg, u.level))
                fail(ctx + ".parent",
                     "\"" + p->id + "\" is not on a level above \"" + u.level + "\" (levels are listed from the top)");
            if (!inside(u.valid_from, u.valid_until, p->valid_from, p->valid_until))
                fail(ctx + ".parent", "\"" + p->id + "\" (" + period(p->valid_from, p->valid_until) +
                                          ") does not exist for the whole period of \"" + u.id + "\" (" +
                                          period(u.valid_from, u.valid_until) + ")");
        }
        std::set<std::string> succ;
        for (const auto& s : u.successors) {
            if (!succ.insert(s).second) fail(ctx + ".successors", "\"" + s + "\" is listed twice");
            if (s == u.id) fail(ctx + ".successors", "a unit cannot succeed itself");
            if (!cfg.find_unit(s)) fail(ctx + ".successors", "unknown unit \"" + s + "\"");
        }
        std::string prev;
        for (std::size_t i = 0; i < u.former_names.size(); ++i) {
            const auto& f = u.former_names[i];
            const std::string fctx = ctx + ".former_names[" + std::to_string(i) + "]";
            if (f.name.empty()) fail(fctx + ".name", "missing");
            if (!prev.empty() && f.until <= prev)
                fail(fctx + ".until", "former names go oldest first (" + f.until + " is not after " + prev + ")");
            if (!u.valid_from.empty() && f.until < u.valid_from)
                fail(fctx + ".until", f.until + " is before the unit begins (" + u.valid_from + ")");
            if (!u.valid_until.empty() && f.until >= u.valid_until)
                fail(fctx + ".until", f.until + " is not before the unit ends (" + u.valid_until + ")");
            prev = f.until;
        }
    }

    // Cycles: parents, then successors (a unit cannot become, through others, what it was).
    for (const auto& u : cfg.units) {
        std::vector<std::string> chain{u.id};
        for (const unit_config* p = cfg.find_unit(u.parent); p; p = cfg.find_unit(p->parent)) {
            if (std::find(chain.begin(), chain.end(), p->id) != chain.end()) {
                std::string c;
                for (const auto& id : chain) c += id + " → ";
                fail("units." + u.id + ".parent", "cycle " + c + p->id);
            }
            chain.push_back(p->id);
        }
    }
    std::map<std::string, int> state;  // 0 new, 1 on the path, 2 done
    std::vector<std::string> path;
    std::function<void(const unit_config&)> visit = [&](const unit_config& u) {
        state[u.id] = 1;
        path.push_back(u.id);
        for (const auto& s : u.successors) {
            if (state[s] == 1) {
                std::string c;
                for (auto it = std::find(path.begin(), path.end(), s); it != path.end(); ++it) c += *it + " → ";
                fail("units." + u.id + ".successors", "cycle " + c + s);
            }
            if (state[s] == 0) visit(*cfg.find_unit(s));
        }
        path.pop_back();
        state[u.id] = 2;
    };
    for (const auto& u : cfg.units)
        if (state[u.id] == 0) visit(u);

    // Periods: a unit ends before what replaces it begins, and something takes over the next day.
    for (const auto& u : cfg.units) {
        if (u.successors.empty()) continue;
        const std::string ctx = "units." + u.id;
        if (u.valid_until.empty()) fail(ctx + ".valid_until", "a unit with successors needs the last day it existed");
        const std::string next_day = day_after(u.valid_until);
        for (const auto& s : u.successors) {
            const unit_config* n = cfg.find_unit(s);
            if (n->valid_from.empty() || n->valid_from <= u.valid_until)
                fail(ctx + ".successors", "overlapping validity: \"" + s + "\" exists from " +
                                              (n->valid_from.empty() ? std::string("always") : n->valid_from) +
                                              ", before \"" + u.id + "\" ends on " + u.valid_until);
            if (n->valid_from > next_day)
                fail(ctx + ".successors", "\"" + s + "\" begins on " + n->valid_from + ", not the day after \"" + u.id +
                                              "\" ends (" + next_day + ")");
        }
    }
}

void validate_official_accounts(config& cfg) {
    std::set<std::string> ids;
    std::set<std::pair<std::string, std::string>> accounts;
    int defaults = 0;
    for (const auto& oa : cfg.oa_tables) {
        const std::string ctx = "oa." + oa.id;
        if (!ids.insert(oa.id).second) fail("oa", "duplicate OA id \"" + oa.id + "\"");
        if (!accounts.insert({oa.app_id, oa.oa_id}).second)
            fail(ctx + ".oa_id", "another [[oa]] has the same app_id and oa_id");
        for (const auto& u : oa.units)
            if (!cfg.find_unit(u)) fail(ctx + ".units", "unknown unit \"" + u + "\"");
        if (oa.is_default) ++defaults;
    }
    if (defaults > 1) fail("oa", "more than one [[oa]] says default = true");
    if (defaults == 0 && !cfg.oa_tables.empty()) cfg.oa_tables.front().is_default = true;
}

}  // namespace

void read_structure(const toml::table& root, config& cfg) {
    each_table(root, "levels", [&cfg](const toml::table& t, const std::string& ctx) {
        check_keys(t, ctx, {"id", "label", "valid_from", "valid_until", "unit_word"});
        cfg.levels.push_back({required(t, ctx, "id"), required(t, ctx, "label"), optional_date(t, ctx, "valid_from"),
                              optional_date(t, ctx, "valid_until"), optional(t, ctx, "unit_word")});
    });
    each_table(root, "units", [&cfg](const toml::table& table, const std::string& ctx) {
        const toml::table* t = &table;
        check_keys(*t, ctx,
                   {"id", "name", "level", "villages", "address", "phone", "valid_from", "valid_until", "successors",
                    "parent", "former_names", "desk_name"});
        unit_config u;
        u.id = required(*t, ctx, "id");
        u.name = required(*t, ctx, "name");
        u.level = required(*t, ctx, "level");
        u.villages = string_list(*t, ctx, "villages");
        u.address = optional(*t, ctx, "address");
        u.phone = optional(*t, ctx, "phone");
        u.valid_from = optional_date(*t, ctx, "valid_from");
        u.valid_until = optional_date(*t, ctx, "valid_until");
        u.successors = string_list(*t, ctx, "successors");
        u.parent = optional(*t, ctx, "parent");
        u.desk_name = optional(*t, ctx, "desk_name");
        if (const toml::node* fn = t->get("former_names")) {
            const toml::array* fa = fn->as_array();
            if (!fa) fail(ctx + ".former_names", "must be a list of { name = \"...\", until = \"YYYY-MM-DD\" }");
            std::size_t j = 0;
            for (auto&& fel : *fa) {
                const std::string fctx = ctx + ".former_names[" + std::to_string(j++) + "]";
                const toml::table* ft = fel.as_table();
                if (!ft) fail(fctx, "must be { name = \"...\", until = \"YYYY-MM-DD\" }");
                check_keys(*ft, fctx, {"name", "until"});
                former_name f{required(*ft, fctx, "name"), optional_date(*ft, fctx, "until")};
                if (f.until.empty()) fail(fctx + ".until", "missing");
                u.former_names.push_back(std::move(f));
            }
        }
        cfg.units.push_back(std::move(u));
    });
}

void read_official_accounts(const toml::table& root, const std::map<std::string, std::string>& env, config& cfg) {
    each_table(root, "oa", [&cfg, &env](const toml::table& table, const std::string& ctx) {
        const toml::table* t = &table;
        for (const char* secret : {"oa_secret_key", "app_secret", "refresh_token"})
            if (t->get(secret))
                fail(ctx + "." + secret,
                     std::string("secrets may not be written in the file; use ") + secret + "_file or the environment");
        check_keys(*t, ctx,
                   {"id", "name", "app_id", "oa_id", "units", "oa_secret_key_file", "app_secret_file",
                    "refresh_token_file", "broadcast_daily_quota", "zns_reminder_template", "default", "locality"});
        oa_config oa;
        oa.id = required(*t, ctx, "id");
        if (!valid_oa_id(oa.id)) fail(ctx + ".id", "use 1 to 32 of a-z, 0-9 and _ (it names environment variables)");
        oa.name = optional(*t, ctx, "name");
        oa.app_id = required(*t, ctx, "app_id");
        oa.oa_id = required(*t, ctx, "oa_id");
        oa.units = string_list(*t, ctx, "units");
        oa.zns_reminder_template = t->get("zns_reminder_template") ? optional(*t, ctx, "zns_reminder_template")
                                                                   : cfg.zalo.zns_reminder_template;
        oa.broadcast_daily_quota = cfg.zalo.broadcast_daily_quota;
        if (const toml::node* q = t->get("broadcast_daily_quota")) {
            auto v = q->value<std::int64_t>();
            if (!q->is_integer() || !v || *v < 0 || *v > 100000000)
                fail(ctx + ".broadcast_daily_quota", "expected a whole number from 0 to 100000000");
            oa.broadcast_daily_quota = static_cast<unsigned>(*v);
        }
        if (const toml::node* d = t->get("default")) {
            if (!d->is_boolean()) fail(ctx + ".default", "expected true or false");
            oa.is_default = *d->value<bool>();
        }
        if (const toml::node* loc = t->get("locality")) {
            if (!loc->is_table()) fail(ctx + ".locality", "must be a table ([oa.locality] after its [[oa]])");
            read_locality_table(*loc->as_table(), ctx + ".locality", oa.locality);
        }
        // Secrets: CCHCBOT_OA_<ID>_<NAME> holds the value; else <name>_file (or CCHCBOT_OA_<ID>_<NAME>_FILE).
        const std::string prefix = "CCHCBOT_OA_" + upper_id(oa.id) + "_";
        auto secret = [&](const char* name, std::string& out) {
            const std::string env_key = prefix + upper_id(name);
            std::string file_key = std::string(name) + "_file";
            std::string file = optional(*t, ctx, file_key.c_str());
            if (auto it = env.find(env_key + "_FILE"); it != env.end() && !it->second.empty()) file = it->second;
            if (auto it = env.find(env_key); it != env.end() && !trim(it->second).empty())
                out = trim(it->second);
            else if (!file.empty())
                out = read_secret_file(ctx + "." + file_key, file);
        };
        secret("oa_secret_key", oa.oa_secret_key);
        secret("app_secret", oa.app_secret);
        secret("refresh_token", oa.refresh_token);
        cfg.oa_tables.push_back(std::move(oa));
    });
    // With [[oa]] tables, the per-account [zalo] keys would be a second, silent account.
    if (!cfg.oa_tables.empty()) {
        const std::pair<const char*, const std::string*> per_account[] = {
            {"zalo.app_id", &cfg.zalo.app_id},
            {"zalo.oa_id", &cfg.zalo.oa_id},
            {"zalo.oa_secret_key_file", &cfg.zalo.oa_secret_key},
            {"zalo.app_secret_file", &cfg.zalo.app_secret},
            {"zalo.refresh_token_file", &cfg.zalo.refresh_token}};
        for (const auto& [key, value] : per_account)
            if (!value->empty())
                fail(key, "with [[oa]] tables each account sets this in its own [[oa]] (or CCHCBOT_OA_<ID>_...)");
    }
}

void read_example_structure(config& cfg) {
    const std::string path = cfg.templates_dir + "/cchcbot.example.toml";
    toml::table root;
    try {
        root = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        fail("templates_dir", "the example configuration " + path +
                                  " (the demo's units) cannot be read: " + std::string(e.description()));
    }
    config example;
    read_structure(root, example);
    cfg.levels = std::move(example.levels);
    cfg.units = std::move(example.units);
}

void validate_structure(config& cfg) {
    validate_levels(cfg);
    fill_single_period_parents(cfg);
    validate_units(cfg);
    validate_official_accounts(cfg);
}

}  // namespace bot::config_detail

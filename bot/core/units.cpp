// Units as of a date. Dates are 'YYYY-MM-DD' text, so they compare as strings.
#include "bot/core/units.hpp"

#include "bot/core/config.hpp"

#include <algorithm>

namespace bot {

namespace {

bool within(std::string_view from, std::string_view until, std::string_view date) {
    return (from.empty() || from <= date) && (until.empty() || date <= until);
}

// Configuration files hold a few hundred units: the successor chain is followed with a bound so
// that even an unvalidated configuration with a cycle cannot loop.
constexpr int max_chain = 64;

}  // namespace

bool exists_on(const unit_config& u, std::string_view date) { return within(u.valid_from, u.valid_until, date); }

bool exists_on(const level_config& l, std::string_view date) { return within(l.valid_from, l.valid_until, date); }

const unit_config* unit_on(const config& cfg, std::string_view id, std::string_view date) {
    const unit_config* u = cfg.find_unit(std::string(id));
    for (int step = 0; u && step < max_chain; ++step) {
        if (exists_on(*u, date)) return u;
        if (!u->valid_from.empty() && date < u->valid_from) return nullptr;  // not yet
        if (u->successors.empty()) return nullptr;                         // ended, nobody after
        u = cfg.find_unit(u->successors.front());
    }
    return nullptr;
}

std::vector<const unit_config*> units_on(const config& cfg, std::string_view date) {
    std::vector<const unit_config*> out;
    for (const auto& u : cfg.units)
        if (exists_on(u, date)) out.push_back(&u);
    return out;
}

const std::string& unit_name_on(const unit_config& u, std::string_view date) {
    for (const auto& f : u.former_names)
        if (date <= f.until) return f.name;
    return u.name;
}

std::vector<std::string> predecessors(const config& cfg, std::string_view id) {
    std::vector<std::string> found;
    std::vector<std::string> todo{std::string(id)};
    while (!todo.empty() && found.size() < cfg.units.size()) {
        const std::string cur = std::move(todo.back());
        todo.pop_back();
        for (const auto& u : cfg.units) {
            if (u.id == id || std::find(found.begin(), found.end(), u.id) != found.end()) continue;
            if (std::find(u.successors.begin(), u.successors.end(), cur) == u.successors.end()) continue;
            found.push_back(u.id);
            todo.push_back(u.id);
        }
    }
    // Configuration order, whatever order the walk found them in.
    std::vector<std::string> ordered;
    for (const auto& u : cfg.units)
        if (std::find(found.begin(), found.end(), u.id) != found.end()) ordered.push_back(u.id);
    return ordered;
}

const unit_config* parent_of(const config& cfg, const unit_config& u) {
    return u.parent.empty() ? nullptr : cfg.find_unit(u.parent);
}

std::string why_not_on(const config& cfg, std::string_view id, std::string_view date) {
    const unit_config* u = cfg.find_unit(std::string(id));
    if (!u) return "unknown unit \"" + std::string(id) + "\"";
    if (exists_on(*u, date)) return {};
    std::string what = "unit \"" + u->id + "\" (" + unit_name_on(*u, date) + ")";
    if (!u->valid_from.empty() && date < u->valid_from) return what + " begins on " + u->valid_from;
    what += " ended on " + u->valid_until;
    if (const unit_config* now = unit_on(cfg, id, date)) what += "; it is now \"" + now->id + "\" (" + unit_name_on(*now, date) + ")";
    return what;
}

unit_resolver::unit_resolver(const config& cfg, std::string date) : cfg_(cfg), date_(std::move(date)) {}

const unit_config* unit_resolver::on(const std::string& id) {
    auto it = memo_.find(id);
    if (it != memo_.end()) return it->second;
    return memo_.emplace(id, unit_on(cfg_, id, date_)).first->second;
}

const std::string& unit_resolver::id_on(const std::string& id) {
    const unit_config* u = on(id);
    return u ? u->id : id;
}

}  // namespace bot

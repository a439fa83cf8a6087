// Unit scope: which units a staff member or token may see and change.
#include "bot/core/scope.hpp"

#include "bot/core/config.hpp"
#include "bot/core/units.hpp"

#include <algorithm>

namespace bot {

namespace {

// Parent chains and successor links are a few steps deep; the bound keeps an unvalidated
// configuration with a cycle from looping.
constexpr std::size_t max_steps = 256;

}  // namespace

bool unit_scope::covers(const config& cfg, std::string_view unit_id) const {
    if (all) return true;
    if (unit_id.empty() || units.empty()) return false;
    auto served = [this](std::string_view id) { return std::find(units.begin(), units.end(), id) != units.end(); };
    if (served(unit_id)) return true;
    const unit_config* target = cfg.find_unit(std::string(unit_id));
    if (!target) return false;
    // The target, every unit it became (successors of successors...), and the units above each
    // of them: whoever serves one of those serves the target's dossiers and citizens.
    std::vector<const unit_config*> todo{target};
    std::vector<const unit_config*> seen;
    std::size_t steps = 0;
    while (!todo.empty() && steps < max_steps) {
        const unit_config* u = todo.back();
        todo.pop_back();
        if (std::find(seen.begin(), seen.end(), u) != seen.end()) continue;
        seen.push_back(u);
        for (const unit_config* a = u; a && steps < max_steps; a = parent_of(cfg, *a), ++steps)
            if (served(a->id)) return true;
        for (const auto& s : u->successors)
            if (const unit_config* next = cfg.find_unit(s)) todo.push_back(next);
    }
    return false;
}

}  // namespace bot

// Unit scope: which units a staff member or token may see and change.
#include "bot/core/scope.hpp"

#include "bot/core/config.hpp"

#include <algorithm>

namespace bot {

namespace {

// Position of a level in the configured order (higher tiers first); npos when unknown.
std::size_t level_rank(const config& cfg, const std::string& level) {
    for (std::size_t i = 0; i < cfg.levels.size(); ++i)
        if (cfg.levels[i].id == level) return i;
    return std::string::npos;
}

}  // namespace

bool unit_scope::covers(const config& cfg, std::string_view unit_id) const {
    if (all) return true;
    if (unit_id.empty()) return false;
    if (std::find(units.begin(), units.end(), unit_id) != units.end()) return true;
    const unit_config* target = cfg.find_unit(std::string(unit_id));
    if (!target) return false;
    const std::size_t target_rank = level_rank(cfg, target->level);
    for (const auto& id : units) {
        const unit_config* served = cfg.find_unit(id);
        if (!served) continue;
        const std::size_t served_rank = level_rank(cfg, served->level);
        if (served_rank != std::string::npos && target_rank != std::string::npos && served_rank < target_rank)
            return true;
    }
    return false;
}

}  // namespace bot

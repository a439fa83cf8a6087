// Official Accounts: by event, by id, by unit.
#include "bot/core/official_accounts.hpp"

#include "bot/core/config.hpp"
#include "bot/core/scope.hpp"
#include "bot/core/units.hpp"

#include <algorithm>

namespace bot {

const oa_config* oa_for_event(const std::vector<oa_config>& oas, std::string_view app_id, std::string_view oa_id) {
    const oa_config* only_of_app = nullptr;
    int of_app = 0;
    for (const auto& oa : oas) {
        if (oa.app_id != app_id) continue;
        if (!oa_id.empty() && oa.oa_id == oa_id) return &oa;
        only_of_app = &oa;
        ++of_app;
    }
    // One OA of this app: the event is its own even when it names no OA (or the OA id was not
    // configured, as a zero-configuration [zalo] deployment may leave it).
    if (of_app == 1 && (oa_id.empty() || only_of_app->oa_id.empty())) return only_of_app;
    return nullptr;
}

std::string oa_id_for(const config& cfg, std::string_view app_id, std::string_view oa_zalo_id) {
    if (cfg.oa_tables.empty()) return "default";
    const oa_config* oa = oa_for_event(cfg.oa_tables, app_id, oa_zalo_id);
    return oa ? oa->id : std::string{};
}

const oa_config& oa_by_id(const std::vector<oa_config>& oas, std::string_view id) {
    const oa_config* fallback = &oas.front();
    for (const auto& oa : oas) {
        if (!id.empty() && oa.id == id) return oa;
        if (oa.is_default) fallback = &oa;
    }
    return *fallback;
}

std::vector<const unit_config*> oa_units_on(const config& cfg, std::string_view oa_id, std::string_view date) {
    std::vector<const unit_config*> out;
    for (const auto& oa : cfg.oa_tables) {
        if (oa.id != oa_id) continue;
        for (const auto& id : oa.units)
            if (const unit_config* u = unit_on(cfg, id, date); u && std::find(out.begin(), out.end(), u) == out.end())
                out.push_back(u);
    }
    return out;
}

std::string oa_serving(const config& cfg, const std::vector<oa_config>& oas, std::string_view unit_id) {
    for (const auto& oa : oas)
        if (!oa.units.empty() && unit_scope::of(oa.units).covers(cfg, unit_id)) return oa.id;
    return oa_by_id(oas, "").id;
}

const oa_config& official_oa(const config& cfg, const std::vector<oa_config>& oas, std::string_view linked_oa,
                             std::string_view unit_id) {
    if (!linked_oa.empty()) return oa_by_id(oas, linked_oa);
    return oa_by_id(oas, oa_serving(cfg, oas, unit_id));
}

}  // namespace bot

// Which Official Account: the one an event arrived for, the one that serves a unit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bot {

struct config;
struct oa_config;
struct unit_config;

/// The OA an event is for: the one with this app id and OA id; when the event names no OA id
/// (some ZNS events), the only OA of that app id. nullptr when none matches.
[[nodiscard]] const oa_config* oa_for_event(const std::vector<oa_config>& oas, std::string_view app_id,
                                            std::string_view oa_id);

/// The [[oa]] id of the OA an event came for, from the app id and the OA's Zalo id it names:
/// "default" when no [[oa]] is configured (the [zalo] keys are the one OA), empty when no
/// configured OA matches.
[[nodiscard]] std::string oa_id_for(const config& cfg, std::string_view app_id, std::string_view oa_zalo_id);

/// The OA with this id; '' (rows from before there were several) and unknown ids mean the default.
[[nodiscard]] const oa_config& oa_by_id(const std::vector<oa_config>& oas, std::string_view id);

/// The units the OA `oa_id` serves, as they are on `date` (a unit merged since: the one that
/// took over), configuration order, each once. Empty when it serves every unit, when no [[oa]]
/// is configured, or for an unknown id.
[[nodiscard]] std::vector<const unit_config*> oa_units_on(const config& cfg, std::string_view oa_id, std::string_view date);

/// The id of the OA that serves `unit_id`: the first whose units cover it (bot::unit_scope),
/// else the default OA. For messages to someone not linked on any OA (ZNS reminders by phone).
[[nodiscard]] std::string oa_serving(const config& cfg, const std::vector<oa_config>& oas, std::string_view unit_id);

/// The OA a message to an official goes through: the one their Zalo account is linked on
/// (`linked_oa`, officials.oa), else the one that serves their unit (bot::oa_serving). For a ZNS
/// by phone its zns_reminder_template is the template.
[[nodiscard]] const oa_config& official_oa(const config& cfg, const std::vector<oa_config>& oas, std::string_view linked_oa,
                                           std::string_view unit_id);

}  // namespace bot

// The locality's words in texts: the one-stop desk's name, what people call their units, the portal.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace bot {

struct config;
struct unit_config;
struct oa_config;
class message_catalog;

/// The [locality] values: templates/kb/locality-defaults.toml (in cfg.kb.dir) overlaid with the
/// configuration's [locality], then `portal_url` and `hotline` from [conversation].
struct locality_values {
    std::map<std::string, std::string> values;
    std::vector<std::string> problems;  ///< "file:line: reason" for a malformed defaults file
};
/// Reads them; a missing defaults file is not a problem (the configuration may give everything).
[[nodiscard]] locality_values read_locality(const config& cfg);

/// The locality values of one OA's answers, as of `date` (YYYY-MM-DD): `global` (read_locality's),
/// then what the OA's first served unit says (its desk name, as desk_name_of; its address and
/// phone when set; ten_dia_phuong its name plus the province part of the global one, e.g.
/// "phường Bố Hạ, tỉnh Bắc Ninh"; a value naming the global desk or place names the OA's), then
/// the OA's `[oa.locality]`. An OA that serves every unit keeps the global values but its own table.
[[nodiscard]] std::map<std::string, std::string> oa_locality(const config& cfg, const oa_config& oa,
                                                             const std::map<std::string, std::string>& global,
                                                             const std::string& date);

/// The locality keys the message texts need that have no value: "file:0: locality.X is missing".
[[nodiscard]] std::vector<std::string> missing_wording(const config& cfg);

/// The variables every message text may use, from the locality values: {{desk}} (the one-stop
/// desk, `mot_cua_ten`), {{desk_prefix}}, {{unit_word}} ("xã, phường"), {{village_word}},
/// {{portal_name}}, {{portal}} (the URL), {{locality}} (`ten_dia_phuong`). A caller's own
/// variable of the same name wins (for example the citizen's own desk).
[[nodiscard]] std::map<std::string, std::string> message_defaults(const config& cfg);

/// templates/messages with message_defaults(cfg) filled in. @throws std::runtime_error as
/// message_catalog::load does.
[[nodiscard]] message_catalog load_messages(const config& cfg);

/// The one-stop desk of a unit as citizens name it: the unit's `desk_name`, else
/// "{{desk_prefix}} <unit name>" (today: "Trung tâm Phục vụ hành chính công xã Yên Thế").
[[nodiscard]] std::string desk_name_of(const message_catalog& texts, const unit_config& unit);
/// The same with the prefix given (`mot_cua_tien_to`).
[[nodiscard]] std::string desk_name_of(const std::string& desk_prefix, const unit_config& unit);

}  // namespace bot

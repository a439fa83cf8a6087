// The locality's words in texts, read once from [locality] and templates/kb/locality-defaults.toml.
#include "bot/core/wording.hpp"

#include "bot/core/config.hpp"
#include "bot/core/messages.hpp"
#include "bot/core/official_accounts.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <iterator>

namespace bot {

namespace {

const char* const defaults_file_name = "locality-defaults.toml";

// The keys the message texts need; kb check fails without them.
const char* const required_keys[] = {"ten_dia_phuong", "mot_cua_ten", "mot_cua_tien_to", "unit_word", "village_word",
                                      "ten_cong_dvc"};

std::string value_or_empty(const std::map<std::string, std::string>& m, const std::string& key) {
    auto it = m.find(key);
    return it == m.end() ? std::string{} : it->second;
}

}  // namespace

locality_values read_locality(const config& cfg) {
    locality_values out;
    const std::filesystem::path path = std::filesystem::path(cfg.kb.dir) / defaults_file_name;
    const std::string file = path.string();
    auto problem = [&](long line, const std::string& what) {
        out.problems.push_back(file + ":" + std::to_string(line) + ": " + what);
    };
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
        try {
            auto root = toml::parse_file(file);
            for (auto&& [k, v] : root) {
                const long line = static_cast<long>(v.source().begin.line);
                if (k.str() != "locality" || !v.is_table()) {
                    problem(line, "unknown key \"" + std::string(k.str()) + "\" (only a [locality] table belongs here)");
                    continue;
                }
                for (auto&& [lk, lv] : *v.as_table()) {
                    auto s = lv.value<std::string>();
                    if (!s || !lv.is_string()) {
                        problem(static_cast<long>(lv.source().begin.line), "locality." + std::string(lk.str()) + " must be a string");
                        continue;
                    }
                    out.values[std::string(lk.str())] = *s;
                }
            }
        } catch (const toml::parse_error& e) {
            problem(static_cast<long>(e.source().begin.line), std::string(e.description()));
        }
    }
    for (const auto& [k, v] : cfg.locality) out.values[k] = v;
    out.values["portal_url"] = cfg.conversation.portal_url;
    if (!cfg.conversation.hotline.empty()) out.values["hotline"] = cfg.conversation.hotline;
    return out;
}

std::vector<std::string> missing_wording(const config& cfg) {
    std::vector<std::string> out;
    const auto values = read_locality(cfg).values;
    const std::string file = (std::filesystem::path(cfg.kb.dir) / defaults_file_name).string();
    for (const char* key : required_keys)
        if (value_or_empty(values, key).find_first_not_of(" \t") == std::string::npos)
            out.push_back(file + ":0: locality." + std::string(key) +
                          " is missing (the message texts use it; set it there or in [locality])");
    return out;
}

std::map<std::string, std::string> message_defaults(const config& cfg) {
    const auto loc = read_locality(cfg).values;
    std::map<std::string, std::string> d;
    d["desk"] = value_or_empty(loc, "mot_cua_ten");
    d["desk_prefix"] = value_or_empty(loc, "mot_cua_tien_to");
    d["unit_word"] = value_or_empty(loc, "unit_word");
    // Without [locality] unit_word, the word of the lowest level still in use (where citizens
    // live: "xã, phường" since 2025) from [[levels]] unit_word.
    if (!cfg.locality.count("unit_word"))
        for (auto it = cfg.levels.rbegin(); it != cfg.levels.rend(); ++it)
            if (it->valid_until.empty() && !it->unit_word.empty()) {
                d["unit_word"] = it->unit_word;
                break;
            }
    d["village_word"] = value_or_empty(loc, "village_word");
    d["portal_name"] = value_or_empty(loc, "ten_cong_dvc");
    d["portal"] = cfg.conversation.portal_url;
    d["locality"] = value_or_empty(loc, "ten_dia_phuong");
    return d;
}

message_catalog load_messages(const config& cfg) {
    auto texts = message_catalog::load(cfg.templates_dir + "/messages");
    texts.set_defaults(message_defaults(cfg));
    return texts;
}

std::string desk_name_of(const std::string& desk_prefix, const unit_config& unit) {
    if (!unit.desk_name.empty()) return unit.desk_name;  // [[units]] desk_name, as configured
    return desk_prefix.empty() ? unit.name : desk_prefix + " " + unit.name;
}

std::string desk_name_of(const message_catalog& texts, const unit_config& unit) {
    return desk_name_of(value_or_empty(texts.defaults(), "desk_prefix"), unit);
}

std::map<std::string, std::string> oa_locality(const config& cfg, const oa_config& oa,
                                               const std::map<std::string, std::string>& global, const std::string& date) {
    auto values = global;
    if (const auto units = oa_units_on(cfg, oa.id, date); !units.empty()) {
        const unit_config& unit = *units.front();
        const std::string desk = desk_name_of(value_or_empty(global, "mot_cua_tien_to"), unit);
        // "xã Yên Thế, tỉnh Bắc Ninh": the place, then the province part kept for every OA.
        const std::string place_full = value_or_empty(global, "ten_dia_phuong");
        const auto comma = place_full.find(", ");
        const std::string place = place_full.substr(0, comma);
        const std::string province = comma == std::string::npos ? std::string{} : place_full.substr(comma);
        // Values that name the global desk or place ("Công an xã Yên Thế", where land dossiers go)
        // name the OA's, in one pass so a replacement is never replaced again.
        const std::pair<std::string, std::string> swaps[] = {{value_or_empty(global, "mot_cua_ten"), desk},
                                                             {place, unit.name}};
        if (place != unit.name)
            for (auto& [key, text] : values) {
                std::string out;
                for (std::size_t i = 0; i < text.size();) {
                    const auto* hit = std::find_if(std::begin(swaps), std::end(swaps), [&](const auto& sw) {
                        return !sw.first.empty() && text.compare(i, sw.first.size(), sw.first) == 0;
                    });
                    if (hit == std::end(swaps)) {
                        out += text[i++];
                    } else {
                        out += hit->second;
                        i += hit->first.size();
                    }
                }
                text = std::move(out);
            }
        values["mot_cua_ten"] = desk;
        values["ten_dia_phuong"] = unit.name + province;
        if (!unit.address.empty()) values["mot_cua_dia_chi"] = unit.address;
        if (!unit.phone.empty()) values["mot_cua_sdt"] = unit.phone;
    }
    for (const auto& [key, text] : oa.locality) values[key] = text;
    return values;
}

}  // namespace bot

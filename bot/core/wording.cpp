// The locality's words in texts, read once from [locality] and templates/kb/locality-defaults.toml.
#include "bot/core/wording.hpp"

#include "bot/core/config.hpp"
#include "bot/core/messages.hpp"

#include <toml++/toml.h>

#include <filesystem>

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

std::string desk_name_of(const message_catalog& texts, const unit_config& unit) {
    if (!unit.desk_name.empty()) return unit.desk_name;  // [[units]] desk_name, as configured
    const auto& d = texts.defaults();
    auto it = d.find("desk_prefix");
    const std::string prefix = it == d.end() ? std::string{} : it->second;
    return prefix.empty() ? unit.name : prefix + " " + unit.name;
}

}  // namespace bot

// Private to the configuration loader (bot/core/config*.cpp): the administrative structure
// ([[levels]], [[units]]) and the Official Accounts ([[oa]]). Includes toml++: never include it
// from another header.
#pragma once

#include "bot/core/config.hpp"

#include <toml++/toml.h>

#include <map>
#include <string>

namespace bot::config_detail {

/// Throws config_error "configuration: KEY: WHAT".
[[noreturn]] void fail(const std::string& key, const std::string& what);
/// Without leading and trailing white space.
[[nodiscard]] std::string trim(std::string s);
/// A secret read from a file (trimmed, not empty). @throws config_error naming `name`
[[nodiscard]] std::string read_secret_file(const std::string& name, const std::string& path);

/// Reads a locality table (`[locality]`, `[oa.locality]`) into `out`: strings, or numbers and
/// booleans written as text; `ctx` names it in errors. @throws config_error
void read_locality_table(const toml::table& t, const std::string& ctx, std::map<std::string, std::string>& out);

/// Appends the `[[levels]]` and `[[units]]` of `root` to cfg. @throws config_error
void read_structure(const toml::table& root, config& cfg);

/// Reads the `[[oa]]` tables; secrets come from `CCHCBOT_OA_<ID>_OA_SECRET_KEY` (_APP_SECRET,
/// _REFRESH_TOKEN) or the files the table names. @throws config_error
void read_official_accounts(const toml::table& root, const std::map<std::string, std::string>& env, config& cfg);

/// The levels and units of `<templates_dir>/cchcbot.example.toml` (the demo runs on the
/// example's structure). @throws config_error
void read_example_structure(config& cfg);

/// Fills what the structure leaves implicit (a unit without a parent in a file that names no
/// parents gets the only unit of the level above it) and checks levels, units and OAs
/// together: every mistake names its key. @throws config_error
void validate_structure(config& cfg);

}  // namespace bot::config_detail

// An import issue in the words officials read (templates/messages/imports.toml), one text for the
// console's upload and the command line.
#pragma once

#include "bot/dossiers/dossier_import.hpp"

#include <optional>
#include <string>
#include <vector>

namespace bot {

struct config;
class message_catalog;

/// The issue's text (import_issue_<code>, with its line, column, and value: a unit's name for
/// its id); the parser's own reason when no text has its code.
[[nodiscard]] std::string import_issue_text(const config& cfg, const message_catalog& texts, const import_error& e);
/// The same text, or nothing when no text has the issue's code, or when `value_kept` is false (a
/// run stored before migration 52 kept no value) and the text names the value.
[[nodiscard]] std::optional<std::string> import_issue_words(const config& cfg, const message_catalog& texts,
                                                            const import_error& e, bool value_kept = true);

/// What the watched import folder writes beside a rejected file (`<name>.errors.txt`), for the
/// official who dropped it there: one line saying nothing was imported and what to do, then each
/// issue as import_issue_text words it, after the file's name.
[[nodiscard]] std::string import_rejection_text(const config& cfg, const message_catalog& texts, const std::string& file_name,
                                                const std::vector<import_error>& errors);

}  // namespace bot

// Parsing the one-stop system's dossier export (CSV or JSON) into validated rows: a pure function.
#pragma once

#include "storage/dossier_repository.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bot {

struct config;

/// One rejected row: where it is and why.
struct import_error {
    std::size_t line = 0;  ///< CSV: the physical line the record starts on (header = 1); JSON: item number (1-based)
    std::string reason;
};

/// The parsed file: every row, or every error (the import is all or nothing).
struct import_result {
    std::vector<storage::dossier> rows;
    std::vector<std::size_t> lines;  ///< line (or item) of each row
    std::vector<import_error> errors;
    [[nodiscard]] bool ok() const { return errors.empty(); }
};

/// A date with an optional time, as the export writes it.
struct dossier_datetime {
    std::string date;  ///< 'YYYY-MM-DD'
    std::string time;  ///< 'HH:MM' or ""
};

/// Parses `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`, `DD/MM/YYYY` or `DD/MM/YYYY HH:MM` (also `HH:MM:SS`,
/// and a `T` separator); nullopt when malformed or not a real date.
[[nodiscard]] std::optional<dossier_datetime> parse_dossier_datetime(std::string_view s);

/// Parses CSV (UTF-8 with or without BOM, header row, RFC 4180 quoting) against the configured
/// levels and units.
[[nodiscard]] import_result parse_dossier_csv(std::string_view text, const config& cfg);
/// Parses a JSON array of objects with the CSV's column names as keys.
[[nodiscard]] import_result parse_dossier_json(std::string_view text, const config& cfg);
/// JSON when the text starts with '[' (after blanks and a BOM), CSV otherwise.
[[nodiscard]] import_result parse_dossier_file(std::string_view text, const config& cfg);

/// "0912***678": a phone number masked for display and logs.
[[nodiscard]] std::string mask_phone(const std::string& phone);

}  // namespace bot

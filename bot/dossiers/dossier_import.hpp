// Reading a one-stop system's dossier export (CSV, XLSX or JSON) into validated rows: pure functions.
#pragma once

#include "storage/dossier_repository.hpp"
#include "storage/official_repository.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bot {

struct config;
struct unit_scope;
struct export_table;

/// One problem with an export: where it is and what is wrong.
struct import_error {
    std::size_t line = 0;  ///< CSV: physical line the record starts on (header = its line); XLSX: sheet row; JSON: item (1-based); 0: the whole file
    std::string reason;    ///< English, one line (CLI, API, logs)
    std::string column;    ///< the header as the file writes it ("Ngày hẹn trả"); "" when not about one column
    std::string code;      ///< stable id; officials read templates/messages/imports.toml `import_issue_<code>`
    std::string value;     ///< the offending value as written
};

/// The parsed file: every row, or every error (the import is all or nothing), plus notes.
struct import_result {
    std::string format;                       ///< csv | xlsx | json
    std::vector<storage::dossier> rows;
    std::vector<std::size_t> lines;           ///< line (row, item) of each row
    std::vector<import_error> errors;         ///< rows rejected; any error rejects the whole file
    std::vector<import_error> warnings;       ///< accepted with a note (official not found, unreadable phone, ...)
    std::vector<std::pair<std::string, std::string>> columns;  ///< (field, the file's header it was read from)
    std::vector<std::string> ignored_columns; ///< headers the import does not use (STT, Người nộp, ...)
    std::size_t skipped = 0;                  ///< lines that are not dossiers (titles, totals, blank lines)
    [[nodiscard]] bool ok() const { return errors.empty(); }
};

/// Number of distinct lines the errors are on (a row with two problems is one rejected row).
[[nodiscard]] std::size_t distinct_lines(const std::vector<import_error>& errors);

/// What validation may look up beyond the configuration.
struct import_context {
    const config& cfg;
    /// Officials, to resolve the handling official's name within the dossier's unit; null = none known.
    const std::vector<storage::official>* officials = nullptr;
    /// The units the importer serves; rows of other units are errors. Null = every unit.
    const unit_scope* scope = nullptr;
};

/// A date with an optional time, as the export writes it.
struct dossier_datetime {
    std::string date;  ///< 'YYYY-MM-DD'
    std::string time;  ///< 'HH:MM' or ""
};

/// Parses `YYYY-MM-DD`, `DD/MM/YYYY` (also with '-' or '.'), `YYYY/MM/DD`, each optionally with
/// a time `HH:MM[:SS]` before or after it (a `T` separator, a comma, SA/CH or AM/PM allowed), and
/// Excel serial numbers (a date-formatted cell saved as a number); nullopt when malformed or not
/// a real date. Two-digit years are refused (ambiguous).
[[nodiscard]] std::optional<dossier_datetime> parse_dossier_datetime(std::string_view s);

/// Validates a table read from CSV or XLSX: finds the header row (title lines above it are
/// skipped), maps its columns by name (defaults for the usual Vietnamese headers, plus
/// [import.columns]; extra columns ignored), and reads each row's values as the exports write them.
[[nodiscard]] import_result parse_dossier_table(const export_table& table, const import_context& ctx);
/// Parses CSV (see read_csv_table) against the configuration.
[[nodiscard]] import_result parse_dossier_csv(std::string_view text, const config& cfg);
/// Parses a JSON array of objects with the project's column names as keys (and `trang_thai`).
[[nodiscard]] import_result parse_dossier_json(std::string_view text, const import_context& ctx);
[[nodiscard]] import_result parse_dossier_json(std::string_view text, const config& cfg);
/// XLSX when the bytes are a ZIP archive, JSON when the text starts with '[', CSV otherwise.
[[nodiscard]] import_result parse_dossier_file(std::string_view bytes, const import_context& ctx);
[[nodiscard]] import_result parse_dossier_file(std::string_view bytes, const config& cfg);

/// "0912***678": a phone number masked for display and logs.
[[nodiscard]] std::string mask_phone(const std::string& phone);

}  // namespace bot

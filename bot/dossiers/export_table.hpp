// A one-stop export as rows of cell texts, before any column means anything: CSV and XLSX readers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace bot {

/// One row of the file.
struct table_row {
    std::size_t line = 0;            ///< CSV: the physical line the record starts on; XLSX: the sheet's row number
    std::vector<std::string> cells;  ///< cell texts, left to right (XLSX: empty cells in between are "")
    std::string error;               ///< why the record could not be read ("" when it was)
};

/// The whole file.
struct export_table {
    std::string format;           ///< csv | xlsx
    std::vector<table_row> rows;  ///< in file order; blank rows included
    std::string error;            ///< why the file as a whole could not be read ("" when it could)
};

/// Reads CSV: UTF-8 (with or without BOM) or UTF-16 with a BOM; RFC 4180 quoting (fields with
/// commas, quotes and line breaks); the separator is ',' unless the first line uses ';' or tabs.
/// Text that is not UTF-8 is refused (the file-wide error says how to save it).
[[nodiscard]] export_table read_csv_table(std::string_view text);

/// Reads the first worksheet of an XLSX workbook (libzip + expat): shared and inline strings,
/// numbers as written, booleans as 0/1; a number in a date format becomes "YYYY-MM-DD HH:MM"
/// ("YYYY-MM-DD" at midnight) in the workbook's date system (1900 or 1904). Rows keep the
/// sheet's numbers, so an error names the row Excel shows.
[[nodiscard]] export_table read_xlsx_table(std::string_view bytes);

/// True when the bytes are a ZIP archive (an XLSX workbook).
[[nodiscard]] bool looks_like_xlsx(std::string_view bytes);

/// Converts an Excel serial date (days since the epoch of the workbook's date system, the
/// fraction being the time of day) to "YYYY-MM-DD" or "YYYY-MM-DD HH:MM"; "" when out of range.
[[nodiscard]] std::string excel_serial_to_text(double serial, bool date1904 = false);

}  // namespace bot

// The report's formats, one file each: report_json.cpp (SPEC's fixed shape), report_csv.cpp,
// report_text.cpp (Vietnamese paragraphs), report_xlsx.cpp (the workbook; labels in
// templates/messages/reports.toml); numbers and dates in report_numbers.cpp.
#pragma once

#include "bot/reports/report.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace bot {

class message_catalog;

/// 12219 → "12.219" (Vietnamese thousands separator).
[[nodiscard]] std::string format_vn_number(std::int64_t n);
/// 98.2519 → "98,25%" (two decimals, decimal comma).
[[nodiscard]] std::string format_vn_percent(double percent);
/// A rate rounded to two decimals for JSON/CSV: 98.2519 → "98.25", 100 → "100.00"; none → "null" / "".
[[nodiscard]] std::string format_rate(std::optional<double> percent, const char* none);

/// The level sentence in the half-year report's own form ("+ Cấp xã: Tổng số hồ sơ tiếp nhận: ...").
/// @throws std::out_of_range when the catalogue lacks the report texts
[[nodiscard]] std::string level_sentence(const std::string& label, const dossier_figures& f,
                                         const message_catalog& texts);

/// SPEC's JSON shape (plus warnings and a few extra fields).
[[nodiscard]] std::string to_json(const report& r);
/// One table per section, a blank line between sections, each with a title row and a header row.
[[nodiscard]] std::string to_csv(const report& r);
/// Vietnamese paragraphs ready to paste into the report.
/// @throws std::out_of_range when the catalogue lacks the report texts
[[nodiscard]] std::string to_text(const report& r, const message_catalog& texts);
/// Writes the workbook ("Biểu kết quả giải quyết TTHC" and the other sheets) to `path`.
/// @throws std::runtime_error when the file cannot be written
void write_xlsx(const report& r, const message_catalog& texts, const std::string& path);
/// The workbook as bytes (written through a temporary file).
/// @throws std::runtime_error
[[nodiscard]] std::string to_xlsx(const report& r, const message_catalog& texts);

}  // namespace bot

// Helpers the report's formats share (internal to bot/reports).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace bot::report_detail {

/// A percentage rounded to hundredths as an integer, so 98.245 rounds the same way in every format.
[[nodiscard]] std::int64_t hundredths(double percent);
/// "2025-06-30" → "30/6/2025"; anything unparsable is returned as it is.
[[nodiscard]] std::string vn_date(const std::string& iso);
/// part of whole in percent; none when whole is zero.
[[nodiscard]] std::optional<double> percent_of(std::int64_t part, std::int64_t whole);

}  // namespace bot::report_detail

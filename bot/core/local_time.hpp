// Local (Vietnam, UTC+7, no daylight saving) dates and times as plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bot {

/// Default offset of local time from UTC, in minutes (Vietnam: UTC+7 all year).
inline constexpr int default_utc_offset_minutes = 420;

/// A local calendar date.
struct local_date {
    int year = 1970;
    unsigned month = 1;
    unsigned day = 1;
    friend auto operator<=>(const local_date&, const local_date&) = default;
};

/// Now, as Unix milliseconds.
[[nodiscard]] std::int64_t now_ms();

/// Days since 1970-01-01 for a date, and back.
[[nodiscard]] std::int64_t days_from_civil(const local_date& d);
[[nodiscard]] local_date civil_from_days(std::int64_t days);

/// The local date of a Unix-ms instant.
[[nodiscard]] local_date local_date_of(std::int64_t unix_ms, int offset_minutes = default_utc_offset_minutes);
/// Minutes since local midnight of a Unix-ms instant.
[[nodiscard]] int local_minute_of_day(std::int64_t unix_ms, int offset_minutes = default_utc_offset_minutes);
/// Unix ms of a local date and minute of day.
[[nodiscard]] std::int64_t unix_ms_of(const local_date& d, int minute_of_day = 0, int offset_minutes = default_utc_offset_minutes);

/// Weekday: 0 = Sunday ... 6 = Saturday.
[[nodiscard]] unsigned weekday(const local_date& d);

/// "YYYY-MM-DD".
[[nodiscard]] std::string to_iso(const local_date& d);
/// "DD/MM/YYYY" (how Vietnamese readers expect a date).
[[nodiscard]] std::string to_vn(const local_date& d);
/// Parses "YYYY-MM-DD" (strictly, with a real calendar date).
[[nodiscard]] std::optional<local_date> parse_iso_date(std::string_view s);
/// Parses "HH:MM" into minutes since midnight.
[[nodiscard]] std::optional<int> parse_hhmm(std::string_view s);
/// Parses "YYYY-MM-DD HH:MM" (local) into Unix ms.
[[nodiscard]] std::optional<std::int64_t> parse_local_datetime(std::string_view s, int offset_minutes = default_utc_offset_minutes);
/// "YYYY-MM-DD HH:MM" (local) of a Unix-ms instant.
[[nodiscard]] std::string format_local_datetime(std::int64_t unix_ms, int offset_minutes = default_utc_offset_minutes);

}  // namespace bot

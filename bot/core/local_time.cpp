// Local dates and times (civil-from-days after H. Hinnant's public-domain algorithms).
#include "bot/core/local_time.hpp"

#include <chrono>
#include <cstdio>

namespace bot {

std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t days_from_civil(const local_date& d) {
    using namespace std::chrono;
    return sys_days(year_month_day(year(d.year), month(d.month), day(d.day))).time_since_epoch().count();
}

local_date civil_from_days(std::int64_t days) {
    using namespace std::chrono;
    year_month_day ymd{sys_days(std::chrono::days(days))};
    return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())};
}

namespace {
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}
}  // namespace

local_date local_date_of(std::int64_t unix_ms, int offset_minutes) {
    std::int64_t local_ms = unix_ms + static_cast<std::int64_t>(offset_minutes) * 60000;
    return civil_from_days(floor_div(local_ms, 86400000));
}

int local_minute_of_day(std::int64_t unix_ms, int offset_minutes) {
    std::int64_t local_ms = unix_ms + static_cast<std::int64_t>(offset_minutes) * 60000;
    std::int64_t ms_of_day = local_ms - floor_div(local_ms, 86400000) * 86400000;
    return static_cast<int>(ms_of_day / 60000);
}

std::int64_t unix_ms_of(const local_date& d, int minute_of_day, int offset_minutes) {
    return days_from_civil(d) * 86400000 + static_cast<std::int64_t>(minute_of_day - offset_minutes) * 60000;
}

unsigned weekday(const local_date& d) {
    using namespace std::chrono;
    return year_month_weekday(sys_days(year_month_day(year(d.year), month(d.month), day(d.day)))).weekday().c_encoding();
}

std::string to_iso(const local_date& d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", d.year, d.month, d.day);
    return buf;
}

std::string to_vn(const local_date& d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02u/%02u/%04d", d.day, d.month, d.year);
    return buf;
}

namespace {
bool digits(std::string_view s) {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return !s.empty();
}
int to_int(std::string_view s) {
    int n = 0;
    for (char c : s) n = n * 10 + (c - '0');
    return n;
}
}  // namespace

std::optional<local_date> parse_iso_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    auto y = s.substr(0, 4), m = s.substr(5, 2), d = s.substr(8, 2);
    if (!digits(y) || !digits(m) || !digits(d)) return std::nullopt;
    using namespace std::chrono;
    year_month_day ymd{year(to_int(y)), month(static_cast<unsigned>(to_int(m))), day(static_cast<unsigned>(to_int(d)))};
    if (!ymd.ok()) return std::nullopt;
    return local_date{to_int(y), static_cast<unsigned>(to_int(m)), static_cast<unsigned>(to_int(d))};
}

std::optional<int> parse_hhmm(std::string_view s) {
    if (s.size() != 5 || s[2] != ':' || !digits(s.substr(0, 2)) || !digits(s.substr(3, 2))) return std::nullopt;
    int h = to_int(s.substr(0, 2)), m = to_int(s.substr(3, 2));
    if (h > 23 || m > 59) return std::nullopt;
    return h * 60 + m;
}

std::optional<std::int64_t> parse_local_datetime(std::string_view s, int offset_minutes) {
    if (s.size() != 16 || s[10] != ' ') return std::nullopt;
    auto d = parse_iso_date(s.substr(0, 10));
    auto t = parse_hhmm(s.substr(11));
    if (!d || !t) return std::nullopt;
    return unix_ms_of(*d, *t, offset_minutes);
}

std::string format_local_datetime(std::int64_t unix_ms, int offset_minutes) {
    int mod = local_minute_of_day(unix_ms, offset_minutes);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:%02d", mod / 60, mod % 60);
    return to_iso(local_date_of(unix_ms, offset_minutes)) + " " + buf;
}

}  // namespace bot

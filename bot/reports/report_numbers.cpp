// Numbers and dates as the report writes them, shared by every format.
#include "bot/reports/report_format.hpp"
#include "bot/reports/report_format_detail.hpp"

#include "bot/core/local_time.hpp"

#include <cmath>

namespace bot {

using report_detail::hundredths;

std::string format_vn_number(std::int64_t n) {
    const bool negative = n < 0;
    std::string digits = std::to_string(negative ? -n : n);
    std::string out;
    const std::size_t len = digits.size();
    for (std::size_t i = 0; i < len; ++i) {
        if (i > 0 && (len - i) % 3 == 0) out += '.';
        out += digits[i];
    }
    return negative ? "-" + out : out;
}

namespace report_detail {

std::int64_t hundredths(double percent) { return static_cast<std::int64_t>(std::llround(percent * 100.0)); }

std::string vn_date(const std::string& iso) {
    auto d = parse_iso_date(iso);
    return d ? to_vn(*d) : iso;
}

std::optional<double> percent_of(std::int64_t part, std::int64_t whole) {
    if (whole <= 0) return std::nullopt;
    return 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace report_detail

namespace {

std::string two_decimals(double percent, char sep) {
    const std::int64_t h = hundredths(percent);
    const std::int64_t whole = (h < 0 ? -h : h) / 100;
    const std::int64_t frac = (h < 0 ? -h : h) % 100;
    std::string out = (h < 0 ? "-" : "") + (sep == ',' ? format_vn_number(whole) : std::to_string(whole));
    out += sep;
    if (frac < 10) out += '0';
    out += std::to_string(frac);
    return out;
}

}  // namespace

std::string format_vn_percent(double percent) { return two_decimals(percent, ',') + "%"; }

std::string format_rate(std::optional<double> percent, const char* none) {
    if (!percent) return none;
    return two_decimals(*percent, '.');
}

}  // namespace bot

// The working-day calendar: weekends, public holidays, compensatory days and make-up Saturdays.
#pragma once

#include "bot/core/local_time.hpp"

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace bot {

struct config;

/// Working days: Monday–Friday minus the listed days off, plus the listed make-up working days.
class work_calendar {
public:
    /// One listed date and why it is listed.
    struct entry {
        local_date date;
        std::string name;
    };

    /// Loads every `YYYY.toml` in `dir` (see templates/calendar/README.md).
    /// @throws std::runtime_error naming the file and what is wrong.
    [[nodiscard]] static work_calendar load(const std::string& dir);
    /// A calendar from explicit lists (tests).
    [[nodiscard]] static work_calendar from(std::vector<entry> days_off, std::vector<entry> work_days);

    /// True on a working day.
    [[nodiscard]] bool is_working_day(const local_date& d) const;
    /// The `n`-th working day after `d` (n = 0: `d` itself when it is a working day, else the next one).
    [[nodiscard]] local_date add_working_days(const local_date& d, unsigned n) const;
    /// Working days in (from, to]: 0 when to <= from.
    [[nodiscard]] int working_days_between(const local_date& from, const local_date& to) const;
    /// Years with a calendar file.
    [[nodiscard]] const std::set<int>& years() const { return years_; }
    /// Why `d` is off (holiday name), or "" when it is not a listed day off.
    [[nodiscard]] std::string day_off_name(const local_date& d) const;

private:
    std::set<std::int64_t> off_;   // day numbers (days since 1970-01-01)
    std::set<std::int64_t> work_;
    std::vector<entry> off_entries_;
    std::set<int> years_;
    bool working_day_number(std::int64_t day) const;
};

/// The calendar of `cfg.reminders.calendar_dir`, loaded once per folder and cached.
/// @throws std::runtime_error when it cannot be loaded.
[[nodiscard]] std::shared_ptr<const work_calendar> calendar_for(const config& cfg);

/// True when `unix_ms` falls on a working day within [work_start, work_end) local time.
[[nodiscard]] bool within_working_hours(const work_calendar& cal, const config& cfg, std::int64_t unix_ms);

/// Parses "YYYY-MM-DD" text stored in the database (nullopt when malformed).
[[nodiscard]] std::optional<local_date> date_of(std::string_view iso);

}  // namespace bot

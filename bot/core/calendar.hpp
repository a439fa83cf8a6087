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

    /// One year's file as written (templates/calendar/YYYY.toml).
    struct year_file {
        int year = 0;
        std::string file;                  ///< path, for messages
        bool provisional = false;          ///< dates from the law alone, no notice yet
        std::vector<std::string> sources;  ///< the notices the dates come from
        std::vector<entry> days_off;
        std::vector<entry> work_days;      ///< make-up days (a Saturday worked)
    };

    /// Reads every `YYYY.toml` in `dir` without interpreting it (kb check, load).
    /// @throws std::runtime_error naming the file and what is malformed.
    [[nodiscard]] static std::vector<year_file> read_files(const std::string& dir);
    /// Loads every `YYYY.toml` in `dir` (see templates/calendar/README.md).
    /// @throws std::runtime_error naming the file and what is wrong.
    [[nodiscard]] static work_calendar load(const std::string& dir);
    /// A calendar from explicit lists (tests).
    [[nodiscard]] static work_calendar from(std::vector<entry> days_off, std::vector<entry> work_days);

    /// This calendar with a locality's changes ([calendar] in the configuration): the extra days
    /// off and extra working days win over the files, so moving a day is one entry of each.
    [[nodiscard]] work_calendar with_local_changes(const std::vector<entry>& extra_days_off,
                                                   const std::vector<entry>& extra_work_days) const;

    /// True on a working day.
    [[nodiscard]] bool is_working_day(const local_date& d) const;
    /// The `n`-th working day after `d` (n = 0: `d` itself when it is a working day, else the next one).
    [[nodiscard]] local_date add_working_days(const local_date& d, unsigned n) const;
    /// Working days in (from, to]: 0 when to <= from.
    [[nodiscard]] int working_days_between(const local_date& from, const local_date& to) const;
    /// Years with a calendar file.
    [[nodiscard]] const std::set<int>& years() const { return years_; }
    /// Years whose file is still marked `provisional = true`.
    [[nodiscard]] const std::set<int>& provisional_years() const { return provisional_; }
    /// Why `d` is off (holiday name), or "" when it is not a listed day off.
    [[nodiscard]] std::string day_off_name(const local_date& d) const;

private:
    std::set<std::int64_t> off_;   // day numbers (days since 1970-01-01)
    std::set<std::int64_t> work_;
    std::vector<entry> off_entries_;
    std::set<int> years_;
    std::set<int> provisional_;
    bool working_day_number(std::int64_t day) const;
};

/// What `cchcbot calendar check` (and `kb check`) found in the calendar folder and [calendar].
struct calendar_report {
    std::vector<std::string> errors;    ///< the service cannot count working days correctly
    std::vector<std::string> warnings;  ///< provisional years and other things to look at
};

/// Checks the calendar the service will use around `today` (local date): today's year and the
/// next must have a file; a provisional year, a make-up day that is not a weekend day, a date
/// listed twice, a file without sources are reported. Never throws.
[[nodiscard]] calendar_report check_calendar(const config& cfg, const local_date& today);

/// The calendar of `cfg.reminders.calendar_dir` with `cfg.calendar`'s local changes, loaded once
/// per folder and changes, and cached.
/// @throws std::runtime_error when it cannot be loaded.
[[nodiscard]] std::shared_ptr<const work_calendar> calendar_for(const config& cfg);

/// True when `unix_ms` falls on a working day within [work_start, work_end) local time.
[[nodiscard]] bool within_working_hours(const work_calendar& cal, const config& cfg, std::int64_t unix_ms);

/// Parses "YYYY-MM-DD" text stored in the database (nullopt when malformed).
[[nodiscard]] std::optional<local_date> date_of(std::string_view iso);

}  // namespace bot

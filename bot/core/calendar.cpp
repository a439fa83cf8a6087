// The working-day calendar, loaded from templates/calendar/YYYY.toml.
#include "bot/core/calendar.hpp"

#include "bot/core/config.hpp"

#include <toml++/toml.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <stdexcept>

namespace bot {

namespace {

void read_list(const toml::table& t, const char* key, const std::string& file, int year,
               std::vector<work_calendar::entry>& out) {
    const auto* arr = t[key].as_array();
    if (!arr) throw std::runtime_error(file + ": missing array `" + key + "`");
    std::size_t i = 0;
    for (const auto& el : *arr) {
        std::string where = file + ": " + key + "[" + std::to_string(i++) + "]";
        const auto* e = el.as_table();
        if (!e) throw std::runtime_error(where + " must be a table {date, name}");
        auto ds = (*e)["date"].value<std::string>();
        auto d = ds ? parse_iso_date(*ds) : std::nullopt;
        if (!d) throw std::runtime_error(where + ".date must be YYYY-MM-DD");
        if (d->year != year) throw std::runtime_error(where + ".date is not in " + std::to_string(year));
        out.push_back({*d, (*e)["name"].value_or(std::string{})});
    }
}

}  // namespace

work_calendar work_calendar::load(const std::string& dir) {
    std::vector<entry> off, work;
    std::set<int> years;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) throw std::runtime_error("calendar folder not found: " + dir);
    for (const auto& f : std::filesystem::directory_iterator(dir)) {
        if (f.path().extension() != ".toml") continue;
        const std::string file = f.path().string();
        toml::table t;
        try {
            t = toml::parse_file(file);
        } catch (const toml::parse_error& e) {
            throw std::runtime_error(file + ": " + std::string(e.description()));
        }
        auto year = t["year"].value<int>();
        if (!year) throw std::runtime_error(file + ": missing `year`");
        if (f.path().stem().string() != std::to_string(*year))
            throw std::runtime_error(file + ": `year` does not match the file name");
        if (!t["sources"].as_array() || t["sources"].as_array()->empty())
            throw std::runtime_error(file + ": `sources` must name the notices the dates come from");
        read_list(t, "days_off", file, *year, off);
        read_list(t, "work_days", file, *year, work);
        years.insert(*year);
    }
    if (years.empty()) throw std::runtime_error("no calendar files (YYYY.toml) in " + dir);
    auto cal = from(std::move(off), std::move(work));
    cal.years_ = std::move(years);
    return cal;
}

work_calendar work_calendar::from(std::vector<entry> days_off, std::vector<entry> work_days) {
    work_calendar c;
    for (const auto& e : days_off) c.off_.insert(days_from_civil(e.date));
    for (const auto& e : work_days) c.work_.insert(days_from_civil(e.date));
    c.off_entries_ = std::move(days_off);
    for (const auto& e : c.off_entries_) c.years_.insert(e.date.year);
    return c;
}

bool work_calendar::working_day_number(std::int64_t day) const {
    if (work_.count(day)) return true;
    if (off_.count(day)) return false;
    // 1970-01-01 was a Thursday (weekday 4, Sunday = 0).
    auto wd = static_cast<int>(((day % 7) + 7 + 4) % 7);
    return wd != 0 && wd != 6;
}

bool work_calendar::is_working_day(const local_date& d) const { return working_day_number(days_from_civil(d)); }

local_date work_calendar::add_working_days(const local_date& d, unsigned n) const {
    std::int64_t day = days_from_civil(d);
    while (!working_day_number(day)) ++day;
    for (unsigned i = 0; i < n; ++i) {
        ++day;
        while (!working_day_number(day)) ++day;
    }
    return civil_from_days(day);
}

int work_calendar::working_days_between(const local_date& from, const local_date& to) const {
    std::int64_t a = days_from_civil(from), b = days_from_civil(to);
    int n = 0;
    for (std::int64_t day = a + 1; day <= b; ++day)
        if (working_day_number(day)) ++n;
    return n;
}

std::string work_calendar::day_off_name(const local_date& d) const {
    for (const auto& e : off_entries_)
        if (e.date == d) return e.name;
    return {};
}

std::shared_ptr<const work_calendar> calendar_for(const config& cfg) {
    static std::mutex mu;
    static std::map<std::string, std::shared_ptr<const work_calendar>> cache;
    std::lock_guard lk(mu);
    auto& slot = cache[cfg.reminders.calendar_dir];
    if (!slot) slot = std::make_shared<const work_calendar>(work_calendar::load(cfg.reminders.calendar_dir));
    return slot;
}

bool within_working_hours(const work_calendar& cal, const config& cfg, std::int64_t unix_ms) {
    const int offset = cfg.reminders.utc_offset_minutes;
    if (!cal.is_working_day(local_date_of(unix_ms, offset))) return false;
    const int minute = local_minute_of_day(unix_ms, offset);
    const int start = parse_hhmm(cfg.reminders.work_start).value_or(7 * 60 + 30);
    const int end = parse_hhmm(cfg.reminders.work_end).value_or(17 * 60);
    return minute >= start && minute < end;
}

std::optional<local_date> date_of(std::string_view iso) { return parse_iso_date(iso); }

}  // namespace bot

// The working-day calendar, loaded from templates/calendar/YYYY.toml and [calendar] in the config.
#include "bot/core/calendar.hpp"

#include "bot/core/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
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

std::vector<work_calendar::entry> entries_of(const std::vector<calendar_day_config>& days) {
    std::vector<work_calendar::entry> out;
    for (const auto& d : days)
        if (auto date = parse_iso_date(d.date)) out.push_back({*date, d.name});
    return out;
}

bool weekend(const local_date& d) {
    auto wd = weekday(d);
    return wd == 0 || wd == 6;
}

}  // namespace

std::vector<work_calendar::year_file> work_calendar::read_files(const std::string& dir) {
    std::vector<year_file> out;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) throw std::runtime_error("calendar folder not found: " + dir);
    for (const auto& f : std::filesystem::directory_iterator(dir)) {
        if (f.path().extension() != ".toml") continue;
        year_file y;
        y.file = f.path().string();
        toml::table t;
        try {
            t = toml::parse_file(y.file);
        } catch (const toml::parse_error& e) {
            throw std::runtime_error(y.file + ": " + std::string(e.description()));
        }
        for (auto&& [k, v] : t) {
            static const std::set<std::string> known = {"year", "provisional", "sources", "days_off", "work_days"};
            if (!known.count(std::string(k.str())))
                throw std::runtime_error(y.file + ": unknown key `" + std::string(k.str()) +
                                         "` (year, provisional, sources, days_off, work_days)");
            (void)v;
        }
        auto year = t["year"].value<int>();
        if (!year) throw std::runtime_error(y.file + ": missing `year`");
        y.year = *year;
        if (f.path().stem().string() != std::to_string(y.year))
            throw std::runtime_error(y.file + ": `year` does not match the file name");
        if (auto* p = t.get("provisional")) {
            auto b = p->value<bool>();
            if (!b) throw std::runtime_error(y.file + ": `provisional` must be true or false");
            y.provisional = *b;
        }
        if (auto* arr = t["sources"].as_array())
            for (const auto& s : *arr)
                if (auto v = s.value<std::string>(); v && v->find_first_not_of(" \t") != std::string::npos)
                    y.sources.push_back(*v);
        if (y.sources.empty())
            throw std::runtime_error(y.file + ": `sources` must name the notices the dates come from");
        read_list(t, "days_off", y.file, y.year, y.days_off);
        read_list(t, "work_days", y.file, y.year, y.work_days);
        out.push_back(std::move(y));
    }
    std::sort(out.begin(), out.end(), [](const year_file& a, const year_file& b) { return a.year < b.year; });
    return out;
}

work_calendar work_calendar::load(const std::string& dir) {
    std::vector<entry> off, work;
    std::set<int> years, provisional;
    for (auto& y : read_files(dir)) {
        off.insert(off.end(), y.days_off.begin(), y.days_off.end());
        work.insert(work.end(), y.work_days.begin(), y.work_days.end());
        years.insert(y.year);
        if (y.provisional) provisional.insert(y.year);
    }
    if (years.empty()) throw std::runtime_error("no calendar files (YYYY.toml) in " + dir);
    auto cal = from(std::move(off), std::move(work));
    cal.years_ = std::move(years);
    cal.provisional_ = std::move(provisional);
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

work_calendar work_calendar::with_local_changes(const std::vector<entry>& extra_days_off,
                                                const std::vector<entry>& extra_work_days) const {
    work_calendar c = *this;
    for (const auto& e : extra_days_off) {
        const auto day = days_from_civil(e.date);
        c.work_.erase(day);
        c.off_.insert(day);
        // The locality's reason comes first, so a scan that skips the day names it.
        c.off_entries_.insert(c.off_entries_.begin(), e);
    }
    for (const auto& e : extra_work_days) {
        const auto day = days_from_civil(e.date);
        c.off_.erase(day);
        c.work_.insert(day);
    }
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
    if (is_working_day(d)) return {};
    for (const auto& e : off_entries_)
        if (e.date == d) return e.name;
    return {};
}

calendar_report check_calendar(const config& cfg, const local_date& today) {
    calendar_report r;
    const std::string& dir = cfg.reminders.calendar_dir;
    std::vector<work_calendar::year_file> files;
    try {
        files = work_calendar::read_files(dir);
    } catch (const std::exception& e) {
        r.errors.push_back(e.what());
        return r;
    }
    std::set<int> years;
    for (const auto& y : files) {
        years.insert(y.year);
        if (y.provisional)
            r.warnings.push_back(y.file + ": " + std::to_string(y.year) +
                                 " is provisional (dates from the Labour Code only): replace them with the year's "
                                 "notice from Bộ Nội vụ when it is published, cite it in `sources` and remove "
                                 "`provisional`");
        std::map<local_date, std::string> seen;
        auto note = [&](const work_calendar::entry& e, const char* list) {
            if (e.name.find_first_not_of(" \t") == std::string::npos)
                r.errors.push_back(y.file + ": " + to_iso(e.date) + " in " + list + " has no name (say why it is listed)");
            auto [it, inserted] = seen.emplace(e.date, list);
            if (!inserted)
                r.errors.push_back(y.file + ": " + to_iso(e.date) + " is listed twice (" + it->second + " and " + list + ")");
        };
        for (const auto& e : y.days_off) note(e, "days_off");
        for (const auto& e : y.work_days) {
            note(e, "work_days");
            if (!weekend(e.date))
                r.errors.push_back(y.file + ": " + to_iso(e.date) +
                                   " in work_days is a weekday; a make-up working day is a Saturday or Sunday");
        }
    }
    // The service counts working days today and up to a year ahead (due dates, hand-off answers).
    for (int y : {today.year, today.year + 1})
        if (!years.count(y))
            r.errors.push_back(dir + ": no calendar for " + std::to_string(y) + " (add " + std::to_string(y) +
                               ".toml with the year's holidays and the notice that fixed them; working days in " +
                               std::to_string(y) + " would be counted as Monday–Friday only)");
    for (const auto& d : cfg.calendar.extra_work_days)
        if (auto date = parse_iso_date(d.date); date && !weekend(*date)) {
            bool listed_off = false;
            for (const auto& y : files)
                for (const auto& e : y.days_off) listed_off = listed_off || e.date == *date;
            if (!listed_off)
                r.warnings.push_back("calendar.extra_work_days: " + d.date +
                                     " is already a working day (neither a weekend nor a listed day off)");
        }
    return r;
}

std::shared_ptr<const work_calendar> calendar_for(const config& cfg) {
    static std::mutex mu;
    static std::map<std::string, std::shared_ptr<const work_calendar>> cache;
    std::string key = cfg.reminders.calendar_dir;
    for (const auto& d : cfg.calendar.extra_days_off) key += "\n-" + d.date + " " + d.name;
    for (const auto& d : cfg.calendar.extra_work_days) key += "\n+" + d.date + " " + d.name;
    std::lock_guard lk(mu);
    auto& slot = cache[key];
    if (!slot)
        slot = std::make_shared<const work_calendar>(work_calendar::load(cfg.reminders.calendar_dir)
                                                         .with_local_changes(entries_of(cfg.calendar.extra_days_off),
                                                                             entries_of(cfg.calendar.extra_work_days)));
    return slot;
}

bool within_working_hours(const work_calendar& cal, const config& cfg, std::int64_t unix_ms) {
    const int offset = cfg.time.utc_offset_minutes;
    if (!cal.is_working_day(local_date_of(unix_ms, offset))) return false;
    const int minute = local_minute_of_day(unix_ms, offset);
    const int start = parse_hhmm(cfg.reminders.work_start).value_or(7 * 60 + 30);
    const int end = parse_hhmm(cfg.reminders.work_end).value_or(17 * 60);
    return minute >= start && minute < end;
}

std::optional<local_date> date_of(std::string_view iso) { return parse_iso_date(iso); }

}  // namespace bot

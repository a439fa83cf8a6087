#include "bot/core/calendar.hpp"

#include "bot/core/config.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

using bot::local_date;

namespace {
const bot::work_calendar& cal() {
    static auto c = bot::work_calendar::load(test::source_dir() + "/templates/calendar");
    return c;
}
}  // namespace

TEST_CASE("the bundled calendar covers 2023 to 2027 and names its sources", "[reminders]") {
    for (int y : {2023, 2024, 2025, 2026, 2027}) CHECK(cal().years().count(y) == 1);
    auto y2027 = test::read_file(test::source_dir() + "/templates/calendar/2027.toml");
    CHECK(y2027.find("Điều 112") != std::string::npos);
    CHECK(y2027.find("chưa có thông báo") != std::string::npos);
}

TEST_CASE("weekends are off and weekdays are working days", "[reminders]") {
    CHECK(cal().is_working_day({2023, 6, 15}));   // Thursday
    CHECK_FALSE(cal().is_working_day({2023, 6, 17}));  // Saturday
    CHECK_FALSE(cal().is_working_day({2023, 6, 18}));  // Sunday
}

TEST_CASE("Tết, Giỗ Tổ and the compensatory days are off in every year", "[reminders]") {
    // Tết Âm lịch (mùng 1 on a weekday where it is one) and the days around it.
    for (auto d : {local_date{2023, 1, 20}, {2023, 1, 26}, {2024, 2, 8}, {2024, 2, 14}, {2025, 1, 27}, {2025, 1, 31},
                   {2026, 2, 16}, {2026, 2, 20}, {2027, 2, 5}, {2027, 2, 11}})
        CHECK_FALSE(cal().is_working_day(d));
    CHECK(cal().is_working_day({2023, 1, 27}));
    CHECK(cal().is_working_day({2024, 2, 15}));
    CHECK(cal().is_working_day({2025, 2, 3}));
    CHECK(cal().is_working_day({2026, 2, 23}));
    CHECK(cal().is_working_day({2027, 2, 12}));
    // Giỗ Tổ Hùng Vương (10/3 âm lịch) or its compensatory day.
    for (auto d : {local_date{2023, 5, 2}, {2024, 4, 18}, {2025, 4, 7}, {2026, 4, 27}, {2027, 4, 16}})
        CHECK_FALSE(cal().is_working_day(d));
    // 2/9 and its adjacent day; 1/1 (2023: nghỉ bù on Monday 2/1).
    for (auto d : {local_date{2023, 9, 1}, {2023, 9, 4}, {2024, 9, 3}, {2025, 9, 1}, {2026, 9, 2}, {2027, 9, 3}, {2023, 1, 2}})
        CHECK_FALSE(cal().is_working_day(d));
}

TEST_CASE("make-up Saturdays are working days and the swapped weekday is off", "[reminders]") {
    CHECK(cal().is_working_day({2024, 5, 4}));
    CHECK_FALSE(cal().is_working_day({2024, 4, 29}));
    CHECK(cal().is_working_day({2025, 4, 26}));
    CHECK_FALSE(cal().is_working_day({2025, 5, 2}));
}

TEST_CASE("adding working days skips weekends and holidays", "[reminders]") {
    CHECK(cal().add_working_days({2024, 2, 7}, 1) == local_date{2024, 2, 15});  // across Tết Giáp Thìn
    CHECK(cal().add_working_days({2023, 6, 16}, 1) == local_date{2023, 6, 19});  // Friday → Monday
    CHECK(cal().add_working_days({2023, 6, 15}, 0) == local_date{2023, 6, 15});
    CHECK(cal().add_working_days({2023, 6, 17}, 0) == local_date{2023, 6, 19});  // a Saturday rolls forward
    CHECK(cal().add_working_days({2024, 5, 3}, 1) == local_date{2024, 5, 4});    // the make-up Saturday counts
}

TEST_CASE("working days between two dates count the days after the first up to the second", "[reminders]") {
    CHECK(cal().working_days_between({2023, 6, 12}, {2023, 6, 12}) == 0);
    CHECK(cal().working_days_between({2023, 6, 12}, {2023, 6, 13}) == 1);
    CHECK(cal().working_days_between({2023, 6, 16}, {2023, 6, 19}) == 1);
    CHECK(cal().working_days_between({2024, 2, 7}, {2024, 2, 15}) == 1);
    CHECK(cal().working_days_between({2023, 6, 15}, {2023, 6, 12}) == 0);
}

TEST_CASE("working hours come from the configuration in local time", "[reminders]") {
    auto cfg = test::test_config();
    cfg.reminders.work_start = "07:30";
    cfg.reminders.work_end = "17:00";
    auto at = [](int y, unsigned m, unsigned d, int h, int mi) { return bot::unix_ms_of({y, m, d}, h * 60 + mi); };
    CHECK_FALSE(bot::within_working_hours(cal(), cfg, at(2023, 6, 15, 7, 29)));
    CHECK(bot::within_working_hours(cal(), cfg, at(2023, 6, 15, 7, 30)));
    CHECK(bot::within_working_hours(cal(), cfg, at(2023, 6, 15, 16, 59)));
    CHECK_FALSE(bot::within_working_hours(cal(), cfg, at(2023, 6, 15, 17, 0)));
    CHECK_FALSE(bot::within_working_hours(cal(), cfg, at(2023, 6, 17, 9, 0)));
    CHECK_FALSE(bot::within_working_hours(cal(), cfg, at(2023, 9, 1, 9, 0)));
}

TEST_CASE("a calendar file with a wrong year or date is refused with its name", "[reminders]") {
    test::temp_dir dir;
    test::write_file(dir.file("2024.toml"), "year = 2024\nsources = [\"x\"]\ndays_off = [{ date = \"2023-01-01\", name = \"x\" }]\nwork_days = []\n");
    CHECK_THROWS_WITH(bot::work_calendar::load(dir.path().string()), Catch::Contains("2024.toml") && Catch::Contains("not in 2024"));
    test::write_file(dir.file("2024.toml"), "year = 2024\ndays_off = []\nwork_days = []\n");
    CHECK_THROWS_WITH(bot::work_calendar::load(dir.path().string()), Catch::Contains("sources"));
}

TEST_CASE("New Year 2026 is four days off with Friday 2/1 worked on Saturday 10/1", "[reminders]") {
    // Công văn 12729/VPCP-KGVX: off Thursday 1/1 to Sunday 4/1, Friday 2/1 swapped with Saturday 10/1.
    CHECK_FALSE(cal().is_working_day({2026, 1, 1}));
    CHECK_FALSE(cal().is_working_day({2026, 1, 2}));
    CHECK(cal().is_working_day({2026, 1, 5}));
    CHECK(cal().is_working_day({2026, 1, 10}));  // a Saturday that is a working day
    CHECK(cal().working_days_between({2025, 12, 31}, {2026, 1, 5}) == 1);
    CHECK(cal().working_days_between({2026, 1, 9}, {2026, 1, 12}) == 2);  // Saturday 10/1 and Monday 12/1
    CHECK(cal().add_working_days({2025, 12, 31}, 1) == local_date{2026, 1, 5});
    CHECK(cal().add_working_days({2026, 1, 9}, 1) == local_date{2026, 1, 10});
}

TEST_CASE("National Day 2026 is Monday 31/8 to Wednesday 2/9 off with Saturday 22/8 worked", "[reminders]") {
    // Thông báo 9441/TB-BNV: 1/9 is the adjacent day; Monday 31/8 swapped with Saturday 22/8; 3/9 is worked.
    for (auto d : {local_date{2026, 8, 31}, {2026, 9, 1}, {2026, 9, 2}}) CHECK_FALSE(cal().is_working_day(d));
    CHECK(cal().is_working_day({2026, 9, 3}));
    CHECK(cal().is_working_day({2026, 8, 22}));
    CHECK(cal().working_days_between({2026, 8, 28}, {2026, 9, 3}) == 1);
    CHECK(cal().working_days_between({2026, 8, 28}, {2026, 9, 4}) == 2);
    CHECK(cal().working_days_between({2026, 8, 21}, {2026, 8, 24}) == 2);
    CHECK(cal().add_working_days({2026, 8, 28}, 1) == local_date{2026, 9, 3});
    // Tết Bính Ngọ (16–20/2) and Ngày Văn hóa Việt Nam (24/11, from 2026).
    for (auto d : {local_date{2026, 2, 16}, {2026, 2, 20}, {2026, 11, 24}, {2027, 11, 24}}) CHECK_FALSE(cal().is_working_day(d));
    CHECK(cal().day_off_name({2026, 11, 24}) == "Ngày Văn hóa Việt Nam");
}

TEST_CASE("2027 is marked provisional until its notice is published and 2026 is not", "[reminders]") {
    CHECK(cal().provisional_years().count(2027) == 1);
    CHECK(cal().provisional_years().count(2026) == 0);
}

TEST_CASE("a locality's extra day off and extra working day win over the bundled calendar", "[reminders]") {
    // A province moves a day: Monday 23/11/2026 off, Saturday 28/11/2026 worked.
    auto local = cal().with_local_changes({{{2026, 11, 23}, "Nghỉ hoán đổi của tỉnh"}},
                                          {{{2026, 11, 28}, "Làm bù"}, {{2026, 9, 1}, "Tỉnh làm việc"}});
    CHECK_FALSE(local.is_working_day({2026, 11, 23}));
    CHECK(local.day_off_name({2026, 11, 23}) == "Nghỉ hoán đổi của tỉnh");
    CHECK(local.is_working_day({2026, 11, 28}));
    CHECK(local.is_working_day({2026, 9, 1}));  // a listed holiday the locality works
    CHECK(local.day_off_name({2026, 9, 1}).empty());
    CHECK(cal().is_working_day({2026, 11, 23}));  // the bundled calendar is unchanged
}

TEST_CASE("the [calendar] section of the configuration reaches the calendar the service uses", "[reminders]") {
    auto cfg = bot::load_config_from(
        "[reminders]\ncalendar_dir = \"" + test::source_dir() + "/templates/calendar\"\n"
        "[calendar]\nextra_days_off = [{ date = \"2026-12-31\", name = \"Nghỉ theo quyết định của tỉnh\" }]\n"
        "extra_work_days = [{ date = \"2026-12-26\", name = \"Làm bù\" }]\n",
        {}, false);
    REQUIRE(cfg.calendar.extra_days_off.size() == 1);
    auto c = bot::calendar_for(cfg);
    CHECK_FALSE(c->is_working_day({2026, 12, 31}));
    CHECK(c->is_working_day({2026, 12, 26}));
    cfg.calendar = {};
    CHECK(bot::calendar_for(cfg)->is_working_day({2026, 12, 31}));

    CHECK_THROWS_WITH(bot::load_config_from("[calendar]\nextra_days_off = [{ date = \"2026-02-30\", name = \"x\" }]\n", {}, false),
                      Catch::Contains("calendar.extra_days_off[0].date"));
    CHECK_THROWS_WITH(bot::load_config_from("[calendar]\nextra_days_off = [{ date = \"2026-12-31\", name = \"x\" }]\n"
                                            "extra_work_days = [{ date = \"2026-12-31\", name = \"y\" }]\n",
                                            {}, false),
                      Catch::Contains("both"));
    CHECK_THROWS_WITH(bot::load_config_from("[calendar]\nholidays = []\n", {}, false), Catch::Contains("calendar.holidays"));
}

namespace {
bot::config config_with_calendar(const std::string& dir) {
    auto cfg = test::test_config();
    cfg.reminders.calendar_dir = dir;
    return cfg;
}
std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& l : v) s += l + "\n";
    return s;
}
}  // namespace

TEST_CASE("calendar check passes the bundled calendar and warns that 2027 is provisional", "[reminders]") {
    auto cfg = config_with_calendar(test::source_dir() + "/templates/calendar");
    auto rep = bot::check_calendar(cfg, {2026, 12, 1});
    INFO(joined(rep.errors));
    CHECK(rep.errors.empty());
    REQUIRE(rep.warnings.size() == 1);
    CHECK_THAT(rep.warnings[0], Catch::Contains("2027.toml") && Catch::Contains("provisional"));
    // A year later the service would compute in 2028, which has no file.
    rep = bot::check_calendar(cfg, {2027, 12, 1});
    CHECK_THAT(joined(rep.errors), Catch::Contains("no calendar for 2028"));
}

TEST_CASE("calendar check fails on a missing year, a weekday make-up day and a date listed twice", "[reminders]") {
    test::temp_dir dir;
    const std::string ok_2026 = "year = 2026\nsources = [\"Thông báo\"]\ndays_off = []\nwork_days = []\n";
    test::write_file(dir.file("2026.toml"), ok_2026);
    auto cfg = config_with_calendar(dir.path().string());
    auto rep = bot::check_calendar(cfg, {2026, 6, 1});
    CHECK_THAT(joined(rep.errors), Catch::Contains("no calendar for 2027"));
    CHECK_THAT(joined(rep.errors), !Catch::Contains("no calendar for 2026"));

    test::write_file(dir.file("2027.toml"),
                     "year = 2027\nprovisional = true\nsources = [\"Bộ luật Lao động\"]\n"
                     "days_off = [{ date = \"2027-01-01\", name = \"Tết Dương lịch\" }]\n"
                     "work_days = [{ date = \"2027-01-01\", name = \"x\" }, { date = \"2027-01-06\", name = \"y\" }]\n");
    rep = bot::check_calendar(cfg, {2026, 6, 1});
    CHECK_THAT(joined(rep.errors), Catch::Contains("2027-01-01 is listed twice"));
    CHECK_THAT(joined(rep.errors), Catch::Contains("2027-01-06 in work_days is a weekday"));
    CHECK_THAT(joined(rep.warnings), Catch::Contains("2027 is provisional"));

    test::write_file(dir.file("2027.toml"), "year = 2027\nprovisional = \"yes\"\nsources = [\"x\"]\ndays_off = []\nwork_days = []\n");
    rep = bot::check_calendar(cfg, {2026, 6, 1});
    CHECK_THAT(joined(rep.errors), Catch::Contains("provisional"));
}

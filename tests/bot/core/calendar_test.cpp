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

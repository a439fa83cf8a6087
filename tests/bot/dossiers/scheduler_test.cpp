#include "bot/dossiers/scheduler.hpp"

#include "bot/core/config.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

namespace {

const bot::work_calendar& cal() {
    static auto c = bot::work_calendar::load(test::source_dir() + "/templates/calendar");
    return c;
}

std::int64_t at(int y, unsigned m, unsigned d, int h = 9, int mi = 0) { return bot::unix_ms_of({y, m, d}, h * 60 + mi); }

storage::official person(std::string id, std::string unit, std::string role) {
    storage::official o;
    o.official_id = std::move(id);
    o.name = o.official_id;
    o.unit_id = std::move(unit);
    o.role = std::move(role);
    return o;
}

struct fixture {
    bot::config cfg = test::test_config();
    std::vector<storage::open_dossier> dossiers;
    std::vector<storage::official> officials{person("cb1", "tan_soi", "official"), person("ld1", "tan_soi", "leader")};
    std::vector<std::pair<std::string, std::int64_t>> open;
    std::set<std::pair<std::string, std::string>> escalated;

    void due(std::string code, std::string due_on, std::string official = "cb1", std::string unit = "tan_soi") {
        dossiers.push_back({std::move(code), "Đăng ký khai sinh", std::move(unit), std::move(due_on), std::move(official)});
    }
    bot::reminder_plan plan(std::int64_t now) {
        std::sort(dossiers.begin(), dossiers.end(), [](const auto& a, const auto& b) { return a.due_on < b.due_on; });
        std::map<std::string, std::int64_t> counts;
        for (const auto& d : dossiers) ++counts[d.unit_id];
        open.assign(counts.begin(), counts.end());
        bot::plan_input in;
        in.now_ms = now;
        in.dossiers = &dossiers;
        in.officials = &officials;
        in.open_by_unit = &open;
        in.escalated = &escalated;
        in.calendar = &cal();
        in.cfg = &cfg;
        return bot::plan_reminders(in);
    }
};

std::vector<std::string> kinds(const bot::reminder_plan& p, const std::string& code) {
    std::vector<std::string> out;
    for (const auto& r : p.items)
        if (r.dossier == code) out.push_back(r.kind + ":" + r.recipient);
    return out;
}

}  // namespace

TEST_CASE("a dossier due just after Tết gets its due-soon reminder on the last working day before", "[reminders]") {
    fixture f;
    f.due("A", "2024-02-15");  // first working day after Tết Giáp Thìn
    f.due("B", "2024-02-16");
    auto p = f.plan(at(2024, 2, 7));
    REQUIRE(p.active);
    CHECK(kinds(p, "A") == std::vector<std::string>{"due_soon:cb1"});
    CHECK(kinds(p, "B").empty());
    // During Tết nothing is sent at all.
    auto off = f.plan(at(2024, 2, 12));
    CHECK_FALSE(off.active);
    CHECK_THAT(off.reason, Catch::Contains("not a working day") && Catch::Contains("Tết"));
}

TEST_CASE("a dossier due today or on the next working day is due soon; later ones are not", "[reminders]") {
    fixture f;
    f.due("today", "2023-06-16");
    f.due("monday", "2023-06-19");
    f.due("tuesday", "2023-06-20");
    auto p = f.plan(at(2023, 6, 16));  // Friday
    CHECK(kinds(p, "today") == std::vector<std::string>{"due_soon:cb1"});
    CHECK(kinds(p, "monday") == std::vector<std::string>{"due_soon:cb1"});
    CHECK(kinds(p, "tuesday").empty());
    f.cfg.reminders.due_soon_days = 2;
    CHECK(kinds(f.plan(at(2023, 6, 16)), "tuesday") == std::vector<std::string>{"due_soon:cb1"});
}

TEST_CASE("overdue reminders go daily and the escalation once when M working days have passed", "[reminders]") {
    fixture f;
    f.due("A", "2023-06-12");  // Monday
    auto day1 = f.plan(at(2023, 6, 13));
    CHECK(kinds(day1, "A") == std::vector<std::string>{"overdue:cb1"});
    CHECK(day1.items.front().working_days_late == 1);
    auto day2 = f.plan(at(2023, 6, 14));
    CHECK(kinds(day2, "A") == std::vector<std::string>{"overdue:cb1", "escalation:ld1"});
    CHECK(day2.items.front().working_days_late == 2);
    f.escalated.insert({"A", "ld1"});
    CHECK(kinds(f.plan(at(2023, 6, 15)), "A") == std::vector<std::string>{"overdue:cb1"});
}

TEST_CASE("weekends do not count toward the escalation", "[reminders]") {
    fixture f;
    f.due("A", "2023-06-16");  // Friday
    CHECK(kinds(f.plan(at(2023, 6, 19)), "A") == std::vector<std::string>{"overdue:cb1"});
    CHECK(kinds(f.plan(at(2023, 6, 20)), "A") == std::vector<std::string>{"overdue:cb1", "escalation:ld1"});
    f.cfg.reminders.escalate_after_days = 3;
    CHECK(kinds(f.plan(at(2023, 6, 20)), "A") == std::vector<std::string>{"overdue:cb1"});
}

TEST_CASE("nothing is planned outside working hours, on weekends and on holidays", "[reminders]") {
    fixture f;
    f.due("A", "2023-06-12");
    CHECK_FALSE(f.plan(at(2023, 6, 15, 7, 0)).active);
    CHECK_FALSE(f.plan(at(2023, 6, 15, 17, 0)).active);
    CHECK_FALSE(f.plan(at(2023, 6, 15, 22, 0)).active);
    CHECK_FALSE(f.plan(at(2023, 6, 17, 9, 0)).active);
    CHECK_FALSE(f.plan(at(2023, 9, 4, 9, 0)).active);  // nghỉ bù Quốc khánh
    CHECK(f.plan(at(2023, 6, 15, 7, 30)).active);
    CHECK(f.plan(at(2024, 5, 4, 9, 0)).active);  // make-up Saturday
    // 23:30 UTC on the 14th is 06:30 local on the 15th: still before hours.
    CHECK_FALSE(f.plan(bot::unix_ms_of({2023, 6, 14}, 23 * 60 + 30, 0)).active);
}

TEST_CASE("officials who are disabled or turned reminders off get nothing", "[reminders]") {
    fixture f;
    f.due("A", "2023-06-12");
    f.officials[0].reminders_enabled = false;
    f.officials[1].disabled = true;
    auto p = f.plan(at(2023, 6, 15));
    CHECK(p.active);
    CHECK(p.items.empty());
}

TEST_CASE("unassigned or unknown officials' dossiers still reach the leaders", "[reminders]") {
    fixture f;
    f.due("A", "2023-06-12", "");
    f.due("B", "2023-06-12", "nobody");
    auto p = f.plan(at(2023, 6, 15));
    CHECK(kinds(p, "A") == std::vector<std::string>{"escalation:ld1"});
    CHECK(kinds(p, "B") == std::vector<std::string>{"escalation:ld1"});
}

TEST_CASE("each leader gets a digest with counts and the oldest overdue items", "[reminders]") {
    fixture f;
    f.due("old1", "2023-06-01");
    f.due("old2", "2023-06-02");
    f.due("old3", "2023-06-05");
    f.due("old4", "2023-06-06");
    f.due("soon", "2023-06-15");
    f.due("other", "2023-06-01", "", "dong_son");  // another unit without a leader
    auto p = f.plan(at(2023, 6, 15));
    const bot::planned_reminder* digest = nullptr;
    for (const auto& r : p.items)
        if (r.kind == "digest") digest = &r;
    REQUIRE(digest);
    CHECK(digest->recipient == "ld1");
    CHECK(digest->open == 5);
    CHECK(digest->overdue == 4);
    CHECK(digest->due_soon == 1);
    REQUIRE(digest->oldest_overdue.size() == bot::digest_items);
    CHECK(digest->oldest_overdue[0].code == "old1");
    CHECK(p.items.back().kind == "digest");
    CHECK(p.items.front().kind == "due_soon");
}

TEST_CASE("the channel is cs inside Zalo's 7-day window, else the ZNS template, else none", "[reminders]") {
    auto cfg = test::test_config();
    cfg.zalo.zns_reminder_template = "tpl-1";
    const auto now = at(2023, 6, 15);
    const std::int64_t day = 24LL * 3600 * 1000;
    auto o = person("cb1", "tan_soi", "official");
    o.zalo_user_id = "z1";
    o.phone = "0912345678";
    CHECK(bot::choose_channel(o, now - 2 * day, now, cfg).channel == "cs");
    CHECK(bot::choose_channel(o, now - 8 * day, now, cfg).channel == "template");
    CHECK(bot::choose_channel(o, std::nullopt, now, cfg).channel == "template");
    o.zalo_user_id.clear();
    CHECK(bot::choose_channel(o, now - day, now, cfg).channel == "template");
    o.phone.clear();
    auto none = bot::choose_channel(o, std::nullopt, now, cfg);
    CHECK(none.channel == "none");
    CHECK(none.status == storage::reminder_status::no_zalo);
    cfg.zalo.zns_reminder_template.clear();
    o.phone = "0912345678";
    CHECK(bot::choose_channel(o, std::nullopt, now, cfg).status == storage::reminder_status::no_template);
}

// remind --dry-run --json --at across the 2026 holidays: working days counted with the notices'
// swaps (New Year 1–4/1 with Saturday 10/1 worked; National Day 31/8–2/9 with Saturday 22/8 worked).
#include "bot/app/app.hpp"

#include "tests/test_support.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <set>
#include <vector>
#include <sstream>

namespace {

struct cli {
    test::temp_dir dir;
    std::string db = dir.file("cli.db");
    std::string config = dir.file("cchcbot.toml");

    cli() {
        test::write_file(config,
                         "[[levels]]\nid = \"tinh\"\nlabel = \"Cấp tỉnh\"\n[[levels]]\nid = \"xa\"\nlabel = \"Cấp xã\"\n"
                         "[[units]]\nid = \"xa_a\"\nname = \"xã A\"\nlevel = \"xa\"\n");
    }
    std::string ok(const std::string& args) const {
        std::string out;
        int rc = test::run("cd '" + test::source_dir() + "' && CCHCBOT_CONFIG='" + config + "' CCHCBOT_STORAGE_PATH='" + db +
                               "' '" + CCHCBOT_EXE + "' " + args,
                           out);
        INFO(args << "\n" << out);
        REQUIRE(rc == 0);
        return out;
    }
    // "kind dossier" for each reminder a dry run at `at` would send about `codes`.
    std::set<std::string> plan(const std::string& at, const std::set<std::string>& codes) const {
        std::set<std::string> out;
        const std::string json = ok("remind --dry-run --json --at '" + at + "'");
        // One reminder per line, or one object with a "reminders" array: read either.
        std::vector<boost::json::object> items;
        if (json.find("\"reminders\"") != std::string::npos) {
            const auto doc = boost::json::parse(json);  // kept alive: the loop reads into it
            for (const auto& r : doc.as_object().at("reminders").as_array()) items.push_back(r.as_object());
        } else {
            std::istringstream in(json);
            for (std::string line; std::getline(in, line);)
                if (!line.empty()) items.push_back(boost::json::parse(line).as_object());
        }
        for (const auto& v : items) {
            if (!v.contains("dossier") || !v.at("dossier").is_string()) continue;
            std::string code(v.at("dossier").as_string());
            if (codes.count(code)) out.insert(std::string(v.at("kind").as_string()) + " " + code);
        }
        return out;
    }
    bool working(const std::string& at) const {
        return ok("remind --dry-run --at '" + at + "'").find("not a working day") == std::string::npos;
    }
};

void set_up(const cli& run) {
    run.ok("officials add --id cb_a --name 'Nguyễn Văn An' --unit xa_a --role official");
    run.ok("officials add --id ld_a --name 'Trần Thị Bình' --unit xa_a --role leader");
    test::write_file(run.dir.file("hs.csv"),
                     "ma_ho_so,thu_tuc,cap,don_vi,kenh,ngay_nhan,han_tra,can_bo\n"
                     "TL-1,Đăng ký khai sinh,xa,xa_a,truc_tuyen,2025-12-22,2025-12-31,cb_a\n"
                     "TL-2,Đăng ký khai sinh,xa,xa_a,truc_tuyen,2025-12-22,2026-01-05,cb_a\n"
                     "QK-1,Đăng ký khai sinh,xa,xa_a,truc_tuyen,2026-08-20,2026-08-28,cb_a\n"
                     "QK-2,Đăng ký khai sinh,xa,xa_a,truc_tuyen,2026-08-20,2026-09-03,cb_a\n");
    CHECK_THAT(run.ok("dossiers import '" + run.dir.file("hs.csv") + "'"), Catch::Contains("Đã nhập 4 hồ sơ"));
}

using plan_t = std::set<std::string>;

}  // namespace

TEST_CASE("remind counts working days across New Year 2026 with Saturday 10/1 worked", "[reminders]") {
    cli run;
    set_up(run);
    const std::set<std::string> tl = {"TL-1", "TL-2"};
    // Wednesday 31/12/2025: the next working day is Monday 5/1 (2/1 is swapped off).
    CHECK(run.plan("2025-12-31 09:00", tl) == plan_t{"due_soon TL-1", "due_soon TL-2"});
    CHECK_FALSE(run.working("2026-01-01 09:00"));
    CHECK_FALSE(run.working("2026-01-02 09:00"));
    // Monday 5/1: TL-1 is one working day late (5/1), not yet two: no escalation.
    CHECK(run.plan("2026-01-05 09:00", tl) == plan_t{"overdue TL-1", "due_soon TL-2"});
    CHECK(run.plan("2026-01-06 09:00", tl) == plan_t{"overdue TL-1", "escalation TL-1", "overdue TL-2"});
    // Saturday 10/1 is a working day: the scan runs.
    CHECK(run.working("2026-01-10 09:00"));
    CHECK_FALSE(run.working("2026-01-11 09:00"));
}

TEST_CASE("remind counts working days across National Day 2026 with Saturday 22/8 worked", "[reminders]") {
    cli run;
    set_up(run);
    const std::set<std::string> qk = {"QK-1", "QK-2"};
    CHECK(run.working("2026-08-22 09:00"));
    // Friday 28/8: the next working day is Thursday 3/9.
    CHECK(run.plan("2026-08-28 09:00", qk) == plan_t{"due_soon QK-1", "due_soon QK-2"});
    for (const char* day : {"2026-08-29 09:00", "2026-08-31 09:00", "2026-09-01 09:00", "2026-09-02 09:00"})
        CHECK_FALSE(run.working(day));
    // Thursday 3/9: QK-1 is one working day late; Friday 4/9: two, so the leader is told.
    CHECK(run.plan("2026-09-03 09:00", qk) == plan_t{"overdue QK-1", "due_soon QK-2"});
    CHECK(run.plan("2026-09-04 09:00", qk) == plan_t{"overdue QK-1", "escalation QK-1", "overdue QK-2"});
}

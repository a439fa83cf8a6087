#include "bot/dossiers/import_watch.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

TEST_CASE("only exports that stopped changing are ready, oldest first; others are left alone", "[dossiers]") {
    test::temp_dir dir;
    const auto now = fs::file_time_type::clock::now();
    auto put = [&](const std::string& name, std::chrono::seconds age) {
        test::write_file(dir.file(name), "x");
        fs::last_write_time(dir.file(name), now - age);
    };
    put("hom-qua.xlsx", 3600s);
    put("hom-nay.CSV", 60s);
    put("dang-chep.csv", 2s);  // still being copied
    put("ghi-chu.txt", 3600s);
    put(".an.csv", 3600s);
    put("~$khoa.xlsx", 3600s);
    fs::create_directories(dir.path() / "done");
    put("done/cu.csv", 3600s);
    auto ready = bot::ready_exports(dir.path(), 10s, now);
    REQUIRE(ready.size() == 2);
    CHECK(ready[0].filename() == "hom-qua.xlsx");
    CHECK(ready[1].filename() == "hom-nay.CSV");
}

TEST_CASE("an imported export goes to done/, a rejected one to rejected/ with its errors beside it", "[dossiers]") {
    test::temp_dir dir;
    test::write_file(dir.file("a.csv"), "a");
    test::write_file(dir.file("b.csv"), "b");
    auto done = bot::archive_export(dir.path() / "a.csv", true, "2025-12-03_07-00", "");
    CHECK(done == dir.path() / "done" / "2025-12-03_07-00-a.csv");
    CHECK(fs::exists(done));
    auto rejected = bot::archive_export(dir.path() / "b.csv", false, "2025-12-03_07-00", "b.csv:3: bad date\n");
    CHECK(fs::exists(rejected));
    CHECK(test::read_file((dir.path() / "rejected" / "2025-12-03_07-00-b.csv.errors.txt").string()) == "b.csv:3: bad date\n");
    CHECK_FALSE(fs::exists(dir.path() / "a.csv"));
}

TEST_CASE("the folder is looked at every interval, or at the configured times of day", "[dossiers]") {
    auto cfg = test::test_config();
    cfg.imports.interval = 300s;
    const auto at = bot::unix_ms_of({2025, 12, 3}, 10 * 60);
    CHECK(bot::next_watch_at(at, cfg) == at + 300000);
    cfg.imports.times = {"06:30", "12:30"};
    CHECK(bot::next_watch_at(at, cfg) == bot::unix_ms_of({2025, 12, 3}, 12 * 60 + 30));
    CHECK(bot::next_watch_at(bot::unix_ms_of({2025, 12, 3}, 13 * 60), cfg) == bot::unix_ms_of({2025, 12, 4}, 6 * 60 + 30));
    auto parsed = bot::load_config_from("[import]\nfolder = \"/tmp\"\ntimes = [\"06:30\", \"12:30\"]\nchunk_rows = 500\n", {}, true);
    CHECK(parsed.imports.times == std::vector<std::string>{"06:30", "12:30"});
    CHECK(parsed.imports.chunk_rows == 500);
    auto env = bot::load_config_from("", {{"CCHCBOT_IMPORT_TIMES", "07:00,13:15"}, {"CCHCBOT_IMPORT_INTERVAL_S", "60"}}, true);
    CHECK(env.imports.times == std::vector<std::string>{"07:00", "13:15"});
    CHECK(env.imports.interval == 60s);
    CHECK_THROWS_WITH(bot::load_config_from("[import]\ntimes = [\"25:00\"]\n", {}, true), Catch::Contains("import.times"));
    CHECK_THROWS_WITH(bot::load_config_from("[import]\nfoldr = \"/tmp\"\n", {}, true), Catch::Contains("import.foldr"));
}

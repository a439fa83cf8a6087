// The demo and the command line as a newcomer uses them: templates found from the installation,
// one database for the demo and `chat`, the demo's key kept, followers to broadcast to, the
// README's report period, log lines that say their UTC offset.
#include "bot/app/server_app.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/dossiers/reminder_admin.hpp"
#include "handlers/broadcasts.hpp"
#include "storage/broadcast_repository.hpp"
#include "storage/database.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

#include <regex>
#include <sstream>

namespace {

std::int64_t count(SQLite::Database& db, const std::string& sql) {
    SQLite::Statement q(db, sql);
    q.executeStep();
    return q.getColumn(0).getInt64();
}

}  // namespace

TEST_CASE("cchcbot finds its templates from its installation, whatever the current folder", "[demo]") {
    test::temp_dir dir;
    std::string out;
    const int rc = test::run("cd '" + dir.path().string() + "' && CCHCBOT_STORAGE_PATH='" + dir.file("x.db") + "' '" +
                                 CCHCBOT_EXE + "' ask --json 'làm giấy khai sinh cho con thế nào'",
                             out);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.find("\"topic\"") != std::string::npos);
}

TEST_CASE("the installation root is the folder holding templates/ beside or above the executable", "[demo]") {
    test::temp_dir dir;
    test::write_file(dir.file("opt/templates/messages/core.toml"), "");
    test::write_file(dir.file("opt/bin/cchcbot"), "");
    test::write_file(dir.file("flat/templates/messages/core.toml"), "");
    test::write_file(dir.file("flat/cchcbot"), "");
    test::write_file(dir.file("share/cchcbot/templates/messages/core.toml"), "");
    test::write_file(dir.file("usr/bin/cchcbot"), "");
    CHECK(bot::find_install_root(dir.file("opt/bin/cchcbot"), {}) == dir.file("opt"));
    CHECK(bot::find_install_root(dir.file("flat/cchcbot"), {}) == dir.file("flat"));
    // Installed in a bin folder with the data elsewhere: the well-known places are looked at.
    CHECK(bot::find_install_root(dir.file("usr/bin/cchcbot"), {dir.file("nowhere"), dir.file("share/cchcbot")}) ==
          dir.file("share/cchcbot"));
    CHECK(bot::find_install_root(dir.file("usr/bin/cchcbot"), {dir.file("nowhere")}).empty());
}

TEST_CASE("paths not configured are found under the installation; configured ones are kept", "[demo]") {
    // With units of its own: a file without them reads the example's from the templates.
    const std::string units = test::single_period_toml();
    const auto cfg = bot::load_config_from(units, {}, false, "/opt/cchcbot");
    CHECK(cfg.templates_dir == "/opt/cchcbot/templates");
    CHECK(cfg.kb.dir == "/opt/cchcbot/templates/kb");
    CHECK(cfg.kb.shorthand_file == "/opt/cchcbot/templates/shorthand.tsv");
    CHECK(cfg.kb.spoken_file == "/opt/cchcbot/templates/spoken.tsv");
    CHECK(cfg.reminders.calendar_dir == "/opt/cchcbot/templates/calendar");
    // The demo and every command share one database by default, whatever the current folder.
    CHECK(cfg.storage.path == "/opt/cchcbot/data/cchcbot.db");

    const auto own = bot::load_config_from("templates_dir = \"/srv/t\"\n[storage]\npath = \"/var/lib/x.db\"\n" + units, {},
                                           false, "/opt/cchcbot");
    CHECK(own.templates_dir == "/srv/t");
    CHECK(own.kb.dir == "/srv/t/kb");
    CHECK(own.storage.path == "/var/lib/x.db");
    const auto env = bot::load_config_from(units, {{"CCHCBOT_STORAGE_PATH", "/tmp/y.db"}}, false, "/opt/cchcbot");
    CHECK(env.storage.path == "/tmp/y.db");
}

TEST_CASE("the demo's OA secret key stays the same for the same demo database", "[demo]") {
    test::temp_dir dir;
    std::string first, again, other;
    {
        auto db = storage::open_database(dir.file("demo.db"));
        first = bot::app::demo_oa_secret_key(*db);
    }
    {
        auto db = storage::open_database(dir.file("demo.db"));
        again = bot::app::demo_oa_secret_key(*db);
    }
    {
        auto db = storage::open_database(dir.file("other.db"));
        other = bot::app::demo_oa_secret_key(*db);
    }
    CHECK(first.size() == 64);
    CHECK(first == again);
    CHECK(first != other);
}

TEST_CASE("the demo seeds followers in communes and villages, so a broadcast has an audience", "[demo]") {
    auto env = test::make_test_env(test::demo_config());
    auto db = test::memory_db();
    env->now = bot::unix_ms_of({2026, 11, 30}, 9 * 60);
    bot::seed_demo(*db, env->env->cfg, env->now);
    CHECK(count(*db, "SELECT COUNT(DISTINCT unit_id) FROM users WHERE is_follower = 1") >= 2);
    CHECK(count(*db, "SELECT COUNT(DISTINCT village) FROM users WHERE is_follower = 1 AND village <> ''") >= 3);
    // Every unit with villages today has followers in one of them.
    std::string unit, village;
    {
        SQLite::Statement q(*db, "SELECT unit_id, village FROM users WHERE is_follower = 1 AND village <> '' LIMIT 1");
        REQUIRE(q.executeStep());
        unit = q.getColumn(0).getString();
        village = q.getColumn(1).getString();
    }
    auto ctx = env->env->context(*db);
    handlers::broadcast_request rq;
    rq.text = "Dạ, thông báo thử.";
    rq.units = {unit};
    rq.villages = {village};
    CHECK(handlers::preview_broadcast(ctx, rq).recipients > 0);
    // Seeding twice adds nobody.
    const auto before = count(*db, "SELECT COUNT(*) FROM users");
    bot::seed_demo(*db, env->env->cfg, env->now);
    CHECK(count(*db, "SELECT COUNT(*) FROM users") == before);
}

TEST_CASE("the README's example report covers the demo's dossiers", "[demo]") {
    const std::string readme = test::read_file(test::source_dir() + "/README.md");
    std::smatch m;
    REQUIRE(std::regex_search(readme, m, std::regex(R"(\./build/cchcbot (report [^\n]*))")));
    const std::string command = m[1];
    test::temp_dir dir;
    {
        auto db = storage::open_database(dir.file("demo.db"));
        bot::seed_demo(*db, test::demo_config(), bot::now_ms());
    }
    std::string out;
    REQUIRE(test::run("cd '" + test::source_dir() + "' && CCHCBOT_STORAGE_PATH='" + dir.file("demo.db") + "' '" +
                          CCHCBOT_EXE + "' " + command,
                      out) == 0);
    INFO(command << "\n" << out);
    CHECK(out.find("Tổng số hồ sơ tiếp nhận: 0 hồ sơ") == std::string::npos);
    CHECK(std::regex_search(out, std::regex("Tổng số hồ sơ tiếp nhận: [1-9]")));
}

TEST_CASE("log lines carry their UTC offset", "[demo]") {
    test::temp_dir dir;
    test::write_file(dir.file("cchcbot.toml"), test::single_period_toml());
    const std::string prefix = "cd '" + test::source_dir() + "' && CCHCBOT_CONFIG='" + dir.file("cchcbot.toml") +
                               "' CCHCBOT_STORAGE_PATH='" + dir.file("x.db") + "' '" + CCHCBOT_EXE + "' ";
    std::string out;
    REQUIRE(test::run(prefix + "officials add --id cb_ds_01 --name 'Lê Văn Cường' --unit dong_son --role official", out) == 0);
    REQUIRE(test::run(prefix + "dossiers import tests/fixtures/dossiers-2023-06.csv", out) == 0);
    REQUIRE(test::run(prefix + "remind --at '2023-06-15 08:00'", out) == 0);
    INFO(out);
    // [2023-06-15 ...] is the clock of the run, not of --at: only the shape matters.
    CHECK(std::regex_search(out, std::regex(R"(\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d\d:\d\d\] \[warning\])")));
}

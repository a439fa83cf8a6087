// officials list shows how each official can be reached; remind --json is one JSON object.
#include "bot/app/app.hpp"

#include "tests/test_support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <sstream>

namespace {

struct cli {
    test::temp_dir dir;
    std::string db = dir.file("cli.db");
    std::string config = [this] {
        test::write_file(dir.file("cchcbot.toml"), test::single_period_toml());
        return dir.file("cchcbot.toml");
    }();
    std::string ok(const std::string& args) const {
        std::string out;
        int rc = test::run("cd '" + test::source_dir() + "' && CCHCBOT_CONFIG='" + config + "' CCHCBOT_STORAGE_PATH='" + db +
                               "' '" + CCHCBOT_EXE + "' " + args + " 2>/dev/null",
                           out);
        INFO(args << "\n" << out);
        REQUIRE(rc == 0);
        return out;
    }
};

}  // namespace

TEST_CASE("officials list says how each official can be reached, and why not", "[reachability]") {
    cli run;
    run.ok("officials add --id cb1 --name 'Nguyễn Văn An' --unit tan_soi --role official --phone 0912000001");
    run.ok("officials add --id cb2 --name 'Lê Văn Cường' --unit tan_soi --role official");
    const std::string list = run.ok("officials list");
    CHECK_THAT(list, Catch::Contains("unreachable") && Catch::Contains("no ZNS template") && Catch::Contains("no phone"));
    const std::string json = run.ok("officials list --json");
    bool both = true;
    std::size_t n = 0;
    std::istringstream in(json);
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        ++n;
        const auto o = boost::json::parse(line).as_object();
        const auto& r = o.at("reachability").as_object();
        both = both && r.at("state").as_string() == "unreachable" && !r.at("reason").as_string().empty();
    }
    CHECK(n == 2);
    CHECK(both);
}

TEST_CASE("remind --json prints one valid JSON object, also when nothing is due", "[reachability]") {
    cli run;
    const auto idle = boost::json::parse(run.ok("remind --dry-run --json --at '2023-06-17 09:00'")).as_object();
    CHECK(idle.at("active").as_bool() == false);
    CHECK(idle.at("reminders").as_array().empty());
    CHECK_FALSE(idle.at("reason").as_string().empty());

    run.ok("officials add --id cb_ts_01 --name 'Nguyễn Văn An' --unit tan_soi --role official --phone 0912000001");
    run.ok("dossiers import tests/fixtures/dossiers-2023-06.csv");
    const auto busy = boost::json::parse(run.ok("remind --dry-run --json --at '2023-06-15 08:00'")).as_object();
    CHECK(busy.at("active").as_bool());
    REQUIRE_FALSE(busy.at("reminders").as_array().empty());
    const auto& first = busy.at("reminders").as_array().front().as_object();
    CHECK(first.at("recipient").as_string() == "cb_ts_01");
    CHECK(first.at("reason").as_string() == "not_linked_no_template");
}

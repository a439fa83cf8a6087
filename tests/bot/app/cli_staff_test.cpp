// Staff on the command line: roles beyond official/leader and several units per person.
#include "bot/app/app.hpp"

#include "storage/database.hpp"
#include "storage/official_repository.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

namespace {
struct cli {
    test::temp_dir dir;
    std::string db = dir.file("staff.db");
    int operator()(const std::string& args, std::string& out) const {
        return test::run("cd '" + test::source_dir() + "' && CCHCBOT_CONFIG= CCHCBOT_STORAGE_PATH='" + db + "' '" +
                             CCHCBOT_EXE + "' " + args,
                         out);
    }
};
}  // namespace

TEST_CASE("officials add registers a propaganda member serving two communes", "[staff]") {
    cli run;
    std::string out;
    // Today's units (the demo's structure); a commune merged in 2025 is refused with its successor.
    CHECK(run("officials add --id tt_00 --name 'Tổ tuyên truyền' --unit tan_soi --role propaganda", out) == 1);
    // In Vietnamese, as the console says a commune merged, with the unit to choose instead.
    CHECK_THAT(out, Catch::Contains("sau ngày 30/06/2025, xã Tân Sỏi (tan_soi) đã nhập vào xã Yên Thế (yen_the); anh/chị chọn xã Yên Thế"));
    REQUIRE(run("officials add --id tt_01 --name 'Tổ tuyên truyền' --unit yen_the --unit bo_ha_moi --role propaganda", out) == 0);
    auto conn = storage::open_database(run.db);
    auto o = storage::find_official(*conn, "tt_01");
    REQUIRE(o);
    CHECK(o->role == "propaganda");
    CHECK(o->units == std::vector<std::string>{"yen_the", "bo_ha_moi"});
    REQUIRE(run("officials list", out) == 0);
    CHECK_THAT(out, Catch::Contains("yen_the,bo_ha_moi"));
}

TEST_CASE("officials add refuses an unknown second unit and an unknown role, and stores nothing", "[staff]") {
    cli run;
    std::string out;
    CHECK(run("officials add --id a1 --name A --unit tan_soi --unit nowhere --role official", out) == 1);
    CHECK_THAT(out, Catch::Contains("không có đơn vị \"nowhere\""));
    CHECK(run("officials add --id a2 --name A --unit tan_soi --role boss", out) == 2);
    auto conn = storage::open_database(run.db);
    CHECK(storage::list_officials(*conn).empty());
}

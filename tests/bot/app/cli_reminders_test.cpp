// End to end through the executable: officials, dossier import, remind --dry-run and real runs.
#include "bot/app/app.hpp"

#include "bot/dossiers/link_code.hpp"
#include "bot/core/local_time.hpp"
#include "bot/dossiers/reminder_admin.hpp"
#include "storage/database.hpp"
#include "storage/official_repository.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Statement.h>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <sstream>

namespace {

// A deployment of one period (the district and its communes of June 2023, no dates): officials
// are registered on those units, as they were then.
struct cli : test::cli_deployment {
    cli() : cli_deployment("CCHCBOT_ZALO_ZNS_REMINDER_TEMPLATE=zns-reminder-1") {}
};

// The reminders of `remind --json` (one object), each serialised again.
std::vector<std::string> reminders(const std::string& out) {
    std::vector<std::string> r;
    const auto doc = boost::json::parse(out);
    for (const auto& v : doc.as_object().at("reminders").as_array()) r.push_back(boost::json::serialize(v));
    return r;
}

void set_up_june_2023(const cli& run) {
    run.ok("officials add --id cb_ts_01 --name 'Nguyễn Văn An' --unit tan_soi --role official --phone 0912000001");
    run.ok("officials add --id ld_ts --name 'Trần Thị Bình' --unit tan_soi --role leader --phone 0912000009");
    run.ok("officials add --id cb_ds_01 --name 'Lê Văn Cường' --unit dong_son --role official");
    run.ok("officials add --id ld_ds --name 'Phạm Thị Dung' --unit dong_son --role leader --phone 0912000019");
    run.ok("officials add --id cb_bh_01 --name 'Hoàng Văn Em' --unit bo_ha --role official --phone 0912000021");
    CHECK_THAT(run.ok("dossiers import tests/fixtures/dossiers-2023-06.csv"), Catch::Contains("Đã nhập 10 hồ sơ"));
    // cb_ts_01 linked their Zalo account and wrote to the OA the day before; cb_bh_01 sent "tắt nhắc".
    auto conn = storage::open_database(run.db);
    const auto then = bot::unix_ms_of({2023, 6, 14}, 10 * 60);
    auto code = bot::issue_link_code(*conn, "cb_ts_01", then);
    REQUIRE(code);
    REQUIRE(storage::redeem_link_code(*conn, bot::hash_link_code(code->code), "zalo-ts-01", then) == storage::link_status::linked);
    SQLite::Statement u(*conn, "INSERT INTO users (user_id, last_interaction_at, created_at) VALUES ('zalo-ts-01', ?, ?)");
    u.bind(1, then);
    u.bind(2, then);
    u.exec();
    REQUIRE(storage::set_reminders_enabled(*conn, "cb_bh_01", false));
}

}  // namespace

TEST_CASE("remind --dry-run lists exactly the reminders the rules give for the June 2023 set", "[reminders]") {
    cli run;
    set_up_june_2023(run);
    const std::vector<std::string> expected = {
        R"({"kind":"due_soon","recipient":"cb_ts_01","dossier":"000.00.31.H12-230612-0001","channel":"cs"})",
        R"({"kind":"due_soon","recipient":"cb_ts_01","dossier":"000.00.31.H12-230613-0002","channel":"cs"})",
        R"({"kind":"overdue","recipient":"cb_ts_01","dossier":"000.00.31.H12-230605-0005","channel":"cs"})",
        R"({"kind":"overdue","recipient":"cb_ds_01","dossier":"000.00.32.H12-230606-0007","channel":"none","status":"no_zalo","reason":"not_linked_no_phone"})",
        R"({"kind":"overdue","recipient":"cb_ts_01","dossier":"000.00.31.H12-230607-0004","channel":"cs"})",
        R"({"kind":"escalation","recipient":"ld_ts","dossier":"000.00.31.H12-230605-0005","channel":"template"})",
        R"({"kind":"escalation","recipient":"ld_ds","dossier":"000.00.32.H12-230606-0007","channel":"template"})",
        R"({"kind":"digest","recipient":"ld_ds","dossier":null,"channel":"template"})",
        R"({"kind":"digest","recipient":"ld_ts","dossier":null,"channel":"template"})",
    };
    CHECK(reminders(run.ok("remind --dry-run --json --at '2023-06-15 08:00'")) == expected);
    CHECK(run.count("SELECT COUNT(*) FROM outbox") == 0);
    CHECK(run.count("SELECT COUNT(*) FROM reminders") == 0);
    // Before working hours and on the weekend: nothing.
    CHECK(reminders(run.ok("remind --dry-run --json --at '2023-06-15 07:00'")).empty());
    CHECK_THAT(run.ok("remind --dry-run --at '2023-06-17 09:00'"), Catch::Contains("not a working day"));

    // The real run enqueues them once, even when the scheduler runs twice.
    CHECK_THAT(run.ok("remind --at '2023-06-15 08:00'"), Catch::Contains("8 reminder(s) queued"));
    CHECK(run.count("SELECT COUNT(*) FROM outbox") == 8);
    CHECK(run.count("SELECT COUNT(*) FROM outbox WHERE channel = 'cs'") == 4);
    CHECK(run.count("SELECT COUNT(*) FROM reminders") == 9);
    CHECK_THAT(run.ok("remind --at '2023-06-15 08:15'"), Catch::Contains("0 reminder(s) queued"));
    CHECK(run.count("SELECT COUNT(*) FROM outbox") == 8);
    CHECK(reminders(run.ok("remind --dry-run --json --at '2023-06-15 09:00'")).empty());
}

TEST_CASE("the reminder commands report bad input with exit codes 1 and 2", "[reminders]") {
    cli run;
    std::string out;
    CHECK(run("officials add --id x --name X --unit nowhere --role official", out) == 1);
    CHECK_THAT(out, Catch::Contains("Chưa đăng ký cán bộ \"x\": không có đơn vị \"nowhere\""));
    CHECK(run("officials add --id x --name X --unit tan_soi --role boss", out) == 2);
    CHECK(run("remind --dry-run --at 'tomorrow'", out) == 2);
    CHECK(run("officials link-code nobody", out) == 1);
    run.ok("officials add --id cb1 --name 'Nguyễn Văn An' --unit tan_soi --role official");
    CHECK(run("officials add --id cb1 --name 'Nguyễn Văn An' --unit tan_soi --role official", out) == 1);
    auto code = run.ok("officials link-code cb1");
    CHECK_THAT(code, Catch::Contains("DK "));
    CHECK_THAT(run.ok("officials list --json"), Catch::Contains("\"id\":\"cb1\""));

    test::write_file(run.dir.file("bad.csv"),
                     "ma_ho_so,thu_tuc,cap,don_vi,kenh,ngay_nhan,han_tra\nA,x,xa,tan_soi,truc_tuyen,2023-06-01,2023-06-05\n"
                     "B,x,xa,tan_soi,fax,2023-06-01,2023-06-05\n");
    CHECK(run("dossiers import '" + run.dir.file("bad.csv") + "'", out) == 1);
    CHECK_THAT(out, Catch::Contains("bad.csv: Dòng 3: kênh nộp \"fax\"") && Catch::Contains("chưa hồ sơ nào thay đổi"));
    CHECK(run.count("SELECT COUNT(*) FROM dossiers") == 0);
    run.ok("officials disable cb1");
    CHECK_THAT(run.ok("officials list"), Catch::Contains("disabled"));
}

#include "handlers/reminders.hpp"

#include "bot/core/config.hpp"
#include "bot/dossiers/link_code.hpp"
#include "bot/core/local_time.hpp"
#include "bot/zalo/outgoing.hpp"
#include "bot/dossiers/reminder_admin.hpp"
#include "storage/dossier_repository.hpp"
#include "storage/official_repository.hpp"
#include "storage/reminder_repository.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <catch2/catch.hpp>

namespace {

std::int64_t at(int y, unsigned m, unsigned d, int h = 8, int mi = 0) { return bot::unix_ms_of({y, m, d}, h * 60 + mi); }

struct scan_fixture {
    std::unique_ptr<test::test_env> t;
    std::unique_ptr<SQLite::Database> db = test::memory_db();
    std::shared_ptr<const bot::work_calendar> cal;

    scan_fixture() {
        auto cfg = test::test_config();
        cfg.zalo.zns_reminder_template = "zns-reminder-1";
        t = test::make_test_env(std::move(cfg));
        cal = bot::calendar_for(t->env->cfg);
        auto add = [&](std::string id, std::string unit, std::string role, std::string phone) {
            storage::official o{id, "Cán bộ " + id, unit, role, phone, "", true, true, false, {}};
            REQUIRE(storage::add_official(*db, o, 0));
        };
        add("cb_ts_01", "tan_soi", "official", "0912000001");
        add("ld_ts", "tan_soi", "leader", "0912000009");
        add("cb_ds_01", "dong_son", "official", "");
        add("ld_ds", "dong_son", "leader", "0912000019");
        add("cb_bh_01", "bo_ha", "official", "0912000021");
        auto imp = bot::import_dossiers(*db, test::read_file(test::source_dir() + "/tests/fixtures/dossiers-2023-06.csv"),
                                        t->env->cfg, 0);
        REQUIRE(imp.parsed.ok());
    }
    handlers::scan_report scan(std::int64_t now, bool dry = false) {
        t->now = now;
        auto ctx = t->env->context(*db);
        return handlers::run_reminder_scan(ctx, *cal, dry);
    }
    std::int64_t outbox_rows(const std::string& where = "1 = 1") {
        SQLite::Statement q(*db, "SELECT COUNT(*) FROM outbox WHERE " + where);
        q.executeStep();
        return q.getColumn(0).getInt64();
    }
    void link(const std::string& official, const std::string& zalo, std::int64_t last_interaction) {
        auto code = bot::issue_link_code(*db, official, t->now);
        REQUIRE(code);
        REQUIRE(storage::redeem_link_code(*db, bot::hash_link_code(code->code), zalo, t->now) == storage::link_status::linked);
        SQLite::Statement q(*db, "INSERT INTO users (user_id, last_interaction_at, created_at) VALUES (?, ?, 0)");
        q.bind(1, zalo);
        q.bind(2, last_interaction);
        q.exec();
    }
};

std::size_t count_kind(const handlers::scan_report& r, const std::string& kind) {
    return static_cast<std::size_t>(std::count_if(r.items.begin(), r.items.end(), [&](const auto& i) { return i.kind == kind; }));
}

}  // namespace

TEST_CASE("a scan enqueues each reminder once and a second scan the same day sends nothing", "[reminders]") {
    scan_fixture f;
    auto first = f.scan(at(2023, 6, 15));
    REQUIRE(first.active);
    CHECK(first.items.size() == 10);
    CHECK(count_kind(first, "due_soon") == 2);
    CHECK(count_kind(first, "overdue") == 4);
    CHECK(count_kind(first, "escalation") == 2);
    CHECK(count_kind(first, "digest") == 2);
    const auto queued = f.outbox_rows();
    CHECK(queued == 9);  // cb_ds_01 has neither Zalo nor phone
    CHECK(f.outbox_rows("priority = 1 AND purpose IN ('reminder', 'digest')") == queued);
    auto second = f.scan(at(2023, 6, 15, 10));
    CHECK(second.items.empty());
    CHECK(f.outbox_rows() == queued);
    // The next working day the daily kinds come again, the escalations do not.
    auto next = f.scan(at(2023, 6, 16));
    CHECK(count_kind(next, "due_soon") == 2);  // 0002 today, 0003 on Monday
    CHECK(count_kind(next, "overdue") == 5);   // 0001 fell due yesterday
    CHECK(count_kind(next, "escalation") == 1);  // 0004 reaches 2 working days on the 16th
    CHECK(count_kind(next, "digest") == 2);
}

TEST_CASE("a scan that dies before committing leaves nothing and the rerun sends everything once", "[reminders]") {
    scan_fixture f;
    {
        SQLite::Transaction tx(*f.db);  // the process dies before this commits
        auto partial = f.scan(at(2023, 6, 15));
        CHECK(partial.items.size() == 10);
        CHECK(f.outbox_rows() == 9);
    }
    CHECK(f.outbox_rows() == 0);
    CHECK(storage::reminders_on(*f.db, "2023-06-15").empty());
    auto rerun = f.scan(at(2023, 6, 15, 8, 15));
    CHECK(rerun.items.size() == 10);
    CHECK(f.outbox_rows() == 9);
    CHECK(f.scan(at(2023, 6, 15, 8, 30)).items.empty());
    CHECK(f.outbox_rows() == 9);
}

TEST_CASE("reminders already recorded today are not sent again after a restart", "[reminders]") {
    scan_fixture f;
    // A scan before the restart recorded (and enqueued) two of today's reminders.
    for (const char* code : {"000.00.31.H12-230612-0001", "000.00.31.H12-230613-0002"})
        CHECK(storage::record_reminder(*f.db, {"due_soon", code, "cb_ts_01", "2023-06-15", "tan_soi", "template", storage::reminder_status::queued, 1}, 0));
    auto after = f.scan(at(2023, 6, 15, 9));
    CHECK(count_kind(after, "due_soon") == 0);
    CHECK(after.items.size() == 8);
}

TEST_CASE("an import that marks a dossier returned stops its reminders", "[reminders]") {
    scan_fixture f;
    f.scan(at(2023, 6, 15));
    const std::string code = "000.00.31.H12-230607-0004";
    CHECK(f.outbox_rows("ref = '" + code + "' AND state = 'pending'") == 1);
    auto csv = "ma_ho_so,thu_tuc,cap,don_vi,kenh,ngay_nhan,han_tra,ngay_tra,can_bo\n" + code +
               ",Đăng ký khai tử,xa,tan_soi,bcci,2023-06-07,2023-06-14,2023-06-15 09:00,cb_ts_01\n";
    auto imp = bot::import_dossiers(*f.db, csv, f.t->env->cfg, at(2023, 6, 15, 9));
    REQUIRE(imp.parsed.ok());
    CHECK(imp.stats.newly_returned == 1);
    CHECK(imp.stats.cancelled_reminders == 1);
    CHECK(f.outbox_rows("ref = '" + code + "' AND state = 'cancelled'") == 1);
    auto next = f.scan(at(2023, 6, 16));
    for (const auto& r : next.items) CHECK(r.dossier != code);
}

TEST_CASE("an official without a linked Zalo account or phone is reported, not sent to", "[reminders]") {
    scan_fixture f;
    auto dry = f.scan(at(2023, 6, 15), true);
    bool seen = false;
    for (const auto& r : dry.items)
        if (r.recipient == "cb_ds_01") {
            seen = true;
            CHECK(r.channel == "none");
            CHECK(r.status == storage::reminder_status::no_zalo);
        }
    CHECK(seen);
    CHECK(f.outbox_rows() == 0);  // dry run
    f.scan(at(2023, 6, 15));
    auto rows = storage::reminders_on(*f.db, "2023-06-15");
    bool recorded = false;
    for (const auto& r : rows)
        if (r.recipient == "cb_ds_01") {
            recorded = true;
            CHECK(r.status == storage::reminder_status::no_zalo);
            CHECK_FALSE(r.outbox_id);
        }
    CHECK(recorded);
    CHECK(f.outbox_rows("recipient = ''") == 0);
}

TEST_CASE("inside the window reminders go as cs with a phone fallback; outside as the ZNS template", "[reminders]") {
    scan_fixture f;
    const std::int64_t day = 24LL * 3600 * 1000;
    f.t->now = at(2023, 6, 15);
    f.link("cb_ts_01", "zalo-ts-01", at(2023, 6, 14, 10));  // interacted yesterday
    f.link("ld_ts", "zalo-ld-ts", at(2023, 6, 15) - 8 * day);  // outside the 7-day window
    f.scan(at(2023, 6, 15));
    SQLite::Statement q(*f.db, "SELECT recipient, channel, body FROM outbox WHERE ref = '000.00.31.H12-230605-0005' ORDER BY id");
    std::map<std::string, zalo::outgoing_message> by_channel;
    while (q.executeStep()) by_channel[q.getColumn(1).getString()] = zalo::outgoing_from_json(q.getColumn(2).getString());
    REQUIRE(by_channel.count("cs"));
    REQUIRE(by_channel.count("zns"));
    const auto& cs = by_channel["cs"];
    CHECK(cs.recipient == "zalo-ts-01");
    CHECK(cs.fallback_phone == "84912000001");
    CHECK(cs.prio == zalo::priority::reminder);
    CHECK_THAT(cs.text, Catch::Contains("000.00.31.H12-230605-0005") && Catch::Contains("12/06/2023") &&
                            Catch::Contains("quá hạn 3 ngày làm việc"));
    const auto& zns = by_channel["zns"];
    CHECK(zns.recipient == "84912000009");
    CHECK(zns.template_id == "zns-reminder-1");
    CHECK(zns.template_data.at("ma_ho_so") == "000.00.31.H12-230605-0005");
    CHECK(zns.template_data.at("han_tra") == "12/06/2023");
    CHECK_THAT(zns.text, Catch::Contains("Cán bộ cb_ts_01"));  // escalation names the assignee
    auto rows = storage::reminders_on(*f.db, "2023-06-15");
    for (const auto& r : rows) {
        if (r.recipient == "cb_ts_01") CHECK(r.channel == "cs");
        if (r.recipient == "ld_ts") CHECK(r.channel == "template");
        if (r.status == storage::reminder_status::queued) CHECK(r.outbox_id);
    }
}

TEST_CASE("nothing is sent on a scan outside working hours", "[reminders]") {
    scan_fixture f;
    auto early = f.scan(at(2023, 6, 15, 6, 59));
    CHECK_FALSE(early.active);
    CHECK(f.scan(at(2023, 6, 17, 9)).items.empty());  // Saturday
    CHECK(f.outbox_rows() == 0);
}

TEST_CASE("the digest tells the leader the counts and the oldest overdue dossiers", "[reminders]") {
    scan_fixture f;
    f.scan(at(2023, 6, 15));
    SQLite::Statement q(*f.db, "SELECT body FROM outbox WHERE purpose = 'digest' AND ref = 'digest:tan_soi'");
    REQUIRE(q.executeStep());
    auto m = zalo::outgoing_from_json(q.getColumn(0).getString());
    CHECK_THAT(m.text, Catch::Contains("xã Tân Sỏi") && Catch::Contains("15/06/2023") &&
                           Catch::Contains("5 hồ sơ đang giải quyết, 2 quá hạn, 2 sắp đến hạn") &&
                           Catch::Contains("000.00.31.H12-230605-0005"));
}

TEST_CASE("the demo seeds one official and one leader per unit of today and a dossier set around today, once", "[reminders]") {
    auto cfg = test::demo_config();
    auto db = test::memory_db();
    const auto now = at(2026, 11, 27, 9);
    // Today's units: the province, xã Yên Thế, phường Bố Hạ (the 2023 units get nobody).
    CHECK_THAT(bot::seed_demo(*db, cfg, now), Catch::Contains("6 officials, 11 dossiers"));
    CHECK(storage::find_official(*db, "ld_yen_the")->role == "leader");
    CHECK(storage::find_official(*db, "cb_bo_ha_moi")->name == "Cán bộ một cửa phường Bố Hạ");
    CHECK_FALSE(storage::find_official(*db, "cb_tan_soi"));
    auto d = storage::find_dossier(*db, "000.00.27.H05-260612-0001");
    REQUIRE(d);
    CHECK(d->due_on == "2026-11-27");  // due "today" in the demo, as on 2026-06-15 in the file
    CHECK(d->official_id == "cb_yen_the");
    CHECK(d->unit_id == "yen_the");
    CHECK_THAT(bot::seed_demo(*db, cfg, now), Catch::Contains("0 officials, 0 dossiers"));
}

TEST_CASE("procedure names are put on one line and cut to fit a phone", "[reminders]") {
    CHECK(handlers::short_procedure("Xác nhận tình trạng hôn nhân\n(cấp lại)") == "Xác nhận tình trạng hôn nhân (cấp lại)");
    CHECK(handlers::short_procedure("  Đăng  ký   khai sinh ") == "Đăng ký khai sinh");
    CHECK(handlers::short_procedure("Đăng ký khai sinh", 8) == "Đăng ký…");
    CHECK(handlers::short_procedure("", 8).empty());
}

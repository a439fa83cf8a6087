#include "handlers/dossier_follow.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/dossiers/import_run.hpp"
#include "bot/reports/report.hpp"
#include "bot/reports/report_format.hpp"
#include "storage/dossier_follow_repository.hpp"
#include "tests/handlers/conversation_fixture.hpp"

#include <catch2/catch.hpp>

using test::contains;

namespace {

const std::string code = "000.00.31.H12-261120-0001";
const std::string citizen = "7100000000000000001";
const std::string stranger = "7100000000000000002";

std::string all_text(const handlers::outcome& out) {
    std::string t;
    for (const auto& m : out.messages) t += m.text + "\n";
    return t;
}

struct follow_fixture : test::chat_fixture {
    follow_fixture() {
        // Received 20/11/2026, due 01/12/2026 (after "today", 27/11/2026), online.
        add_dossier(code, "tan_soi", "2026-11-20", "2026-12-01");
    }
    std::int64_t follows(const std::string& user) {
        return count("SELECT COUNT(*) FROM dossier_follows WHERE user_id = '" + user + "' AND unfollowed_at IS NULL");
    }
};

/// The export of the dossier above and one more, with their statuses and the first one's due date.
std::string export_csv(const std::string& status, const std::string& due = "01/12/2026",
                       const std::string& other_status = "Đang xử lý") {
    return "Mã hồ sơ,Tên thủ tục,Lĩnh vực,Cấp,Đơn vị,Kênh,Ngày tiếp nhận,Ngày hẹn trả,Trạng thái,Số điện thoại\n" + code +
           ",Đăng ký khai sinh,Hộ tịch,Cấp xã,UBND xã Tân Sỏi,Trực tuyến,20/11/2026," + due + "," + status + ",0987 654 321\n"
           "000.00.31.H12-261120-0002,Đăng ký kết hôn,Hộ tịch,Cấp xã,UBND xã Tân Sỏi,Trực tiếp,20/11/2026,01/12/2026," +
           other_status + ",0912 111 222\n";
}

}  // namespace

TEST_CASE("a lookup offers to follow, and following takes the phone on the receipt, never echoed in full", "[dossiers]") {
    follow_fixture f;
    auto lookup = f.send(citizen, "ho so " + code + " toi sao roi");
    REQUIRE(lookup.messages.size() == 1);
    CHECK(contains(lookup.messages[0].text, "Đăng ký khai sinh"));
    CHECK(test::payloads(lookup.messages) == std::vector<std::string>{"#follow:" + code});
    auto ask = f.send(citizen, "#follow:" + code);
    REQUIRE(ask.messages.size() == 1);
    CHECK(contains(ask.messages[0].text, "số điện thoại"));
    CHECK(f.follows(citizen) == 0);
    auto ok = f.send(citizen, "0987 654 321");
    REQUIRE(ok.messages.size() == 1);
    CHECK(contains(ok.messages[0].text, "em đã ghi nhận anh/chị theo dõi hồ sơ " + code));
    CHECK(contains(ok.messages[0].text, "0987***321"));
    CHECK_FALSE(contains(all_text(ok), "0987654321"));
    CHECK(test::payloads(ok.messages) == std::vector<std::string>{"#unfollow:" + code});
    CHECK(f.follows(citizen) == 1);
    // The next lookup shows the follower a little more, and offers to stop.
    auto again = f.send(citizen, code);
    CHECK(contains(again.messages[0].text, "Tiếp nhận lúc"));
    CHECK(test::payloads(again.messages) == std::vector<std::string>{"#unfollow:" + code});
    // A message after the question that is not a phone is handled as usual.
    f.send(stranger, "#follow:" + code);
    auto other = f.send(stranger, "khai sinh");
    CHECK(contains(all_text(other), "để đăng ký khai sinh"));
    CHECK(f.follows(stranger) == 0);
}

TEST_CASE("theo dõi with code and phone follows, typed with or without diacritics; a wrong pair reveals nothing", "[dossiers]") {
    follow_fixture f;
    auto wrong_phone = f.send(stranger, "theo doi " + code + " 0912 000 000");
    auto no_dossier = f.send(stranger, "Theo dõi 000.00.31.H12-261120-0099 0987654321");
    REQUIRE(wrong_phone.messages.size() == 1);
    REQUIRE(no_dossier.messages.size() == 1);
    // The same answer either way: nothing about the dossier, not even whether it exists.
    CHECK(wrong_phone.messages[0].text == no_dossier.messages[0].text);
    CHECK_FALSE(contains(wrong_phone.messages[0].text, "khai sinh"));
    CHECK_FALSE(contains(wrong_phone.messages[0].text, code));
    CHECK(f.follows(stranger) == 0);
    auto ok = f.send(citizen, "THEO DÕI " + code + " 0987.654.321");
    CHECK(contains(all_text(ok), "em đã ghi nhận"));
    CHECK(f.follows(citizen) == 1);
    auto usage = f.send(citizen, "theo dõi");
    CHECK(contains(all_text(usage), "theo mẫu"));
    auto ask = f.send(citizen, "theo doi " + code);
    CHECK(contains(all_text(ask), "đã theo dõi hồ sơ " + code + " từ trước"));
}

TEST_CASE("five wrong tries in a day stop checking until the next day", "[dossiers]") {
    follow_fixture f;
    for (int i = 0; i < handlers::max_follow_failures_per_day; ++i) f.send(stranger, "theo dõi " + code + " 090000000" + std::to_string(i));
    auto locked = f.send(stranger, "theo dõi " + code + " 0987654321");
    CHECK(contains(all_text(locked), "tạm dừng xác nhận"));
    CHECK(f.follows(stranger) == 0);
    f.t->now += 24LL * 3600 * 1000;
    auto ok = f.send(stranger, "theo dõi " + code + " 0987654321");
    CHECK(contains(all_text(ok), "em đã ghi nhận"));
}

TEST_CASE("bỏ theo dõi stops one dossier or all, by text or by the button", "[dossiers]") {
    follow_fixture f;
    f.add_dossier("000.00.31.H12-261120-0002", "tan_soi", "2026-11-20", "2026-12-01");
    f.send(citizen, "theo dõi " + code + " 0987654321");
    f.send(citizen, "theo dõi 000.00.31.H12-261120-0002 0987654321");
    REQUIRE(f.follows(citizen) == 2);
    auto one = f.send(citizen, "#unfollow:" + code);
    CHECK(contains(all_text(one), "ngừng gửi tin về hồ sơ " + code));
    CHECK(f.follows(citizen) == 1);
    auto all = f.send(citizen, "huy theo doi");
    CHECK(contains(all_text(all), "1 hồ sơ"));
    CHECK(f.follows(citizen) == 0);
    CHECK(contains(all_text(f.send(citizen, "bỏ theo dõi")), "chưa theo dõi hồ sơ nào"));
}

TEST_CASE("officials of the dossier's unit see its details; officials of other units and strangers do not", "[dossiers]") {
    follow_fixture f;
    f.add_official("cb_ts", "tan_soi", "7200000000000000001");
    f.add_official("cb_ds", "dong_son", "7200000000000000002");
    f.add_official("cb_huyen", "huyen", "7200000000000000003");
    auto own = all_text(f.send("7200000000000000001", code));
    CHECK(contains(own, "Cán bộ xử lý"));
    CHECK(contains(own, "0987***321"));
    CHECK_FALSE(contains(own, "0987654321"));
    auto district = all_text(f.send("7200000000000000003", code));  // the desk above the commune
    CHECK(contains(district, "Cán bộ xử lý"));
    auto other = all_text(f.send("7200000000000000002", code));
    CHECK_FALSE(contains(other, "Cán bộ xử lý"));
    CHECK_FALSE(contains(other, "***"));
    auto anyone = all_text(f.send(stranger, code));
    CHECK_FALSE(contains(anyone, "Cán bộ xử lý"));
    CHECK_FALSE(contains(anyone, "Tiếp nhận lúc"));
    CHECK_FALSE(contains(anyone, "***"));
}

TEST_CASE("a state change found by an import gives each follower one notice and nobody else anything", "[dossiers]") {
    follow_fixture f;
    f.t->env->cfg.zalo.zns_status_template = "zns-status-1";
    const auto& env_cfg = f.t->env->cfg;
    REQUIRE(bot::import_dossiers(*f.db, export_csv("Đang xử lý"), env_cfg, f.t->now).outcome == storage::import_outcome::imported);
    f.send(citizen, "theo dõi " + code + " 0987654321");                                   // in the 7-day window
    f.send("7100000000000000003", "theo dõi 000.00.31.H12-261120-0002 0912111222");        // follows the other one
    {
        // A follower who last wrote to the OA ten days ago: outside the window, ZNS by phone.
        REQUIRE(storage::follow_dossier(*f.db, code, "7100000000000000004", "0987654321", f.t->now));
        SQLite::Statement u(*f.db, "INSERT INTO users (user_id, last_interaction_at, created_at) VALUES (?, ?, 0)");
        u.bind(1, "7100000000000000004");
        u.bind(2, static_cast<std::int64_t>(f.t->now - 10LL * 24 * 3600 * 1000));
        u.exec();
    }
    const auto outbox_before = f.count("SELECT COUNT(*) FROM outbox");
    f.t->now += 3600 * 1000;
    auto imp = bot::import_dossiers(*f.db, export_csv("Đã có kết quả"), env_cfg, f.t->now);
    REQUIRE(imp.outcome == storage::import_outcome::imported);
    CHECK(imp.stats.state_changes == 1);
    CHECK(imp.stats.notices_pending == 1);
    auto ctx = f.t->env->context(*f.db);
    auto rep = handlers::run_dossier_notices(ctx);
    CHECK(rep.changes == 1);
    CHECK(rep.queued_cs == 1);
    CHECK(rep.queued_zns == 1);
    CHECK(f.count("SELECT COUNT(*) FROM outbox") - outbox_before == 2);
    CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE purpose = 'dossier_notice' AND recipient = '" + citizen + "' AND channel = 'cs'") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE purpose = 'dossier_notice' AND recipient = '0987654321' AND channel = 'zns'") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE recipient = '7100000000000000003' AND purpose = 'dossier_notice'") == 0);
    const auto body = f.text("SELECT body FROM outbox WHERE recipient = '" + citizen + "' AND purpose = 'dossier_notice'");
    CHECK(contains(body, "đã có kết quả"));
    CHECK(contains(body, "Cổng Dịch vụ công"));  // an online dossier's electronic result
    CHECK(contains(body, "#unfollow:" + code));
    CHECK(contains(f.text("SELECT body FROM outbox WHERE channel = 'zns'"), "zns-status-1"));
    // Counted: one interaction per notice sent, one notice row per follower.
    CHECK(f.count("SELECT COUNT(*) FROM interactions WHERE kind = 'dossier_notice'") == 2);
    CHECK(f.count("SELECT COUNT(*) FROM dossier_notices WHERE status = 'queued'") == 2);
    // Running again sends nothing more; so does importing the same file again.
    CHECK(handlers::run_dossier_notices(ctx).changes == 0);
    auto same = bot::import_dossiers(*f.db, export_csv("Đã có kết quả"), env_cfg, f.t->now);
    CHECK(same.stats.notices_pending == 0);
    CHECK(f.count("SELECT COUNT(*) FROM outbox") - outbox_before == 2);
}

TEST_CASE("a later due date on an open dossier brings the apology and the new date; no channel is recorded as undelivered", "[dossiers]") {
    follow_fixture f;  // no ZNS status template configured
    const auto& cfg = f.t->env->cfg;
    REQUIRE(bot::import_dossiers(*f.db, export_csv("Đang xử lý"), cfg, f.t->now).outcome == storage::import_outcome::imported);
    f.send(citizen, "theo dõi " + code + " 0987654321");
    REQUIRE(storage::follow_dossier(*f.db, code, "7100000000000000005", "0987654321", f.t->now));  // never wrote to the OA
    auto imp = bot::import_dossiers(*f.db, export_csv("Đang xử lý", "08/12/2026"), cfg, f.t->now);
    CHECK(imp.stats.notices_pending == 1);
    auto ctx = f.t->env->context(*f.db);
    auto rep = handlers::run_dossier_notices(ctx);
    CHECK(rep.by_kind["rescheduled"] == 2);
    CHECK(rep.queued_cs == 1);
    CHECK(rep.undeliverable == 1);
    const auto body = f.text("SELECT body FROM outbox WHERE purpose = 'dossier_notice'");
    CHECK(contains(body, "xin lỗi"));
    CHECK(contains(body, "08/12/2026"));
    CHECK(contains(body, "01/12/2026"));
    CHECK(f.count("SELECT COUNT(*) FROM dossier_notices WHERE status = 'undeliverable' AND channel = 'none'") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM interactions WHERE kind = 'dossier_notice'") == 1);
}

TEST_CASE("someone who stopped following is not told of a change", "[dossiers]") {
    follow_fixture f;
    const auto& cfg = f.t->env->cfg;
    REQUIRE(bot::import_dossiers(*f.db, export_csv("Đang xử lý"), cfg, f.t->now).outcome == storage::import_outcome::imported);
    f.send(citizen, "theo dõi " + code + " 0987654321");
    f.send(citizen, "bỏ theo dõi " + code);
    auto imp = bot::import_dossiers(*f.db, export_csv("Yêu cầu bổ sung", "01/12/2026", "Yêu cầu bổ sung"), cfg, f.t->now);
    CHECK(imp.stats.state_changes == 2);
    CHECK(imp.stats.notices_pending == 0);
    auto ctx = f.t->env->context(*f.db);
    CHECK(handlers::run_dossier_notices(ctx).changes == 0);
    CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE purpose = 'dossier_notice'") == 0);
}

TEST_CASE("a followed dossier still open after its due date brings the apology once per due date, and nobody else anything",
          "[dossiers]") {
    follow_fixture f;  // today 27/11/2026; the followed dossier is due 01/12/2026
    f.t->env->cfg.zalo.zns_status_template = "zns-status-1";  // after the 7-day window: ZNS to the phone
    const auto& cfg = f.t->env->cfg;
    REQUIRE(bot::import_dossiers(*f.db, export_csv("Đang xử lý"), cfg, f.t->now).outcome == storage::import_outcome::imported);
    f.send(citizen, "theo dõi " + code + " 0987654321");
    auto ctx = f.t->env->context(*f.db);
    // Not yet due: nothing.
    CHECK(handlers::run_dossier_notices(ctx).changes == 0);
    // 02/12/2026: due yesterday, still being processed. The other dossier (same due date, nobody
    // follows it) gets nothing.
    f.t->now += 5LL * 24 * 3600 * 1000;
    // Someone following it only now hears the apology in the reply, not again in a notice.
    const auto late = f.send("7100000000000000006", "theo dõi " + code + " 0987654321");
    CHECK(contains(all_text(late), "xin lỗi"));
    auto rep = handlers::run_dossier_notices(ctx);
    CHECK(rep.changes == 1);
    CHECK(rep.by_kind["overdue"] == 1);
    CHECK(rep.queued_cs == 1);
    CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE purpose = 'dossier_notice'") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE purpose = 'dossier_notice' AND recipient = '" + citizen + "'") == 1);
    const auto body = f.text("SELECT body FROM outbox WHERE purpose = 'dossier_notice'");
    CHECK(contains(body, "xin lỗi"));
    CHECK(contains(body, "01/12/2026"));
    f.send("7100000000000000006", "bỏ theo dõi " + code);
    // Once: the next runs, the next day, and an import of the same file add nothing.
    CHECK(handlers::run_dossier_notices(ctx).changes == 0);
    f.t->now += 24LL * 3600 * 1000;
    CHECK(handlers::run_dossier_notices(ctx).changes == 0);
    REQUIRE(bot::import_dossiers(*f.db, export_csv("Đang xử lý"), cfg, f.t->now).stats.notices_pending == 0);
    CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE purpose = 'dossier_notice'") == 1);
    // The office sets a new date: the apology with it; when that one passes too, one more apology.
    REQUIRE(bot::import_dossiers(*f.db, export_csv("Đang xử lý", "08/12/2026"), cfg, f.t->now).stats.notices_pending == 1);
    rep = handlers::run_dossier_notices(ctx);
    CHECK(rep.by_kind["rescheduled"] == 1);
    CHECK(rep.by_kind["overdue"] == 0);
    f.t->now += 7LL * 24 * 3600 * 1000;  // 10/12/2026, outside the window
    rep = handlers::run_dossier_notices(ctx);
    CHECK(rep.by_kind["overdue"] == 1);
    CHECK(rep.queued_zns == 1);
    const auto zns = f.text("SELECT body FROM outbox WHERE purpose = 'dossier_notice' ORDER BY id DESC LIMIT 1");
    CHECK(contains(zns, "08/12/2026"));
    CHECK(contains(zns, "Quá hạn"));
    // A result ends it: no apology for a dossier no longer open.
    REQUIRE(bot::import_dossiers(*f.db, export_csv("Đã có kết quả", "08/12/2026"), cfg, f.t->now).stats.notices_pending == 1);
    f.t->now += 24LL * 3600 * 1000;
    rep = handlers::run_dossier_notices(ctx);
    CHECK(rep.by_kind["result_ready"] == 1);
    CHECK(rep.by_kind["overdue"] == 0);
    CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE purpose = 'dossier_notice'") == 4);
    CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE purpose = 'dossier_notice' AND recipient NOT IN ('" + citizen +
                  "', '0987654321')") == 0);
    CHECK(f.count("SELECT COUNT(*) FROM dossier_notices WHERE kind = 'overdue' AND user_id = '7100000000000000006'") == 0);
}

TEST_CASE("every follow and notice is counted in the report, by channel, result ready and apology", "[dossiers][reports]") {
    follow_fixture f;
    const auto& cfg = f.t->env->cfg;
    REQUIRE(bot::import_dossiers(*f.db, export_csv("Đang xử lý"), cfg, f.t->now).outcome == storage::import_outcome::imported);
    f.send(citizen, "theo dõi " + code + " 0987654321");                                  // Zalo, in the window
    REQUIRE(storage::follow_dossier(*f.db, code, "7100000000000000005", "0987654321", f.t->now));  // never wrote
    auto ctx = f.t->env->context(*f.db);
    REQUIRE(bot::import_dossiers(*f.db, export_csv("Đang xử lý", "08/12/2026"), cfg, f.t->now).stats.notices_pending == 1);
    handlers::run_dossier_notices(ctx);  // apology with the new date: one queued, one not deliverable
    REQUIRE(bot::import_dossiers(*f.db, export_csv("Đã có kết quả", "08/12/2026"), cfg, f.t->now).stats.notices_pending == 1);
    handlers::run_dossier_notices(ctx);  // result ready: the same
    const auto r = bot::compute_report(*f.db, cfg, {"2026-11-01", "2026-11-30", "", "", "2026-11-30"});
    const auto& n = r.dossier_notices;
    CHECK(n.follows == 2);
    CHECK(n.notices == 4);
    CHECK(n.zalo == 2);
    CHECK(n.zns == 0);
    CHECK(n.undeliverable == 2);
    CHECK(n.result_ready == 2);
    CHECK(n.apologies == 2);
    CHECK(contains(bot::to_json(r), R"("dossier_notices":{"follows":2,"notices":4,"zalo":2)"));
    CHECK(contains(bot::to_csv(r), "dossier_notices"));
    CHECK(contains(bot::to_text(r, ctx.texts), "Về người dân theo dõi hồ sơ: có 2 lượt bắt đầu theo dõi"));
    // Another unit's report has none of them; neither has another period.
    CHECK(bot::compute_report(*f.db, cfg, {"2026-11-01", "2026-11-30", "dong_son", "", "2026-11-30"}).dossier_notices.notices == 0);
    CHECK(bot::compute_report(*f.db, cfg, {"2026-10-01", "2026-10-31", "", "", "2026-11-30"}).dossier_notices.follows == 0);
}

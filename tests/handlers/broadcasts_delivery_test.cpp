// Broadcasts end to end: the outbox drained by the real sender to the Zalo simulator, receipts
// applied through the delivery handlers, counts read back; and replies keep priority.
#include "handlers/broadcasts.hpp"

#include "bot/events/zalo_event.hpp"
#include "handlers/delivery.hpp"
#include "storage/broadcast_repository.hpp"
#include "tests/sim/zalo_harness.hpp"

#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace {

using namespace std::chrono_literals;

// 09:00 local on a day before today, so the sender (on the real clock) finds every row due and
// the broadcast job (on the test clock) is inside Zalo's promotion hours.
std::int64_t past_morning() {
    auto day = bot::local_date_of(bot::now_ms() - 2LL * 24 * 3600 * 1000);
    return bot::unix_ms_of(day, 9 * 60);
}

void add_followers(bot::worker& w, const std::vector<std::string>& units, int per_unit) {
    w.run_sync([&](SQLite::Database& db) {
        SQLite::Statement q(db,
                            "INSERT INTO users (user_id, is_follower, unit_id, village, broadcast_opt_out, created_at)"
                            " VALUES (?, 1, ?, NULL, 0, 0)");
        for (const auto& u : units)
            for (int i = 0; i < per_unit; ++i) {
                q.reset();
                q.bind(1, u + "_" + std::to_string(1000 + i));
                q.bind(2, u);
                q.exec();
            }
    });
}

bool all_final(bot::worker& w, std::int64_t broadcast_id) {
    std::int64_t open = -1;
    w.run_sync([&](SQLite::Database& db) {
        SQLite::Statement q(db, "SELECT COUNT(*) FROM outbox WHERE broadcast_id = ? AND state IN ('pending', 'sending')");
        q.bind(1, broadcast_id);
        q.executeStep();
        open = q.getColumn(0).getInt64();
    });
    return open == 0;
}

}  // namespace

TEST_CASE("a broadcast to one of three communes reaches its followers once each and shows them received and seen",
          "[broadcasts][e2e]") {
    zalo_test::fixture f;
    zalo_test::bot_side bot_side(f.cfg);
    auto t = test::make_test_env(f.cfg);
    t->now = past_morning();
    add_followers(*bot_side.work, {"tan_soi", "dong_son", "bo_ha"}, 10);
    bot_side.work->run_sync([](SQLite::Database& db) {
        db.exec("UPDATE users SET broadcast_opt_out = 1 WHERE user_id IN ('dong_son_1002', 'dong_son_1005')");
        db.exec("UPDATE users SET is_follower = 0 WHERE user_id = 'dong_son_1009'");
    });

    handlers::broadcast_request req;
    req.text = "Bà con {{ten_xa}} đăng ký tài khoản dịch vụ công trước ngày 15/12.";
    req.units = {"dong_son"};
    req.buttons = {{"Đăng ký ngay", "https://dichvucong.gov.vn"}};
    handlers::broadcast_created made;
    bot_side.work->run_sync([&](SQLite::Database& db) {
        auto ctx = t->env->context(db);
        made = handlers::create_broadcast(ctx, req);
        CHECK(handlers::run_broadcasts(ctx).enqueued == 7);
    });
    bot_side.start_sender();
    bot_side.sender->notify();
    REQUIRE(sim::zalo_simulator::wait_until([&] { return all_final(*bot_side.work, made.id); }, 10000ms));

    // Exactly the seven followers of xã Đồng Sơn who have not opted out, once each, as promotions.
    std::map<std::string, int> times;
    std::map<std::string, std::string> msg_of;
    for (const auto& s : f.sim.sent()) {
        CHECK(s.channel == "promotion");
        ++times[s.recipient];
        msg_of[s.recipient] = s.msg_id;
        CHECK(s.body.find("xã Đồng Sơn") != std::string::npos);
        CHECK(s.body.find("https://dichvucong.gov.vn") != std::string::npos);
    }
    std::set<std::string> expected = {"dong_son_1000", "dong_son_1001", "dong_son_1003", "dong_son_1004",
                                      "dong_son_1006", "dong_son_1007", "dong_son_1008"};
    std::set<std::string> got;
    for (const auto& [who, n] : times) {
        got.insert(who);
        CHECK(n == 1);
    }
    CHECK(got == expected);

    // Zalo's receipts, through the delivery handlers as the dispatcher would run them.
    bot_side.work->run_sync([&](SQLite::Database& db) {
        auto ctx = t->env->context(db);
        auto st = handlers::get_broadcast_status(ctx, made.id);
        CHECK(st->sent == 7);
        CHECK(st->received == 0);
        for (const auto& [who, msg] : msg_of) {
            auto rec = zalo::parse_event(R"({"app_id":")" + f.cfg.zalo.app_id + R"(","sender":{"id":")" + f.cfg.zalo.oa_id +
                                            R"("},"recipient":{"id":")" + who +
                                            R"("},"event_name":"user_received_message","message":{"msg_id":")" + msg +
                                            R"("},"timestamp":"1764295200000"})",
                                        false);
            REQUIRE(rec);
            (void)handlers::handle_user_received_message(*rec, ctx);
        }
        // Five of them open it (one receipt can list several messages).
        std::string ids;
        int n = 0;
        for (const auto& [who, msg] : msg_of)
            if (n++ < 5) ids += (ids.empty() ? "\"" : ",\"") + msg + "\"";
        auto seen = zalo::parse_event(R"({"app_id":")" + f.cfg.zalo.app_id + R"(","sender":{"id":")" + f.cfg.zalo.oa_id +
                                         R"("},"recipient":{"id":"dong_son_1000"},"event_name":"user_seen_message","message":{"msg_ids":[)" +
                                         ids + R"(]},"timestamp":"1764295260000"})",
                                     false);
        REQUIRE(seen);
        (void)handlers::handle_user_seen_message(*seen, ctx);

        st = handlers::get_broadcast_status(ctx, made.id);
        CHECK(st->recipients == 7);
        CHECK(st->sent == 7);
        CHECK(st->failed == 0);
        CHECK(st->received == 7);
        CHECK(st->seen == 5);
        CHECK(st->waiting == 0);
        CHECK(handlers::run_broadcasts(ctx).finished == 1);
        CHECK(handlers::get_broadcast_status(ctx, made.id)->state == storage::broadcast_state::done);
        auto day = bot::to_iso(bot::local_date_of(t->now));
        auto totals = storage::broadcast_totals(db, day, day);
        CHECK(totals.count == 1);
        CHECK(totals.recipients == 7);
        CHECK(totals.received == 7);
        CHECK(totals.seen == 5);
    });
}

TEST_CASE("a reply enqueued after a 500-recipient broadcast is sent before the broadcast", "[broadcasts][e2e]") {
    zalo_test::fixture f;
    f.cfg.zalo.broadcast_daily_quota = 1000;
    zalo_test::bot_side bot_side(f.cfg);
    auto t = test::make_test_env(f.cfg);
    t->now = past_morning();
    add_followers(*bot_side.work, {"tan_soi"}, 500);
    add_followers(*bot_side.work, {"huyen"}, 1);

    handlers::broadcast_request req;
    req.text = "Thông báo lịch tiếp công dân.";
    req.all = true;
    std::int64_t id = 0;
    bot_side.work->run_sync([&](SQLite::Database& db) {
        auto ctx = t->env->context(db);
        id = handlers::create_broadcast(ctx, req).id;
        CHECK(handlers::run_broadcasts(ctx).enqueued == 501);
    });
    auto reply_id = bot_side.enqueue(zalo_test::cs_message("citizen_asking", "Dạ, hồ sơ của anh/chị đã có kết quả."));
    bot_side.start_sender();
    bot_side.sender->notify();
    REQUIRE(bot_side.wait_final(reply_id, 10000ms));
    CHECK(bot_side.row(reply_id).state == storage::outbox_state::sent);
    bot_side.sender->stop();  // the rest of the broadcast is not needed for this test

    auto sent = f.sim.sent();
    auto reply = std::find_if(sent.begin(), sent.end(), [](const sim::sent_message& s) { return s.channel == "cs"; });
    REQUIRE(reply != sent.end());
    // Messages go out concurrently on a few lanes; the reply is claimed in the first round, ahead
    // of the 501 broadcast messages stored before it.
    CHECK(reply - sent.begin() < static_cast<std::ptrdiff_t>(f.cfg.zalo.sender_lanes));
    const std::int64_t reply_sent_at = bot_side.row(reply_id).sent_at.value_or(0);
    std::int64_t broadcast_sent = 0;
    bot_side.work->run_sync([&](SQLite::Database& db) {
        SQLite::Statement q(db, "SELECT COUNT(*) FROM outbox WHERE broadcast_id = ? AND sent_at <= ?");
        q.bind(1, id);
        q.bind(2, reply_sent_at);
        q.executeStep();
        broadcast_sent = q.getColumn(0).getInt64();
    });
    CHECK(broadcast_sent < static_cast<std::int64_t>(f.cfg.zalo.sender_lanes));
}

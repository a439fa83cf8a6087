#include "bot/zalo/outbox_sender.hpp"

#include "bot/core/reader_pool.hpp"
#include "tests/sim/zalo_harness.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <mutex>
#include <set>
#include <thread>

using namespace zalo_test;
namespace json = boost::json;

TEST_CASE("a stored consultation message becomes exactly one correct cs request with a freshly refreshed token", "[zalo]") {
    fixture fx;
    bot_side bot(fx.cfg);
    bot.start_sender();
    auto id = bot.enqueue(cs_message("2512523625412515", "Chào mừng anh/chị đến với trợ lý CCHC."));
    REQUIRE(bot.wait_final(id));
    auto row = bot.row(id);
    CHECK(row.state == storage::outbox_state::sent);
    auto cs = fx.sim.requests("/v3.0/oa/message/cs");
    REQUIRE(cs.size() == 1);
    CHECK(fx.sim.refresh_count() == 1);
    CHECK(cs[0].headers.at("access_token") == fx.sim.last_access_token());
    CHECK(cs[0].headers.at("Content-Type") == "application/json");
    auto body = json::parse(cs[0].body).as_object();
    CHECK(body.at("recipient").at("user_id").as_string() == "2512523625412515");
    CHECK(body.at("message").at("text").as_string() == "Chào mừng anh/chị đến với trợ lý CCHC.");
    REQUIRE(fx.sim.sent().size() == 1);
    CHECK(row.zalo_msg_id == fx.sim.sent()[0].msg_id);
    CHECK(bot.stats.value("cchcbot_zalo_sends_total", {{"result", "sent"}}) == 1);
    // The OAuth call carried the app secret as secret_key and the rotated refresh token is stored.
    auto oauth = fx.sim.requests("/v4/oa/access_token");
    REQUIRE(oauth.size() == 1);
    CHECK(oauth[0].headers.at("secret_key") == fx.cfg.zalo.app_secret);
    CHECK(bot.token_row()->refresh_token == fx.sim.current_refresh_token());
}

TEST_CASE("a -216 answer leads to one refresh, one retry and a delivered message", "[zalo]") {
    fixture fx;
    bot_side bot(fx.cfg);
    bot.start_sender();
    auto first = bot.enqueue(cs_message("100", "một"));
    REQUIRE(bot.wait_final(first));
    REQUIRE(fx.sim.refresh_count() == 1);
    fx.sim.inject(sim::fault_kind::zalo_error, -216, 1, "/v3.0/oa/message/cs");
    auto id = bot.enqueue(cs_message("100", "hai"));
    REQUIRE(bot.wait_final(id));
    CHECK(bot.row(id).state == storage::outbox_state::sent);
    CHECK(fx.sim.refresh_count() == 2);
    auto cs = fx.sim.requests("/v3.0/oa/message/cs");
    REQUIRE(cs.size() == 3);  // ok, -216, retry
    CHECK(cs[1].fault == "error -216");
    CHECK(cs[2].headers.at("access_token") == fx.sim.last_access_token());
    CHECK(cs[2].headers.at("access_token") != cs[1].headers.at("access_token"));
    CHECK(bot.stats.value("cchcbot_zalo_errors_total", {{"code", "-216"}}) == 1);
}

TEST_CASE("an expired access token (-220 from the server's side) is refreshed and the message still goes out", "[zalo]") {
    fixture fx;
    bot_side bot(fx.cfg);
    bot.start_sender();
    REQUIRE(bot.wait_final(bot.enqueue(cs_message("7", "a"))));
    fx.sim.expire_access_tokens();
    auto id = bot.enqueue(cs_message("7", "b"));
    REQUIRE(bot.wait_final(id));
    CHECK(bot.row(id).state == storage::outbox_state::sent);
    CHECK(fx.sim.refresh_count() == 2);
    fx.sim.inject(sim::fault_kind::zalo_error, -220, 1);
    auto id2 = bot.enqueue(cs_message("7", "c"));
    REQUIRE(bot.wait_final(id2));
    CHECK(bot.row(id2).state == storage::outbox_state::sent);
    CHECK(fx.sim.refresh_count() == 3);
    CHECK(fx.sim.reused_refresh_attempts() == 0);
}

TEST_CASE("three 503s in a row still end in exactly one delivered message", "[zalo]") {
    fixture fx;
    bot_side bot(fx.cfg);
    bot.start_sender();
    fx.sim.inject(sim::fault_kind::http_status, 503, 3, "/v3.0/oa/message/cs");
    auto id = bot.enqueue(cs_message("200", "Kết quả hồ sơ đã có."));
    REQUIRE(bot.wait_final(id));
    auto row = bot.row(id);
    CHECK(row.state == storage::outbox_state::sent);
    CHECK(row.attempts == 4);
    CHECK(fx.sim.requests("/v3.0/oa/message/cs").size() == 4);
    CHECK(fx.sim.sent().size() == 1);
    CHECK(bot.stats.value("cchcbot_zalo_errors_total", {{"code", "http_503"}}) == 3);
}

TEST_CASE("rate limits, dropped connections and latency are retried; bounded attempts end in failed", "[zalo]") {
    fixture fx;
    fx.cfg.zalo.request_timeout = 300ms;
    bot_side bot(fx.cfg);
    bot.start_sender();
    fx.sim.inject(sim::fault_kind::zalo_error, -32, 1, "/v3.0/oa/message/cs");
    fx.sim.inject(sim::fault_kind::drop, 0, 1, "/v3.0/oa/message/cs");
    fx.sim.inject(sim::fault_kind::latency, 1000, 1, "/v3.0/oa/message/cs");  // longer than the timeout
    auto id = bot.enqueue(cs_message("300", "Xin chào"));
    REQUIRE(bot.wait_final(id));
    CHECK(bot.row(id).state == storage::outbox_state::sent);
    CHECK(bot.stats.value("cchcbot_zalo_errors_total", {{"code", "-32"}}) == 1);
    CHECK(bot.stats.value("cchcbot_zalo_errors_total", {{"code", "network"}}) == 2);

    fx.sim.inject(sim::fault_kind::http_status, 502, 10, "/v3.0/oa/message/cs");
    auto doomed = bot.enqueue(cs_message("301", "Không gửi được"));
    REQUIRE(bot.wait_final(doomed));
    auto row = bot.row(doomed);
    CHECK(row.state == storage::outbox_state::failed);
    CHECK(row.attempts == 5);
    CHECK(row.error_code == 502);
    CHECK_FALSE(row.error_reason.empty());
}

TEST_CASE("4xx answers and invalid parameters are not retried", "[zalo]") {
    fixture fx;
    bot_side bot(fx.cfg);
    bot.start_sender();
    auto id = bot.enqueue(cs_message("not-a-valid-user-id-because-too-long", "x"));
    REQUIRE(bot.wait_final(id));
    auto row = bot.row(id);
    CHECK(row.state == storage::outbox_state::failed);
    CHECK(row.error_code == -201);
    CHECK(row.attempts == 1);
    fx.sim.inject(sim::fault_kind::http_status, 404, 1);
    auto id2 = bot.enqueue(cs_message("5", "x"));
    REQUIRE(bot.wait_final(id2));
    CHECK(bot.row(id2).state == storage::outbox_state::failed);
    CHECK(bot.row(id2).attempts == 1);
}

TEST_CASE("outside the window a reminder with a phone switches to the ZNS template with its tracking id", "[zalo]") {
    fixture fx;
    fx.cfg.zalo.zns_reminder_template = "7895417a7d3f9461cd2e";
    bot_side bot(fx.cfg);
    bot.start_sender();
    fx.sim.set_out_of_window("400");
    auto m = cs_message("400", "Hồ sơ HS-2026-000001 đến hạn hôm nay.");
    m.prio = zalo::priority::reminder;
    m.purpose = "reminder";
    m.fallback_phone = "0987654321";
    m.template_data = {{"ma_ho_so", "HS-2026-000001"}};
    auto id = bot.enqueue(m);
    REQUIRE(bot.wait_final(id));
    auto row = bot.row(id);
    CHECK(row.state == storage::outbox_state::sent);
    CHECK(row.channel == "zns");
    auto zns = fx.sim.requests("/message/template");
    REQUIRE(zns.size() == 1);
    auto body = json::parse(zns[0].body).as_object();
    CHECK(body.at("phone").as_string() == "84987654321");
    CHECK(body.at("template_id").as_string() == "7895417a7d3f9461cd2e");
    CHECK(body.at("tracking_id").as_string() == row.tracking_id);
    CHECK(row.zalo_msg_id == fx.sim.sent().at(0).msg_id);

    // Without a phone the message fails with the window error.
    auto plain = bot.enqueue(cs_message("400", "Không có số điện thoại"));
    REQUIRE(bot.wait_final(plain));
    CHECK(bot.row(plain).state == storage::outbox_state::failed);
    CHECK(bot.row(plain).error_code == -230);
}

TEST_CASE("an exhausted ZNS quota fails the message with Zalo's code", "[zalo]") {
    fixture fx;
    bot_side bot(fx.cfg);
    bot.start_sender();
    fx.sim.set_zns_quota(0);
    zalo::outgoing_message m;
    m.recipient = "0912345678";
    m.via = zalo::channel::zns;
    m.template_id = "tpl";
    auto id = bot.enqueue(m);
    REQUIRE(bot.wait_final(id));
    CHECK(bot.row(id).state == storage::outbox_state::failed);
    CHECK(bot.row(id).error_code == -144);
}

TEST_CASE("a user's replies arrive in the order they were stored", "[zalo]") {
    fixture fx;
    fx.cfg.zalo.sender_lanes = 4;
    bot_side bot(fx.cfg);
    bot.start_sender();
    // Faults and latency on the way make reordering likely if order were not enforced.
    fx.sim.inject(sim::fault_kind::http_status, 503, 2, "/v3.0/oa/message/cs");
    fx.sim.set_latency(3ms);
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 12; ++i) {
        ids.push_back(bot.enqueue(cs_message("500", "tin " + std::to_string(i))));
        ids.push_back(bot.enqueue(cs_message("501", "tin " + std::to_string(i))));
    }
    for (auto id : ids) REQUIRE(bot.wait_final(id));
    std::map<std::string, std::vector<std::string>> by_user;
    for (const auto& s : fx.sim.sent()) by_user[s.recipient].push_back(s.text);
    for (const auto& user : {"500", "501"}) {
        REQUIRE(by_user[user].size() == 12);
        for (int i = 0; i < 12; ++i) CHECK(by_user[user][i] == "tin " + std::to_string(i));
    }
}

TEST_CASE("replies go before broadcasts when both are waiting", "[zalo]") {
    fixture fx;
    fx.cfg.zalo.sender_lanes = 1;
    bot_side bot(fx.cfg);
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 3; ++i) {
        auto b = cs_message("60" + std::to_string(i), "tuyên truyền");
        b.prio = zalo::priority::broadcast;
        ids.push_back(bot.enqueue(b));
    }
    ids.push_back(bot.enqueue(cs_message("699", "trả lời")));
    bot.start_sender();
    for (auto id : ids) REQUIRE(bot.wait_final(id));
    REQUIRE(fx.sim.sent().size() == 4);
    CHECK(fx.sim.sent()[0].text == "trả lời");
}

TEST_CASE("a long answer goes out in parts, in order, as one outbox message", "[zalo]") {
    fixture fx;
    bot_side bot(fx.cfg);
    bot.start_sender();
    std::string text;
    for (int i = 0; i < 200; ++i) text += "Bước " + std::to_string(i) + ": chuẩn bị giấy tờ theo hướng dẫn. ";
    auto id = bot.enqueue(cs_message("700", text));
    REQUIRE(bot.wait_final(id));
    auto sent = fx.sim.sent();
    REQUIRE(sent.size() >= 3);
    for (const auto& s : sent) CHECK(bot::utf8_chars(s.text) <= 2000);
    CHECK(sent.front().text.rfind("Bước 0:", 0) == 0);
    CHECK(bot.row(id).zalo_msg_id == sent.back().msg_id);
}

TEST_CASE("with relaxed steps every request leaves only after a sync of the log that followed its step", "[zalo]") {
    fixture fx;
    bot_side bot(fx.cfg);
    std::mutex mu;
    std::vector<std::uint64_t> syncs_at_send;  // the log's syncs done when each request arrived
    fx.sim.on_accept([&](const sim::sent_message&) {
        std::lock_guard lk(mu);
        syncs_at_send.push_back(bot.wal->syncs());
    });
    bot.start_sender(true);
    // A long answer: each part after the first goes once the step that recorded the part before
    // it is synced too. Nothing else syncs this database's log in this test.
    std::string text;
    for (int i = 0; i < 200; ++i) text += "Bước " + std::to_string(i) + ": chuẩn bị giấy tờ theo hướng dẫn. ";
    const auto before = bot.wal->syncs();
    auto id = bot.enqueue(cs_message("701", text));
    REQUIRE(bot.wait_final(id));
    CHECK(bot.row(id).state == storage::outbox_state::sent);
    const auto sent = fx.sim.sent().size();  // not under `mu`: the simulator calls back under its own lock
    std::vector<std::uint64_t> seen;
    {
        std::lock_guard lk(mu);
        seen = syncs_at_send;
    }
    REQUIRE(seen.size() >= 3);
    CHECK(seen.front() > before);
    for (std::size_t i = 1; i < seen.size(); ++i) CHECK(seen[i] > seen[i - 1]);
    CHECK(sent == seen.size());
}

TEST_CASE("a row left 'sending' by a crash is resent once with the same tracking id", "[zalo]") {
    fixture fx;
    std::int64_t id = 0;
    std::string tracking;
    {
        bot_side before(fx.cfg);  // no sender: the "crash" happens after storing 'sending'
        zalo::outgoing_message m;
        m.recipient = "0987000111";
        m.via = zalo::channel::zns;
        m.template_id = "tpl";
        id = before.enqueue(m);
        before.work->run_sync([&](SQLite::Database& db) { REQUIRE(storage::mark_sending(db, id, bot::now_ms())); });
        tracking = before.row(id).tracking_id;
    }
    {
        bot_side after(fx.cfg);
        after.start_sender();
        REQUIRE(after.wait_final(id));
        auto row = after.row(id);
        CHECK(row.state == storage::outbox_state::sent);
        CHECK(row.resends == 1);
        CHECK(row.tracking_id == tracking);
    }
    auto zns = fx.sim.requests("/message/template");
    REQUIRE(zns.size() == 1);
    CHECK(json::parse(zns[0].body).at("tracking_id").as_string() == tracking);
    // Crashing again mid-send after the resend: not sent a third time, failed with a reason.
    {
        bot_side again(fx.cfg);
        std::int64_t id2 = 0;
        zalo::outgoing_message m;
        m.recipient = "0987000222";
        m.via = zalo::channel::zns;
        m.template_id = "tpl";
        id2 = again.enqueue(m);
        again.work->run_sync([&](SQLite::Database& db) {
            REQUIRE(storage::mark_sending(db, id2, bot::now_ms()));
            storage::resume_interrupted(db, bot::now_ms());
            REQUIRE(storage::mark_sending(db, id2, bot::now_ms()));
        });
        again.start_sender();
        REQUIRE(again.wait_final(id2));
        CHECK(again.row(id2).state == storage::outbox_state::failed);
    }
    CHECK(fx.sim.requests("/message/template").size() == 1);
}

TEST_CASE("nothing is ever sent twice with different tracking ids", "[zalo]") {
    fixture fx;
    bot_side bot(fx.cfg);
    bot.start_sender();
    fx.sim.inject(sim::fault_kind::http_status, 500, 2, "/message/template");
    fx.sim.inject(sim::fault_kind::drop, 0, 1, "/message/template");
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 6; ++i) {
        zalo::outgoing_message m;
        m.recipient = "09870003" + std::to_string(10 + i);
        m.via = zalo::channel::zns;
        m.template_id = "tpl";
        ids.push_back(bot.enqueue(m));
    }
    for (auto id : ids) REQUIRE(bot.wait_final(id));
    std::map<std::string, std::set<std::string>> tracking_by_phone;
    for (const auto& r : fx.sim.requests("/message/template")) {
        auto o = json::parse(r.body).as_object();
        tracking_by_phone[std::string(o.at("phone").as_string())].insert(std::string(o.at("tracking_id").as_string()));
    }
    REQUIRE(tracking_by_phone.size() == 6);
    for (const auto& [phone, ids_seen] : tracking_by_phone) CHECK(ids_seen.size() == 1);
    CHECK(fx.sim.sent().size() == 6);
}

TEST_CASE("a cancelled message is never sent", "[zalo]") {
    fixture fx;
    bot_side bot(fx.cfg);
    auto id = bot.enqueue(cs_message("800", "huỷ"));
    bot.work->run_sync([&](SQLite::Database& db) { REQUIRE(storage::cancel_message(db, id, bot::now_ms())); });
    auto ok = bot.enqueue(cs_message("800", "gửi"));
    bot.start_sender();
    REQUIRE(bot.wait_final(ok));
    CHECK(bot.row(id).state == storage::outbox_state::cancelled);
    REQUIRE(fx.sim.sent().size() == 1);
    CHECK(fx.sim.sent()[0].text == "gửi");
}

TEST_CASE("a message Zalo refuses at night (-234) waits for 06:00 instead of failing", "[zalo]") {
    using namespace std::chrono_literals;
    fixture fx;
    bot_side bot(fx.cfg);
    bot.start_sender();
    fx.sim.inject(sim::fault_kind::zalo_error, -234, 1, "/v3.0/oa/message/cs");
    const std::int64_t before = bot::now_ms();
    auto id = bot.enqueue(cs_message("2512523625412515", "Nhắc lịch tiếp công dân."));
    REQUIRE(sim::zalo_simulator::wait_until([&] { return bot.row(id).error_code == -234; }, 5000ms));
    auto row = bot.row(id);
    CHECK(row.state == storage::outbox_state::pending);
    CHECK(row.attempts == 0);  // not Zalo failing: not an attempt
    // Next try at the next 06:00 local time (UTC+7).
    CHECK(row.next_attempt_at > before);
    CHECK(row.next_attempt_at - before <= 24LL * 3600 * 1000);
    CHECK(bot::local_minute_of_day(row.next_attempt_at) == 6 * 60);
    CHECK(bot.stats.value("cchcbot_zalo_sends_total", {{"result", "deferred"}}) == 1);
}

TEST_CASE("when Zalo keeps failing, sending pauses and one message probes, instead of every message retrying", "[zalo]") {
    // Issue #12 item 6: with Zalo down, each message was retried on its own schedule (a burst of
    // requests, then every message failed after its five attempts).
    fixture fx;
    bot_side bot(fx.cfg);
    bot.start_sender();
    fx.sim.inject(sim::fault_kind::http_status, 503, 100000, "/v3.0/oa/message/cs");
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 30; ++i) ids.push_back(bot.enqueue(cs_message("70" + std::to_string(i), "Zalo đang lỗi")));
    REQUIRE(sim::zalo_simulator::wait_until([&] { return bot.sender->paused(); }, 5000ms));
    std::this_thread::sleep_for(1500ms);
    // What the lanes had under way when the third failure in a row came back (a full set, plus
    // the two that followed the first two failures), then one probe after each pause (1 s, 2 s,
    // … with jitter).
    CHECK(fx.sim.requests("/v3.0/oa/message/cs").size() <= fx.cfg.zalo.sender_lanes + 4);
    for (auto id : ids) CHECK(bot.row(id).state != storage::outbox_state::failed);
    CHECK(bot.sender->paused());

    // Zalo answers again: the next probe succeeds and everything goes out, each message once.
    fx.sim.clear_faults();
    for (auto id : ids) REQUIRE(bot.wait_final(id, 15000ms));
    for (auto id : ids) CHECK(bot.row(id).state == storage::outbox_state::sent);
    CHECK_FALSE(bot.sender->paused());
    CHECK(fx.sim.sent().size() == ids.size());
}

TEST_CASE("the outbox depth is reported when it is counted on a read connection", "[zalo]") {
    zalo_test::fixture f;
    f.cfg.zalo.rate_per_minute = 1;  // one message goes; the rest wait for the rate limit
    bot::reader_pool readers(f.cfg.storage.path, 1);  // outlives the worker that posts to it
    readers.start();
    zalo_test::bot_side b(f.cfg);
    b.sender = std::make_shared<bot::outbox_sender>(f.cfg, *b.work, *b.client, b.token_sets, [] { return bot::now_ms(); }, &b.stats);
    b.sender->count_depth_on(&readers);
    b.sender->start();
    for (int i = 0; i < 5; ++i) b.enqueue(zalo_test::cs_message("u" + std::to_string(i), "Dạ, em chào anh/chị ạ."));
    // Counted once a second: the four still waiting (the fifth may be on its way or sent).
    CHECK(sim::zalo_simulator::wait_until([&] { return b.sender->depth() >= 4; }, 5000ms));
    b.sender->stop();
    readers.stop();
}

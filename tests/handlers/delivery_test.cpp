#include "handlers/delivery.hpp"

#include "storage/outbox_repository.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>

namespace {
std::int64_t stored_sent(SQLite::Database& db, const std::string& recipient, const std::string& msg_id) {
    storage::outbox_item it;
    it.recipient = recipient;
    it.channel = "cs";
    it.body_json = "{}";
    auto id = storage::enqueue(db, {it}, 1000).at(0);
    REQUIRE(storage::mark_sending(db, id, 1000));
    storage::mark_sent(db, id, msg_id, 1100);
    return id;
}
}  // namespace

TEST_CASE("received and seen receipts mark outbox messages by Zalo's message id", "[zalo]") {
    auto t = test::make_test_env();
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    auto a = stored_sent(*db, "u1", "43b59c025aebfb5e6fa");
    auto b = stored_sent(*db, "u1", "43b59c025aeabfb5e6fb");

    zalo::event rec;
    rec.type = zalo::event_type::user_received_message;
    rec.msg_id = "43b59c025aebfb5e6fa";
    rec.timestamp_ms = 1540363714911;
    auto out = handlers::handle_user_received_message(rec, ctx);
    CHECK(out.messages.empty());
    CHECK(storage::get_outbox(*db, a)->delivered_at == 1540363714911);
    CHECK_FALSE(storage::get_outbox(*db, b)->delivered_at);

    zalo::event seen;
    seen.type = zalo::event_type::user_seen_message;
    seen.msg_ids = {"43b59c025aebfb5e6fa", "43b59c025aeabfb5e6fb"};
    seen.timestamp_ms = 1540363714987;
    (void)handlers::handle_user_seen_message(seen, ctx);
    CHECK(storage::get_outbox(*db, a)->seen_at == 1540363714987);
    CHECK(storage::get_outbox(*db, a)->delivered_at == 1540363714911);  // first receipt kept
    CHECK(storage::get_outbox(*db, b)->seen_at == 1540363714987);
    CHECK(storage::get_outbox(*db, b)->delivered_at == 1540363714987);  // seen implies delivered
}

TEST_CASE("a ZNS receipt is matched by our tracking id and uses its delivery time", "[zalo]") {
    auto t = test::make_test_env();
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    auto id = stored_sent(*db, "84987654321", "15a0cc0bbb13bd4ce403");
    auto tracking = storage::get_outbox(*db, id)->tracking_id;
    zalo::event ev;
    ev.type = zalo::event_type::user_received_message;
    ev.zns = true;
    ev.msg_id = "another-id";
    ev.tracking_id = tracking;
    ev.delivery_time = "1602960467432";
    ev.timestamp_ms = 1602560967477;
    (void)handlers::handle_user_received_message(ev, ctx);
    CHECK(storage::get_outbox(*db, id)->delivered_at == 1602960467432);
}

TEST_CASE("Zalo's daily quota change is stored for broadcasts", "[zalo]") {
    auto t = test::make_test_env();
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    zalo::event ev;
    ev.type = zalo::event_type::change_oa_daily_quota;
    ev.quota_prev = 1000;
    ev.quota_new = 2000;
    (void)handlers::handle_change_oa_daily_quota(ev, ctx);
    CHECK(storage::get_meta(*db, "broadcast_daily_quota") == "2000");
}

// Storage for many Official Accounts: tokens per OA, and the OA of every row.
#include "storage/token_repository.hpp"

#include "storage/event_log.hpp"
#include "storage/official_repository.hpp"
#include "storage/outbox_repository.hpp"
#include "storage/user_repository.hpp"

#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

TEST_CASE("each Official Account keeps its own tokens", "[zalo][oa]") {
    auto db = test::memory_db();
    CHECK(storage::bootstrap_refresh_token(*db, "rt-yt", 1, "yen_the"));
    CHECK(storage::bootstrap_refresh_token(*db, "rt-bh", 1, "bo_ha"));
    storage::store_grant(*db, "at-yt", 90000, "rt-yt-2", 2, "yen_the");
    storage::mark_needs_reauth(*db, "refused", 3, "bo_ha");
    const auto yt = storage::load_tokens(*db, "yen_the").value();
    const auto bh = storage::load_tokens(*db, "bo_ha").value();
    CHECK(yt.access_token == "at-yt");
    CHECK(yt.refresh_token == "rt-yt-2");
    CHECK_FALSE(yt.needs_reauth);
    CHECK(bh.needs_reauth);
    CHECK(bh.refresh_token == "rt-bh");
    CHECK_FALSE(storage::load_tokens(*db));  // the OA `default` has none
    storage::save_oauth_state(*db, "s1", "v1", 1000, "bo_ha");
    std::string oa;
    CHECK(storage::take_oauth_state(*db, "s1", 1001, 600000, &oa) == "v1");
    CHECK(oa == "bo_ha");
}

TEST_CASE("the single token row of a database from before becomes the default OA's", "[zalo][oa]") {
    auto db = storage::open_database(":memory:", false);
    std::vector<storage::migration> before;
    for (const auto& m : storage::all_migrations())
        if (m.version < 40) before.push_back(m);
    storage::migrate(*db, before);
    db->exec("INSERT INTO oauth_tokens (id, access_token, refresh_token, updated_at) VALUES (1, 'at-old', 'rt-old', 5)");
    db->exec("INSERT INTO users (user_id, created_at) VALUES ('u1', 0)");
    storage::migrate(*db);
    const auto row = storage::load_tokens(*db).value();
    CHECK(row.access_token == "at-old");
    CHECK(row.refresh_token == "rt-old");
    SQLite::Statement q(*db, "SELECT oa FROM users WHERE user_id = 'u1'");
    REQUIRE(q.executeStep());
    CHECK(q.getColumn(0).getString().empty());  // the default OA
}

TEST_CASE("a message goes through its recipient's Official Account unless it names one", "[zalo][oa]") {
    auto db = test::memory_db();
    storage::touch_user(*db, "citizen-bh", 1, "bo_ha");
    storage::touch_user(*db, "citizen-bh", 2);  // a message from no event (a command) keeps the OA
    db->exec("INSERT INTO officials (official_id, name, unit_id, role, zalo_user_id, created_at, oa)"
             " VALUES ('cb', 'Cán bộ', 'yen_the', 'official', 'official-yt', 0, 'yen_the')");
    std::vector<storage::outbox_item> items(4);
    items[0].recipient = "citizen-bh";
    items[1].recipient = "official-yt";  // linked on xã Yên Thế's OA, never wrote since
    items[2].recipient = "stranger";
    items[3].recipient = "0912345678";  // ZNS by phone: the caller names the OA
    items[3].oa = "bo_ha";
    for (auto& it : items) {
        it.channel = "cs";
        it.body_json = "{}";
        it.purpose = "reply";
    }
    const auto ids = storage::enqueue(*db, items, 10);
    std::vector<std::string> got;
    for (auto id : ids) got.push_back(storage::get_outbox(*db, id).value().oa);
    CHECK(got == std::vector<std::string>{"bo_ha", "yen_the", "", "bo_ha"});
}

TEST_CASE("an official linked by a code sent to an OA gets reminders through that OA", "[zalo][oa]") {
    auto db = test::memory_db();
    storage::official o;
    o.official_id = "cb";
    o.name = "Cán bộ";
    o.unit_id = "bo_ha_moi";
    o.role = "official";
    REQUIRE(storage::add_official(*db, o, 0));
    REQUIRE(storage::set_link_code(*db, "cb", "hash-1", 1000));
    storage::official linked;
    REQUIRE(storage::redeem_link_code(*db, "hash-1", "zalo-cb", 10, &linked, "bo_ha") == storage::link_status::linked);
    CHECK(linked.oa == "bo_ha");
    CHECK(storage::find_official_by_zalo(*db, "zalo-cb").value().oa == "bo_ha");
}

TEST_CASE("a stored event keeps the OA whose key signed it, for events read back after a restart", "[server][oa]") {
    auto db = test::memory_db();
    storage::event_record signed_for_bo_ha{"k1", "user_send_text", "u1", false, 1000, 1000, "{}", storage::event_lane::people, ""};
    signed_for_bo_ha.oa = "bo_ha";
    storage::event_record from_before{"k2", "user_send_text", "u2", false, 1001, 1001, "{}", storage::event_lane::people, ""};
    (void)storage::store_batch(*db, {signed_for_bo_ha, from_before});
    const auto back = storage::pending_events(*db, storage::event_lane::people, 0, 10);
    REQUIRE(back.size() == 2);
    CHECK(back[0].oa == "bo_ha");
    CHECK(back[1].oa.empty());  // no OA kept: the dispatcher falls back to the OA the event names
}

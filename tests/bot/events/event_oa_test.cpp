// Which Official Account an event came for, and what each OA serves.
#include "bot/events/event_oa.hpp"

#include "bot/core/config.hpp"
#include "bot/core/official_accounts.hpp"
#include "bot/dossiers/reachability.hpp"
#include "storage/official_repository.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

namespace {

zalo::event parsed(const std::string& body) {
    auto ev = zalo::parse_event(body, false);
    REQUIRE(ev);
    return *ev;
}

}  // namespace

TEST_CASE("an event belongs to the OA it was sent to, received from or names", "[oa]") {
    const auto cfg = test::example_config();
    const std::string yt = R"("app_id":"your-app-id-of-yen-the")";
    const std::string bh = R"("app_id":"your-app-id-of-bo-ha")";
    // A citizen writes to xã Bố Hạ's OA: the recipient is the OA.
    auto text = parsed("{" + bh + R"(,"sender":{"id":"u1"},"recipient":{"id":"your-oa-id-of-bo-ha"},)"
                       R"("event_name":"user_send_text","message":{"text":"a","msg_id":"m1"},"timestamp":"1"})");
    CHECK(bot::oa_zalo_id(text) == "your-oa-id-of-bo-ha");
    CHECK(bot::oa_of_event(cfg, text) == "bo_ha");
    // A receipt of xã Yên Thế's message: the sender is the OA.
    auto receipt = parsed("{" + yt + R"(,"sender":{"id":"your-oa-id-of-yen-the"},"recipient":{"id":"u2"},)"
                          R"("event_name":"user_received_message","message":{"msg_id":"m2"},"timestamp":"1"})");
    CHECK(bot::oa_of_event(cfg, receipt) == "yen_the");
    // A follow names the OA at the top.
    auto follow = parsed("{" + bh + R"(,"oa_id":"your-oa-id-of-bo-ha","follower":{"id":"u3"},"event_name":"follow","timestamp":"1"})");
    CHECK(bot::oa_of_event(cfg, follow) == "bo_ha");
    // An app id and OA id that do not go together are nobody's.
    auto mixed = parsed("{" + yt + R"(,"sender":{"id":"u1"},"recipient":{"id":"your-oa-id-of-bo-ha"},)"
                        R"("event_name":"user_send_text","message":{"text":"a","msg_id":"m3"},"timestamp":"1"})");
    CHECK(bot::oa_of_event(cfg, mixed).empty());
    // Without [[oa]] tables every event is the default OA's.
    CHECK(bot::oa_of_event(test::test_config(), mixed) == "default");
}

TEST_CASE("an OA serves its units as they are today, and a unit finds its OA", "[oa]") {
    const auto cfg = test::example_config();
    const auto bh = bot::oa_units_on(cfg, "bo_ha", "2026-11-30");
    REQUIRE(bh.size() == 1);
    CHECK(bh[0]->id == "bo_ha_moi");
    CHECK(bot::oa_units_on(cfg, "nobody", "2026-11-30").empty());
    CHECK(bot::oa_units_on(test::test_config(), "default", "2026-11-30").empty());  // serves every unit
    const auto oas = cfg.official_accounts();
    CHECK(bot::oa_serving(cfg, oas, "bo_ha_moi") == "bo_ha");
    CHECK(bot::oa_serving(cfg, oas, "dong_son") == "bo_ha");     // merged into phường Bố Hạ
    CHECK(bot::oa_serving(cfg, oas, "bac_ninh") == "yen_the");   // nobody's: the default OA
    CHECK(bot::oa_by_id(oas, "").id == "yen_the");
    CHECK(bot::oa_by_id(oas, "retired").id == "yen_the");
    CHECK(bot::oa_by_id(oas, "bo_ha").id == "bo_ha");
}

TEST_CASE("a message to an official goes through the OA they linked on, else the one serving their unit, with its ZNS "
          "template",
          "[oa][reminders]") {
    auto cfg = test::example_config();
    REQUIRE(cfg.oa_tables.size() == 2);
    cfg.oa_tables[0].zns_reminder_template = "";  // xã Yên Thế's OA has no ZNS template
    cfg.oa_tables[1].zns_reminder_template = "tpl-bo-ha";
    const auto oas = cfg.official_accounts();
    CHECK(bot::official_oa(cfg, oas, "", "bo_ha_moi").id == "bo_ha");
    CHECK(bot::official_oa(cfg, oas, "", "bo_ha_moi").zns_reminder_template == "tpl-bo-ha");
    CHECK(bot::official_oa(cfg, oas, "", "yen_the").id == "yen_the");
    CHECK(bot::official_oa(cfg, oas, "yen_the", "bo_ha_moi").id == "yen_the");  // linked on Yên Thế's OA
    // Reachable by ZNS only through an OA that has a template.
    storage::official o;
    o.official_id = "cb";
    o.phone = "0912000009";
    o.unit_id = "bo_ha_moi";
    CHECK(bot::reachability_of(o, std::nullopt, 0, cfg).state == bot::reach_state::zns);
    o.unit_id = "yen_the";
    CHECK(bot::reachability_of(o, std::nullopt, 0, cfg).state == bot::reach_state::unreachable);
    o.oa = "bo_ha";  // linked on Bố Hạ's OA, window closed: ZNS through it
    o.zalo_user_id = "u1";
    CHECK(bot::reachability_of(o, std::nullopt, 0, cfg).state == bot::reach_state::zns);
}

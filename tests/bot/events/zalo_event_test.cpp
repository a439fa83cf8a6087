#include "bot/events/zalo_event.hpp"

#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

namespace {

zalo::event fixture(const std::string& name, bool zns = false) {
    auto body = test::read_file(test::source_dir() + "/tests/fixtures/events/" + name + ".json");
    REQUIRE_FALSE(body.empty());
    zalo::parse_error err;
    auto ev = zalo::parse_event(body, zns, &err);
    INFO(name << ": " << err.reason);
    REQUIRE(ev);
    return *ev;
}

const std::string user = "2468458835291979221";
const std::string oa = "388613280878808645";

}  // namespace

TEST_CASE("every documented event type has a fixture that parses into its type", "[server]") {
    std::size_t seen = 0;
    for (const auto& f : std::filesystem::directory_iterator(test::source_dir() + "/tests/fixtures/events")) {
        auto name = f.path().stem().string();
        auto ev = fixture(name, name.rfind("zns_", 0) == 0);
        INFO(name);
        CHECK(ev.type != zalo::event_type::unknown);
        CHECK(zalo::to_string(ev.type) == ev.name);
        CHECK(ev.timestamp == "1764230400000");
        CHECK(ev.timestamp_ms == 1764230400000);
        ++seen;
    }
    // One fixture per event_type value except `unknown`, plus the ZNS receipt.
    CHECK(seen == static_cast<std::size_t>(zalo::event_type::unknown) + 1);
}

TEST_CASE("user messages keep ids as strings and fill their attachment fields", "[server]") {
    auto t = fixture("user_send_text");
    CHECK(t.sender_id == user);
    CHECK(t.recipient_id == oa);
    CHECK(t.user_id == user);
    CHECK(t.app_id == "1234567890123456789");
    CHECK(t.user_id_by_app == "552177279717587730");
    CHECK(t.msg_id == "96d3cdf3af150460909");
    CHECK(t.text == "Làm giấy khai sinh cần gì?");

    auto img = fixture("user_send_image");
    REQUIRE(img.attachments.size() == 1);
    CHECK(img.attachments[0].type == "image");
    CHECK(img.attachments[0].url == "http://f6.photo.talk.zdn.vn/x.jpg");
    CHECK(img.text == "ảnh giấy tờ");

    auto loc = fixture("user_send_location");
    CHECK(loc.attachments.at(0).latitude == "10.7642473");
    CHECK(loc.attachments.at(0).longitude == "106.6564313");

    auto file = fixture("user_send_file");
    CHECK(file.attachments.at(0).size == "233947");
    CHECK(file.attachments.at(0).name == "developer.docx");
    CHECK(file.attachments.at(0).file_type == "docx");
    CHECK(file.attachments.at(0).checksum == "db8f0a790d28e3d8658a0ff0846189");

    CHECK(fixture("user_send_sticker").attachments.at(0).sticker_id == "bfe458bf64fa8da4d4eb");
    CHECK(fixture("user_send_gif").type == zalo::event_type::user_send_gif);
    auto card = fixture("user_send_business_card");
    CHECK(card.attachments.at(0).raw_payload.find("qrCodeUrl") != std::string::npos);
}

TEST_CASE("echoes and receipts concern the recipient user; seen carries every msg_id", "[server]") {
    auto echo = fixture("oa_send_text");
    CHECK(echo.admin_id == "4267886274574868951");
    CHECK(echo.user_id == user);
    auto seen = fixture("user_seen_message");
    CHECK(seen.user_id == user);
    REQUIRE(seen.msg_ids.size() == 2);
    CHECK(seen.msg_ids[0] == "43b59c025aeabfb5e6fa");
    CHECK(seen.msg_ids[1] == "43b59c025aeabfb5e6fb");
    CHECK(fixture("user_reacted_message").react_icon == ":-h");
    CHECK(fixture("oa_send_list").attachments.size() == 2);
}

TEST_CASE("management events use the follower, user_id and tag fields", "[server]") {
    auto f = fixture("follow");
    CHECK(f.user_id == user);
    CHECK(f.oa_id == oa);
    CHECK(f.source == "oa_profile");
    CHECK(fixture("user_click_chatnow").user_id == "8309215952164870311");
    CHECK(fixture("user_withdraw").user_id == user);
    auto tag = fixture("remove_user_from_tag");
    CHECK(tag.tag_name == "example");
    CHECK(tag.tag_user_ids == std::vector<std::string>{"246845883296197922", "246845883296197923"});
    CHECK(fixture("widget_interaction_accepted").user_id == user);
}

TEST_CASE("submitted info keeps the phone number's digits exactly", "[server]") {
    auto info = fixture("user_submit_info");
    CHECK(info.info_phone == "841213333111");
    CHECK(info.info_name == "Tò Trần");
    CHECK(info.info_district == "Huyện Trà Ôn");
    CHECK(info.user_id == user);
}

TEST_CASE("ZNS events carry tracking, delivery time, template status and quota", "[server]") {
    auto r = fixture("zns_user_received_message", true);
    CHECK(r.zns);
    CHECK(r.tracking_id == "tracking_id");
    CHECK(r.delivery_time == "1602960467432");
    CHECK(r.recipient_id == "84123456789");
    auto st = fixture("change_template_status");
    CHECK(st.template_id == "7895417");
    CHECK(st.prev_status == "PENDING_REVIEW");
    CHECK(st.new_status == "ENABLE");
    auto q = fixture("change_oa_daily_quota");
    CHECK(q.oa_id == oa);
    CHECK(q.quota_prev == 1000);
    CHECK(q.quota_new == 2000);
    CHECK(fixture("anonymous_send_text").conversation_id == "conv-778899");
}

TEST_CASE("large numeric ids never lose digits", "[server]") {
    auto ev = zalo::parse_event(R"({"event_name":"follow","follower":{"id":18446744073709551615},"timestamp":1})", false);
    REQUIRE(ev);
    CHECK(ev->user_id == "18446744073709551615");
}

TEST_CASE("bodies that are not events are refused with a reason", "[server]") {
    zalo::parse_error err;
    CHECK_FALSE(zalo::parse_event("", false, &err));
    CHECK_FALSE(zalo::parse_event("{", false, &err));
    CHECK_FALSE(zalo::parse_event("\"x\"", false, &err));
    CHECK_FALSE(zalo::parse_event(R"({"event_name":5})", false, &err));
    CHECK_FALSE(err.reason.empty());
    auto unknown = zalo::parse_event(R"({"event_name":"something_new","timestamp":"1"})", false);
    REQUIRE(unknown);
    CHECK(unknown->type == zalo::event_type::unknown);
    CHECK(unknown->name == "something_new");
}

TEST_CASE("dedup keys begin with the event's time, so later events sort after earlier ones whatever their ids",
          "[server]") {
    auto text = [](const std::string& ts, const std::string& msg_id) {
        auto ev = zalo::parse_event(R"({"event_name":"user_send_text","sender":{"id":"1"},"recipient":{"id":"2"},)"
                                    R"("message":{"text":"chào","msg_id":")" +
                                        msg_id + R"("},"timestamp":")" + ts + R"("})",
                                    false);
        REQUIRE(ev);
        return *ev;
    };
    auto earlier = text("1764230400000", "ffffffff");
    auto later = text("1764230400001", "00000000");
    CHECK(zalo::dedup_key(earlier) == "1764230400000:user_send_text:ffffffff");
    CHECK(zalo::dedup_key(earlier) < zalo::dedup_key(later));
    // A retry is the identical event: the same key. Without a msg_id, the body's digest.
    CHECK(zalo::dedup_key(text("1764230400000", "ffffffff")) == zalo::dedup_key(earlier));
    auto follow =
        zalo::parse_event(R"({"event_name":"follow","follower":{"id":"1"},"timestamp":"1764230400002"})", false);
    REQUIRE(follow);
    CHECK(zalo::dedup_key(*follow).rfind("1764230400002:sha256:", 0) == 0);
    CHECK(zalo::dedup_key(later) < zalo::dedup_key(*follow));
}

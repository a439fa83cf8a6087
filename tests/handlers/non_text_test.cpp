#include "handlers/non_text.hpp"

#include "tests/handlers/conversation_fixture.hpp"

#include <catch2/catch.hpp>

using test::chat_fixture;
using test::contains;

TEST_CASE("an image gets a short reply saying what the bot reads and to submit through the portal", "[conversation]") {
    chat_fixture f;
    auto ev = chat_fixture::event(zalo::event_type::user_send_image, "u1");
    zalo::attachment a;
    a.type = "image";
    a.url = "https://example.invalid/x.jpg";
    ev.attachments.push_back(a);
    auto out = f.deliver(ev);
    REQUIRE(out.messages.size() == 1);
    const auto& t = out.messages[0].text;
    CHECK(contains(t, "hình ảnh"));
    CHECK(contains(t, "tin nhắn chữ"));
    CHECK(contains(t, "Cổng Dịch vụ công"));
    CHECK(out.messages[0].buttons.front().type == zalo::button::kind::open_url);
    CHECK(out.note->kind == "image");
}

TEST_CASE("every non-text kind is named in the reply", "[conversation]") {
    chat_fixture f;
    const std::pair<zalo::event_type, const char*> kinds[] = {
        {zalo::event_type::user_send_file, "tệp"},         {zalo::event_type::user_send_sticker, "nhãn dán"},
        {zalo::event_type::user_send_audio, "thoại"},      {zalo::event_type::user_send_video, "video"},
        {zalo::event_type::user_send_location, "vị trí"},  {zalo::event_type::user_send_link, "liên kết"},
        {zalo::event_type::user_send_gif, "ảnh động"},     {zalo::event_type::user_send_business_card, "danh thiếp"}};
    for (const auto& [type, word] : kinds) {
        auto out = f.deliver(chat_fixture::event(type, "u1"));
        REQUIRE(out.messages.size() == 1);
        CHECK(contains(out.messages[0].text, word));
    }
}

TEST_CASE("a non-text message during a hand-off is passed to the officials, not answered", "[conversation]") {
    chat_fixture f;
    f.add_official("o5", "huyen", "z-o5");
    f.send("u1", "cho toi gap can bo");
    auto out = f.deliver(chat_fixture::event(zalo::event_type::user_send_image, "u1"));
    CHECK(test::to(out, "u1").empty());
    CHECK(test::to(out, "z-o5").size() == 1);
}

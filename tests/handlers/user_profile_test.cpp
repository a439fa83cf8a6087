#include "handlers/user_profile.hpp"

#include "tests/handlers/conversation_fixture.hpp"

#include <catch2/catch.hpp>

using test::chat_fixture;
using test::contains;

TEST_CASE("a shared phone is stored and only shown back masked", "[conversation]") {
    chat_fixture f;
    auto ev = chat_fixture::event(zalo::event_type::user_submit_info, "u1");
    ev.info_phone = "84912345678";
    auto out = f.deliver(ev);
    CHECK(f.text("SELECT phone FROM users WHERE user_id = 'u1'") == "0912345678");
    REQUIRE(out.messages.size() == 1);
    CHECK(!contains(out.messages[0].text, "0912345678"));
    CHECK(!contains(out.messages[0].text, "912345"));
    CHECK(contains(out.messages[0].text, "678"));
}

TEST_CASE("a withdrawal erases the user's personal data and sends nothing", "[conversation]") {
    chat_fixture f;
    auto info = chat_fixture::event(zalo::event_type::user_submit_info, "u1");
    info.info_phone = "84912345678";
    (void)f.deliver(info);
    f.send("u1", "xã Tân Sỏi");
    f.send("u1", "bóng đá");
    auto out = f.deliver(chat_fixture::event(zalo::event_type::user_withdraw, "u1"));
    CHECK(out.messages.empty());
    CHECK(f.text("SELECT phone FROM users WHERE user_id = 'u1'").empty());
    CHECK(f.text("SELECT unit_id FROM users WHERE user_id = 'u1'").empty());
    CHECK(f.count("SELECT COUNT(*) FROM interactions WHERE user_id = 'u1' AND text IS NOT NULL AND direction = 'in'") == 0);
    CHECK(f.count("SELECT COUNT(*) FROM unanswered WHERE user_id = 'u1'") == 0);
}

TEST_CASE("a chat-now tap is greeted with the main menu", "[conversation]") {
    chat_fixture f;
    auto out = f.deliver(chat_fixture::event(zalo::event_type::user_click_chatnow, "u1"));
    REQUIRE(!out.messages.empty());
    CHECK(contains(out.messages[0].text, "xin chào"));
    CHECK(!test::payloads(out.messages).empty());
}

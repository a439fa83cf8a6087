#include "handlers/follow.hpp"

#include "tests/handlers/conversation_fixture.hpp"

#include <catch2/catch.hpp>

using test::chat_fixture;

TEST_CASE("a new follower is welcomed with the main menu and marked as follower", "[conversation]") {
    chat_fixture f;
    auto out = f.deliver(chat_fixture::event(zalo::event_type::follow, "u1"));
    REQUIRE(out.messages.size() == 1);  // exactly one consultation message
    CHECK(test::contains(out.messages[0].text, "xin chào"));
    for (const auto& m : out.messages) {
        CHECK(m.recipient == "u1");
        CHECK(m.buttons.size() <= 5);
    }
    auto p = test::payloads(out.messages);
    CHECK(std::find(p.begin(), p.end(), "#topic:gap_can_bo") != p.end());
    CHECK(std::find(p.begin(), p.end(), "#units") != p.end());
    CHECK(f.count("SELECT is_follower FROM users WHERE user_id = 'u1'") == 1);
    CHECK(f.count("SELECT last_interaction_at FROM users WHERE user_id = 'u1'") == f.t->now);
    REQUIRE(out.note);
    CHECK(out.note->kind == "follow");
}

TEST_CASE("an unfollow stops broadcasts and sends nothing", "[conversation]") {
    chat_fixture f;
    (void)f.deliver(chat_fixture::event(zalo::event_type::follow, "u1"));
    auto out = f.deliver(chat_fixture::event(zalo::event_type::unfollow, "u1"));
    CHECK(out.messages.empty());
    CHECK(f.count("SELECT is_follower FROM users WHERE user_id = 'u1'") == 0);
    CHECK(f.count("SELECT COUNT(*) FROM users WHERE user_id = 'u1' AND unfollowed_at IS NOT NULL") == 1);
}

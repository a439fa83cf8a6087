// Citizens' commands in every spelling people type: tone placement, capitals, no diacritics, decomposed input.
#include "handlers/user_send_text.hpp"

#include "tests/handlers/conversation_fixture.hpp"

#include <catch2/catch.hpp>

using test::chat_fixture;

TEST_CASE("every spelling of hủy nhận tin opts out and every spelling of nhận tin opts back in", "[conversation]") {
    chat_fixture f;
    const auto opted_out = [&f] { return f.count("SELECT broadcast_opt_out FROM users WHERE user_id = 'u1'") == 1; };
    // A minute between tries: the flood limit (20 a minute) must not swallow them.
    const auto send = [&f](const char* text) {
        f.t->now += 61'000;
        return f.send("u1", text);
    };
    // huỷ (tone on the main vowel) and hủy (the bot's own spelling), capitals, no diacritics,
    // punctuation, and decomposed input (u + combining hook above U+0309 + y).
    for (const char* text : {"huỷ nhận tin", "hủy nhận tin", "Hủy Nhận Tin!", "HUY NHAN TIN", "huy  nhan tin...",
                             "hu\xCC\x89y nha\xCC\x82\xCC\xA3n tin", "xin hủy nhận tin ạ"}) {
        INFO(text);
        send("nhận tin");
        REQUIRE_FALSE(opted_out());
        auto out = send(text);
        CHECK(opted_out());
        REQUIRE(out.note);
        CHECK(out.note->outcome == handlers::interaction_outcome::command);
    }
    for (const char* text : {"Nhận tin", "nhan tin", "NHẬN TIN LẠI", "bật nhận tin"}) {
        INFO(text);
        send("hủy nhận tin");
        REQUIRE(opted_out());
        send(text);
        CHECK_FALSE(opted_out());
    }
}

TEST_CASE("a citizen ends a hand-off with kết thúc or hủy hỗ trợ in any spelling", "[conversation]") {
    for (const char* text : {"kết thúc", "KET THUC", "huỷ hỗ trợ", "hủy hỗ trợ", "huy ho tro"}) {
        INFO(text);
        chat_fixture f;
        f.send("u1", "#topic:gap_can_bo");
        REQUIRE(f.count("SELECT COUNT(*) FROM handoffs WHERE closed_at IS NULL") == 1);
        f.send("u1", text);
        CHECK(f.count("SELECT COUNT(*) FROM handoffs WHERE closed_at IS NULL") == 0);
    }
}

TEST_CASE("asking for an official is confirmed once, in the bot's voice", "[conversation]") {
    for (const char* text : {"#topic:gap_can_bo", "cho toi gap can bo"}) {
        INFO(text);
        chat_fixture f;
        auto out = f.send("u1", text);
        std::vector<std::string> to_citizen;
        for (const auto& m : out.messages)
            if (m.recipient == "u1") to_citizen.push_back(m.text);
        REQUIRE(to_citizen.size() == 1);
        CHECK(test::contains(to_citizen[0], "Dạ, em đã chuyển"));
        CHECK(test::contains(to_citizen[0], "mã hỗ trợ #1"));
    }
}

#include "handlers/handoff.hpp"

#include "bot/core/local_time.hpp"
#include "tests/handlers/conversation_fixture.hpp"
#include "tests/log_capture.hpp"

#include <catch2/catch.hpp>

using test::chat_fixture;
using test::contains;

namespace {

// A citizen of xã Tân Sỏi asks for an official: hand-off #1 of tan_soi.
void open_tan_soi_handoff(chat_fixture& f) {
    f.send("u1", "#unit:tan_soi");
    f.send("u1", "cho toi gap can bo");
    REQUIRE(f.count("SELECT COUNT(*) FROM handoffs WHERE id = 1 AND unit_id = 'tan_soi' AND closed_at IS NULL") == 1);
}

}  // namespace

TEST_CASE("an official of another commune can neither answer nor close a hand-off", "[handoff]") {
    chat_fixture f;
    f.add_official("o1", "tan_soi", "z-o1");
    f.add_official("o4", "dong_son", "z-o4");
    open_tan_soi_handoff(f);

    auto answer = f.send("z-o4", "#1 Dạ, anh cứ mang CCCD ra xã Đồng Sơn nhé.");
    CHECK(test::to(answer, "u1").empty());
    auto refusal = test::to(answer, "z-o4");
    REQUIRE(refusal.size() == 1);
    CHECK(contains(refusal[0].text, "#1"));
    CHECK(contains(refusal[0].text, "không thuộc"));
    CHECK_FALSE(contains(refusal[0].text, "xã Tân Sỏi"));  // nothing about the other commune's case
    CHECK(f.count("SELECT COUNT(*) FROM handoffs WHERE id = 1 AND first_answer_at IS NOT NULL") == 0);

    auto close = f.send("z-o4", "#1 xong");
    CHECK(test::to(close, "u1").empty());
    REQUIRE(test::to(close, "z-o4").size() == 1);
    CHECK(contains(test::to(close, "z-o4")[0].text, "không thuộc"));
    CHECK(f.count("SELECT COUNT(*) FROM handoffs WHERE id = 1 AND closed_at IS NULL") == 1);

    // The commune's own official still can.
    auto own = f.send("z-o1", "#1 Dạ, anh mang CCCD đến UBND xã nhé.");
    CHECK(test::to(own, "u1").size() == 1);
}

TEST_CASE("the district desk above a commune and the commune's leader may answer and close its hand-off", "[handoff]") {
    chat_fixture f;
    f.add_official("o5", "huyen", "z-o5");
    f.add_official("l1", "tan_soi", "z-l1", true, "leader");
    open_tan_soi_handoff(f);

    auto answer = f.send("z-o5", "#1 Dạ, huyện đã nhận yêu cầu của anh.");
    REQUIRE(test::to(answer, "u1").size() == 1);
    auto close = f.send("z-l1", "#1 xong");
    CHECK(test::to(close, "u1").size() == 1);
    CHECK(f.count("SELECT COUNT(*) FROM handoffs WHERE id = 1 AND closed_at IS NOT NULL") == 1);
}

TEST_CASE("a propaganda member or viewer of the commune may not answer its hand-offs", "[handoff]") {
    chat_fixture f;
    f.add_official("o1", "tan_soi", "z-o1");
    f.add_official("p1", "tan_soi", "z-p1", true, "propaganda");
    f.add_official("v1", "tan_soi", "z-v1", true, "viewer");
    open_tan_soi_handoff(f);
    for (const char* who : {"z-p1", "z-v1"}) {
        auto out = f.send(who, "#1 xong");
        CHECK(test::to(out, "u1").empty());
        REQUIRE(test::to(out, who).size() == 1);
        CHECK(contains(test::to(out, who)[0].text, "không thuộc"));
    }
    CHECK(f.count("SELECT COUNT(*) FROM handoffs WHERE id = 1 AND closed_at IS NULL") == 1);
}

TEST_CASE("a closed hand-off of another commune is refused the same way, without saying it is closed", "[handoff]") {
    chat_fixture f;
    f.add_official("o1", "tan_soi", "z-o1");
    f.add_official("o4", "dong_son", "z-o4");
    open_tan_soi_handoff(f);
    f.send("z-o1", "#1 xong");
    auto out = f.send("z-o4", "#1 alo");
    REQUIRE(test::to(out, "z-o4").size() == 1);
    CHECK(contains(test::to(out, "z-o4")[0].text, "không thuộc"));
}

TEST_CASE("a citizen without a commune is handed to the one-stop desk, whose officials answer and close it", "[handoff]") {
    chat_fixture f;
    f.add_official("o4", "dong_son", "z-o4");
    f.add_official("o5", "huyen", "z-o5");
    auto out = f.send("u1", "cho toi gap can bo");
    REQUIRE(test::to(out, "z-o5").size() == 1);
    CHECK(test::to(out, "z-o4").empty());
    CHECK(f.count("SELECT COUNT(*) FROM handoffs WHERE id = 1 AND unit_id = 'huyen'") == 1);
    REQUIRE(out.note);
    CHECK(out.note->unit_id == "huyen");

    auto answer = f.send("z-o5", "#1 Dạ, anh/chị ở xã nào ạ?");
    CHECK(test::to(answer, "u1").size() == 1);
    auto refused = f.send("z-o4", "#1 xong");
    CHECK(test::to(refused, "u1").empty());
    auto close = f.send("z-o5", "#1 xong");
    CHECK(test::to(close, "u1").size() == 1);
}

TEST_CASE("an official who asks for help or the menu gets the officials' commands", "[handoff]") {
    chat_fixture f;
    f.add_official("o1", "tan_soi", "z-o1");
    for (const char* ask : {"help", "Menu", "hướng dẫn", "huong dan", "trợ giúp", "?"}) {
        INFO(ask);
        auto out = f.send("z-o1", ask);
        auto reply = test::to(out, "z-o1");
        REQUIRE(reply.size() == 1);
        CHECK(contains(reply[0].text, "hồ sơ của tôi"));
        CHECK(contains(reply[0].text, "quá hạn"));
        CHECK(contains(reply[0].text, "tắt nhắc"));
        CHECK(contains(reply[0].text, "xong"));
        REQUIRE(out.note);
        CHECK(out.note->outcome == handlers::interaction_outcome::command);
    }
    // A citizen asking for help still gets the citizens' menu, not the officials' commands.
    auto citizen = f.send("u9", "hướng dẫn");
    for (const auto& m : test::to(citizen, "u9")) CHECK_FALSE(contains(m.text, "tắt nhắc"));
}

TEST_CASE("a dossier code sent during an open hand-off gets its status and reaches the officials", "[handoff]") {
    chat_fixture f;
    f.t->now = bot::unix_ms_of({2023, 6, 15}, 9 * 60);
    f.add_official("o1", "tan_soi", "z-o1");
    f.add_dossier("000.00.23.H06-230615-0001", "tan_soi", "2023-06-12", "2023-06-20");
    open_tan_soi_handoff(f);
    auto out = f.send("u1", "hồ sơ của tôi mã 000.00.23.H06-230615-0001 đến đâu rồi");
    auto citizen = test::to(out, "u1");
    REQUIRE(citizen.size() == 1);
    CHECK(contains(citizen[0].text, "000.00.23.H06-230615-0001"));
    CHECK(contains(citizen[0].text, "20/06/2023"));
    auto forwarded = test::to(out, "z-o1");
    REQUIRE(forwarded.size() == 1);
    CHECK(contains(forwarded[0].text, "#1"));
    CHECK(contains(forwarded[0].text, "000.00.23.H06-230615-0001"));
    // The hand-off stays open: the next plain message goes to the officials only.
    CHECK(f.count("SELECT COUNT(*) FROM handoffs WHERE id = 1 AND closed_at IS NULL") == 1);
    auto quiet = f.send("u1", "khai sinh");
    CHECK(test::to(quiet, "u1").empty());
}

TEST_CASE("hand-offs of a commune with no official on Zalo are logged once, not one line each", "[handoff]") {
    test::log_capture logs;
    chat_fixture f;
    for (const char* user : {"u1", "u2", "u3"}) {
        f.send(user, "#unit:tan_soi");
        f.send(user, "cho toi gap can bo");
    }
    CHECK(f.count("SELECT COUNT(*) FROM handoffs WHERE unit_id = 'tan_soi' AND closed_at IS NULL") == 3);
    // The first is logged at once (unless an earlier test in this process already did), the
    // others only counted: a busy OA must not flood the log.
    CHECK(logs.count("no on-duty official linked on Zalo") <= 1);
}

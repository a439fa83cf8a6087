#include "handlers/user_send_text.hpp"

#include "bot/core/local_time.hpp"
#include "tests/handlers/conversation_fixture.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using test::chat_fixture;
using test::contains;

namespace {
bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }
}  // namespace

TEST_CASE("a text creates the user and records the interaction time", "[conversation]") {
    chat_fixture f;
    f.send("u1", "khai sinh");
    CHECK(f.count("SELECT COUNT(*) FROM users WHERE user_id = 'u1'") == 1);
    CHECK(f.count("SELECT last_interaction_at FROM users WHERE user_id = 'u1'") == f.t->now);
}

TEST_CASE("an answered question gets the topic's answer, its buttons and related topics", "[conversation]") {
    chat_fixture f;
    auto out = f.send("u1", "khai sinh");
    REQUIRE(out.messages.size() == 1);
    CHECK(contains(out.messages[0].text, "đăng ký khai sinh"));
    auto p = test::payloads(out.messages);
    CHECK(has(p, "https://dichvucong.gov.vn"));
    CHECK(has(p, "#topic:le_phi"));
    REQUIRE(out.note);
    CHECK(out.note->outcome == handlers::interaction_outcome::answered);
    CHECK(out.note->topic == "khai_sinh");
    CHECK(out.note->kind == "text");
    CHECK(f.count("SELECT COUNT(*) FROM interactions WHERE direction = 'in' AND outcome = 'answered' AND topic = 'khai_sinh'") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'u1'") == 1);
}

TEST_CASE("a topic button answers that topic", "[conversation]") {
    chat_fixture f;
    auto out = f.send("u1", "#topic:le_phi");
    REQUIRE(!out.messages.empty());  // a topic without links of its own also gets the main menu
    CHECK(!test::payloads(out.messages).empty());
    CHECK(contains(out.messages[0].text, "lệ phí"));
    CHECK(out.note->kind == "button");
    CHECK(out.note->outcome == handlers::interaction_outcome::answered);
    CHECK(out.note->topic == "le_phi");
}

TEST_CASE("the menu is one message of five buttons, and Xem thêm opens its second page", "[conversation]") {
    chat_fixture f;
    auto out = f.send("u1", "#menu");
    REQUIRE(out.messages.size() == 1);
    CHECK(out.messages[0].buttons.size() == 5);
    auto p = test::payloads(out.messages);
    for (const char* want : {"#topic:nop_ho_so_truc_tuyen", "#topic:tra_cuu_ho_so", "#topic:gap_can_bo", "#units", "#more"})
        CHECK(has(p, want));
    CHECK(out.note->outcome == handlers::interaction_outcome::command);
    auto more = f.send("u1", "#more");
    REQUIRE(more.messages.size() == 1);
    CHECK(more.messages[0].buttons.size() <= 5);
    auto p2 = test::payloads(more.messages);
    for (const char* want : {"#topic:tai_khoan_dvc", "#topic:khai_sinh", "#topic:thanh_toan_truc_tuyen"}) CHECK(has(p2, want));
    CHECK(more.note->outcome == handlers::interaction_outcome::command);
}

TEST_CASE("two close topics are asked back with buttons", "[conversation]") {
    chat_fixture f;
    auto out = f.send("u1", "dang ky");
    REQUIRE(out.messages.size() == 1);
    CHECK(contains(out.messages[0].text, "muốn hỏi về"));
    auto p = test::payloads(out.messages);
    CHECK(p == std::vector<std::string>{"#topic:tai_khoan_dvc", "#topic:khai_sinh", "#topic:gap_can_bo"});
    CHECK(out.note->outcome == handlers::interaction_outcome::clarified);
}

TEST_CASE("asking back names up to three topics in plain words, with their buttons, no greeting, and an official",
          "[conversation]") {
    chat_fixture f;
    auto out = f.send("u1", "giay to");
    REQUIRE(out.messages.size() == 1);
    CHECK(out.messages[0].text == f.t->env->texts.render("nlp_clarify", {{"options", "Đăng ký khai sinh · Đăng ký khai tử · Lệ phí"}}));
    CHECK(contains(out.messages[0].text, "muốn hỏi về: Đăng ký khai sinh · Đăng ký khai tử · Lệ phí?"));
    CHECK(test::payloads(out.messages) ==
          std::vector<std::string>{"#topic:khai_sinh", "#topic:khai_tu", "#topic:le_phi", "#topic:gap_can_bo"});
    CHECK(contains(out.messages[0].text, "Gặp cán bộ"));
    CHECK(out.messages[0].buttons.back().title == "Gặp cán bộ");
    CHECK(out.note->outcome == handlers::interaction_outcome::clarified);
    CHECK(out.note->topic == "khai_sinh");
}

TEST_CASE("the fallback does not call the question out of scope and offers the menu and an official", "[conversation]") {
    chat_fixture f;
    auto out = f.send("u1", "con em mới sinh hôm qua giờ phải làm gì");
    REQUIRE(out.messages.size() == 1);
    const auto& text = out.messages[0].text;
    CHECK(text == f.t->env->texts.render("nlp_fallback"));
    for (const char* claim : {"nằm ngoài", "ngoài phạm vi", "không hỗ trợ", "chỉ hỗ trợ"}) {
        INFO(claim);
        CHECK_FALSE(contains(text, claim));
    }
    CHECK(contains(text, "Gặp cán bộ"));
    auto p = test::payloads(out.messages);
    CHECK(has(p, "#topic:gap_can_bo"));
    CHECK(has(p, "#topic:nop_ho_so_truc_tuyen"));
}

TEST_CASE("thanks get a short reply of their own, not the greeting's answer", "[conversation]") {
    chat_fixture f;
    auto out = f.send("u1", "cam on em");
    REQUIRE(out.messages.size() == 1);
    CHECK(out.messages[0].text == f.t->env->texts.render("nlp_thanks"));
    CHECK(out.messages[0].text != "Dạ, em chào anh/chị ạ.");
    CHECK(f.count("SELECT COUNT(*) FROM unanswered") == 0);
}

TEST_CASE("thanks after a fallback do not open a hand-off, nor count towards one", "[conversation]") {
    chat_fixture f;
    CHECK(f.send("u1", "bóng đá").note->outcome == handlers::interaction_outcome::fallback);
    auto thanks = f.send("u1", "cam on em");
    CHECK(thanks.messages[0].text == f.t->env->texts.render("nlp_thanks"));
    CHECK(thanks.note->outcome != handlers::interaction_outcome::handoff);
    CHECK(f.count("SELECT COUNT(*) FROM handoffs") == 0);
    CHECK(f.send("u1", "cam on em").note->outcome != handlers::interaction_outcome::handoff);
    CHECK(f.count("SELECT COUNT(*) FROM handoffs") == 0);
    CHECK(f.count("SELECT COUNT(*) FROM unanswered WHERE user_id = 'u1'") == 1);
}

TEST_CASE("a fallback says so, shows the menu and records the question as unanswered", "[conversation]") {
    chat_fixture f;
    auto out = f.send("u1", "Thời tiết hôm nay thế nào?");
    REQUIRE(!out.messages.empty());
    CHECK(contains(out.messages[0].text, "chưa trả lời được"));
    CHECK(has(test::payloads(out.messages), "#topic:gap_can_bo"));
    CHECK(out.note->outcome == handlers::interaction_outcome::fallback);
    CHECK(f.text("SELECT text FROM unanswered WHERE user_id = 'u1'") == "Thời tiết hôm nay thế nào?");
    CHECK(f.text("SELECT normalized FROM unanswered WHERE user_id = 'u1'") == "thoi tiet hom nay the nao");
    CHECK(f.count("SELECT COUNT(*) FROM handoffs") == 0);
}

TEST_CASE("an answer between two fallbacks resets the count", "[conversation]") {
    chat_fixture f;
    f.send("u1", "bóng đá");
    f.send("u1", "khai sinh");
    auto out = f.send("u1", "vay tiền");
    CHECK(out.note->outcome == handlers::interaction_outcome::fallback);
    CHECK(f.count("SELECT COUNT(*) FROM handoffs") == 0);
}

TEST_CASE("the citizen can end a hand-off by sending kết thúc", "[conversation]") {
    chat_fixture f;
    f.add_official("o1", "huyen", "z-o1");
    auto opened = f.send("u1", "#topic:gap_can_bo");
    REQUIRE(opened.note->outcome == handlers::interaction_outcome::handoff);
    CHECK(contains(test::to(opened, "u1").at(0).text, "kết thúc"));
    auto out = f.send("u1", "Kết thúc");
    auto citizen = test::to(out, "u1");
    REQUIRE(!citizen.empty());
    CHECK(contains(citizen[0].text, "đã kết thúc yêu cầu hỗ trợ #1"));
    REQUIRE(test::to(out, "z-o1").size() == 1);
    CHECK(contains(test::to(out, "z-o1")[0].text, "không cần trả lời"));
    CHECK(f.text("SELECT closed_by FROM handoffs WHERE id = 1") == "citizen");
    // The bot answers again.
    auto after = f.send("u1", "khai sinh");
    CHECK(after.note->outcome == handlers::interaction_outcome::answered);
}

TEST_CASE("a fallback hours after the last one does not start a hand-off", "[conversation]") {
    chat_fixture f;
    f.send("u1", "bóng đá tối nay");
    f.t->now += 2 * 3600 * 1000;  // another conversation, two hours later
    auto out = f.send("u1", "giá vàng hôm nay");
    CHECK(out.note->outcome == handlers::interaction_outcome::fallback);
    CHECK(f.count("SELECT COUNT(*) FROM handoffs") == 0);
    auto again = f.send("u1", "xổ số miền bắc");  // but two in a row now do
    CHECK(again.note->outcome == handlers::interaction_outcome::handoff);
}

TEST_CASE("two fallbacks in a row start a hand-off with both questions", "[conversation]") {
    chat_fixture f;
    f.add_official("o1", "huyen", "z-o1");
    f.send("u1", "bóng đá tối nay");
    auto out = f.send("u1", "ai thắng vậy");
    CHECK(out.note->outcome == handlers::interaction_outcome::handoff);
    CHECK(f.text("SELECT reason FROM handoffs WHERE user_id = 'u1' AND closed_at IS NULL") == "fallbacks");
    const std::string q = f.text("SELECT question FROM handoffs WHERE user_id = 'u1'");
    CHECK(contains(q, "bóng đá tối nay"));
    CHECK(contains(q, "ai thắng vậy"));
    auto citizen = test::to(out, "u1");
    REQUIRE(citizen.size() == 1);
    CHECK(contains(citizen[0].text, "#1"));
    CHECK(test::to(out, "z-o1").size() == 1);
    CHECK(f.count("SELECT COUNT(*) FROM unanswered WHERE user_id = 'u1'") == 2);
}

TEST_CASE("asking for an official notifies the unit's on-duty linked officials and says when", "[conversation]") {
    chat_fixture f;
    f.add_official("o1", "tan_soi", "z-o1");
    f.add_official("o2", "tan_soi", "z-o2", false);  // off duty
    f.add_official("o3", "tan_soi", "");             // not linked
    f.add_official("o4", "dong_son", "z-o4");
    f.add_official("o5", "huyen", "z-o5");
    f.send("u1", "#unit:tan_soi");
    auto out = f.send("u1", "cho toi gap can bo");  // Friday 09:00
    REQUIRE(out.note);
    CHECK(out.note->outcome == handlers::interaction_outcome::handoff);
    CHECK(out.note->topic == "gap_can_bo");
    CHECK(out.note->unit_id == "tan_soi");
    auto notified = test::to(out, "z-o1");
    REQUIRE(notified.size() == 1);
    CHECK(contains(notified[0].text, "#1"));
    CHECK(contains(notified[0].text, "cho toi gap can bo"));
    CHECK(contains(notified[0].text, "xã Tân Sỏi"));
    CHECK(notified[0].purpose == "handoff");
    for (const char* other : {"z-o2", "z-o4", "z-o5"}) CHECK(test::to(out, other).empty());
    auto citizen = test::to(out, "u1");
    REQUIRE(citizen.size() == 1);
    CHECK(contains(citizen[0].text, "trong giờ hành chính"));
    CHECK(f.count("SELECT COUNT(*) FROM handoffs WHERE user_id = 'u1' AND unit_id = 'tan_soi' AND reason = 'asked'") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'z-o1' AND purpose = 'handoff'") == 1);
}

TEST_CASE("before Tết the citizen is told the first working day after the holiday", "[conversation]") {
    chat_fixture f;
    f.t->now = bot::unix_ms_of({2026, 2, 13}, 18 * 60);  // Friday 18:00; Tết off 16–20/02/2026
    auto out = f.send("u1", "#topic:gap_can_bo");
    auto citizen = test::to(out, "u1");
    REQUIRE(citizen.size() == 1);
    CHECK(contains(citizen[0].text, "thứ Hai"));
    CHECK(contains(citizen[0].text, "23/02/2026"));
}

TEST_CASE("outside working hours the citizen is told the next working morning", "[conversation]") {
    chat_fixture f;
    f.t->now = bot::unix_ms_of({2026, 11, 27}, 18 * 60);  // Friday 18:00
    auto out = f.send("u1", "#topic:gap_can_bo");
    auto citizen = test::to(out, "u1");
    REQUIRE(citizen.size() == 1);
    CHECK(contains(citizen[0].text, "sáng ngày làm việc tiếp theo"));
    CHECK(contains(citizen[0].text, "thứ Hai"));
    CHECK(contains(citizen[0].text, "30/11/2026"));
}

TEST_CASE("a citizen without a commune is handed to the district desk", "[conversation]") {
    chat_fixture f;
    f.add_official("o4", "dong_son", "z-o4");
    f.add_official("o5", "huyen", "z-o5");
    auto out = f.send("u1", "cho toi gap can bo");
    CHECK(test::to(out, "z-o5").size() == 1);
    CHECK(test::to(out, "z-o4").empty());
}

TEST_CASE("an official's #number reply reaches the citizen and the bot stays quiet until closed", "[conversation]") {
    chat_fixture f;
    f.add_official("o1", "tan_soi", "z-o1");
    f.send("u1", "#unit:tan_soi");
    f.send("u1", "cho toi gap can bo");

    f.t->now += 60'000;
    auto reply = f.send("z-o1", "#1 Dạ, anh mang CCCD đến UBND xã nhé.");
    auto citizen = test::to(reply, "u1");
    REQUIRE(citizen.size() == 1);
    CHECK(contains(citizen[0].text, "Dạ, anh mang CCCD đến UBND xã nhé."));
    CHECK(contains(citizen[0].text, "Cán bộ o1"));
    CHECK(test::to(reply, "z-o1").size() == 1);  // confirmation
    CHECK(f.count("SELECT first_answer_at FROM handoffs WHERE id = 1") == f.t->now);
    CHECK(f.count("SELECT last_interaction_at FROM users WHERE user_id = 'z-o1'") == f.t->now);

    auto quiet = f.send("u1", "khai sinh");
    CHECK(test::to(quiet, "u1").empty());
    auto fwd = test::to(quiet, "z-o1");
    REQUIRE(fwd.size() == 1);
    CHECK(contains(fwd[0].text, "khai sinh"));
    CHECK(quiet.note->outcome == handlers::interaction_outcome::handoff);

    auto close = f.send("z-o1", "#1 xong");
    CHECK(test::to(close, "u1").size() >= 1);
    CHECK(f.count("SELECT COUNT(*) FROM handoffs WHERE closed_at IS NOT NULL") == 1);

    auto again = f.send("u1", "khai sinh");
    CHECK(again.note->outcome == handlers::interaction_outcome::answered);

    auto late = f.send("z-o1", "#1 còn gì nữa không?");
    CHECK(test::to(late, "u1").empty());
    auto unknown = f.send("z-o1", "#99 alo");
    CHECK(test::to(unknown, "u1").empty());
    REQUIRE(test::to(unknown, "z-o1").size() == 1);
    CHECK(contains(test::to(unknown, "z-o1")[0].text, "#99"));
}

TEST_CASE("the flood limit sends one notice and then ignores the excess", "[conversation]") {
    auto cfg = test::test_config();
    cfg.conversation.flood_limit_per_minute = 3;
    chat_fixture f(cfg);
    for (int i = 0; i < 3; ++i) CHECK(f.send("u1", "khai sinh").messages.size() == 1);
    auto notice = f.send("u1", "khai sinh");
    REQUIRE(notice.messages.size() == 1);
    CHECK(contains(notice.messages[0].text, "nhắn hơi nhanh"));
    CHECK(f.send("u1", "khai sinh").messages.empty());
    CHECK(f.send("u1", "khai sinh").messages.empty());
    f.t->now += 61'000;
    CHECK(f.send("u1", "khai sinh").messages.size() == 1);
}

TEST_CASE("the flood limit never blocks officials", "[conversation]") {
    auto cfg = test::test_config();
    cfg.conversation.flood_limit_per_minute = 2;
    chat_fixture f(cfg);
    f.add_official("o1", "tan_soi", "z-o1");
    for (int i = 0; i < 6; ++i) {
        auto out = f.send("z-o1", "khai sinh");
        REQUIRE(out.messages.size() == 1);
        CHECK(out.note->outcome == handlers::interaction_outcome::answered);
    }
}

TEST_CASE("a commune typed with or without diacritics is stored", "[conversation]") {
    chat_fixture f;
    auto out = f.send("u1", "xã Tân Sỏi");
    CHECK(f.text("SELECT unit_id FROM users WHERE user_id = 'u1'") == "tan_soi");
    REQUIRE(!out.messages.empty());
    CHECK(contains(out.messages[0].text, "xã Tân Sỏi"));
    CHECK(has(test::payloads(out.messages), "#village:thôn Đồng Điều"));

    f.send("u1", "thon dong dieu");
    CHECK(f.text("SELECT village FROM users WHERE user_id = 'u1'") == "thôn Đồng Điều");
    CHECK(f.text("SELECT unit_id FROM users WHERE user_id = 'u1'") == "tan_soi");

    f.send("u2", "tôi ở thôn Hố Sâu xã Đồng Sơn");
    CHECK(f.text("SELECT unit_id FROM users WHERE user_id = 'u2'") == "dong_son");
    CHECK(f.text("SELECT village FROM users WHERE user_id = 'u2'") == "thôn Hố Sâu");
}

TEST_CASE("a commune and village chosen from the menu are stored", "[conversation]") {
    chat_fixture f;
    auto menu = f.send("u1", "#units");
    auto p = test::payloads(menu.messages);
    CHECK(has(p, "#unit:tan_soi"));
    CHECK(has(p, "#unit:dong_son"));
    CHECK(!has(p, "#unit:huyen"));
    f.send("u1", "#unit:dong_son");
    CHECK(f.text("SELECT unit_id FROM users WHERE user_id = 'u1'") == "dong_son");
    auto done = f.send("u1", "#village:thôn Hố Sâu");
    CHECK(f.text("SELECT village FROM users WHERE user_id = 'u1'") == "thôn Hố Sâu");
    CHECK(contains(done.messages[0].text, "thôn Hố Sâu, xã Đồng Sơn"));
    CHECK(done.note->unit_id == "dong_son");
}

TEST_CASE("citizens opt out of broadcasts and back in", "[conversation]") {
    chat_fixture f;
    f.send("u1", "huỷ nhận tin");
    CHECK(f.count("SELECT broadcast_opt_out FROM users WHERE user_id = 'u1'") == 1);
    f.send("u1", "nhận tin");
    CHECK(f.count("SELECT broadcast_opt_out FROM users WHERE user_id = 'u1'") == 0);
    auto out = f.send("u1", "huy nhan tin");
    CHECK(f.count("SELECT broadcast_opt_out FROM users WHERE user_id = 'u1'") == 1);
    CHECK(contains(out.messages[0].text, "ngừng gửi tin"));
    CHECK(out.note->outcome == handlers::interaction_outcome::command);
}

TEST_CASE("a dossier code gets its status, due date and where to collect, without personal data", "[conversation]") {
    chat_fixture f;
    f.add_dossier("H06.23-0001", "tan_soi", "2026-11-20", "2026-12-05");
    auto out = f.send("u1", "cho em hỏi hồ sơ h06.23-0001 đến đâu rồi ạ");
    REQUIRE(out.messages.size() == 1);
    const auto& t = out.messages[0].text;
    CHECK(contains(t, "H06.23-0001"));
    CHECK(contains(t, "Đăng ký khai sinh"));
    CHECK(contains(t, "đang giải quyết"));
    CHECK(contains(t, "05/12/2026"));
    CHECK(contains(t, "xã Tân Sỏi"));
    CHECK(!contains(t, "0987654321"));
    CHECK(!contains(t, "o1"));
    CHECK(out.note->outcome == handlers::interaction_outcome::lookup);
}

TEST_CASE("dossier statuses: received today, overdue, ready and returned late", "[conversation]") {
    chat_fixture f;  // today is 2026-11-27
    f.add_dossier("HS-2026-000001", "tan_soi", "2026-11-27", "2026-12-01");
    f.add_dossier("HS-2026-000002", "tan_soi", "2026-11-10", "2026-11-20");
    f.add_dossier("HS-2026-000003", "tan_soi", "2026-11-10", "2026-11-20", "2026-11-19");
    f.add_dossier("HS-2026-000004", "dong_son", "2026-11-10", "2026-11-20", "2026-11-25", "bcci");
    CHECK(contains(f.send("u1", "HS-2026-000001").messages[0].text, "đã tiếp nhận"));
    CHECK(contains(f.send("u1", "HS-2026-000002").messages[0].text, "quá ngày hẹn"));
    auto ready = f.send("u1", "HS-2026-000003").messages[0].text;
    CHECK(contains(ready, "đã có kết quả (ngày 19/11/2026)"));
    auto late = f.send("u1", "HS-2026-000004").messages[0].text;
    CHECK(contains(late, "chậm so với ngày hẹn"));
    CHECK(contains(late, "bưu chính"));
}

TEST_CASE("an unknown dossier code gets a polite not found", "[conversation]") {
    chat_fixture f;
    auto out = f.send("u1", "HS-2023-999999");
    REQUIRE(out.messages.size() == 1);
    CHECK(contains(out.messages[0].text, "chưa tìm thấy hồ sơ mã HS-2023-999999"));
    CHECK(out.note->outcome == handlers::interaction_outcome::lookup);
}

TEST_CASE("every turn is logged with its kind, outcome and unit", "[conversation]") {
    chat_fixture f;
    f.send("u1", "#unit:bo_ha");
    f.send("u1", "khai sinh");
    f.send("u1", "dang ky");
    f.send("u1", "mua bán xe máy");
    f.send("u1", "HS-2023-000123");
    CHECK(f.count("SELECT COUNT(*) FROM interactions WHERE direction = 'in' AND kind = 'button' AND outcome = 'command'") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM interactions WHERE direction = 'in' AND outcome = 'answered' AND unit_id = 'bo_ha'") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM interactions WHERE direction = 'in' AND outcome = 'clarified'") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM interactions WHERE direction = 'in' AND outcome = 'fallback'") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM interactions WHERE direction = 'in' AND outcome = 'lookup' AND topic = 'tra_cuu_ho_so'") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM interactions WHERE direction = 'out' AND user_id = 'u1'") >= 5);
}

TEST_CASE("without a knowledge base every question falls back", "[conversation]") {
    chat_fixture f;
    f.t->env->kb.set(nullptr);
    auto out = f.send("u1", "khai sinh");
    CHECK(out.note->outcome == handlers::interaction_outcome::fallback);
}

TEST_CASE("with the real knowledge base a birth question is answered and the weather falls back", "[conversation]") {
    chat_fixture f(test::test_config(), false);
    auto birth = f.send("u1", "lam sao dang ky khai sinh online cho con");
    REQUIRE(birth.note);
    CHECK(birth.note->outcome == handlers::interaction_outcome::answered);
    CHECK(birth.note->topic == "khai_sinh");
    auto weather = f.send("u2", "thời tiết hôm nay thế nào");
    CHECK(weather.note->outcome == handlers::interaction_outcome::fallback);
    CHECK(weather.note->topic.empty());
    CHECK(f.count("SELECT COUNT(*) FROM unanswered WHERE user_id = 'u2'") == 1);
    auto official = f.send("u3", "cho tôi gặp cán bộ");
    CHECK(official.note->outcome == handlers::interaction_outcome::handoff);
    CHECK(f.count("SELECT COUNT(*) FROM handoffs WHERE user_id = 'u3' AND reason = 'asked'") == 1);
    auto clarify = f.send("u4", "đăng ký");
    CHECK(clarify.note->outcome == handlers::interaction_outcome::clarified);
    CHECK(test::payloads(clarify.messages).size() >= 2);
}

TEST_CASE("a citizen typing #number is not taken for an official's reply", "[conversation]") {
    chat_fixture f;
    f.add_official("o5", "huyen", "z-o5");
    f.send("u1", "cho toi gap can bo");
    auto out = f.send("u2", "#1 xin chào");
    CHECK(test::to(out, "u1").empty());
    CHECK(f.count("SELECT COUNT(*) FROM handoffs WHERE first_answer_at IS NOT NULL") == 0);
}

TEST_CASE("a hand-off opens even when no official is linked yet", "[conversation]") {
    chat_fixture f;
    auto out = f.send("u1", "cho toi gap can bo");
    CHECK(out.note->outcome == handlers::interaction_outcome::handoff);
    REQUIRE(out.messages.size() == 1);
    CHECK(out.messages[0].recipient == "u1");
    CHECK(f.count("SELECT COUNT(*) FROM handoffs WHERE closed_at IS NULL") == 1);
}

TEST_CASE("an unknown commune or village button shows the commune menu again", "[conversation]") {
    chat_fixture f;
    auto out = f.send("u1", "#village:thôn Không Có");
    CHECK(test::contains(out.messages[0].text, "xã, phường nào"));  // today's word (templates/kb/locality-defaults.toml)
    CHECK(f.text("SELECT unit_id FROM users WHERE user_id = 'u1'").empty());
    auto out2 = f.send("u1", "#unit:khong_co");
    CHECK(test::contains(out2.messages[0].text, "xã, phường nào"));
}

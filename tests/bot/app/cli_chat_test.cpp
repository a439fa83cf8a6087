#include "bot/app/app.hpp"

#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

namespace {
bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }
}  // namespace

TEST_CASE("cchcbot chat greets, numbers buttons and sends a button's payload when its number is typed", "[conversation]") {
    test::temp_dir dir;
    test::write_file(dir.file("in.txt"), "4\n1\n/quit\n");
    std::string out;
    int rc = test::run("cd " + test::source_dir() + " && CCHCBOT_STORAGE_PATH=" + dir.file("chat.db") + " " +
                           CCHCBOT_EXE + " chat --user cli-test < " + dir.file("in.txt"),
                       out);
    INFO(out);
    CHECK(rc == 0);
    CHECK(contains(out, "[1] Nộp hồ sơ trực tuyến"));
    CHECK(contains(out, "[4] Chọn địa phương"));
    // The demo runs on today's units: the communes and wards of Bắc Ninh, not the 2023 ones.
    CHECK(contains(out, "[1] xã Yên Thế"));                   // 4 tapped "Chọn địa phương"
    CHECK(contains(out, "[2] phường Bố Hạ"));
    CHECK_FALSE(contains(out, "xã Tân Sỏi"));
    CHECK(contains(out, "đã ghi nhận anh/chị ở xã Yên Thế")); // 1 tapped the first commune
}

TEST_CASE("cchcbot chat --as-official links an unlinked official and says so", "[conversation]") {
    test::temp_dir dir;
    const std::string db = dir.file("chat.db");
    std::string out;
    // The official is created with the database tool of the environment, not through the bot.
    REQUIRE(test::run("cd " + test::source_dir() + " && CCHCBOT_STORAGE_PATH=" + db + " " + CCHCBOT_EXE + " db migrate", out) == 0);
    {
        SQLite::Database conn(db, SQLite::OPEN_READWRITE);
        conn.exec("INSERT INTO officials (official_id, name, unit_id, role, created_at) VALUES ('cb01', 'Nguyễn Văn A', 'tan_soi', 'official', 0)");
    }
    test::write_file(dir.file("in.txt"), "#5 alo\n");
    int rc = test::run("cd " + test::source_dir() + " && CCHCBOT_STORAGE_PATH=" + db + " " + CCHCBOT_EXE +
                           " chat --as-official cb01 < " + dir.file("in.txt"),
                       out);
    INFO(out);
    CHECK(rc == 0);
    CHECK(contains(out, "đã liên kết"));
    CHECK(contains(out, "không tìm thấy yêu cầu hỗ trợ #5"));
    CHECK(test::run("cd " + test::source_dir() + " && CCHCBOT_STORAGE_PATH=" + db + " " + CCHCBOT_EXE +
                        " chat --as-official nobody < /dev/null",
                    out) == 1);
}

TEST_CASE("a hand-off runs between a citizen's and an official's terminal chat", "[conversation]") {
    test::temp_dir dir;
    const std::string db = dir.file("chat.db");
    const std::string prefix = "cd " + test::source_dir() + " && CCHCBOT_STORAGE_PATH=" + db + " " + CCHCBOT_EXE;
    std::string out;
    REQUIRE(test::run(prefix + " db migrate", out) == 0);
    {
        SQLite::Database conn(db, SQLite::OPEN_READWRITE);
        conn.exec("INSERT INTO officials (official_id, name, unit_id, role, created_at) VALUES ('cb01', 'Nguyễn Văn A', 'bac_ninh', 'official', 0)");
    }
    REQUIRE(test::run(prefix + " chat --as-official cb01 < /dev/null", out) == 0);  // links cli-official-cb01

    test::write_file(dir.file("citizen.txt"), "cho tôi gặp cán bộ\n");
    REQUIRE(test::run(prefix + " chat < " + dir.file("citizen.txt"), out) == 0);
    INFO(out);
    CHECK(contains(out, "mã hỗ trợ #1"));

    test::write_file(dir.file("official.txt"), "#1 Dạ, anh/chị mang CCCD đến nhé.\n");
    REQUIRE(test::run(prefix + " chat --as-official cb01 < " + dir.file("official.txt"), out) == 0);
    INFO(out);
    CHECK(contains(out, "Yêu cầu hỗ trợ #1"));  // the notice waiting in the outbox is shown
    CHECK(contains(out, "đã gửi trả lời"));

    REQUIRE(test::run(prefix + " chat < /dev/null", out) == 0);
    INFO(out);
    CHECK(contains(out, "mang CCCD đến nhé"));
}

TEST_CASE("cchcbot chat --oa writes to one of several Official Accounts and refuses one not configured", "[conversation][oa]") {
    test::temp_dir dir;
    const std::string db = dir.file("chat.db");
    const std::string prefix = "cd " + test::source_dir() +
                               " && CCHCBOT_CONFIG=templates/cchcbot.example.toml CCHCBOT_OA_YEN_THE_OA_SECRET_KEY=k1"
                               " CCHCBOT_OA_YEN_THE_APP_SECRET=s1 CCHCBOT_OA_BO_HA_OA_SECRET_KEY=k2 CCHCBOT_OA_BO_HA_APP_SECRET=s2"
                               " CCHCBOT_STORAGE_PATH=" + db + " " + CCHCBOT_EXE;
    test::write_file(dir.file("in.txt"), "4\n/quit\n");
    std::string out;
    REQUIRE(test::run(prefix + " chat --user bh-1 --oa bo_ha < " + dir.file("in.txt"), out) == 0);
    INFO(out);
    CHECK(contains(out, "UBND phường Bố Hạ (--oa bo_ha)"));
    CHECK(contains(out, "[1] phường Bố Hạ"));     // its citizens choose among the units it serves
    CHECK_FALSE(contains(out, "xã Yên Thế"));      // neither the other OA's commune nor its desk
    {
        SQLite::Database conn(db, SQLite::OPEN_READONLY);
        CHECK(conn.execAndGet("SELECT oa FROM users WHERE user_id = 'bh-1'").getString() == "bo_ha");
        CHECK(conn.execAndGet("SELECT COUNT(*) FROM interactions WHERE oa <> 'bo_ha'").getInt() == 0);
    }
    CHECK(test::run(prefix + " chat --oa nobody < /dev/null", out) == 2);
    CHECK(contains(out, "unknown Official Account \"nobody\""));
}

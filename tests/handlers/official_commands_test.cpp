#include "handlers/official_commands.hpp"

#include "bot/core/config.hpp"
#include "bot/dossiers/link_code.hpp"
#include "bot/core/local_time.hpp"
#include "bot/dossiers/reminder_admin.hpp"
#include "storage/official_repository.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

namespace {

struct official_fixture {
    std::unique_ptr<test::test_env> t = test::make_test_env();
    std::unique_ptr<SQLite::Database> db = test::memory_db();

    official_fixture() {
        t->now = bot::unix_ms_of({2023, 6, 15}, 9 * 60);
        storage::official o{"cb_ts_01", "Nguyễn Văn An", "tan_soi", "official", "0912000001", "", true, true, false, {}};
        REQUIRE(storage::add_official(*db, o, 0));
    }
    std::optional<handlers::outcome> say(const std::string& user, const std::string& text) {
        auto ctx = t->env->context(*db);
        const handlers::sender s = handlers::load_sender(ctx, user);
        return handlers::handle_official_text(text, ctx, s);
    }
    std::string code() {
        auto c = bot::issue_link_code(*db, "cb_ts_01", t->now);
        REQUIRE(c);
        return c->code;
    }
};

std::string text_of(const std::optional<handlers::outcome>& o) {
    REQUIRE(o);
    REQUIRE(o->messages.size() == 1);
    return o->messages[0].text;
}

}  // namespace

TEST_CASE("a link code is stored hashed and links the sender's Zalo account once", "[reminders]") {
    official_fixture f;
    const std::string c = f.code();
    CHECK(c.size() == 8);
    SQLite::Statement q(*f.db, "SELECT link_code_hash FROM officials WHERE official_id = 'cb_ts_01'");
    REQUIRE(q.executeStep());
    CHECK(q.getColumn(0).getString() == bot::hash_link_code(c));
    CHECK(q.getColumn(0).getString().find(c) == std::string::npos);

    auto reply = f.say("zalo-1", "DK " + c);
    CHECK_THAT(text_of(reply), Catch::Contains("Nguyễn Văn An") && Catch::Contains("xã Tân Sỏi"));
    CHECK(reply->messages[0].recipient == "zalo-1");
    CHECK(storage::find_official_by_zalo(*f.db, "zalo-1")->official_id == "cb_ts_01");
    // One-time: the same code from another account does nothing.
    CHECK_THAT(text_of(f.say("zalo-2", "DK " + c)), Catch::Contains("không đúng"));
    CHECK_FALSE(storage::find_official_by_zalo(*f.db, "zalo-2"));
}

TEST_CASE("link codes are accepted in lower case and with ĐK, and refused after 72 hours", "[reminders]") {
    official_fixture f;
    std::string c = f.code();
    std::string lower;
    for (char ch : c) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    CHECK_THAT(text_of(f.say("zalo-1", "đk " + lower)), Catch::Contains("đã liên kết"));

    std::string late = f.code();
    f.t->now += 72LL * 3600 * 1000 + 1;
    CHECK_THAT(text_of(f.say("zalo-3", "DK " + late)), Catch::Contains("hết hạn"));
    CHECK_FALSE(storage::find_official_by_zalo(*f.db, "zalo-3"));
    // A fresh code works again.
    CHECK_THAT(text_of(f.say("zalo-3", "DK " + f.code())), Catch::Contains("đã liên kết"));
}

TEST_CASE("a disabled official's code no longer links", "[reminders]") {
    official_fixture f;
    std::string c = f.code();
    REQUIRE(storage::disable_official(*f.db, "cb_ts_01"));
    CHECK_THAT(text_of(f.say("zalo-1", "DK " + c)), Catch::Contains("không đúng"));
}

TEST_CASE("a linked official lists dossiers, overdue and due soon, with or without diacritics", "[reminders]") {
    official_fixture f;
    REQUIRE(f.say("zalo-1", "DK " + f.code()));
    auto imp = bot::import_dossiers(*f.db, test::read_file(test::source_dir() + "/tests/fixtures/dossiers-2023-06.csv"),
                                    f.t->env->cfg, 0);
    REQUIRE(imp.parsed.ok());

    auto mine = text_of(f.say("zalo-1", "Hồ sơ của tôi"));
    CHECK_THAT(mine, Catch::Contains("(5)"));
    // Oldest due first: 0005 (12/06) before 0004 (14/06) before 0001 (15/06).
    auto p5 = mine.find("230605-0005"), p4 = mine.find("230607-0004"), p1 = mine.find("230612-0001");
    CHECK(p5 < p4);
    CHECK(p4 < p1);
    CHECK(mine.find("230606-0006") == std::string::npos);  // returned

    auto late = text_of(f.say("zalo-1", "QUA HAN"));
    CHECK_THAT(late, Catch::Contains("(2)") && Catch::Contains("12/06/2023") && Catch::Contains("14/06/2023"));
    auto soon = text_of(f.say("zalo-1", "sắp đến hạn!"));
    CHECK_THAT(soon, Catch::Contains("(2)") && Catch::Contains("230612-0001") && Catch::Contains("230613-0002"));
    CHECK(soon.find("230614-0003") == std::string::npos);  // due Monday: not yet
    auto o = f.say("zalo-1", "ho so cua toi");
    REQUIRE(o);
    REQUIRE(o->note);
    CHECK(o->note->outcome == handlers::interaction_outcome::command);
}

TEST_CASE("tắt nhắc and bật nhắc switch an official's reminders", "[reminders]") {
    official_fixture f;
    REQUIRE(f.say("zalo-1", "DK " + f.code()));
    CHECK_THAT(text_of(f.say("zalo-1", "Tắt nhắc")), Catch::Contains("đã tắt"));
    CHECK_FALSE(storage::find_official(*f.db, "cb_ts_01")->reminders_enabled);
    CHECK_THAT(text_of(f.say("zalo-1", "BAT NHAC")), Catch::Contains("đã bật"));
    CHECK(storage::find_official(*f.db, "cb_ts_01")->reminders_enabled);
}

TEST_CASE("officials' commands accept every spelling: tone placement, case, no diacritics", "[reminders]") {
    official_fixture f;
    REQUIRE(f.say("zalo-1", "DK " + f.code()));
    // "khoá"/"khóa" (old and new tone placement), decomposed input, capitals, stray punctuation.
    for (const char* off : {"khoá nhắc", "khóa nhắc", "KHOA NHAC", "tắt nhắc!", "tat  nhac", "ta\xCC\x86\xCC\x81" "t nha\xCC\x86\xCC\x81" "c",
                            "tắt nhắc việc"}) {
        INFO(off);
        REQUIRE(f.say("zalo-1", "bật nhắc"));
        CHECK_THAT(text_of(f.say("zalo-1", off)), Catch::Contains("đã tắt nhắc việc"));
        CHECK_FALSE(storage::find_official(*f.db, "cb_ts_01")->reminders_enabled);
    }
    for (const char* on : {"Bật nhắc", "bat nhac", "mở khoá nhắc", "mở khóa nhắc", "mo nhac"}) {
        INFO(on);
        REQUIRE(f.say("zalo-1", "tắt nhắc"));
        CHECK_THAT(text_of(f.say("zalo-1", on)), Catch::Contains("đã bật nhắc việc"));
        CHECK(storage::find_official(*f.db, "cb_ts_01")->reminders_enabled);
    }
}

TEST_CASE("other texts, and commands from citizens, are left to the citizen flow", "[reminders]") {
    official_fixture f;
    CHECK_FALSE(f.say("citizen-1", "quá hạn"));
    CHECK_FALSE(f.say("citizen-1", "hồ sơ của tôi"));
    CHECK_FALSE(f.say("citizen-1", "đăng ký khai sinh thế nào"));
    CHECK_FALSE(f.say("citizen-1", "dk khaisinh"));  // "dk" is also chat shorthand for "đăng ký"
    CHECK_FALSE(f.say("citizen-1", "đk kết hôn"));
    CHECK(bot::looks_like_link_code(f.code()));
    REQUIRE(f.say("zalo-1", "DK " + f.code()));
    CHECK_FALSE(f.say("zalo-1", "xin chào"));
    CHECK_FALSE(f.say("zalo-1", "hồ sơ của tôi quá hạn rồi à"));
}

// `DK <code>` under attack: attempts limited per Zalo user and overall (stored), and a code
// locked after a few wrong guesses aimed at it.
#include "handlers/official_commands.hpp"

#include "bot/core/local_time.hpp"
#include "bot/dossiers/link_code.hpp"
#include "bot/dossiers/reminder_admin.hpp"
#include "storage/official_repository.hpp"
#include "tests/handlers/conversation_fixture.hpp"

#include <catch2/catch.hpp>

using test::chat_fixture;
using test::contains;

namespace {

constexpr std::int64_t hour_ms = 3600 * 1000;

struct link_fixture : chat_fixture {
    link_fixture() : chat_fixture(config()) {
        t->now = bot::unix_ms_of({2026, 6, 15}, 9 * 60);
        storage::official o{"cb_ts_01", "Nguyễn Văn An", "tan_soi", "official", "0912000001", "", true, true, false, {}};
        REQUIRE(storage::add_official(*db, o, 0));
    }
    static bot::config config() {
        auto cfg = test::test_config();
        cfg.conversation.link_attempts_per_hour = 5;
        cfg.conversation.link_attempts_per_hour_total = 12;
        cfg.conversation.link_code_max_failures = 3;
        return cfg;
    }
    std::string code() {
        auto c = bot::issue_link_code(*db, "cb_ts_01", t->now);
        REQUIRE(c);
        return c->code;
    }
    // The only message to `user`.
    std::string reply(const std::string& user, const std::string& text) {
        auto out = send(user, text);
        auto ms = test::to(out, user);
        REQUIRE(ms.size() == 1);
        return ms[0].text;
    }
    bool linked(const std::string& user) {
        return count("SELECT COUNT(*) FROM officials WHERE official_id = 'cb_ts_01' AND zalo_user_id = '" + user + "'") == 1;
    }
};

// A well-shaped code that is not `code`; with `same_start`, it begins like `code` (aimed at it).
std::string wrong_code(const std::string& code, int n, bool same_start) {
    static const char* const tails[] = {"23AB", "34BC", "45CD", "56DE", "67EF", "78FG", "89GH", "92HJ"};
    std::string guess = (same_start ? code.substr(0, 4) : std::string("ZZ22")) + tails[n % 8];
    if (guess == code) guess = code.substr(0, 4) + tails[(n + 1) % 8];
    REQUIRE(bot::looks_like_link_code(guess));
    return guess;
}

}  // namespace

TEST_CASE("a Zalo user who fails a few link codes is refused, even the right code, until the hour has passed", "[linkcode]") {
    link_fixture f;
    const std::string c = f.code();
    for (int i = 0; i < 5; ++i) CHECK(contains(f.reply("z-x", "DK " + wrong_code(c, i, false)), "không đúng"));
    const std::string refused = f.reply("z-x", "DK " + c);
    CHECK(contains(refused, "nhiều lần"));
    CHECK_FALSE(f.linked("z-x"));

    // The count is stored: a restarted service (a new environment on the same database) keeps it.
    f.t = test::make_test_env(link_fixture::config());
    f.t->now = bot::unix_ms_of({2026, 6, 15}, 9 * 60 + 30);
    CHECK(f.send("z-x", "DK " + c).messages.empty());  // refused, and told already
    CHECK_FALSE(f.linked("z-x"));

    // An hour after the failures the account may try again.
    f.t->now += 61 * 60 * 1000;
    f.reply("z-x", "DK " + c);
    CHECK(f.linked("z-x"));
}

TEST_CASE("guesses spread over many Zalo users are limited overall", "[linkcode]") {
    link_fixture f;
    const std::string c = f.code();
    for (int i = 0; i < 12; ++i) f.reply("z-bot" + std::to_string(i), "DK " + wrong_code(c, i, false));
    const std::string paused = f.reply("z-real", "DK " + c);
    CHECK(contains(paused, "tạm dừng"));
    CHECK_FALSE(f.linked("z-real"));
    f.t->now += hour_ms + 1;
    f.reply("z-real", "DK " + c);
    CHECK(f.linked("z-real"));
}

TEST_CASE("a code locks after a few wrong guesses aimed at it; the official needs a new one", "[linkcode]") {
    link_fixture f;
    const std::string c = f.code();
    for (int i = 0; i < 3; ++i) CHECK(contains(f.reply("z-a" + std::to_string(i), "DK " + wrong_code(c, i, true)), "không đúng"));
    const std::string locked = f.reply("z-real", "DK " + c);
    CHECK(contains(locked, "khóa"));
    CHECK(contains(locked, "mã mới"));
    CHECK_FALSE(f.linked("z-real"));
    f.reply("z-real", "DK " + f.code());
    CHECK(f.linked("z-real"));
}

TEST_CASE("a wrong guess reads the same whether or not it is close to a real code, and names nobody", "[linkcode]") {
    link_fixture f;
    const std::string c = f.code();
    const std::string near = f.reply("z-a", "DK " + wrong_code(c, 0, true));
    const std::string far = f.reply("z-b", "DK " + wrong_code(c, 1, false));
    CHECK(near == far);
    CHECK_FALSE(contains(near, "Nguyễn Văn An"));
    CHECK_FALSE(contains(near, "Tân Sỏi"));
}

TEST_CASE("a refused account is told once, then its further attempts are ignored without storing them", "[linkcode]") {
    link_fixture f;
    const std::string c = f.code();
    for (int i = 0; i < 5; ++i) f.reply("z-x", "DK " + wrong_code(c, i, false));
    CHECK(contains(f.reply("z-x", "DK " + wrong_code(c, 5, false)), "nhiều lần"));
    for (int i = 6; i < 40; ++i) {
        auto out = f.send("z-x", "DK " + wrong_code(c, i, false));
        CHECK(out.messages.empty());
        REQUIRE(out.note);
        CHECK(out.note->outcome == handlers::interaction_outcome::command);  // never reaches the citizen flow
    }
    CHECK(f.count("SELECT COUNT(*) FROM link_attempts WHERE zalo_user_id = 'z-x'") == 6);
}

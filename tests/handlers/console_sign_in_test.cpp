// "đăng nhập" on Zalo and `cchcbot console link`: one-time console sign-in links for staff.
#include "handlers/official_commands.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/dossiers/sign_in_link.hpp"
#include "storage/database.hpp"
#include "storage/official_link.hpp"
#include "storage/official_repository.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

#include <regex>

namespace {

struct sign_in_fixture {
    std::unique_ptr<test::test_env> t = test::make_test_env();
    std::unique_ptr<SQLite::Database> db = test::memory_db();

    sign_in_fixture() {
        t->now = bot::unix_ms_of({2023, 6, 15}, 9 * 60);
        storage::official o{"cb_ts_01", "Nguyễn Văn An", "tan_soi", "official", "0912000001", "", true, true, false, {}};
        REQUIRE(storage::add_official(*db, o, 0));
        storage::link_official_account(*db, "cb_ts_01", "zalo-cb");
    }
    std::optional<handlers::outcome> say(const std::string& user, const std::string& text) {
        auto ctx = t->env->context(*db);
        const handlers::sender s = handlers::load_sender(ctx, user);
        return handlers::handle_official_text(text, ctx, s);
    }
    std::int64_t count(const std::string& sql) {
        SQLite::Statement q(*db, sql);
        REQUIRE(q.executeStep());
        return q.getColumn(0).getInt64();
    }
};

std::string text_of(const std::optional<handlers::outcome>& o) {
    REQUIRE(o);
    REQUIRE(o->messages.size() == 1);
    return o->messages[0].text;
}

// The secret of the link in a message ("…/console/vao?t=<64 hex>").
std::string secret_in(const std::string& text) {
    std::smatch m;
    if (!std::regex_search(text, m, std::regex("/console/vao\\?t=([0-9a-f]{64})"))) return {};
    return m[1].str();
}

}  // namespace

TEST_CASE("a linked official who sends đăng nhập gets a one-time link stored only as its hash", "[console]") {
    sign_in_fixture f;
    for (const char* spelling : {"đăng nhập", "Dang nhap", "ĐĂNG NHẬP"}) {
        INFO(spelling);
        const std::string reply = text_of(f.say("zalo-cb", spelling));
        CHECK(reply.rfind("Dạ, ", 0) == 0);
        CHECK(reply.find("10 phút") != std::string::npos);
        const std::string secret = secret_in(reply);
        REQUIRE(secret.size() == 64);
        CHECK(f.count("SELECT COUNT(*) FROM console_links WHERE token_hash = '" + bot::hash_console_secret(secret) +
                      "' AND official_id = 'cb_ts_01' AND used_at IS NULL") == 1);
        CHECK(f.count("SELECT COUNT(*) FROM console_links WHERE token_hash = '" + secret + "'") == 0);
    }
    CHECK(f.count("SELECT COUNT(*) FROM audit_log WHERE actor = 'zalo:cb_ts_01' AND action = 'console link'") == 3);
}

TEST_CASE("a citizen who sends đăng nhập is left to the citizen flow", "[console]") {
    sign_in_fixture f;
    CHECK_FALSE(f.say("zalo-citizen", "đăng nhập"));
    CHECK(f.count("SELECT COUNT(*) FROM console_links") == 0);
}

TEST_CASE("sign-in links are limited per official and hour", "[console]") {
    sign_in_fixture f;
    const unsigned limit = f.t->env->cfg.console.link_requests_per_hour;
    for (unsigned i = 0; i < limit; ++i) CHECK(secret_in(text_of(f.say("zalo-cb", "đăng nhập"))).size() == 64);
    const std::string refused = text_of(f.say("zalo-cb", "đăng nhập"));
    CHECK(secret_in(refused).empty());
    CHECK_THAT(refused, Catch::Contains("phút"));
    CHECK(f.count("SELECT COUNT(*) FROM console_links") == limit);
    f.t->now += 3600LL * 1000 + 1;
    CHECK(secret_in(text_of(f.say("zalo-cb", "đăng nhập"))).size() == 64);
}

TEST_CASE("a disabled official gets no sign-in link", "[console]") {
    sign_in_fixture f;
    REQUIRE(storage::disable_official(*f.db, "cb_ts_01"));
    auto reply = f.say("zalo-cb", "đăng nhập");
    if (reply) CHECK(secret_in(text_of(reply)).empty());
    CHECK(f.count("SELECT COUNT(*) FROM console_links") == 0);
}

TEST_CASE("console link prints a link to the console for an official and refuses an unknown one", "[console]") {
    test::temp_dir dir;
    const std::string db = dir.file("console.db");
    auto run = [&](const std::string& args, std::string& out) {
        return test::run("cd '" + test::source_dir() + "' && CCHCBOT_CONFIG= CCHCBOT_STORAGE_PATH='" + db +
                             "' CCHCBOT_CONSOLE_PUBLIC_URL=https://bot.example.gov.vn '" + CCHCBOT_EXE + "' " + args,
                         out);
    };
    std::string out;
    REQUIRE(run("officials add --id qt_01 --name 'Quản trị' --unit yen_the --role admin", out) == 0);
    REQUIRE(run("console link --official qt_01", out) == 0);
    // (Checked without printing the output: it holds a working link.)
    CHECK(out.rfind("https://bot.example.gov.vn/console/vao?t=", 0) == 0);
    const std::string secret = secret_in(out);
    REQUIRE(secret.size() == 64);
    auto conn = storage::open_database(db);
    SQLite::Statement q(*conn, "SELECT official_id, expires_at - created_at FROM console_links WHERE token_hash = ?");
    q.bind(1, bot::hash_console_secret(secret));
    REQUIRE(q.executeStep());
    CHECK(q.getColumn(0).getString() == "qt_01");
    CHECK(q.getColumn(1).getInt64() == 10 * 60'000);
    CHECK(run("console link --official nobody", out) == 1);
    CHECK_THAT(out, Catch::Contains("nobody"));
    CHECK(run("console link", out) == 2);
}

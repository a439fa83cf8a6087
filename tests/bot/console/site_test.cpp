#include "bot/console/site.hpp"

#include "tests/bot/console/console_fixture.hpp"

#include <catch2/catch.hpp>

using test::console_fixture;

namespace {
bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }
}  // namespace

TEST_CASE("a sign-in link opens one session and never a second one", "[console]") {
    console_fixture f;
    f.add_staff("cb1", "official", "tan_soi");
    const std::string secret = f.link_secret("cb1");
    // Opening the link only shows who is signing in: a link preview cannot spend it.
    auto page = f.call("GET", "/console/vao?t=" + secret);
    CHECK(page.status == 200);
    CHECK(contains(page.body, "Cán bộ cb1"));
    CHECK(f.count("SELECT COUNT(*) FROM console_links WHERE used_at IS NULL") == 1);
    auto r = f.call("POST", "/console/vao", "", "t=" + secret);
    REQUIRE(r.status == 303);
    CHECK(console_fixture::header(r, "Location") == "/console/");
    const auto cookie = console_fixture::header(r, "Set-Cookie");
    CHECK(contains(cookie, "HttpOnly"));
    CHECK(contains(cookie, "SameSite=Strict"));
    CHECK(contains(cookie, "Path=/console"));
    CHECK_FALSE(contains(cookie, "Secure"));  // plain http on this machine
    CHECK(f.call("POST", "/console/vao", "", "t=" + secret).status == 410);
    CHECK(f.count("SELECT COUNT(*) FROM console_sessions") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM audit_log WHERE actor = 'console:cb1' AND action = 'sign in'") == 1);
    // Only the hashes are stored.
    CHECK(f.count("SELECT COUNT(*) FROM console_links WHERE token_hash = '" + secret + "'") == 0);
}

TEST_CASE("a sign-in link older than ten minutes is refused", "[console]") {
    console_fixture f;
    f.add_staff("cb1", "official", "tan_soi");
    const std::string secret = f.link_secret("cb1");
    f.t->now += 10 * 60'000 + 1;
    CHECK(f.call("GET", "/console/vao?t=" + secret).status == 410);
    CHECK(f.call("POST", "/console/vao", "", "t=" + secret).status == 410);
    CHECK(f.count("SELECT COUNT(*) FROM console_sessions") == 0);
}

TEST_CASE("behind TLS the session cookie is Secure and pages ask for HTTPS only", "[console]") {
    auto cfg = test::test_config({{"CCHCBOT_CONSOLE_PUBLIC_URL", "https://bot.example.gov.vn"}});
    console_fixture f(cfg);
    f.add_staff("cb1", "official", "tan_soi");
    const std::string secret = f.link_secret("cb1");
    auto r = f.call("POST", "/console/vao", "", "t=" + secret, {{"Origin", "https://bot.example.gov.vn"}});
    REQUIRE(r.status == 303);
    CHECK(contains(console_fixture::header(r, "Set-Cookie"), "; Secure"));
    CHECK(contains(console_fixture::header(r, "Strict-Transport-Security"), "max-age="));
}

TEST_CASE("every console page carries a strict content security policy and refuses framing", "[console]") {
    console_fixture f;
    f.add_staff("cb1", "official", "tan_soi");
    const auto cookie = f.sign_in("cb1");
    for (const char* path : {"/console/", "/console/dang-nhap", "/console/static/console.css", "/console/khong-co"}) {
        auto r = f.call("GET", path, cookie);
        INFO(path);
        const auto csp = console_fixture::header(r, "Content-Security-Policy");
        CHECK(contains(csp, "script-src 'self'"));
        CHECK(contains(csp, "frame-ancestors 'none'"));
        CHECK_FALSE(contains(csp, "unsafe-inline"));
        CHECK(console_fixture::header(r, "X-Frame-Options") == "DENY");
        CHECK(console_fixture::header(r, "X-Content-Type-Options") == "nosniff");
    }
    // The pages themselves hold no inline script or style for that policy to block.
    auto page = f.call("GET", "/console/", cookie);
    CHECK_FALSE(contains(page.body, "<script>"));
    CHECK_FALSE(contains(page.body, "style="));
    CHECK_FALSE(contains(page.body, "<style"));
    CHECK(contains(page.body, "<html lang=\"vi\">"));
}

TEST_CASE("without a session a page sends the visitor to the sign-in help, and a form is refused", "[console]") {
    console_fixture f;
    auto r = f.call("GET", "/console/ho-so");
    CHECK(r.status == 303);
    CHECK(console_fixture::header(r, "Location") == "/console/dang-nhap");
    CHECK(f.call("GET", "/console/dang-nhap").status == 200);
    CHECK(f.call("POST", "/console/tuyen-truyen/gui", "", "csrf=x").status == 403);
    CHECK(f.call("GET", "/console/ho-so", "forged-session").status == 303);
}

TEST_CASE("a dossier export upload is refused on its header, before its body is read, without a live session", "[console]") {
    console_fixture f;
    f.add_staff("cb1", "official", "tan_soi");
    auto guard = [&](const std::string& cookie, std::map<std::string, std::string> headers = {}) {
        bot::http_request req;
        req.method = "POST";
        req.target = req.path = "/console/ho-so/nhap";
        req.headers["Host"] = "127.0.0.1";
        if (!cookie.empty()) req.headers["Cookie"] = "cchc_console=" + cookie;
        for (auto& [k, v] : headers) req.headers[k] = v;
        const auto* g = f.router.find_guard(req.path);
        REQUIRE(g != nullptr);
        return (*g)(req);  // what the server asks before one byte of the body
    };
    CHECK(guard("")->status == 403);
    CHECK(guard("forged-session")->status == 403);
    const auto cookie = f.sign_in("cb1");
    const auto token = f.csrf(cookie);  // the import page was served to this session
    CHECK_FALSE(guard(cookie).has_value());
    CHECK(guard(cookie, {{"Origin", "https://elsewhere.example"}})->status == 403);
    // Other console forms are small and checked as before, after their body.
    bot::http_request other;
    other.method = "POST";
    other.path = "/console/tuyen-truyen/gui";
    CHECK_FALSE((*f.router.find_guard(other.path))(other).has_value());
    // Signed out: the header is enough to refuse again.
    REQUIRE(f.call("POST", "/console/dang-xuat", cookie, "csrf=" + token).status == 303);
    CHECK(guard(cookie)->status == 403);
    // Idle too long: the same.
    const auto again = f.sign_in("cb1");
    f.csrf(again);
    f.t->now += std::chrono::duration_cast<std::chrono::milliseconds>(f.t->env->cfg.console.session_idle).count() + 1000;
    CHECK(guard(again)->status == 403);
}

TEST_CASE("a session unused for longer than the idle limit ends", "[console]") {
    console_fixture f;
    f.add_staff("cb1", "official", "tan_soi");
    const auto cookie = f.sign_in("cb1");
    CHECK(f.call("GET", "/console/", cookie).status == 200);
    f.t->now += std::chrono::duration_cast<std::chrono::milliseconds>(f.t->env->cfg.console.session_idle).count() + 1000;
    auto r = f.call("GET", "/console/", cookie);
    CHECK(r.status == 303);
    CHECK(console_fixture::header(r, "Location") == "/console/dang-nhap?het=1");
}

TEST_CASE("signing out ends the session on the server", "[console]") {
    console_fixture f;
    f.add_staff("cb1", "official", "tan_soi");
    const auto cookie = f.sign_in("cb1");
    const auto token = f.csrf(cookie);
    CHECK(f.call("POST", "/console/dang-xuat", cookie, "csrf=wrong").status == 403);
    auto r = f.call("POST", "/console/dang-xuat", cookie, "csrf=" + token);
    CHECK(r.status == 303);
    CHECK(contains(console_fixture::header(r, "Set-Cookie"), "Max-Age=0"));
    CHECK(f.call("GET", "/console/", cookie).status == 303);
}

TEST_CASE("a state-changing form without the session's token changes nothing", "[console]") {
    console_fixture f;
    f.add_staff("tt", "propaganda", "tan_soi");
    const auto cookie = f.sign_in("tt");
    const std::string body = test::form({{"noi_dung", "Xin chào"}, {"don_vi", "tan_soi"}, {"so_nguoi", "0"}, {"xac_nhan", "1"}});
    CHECK(f.call("POST", "/console/tuyen-truyen/gui", cookie, body).status == 403);
    CHECK(f.call("POST", "/console/tuyen-truyen/gui", cookie, body + "&csrf=0123456789abcdef0123456789abcdef").status == 403);
    // A form posted from another site is refused before anything else.
    CHECK(f.call("POST", "/console/tuyen-truyen/gui", cookie, body + "&csrf=" + f.csrf(cookie), {{"Origin", "https://evil.example"}}).status == 403);
    CHECK(f.count("SELECT COUNT(*) FROM broadcasts") == 0);
}

TEST_CASE("wrong sign-in links from one address are limited", "[console]") {
    console_fixture f;
    int last = 0;
    for (int i = 0; i < 25; ++i) last = f.call("GET", "/console/vao?t=" + std::string(64, 'a')).status;
    CHECK(last == 429);
}

TEST_CASE("a disabled official's session ends with the account", "[console]") {
    console_fixture f;
    f.add_staff("cb1", "official", "tan_soi");
    const auto cookie = f.sign_in("cb1");
    f.db([](SQLite::Database& d) { storage::disable_official(d, "cb1"); });
    CHECK(f.call("GET", "/console/", cookie).status == 303);
}

TEST_CASE("static files are served with a validator and long caching only for versioned addresses", "[console]") {
    console_fixture f;
    auto css = f.call("GET", "/console/static/console.css");
    REQUIRE(css.status == 200);
    CHECK(css.content_type == "text/css; charset=utf-8");
    const auto etag = console_fixture::header(css, "ETag");
    CHECK(console_fixture::header(css, "Cache-Control") == "no-cache");
    CHECK(f.call("GET", "/console/static/console.css", "", "", {{"If-None-Match", etag}}).status == 304);
    CHECK(f.call("GET", "/console/static/../../README.md").status == 404);
}

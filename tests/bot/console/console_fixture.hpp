// A console on a temporary database with a settable clock, requests sent straight to the site.
#pragma once

#include "bot/app/app.hpp"
#include "bot/app/kb_commands.hpp"
#include "bot/console/site.hpp"
#include "bot/console/web.hpp"
#include "bot/core/worker.hpp"
#include "bot/dossiers/sign_in_link.hpp"
#include "bot/http/https_client.hpp"
#include "storage/database.hpp"
#include "storage/official_repository.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <catch2/catch.hpp>

#include <future>
#include <map>
#include <memory>
#include <string>

namespace test {

/// The console with its own writer and reader workers on a file database in a temporary folder.
struct console_fixture {
    temp_dir dir;
    std::unique_ptr<test_env> t;
    std::unique_ptr<bot::worker> writer, reader;
    std::unique_ptr<bot::console::site> site;
    bot::http_router router;  ///< for the site's header guard, as the server runs it before the body
    int outbox_wakes = 0;

    explicit console_fixture(bot::config cfg = test_config()) {
        cfg.storage.path = dir.file("console.db");
        storage::open_database(cfg.storage.path, true).reset();
        t = make_test_env(std::move(cfg));
        writer = std::make_unique<bot::worker>(t->env->cfg.storage.path);
        reader = std::make_unique<bot::worker>(t->env->cfg.storage.path);
        writer->start();
        reader->start();
        auto* env = t->env.get();
        bot::console::site_deps deps{env->cfg,
                                     env->texts,
                                     [env] { return env->kb.get(); },
                                     [env] { return bot::app::reload_kb(*env); },
                                     env->clock,
                                     *writer,
                                     *reader,
                                     [this] { ++outbox_wakes; },
                                     nullptr};
        site = std::make_unique<bot::console::site>(std::move(deps), env->cfg.templates_dir + "/console");
        site->mount(router);
    }
    ~console_fixture() {
        site.reset();
        reader->stop();
        writer->stop();
    }

    /// Runs `fn` on the writer's connection (set-up and checks).
    template <class F>
    void db(F fn) {
        writer->run_sync([&](SQLite::Database& d) { fn(d); });
    }
    std::int64_t count(const std::string& sql) {
        std::int64_t n = 0;
        db([&](SQLite::Database& d) { n = d.execAndGet(sql).getInt64(); });
        return n;
    }

    void add_staff(const std::string& id, const std::string& role, const std::string& unit, std::vector<std::string> more = {},
                   const std::string& zalo = "") {
        db([&](SQLite::Database& d) {
            storage::official o{id, "Cán bộ " + id, unit, role, "", "", true, true, false, more};
            REQUIRE(storage::add_official(d, o, t->now));
            if (!zalo.empty()) d.exec("UPDATE officials SET zalo_user_id = '" + zalo + "' WHERE official_id = '" + id + "'");
        });
    }

    /// A sign-in link's secret (the part after ?t=).
    std::string link_secret(const std::string& official) {
        std::string secret;
        db([&](SQLite::Database& d) {
            auto r = bot::issue_sign_in_link(d, t->env->cfg, official, t->now, "cli", "http://127.0.0.1:1");
            REQUIRE(r.result == bot::sign_in_issue::status::issued);
            secret = r.url.substr(r.url.find("?t=") + 3);
        });
        return secret;
    }

    /// Sends one request; `cookie` is the session cookie's value.
    bot::http_response call(const std::string& method, const std::string& target, const std::string& cookie = "",
                            const std::string& body = "", std::map<std::string, std::string> headers = {}) {
        return send(method, target, cookie, body, std::move(headers)).get();
    }

    /// Sends one request and returns at once; the answer comes through the future (from whichever
    /// thread answers it).
    std::future<bot::http_response> send(const std::string& method, const std::string& target, const std::string& cookie = "",
                                         const std::string& body = "", std::map<std::string, std::string> headers = {}) {
        bot::http_request req;
        req.method = method;
        req.target = target;
        auto q = target.find('?');
        req.path = target.substr(0, q);
        if (q != std::string::npos) req.query = bot::parse_query(target.substr(q + 1));
        req.remote = "127.0.0.1";
        req.headers["Host"] = "127.0.0.1";
        if (!cookie.empty()) req.headers["Cookie"] = "cchc_console=" + cookie;
        if (method == "POST") req.headers["Content-Type"] = "application/x-www-form-urlencoded";
        for (auto& [k, v] : headers) req.headers[k] = v;
        auto p = std::make_shared<std::promise<bot::http_response>>();
        auto f = p->get_future();
        if (const auto* guard = router.find_guard(req.path))  // the server asks it before reading the body
            if (auto refusal = (*guard)(req)) {
                p->set_value(std::move(*refusal));
                return f;
            }
        req.body = body;
        site->handle(std::move(req), [p](bot::http_response r) { p->set_value(std::move(r)); });
        return f;
    }

    /// Signs in through a link as a browser would and returns the session cookie's value.
    std::string sign_in(const std::string& official) {
        const std::string secret = link_secret(official);
        auto page = call("GET", "/console/vao?t=" + secret);
        REQUIRE(page.status == 200);
        auto r = call("POST", "/console/vao", "", "t=" + secret);
        REQUIRE(r.status == 303);
        const std::string c = header(r, "Set-Cookie");
        const auto eq = c.find('='), semi = c.find(';');
        REQUIRE(eq != std::string::npos);
        return c.substr(eq + 1, semi - eq - 1);
    }

    /// The session's form token, read from a page.
    std::string csrf(const std::string& cookie) {
        auto r = call("GET", "/console/", cookie);
        const std::string mark = "name=\"csrf\" value=\"";
        auto at = r.body.find(mark);
        REQUIRE(at != std::string::npos);
        return r.body.substr(at + mark.size(), 32);
    }

    static std::string header(const bot::http_response& r, const std::string& name) {
        for (const auto& [k, v] : r.headers)
            if (k == name) return v;
        return {};
    }
};

/// "a=1&b=x" with each value percent-encoded.
inline std::string form(std::initializer_list<std::pair<std::string, std::string>> fields) {
    std::string out;
    for (const auto& [k, v] : fields) out += (out.empty() ? "" : "&") + bot::url_encode(k) + "=" + bot::url_encode(v);
    return out;
}

}  // namespace test

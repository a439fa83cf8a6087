#include "bot/http/http_server.hpp"

#include "bot/core/config.hpp"
#include "tests/bot/http/test_http_client.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <mutex>
#include <thread>

namespace {

bot::config server_config() {
    auto cfg = test::test_config();
    cfg.server.port = 0;
    cfg.server.threads = 2;
    cfg.server.body_limit = 1024;
    cfg.server.read_timeout = std::chrono::seconds(1);
    cfg.server.idle_timeout = std::chrono::seconds(1);
    cfg.server.shutdown_timeout = std::chrono::seconds(3);
    return cfg;
}

struct fixture {
    bot::config cfg = server_config();
    bot::http_router router;
    std::mutex helpers_mu;
    std::vector<std::thread> helpers;
    std::unique_ptr<bot::http_server> server;

    fixture() {
        router.add("POST", "/echo", [](bot::http_request&& r, bot::respond_fn respond) {
            respond(bot::json_response(r.body + "|" + r.headers["X-Test"] + "|" + r.query["q"]));
        });
        // Answers later from another thread, as the webhook does after the group commit.
        router.add("GET", "/later", [this](bot::http_request&&, bot::respond_fn respond) {
            std::lock_guard lk(helpers_mu);
            helpers.emplace_back([respond] {
                std::this_thread::sleep_for(std::chrono::milliseconds(300));
                respond(bot::json_response(R"({"late":true})"));
            });
        });
        router.add("POST", "/api/v1/echo", [](bot::http_request&& r, bot::respond_fn respond) {
            respond(bot::json_response(std::to_string(r.body.size())));
        });
        router.add("GET", "/never", [](bot::http_request&&, bot::respond_fn) {});
        router.add("GET", "/throws", [](bot::http_request&&, bot::respond_fn) { throw std::runtime_error("boom"); });
        server = std::make_unique<bot::http_server>(cfg, router);
        server->start();
    }
    ~fixture() {
        server->shutdown();
        for (auto& t : helpers) t.join();
    }
};

}  // namespace

TEST_CASE("port 0 binds a free port that answers, with keep-alive across requests", "[server]") {
    fixture f;
    REQUIRE(f.server->port() != 0);
    test::http_client c(f.server->port());
    auto r1 = c.request("POST", "/echo?q=a%20b", "hello", {{"X-Test", "h"}});
    CHECK(r1.status == 200);
    CHECK(r1.body == "hello|h|a b");
    CHECK(r1.keep_alive);
    auto r2 = c.request("POST", "/echo", "again");
    CHECK(r2.status == 200);
    CHECK(r2.body == "again||");
}

TEST_CASE("unknown paths get 404 and known paths with the wrong method 405, as JSON", "[server]") {
    fixture f;
    test::http_client c(f.server->port());
    auto r = c.request("GET", "/nothing-here");
    CHECK(r.status == 404);
    CHECK(r.body.find("\"error\"") != std::string::npos);
    CHECK(c.request("GET", "/echo").status == 405);
    CHECK(c.request("POST", "/echo", "still alive").status == 200);
}

TEST_CASE("a body over the limit gets 413 and the connection is closed", "[server]") {
    fixture f;
    test::http_client c(f.server->port());
    auto r = c.request("POST", "/echo", std::string(2000, 'x'));
    CHECK(r.status == 413);
    CHECK(r.body.find("payload_too_large") != std::string::npos);
    CHECK_FALSE(r.keep_alive);
    // Exactly at the limit is fine.
    test::http_client c2(f.server->port());
    CHECK(c2.request("POST", "/echo", std::string(1024, 'y')).status == 200);
}

TEST_CASE("admin API paths take the larger admin body limit", "[server]") {
    fixture f;
    test::http_client c(f.server->port());
    auto r = c.request("POST", "/api/v1/echo", std::string(5000, 'z'));
    CHECK(r.status == 200);
    CHECK(r.body == "5000");
}

TEST_CASE("a chunked body over the limit gets 413 too", "[server]") {
    fixture f;
    test::http_client c(f.server->port());
    std::string chunk(800, 'c');
    c.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n" + chunk + "\r\n320\r\n" +
               chunk + "\r\n0\r\n\r\n");
    CHECK(c.read_reply().status == 413);
}

TEST_CASE("a client expecting 100-continue gets the go-ahead before sending its body", "[server]") {
    fixture f;
    test::http_client c(f.server->port());
    c.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    auto interim = c.read_reply();
    CHECK(interim.status == 100);
    c.send_raw("hello");
    auto r = c.read_reply();
    CHECK(r.status == 200);
    CHECK(r.body == "hello||");
}

TEST_CASE("a request that is not HTTP gets 400", "[server]") {
    fixture f;
    test::http_client c(f.server->port());
    c.send_raw("THIS IS NOT HTTP\r\n\r\n");
    CHECK(c.read_reply().status == 400);
}

TEST_CASE("a client sending its request slowly is dropped at the read deadline", "[server]") {
    fixture f;
    test::http_client c(f.server->port());
    c.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\n");
    auto start = std::chrono::steady_clock::now();
    bool closed = false;
    // Keep trickling a header byte every 200 ms: the deadline covers the whole request.
    for (int i = 0; i < 15 && !closed; ++i) {
        try {
            c.send_raw("X");
        } catch (const std::exception&) {
            closed = true;
            break;
        }
        closed = c.closed_by_peer(200);
    }
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(closed);
    CHECK(took < std::chrono::milliseconds(2500));
}

TEST_CASE("an idle keep-alive connection is closed after the idle timeout", "[server]") {
    fixture f;
    test::http_client c(f.server->port());
    CHECK(c.request("POST", "/echo", "x").status == 200);
    CHECK(c.closed_by_peer(2500));
}

TEST_CASE("handlers may answer later from another thread; unanswered or throwing ones give 500", "[server]") {
    fixture f;
    test::http_client c(f.server->port());
    auto r = c.request("GET", "/later");
    CHECK(r.status == 200);
    CHECK(r.body == R"({"late":true})");
    CHECK(c.request("GET", "/never").status == 500);
    CHECK(c.request("GET", "/throws").status == 500);
    CHECK(c.request("POST", "/echo", "ok").status == 200);
}

TEST_CASE("shutdown lets a request in flight finish, closes idle connections and refuses new ones", "[server]") {
    fixture f;
    auto port = f.server->port();
    test::http_client idle(port);
    CHECK(idle.request("POST", "/echo", "x").status == 200);
    auto in_flight = std::async(std::launch::async, [port] {
        test::http_client c(port);
        return c.request("GET", "/later");
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto start = std::chrono::steady_clock::now();
    f.server->shutdown();
    auto r = in_flight.get();
    CHECK(r.status == 200);
    CHECK_FALSE(r.keep_alive);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
    CHECK(idle.closed_by_peer(500));
    CHECK_THROWS(test::http_client(port).request("GET", "/healthz"));
}

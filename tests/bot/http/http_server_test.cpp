#include "bot/http/http_server.hpp"

#include "bot/core/config.hpp"
#include "tests/bot/http/test_http_client.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <atomic>
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
    std::atomic<int> smuggled{0};
    std::atomic<int> guarded_handled{0};
    std::atomic<int> guard_calls{0};
    std::atomic<bool> guard_saw_body{false};

    explicit fixture(void (*tune)(bot::config&) = nullptr) {
        if (tune) tune(cfg);
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
        router.add("GET", "/smuggled", [this](bot::http_request&&, bot::respond_fn respond) {
            ++smuggled;
            respond(bot::json_response(R"({"smuggled":true})"));
        });
        router.add("POST", "/guarded/upload", [this](bot::http_request&& r, bot::respond_fn respond) {
            ++guarded_handled;
            respond(bot::json_response(std::to_string(r.body.size())));
        });
        // Decides from the headers: the body of a refused request is never read.
        router.guard("/guarded/", [this](const bot::http_request& r) -> std::optional<bot::http_response> {
            ++guard_calls;
            guard_saw_body = guard_saw_body || !r.body.empty();
            auto it = r.headers.find("X-Key");
            if (it == r.headers.end() || it->second != "open-sesame") return bot::json_error(401, "unauthorized", "no key");
            return std::nullopt;
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

namespace {

// Sends `head` (a request whose body framing is ambiguous) followed by a second request, and
// checks the first is refused with 400 and a close, and the second is never parsed.
void check_refused_and_nothing_smuggled(const std::string& head) {
    fixture f;
    test::http_client c(f.server->port());
    c.send_raw(head + "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = c.read_reply();
    CHECK(r.status == 400);
    CHECK_FALSE(r.keep_alive);
    CHECK(r.body.find("Transfer-Encoding") != std::string::npos);
    CHECK(c.closed_by_peer(2000));
    CHECK(f.smuggled == 0);
}

}  // namespace

TEST_CASE("a transfer coding other than one final chunked is refused with 400 and close, nothing smuggled", "[server]") {
    for (const char* te : {"chunked, identity", "identity", "gzip", "xchunked", "gzip, chunked", "chunked, chunked",
                           "chunked;q=1", "deflate"}) {
        INFO("Transfer-Encoding: " << te);
        check_refused_and_nothing_smuggled(std::string("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ") + te +
                                           "\r\n\r\n");
    }
}

TEST_CASE("Transfer-Encoding twice, or together with Content-Length, is refused with 400 and close", "[server]") {
    check_refused_and_nothing_smuggled(
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    check_refused_and_nothing_smuggled(
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    check_refused_and_nothing_smuggled(
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
}

TEST_CASE("a single chunked coding, in any case and with spaces, is read as before", "[server]") {
    fixture f;
    test::http_client c(f.server->port());
    c.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:  Chunked \r\n\r\n5\r\nhello\r\n0\r\n\r\n"
               "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = c.read_reply();
    CHECK(r.status == 200);
    CHECK(r.body == "hello||");
    // A pipelined request after a well-framed one is a request of its own.
    CHECK(c.read_reply().status == 200);
    CHECK(f.smuggled == 1);
}

TEST_CASE("a guard refuses from the headers and the body is never read", "[server]") {
    fixture f;
    test::http_client c(f.server->port());
    // 16 MiB announced, nothing sent: the refusal comes at once, without waiting for the body.
    c.send_raw("POST /guarded/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 16777216\r\n\r\n");
    auto r = c.read_reply();
    CHECK(r.status == 401);
    CHECK_FALSE(r.keep_alive);
    CHECK(f.guarded_handled == 0);
    CHECK_FALSE(f.guard_saw_body);
    // Allowed by the guard: read and handled as usual.
    test::http_client ok(f.server->port());
    auto r2 = ok.request("POST", "/guarded/upload", "12345", {{"X-Key", "open-sesame"}});
    CHECK(r2.status == 200);
    CHECK(r2.body == "5");
    CHECK(f.guard_calls == 2);
}

TEST_CASE("a body-less refusal keeps the connection; a refusal with a body pending closes it", "[server]") {
    fixture f;
    test::http_client c(f.server->port());
    CHECK(c.request("POST", "/guarded/upload", "", {{"Content-Length", "0"}}).status == 401);
    CHECK(c.request("POST", "/echo", "still open").status == 200);
    // Unknown paths are answered from the header too.
    test::http_client c2(f.server->port());
    c2.send_raw("POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
    CHECK(c2.read_reply().status == 404);
}

TEST_CASE("bodies in flight share a memory budget; a request over it gets 503 before its body is read", "[server]") {
    fixture f([](bot::config& c) { c.server.body_memory_limit = 6000; });
    // The first upload announces 5000 bytes and sends a part: its 5000 stay reserved.
    test::http_client first(f.server->port());
    first.send_raw("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(100, 'a'));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    test::http_client second(f.server->port());
    second.send_raw("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
    auto busy = second.read_reply();
    CHECK(busy.status == 503);
    CHECK(busy.headers["Retry-After"] == "1");
    // Once the first is done, its reservation is given back.
    first.send_raw(std::string(4900, 'a'));
    CHECK(first.read_reply().body == "5000");
    test::http_client third(f.server->port());
    CHECK(third.request("POST", "/api/v1/echo", std::string(5000, 'b')).status == 200);
}

TEST_CASE("at the connection cap the longest-idle connection makes room and new requests are answered", "[server]") {
    fixture f([](bot::config& c) {
        c.server.max_connections = 8;
        c.server.read_timeout = std::chrono::seconds(30);  // idle clients would otherwise stay 30 s
    });
    std::vector<std::unique_ptr<test::http_client>> idle;
    for (int i = 0; i < 20; ++i) idle.push_back(std::make_unique<test::http_client>(f.server->port()));
    test::http_client c(f.server->port());
    auto r = c.request("POST", "/echo", "served");
    CHECK(r.status == 200);
    CHECK(r.body == "served||");
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (f.server->connections() > 9 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(f.server->connections() <= 9);
    // The oldest idle ones were closed.
    CHECK(idle.front()->closed_by_peer(2000));
}

#include "bot/http/https_client.hpp"

#include "bot/simulator/zalo_simulator.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <future>

using namespace std::chrono_literals;

namespace {
bot::http_result call(bot::http_client& c, bot::http_call req) {
    std::promise<bot::http_result> p;
    c.request(std::move(req), [&](bot::http_result r) { p.set_value(std::move(r)); });
    return p.get_future().get();
}
bot::http_call quota_call(const sim::zalo_simulator& s) {
    bot::http_call c;
    c.url = s.base_url() + "/v3.0/oa/quota/message";
    c.body = R"({"user_id":"1"})";
    c.headers = {{"access_token", "none"}};
    return c;
}
}  // namespace

TEST_CASE("the HTTPS client trusts the simulator only through the configured CA file", "[zalo]") {
    sim::zalo_simulator s;
    s.start();
    {
        bot::https_client untrusted(bot::https_client_options{});
        auto r = call(untrusted, quota_call(s));
        CHECK_FALSE(r.transport_ok());
        CHECK(r.error.find("handshake") != std::string::npos);
    }
    bot::https_client_options o;
    o.ca_file = s.ca_file();
    bot::https_client trusted(o);
    auto r = call(trusted, quota_call(s));
    REQUIRE(r.transport_ok());
    CHECK(r.status == 200);
    CHECK(r.body.find("-216") != std::string::npos);
    CHECK(r.headers.count("X-RateLimit-Limit") == 1);
    // By name: SNI is sent and the name is checked against the certificate's subjectAltName.
    auto named = quota_call(s);
    named.url = "https://localhost:" + std::to_string(s.port()) + "/v3.0/oa/quota/message";
    CHECK(call(trusted, named).status == 200);
}

TEST_CASE("the HTTPS client reuses kept-alive connections and survives a dropped one", "[zalo]") {
    sim::zalo_simulator s;
    s.start();
    bot::https_client_options o;
    o.ca_file = s.ca_file();
    bot::https_client c(o);
    for (int i = 0; i < 5; ++i) REQUIRE(call(c, quota_call(s)).status == 200);
    s.inject(sim::fault_kind::drop, 0, 1);
    auto dropped = call(c, quota_call(s));
    CHECK_FALSE(dropped.transport_ok());
    CHECK(call(c, quota_call(s)).status == 200);
    s.inject(sim::fault_kind::http_status, 503, 1);
    CHECK(call(c, quota_call(s)).status == 503);
}

TEST_CASE("the HTTPS client times out a slow answer and a dead port", "[zalo]") {
    sim::zalo_simulator s;
    s.start();
    bot::https_client_options o;
    o.ca_file = s.ca_file();
    o.request_timeout = 200ms;
    o.connect_timeout = 500ms;
    bot::https_client c(o);
    s.inject(sim::fault_kind::latency, 1500, 1);
    auto start = std::chrono::steady_clock::now();
    auto r = call(c, quota_call(s));
    CHECK_FALSE(r.transport_ok());
    CHECK(r.error.find("timeout") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < 1500ms);
    auto dead = quota_call(s);
    s.stop();
    CHECK_FALSE(call(c, dead).transport_ok());
}

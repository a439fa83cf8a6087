#include "bot/simulator/zalo_simulator.hpp"

#include "bot/http/https_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include <future>
#include <thread>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {
std::string sha256_hex(const std::string& in) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(in.data(), in.size(), md, &len, EVP_sha256(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string s;
    for (unsigned i = 0; i < len; ++i) {
        s.push_back(hex[md[i] >> 4]);
        s.push_back(hex[md[i] & 15]);
    }
    return s;
}

/// A one-shot loopback HTTP endpoint that records the requests it gets.
struct hook {
    asio::io_context io;
    tcp::acceptor acc{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    std::vector<http::request<http::string_body>> got;
    std::thread t;
    explicit hook(int n) {
        t = std::thread([this, n] {
            for (int i = 0; i < n; ++i) {
                tcp::socket s(io);
                acc.accept(s);
                boost::beast::flat_buffer b;
                http::request<http::string_body> req;
                http::read(s, b, req);
                got.push_back(req);
                http::response<http::string_body> res{http::status::ok, 11};
                res.body() = "{}";
                res.prepare_payload();
                http::write(s, res);
            }
        });
    }
    ~hook() {
        if (t.joinable()) t.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(acc.local_endpoint().port()) + "/webhook/zalo"; }
};
}  // namespace

TEST_CASE("the simulator posts correctly signed receipts to the bot's webhook", "[zalo]") {
    sim::zalo_simulator s;
    s.start();
    hook h(3);
    s.set_webhook(h.url(), "360846524940903967", "oa-secret-made-by-the-test");
    CHECK(s.send_user_received("246845883529197922", "43b59c025aebfb5e6fa") == 200);
    CHECK(s.send_user_seen("246845883529197922", {"43b59c025aebfb5e6fa"}) == 200);
    CHECK(s.send_zns_received("84987654321", "15a0cc0bbb13bd4ce403", "cb7") == 200);
    h.t.join();
    REQUIRE(h.got.size() == 3);
    for (const auto& req : h.got) {
        const std::string body = req.body();
        auto ts = std::string(boost::json::parse(body).at("timestamp").as_string());
        CHECK(std::string(req["X-ZEvent-Signature"]) == "mac=" + sha256_hex("360846524940903967" + body + ts + "oa-secret-made-by-the-test"));
    }
    auto seen = boost::json::parse(h.got[1].body());
    CHECK(seen.at("event_name").as_string() == "user_seen_message");
    CHECK(seen.at("message").at("msg_ids").as_array().size() == 1);
    CHECK(std::string(h.got[2]["X-ZEvent-Server"]) == "ZNS");
    CHECK(boost::json::parse(h.got[2].body()).at("message").at("tracking_id").as_string() == "cb7");
}

TEST_CASE("the simulator rotates refresh tokens and refuses a spent one", "[zalo]") {
    sim::zalo_simulator s;
    s.start();
    auto first = s.current_refresh_token();
    s.set_refresh_token("rt-a");
    CHECK(s.current_refresh_token() == "rt-a");
    s.revoke_refresh_token();
    CHECK(s.current_refresh_token() != "rt-a");
    CHECK(first != "rt-a");
    CHECK(s.requests().empty());
}

TEST_CASE("with auto receipts every accepted message is followed by a signed received event", "[zalo]") {
    sim::zalo_simulator s;
    s.start();
    hook h(1);
    std::string url = h.url();
    s.set_webhook_source([url] { return url; }, s.options().app_id, "oa-secret-made-by-the-test");
    s.set_auto_receipts(true);
    bot::https_client_options o;
    o.ca_file = s.ca_file();
    bot::https_client c(o);
    auto call = [&](bot::http_call req) {
        std::promise<bot::http_result> p;
        c.request(std::move(req), [&](bot::http_result r) { p.set_value(std::move(r)); });
        return p.get_future().get();
    };
    bot::http_call refresh;
    refresh.url = s.base_url() + "/v4/oa/access_token";
    refresh.content_type = "application/x-www-form-urlencoded";
    refresh.headers = {{"secret_key", s.options().app_secret}};
    refresh.body = "refresh_token=" + s.current_refresh_token() + "&app_id=" + s.options().app_id + "&grant_type=refresh_token";
    auto tok = boost::json::parse(call(refresh).body);
    bot::http_call send;
    send.url = s.base_url() + "/v3.0/oa/message/cs";
    send.headers = {{"access_token", std::string(tok.at("access_token").as_string())}};
    send.body = R"({"recipient":{"user_id":"246845883529197922"},"message":{"text":"Xin chào"}})";
    auto res = boost::json::parse(call(send).body);
    REQUIRE(res.at("error").as_int64() == 0);
    h.t.join();
    REQUIRE(h.got.size() == 1);
    auto ev = boost::json::parse(h.got[0].body());
    CHECK(ev.at("event_name").as_string() == "user_received_message");
    CHECK(ev.at("message").at("msg_id") == res.at("data").at("message_id"));
    CHECK(ev.at("recipient").at("id").as_string() == "246845883529197922");
}

TEST_CASE("one simulator serves several OAs, each with its own tokens and signed receipts", "[zalo][oa]") {
    sim::simulator_options so;
    so.more_accounts.push_back({"2222222222222222222", "sim-app-secret-2", "3333333333333333333", "", "oa-key-2"});
    sim::zalo_simulator s(so);
    s.start();
    hook h(1);
    std::string url = h.url();
    s.set_webhook_source([url] { return url; }, s.options().app_id, "oa-key-1");
    s.set_auto_receipts(true);
    bot::https_client_options o;
    o.ca_file = s.ca_file();
    bot::https_client c(o);
    auto call = [&](bot::http_call req) {
        std::promise<bot::http_result> p;
        c.request(std::move(req), [&](bot::http_result r) { p.set_value(std::move(r)); });
        return boost::json::parse(p.get_future().get().body);
    };
    auto refresh = [&](const std::string& app, const std::string& secret) {
        bot::http_call r;
        r.url = s.base_url() + "/v4/oa/access_token";
        r.content_type = "application/x-www-form-urlencoded";
        r.headers = {{"secret_key", secret}};
        r.body = "refresh_token=" + s.current_refresh_token(app) + "&app_id=" + app + "&grant_type=refresh_token";
        return call(r);
    };
    // The second app's secret does not open the first app, nor the other way round.
    CHECK(refresh(s.options().app_id, "sim-app-secret-2").at("error").as_int64() == -14002);
    auto tok = refresh("2222222222222222222", "sim-app-secret-2");
    REQUIRE(tok.as_object().contains("access_token"));
    CHECK(s.current_refresh_token("2222222222222222222") != s.current_refresh_token());
    bot::http_call send;
    send.url = s.base_url() + "/v3.0/oa/message/cs";
    send.headers = {{"access_token", std::string(tok.at("access_token").as_string())}};
    send.body = R"({"recipient":{"user_id":"246845883529197922"},"message":{"text":"Xin chào"}})";
    REQUIRE(call(send).at("error").as_int64() == 0);
    REQUIRE(s.sent().size() == 1);
    CHECK(s.sent()[0].oa_id == "3333333333333333333");
    // Its receipt comes from the second OA, signed with the second OA's key.
    h.t.join();
    REQUIRE(h.got.size() == 1);
    const std::string body = h.got[0].body();
    auto ev = boost::json::parse(body);
    CHECK(ev.at("sender").at("id").as_string() == "3333333333333333333");
    CHECK(ev.at("app_id").as_string() == "2222222222222222222");
    auto ts = std::string(ev.at("timestamp").as_string());
    CHECK(std::string(h.got[0]["X-ZEvent-Signature"]) == "mac=" + sha256_hex("2222222222222222222" + body + ts + "oa-key-2"));
}

#include "bot/events/webhook.hpp"

#include "bot/core/config.hpp"
#include "bot/core/metrics.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

namespace {

const std::string app_id = "1234567890123456789";
const std::string secret = "test-oa-secret-key-made-by-the-test";

// The MAC computed independently of our code: openssl dgst over the concatenation in a file.
std::string openssl_mac(const test::temp_dir& dir, const std::string& input) {
    auto path = dir.file("mac-input.bin");
    test::write_file(path, input);
    std::string out;
    REQUIRE(test::run("openssl dgst -sha256 -r '" + path + "'", out) == 0);
    return out.substr(0, 64);
}

std::string body_at(const std::string& ts, const std::string& text = "xin chào", const std::string& msg_id = "m1") {
    return R"({"app_id":")" + app_id + R"(","sender":{"id":"2468458835291979221"},"recipient":{"id":"388613280878808645"},)"
           R"("event_name":"user_send_text","message":{"text":")" + text + R"(","msg_id":")" + msg_id +
           R"("},"timestamp":")" + ts + R"("})";
}

bot::http_request signed_request(const std::string& body, const std::string& ts) {
    bot::http_request r;
    r.method = "POST";
    r.path = "/webhook/zalo";
    r.body = body;
    r.headers["X-ZEvent-Signature"] = bot::webhook::signature_header(app_id, body, ts, secret);
    return r;
}

constexpr std::int64_t now = 1764230400000;  // the fixtures' timestamp

}  // namespace

TEST_CASE("the webhook MAC equals sha256 of app_id + body + timestamp + key as computed by openssl", "[server]") {
    test::temp_dir dir;
    const std::vector<std::pair<std::string, std::string>> vectors = {
        {body_at("1543908534744"), "1543908534744"},
        {body_at("1764230400000", "Làm giấy khai sinh cần giấy tờ gì?"), "1764230400000"},
        {R"({"event_name":"change_oa_daily_quota","oaId":"1","quota":{"prev_value":1,"new_value":2},"timestamp":"99"})", "99"},
    };
    for (const auto& [body, ts] : vectors) {
        std::string expected = openssl_mac(dir, app_id + body + ts + secret);
        CHECK(bot::webhook::signature_header(app_id, body, ts, secret) == "mac=" + expected);
        CHECK(bot::webhook::verify_signature(app_id, body, ts, secret, "mac=" + expected));
        CHECK(bot::webhook::verify_signature(app_id, body, ts, secret, expected));  // prefix optional
        // A changed byte anywhere (body, timestamp, key, app id) breaks it.
        CHECK_FALSE(bot::webhook::verify_signature(app_id, body + " ", ts, secret, "mac=" + expected));
        CHECK_FALSE(bot::webhook::verify_signature(app_id, body, ts + "1", secret, "mac=" + expected));
        CHECK_FALSE(bot::webhook::verify_signature(app_id, body, ts, secret + "x", "mac=" + expected));
        CHECK_FALSE(bot::webhook::verify_signature("1", body, ts, secret, "mac=" + expected));
    }
}

TEST_CASE("a malformed or truncated signature header never verifies", "[server]") {
    auto body = body_at("1764230400000");
    auto good = bot::webhook::signature_header(app_id, body, "1764230400000", secret);
    CHECK_FALSE(bot::webhook::verify_signature(app_id, body, "1764230400000", secret, good.substr(0, good.size() - 1)));
    CHECK_FALSE(bot::webhook::verify_signature(app_id, body, "1764230400000", secret, ""));
    CHECK_FALSE(bot::webhook::verify_signature(app_id, body, "1764230400000", secret, "mac="));
    CHECK_FALSE(bot::webhook::verify_signature(app_id, body, "1764230400000", "", good));  // no key configured
    std::string upper = good;
    for (std::size_t i = 4; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
    CHECK(bot::webhook::verify_signature(app_id, body, "1764230400000", secret, upper));
}

TEST_CASE("the timestamp is the literal digits of the top-level field, string or number", "[server]") {
    CHECK(bot::webhook::timestamp_literal(R"({"timestamp":"1543908534744"})") == "1543908534744");
    CHECK(bot::webhook::timestamp_literal(R"({"timestamp":1543908534744})") == "1543908534744");
    CHECK(bot::webhook::timestamp_literal(R"({"message":{"timestamp":"1"}})") == std::nullopt);
    CHECK(bot::webhook::timestamp_literal(R"({"timestamp":"12ab"})") == std::nullopt);
    CHECK(bot::webhook::timestamp_literal("not json") == std::nullopt);
}

TEST_CASE("the webhook check answers 401 for a missing or wrong signature before parsing", "[server]") {
    auto cfg = test::test_config();
    auto body = body_at("1764230400000");
    bot::http_request req = signed_request(body, "1764230400000");
    SECTION("missing") {
        req.headers.clear();
        auto v = bot::webhook::check(cfg, req, now);
        CHECK(v.status == 401);
        CHECK(v.error == "missing_signature");
    }
    SECTION("wrong") {
        req.headers["X-ZEvent-Signature"] = "mac=" + std::string(64, 'a');
        CHECK(bot::webhook::check(cfg, req, now).status == 401);
    }
    SECTION("wrong even when the body is not JSON") {
        req.body = "{not json";
        CHECK(bot::webhook::check(cfg, req, now).status == 401);
    }
    SECTION("signed with the OA id instead of the app id") {
        req.headers["X-ZEvent-Signature"] =
            bot::webhook::signature_header("388613280878808645", body, "1764230400000", secret);
        CHECK(bot::webhook::check(cfg, req, now).status == 401);
    }
    SECTION("correct") {
        auto v = bot::webhook::check(cfg, req, now);
        REQUIRE(v.status == 200);
        CHECK(v.ev->type == zalo::event_type::user_send_text);
        CHECK(v.ev->timestamp_ms == 1764230400000);
    }
}

TEST_CASE("the webhook check answers 400 for correctly signed bodies it cannot parse", "[server]") {
    auto cfg = test::test_config();
    for (const std::string& body : {std::string(""), std::string("{\"event_name\":"), std::string("[1,2]"),
                                   std::string(R"({"timestamp":"1764230400000","message":{}})"),
                                   std::string(R"({"event_name":"","timestamp":"1764230400000"})")}) {
        auto ts = bot::webhook::timestamp_literal(body).value_or("");
        auto v = bot::webhook::check(cfg, signed_request(body, ts), now);
        INFO(body);
        CHECK(v.status == 400);
    }
}

TEST_CASE("the replay window refuses old deliveries but accepts Zalo's late retries", "[server]") {
    auto cfg = test::test_config();
    const std::int64_t window = 86400 * 1000LL;
    auto at = [&](std::int64_t ts) {
        auto s = std::to_string(ts);
        return bot::webhook::check(cfg, signed_request(body_at(s), s), now).status;
    };
    CHECK(at(now - window + 60'000) == 200);     // a retry 23 h 59 min later
    CHECK(at(now - 12 * 3600 * 1000LL) == 200);  // Zalo's last retry
    CHECK(at(now - window - 1) == 401);
    CHECK(at(now + window + 1) == 401);
}

TEST_CASE("the ZNS header marks the event as a ZNS delivery", "[server]") {
    auto cfg = test::test_config();
    auto req = signed_request(body_at("1764230400000"), "1764230400000");
    CHECK_FALSE(bot::webhook::check(cfg, req, now).ev->zns);
    req.headers["X-ZEvent-Server"] = "ZNS";
    CHECK(bot::webhook::check(cfg, req, now).ev->zns);
}

TEST_CASE("invalid UTF-8 in a signed event is repaired, not refused", "[server]") {
    auto cfg = test::test_config();
    std::string body = body_at("1764230400000", "xin \xff\xfe ch\xc3\x28o");
    auto v = bot::webhook::check(cfg, signed_request(body, "1764230400000"), now);
    REQUIRE(v.status == 200);
    CHECK(v.ev->text == "xin \xEF\xBF\xBD\xEF\xBF\xBD ch\xEF\xBF\xBD(o");
    CHECK(v.ev->raw.find('\xff') == std::string::npos);
}

TEST_CASE("the endpoint stores verified events and answers 200 once durable, also for duplicates", "[server]") {
    auto cfg = test::test_config();
    bot::metrics stats;
    std::vector<storage::event_record> stored;
    bool fail_store = false;
    auto endpoint = bot::webhook::make_endpoint(
        cfg, stats, [] { return now; },
        [&](storage::event_record r, zalo::event ev, std::function<void(bool, bool)> done) {
            CHECK(ev.name == r.event_name);  // the parsed event travels with its record
            if (fail_store) return done(false, false);
            bool dup = false;
            for (const auto& s : stored) dup = dup || s.dedup_key == r.dedup_key;
            if (!dup) stored.push_back(std::move(r));
            done(true, dup);
        });
    auto call = [&](bot::http_request req) {
        bot::http_response out;
        out.status = 0;
        endpoint(std::move(req), [&](bot::http_response r) { out = std::move(r); });
        return out;
    };
    auto req = signed_request(body_at("1764230400000"), "1764230400000");
    auto r1 = call(req);
    CHECK(r1.status == 200);
    CHECK(r1.body == R"({"ok":true})");
    CHECK(call(req).status == 200);
    REQUIRE(stored.size() == 1);
    CHECK(stored[0].dedup_key == "1764230400000:user_send_text:m1");
    CHECK(stored[0].user_id == "2468458835291979221");
    CHECK(stored[0].zalo_ts == 1764230400000);
    CHECK(stats.value("cchcbot_webhook_events_total", {{"event", "user_send_text"}}) == 1);
    CHECK(stats.value("cchcbot_webhook_duplicates_total") == 1);

    auto bad = req;
    bad.headers.clear();
    CHECK(call(bad).status == 401);
    CHECK(stats.value("cchcbot_webhook_verification_failures_total", {{"reason", "missing_signature"}}) == 1);
    CHECK(stored.size() == 1);

    fail_store = true;
    CHECK(call(signed_request(body_at("1764230400000", "x", "m2"), "1764230400000")).status == 500);
}

TEST_CASE("a correctly signed body that is not valid JSON gets 400, not 401", "[server]") {
    auto cfg = test::test_config();
    const std::string ts = "1764230400000";
    const std::string whole = body_at(ts);
    for (const std::string& body : {whole.substr(0, whole.size() - 1), whole + " and more", whole + "}",
                                    std::string(R"({"timestamp": "1764230400000", "event_name": "user_send_text",)")}) {
        INFO(body);
        auto v = bot::webhook::check(cfg, signed_request(body, ts), now);
        CHECK(v.status == 400);
        CHECK(v.error == "malformed_event");
        // The same bytes with a MAC that is not ours are still refused as unauthenticated.
        auto forged = signed_request(body, ts);
        forged.headers["X-ZEvent-Signature"] = bot::webhook::signature_header(app_id, body, ts, "another-key");
        CHECK(bot::webhook::check(cfg, forged, now).status == 401);
    }
}

TEST_CASE("a signed event naming another app is refused; events without an app id are accepted", "[server]") {
    auto cfg = test::test_config();
    const std::string ts = "1764230400000";
    std::string other = body_at(ts);
    other.replace(other.find(app_id), app_id.size(), "4444444444444444444");
    auto v = bot::webhook::check(cfg, signed_request(other, ts), now);
    CHECK(v.status == 403);
    CHECK(v.error == "unknown_app");
    const std::string zns = R"({"event_name":"change_oa_daily_quota","oaId":"1","quota":{"prev_value":1,"new_value":2},"timestamp":")" +
                            ts + R"("})";
    CHECK(bot::webhook::check(cfg, signed_request(zns, ts), now).status == 200);
}

TEST_CASE("user ids and message ids beyond 2^53 stay exact strings and never collide", "[server]") {
    auto cfg = test::test_config();
    const std::string ts = "1764230400000";
    auto numeric = [&](const std::string& sender, const std::string& msg_id) {
        return R"({"app_id":")" + app_id + R"(","sender":{"id":)" + sender + R"(},"recipient":{"id":388613280878808645},)"
               R"("event_name":"user_send_text","message":{"text":"xin chào","msg_id":)" + msg_id +
               R"(},"timestamp":)" + ts + "}";
    };
    const std::vector<std::string> ids = {"9007199254740993", "9007199254740992", "24684588352919792210",
                                          "24684588352919792211", "123456789012345678901234567890123456789012345678901234567890"};
    std::set<std::string> users, keys;
    for (const auto& id : ids) {
        INFO(id);
        auto v = bot::webhook::check(cfg, signed_request(numeric(id, id), ts), now);
        REQUIRE(v.status == 200);
        CHECK(v.ev->user_id == id);
        CHECK(v.ev->msg_id == id);
        CHECK(v.ev->recipient_id == "388613280878808645");
        auto rec = bot::webhook::record_of(*v.ev, now);
        CHECK(rec.user_id == id);
        users.insert(rec.user_id);
        keys.insert(rec.dedup_key);
    }
    CHECK(users.size() == ids.size());
    CHECK(keys.size() == ids.size());  // none is taken for a retry of another
}

TEST_CASE("with several OAs each event is verified with the key of the OA it names and tagged with that OA", "[server]") {
    auto cfg = test::test_config();
    auto oa = [](std::string id, std::string app, std::string key) {
        bot::oa_config o;
        o.id = std::move(id);
        o.app_id = std::move(app);
        o.oa_secret_key = std::move(key);
        return o;
    };
    cfg.oa_tables = {oa("yen_the", "1111111111111111111", "key-of-yen-the"), oa("bo_ha", app_id, "key-of-bo-ha")};
    cfg.oa_tables[0].is_default = true;
    const std::string ts = "1764230400000";
    auto request = [&](const std::string& body, const std::string& signing_app, const std::string& key) {
        auto r = signed_request(body, ts);
        r.headers["X-ZEvent-Signature"] = bot::webhook::signature_header(signing_app, body, ts, key);
        return r;
    };
    std::string for_yen_the = body_at(ts);
    for_yen_the.replace(for_yen_the.find(app_id), app_id.size(), "1111111111111111111");
    auto v = bot::webhook::check(cfg, request(for_yen_the, "1111111111111111111", "key-of-yen-the"), now);
    CHECK(v.status == 200);
    CHECK(v.oa == "yen_the");
    v = bot::webhook::check(cfg, request(body_at(ts), app_id, "key-of-bo-ha"), now);
    CHECK(v.status == 200);
    CHECK(v.oa == "bo_ha");
    // One OA's key over an event naming the other OA's app: not that OA's event.
    CHECK(bot::webhook::check(cfg, request(for_yen_the, app_id, "key-of-bo-ha"), now).status == 403);
    // A key we do not hold: unauthenticated, whichever app the body names.
    CHECK(bot::webhook::check(cfg, request(body_at(ts), app_id, secret), now).status == 401);
    // An event without an app id (ZNS) belongs to the OA whose key signed it.
    const std::string zns = R"({"event_name":"change_oa_daily_quota","oaId":"1","quota":{"prev_value":1,"new_value":2},"timestamp":")" +
                            ts + R"("})";
    v = bot::webhook::check(cfg, request(zns, "1111111111111111111", "key-of-yen-the"), now);
    CHECK(v.status == 200);
    CHECK(v.oa == "yen_the");
}

TEST_CASE("with two OAs of one app, an event signed with one OA's key that names the other OA is refused", "[server][oa]") {
    auto cfg = test::test_config();
    auto oa = [](std::string id, std::string oa_id, std::string key) {
        bot::oa_config o;
        o.id = std::move(id);
        o.app_id = app_id;  // one Zalo app, two OAs
        o.oa_id = std::move(oa_id);
        o.oa_secret_key = std::move(key);
        return o;
    };
    cfg.oa_tables = {oa("yen_the", "388613280878808645", "key-of-yen-the"), oa("bo_ha", "499724391989919756", "key-of-bo-ha")};
    cfg.oa_tables[0].is_default = true;
    const std::string ts = "1764230400000";
    auto request = [&](const std::string& body, const std::string& key) {
        auto r = signed_request(body, ts);
        r.headers["X-ZEvent-Signature"] = bot::webhook::signature_header(app_id, body, ts, key);
        return r;
    };
    // body_at names the OA 388613280878808645 (yen_the) as the recipient.
    auto v = bot::webhook::check(cfg, request(body_at(ts), "key-of-yen-the"), now);
    REQUIRE(v.status == 200);
    CHECK(v.oa == "yen_the");
    CHECK(v.ev->oa == "yen_the");  // stored with the event: the reply goes back through it
    // Bố Hạ's key over an event for Yên Thế's OA: refused, whichever way the OA is named.
    v = bot::webhook::check(cfg, request(body_at(ts), "key-of-bo-ha"), now);
    CHECK(v.status == 403);
    CHECK(v.error == "foreign_oa");
    const std::string follow = R"({"app_id":")" + app_id + R"(","oa_id":"388613280878808645","follower":{"id":"1"},)"
                               R"("event_name":"follow","source":"oa_profile","timestamp":")" + ts + R"("})";
    CHECK(bot::webhook::check(cfg, request(follow, "key-of-bo-ha"), now).status == 403);
    CHECK(bot::webhook::check(cfg, request(follow, "key-of-yen-the"), now).status == 200);
    // An OA id that is none of ours is not refused here (the handlers decide).
    std::string elsewhere = body_at(ts);
    elsewhere.replace(elsewhere.find("388613280878808645"), 18, "111111111111111111");
    CHECK(bot::webhook::check(cfg, request(elsewhere, "key-of-bo-ha"), now).status == 200);
}

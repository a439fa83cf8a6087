// The published API document (templates/api/openapi.json) against the server's real routes.
#include "bot/http/admin_api.hpp"

#include "bot/app/server_app.hpp"
#include "tests/bot/http/test_http_client.hpp"
#include "tests/test_support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <map>
#include <regex>
#include <set>

namespace {

const std::string admin_token = "admin-token-of-the-openapi-test";

struct served {
    test::temp_dir dir;
    std::unique_ptr<test::test_env> t;
    std::unique_ptr<bot::app::server> srv;
    served() {
        auto cfg = test::test_config();
        cfg.storage.path = dir.file("openapi.db");
        cfg.server.port = 0;
        cfg.api_tokens = {{"Quản trị", "admin", bot::hash_api_token(admin_token, "s0"), {}}};
        t = test::make_test_env(cfg);
        srv = std::make_unique<bot::app::server>(*t->env);
        srv->start();
    }
    ~served() { srv->shutdown(); }
};

// "METHOD /path/:" with parameter names dropped: documented {id} and routed :code are the same slot.
std::string key_of(const bot::admin_api::operation& op) {
    return op.method + " " + std::regex_replace(op.pattern, std::regex(":[^/]+"), ":");
}

bool snake_case(const std::string& s) { return std::regex_match(s, std::regex("[a-z][a-z0-9]*(_[a-z0-9]+)*")); }

// Every object key anywhere in `v` that is not snake_case, with its path.
void non_snake_keys(const boost::json::value& v, const std::string& path, std::vector<std::string>& out,
                    bool keys_are_names = true) {
    if (v.is_object()) {
        for (const auto& [k, x] : v.as_object()) {
            const std::string key(k);
            // Maps keyed by data (response codes, media types, paths, schema names) are not API keys.
            const bool data_keyed = path.ends_with("paths") || path.ends_with("responses") || path.ends_with("content") ||
                                    path.ends_with("schemas") || path.ends_with("securitySchemes");
            if (keys_are_names && !data_keyed && !snake_case(key)) out.push_back(path + "." + key);
            non_snake_keys(x, path + "." + key, out, keys_are_names);
        }
    } else if (v.is_array()) {
        for (const auto& x : v.as_array()) non_snake_keys(x, path + "[]", out, keys_are_names);
    }
}

}  // namespace

TEST_CASE("every API route is documented, with its roles, and nothing documented is missing", "[openapi]") {
    served s;
    std::map<std::string, std::set<std::string>> routed, documented;
    for (const auto& op : s.srv->svc().api.routes()) routed[key_of(op)] = op.roles;
    for (const auto& op : s.srv->svc().api.documented()) documented[key_of(op)] = op.roles;
    for (const auto& [k, roles] : routed) {
        INFO("routed " << k);
        REQUIRE(documented.count(k));
        CHECK(documented[k] == roles);
    }
    for (const auto& [k, roles] : documented) {
        INFO("documented " << k);
        CHECK(routed.count(k));
    }
}

TEST_CASE("the API document is served without a token and is valid OpenAPI 3 JSON", "[openapi]") {
    served s;
    test::http_client c(s.srv->port());
    auto r = c.request("GET", "/api/v1/openapi.json");
    REQUIRE(r.status == 200);
    auto doc = boost::json::parse(r.body);
    CHECK(doc.at("openapi").as_string().starts_with("3."));
    CHECK(r.body == test::read_file(test::source_dir() + "/templates/api/openapi.json"));
    // The rest still needs one.
    CHECK(c.request("GET", "/api/v1/officials").status == 401);
}

TEST_CASE("the API's keys and parameters are snake_case, in the document and in real answers", "[openapi]") {
    served s;
    auto doc = boost::json::parse(test::read_file(test::source_dir() + "/templates/api/openapi.json"));
    std::vector<std::string> bad;
    for (const auto& [name, schema] : doc.at("components").at("schemas").as_object())
        if (const auto* props = schema.as_object().if_contains("properties"))
            for (const auto& [k, v] : props->as_object())
                if (!snake_case(std::string(k))) bad.push_back(std::string(name) + "." + std::string(k));
    for (const auto& [path, item] : doc.at("paths").as_object())
        for (const auto& [method, op] : item.as_object())
            if (const auto* params = op.as_object().if_contains("parameters"))
                for (const auto& p : params->as_array())
                    if (!snake_case(std::string(p.at("name").as_string()))) bad.push_back(std::string(path) + " " + std::string(p.at("name").as_string()));
    // Real answers of every GET without path parameters.
    for (const auto& op : s.srv->svc().api.routes()) {
        if (op.method != "GET" || op.pattern.find(':') != std::string::npos || op.pattern.ends_with(".json")) continue;
        std::string target = op.pattern;
        if (target == "/api/v1/reports") target += "?from=2026-01-01&to=2026-12-31";
        auto r = test::call_api(s.srv->svc().api, "GET", target, admin_token);
        INFO(target << " → " << r.status << " " << r.body.substr(0, 200));
        REQUIRE(r.status == 200);
        non_snake_keys(boost::json::parse(r.body), target, bad);
    }
    INFO("not snake_case: " << [&] {
        std::string all;
        for (const auto& b : bad) all += b + " ";
        return all;
    }());
    CHECK(bad.empty());
}

TEST_CASE("query parameters the document does not list, or given twice, are refused naming them", "[openapi]") {
    served s;
    auto& api = s.srv->svc().api;
    auto unknown = test::call_api(api, "GET", "/api/v1/dossiers?unti=tan_soi", admin_token);
    CHECK(unknown.status == 400);
    CHECK(unknown.body.find("unknown query parameter \\\"unti\\\"") != std::string::npos);
    CHECK(unknown.body.find("unit") != std::string::npos);
    auto twice = test::call_api(api, "GET", "/api/v1/dossiers?unit=tan_soi&unit=bo_ha", admin_token);
    CHECK(twice.status == 400);
    CHECK(twice.body.find("more than once") != std::string::npos);
    CHECK(test::call_api(api, "GET", "/api/v1/handoffs?all=1", admin_token).status == 400);
    CHECK(test::call_api(api, "GET", "/api/v1/dossiers?unit=tan_soi&limit=5", admin_token).status == 200);
}

TEST_CASE("a body sent to a resource that takes none is refused", "[openapi]") {
    served s;
    auto r = test::call_api(s.srv->svc().api, "POST", "/api/v1/kb/reload", admin_token, R"({"force":true})");
    CHECK(r.status == 400);
    CHECK(r.body.find("takes no body") != std::string::npos);
}

TEST_CASE("unknown keys and unknown unit or village ids in API bodies are 400s that name them", "[openapi][strict]") {
    served s;
    auto& api = s.srv->svc().api;
    auto call = [&](const std::string& m, const std::string& path, const std::string& body) {
        return test::call_api(api, m, path, admin_token, body);
    };
    // The issue's case: "target" is not a key of a broadcast; it used to go to every follower.
    auto target = call("POST", "/api/v1/broadcasts", R"({"text":"Tin","target":{"units":["x"]}})");
    CHECK(target.status == 400);
    CHECK(target.body.find("unknown key \\\"target\\\"") != std::string::npos);
    auto unit = call("POST", "/api/v1/broadcasts", R"({"text":"Tin","units":["x"]})");
    CHECK(unit.status == 400);
    CHECK(unit.body.find("\\\"x\\\"") != std::string::npos);
    auto village = call("POST", "/api/v1/broadcasts", R"({"text":"Tin","villages":["thôn Không Có"]})");
    CHECK(village.status == 400);
    CHECK(village.body.find("thôn Không Có") != std::string::npos);
    auto button = call("POST", "/api/v1/broadcasts", R"({"text":"Tin","buttons":[{"title":"Xem","url":"https://a.vn","color":"red"}]})");
    CHECK(button.status == 400);
    CHECK(button.body.find("buttons[0].color") != std::string::npos);

    auto official = call("POST", "/api/v1/officials", R"({"id":"cb_x","name":"Lê Văn X","unit":"x"})");
    CHECK(official.status == 400);
    CHECK(official.body.find("\\\"unit\\\": unknown unit \\\"x\\\"") != std::string::npos);
    auto official_key = call("POST", "/api/v1/officials", R"({"id":"cb_x","name":"Lê Văn X","unit":"tan_soi","team":["bo_ha"]})");
    CHECK(official_key.status == 400);
    CHECK(official_key.body.find("unknown key \\\"team\\\"") != std::string::npos);
    auto reply = call("POST", "/api/v1/handoffs/1/reply", R"({"text":"Dạ","close":true})");
    CHECK(reply.status == 400);
    CHECK(reply.body.find("unknown key \\\"close\\\"") != std::string::npos);
    auto list = test::call_api(api, "GET", "/api/v1/dossiers?unit=x", admin_token);
    CHECK(list.status == 400);
    CHECK(list.body.find("unknown unit \\\"x\\\"") != std::string::npos);
}

// The admin API: authentication, authorisation, routing to resources on the worker thread, audit.
#include "bot/http/admin_api.hpp"

#include "bot/core/crypto.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/reader_pool.hpp"
#include "bot/core/task_thread.hpp"
#include "bot/core/worker.hpp"
#include "bot/http/url_path.hpp"

#include "storage/audit_log.hpp"
#include "storage/write_scope.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace bot {

namespace {

// The token of an "Authorization: Bearer <token>" header ("" when absent or another scheme).
// The scheme is case-insensitive (RFC 9110 §11.1).
std::string bearer_token(const http_request& req) {
    auto it = req.headers.find("Authorization");
    if (it == req.headers.end()) return {};
    const std::string& v = it->second;
    if (v.size() < 7) return {};
    static const char scheme[] = "bearer ";
    for (std::size_t i = 0; i < 7; ++i)
        if (std::tolower(static_cast<unsigned char>(v[i])) != scheme[i]) return {};
    std::size_t a = 7, b = v.size();
    while (a < b && (v[a] == ' ' || v[a] == '\t')) ++a;
    while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t')) --b;
    return v.substr(a, b - a);
}

constexpr std::string_view openapi_path = "/api/v1/openapi.json";

// "/api/v1/officials/{id}" → "/api/v1/officials/:id"
std::string pattern_of(std::string_view doc_path) {
    std::string out;
    for (std::size_t i = 0; i < doc_path.size(); ++i) {
        if (doc_path[i] == '{') {
            auto close = doc_path.find('}', i);
            if (close == std::string_view::npos) break;
            out += ':';
            out.append(doc_path.substr(i + 1, close - i - 1));
            i = close;
        } else {
            out += doc_path[i];
        }
    }
    return out;
}

// Same shape with every ':name' as ':' (two patterns name the same route whatever their names).
std::string shape_of(const std::string& pattern) {
    std::string out;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        out += pattern[i];
        if (pattern[i] == ':')
            while (i + 1 < pattern.size() && pattern[i + 1] != '/') ++i;
    }
    return out;
}

std::string role_name(api_role r) {
    switch (r) {
    case api_role::admin: return "admin";
    case api_role::operator_: return "operator";
    case api_role::propaganda: return "propaganda";
    case api_role::viewer: return "viewer";
    }
    return "viewer";
}

// Keys of the query string in order, with repeats ("a=1&a=2" gives a twice).
std::vector<std::string> query_keys(std::string_view target) {
    std::vector<std::string> keys;
    auto q = target.find('?');
    if (q == std::string_view::npos) return keys;
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        auto amp = rest.find('&');
        auto part = rest.substr(0, amp);
        if (!part.empty()) keys.push_back(url_decode(part.substr(0, part.find('='))));
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
    }
    return keys;
}

std::optional<api_role> role_from(const std::string& r) {
    if (r == "admin") return api_role::admin;
    if (r == "operator") return api_role::operator_;
    if (r == "propaganda") return api_role::propaganda;
    if (r == "viewer") return api_role::viewer;
    return std::nullopt;
}

unit_scope scope_of(const api_token_config& t) {
    if (t.units.empty() && t.role == "admin") return unit_scope::everything();
    return unit_scope::of(t.units);
}

// The answer to a resource that threw, whichever thread it ran on: bad input 400, outside the
// token's units 403, unknown 404, anything else 500 with the detail only in the log.
// Call only from inside a catch block.
http_response failure_response(const api_request& areq) {
    try {
        throw;
    } catch (const std::invalid_argument& e) {
        return json_error(400, "bad_request", e.what());
    } catch (const api_forbidden& e) {
        spdlog::warn("api {} {}: token \"{}\" refused: {}", areq.http.method, areq.http.path, areq.actor, e.what());
        return json_error(403, "forbidden", e.what());
    } catch (const std::out_of_range& e) {
        return json_error(404, "not_found", e.what());
    } catch (const std::exception& e) {
        spdlog::error("api {} {} failed: {}", areq.http.method, areq.http.path, e.what());
        return json_error(500, "internal_error", "the request could not be completed; see the server log");
    }
}

}  // namespace

std::string hash_api_token(const std::string& token, const std::string& salt) {
    return "sha256$" + salt + "$" + sha256_hex(salt + token);
}

bool verify_api_token(const std::string& token, const std::string& hash) {
    auto d1 = hash.find('$');
    auto d2 = hash.find('$', d1 == std::string::npos ? 0 : d1 + 1);
    if (d1 == std::string::npos || d2 == std::string::npos) return false;
    std::string salt = hash.substr(d1 + 1, d2 - d1 - 1);
    std::string expected = hash.substr(d2 + 1);
    std::string got = sha256_hex(salt + token);
    // Digests have a fixed length, so the length check leaks nothing about the token; the bytes
    // are compared in constant time.
    return expected.size() == got.size() && CRYPTO_memcmp(expected.data(), got.data(), got.size()) == 0;
}

void audit(SQLite::Database& db, const std::string& actor, const std::string& action, const std::string& target,
           const std::string& detail) {
    storage::record_audit(db, storage::audit_entry{now_ms(), actor, action, target, detail});
}

bool serves_unit(const api_request& r, const config& cfg, std::string_view unit_id) {
    if (!unit_id.empty()) return r.scope.covers(cfg, unit_id);
    // Data of no unit (a citizen who has not chosen a commune, a broadcast to every follower)
    // belongs to whoever serves every unit.
    return std::all_of(cfg.units.begin(), cfg.units.end(), [&](const unit_config& u) { return r.scope.covers(cfg, u.id); });
}

void require_unit(const api_request& r, const config& cfg, std::string_view unit_id, std::string_view what) {
    if (serves_unit(r, cfg, unit_id)) return;
    std::string served;
    for (const auto& u : r.scope.units) served += (served.empty() ? "" : ", ") + u;
    if (unit_id.empty())
        throw api_forbidden(std::string(what) + " belongs to no unit, so only a token serving every unit may reach it; \"" +
                            r.actor + "\" serves " + (served.empty() ? "no unit" : served));
    throw api_forbidden(std::string(what) + " belongs to unit \"" + std::string(unit_id) + "\", which the token \"" +
                        r.actor + "\" does not serve (it serves: " + (served.empty() ? "no unit" : served) + ")");
}

std::vector<std::string> served_units(const api_request& r, const config& cfg) {
    std::vector<std::string> out;
    for (const auto& u : cfg.units)
        if (r.scope.covers(cfg, u.id)) out.push_back(u.id);
    return out;
}

admin_api::admin_api(const config& cfg, worker& work, reader_pool* readers)
    : cfg_(cfg), work_(work), readers_(readers) {
    const std::string file = cfg.templates_dir + "/api/openapi.json";
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read the API document " + file);
    std::stringstream ss;
    ss << in.rdbuf();
    openapi_ = ss.str();
    boost::system::error_code ec;
    auto doc = boost::json::parse(openapi_, ec);
    if (ec || !doc.is_object()) throw std::runtime_error(file + ": not a JSON object (" + ec.message() + ")");
    const auto* paths = doc.as_object().if_contains("paths");
    if (!paths || !paths->is_object()) throw std::runtime_error(file + ": no \"paths\" object");
    for (const auto& [path, item] : paths->as_object()) {
        if (!item.is_object()) throw std::runtime_error(file + ": paths." + std::string(path) + " is not an object");
        const std::string pattern = pattern_of(path);
        for (const auto& [method, op] : item.as_object()) {
            std::string m(method);
            std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return std::toupper(c); });
            if (m == "PARAMETERS" || m == "SUMMARY" || m == "DESCRIPTION") continue;
            std::set<std::string> roles;
            if (const auto* xr = op.is_object() ? op.as_object().if_contains("x-roles") : nullptr; xr && xr->is_array())
                for (const auto& r : xr->as_array())
                    if (r.is_string()) roles.insert(std::string(r.as_string()));
            documented_.push_back({m, pattern, std::move(roles)});
            if (op.is_object() && !op.as_object().if_contains("requestBody")) bodiless_.insert(m + " " + shape_of(pattern));
            auto& names = query_params_[m + " " + shape_of(pattern)];
            const auto* params = op.is_object() ? op.as_object().if_contains("parameters") : nullptr;
            if (params && params->is_array())
                for (const auto& prm : params->as_array()) {
                    if (!prm.is_object()) continue;
                    const auto* in_v = prm.as_object().if_contains("in");
                    const auto* name = prm.as_object().if_contains("name");
                    if (in_v && in_v->is_string() && in_v->as_string() == "query" && name && name->is_string())
                        names.insert(std::string(name->as_string()));
                }
        }
    }
}

admin_api::~admin_api() = default;

void admin_api::add(std::string method, std::string pattern, std::vector<api_role> roles, bool write, api_fn fn) {
    auto segments = split_path(pattern);
    routes_.push_back({std::move(method), std::move(pattern), std::move(segments), std::move(roles), write, false, std::move(fn), {}});
}

void admin_api::add_task(std::string method, std::string pattern, std::vector<api_role> roles, api_task_fn fn) {
    if (!tasks_) tasks_ = std::make_unique<task_thread>(cfg_.storage.path);
    auto segments = split_path(pattern);
    routes_.push_back({std::move(method), std::move(pattern), std::move(segments), std::move(roles), true, false, {}, std::move(fn)});
}

void admin_api::add_read(std::string method, std::string pattern, std::vector<api_role> roles, api_fn fn) {
    auto segments = split_path(pattern);
    routes_.push_back({std::move(method), std::move(pattern), std::move(segments), std::move(roles), false, true, std::move(fn), {}});
}

std::vector<admin_api::operation> admin_api::routes() const {
    std::vector<operation> out;
    out.push_back({"GET", std::string(openapi_path), {}});
    for (const auto& r : routes_) {
        std::set<std::string> roles = {"admin"};
        for (auto role : r.roles) roles.insert(role_name(role));
        out.push_back({r.method, r.pattern, std::move(roles)});
    }
    return out;
}

std::vector<admin_api::operation> admin_api::documented() const { return documented_; }

void admin_api::mount(http_router& router) {
    for (const char* m : {"GET", "POST", "PUT", "DELETE", "PATCH"})
        router.add(m, "/api/v1/*", [this](http_request&& req, respond_fn respond) { handle(std::move(req), std::move(respond)); });
    router.guard("/api/v1/", [this](const http_request& req) { return check_headers(req); });
}

std::optional<http_response> admin_api::check_headers(const http_request& req) const { return authorize(req).refusal; }

admin_api::decision admin_api::authorize(const http_request& req) const {
    decision d;
    // The API's description is public: it says nothing a reader of the source does not know.
    if (req.path == openapi_path && req.method == "GET") return d;

    // Authentication: every configured token is checked, so timing does not tell which matched.
    const std::string token = bearer_token(req);
    if (!token.empty())
        for (const auto& t : cfg_.api_tokens)
            if (verify_api_token(token, t.hash) && !d.token) d.token = &t;
    if (!d.token) {
        spdlog::warn("api {} {} from {}: {} token", req.method, req.path, req.remote, token.empty() ? "no" : "unknown");
        auto r = json_error(401, "unauthorized", "a valid bearer token is required");
        r.headers.emplace_back("WWW-Authenticate", "Bearer");
        d.refusal = std::move(r);
        return d;
    }
    d.role = role_from(d.token->role).value_or(api_role::viewer);

    auto segs = split_path(req.path);
    bool path_known = false;
    for (const auto& r : routes_) {
        std::vector<std::string> p;
        if (!match_path(r.segments, segs, p)) continue;
        path_known = true;
        if (r.method == req.method) {
            d.match = &r;
            d.params = std::move(p);
            break;
        }
    }
    if (!d.match) {
        d.refusal = path_known ? json_error(405, "method_not_allowed", req.method + " is not allowed here")
                               : json_error(404, "not_found", "no such resource: " + req.path);
        return d;
    }
    if (d.role != api_role::admin &&
        std::find(d.match->roles.begin(), d.match->roles.end(), d.role) == d.match->roles.end()) {
        spdlog::warn("api {} {}: token \"{}\" (role {}) refused", req.method, req.path, d.token->name, d.token->role);
        std::string allowed = "admin";
        for (auto r : d.match->roles) allowed += ", " + role_name(r);
        d.refusal = json_error(403, "forbidden", "the role \"" + d.token->role + "\" may not do this (roles: " + allowed + ")");
        return d;
    }
    const std::string op = d.match->method + " " + shape_of(d.match->pattern);
    // A body sent to an operation that takes none is a mistake worth saying (a misspelt path, a
    // client that meant another resource), not something to ignore.
    if (bodiless_.count(op)) {
        const auto cl = req.headers.find("Content-Length");
        const bool sends = !req.body.empty() || req.headers.count("Transfer-Encoding") ||
                           (cl != req.headers.end() && cl->second.find_first_not_of("0 \t") != std::string::npos);
        if (sends) {
            d.refusal = json_error(400, "bad_request", req.method + " " + d.match->pattern + " takes no body");
            return d;
        }
    }
    // Query parameters: each at most once, and only those the API document lists for the operation.
    auto known = query_params_.find(op);
    std::set<std::string> seen;
    for (const auto& k : query_keys(req.target)) {
        if (!seen.insert(k).second) {
            d.refusal = json_error(400, "bad_request", "query parameter \"" + k + "\" is given more than once");
            return d;
        }
        if (known != query_params_.end() && !known->second.count(k)) {
            std::string list;
            for (const auto& n : known->second) list += (list.empty() ? "" : ", ") + n;
            d.refusal = json_error(400, "bad_request",
                                   "unknown query parameter \"" + k + "\"" +
                                       (list.empty() ? std::string(" (this resource takes none)") : " (known: " + list + ")"));
            return d;
        }
    }
    return d;
}

void admin_api::handle(http_request&& req, respond_fn respond) {
    if (req.path == openapi_path && req.method == "GET") {
        respond(json_response(openapi_));
        return;
    }
    // The same checks as the header phase: handle() is also called directly (tests, the console).
    decision d = authorize(req);
    if (d.refusal) {
        respond(std::move(*d.refusal));
        return;
    }
    auto areq = std::make_shared<api_request>();
    areq->http = std::move(req);
    areq->actor = d.token->name;
    areq->role = d.role;
    areq->scope = scope_of(*d.token);
    areq->path_params = std::move(d.params);
    const route* r = d.match;
    if (r->task) {
        const bool queued = tasks_->post([areq, r, respond](SQLite::Database& db) {
            http_response res;
            try {
                res = r->task(*areq, db);
            } catch (const std::exception&) {
                res = failure_response(*areq);
            }
            respond(std::move(res));
        });
        if (!queued) respond(json_error(503, "stopping", "the service is stopping; try again shortly"));
        return;
    }
    auto run = [areq, r, respond](SQLite::Database& db) {
        http_response res;
        // A write and its audit row commit together or not at all: a change nobody can account
        // for must not exist, and a refused or failed write leaves nothing behind.
        std::unique_ptr<storage::write_scope> tx;
        try {
            if (r->write) tx = std::make_unique<storage::write_scope>(db);
            res = r->fn(*areq, db);
            if (tx && res.status < 400) {
                audit(db, areq->actor, areq->http.method + " " + areq->http.path,
                      areq->path_params.empty() ? std::string{} : areq->path_params.front(), std::to_string(res.status));
                tx->commit();
            }
        } catch (const std::exception&) {
            res = failure_response(*areq);
        }
        tx.reset();  // rolls back unless committed
        respond(std::move(res));
    };
    // Reads go to a reader connection: a report of a second must not stall dispatching.
    if (r->read_only && readers_)
        readers_->post(std::move(run));
    else
        work_.post(std::move(run));
}

}  // namespace bot

// The admin API: authentication, authorisation, routing to resources on the worker thread, audit.
#include "bot/http/admin_api.hpp"

#include "bot/core/crypto.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/worker.hpp"

#include "storage/write_scope.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <cctype>
#include <memory>
#include <stdexcept>

namespace bot {

namespace {

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < path.size()) {
        while (i < path.size() && path[i] == '/') ++i;
        std::size_t j = path.find('/', i);
        if (j == std::string::npos) j = path.size();
        if (j > i) out.push_back(path.substr(i, j - i));
        i = j;
    }
    return out;
}


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

std::optional<api_role> role_from(const std::string& r) {
    if (r == "admin") return api_role::admin;
    if (r == "operator") return api_role::operator_;
    if (r == "propaganda") return api_role::propaganda;
    if (r == "viewer") return api_role::viewer;
    return std::nullopt;
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
    SQLite::Statement q(db, "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)");
    q.bind(1, now_ms());
    q.bind(2, actor);
    q.bind(3, action);
    q.bind(4, target);
    q.bind(5, detail);
    q.exec();
}

// One thread for add_task resources: started on the first task, joined by ~admin_api.
struct admin_api::task_thread {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::function<void()>> queue;
    bool stop = false;
    std::thread thread;

    void post(std::function<void()> f) {
        {
            std::lock_guard lk(mu);
            queue.push_back(std::move(f));
            if (!thread.joinable()) thread = std::thread([this] { run(); });
        }
        cv.notify_one();
    }
    void run() {
        for (;;) {
            std::function<void()> f;
            {
                std::unique_lock lk(mu);
                cv.wait(lk, [this] { return stop || !queue.empty(); });
                if (queue.empty()) return;
                f = std::move(queue.front());
                queue.pop_front();
            }
            f();
        }
    }
    ~task_thread() {
        {
            std::lock_guard lk(mu);
            stop = true;
        }
        cv.notify_one();
        if (thread.joinable()) thread.join();
    }
};

admin_api::admin_api(const config& cfg, worker& work) : cfg_(cfg), work_(work), tasks_(std::make_unique<task_thread>()) {}

admin_api::~admin_api() = default;

void admin_api::add(std::string method, std::string pattern, std::vector<api_role> roles, bool write, api_fn fn) {
    routes_.push_back({std::move(method), split_path(pattern), std::move(roles), write, std::move(fn), {}});
}

void admin_api::add_task(std::string method, std::string pattern, std::vector<api_role> roles, api_task_fn fn) {
    routes_.push_back({std::move(method), split_path(pattern), std::move(roles), true, {}, std::move(fn)});
}

void admin_api::mount(http_router& router) {
    for (const char* m : {"GET", "POST", "PUT", "DELETE", "PATCH"})
        router.add(m, "/api/v1/*", [this](http_request&& req, respond_fn respond) { handle(std::move(req), std::move(respond)); });
}

void admin_api::handle(http_request&& req, respond_fn respond) {
    // Authentication: every configured token is checked, so timing does not tell which matched.
    const std::string token = bearer_token(req);
    const api_token_config* who = nullptr;
    if (!token.empty())
        for (const auto& t : cfg_.api_tokens)
            if (verify_api_token(token, t.hash) && !who) who = &t;
    if (!who) {
        spdlog::warn("api {} {} from {}: {} token", req.method, req.path, req.remote, token.empty() ? "no" : "unknown");
        auto r = json_error(401, "unauthorized", "a valid bearer token is required");
        r.headers.emplace_back("WWW-Authenticate", "Bearer");
        respond(std::move(r));
        return;
    }
    api_role role = role_from(who->role).value_or(api_role::viewer);

    auto segs = split_path(req.path);
    const route* match = nullptr;
    bool path_known = false;
    std::vector<std::string> params;
    for (const auto& r : routes_) {
        if (r.segments.size() != segs.size()) continue;
        std::vector<std::string> p;
        bool ok = true;
        for (std::size_t i = 0; i < segs.size() && ok; ++i) {
            if (!r.segments[i].empty() && r.segments[i][0] == ':')
                p.push_back(segs[i]);
            else if (r.segments[i] != segs[i])
                ok = false;
        }
        if (!ok) continue;
        path_known = true;
        if (r.method == req.method) {
            match = &r;
            params = std::move(p);
            break;
        }
    }
    if (!match) {
        respond(path_known ? json_error(405, "method_not_allowed", req.method + " is not allowed here")
                           : json_error(404, "not_found", "no such resource: " + req.path));
        return;
    }
    if (role != api_role::admin && std::find(match->roles.begin(), match->roles.end(), role) == match->roles.end()) {
        spdlog::warn("api {} {}: token \"{}\" (role {}) refused", req.method, req.path, who->name, who->role);
        respond(json_error(403, "forbidden", "the role \"" + who->role + "\" may not do this"));
        return;
    }
    auto areq = std::make_shared<api_request>();
    areq->http = std::move(req);
    areq->actor = who->name;
    areq->role = role;
    areq->path_params = std::move(params);
    const route* r = match;
    if (r->task) {
        tasks_->post([areq, r, respond] {
            http_response res;
            try {
                res = r->task(*areq);
            } catch (const std::invalid_argument& e) {
                res = json_error(400, "bad_request", e.what());
            } catch (const std::out_of_range& e) {
                res = json_error(404, "not_found", e.what());
            } catch (const std::exception& e) {
                spdlog::error("api {} {} failed: {}", areq->http.method, areq->http.path, e.what());
                res = json_error(500, "internal_error", "the request could not be completed; see the server log");
            }
            respond(std::move(res));
        });
        return;
    }
    work_.post([areq, r, respond](SQLite::Database& db) {
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
        } catch (const std::invalid_argument& e) {
            res = json_error(400, "bad_request", e.what());
        } catch (const std::out_of_range& e) {
            res = json_error(404, "not_found", e.what());
        } catch (const std::exception& e) {
            spdlog::error("api {} {} failed: {}", areq->http.method, areq->http.path, e.what());
            res = json_error(500, "internal_error", "the request could not be completed; see the server log");
        }
        tx.reset();  // rolls back unless committed
        respond(std::move(res));
    });
}

}  // namespace bot

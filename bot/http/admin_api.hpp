// The admin HTTP API (/api/v1/...): bearer tokens with roles, JSON errors, audit of every write.
#pragma once

#include "bot/http/http_types.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace bot {

struct config;
class worker;

/// Roles, each including the rights of none other except `admin`, which may do everything.
enum class api_role { viewer, propaganda, operator_, admin };

/// A request that passed authentication and authorisation.
struct api_request {
    http_request http;
    std::string actor;                    ///< the token's name (audit log)
    api_role role = api_role::viewer;
    std::vector<std::string> path_params; ///< the segments matched by '*' / ':name' in the pattern
};

/// A resource function; runs on the worker thread with its connection. Throwing
/// std::invalid_argument gives 400, std::out_of_range 404, anything else 500 (logged).
using api_fn = std::function<http_response(const api_request&, SQLite::Database&)>;

/// A resource that runs off the worker thread (long work such as a dossier import: parsing a big
/// file must not hold the write connection). It answers through its return value, does its
/// writes through worker::run_sync in short jobs, and writes its own audit row with each write
/// that succeeds. Throwing maps to status codes as for api_fn.
using api_task_fn = std::function<http_response(const api_request&)>;

/// Routes /api/v1 requests to resources after checking the bearer token and role.
class admin_api {
public:
    admin_api(const config& cfg, worker& work);
    /// Waits for the task in progress (and those queued) to finish.
    ~admin_api();

    /// Adds a resource. `pattern` like "/api/v1/officials/:id/link-code"; `roles` that may call it
    /// (admin always may); `write` records the call in the audit log.
    void add(std::string method, std::string pattern, std::vector<api_role> roles, bool write, api_fn fn);

    /// Adds a resource that runs off the worker, on the API's task thread (one task at a time, in
    /// the order received).
    void add_task(std::string method, std::string pattern, std::vector<api_role> roles, api_task_fn fn);

    /// Registers the catch-all /api/v1/* endpoint on the router.
    void mount(http_router& router);

    /// Handles one request (answers through `respond`, possibly later from the worker thread).
    void handle(http_request&& req, respond_fn respond);

private:
    struct route {
        std::string method;
        std::vector<std::string> segments;
        std::vector<api_role> roles;
        bool write;
        api_fn fn;
        api_task_fn task;  ///< set for add_task resources (then `fn` is empty)
    };
    struct task_thread;
    const config& cfg_;
    worker& work_;
    std::vector<route> routes_;
    std::unique_ptr<task_thread> tasks_;
};

/// "sha256$<salt>$<hex>" for a token (used by `cchcbot token hash`).
[[nodiscard]] std::string hash_api_token(const std::string& token, const std::string& salt);
/// True when `token` matches `hash` (constant-time comparison).
[[nodiscard]] bool verify_api_token(const std::string& token, const std::string& hash);

/// Appends to the audit log. @throws SQLite::Exception
void audit(SQLite::Database& db, const std::string& actor, const std::string& action, const std::string& target,
           const std::string& detail);

}  // namespace bot

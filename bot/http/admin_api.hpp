// The admin HTTP API (/api/v1/...): bearer tokens with roles and units, JSON errors, audit of every write.
#pragma once

#include "bot/core/scope.hpp"
#include "bot/http/http_types.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite {
class Database;
}

namespace bot {

struct config;
struct api_token_config;
class worker;
class reader_pool;
class task_thread;

/// Roles, each including the rights of none other except `admin`, which may do everything.
enum class api_role { viewer, propaganda, operator_, admin };

/// A request that passed authentication and authorisation.
struct api_request {
    http_request http;
    std::string actor;                    ///< the token's name (audit log)
    api_role role = api_role::viewer;
    unit_scope scope;                     ///< the units the token serves (check with require_unit)
    std::vector<std::string> path_params; ///< the segments matched by '*' / ':name' in the pattern
};

/// Thrown by a resource for data outside the caller's units (or role): answered 403.
struct api_forbidden : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// 403 (api_forbidden) unless the request's token serves `unit_id`; `what` names the thing
/// ("dossier HS-1", "hand-off #4") in the message. Uses unit_scope::covers, the one rule.
void require_unit(const api_request& r, const config& cfg, std::string_view unit_id, std::string_view what);
/// True when the request's token serves `unit_id`. An empty id is data of no unit (a citizen who
/// has not chosen a commune, a broadcast to every follower): served by a token serving every unit.
[[nodiscard]] bool serves_unit(const api_request& r, const config& cfg, std::string_view unit_id);
/// The unit ids of the configuration the request's token serves.
[[nodiscard]] std::vector<std::string> served_units(const api_request& r, const config& cfg);

/// A resource function; runs on the worker thread with its connection (or, for a resource added
/// with add_read, on a reader thread with a read-only connection). Throwing
/// std::invalid_argument gives 400, api_forbidden 403, std::out_of_range 404, anything else 500
/// (logged).
using api_fn = std::function<http_response(const api_request&, SQLite::Database&)>;

/// A resource that runs off the worker thread (long work such as a dossier import: parsing a big
/// file must not hold the write connection), on the API's task thread (bot::task_thread). It
/// reads on that thread's read-only connection (not inside a transaction), answers through its
/// return value, does its writes through the worker in short jobs, and writes its own audit row
/// with each write that succeeds. Throwing maps to status codes as for api_fn.
using api_task_fn = std::function<http_response(const api_request&, SQLite::Database&)>;

/// Routes /api/v1 requests to resources after checking the bearer token, role and query
/// parameters. The checks run from the headers alone (mount() installs them as the router's
/// guard for /api/v1/), so a refused request's body is never read.
class admin_api {
public:
    /// Loads the API's OpenAPI document from `<templates_dir>/api/openapi.json`: it is served at
    /// GET /api/v1/openapi.json and lists each operation's query parameters (others are refused).
    /// @throws std::runtime_error when the document is missing or not valid JSON.
    /// Resources added with add_read run on `readers` (when null, on the worker like the rest).
    admin_api(const config& cfg, worker& work, reader_pool* readers = nullptr);
    /// Waits for the task in progress (and those queued) to finish.
    ~admin_api();

    /// Adds a resource that runs on the write worker. `pattern` like
    /// "/api/v1/officials/:id/link-code"; `roles` that may call it (admin always may); `write`
    /// records the call in the audit log.
    void add(std::string method, std::string pattern, std::vector<api_role> roles, bool write, api_fn fn);
    /// Adds a read-only resource: `fn` gets a read-only connection from the reader pool and runs
    /// beside the write worker, never holding it up (and never waiting for it); a write throws.
    /// Every GET resource belongs here.
    void add_read(std::string method, std::string pattern, std::vector<api_role> roles, api_fn fn);

    /// Adds a resource that runs off the worker, on the API's task thread (one task at a time, in
    /// the order received; the thread and its read-only connection exist once a task resource
    /// is added).
    void add_task(std::string method, std::string pattern, std::vector<api_role> roles, api_task_fn fn);

    /// Registers the catch-all /api/v1/* endpoint and the header guard on the router.
    void mount(http_router& router);

    /// Handles one request (answers through `respond`, possibly later from the worker thread).
    void handle(http_request&& req, respond_fn respond);

    /// The header-phase check: nullopt when the token, role, route and query parameters allow
    /// the request, else the answer (401, 403, 404, 405, 400). Reads no body.
    [[nodiscard]] std::optional<http_response> check_headers(const http_request& req) const;

    /// One documented or routed operation: method and pattern with ':name' segments.
    struct operation {
        std::string method;
        std::string pattern;
        std::set<std::string> roles;  ///< who may call it ("admin" always; empty: public)
        bool operator<(const operation& o) const { return pattern != o.pattern ? pattern < o.pattern : method < o.method; }
    };
    /// Every route added (and the document's own), for the OpenAPI test.
    [[nodiscard]] std::vector<operation> routes() const;
    /// Every operation the OpenAPI document describes ('{name}' turned into ':name').
    [[nodiscard]] std::vector<operation> documented() const;

private:
    struct route {
        std::string method;
        std::string pattern;
        std::vector<std::string> segments;
        std::vector<api_role> roles;
        bool write;
        bool read_only;  ///< runs on the reader pool
        api_fn fn;
        api_task_fn task;  ///< set for add_task resources (then `fn` is empty)
    };
    /// What authorisation decided.
    struct decision {
        std::optional<http_response> refusal;
        const api_token_config* token = nullptr;
        api_role role = api_role::viewer;
        const route* match = nullptr;
        std::vector<std::string> params;
    };
    [[nodiscard]] decision authorize(const http_request& req) const;

    const config& cfg_;
    worker& work_;
    reader_pool* readers_;
    std::vector<route> routes_;
    std::unique_ptr<task_thread> tasks_;
    std::string openapi_;  ///< the document as served
    /// Query parameters per documented operation ("GET /api/v1/reports" → {"from", ...}).
    std::map<std::string, std::set<std::string>> query_params_;
    std::set<std::string> bodiless_;  ///< documented operations without a request body
    std::vector<operation> documented_;
};

/// "sha256$<salt>$<hex>" for a token (used by `cchcbot token hash`).
[[nodiscard]] std::string hash_api_token(const std::string& token, const std::string& salt);
/// True when `token` matches `hash` (constant-time comparison).
[[nodiscard]] bool verify_api_token(const std::string& token, const std::string& hash);

/// Appends to the audit log. @throws SQLite::Exception
void audit(SQLite::Database& db, const std::string& actor, const std::string& action, const std::string& target,
           const std::string& detail);

}  // namespace bot

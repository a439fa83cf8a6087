// Plain HTTP request/response values and the path router: no Beast types, so any folder may use them.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bot {

/// Case-insensitive ordering for header names.
struct ci_less {
    bool operator()(const std::string& a, const std::string& b) const;
};

/// A request as the server read it.
struct http_request {
    std::string method;   ///< "GET", "POST", ...
    std::string target;   ///< path and query as sent
    std::string path;     ///< percent-decoded path without the query
    std::map<std::string, std::string> query;  ///< decoded query parameters
    std::map<std::string, std::string, ci_less> headers;
    std::string body;
    std::string remote;   ///< peer address
};

/// A response to write.
struct http_response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

/// JSON error body {"error": ..., "detail": ...} with the status.
[[nodiscard]] http_response json_error(int status, std::string_view error, std::string_view detail = {});
/// A JSON body with status 200 (or the given status).
[[nodiscard]] http_response json_response(std::string body, int status = 200);
/// Parses "a=1&b=x%20y" into a map.
[[nodiscard]] std::map<std::string, std::string> parse_query(std::string_view q);
/// Percent-decodes (and '+' → space when `form`).
[[nodiscard]] std::string url_decode(std::string_view s, bool form = true);

/// Completes a request; must be called exactly once, from any thread.
using respond_fn = std::function<void(http_response)>;
/// An endpoint: may answer at once or later (after durable storage, on the worker thread...).
using http_handler = std::function<void(http_request&&, respond_fn)>;

/// Decides from the request line and headers alone, before any of the body is read (`body` is
/// empty here): nullopt lets the request go on; otherwise the server sends this answer and never
/// reads the body (401/403 for a 16 MiB upload without a valid token costs nothing).
using header_guard = std::function<std::optional<http_response>(const http_request&)>;

/// Routes by method and exact path, or by path prefix (a pattern ending in '*').
class http_router {
public:
    /// Adds an endpoint. `pattern` is an exact path, or a prefix ending in '*'.
    void add(std::string method, std::string pattern, http_handler h);
    /// The handler for the request, or nullptr; `path_known` says whether the path exists for another method.
    [[nodiscard]] const http_handler* find(const std::string& method, const std::string& path, bool& path_known) const;
    /// Guards every path starting with `prefix` ("/api/v1/", "/console/"); the longest prefix wins.
    void guard(std::string prefix, header_guard g);
    /// The guard for `path`, or nullptr.
    [[nodiscard]] const header_guard* find_guard(const std::string& path) const;

private:
    std::vector<std::pair<std::string, header_guard>> guards_;
    struct route {
        std::string method;
        std::string pattern;
        bool prefix;
        http_handler handler;
    };
    std::vector<route> routes_;
};

}  // namespace bot

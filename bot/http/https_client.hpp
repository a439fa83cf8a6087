// Outbound HTTPS behind a narrow interface: an async request with a result callback (no Beast here).
#pragma once

#include "bot/http/http_types.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace bot {

/// One outbound request.
struct http_call {
    std::string method = "POST";  ///< GET | POST
    std::string url;              ///< absolute https:// URL (path and query included)
    std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers (access_token, secret_key, ...)
    std::string content_type = "application/json";
    std::string body;
};

/// What came back: a transport failure (`error` set) or an HTTP response.
struct http_result {
    std::string error;  ///< empty when a response was read; else what failed (connect, tls, timeout, ...)
    int status = 0;     ///< HTTP status when `error` is empty
    std::map<std::string, std::string, ci_less> headers;
    std::string body;

    /// True when a response was read.
    [[nodiscard]] bool transport_ok() const { return error.empty(); }
};

/// The interface the Zalo client talks to; tests plug in a fake.
class http_client {
public:
    using callback = std::function<void(http_result)>;
    virtual ~http_client() = default;
    /// Sends `call` and calls `done` exactly once, on one of the client's threads (never inline
    /// on the caller's thread for the real client).
    virtual void request(http_call call, callback done) = 0;
};

/// Settings of the real client.
struct https_client_options {
    std::string ca_file;                                   ///< extra CA bundle (PEM) trusted besides the system store
    std::chrono::milliseconds connect_timeout{5000};       ///< resolve + TCP connect + TLS handshake
    std::chrono::milliseconds request_timeout{10000};      ///< write the request and read the whole response
    std::chrono::milliseconds idle_timeout{30000};         ///< an idle pooled connection is closed after this
    unsigned threads = 1;                                  ///< io threads of the client's own io_context
    unsigned max_idle_per_host = 8;                        ///< pooled keep-alive connections per host
    std::size_t body_limit = 4 * 1024 * 1024;              ///< largest response body accepted
};

/// Boost.Beast + OpenSSL client: verifies certificates against the system store plus `ca_file`,
/// sends SNI, checks the host name, keeps a keep-alive pool per host, and runs on its own
/// io_context thread(s) so it never blocks the caller.
class https_client final : public http_client {
public:
    /// @throws std::runtime_error when the CA file cannot be loaded.
    explicit https_client(const https_client_options& opts);
    ~https_client() override;
    https_client(const https_client&) = delete;
    https_client& operator=(const https_client&) = delete;

    void request(http_call call, callback done) override;
    /// Cancels pending work and joins the threads (also done by the destructor).
    void stop();

    struct impl;  ///< implementation detail (https_client.cpp)

private:
    std::shared_ptr<impl> impl_;
};

/// The parts of an absolute URL.
struct url_parts {
    std::string scheme;  ///< "https" or "http"
    std::string host;
    std::string port;    ///< explicit or the scheme's default
    std::string target;  ///< path + query, "/" at least
};
/// Splits an absolute URL; nullopt-like empty host when malformed.
[[nodiscard]] url_parts split_url(const std::string& url);
/// Percent-encodes for a query value or form field (RFC 3986 unreserved kept).
[[nodiscard]] std::string url_encode(const std::string& s);

}  // namespace bot

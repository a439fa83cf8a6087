// A small synchronous HTTP/1.1 client over loopback for the tests and the benchmark.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace test {

/// What the server answered.
struct http_reply {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;
    bool keep_alive = false;
};

/// One keep-alive connection to 127.0.0.1:port (Beast, blocking).
class http_client {
public:
    /// Connects. @throws boost::system::system_error
    explicit http_client(std::uint16_t port);
    ~http_client();
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;

    /// Sends one request and reads the answer. @throws boost::system::system_error
    http_reply request(const std::string& method, const std::string& target, const std::string& body = {},
                       const std::map<std::string, std::string>& headers = {});
    /// Writes raw bytes (for malformed or slow requests).
    void send_raw(const std::string& bytes);
    /// Reads one answer after send_raw. @throws boost::system::system_error
    http_reply read_reply();
    /// True when the server closed the connection (reads EOF or a reset within `wait_ms`).
    bool closed_by_peer(int wait_ms);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Posts a body signed like Zalo (X-ZEvent-Signature over app_id + body + timestamp + key).
http_reply post_signed(http_client& c, const std::string& path, const std::string& app_id,
                       const std::string& secret, const std::string& body, const std::string& timestamp);

}  // namespace test

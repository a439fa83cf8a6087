// The HTTP/1.1 server (Boost.Beast, callbacks): keep-alive, deadlines, body cap, graceful stop.
#pragma once

#include "bot/http/http_types.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace bot {

struct config;

/// Serves `router` on cfg.server.address:port with cfg.server.threads I/O threads, each with
/// its own event loop; a connection stays on one thread's loop. A whole request must arrive within read_timeout, a keep-alive
/// connection may idle for idle_timeout; bodies over body_limit get 413. Beast stays in the .cpp.
class http_server {
public:
    /// Binds the listening socket (port 0 picks a free one). The router must outlive the server.
    /// @throws boost::system::system_error when the address cannot be bound.
    http_server(const config& cfg, const http_router& router);
    ~http_server();
    http_server(const http_server&) = delete;
    http_server& operator=(const http_server&) = delete;

    /// Starts accepting and the I/O threads.
    void start();
    /// The bound port (the real one when configured as 0).
    [[nodiscard]] std::uint16_t port() const;
    /// The bound address, e.g. "127.0.0.1".
    [[nodiscard]] std::string address() const;
    /// Graceful stop: close the acceptor, close idle keep-alive connections, let requests in
    /// flight finish (answered with Connection: close) within cfg.server.shutdown_timeout, then
    /// stop the I/O threads. Safe to call more than once, from any thread except an I/O thread.
    void shutdown();
    /// Connections currently open (tests, metrics).
    [[nodiscard]] std::size_t connections() const;

    /// The Beast/Asio implementation (defined in the .cpp only).
    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace bot

// The assembled server behind `cchcbot serve` and `cchcbot demo` (also started by tests).
#pragma once

#include "bot/app/app.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace bot::app {

/// Everything `serve` runs: migrations, the worker, the event log (group commit), the
/// dispatcher, metrics, the HTTP endpoints, the admin API and every area's start hook.
class server {
public:
    /// Migrates the database and binds the listening socket; nothing runs yet.
    /// `env` must outlive the server.
    /// @throws config_error, SQLite::Exception, boost::system::system_error (bind)
    explicit server(environment& env);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Starts the worker, drains events left from a crash, runs the area hooks and serves.
    void start();
    /// The bound port (the real one when configured as 0).
    [[nodiscard]] std::uint16_t port() const;
    /// "http://address:port".
    [[nodiscard]] std::string url() const;
    /// Takes over SIGTERM, SIGINT and SIGHUP from now on (call before start(), so a signal that
    /// arrives while starting is not lost to the default action).
    void catch_signals();
    /// Blocks until SIGTERM or SIGINT (SIGHUP runs the reload hooks), then shuts down gracefully.
    void run_until_signal();
    /// Graceful stop within seconds whatever the backlog: no new connections, requests in flight
    /// finish, the event log is flushed, services.on_shutdown runs (the outbox stops claiming),
    /// then the worker stops. Idempotent.
    void shutdown();
    /// The services areas plug into (tests add endpoints or inspect metrics through it).
    [[nodiscard]] services& svc();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// A random OA secret key for a demo run (64 hex characters).
[[nodiscard]] std::string random_demo_secret();
/// The demo database's OA secret key: made once (random_demo_secret) and kept in the database
/// (meta `demo_oa_secret_key`, or `demo_oa_secret_key_<id>` for an [[oa]] `oa`; the file is
/// 0600), so a restarted demo verifies the same signed events. @throws SQLite::Exception
[[nodiscard]] std::string demo_oa_secret_key(SQLite::Database& db, const std::string& oa = "default");

}  // namespace bot::app

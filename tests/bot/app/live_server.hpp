// The assembled server on loopback with the real clock, for end-to-end tests against the Zalo
// simulator.
#pragma once

#include "bot/app/server_app.hpp"
#include "bot/core/local_time.hpp"
#include "bot/simulator/zalo_simulator.hpp"
#include "tests/bot/http/test_http_client.hpp"
#include "tests/sim/simulator_env.hpp"
#include "tests/test_support.hpp"

#include <memory>
#include <string>

namespace test {

/// The server on `cfg` with its database at `db_path`, on a free port, started, with the real
/// clock (the webhook's replay window applies), and one client connected to it.
class live_server {
public:
    live_server(bot::config cfg, const std::string& db_path) {
        cfg.storage.path = db_path;
        cfg.server.port = 0;
        t_ = make_test_env(std::move(cfg));
        t_->env->clock = [] { return bot::now_ms(); };
        srv_ = std::make_unique<bot::app::server>(*t_->env);
        srv_->start();
        client_ = std::make_unique<http_client>(srv_->port());
    }
    http_client& client() { return *client_; }
    bot::app::server& server() { return *srv_; }
    /// Posts `body` to the webhook signed with `app_id` and `key` at `ts`; returns the status.
    int post_signed(const std::string& app_id, const std::string& key, const std::string& body, std::int64_t ts) {
        return test::post_signed(*client_, "/webhook/zalo", app_id, key, body, std::to_string(ts)).status;
    }
    void shutdown() { srv_->shutdown(); }

private:
    std::unique_ptr<test_env> t_;
    std::unique_ptr<bot::app::server> srv_;
    std::unique_ptr<http_client> client_;
};

}  // namespace test

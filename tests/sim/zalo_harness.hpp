// A bot half wired to the simulator: worker on a temp database, HTTPS client, tokens, sender.
#pragma once

#include "bot/core/config.hpp"
#include "bot/http/https_client.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/metrics.hpp"
#include "bot/zalo/outbox_sender.hpp"
#include "bot/zalo/outbox.hpp"
#include "bot/zalo/outgoing.hpp"
#include "bot/zalo/token_manager.hpp"
#include "bot/core/worker.hpp"
#include "bot/zalo/zalo_client.hpp"
#include "storage/database.hpp"
#include "storage/outbox_repository.hpp"
#include "storage/token_repository.hpp"
#include "storage/wal_sync.hpp"
#include "bot/simulator/zalo_simulator.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>

#include <chrono>
#include <memory>

namespace zalo_test {

using namespace std::chrono_literals;

/// The bot side, restartable on the same database (crash and restart tests).
struct bot_side {
    bot::config cfg;
    bot::metrics stats;
    std::unique_ptr<bot::worker> work;
    std::unique_ptr<bot::https_client> http;
    std::unique_ptr<bot::zalo_client> client;
    std::shared_ptr<bot::token_set> token_sets;  ///< one manager per OA of cfg
    std::shared_ptr<bot::token_manager> tokens;  ///< the default OA's
    std::shared_ptr<bot::outbox_sender> sender;
    std::unique_ptr<storage::wal_sync> wal;  ///< with relaxed steps (start_sender(true)); goes before the worker

    explicit bot_side(bot::config c) : cfg(std::move(c)) {
        work = std::make_unique<bot::worker>(cfg.storage.path);
        work->start();
        bot::https_client_options ho;
        ho.ca_file = cfg.zalo.ca_file;
        ho.connect_timeout = cfg.zalo.connect_timeout;
        ho.request_timeout = cfg.zalo.request_timeout;
        http = std::make_unique<bot::https_client>(ho);
        client = std::make_unique<bot::zalo_client>(cfg, *http);
        token_sets = std::make_shared<bot::token_set>(cfg, *work, *client, [] { return bot::now_ms(); }, &stats);
        tokens = token_sets->of("").shared_from_this();
        work->run_sync([&](SQLite::Database& db) { token_sets->load(db); });
    }
    /// With `relaxed`, the sender's steps commit relaxed and its requests wait for a sync of the
    /// log (`wal`), as in the server.
    void start_sender(bool relaxed = false) {
        sender = std::make_shared<bot::outbox_sender>(cfg, *work, *client, token_sets, [] { return bot::now_ms(); }, &stats);
        if (relaxed) {
            wal = std::make_unique<storage::wal_sync>(cfg.storage.path);
            sender->sync_with(wal.get());
        }
        sender->start();
    }
    ~bot_side() {
        if (sender) sender->stop();
        http->stop();
        work->stop();
    }

    std::int64_t enqueue(const zalo::outgoing_message& m) {
        std::int64_t id = 0;
        work->run_sync([&](SQLite::Database& db) { id = zalo::queue_messages(db, {m}, bot::now_ms()).at(0); });
        if (sender) sender->notify();
        return id;
    }
    storage::outbox_row row(std::int64_t id) {
        storage::outbox_row r;
        work->run_sync([&](SQLite::Database& db) { r = storage::get_outbox(db, id).value(); });
        return r;
    }
    bool wait_final(std::int64_t id, std::chrono::milliseconds timeout = 5000ms) {
        return sim::zalo_simulator::wait_until(
            [&] {
                auto s = row(id).state;
                return s == storage::outbox_state::sent || s == storage::outbox_state::failed || s == storage::outbox_state::cancelled;
            },
            timeout);
    }
    std::optional<storage::token_row> token_row() {
        std::optional<storage::token_row> r;
        work->run_sync([&](SQLite::Database& db) { r = storage::load_tokens(db); });
        return r;
    }
};

/// A simulator plus a configuration pointing at it, on a temporary database file.
struct fixture {
    test::temp_dir dir;
    sim::zalo_simulator sim;
    bot::config cfg;

    fixture() {
        sim.start();
        cfg = test::test_config();
        cfg.storage.path = dir.file("bot.db");
        cfg.zalo.api_base = cfg.zalo.oauth_base = cfg.zalo.zns_base = sim.base_url();
        cfg.zalo.ca_file = sim.ca_file();
        cfg.zalo.app_id = sim.options().app_id;
        cfg.zalo.app_secret = sim.options().app_secret;
        cfg.zalo.refresh_token = sim.current_refresh_token();
        cfg.zalo.retry_base = 5ms;
        cfg.zalo.retry_max = 40ms;
        cfg.zalo.max_attempts = 5;
        cfg.zalo.connect_timeout = 2000ms;
        cfg.zalo.request_timeout = 2000ms;
        cfg.zalo.rate_per_minute = 60000;
        (void)storage::open_database(cfg.storage.path);  // migrated
    }
};

inline zalo::outgoing_message cs_message(const std::string& user, const std::string& text) {
    zalo::outgoing_message m;
    m.recipient = user;
    m.via = zalo::channel::cs;
    m.text = text;
    m.purpose = "reply";
    return m;
}

}  // namespace zalo_test

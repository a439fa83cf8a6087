// The server assembly (serve, demo): storage, worker, event log, dispatcher, HTTP, area hooks.
#include "bot/app/server_app.hpp"

#include "bot/core/crypto.hpp"

#include "bot/http/admin_api.hpp"
#include "bot/http/http_server.hpp"
#include "bot/language/knowledge_base.hpp"
#include "bot/core/metrics.hpp"
#include "bot/events/webhook.hpp"
#include "bot/core/reader_pool.hpp"
#include "bot/core/worker.hpp"
#include "storage/database.hpp"
#include "storage/event_log.hpp"
#include "storage/wal_checkpointer.hpp"
#include "storage/wal_sync.hpp"
#include "storage/write_gate.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <optional>
#include <unistd.h>

namespace bot::app {

namespace {

// Resident set size from /proc (the 150 MB bar in SPEC "Quality bars").
double resident_bytes() {
    std::ifstream in("/proc/self/statm");
    long pages_total = 0, pages_resident = 0;
    in >> pages_total >> pages_resident;
    return static_cast<double>(pages_resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

std::string random_demo_secret() { return random_hex(32); }

struct server::impl {
    environment& env;
    metrics stats;
    http_router router;
    storage::write_gate gate;  // the worker and the event log write in turns (before both)
    std::unique_ptr<worker> work;
    std::unique_ptr<reader_pool> readers;  // API reads and reports, beside the worker
    std::unique_ptr<admin_api> api;
    std::unique_ptr<services> svc;
    dispatcher disp;
    // Syncs the WAL after relaxed commits: the event log's groups before their acknowledgements,
    // the outbox sender's claims before their requests (null for a database in memory). Declared
    // after the worker (its callbacks post there) and before the event log (which uses it).
    std::unique_ptr<storage::wal_sync> wal;
    std::unique_ptr<storage::event_log> log;
    std::unique_ptr<storage::wal_checkpointer> checkpoints;  // the writers' WAL, copied beside them
    std::unique_ptr<http_server> http;
    std::atomic<bool> drain_pending{false};
    std::atomic<bool> stopping{false};
    bool started = false;
    bool stopped = false;
    boost::asio::io_context sig_ioc{1};
    std::optional<boost::asio::signal_set> sigs;

    explicit impl(environment& e)
        : env(e),
          disp([this](const stored_event& se, SQLite::Database& db) { process(se, db, env); }, dispatch_options(),
               &stats, e.clock) {}

    dispatcher::options dispatch_options() {
        dispatcher::options o;
        o.yield = [this] { return gate.contended(); };
        return o;
    }

    // After each group commit: one dispatcher group on the worker, coalesced so a burst of commits
    // queues at most one. A group that leaves events waiting queues the next one behind whatever
    // else the worker has to do (API writes, the outbox), so nothing on the worker starves either.
    // (The reply latency is observed by the outbox sender, at the Zalo call.)
    void schedule_drain() {
        if (drain_pending.exchange(true)) return;
        work->post([this](SQLite::Database& db) {
            drain_pending = false;
            if (disp.drain_group(db)) schedule_drain();
        });
    }

    void add_endpoints() {
        const config& cfg = env.cfg;
        router.add("GET", "/healthz", [](http_request&&, respond_fn respond) {
            respond(json_response(R"({"status":"ok"})"));
        });
        router.add("GET", "/readyz", [this](http_request&&, respond_fn respond) {
            if (stopping) return respond(json_error(503, "not_ready", "shutting down"));
            // The database check runs on the worker with the write connection: BEGIN IMMEDIATE
            // proves the file can take a write lock (read-only or locked files fail).
            work->post([this, respond](SQLite::Database& db) {
                std::string problem;
                try {
                    db.exec("BEGIN IMMEDIATE");
                    db.exec("ROLLBACK");
                } catch (const std::exception& e) {
                    problem = std::string("database not writable: ") + e.what();
                }
                if (problem.empty())
                    for (const auto& check : svc->ready_checks) {
                        try {
                            if (auto p = check()) {
                                problem = *p;
                                break;
                            }
                        } catch (const std::exception& e) {
                            problem = e.what();
                            break;
                        }
                    }
                if (problem.empty())
                    respond(json_response(R"({"status":"ready"})"));
                else
                    respond(json_error(503, "not_ready", problem));
            });
        });
        router.add("GET", "/metrics", [this](http_request&&, respond_fn respond) {
            http_response r;
            r.content_type = "text/plain; version=0.0.4; charset=utf-8";
            r.body = stats.render();
            respond(std::move(r));
        });
        if (!cfg.server.verification_file.empty()) {
            router.add("GET", "/" + cfg.server.verification_file + ".html", [this](http_request&&, respond_fn respond) {
                http_response r;
                r.content_type = "text/html; charset=utf-8";
                r.body = env.cfg.server.verification_content;
                respond(std::move(r));
            });
        }
        router.add("POST", cfg.server.webhook_path,
                   webhook::make_endpoint(cfg, stats, env.clock,
                                          [this](storage::event_record rec, zalo::event ev, std::function<void(bool, bool)> done) {
                                              const auto lane = rec.lane;
                                              const auto at = rec.received_at;
                                              // A citizen's question is understood here, on this I/O
                                              // thread, while the dispatcher's write turn does other work;
                                              // the handler then takes the result (knowledge_base::prefetch).
                                              if (ev.type == zalo::event_type::user_send_text && !ev.text.empty() && ev.text.front() != '#')
                                                  if (auto kb = env.kb.get()) kb->prefetch(ev.text);
                                              // The parsed event goes to the dispatcher in memory once
                                              // its record is committed: no second parse.
                                              log->submit(std::move(rec), [this, lane, at, ev = std::move(ev), done = std::move(done)](
                                                                              storage::store_result r, std::int64_t seq) mutable {
                                                  if (r == storage::store_result::stored)
                                                      disp.accept(stored_event{seq, at, std::move(ev), {}}, lane);
                                                  done(r != storage::store_result::error, r == storage::store_result::duplicate);
                                              });
                                          }));
    }

    void describe_metrics() {
        webhook::describe_metrics(stats);
        stats.describe("cchcbot_events_processed_total", "counter", "Stored events routed to their handler");
        stats.describe("cchcbot_event_processing_lag_seconds", "histogram", "Time from an event's arrival to its processing");
        stats.describe("cchcbot_events_waiting", "gauge", "Stored events waiting in memory for the dispatcher");
        stats.describe("cchcbot_event_oldest_waiting_seconds", "gauge", "Age of the oldest event waiting for the dispatcher");
        stats.describe("cchcbot_reply_latency_seconds", "histogram",
                       "Time from a webhook event's arrival to the Zalo call that sends its first reply");
        stats.describe("cchcbot_event_log_queue_depth", "gauge", "Verified events waiting for the next group commit");
        stats.describe("cchcbot_event_log_batches_total", "gauge", "Group commits of the event log");
        stats.describe("cchcbot_http_connections", "gauge", "Open HTTP connections");
        stats.describe("cchcbot_process_resident_memory_bytes", "gauge", "Resident set size");
        stats.gauge_fn("cchcbot_event_log_queue_depth", [this] { return static_cast<double>(log->queue_depth()); });
        stats.gauge_fn("cchcbot_event_log_batches_total", [this] { return static_cast<double>(log->batches()); });
        stats.gauge_fn("cchcbot_events_waiting", [this] { return static_cast<double>(disp.queued()); });
        stats.gauge_fn("cchcbot_event_oldest_waiting_seconds", [this] { return static_cast<double>(disp.oldest_age_ms()) / 1000.0; });
        stats.gauge_fn("cchcbot_http_connections", [this] { return static_cast<double>(http->connections()); });
        stats.gauge_fn("cchcbot_process_resident_memory_bytes", [] { return resident_bytes(); });
    }
};

server::server(environment& env) : impl_(std::make_unique<impl>(env)) {
    auto& p = *impl_;
    const config& cfg = env.cfg;
    // Migrations first, on a connection of their own (closed again at once).
    storage::open_database(cfg.storage.path, true).reset();
    p.work = std::make_unique<worker>(cfg.storage.path, &p.gate);
    p.readers = std::make_unique<reader_pool>(cfg.storage.path, cfg.server.readers);
    p.api = std::make_unique<admin_api>(cfg, *p.work, p.readers.get());
    p.svc = std::make_unique<services>(env, *p.work, p.router, *p.api, p.stats);
    p.svc->readers = p.readers.get();
    // The event log writes through the worker's connection, on the gate: one page cache for both
    // writers instead of two that invalidate each other at every commit.
    p.wal = std::make_unique<storage::wal_sync>(cfg.storage.path);
    if (!p.wal->usable()) p.wal.reset();
    p.svc->wal = p.wal.get();
    p.log = std::make_unique<storage::event_log>(p.work->shared_connection(), p.gate,
                                                 [raw = impl_.get()] { raw->schedule_drain(); }, 8192, p.wal.get());
    // Once a second: at a steady 2,000 events/s, acknowledgement p99 over 60 s measured 6.8 ms
    // (twice) checkpointing every 100 ms, 5.1 and 6.0 ms every second, 7.1 ms every 3 s (the
    // database file's sync competes with the commits' own).
    p.checkpoints = std::make_unique<storage::wal_checkpointer>(cfg.storage.path, std::chrono::milliseconds(1000),
                                                                 &p.gate);
    p.describe_metrics();
    p.add_endpoints();
    p.api->mount(p.router);
    p.http = std::make_unique<http_server>(cfg, p.router);
    // The port is bound now, before any thread starts: publish it with the rest of the run's facts.
    p.svc->runtime.port = p.http->port();
    std::string host = p.http->address();
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    p.svc->runtime.base_url = "http://" + host + ":" + std::to_string(p.svc->runtime.port);
}

server::~server() {
    try {
        shutdown();
    } catch (const std::exception& e) {
        spdlog::error("shutdown failed: {}", e.what());
    }
}

void server::start() {
    auto& p = *impl_;
    if (p.started) return;
    p.started = true;
    p.work->start();
    // Checkpoints run on their own thread: a commit on the write turn never copies the log.
    p.work->run_sync([](SQLite::Database& db) { storage::disable_auto_checkpoint(db); });
    p.checkpoints->start();
    p.readers->start();
    p.log->start();
    // Crash recovery: events stored but not processed before a stop are processed now.
    p.schedule_drain();
    // Dedup keys must outlive the replay window; keep processed events for twice the window.
    const auto window_ms = std::chrono::duration_cast<std::chrono::milliseconds>(p.env.cfg.zalo.replay_window);
    auto prune = [&p, window_ms](SQLite::Database& db) {
        auto n = storage::prune_events(db, p.env.clock() - 2 * window_ms.count());
        if (n > 0) spdlog::info("pruned {} processed events older than twice the replay window", n);
    };
    p.work->post(prune);
    p.work->every(std::chrono::hours(1), prune);
    start_zalo(*p.svc);
    start_kb(*p.svc);
    start_conversation(*p.svc);
    start_reminders(*p.svc);
    start_dossiers(*p.svc);
    start_broadcasts(*p.svc);
    start_reports(*p.svc);
    start_console(*p.svc);
    p.http->start();
    spdlog::info("serving on {} with {} I/O threads, database {}", url(), std::max(1u, p.env.cfg.server.threads),
                 p.env.cfg.storage.path);
}

std::uint16_t server::port() const { return impl_->http->port(); }

std::string server::url() const {
    std::string addr = impl_->http->address();
    if (addr.find(':') != std::string::npos) addr = "[" + addr + "]";
    return "http://" + addr + ":" + std::to_string(port());
}

services& server::svc() { return *impl_->svc; }

void server::catch_signals() {
    auto& p = *impl_;
    if (p.sigs) return;
    p.sigs.emplace(p.sig_ioc, SIGINT, SIGTERM, SIGHUP);
}

void server::run_until_signal() {
    catch_signals();
    auto& sigs = *impl_->sigs;
    std::function<void(const boost::system::error_code&, int)> on_signal;
    on_signal = [&](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        if (signo == SIGHUP) {
            spdlog::info("SIGHUP: reloading");
            for (auto& hook : impl_->svc->reload_hooks) {
                try {
                    hook();
                } catch (const std::exception& e) {
                    spdlog::error("reload failed: {}", e.what());
                }
            }
            sigs.async_wait(on_signal);
            return;
        }
        spdlog::info("signal {}: shutting down", signo);
    };
    sigs.async_wait(on_signal);
    impl_->sig_ioc.run();
    shutdown();
}

void server::shutdown() {
    auto& p = *impl_;
    if (p.stopped) return;
    p.stopped = true;
    p.stopping = true;
    // A backlog of stored events must not hold the stop: they stay new and the next start drains them.
    p.disp.request_stop();
    // 1-2. No new connections; requests in flight finish within their deadlines.
    p.http->shutdown();
    // 3. Everything verified is stored and answered (or failed); reads in flight have answered.
    p.log->stop();
    p.readers->stop();
    // 4. The areas' stop steps while the worker still runs: the outbox stops claiming, requests in
    // flight get their answers recorded (bounded), the Zalo client stops. A backlog of events or
    // messages of any size waits for the next start; the stop takes seconds, not the backlog.
    if (p.svc->on_shutdown) {
        try {
            p.svc->on_shutdown();
        } catch (const std::exception& e) {
            spdlog::error("on_shutdown failed: {}", e.what());
        }
    }
    // 5. The worker finishes what is queued (short bookkeeping now) and goes.
    p.work->stop();
    p.checkpoints->stop();  // a last checkpoint of what the writers left
    spdlog::info("stopped");
}

}  // namespace bot::app

// The worker thread: an io_context with one thread and its own SQLite connection.
#include "bot/core/worker.hpp"

#include "storage/database.hpp"
#include "storage/outbox_watch.hpp"
#include "storage/statement_cache.hpp"
#include "storage/write_gate.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <pthread.h>

#include <future>
#include <list>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

namespace bot {

namespace asio = boost::asio;

namespace {
/// Ready jobs run together in one turn at the write gate up to this long (a job that takes longer
/// keeps its turn until it ends); then the event log's group commit, if waiting, goes first.
constexpr std::chrono::microseconds turn_budget{1000};
/// A turn longer than this is logged (the webhook's group commits wait for it).
constexpr std::chrono::milliseconds long_turn{20};
}  // namespace

struct worker::impl {
    std::unique_ptr<SQLite::Database> db;
    std::unique_ptr<storage::statement_cache> cache;  // destroyed before db (declared after it)
    std::unique_ptr<storage::outbox_watch> watch;     // likewise
    std::function<void()> wake;
    storage::write_gate* gate = nullptr;
    bool holding = false;  // the worker thread holds the gate (worker thread only)
    std::chrono::steady_clock::time_point held_since;
    std::chrono::steady_clock::time_point last_long_log{};
    asio::io_context ioc{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
    std::thread thread;
    std::mutex timers_mu;
    std::list<std::shared_ptr<asio::steady_timer>> timers;
    bool stopping = false;

    // Takes the gate before the first job of a turn touches the database.
    void enter() {
        if (!gate || holding) return;
        gate->lock();
        holding = true;
        held_since = std::chrono::steady_clock::now();
    }
    void leave() {
        if (!holding) return;
        holding = false;
        gate->unlock();
        // A long turn holds the webhook's acknowledgements (the event log waits at the gate): log
        // it, at most once a second.
        const auto now = std::chrono::steady_clock::now();
        if (now - held_since >= long_turn && now - last_long_log >= std::chrono::seconds(1)) {
            last_long_log = now;
            spdlog::info("worker: held the write turn {:.1f} ms",
                         std::chrono::duration<double, std::milli>(now - held_since).count());
        }
    }

    void loop() {
        for (;;) {
            if (ioc.run_one() == 0) break;  // stopped: no work left
            // More ready jobs share the turn, unless another writer (the webhook's group commit)
            // waits for it.
            while (holding && std::chrono::steady_clock::now() - held_since < turn_budget && !gate->contended() &&
                   ioc.poll_one() > 0) {
            }
            leave();
        }
        leave();
    }

    void run_job(const job& j) {
        enter();
        try {
            j(*db);
        } catch (const std::exception& e) {
            spdlog::error("worker job failed: {}", e.what());
        }
        after_job();
    }

    // The job is over, so is its transaction: a message it queued is committed now.
    void after_job() {
        if (watch && wake && watch->take()) {
            try {
                wake();
            } catch (const std::exception& e) {
                spdlog::error("outbox wake failed: {}", e.what());
            }
        }
    }

    void schedule(std::shared_ptr<asio::steady_timer> t, std::chrono::milliseconds interval, job j, bool repeat) {
        t->expires_after(interval);
        t->async_wait([this, t, interval, j = std::move(j), repeat](const boost::system::error_code& ec) mutable {
            if (ec) return;  // operation_aborted at stop
            run_job(j);
            if (repeat && !stopping) {
                schedule(t, interval, std::move(j), true);
            } else {
                std::lock_guard lk(timers_mu);
                timers.remove(t);
            }
        });
    }
};

worker::worker(const std::string& db_path, storage::write_gate* gate) : impl_(std::make_unique<impl>()) {
    impl_->db = storage::open_database(db_path, false);
    impl_->cache = std::make_unique<storage::statement_cache>(*impl_->db);
    impl_->gate = gate;
}

worker::~worker() { stop(); }

void worker::start() {
    if (impl_->thread.joinable()) return;
    impl_->guard.emplace(impl_->ioc.get_executor());
    impl_->thread = std::thread([this] {
        ::pthread_setname_np(::pthread_self(), "worker");  // visible in top -H and perf
        impl_->loop();
    });
}

void worker::post(job j) {
    asio::post(impl_->ioc, [this, j = std::move(j)] { impl_->run_job(j); });
}

void worker::after(std::chrono::milliseconds delay, job j) {
    auto t = std::make_shared<asio::steady_timer>(impl_->ioc);
    {
        std::lock_guard lk(impl_->timers_mu);
        impl_->timers.push_back(t);
    }
    asio::post(impl_->ioc, [this, t, delay, j = std::move(j)]() mutable { impl_->schedule(t, delay, std::move(j), false); });
}

void worker::every(std::chrono::milliseconds interval, job j) {
    auto t = std::make_shared<asio::steady_timer>(impl_->ioc);
    {
        std::lock_guard lk(impl_->timers_mu);
        impl_->timers.push_back(t);
    }
    asio::post(impl_->ioc, [this, t, interval, j = std::move(j)]() mutable { impl_->schedule(t, interval, std::move(j), true); });
}

void worker::run_sync(const job& j) {
    if (!impl_->thread.joinable() || impl_->thread.get_id() == std::this_thread::get_id()) {
        j(*impl_->db);
        if (!impl_->thread.joinable()) impl_->after_job();
        return;
    }
    std::promise<void> done;
    auto fut = done.get_future();
    asio::post(impl_->ioc, [&] {
        impl_->enter();
        try {
            j(*impl_->db);
            done.set_value();
        } catch (...) {
            done.set_exception(std::current_exception());
        }
        impl_->after_job();
    });
    fut.get();
}

void worker::on_outbox_commit(std::function<void()> wake) {
    run_sync([this, &wake](SQLite::Database& db) {
        if (!impl_->watch) impl_->watch = std::make_unique<storage::outbox_watch>(db);
        impl_->wake = std::move(wake);
    });
}

SQLite::Database& worker::shared_connection() {
    if (!impl_->gate) throw std::logic_error("worker: a connection is shared only on a write gate");
    return *impl_->db;
}

void worker::stop() {
    if (!impl_ || !impl_->thread.joinable()) return;
    asio::post(impl_->ioc, [this] {
        impl_->stopping = true;
        std::lock_guard lk(impl_->timers_mu);
        for (auto& t : impl_->timers) t->cancel();
        impl_->timers.clear();
    });
    impl_->guard.reset();
    impl_->thread.join();
}

}  // namespace bot

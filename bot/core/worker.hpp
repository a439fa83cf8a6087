// The worker: one thread that owns the application's SQLite write connection and runs jobs in order.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace SQLite {
class Database;
}
namespace storage {
class write_gate;
}

namespace bot {

/// One thread, one write connection (STYLE §6): dispatching, API writes, scheduler and outbox
/// bookkeeping all run here, in the order posted, so they need no locks. With a write gate, the
/// thread takes its turn at the gate for the jobs it runs (several ready jobs share one turn of
/// about 2 ms; a longer job keeps it until it ends), so the webhook's event log and the worker
/// write in turns instead of racing for SQLite's lock. Prepared statements are cached on its
/// connection (storage::statement).
class worker {
public:
    using job = std::function<void(SQLite::Database&)>;

    /// Opens its own connection to `db_path` (migrations already applied by the caller); takes
    /// turns at `gate` with the process's other writers when given (it must outlive the worker).
    /// @throws SQLite::Exception when the database cannot be opened.
    explicit worker(const std::string& db_path, storage::write_gate* gate = nullptr);
    ~worker();
    worker(const worker&) = delete;
    worker& operator=(const worker&) = delete;

    /// Starts the thread.
    void start();
    /// Queues a job. Exceptions a job throws are logged, never propagated.
    void post(job j);
    /// Runs `j` after `delay` (on the worker thread).
    void after(std::chrono::milliseconds delay, job j);
    /// Runs `j` every `interval`, the first time after `interval`.
    void every(std::chrono::milliseconds interval, job j);
    /// Runs `j` on the worker thread and waits for it (tests, commands, shutdown).
    void run_sync(const job& j);
    /// Calls `wake` on the worker thread after each job whose transaction stored new outbox rows
    /// committed (storage::outbox_watch): the outbox sender runs after the commit that queued a
    /// message, never before it and never on a poll. Replaces an earlier `wake`.
    /// @throws SQLite::Exception when the watch cannot be installed.
    void on_outbox_commit(std::function<void()> wake);
    /// Finishes the queued jobs, cancels timers and joins the thread.
    void stop();
    /// The worker's write connection, for the one other writer of the process that takes the
    /// worker's write gate around every use of it (storage::event_log): the worker touches it only
    /// within its own turns at that gate and ends each job's transaction before a turn ends, so
    /// the two take turns with one connection and one page cache. Only with a gate.
    [[nodiscard]] SQLite::Database& shared_connection();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace bot

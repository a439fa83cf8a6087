// One thread for long tasks beside the write worker: they read on a connection of their own and
// write through the worker in short jobs, so a task of seconds never holds the write connection.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace SQLite {
class Database;
}

namespace bot {

/// Runs tasks one at a time, in the order posted, on one thread with a read-only connection
/// (storage::open_reader). A task is not wrapped in a read transaction: one that lasts seconds
/// and writes through the worker meanwhile must not pin an old snapshot (the WAL could not be
/// restarted behind it, and its own reads would not see its own writes).
class task_thread {
public:
    using job = std::function<void(SQLite::Database&)>;

    /// Opens the read-only connection to `db_path`; the thread starts with the first task.
    /// @throws SQLite::Exception when the database cannot be opened.
    explicit task_thread(const std::string& db_path);
    /// Runs what is queued, then joins (stop()).
    ~task_thread();
    task_thread(const task_thread&) = delete;
    task_thread& operator=(const task_thread&) = delete;

    /// Queues a task (any thread). A task that throws is logged; it must answer its caller itself.
    /// False after stop(): the task is dropped and the caller answers instead.
    [[nodiscard]] bool post(job j);
    /// Runs what is queued, then joins the thread (idempotent; not from a task).
    void stop();

private:
    void run();

    std::unique_ptr<SQLite::Database> db_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<job> jobs_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace bot

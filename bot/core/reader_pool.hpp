// Read-only connections on threads of their own: API reads and reports run beside the writer.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace SQLite {
class Database;
}

namespace bot {

/// A few threads, each with a read-only connection (storage::open_reader). With WAL a reader never
/// waits for the write worker nor it for a reader, so a report of a second or an XLSX rendering
/// does not hold up dispatching, the outbox or the webhook. Jobs start in the order posted, on
/// whichever thread is free; each runs inside one read transaction, so everything it reads comes
/// from the same snapshot of the database.
class reader_pool {
public:
    using job = std::function<void(SQLite::Database&)>;

    /// Opens `threads` (at least one) read-only connections to `db_path`.
    /// @throws SQLite::Exception when the database cannot be opened.
    reader_pool(const std::string& db_path, unsigned threads);
    ~reader_pool();
    reader_pool(const reader_pool&) = delete;
    reader_pool& operator=(const reader_pool&) = delete;

    /// Starts the threads (idempotent). Jobs posted before wait for it.
    void start();
    /// Queues a job (any thread). A job that throws is logged; it must answer its caller itself.
    void post(job j);
    /// Runs what is queued, then stops the threads (idempotent). Later posts are dropped.
    void stop();
    /// Number of connections (threads).
    [[nodiscard]] std::size_t size() const { return dbs_.size(); }

private:
    void run(SQLite::Database& db);

    std::vector<std::unique_ptr<SQLite::Database>> dbs_;
    std::vector<std::thread> threads_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<job> jobs_;
    bool stopping_ = false;
};

}  // namespace bot

// The reader pool: a queue of jobs, a few threads, one read-only connection each.
#include "bot/core/reader_pool.hpp"

#include "storage/database.hpp"

#include <SQLiteCpp/Database.h>
#include <spdlog/spdlog.h>

#include <pthread.h>

#include <algorithm>

namespace bot {

reader_pool::reader_pool(const std::string& db_path, unsigned threads) {
    for (unsigned i = 0; i < std::max(1u, threads); ++i) dbs_.push_back(storage::open_reader(db_path));
}

reader_pool::~reader_pool() { stop(); }

void reader_pool::start() {
    std::lock_guard lk(mu_);
    if (!threads_.empty() || stopping_) return;
    for (auto& db : dbs_) threads_.emplace_back([this, d = db.get()] {
        ::pthread_setname_np(::pthread_self(), "reader");  // visible in top -H and perf
        run(*d);
    });
}

void reader_pool::post(job j) {
    // Notified under the lock: once stop() has taken the lock after this post, no poster is still
    // touching the condition variable, so the pool may be destroyed right after stop() returns.
    std::lock_guard lk(mu_);
    if (stopping_) return;
    jobs_.push_back(std::move(j));
    cv_.notify_one();
}

void reader_pool::stop() {
    std::vector<std::thread> threads;
    {
        std::lock_guard lk(mu_);
        if (stopping_ && threads_.empty()) return;
        stopping_ = true;
        threads.swap(threads_);
    }
    cv_.notify_all();
    for (auto& t : threads) t.join();
}

void reader_pool::run(SQLite::Database& db) {
    for (;;) {
        job j;
        {
            std::unique_lock lk(mu_);
            cv_.wait(lk, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) return;  // stopping, nothing left
            j = std::move(jobs_.front());
            jobs_.pop_front();
        }
        // One snapshot per job: a report's queries agree with each other even while the worker
        // commits between them.
        try {
            db.exec("BEGIN");
            try {
                j(db);
            } catch (...) {
                db.exec("ROLLBACK");
                throw;
            }
            db.exec("COMMIT");
        } catch (const std::exception& e) {
            spdlog::error("reader job failed: {}", e.what());
        }
    }
}

}  // namespace bot

// WAL checkpoints beside the writers (see wal_checkpointer.hpp).
#include "storage/wal_checkpointer.hpp"

#include "storage/database.hpp"

#include <SQLiteCpp/Database.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <pthread.h>

namespace storage {

struct wal_checkpointer::impl {
    std::unique_ptr<SQLite::Database> db;
    std::chrono::milliseconds interval;
    std::mutex mu;
    std::condition_variable cv;
    bool stopping = false;
    std::thread thread;
    std::atomic<std::uint64_t> runs{0};

    void checkpoint() {
        int log = 0, done = 0;
        const int rc = sqlite3_wal_checkpoint_v2(db->getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY) spdlog::warn("WAL checkpoint: {}", sqlite3_errstr(rc));
        runs.fetch_add(1, std::memory_order_relaxed);
    }

    void run() {
        std::unique_lock lk(mu);
        while (!stopping) {
            cv.wait_for(lk, interval, [&] { return stopping; });
            lk.unlock();
            checkpoint();
            lk.lock();
        }
    }
};

wal_checkpointer::wal_checkpointer(const std::string& db_path, std::chrono::milliseconds interval)
    : impl_(std::make_unique<impl>()) {
    impl_->db = open_database(db_path, false);
    impl_->interval = interval;
}

wal_checkpointer::~wal_checkpointer() { stop(); }

void wal_checkpointer::start() {
    std::lock_guard lk(impl_->mu);
    if (impl_->thread.joinable() || impl_->stopping) return;
    impl_->thread = std::thread([this] {
        ::pthread_setname_np(::pthread_self(), "checkpoint");
        impl_->run();
    });
}

void wal_checkpointer::stop() {
    if (!impl_) return;
    {
        std::lock_guard lk(impl_->mu);
        impl_->stopping = true;
    }
    impl_->cv.notify_all();
    if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint64_t wal_checkpointer::runs() const { return impl_->runs.load(std::memory_order_relaxed); }

void disable_auto_checkpoint(SQLite::Database& db) { db.exec("PRAGMA wal_autocheckpoint=0"); }

}  // namespace storage

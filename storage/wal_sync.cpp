// The log syncer: one descriptor on the -wal file, syncs shared between callers.
#include "storage/wal_sync.hpp"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

namespace storage {

namespace {

bool plain_file(const std::string& path) { return !path.empty() && path != ":memory:" && path.rfind("file:", 0) != 0; }

std::system_error os_error(const std::string& what) { return {errno, std::generic_category(), what}; }

}  // namespace

wal_sync::wal_sync(std::string db_path) {
    if (plain_file(db_path)) wal_path_ = std::move(db_path) + "-wal";
}

wal_sync::~wal_sync() {
    {
        std::lock_guard lk(mu_);
        stopping_ = true;
    }
    work_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    // This process takes no locks on the log file (SQLite's WAL locks live on the -shm file and
    // the database file), so closing this descriptor drops none of them.
    if (fd_ >= 0) ::close(fd_);
}

void wal_sync::open_log() {
    if (fd_ >= 0) return;
    if (!usable()) throw std::system_error(std::make_error_code(std::errc::not_supported), "no log file to sync");
    const int fd = ::open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw os_error("cannot open " + wal_path_);
    // The log's directory entry must survive a power cut too. SQLite syncs the directory the first
    // time it syncs a new log itself; with relaxed commits it may never have, so do it once here.
    auto dir = std::filesystem::path(wal_path_).parent_path();
    if (dir.empty()) dir = ".";
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)::fsync(dfd);  // some file systems refuse a directory sync; the log's own sync matters
        ::close(dfd);
    }
    fd_ = fd;
}

void wal_sync::sync() {
    std::unique_lock lk(mu_);
    sync_through(lk, ++requested_);
}

void wal_sync::sync_through(std::unique_lock<std::mutex>& lk, std::uint64_t ticket) {
    while (covered_ < ticket) {
        if (syncing_) {
            cv_.wait(lk);  // a sync is running; it may have begun before our writes, so look again
            continue;
        }
        syncing_ = true;
        const std::uint64_t covers = requested_;  // every caller so far wrote before this sync begins
        try {
            open_log();
        } catch (...) {
            syncing_ = false;
            cv_.notify_all();
            throw;
        }
        const int fd = fd_;
        lk.unlock();
        const int rc = ::fdatasync(fd);
        const int err = errno;
        lk.lock();
        syncing_ = false;
        cv_.notify_all();
        if (rc != 0) {
            errno = err;
            throw os_error("cannot sync " + wal_path_);
        }
        ++syncs_;
        covered_ = std::max(covered_, covers);
    }
}

void wal_sync::after_sync(std::function<void(bool ok)> done) {
    {
        std::lock_guard lk(mu_);
        waiters_.push_back({++requested_, std::move(done)});
        if (!thread_.joinable())
            thread_ = std::thread([this] {
                ::pthread_setname_np(::pthread_self(), "wal-sync");
                serve();
            });
    }
    work_cv_.notify_one();
}

// Waits for callers of after_sync(), syncs through the newest of them (or waits for a sync
// another caller runs that covers them), then calls back every caller that sync covered.
void wal_sync::serve() {
    std::unique_lock lk(mu_);
    for (;;) {
        work_cv_.wait(lk, [&] { return stopping_ || !waiters_.empty(); });
        if (waiters_.empty()) return;  // stopping, and nobody is left waiting
        const std::uint64_t target = waiters_.back().ticket;
        bool ok = true;
        try {
            sync_through(lk, target);
        } catch (const std::exception& e) {
            ok = false;
            spdlog::error("WAL sync: {}; {} waiting caller(s) are told it failed", e.what(), waiters_.size());
        }
        std::vector<waiter> ready;
        while (!waiters_.empty() && waiters_.front().ticket <= target) {
            ready.push_back(std::move(waiters_.front()));
            waiters_.pop_front();
        }
        lk.unlock();
        for (auto& w : ready) w.done(ok);
        ready.clear();  // the callbacks' captures go outside the lock too
        lk.lock();
    }
}

std::uint64_t wal_sync::syncs() const {
    std::lock_guard lk(mu_);
    return syncs_;
}

}  // namespace storage

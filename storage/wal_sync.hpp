// Syncing a database's write-ahead log from outside SQLite, after the write lock is released.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace storage {

/// A commit with synchronous=FULL syncs the write-ahead log while it holds the write lock, so
/// every other writer waits for the disk too. A commit with synchronous=NORMAL only writes its
/// frames; this then syncs the log file itself (fdatasync) once the lock is free: everything
/// committed before sync() was called is on disk when it returns, exactly what a FULL commit of
/// the same transaction would have promised, and the other writer works meanwhile.
///
/// Why that is sound with SQLite's WAL: frames are only ever appended to the log, except when
/// the log starts again from its beginning, and it does so only once a checkpoint has copied
/// every frame into the database file and synced that file (the wal_checkpointer's connection
/// runs at FULL). So a sync of the log file covers every frame written before it, or the frame
/// is already durable in the database file. A power cut before the sync loses those commits
/// and, as the log's checksums end recovery at the first torn frame, everything after them:
/// never a hole. The same holds for every connection to the database in this process and
/// others: a sync covers whatever any of them wrote into the log before it began.
///
/// Two users: the event log, which syncs (blocking, on its own thread) after each group and
/// only then answers the webhooks; and the outbox sender, whose step commits its claims
/// relaxed on the worker's write turn and has its requests sent only from after_sync(): no
/// message leaves while a crash could still take back the commit that queued or claimed it
/// (and, with it, the dispatcher's relaxed group that queued it, which was written before).
///
/// Callers on several threads share syncs: a sync that began after a caller's writes covers it.
/// Thread-safe.
class wal_sync {
public:
    /// For the database at `db_path`; the log file is opened at the first sync (SQLite creates
    /// it). Unusable (usable() is false) for in-memory and URI databases: commit FULL there.
    explicit wal_sync(std::string db_path);
    /// Runs the callbacks still waiting (after a last sync) and joins the thread of after_sync().
    ~wal_sync();
    wal_sync(const wal_sync&) = delete;
    wal_sync& operator=(const wal_sync&) = delete;

    /// True when the database is a file whose log this can sync.
    [[nodiscard]] bool usable() const { return !wal_path_.empty(); }

    /// Returns once everything written to the log before the call is on disk.
    /// @throws std::system_error when the log cannot be opened or synced (then nothing written
    /// since the last successful sync may be taken as durable).
    void sync();

    /// Without waiting: calls `done(true)` once everything written to the log before this call
    /// is on disk, or `done(false)` when the sync meant to cover it failed. `done` runs on this
    /// object's own thread (started at the first call), never inline, and must not throw; a sync
    /// another caller ran (the event log's) serves it when it began after this call.
    void after_sync(std::function<void(bool ok)> done);

    /// Syncs done so far (tests, metrics).
    [[nodiscard]] std::uint64_t syncs() const;

private:
    struct waiter {
        std::uint64_t ticket;
        std::function<void(bool)> done;
    };
    void open_log();                                                 // under mu_
    void sync_through(std::unique_lock<std::mutex>& lk, std::uint64_t ticket);  // under mu_; throws
    void serve();                                                    // the after_sync() thread

    std::string wal_path_;
    int fd_ = -1;
    mutable std::mutex mu_;
    std::condition_variable cv_;       ///< a sync ended
    std::condition_variable work_cv_;  ///< a waiter came, or the end (the thread only)
    std::uint64_t requested_ = 0;  ///< callers so far (a ticket each)
    std::uint64_t covered_ = 0;    ///< tickets up to this one are synced
    std::uint64_t syncs_ = 0;
    bool syncing_ = false;
    std::deque<waiter> waiters_;   ///< after_sync() callers, in ticket order
    bool stopping_ = false;
    std::thread thread_;           ///< serves waiters_ (started by the first after_sync())
};

}  // namespace storage

// WAL checkpoints beside the writers (see wal_checkpointer.hpp).
#include "storage/wal_checkpointer.hpp"

#include "storage/database.hpp"
#include "storage/write_gate.hpp"

#include <SQLiteCpp/Database.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <pthread.h>

namespace storage {

namespace {
/// A checkpoint slower than this is logged.
constexpr double slow_checkpoint_ms = 20;
/// Passes beside the writers before the one at the gate, and what is few enough to stop early.
constexpr int catch_up_passes = 3;
constexpr int few_frames = 64;
}  // namespace

struct wal_checkpointer::impl {
    std::unique_ptr<SQLite::Database> db;
    std::chrono::milliseconds interval;
    write_gate* gate = nullptr;
    int restart_frames = 0;
    std::mutex mu;
    std::condition_variable cv;
    bool stopping = false;
    std::thread thread;
    std::atomic<std::uint64_t> runs{0};

    int passive(int& log, int& done) {
        const int rc = sqlite3_wal_checkpoint_v2(db->getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY) spdlog::warn("WAL checkpoint: {}", sqlite3_errstr(rc));
        return rc;
    }

    // Through the connection's own file (its VFS's sync; no descriptor of ours: closing one would
    // drop this process's locks on the file).
    void sync_database_file() {
        sqlite3_file* file = nullptr;
        if (sqlite3_file_control(db->getHandle(), "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || !file ||
            !file->pMethods || !file->pMethods->xSync)
            return;
        const int rc = file->pMethods->xSync(file, SQLITE_SYNC_NORMAL | SQLITE_SYNC_DATAONLY);
        if (rc != SQLITE_OK) spdlog::warn("WAL checkpoint: syncing the database file: {}", sqlite3_errstr(rc));
    }

    void checkpoint() {
        int log = 0, done = 0;
        const auto t0 = std::chrono::steady_clock::now();
        const int rc = passive(log, done);
        const auto t1 = std::chrono::steady_clock::now();
        // The log restarts only when a writer begins while every frame in it is copied. Writers
        // that commit every millisecond always add frames while a checkpoint copies, so the log
        // grew by about 6,000 frames (24 MB) a second at 2,000 events/s, without end. What they
        // added meanwhile (a few milliseconds' worth) is copied with them held at the gate.
        // Its two syncs (log, database file) hold every acknowledgement meanwhile, so it is done
        // only once the log is long (every few seconds at 2,000 events/s), not at every checkpoint.
        int log2 = 0, done2 = 0;
        double catch_up_ms = 0;
        if (gate && rc == SQLITE_OK && log >= restart_frames && done == log) {
            // The first pass took tens of milliseconds: mostly the sync of the database file after
            // copying thousands of pages. The turn at the gate costs what the writers added
            // meanwhile, and holds every acknowledgement that long. So catch up beside them
            // first: each pass copies only what came during the one before, and is shorter.
            int seen = log;
            for (int pass = 0; pass < catch_up_passes; ++pass) {
                int l = 0, d = 0;
                if (passive(l, d) != SQLITE_OK || d != l) break;
                const int added = l - seen;
                seen = l;
                if (added <= few_frames) break;
            }
            // SQLite syncs the database file only in a pass that reaches the end of the log: under
            // load, the pass at the gate, which would then write out every page the passes before
            // it copied (about 20 ms). Written out here, that pass syncs only its own few pages.
            sync_database_file();
            const auto t = std::chrono::steady_clock::now();
            catch_up_ms = std::chrono::duration<double, std::milli>(t - t1).count();
            gate_turn turn(gate);
            passive(log2, done2);
        }
        const auto t2 = std::chrono::steady_clock::now();
        // A slow one is logged: its writes and sync of the database file share the disk with the
        // writers' WAL syncs (the acknowledgements wait for those), and the writers wait for the
        // second pass.
        using ms = std::chrono::duration<double, std::milli>;
        if (ms(t2 - t0).count() >= slow_checkpoint_ms)
            spdlog::info("WAL checkpoint took {:.1f} ms ({} of {} frames copied), then {:.1f} ms catching up and "
                         "{:.1f} ms at the write gate ({} of {})",
                         ms(t1 - t0).count(), done, log, catch_up_ms, ms(t2 - t1).count() - catch_up_ms, done2, log2);
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

wal_checkpointer::wal_checkpointer(const std::string& db_path, std::chrono::milliseconds interval, write_gate* gate,
                                   int restart_frames)
    : impl_(std::make_unique<impl>()) {
    impl_->db = open_database(db_path, false);
    impl_->interval = interval;
    impl_->gate = gate;
    impl_->restart_frames = restart_frames;
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

// WAL checkpoints beside the writers (see wal_checkpointer.hpp).
#include "storage/wal_checkpointer.hpp"

#include "storage/write_gate.hpp"

#include <SQLiteCpp/Database.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>

namespace storage {

namespace {
/// A checkpoint slower than this is logged.
constexpr double slow_checkpoint_ms = 20;
/// Passes beside the writers before the one at the gate, and what is few enough to stop early.
constexpr int catch_up_passes = 3;
constexpr int few_frames = 64;

// == Paced writes of the database file ==
// A checkpoint copies a second's worth of pages into the database file in a few milliseconds, and
// they reach the disk together: at the restart's sync, or whenever the kernel writes them back.
// On a disk whose syncs queue behind everything written before them, that burst delays the
// WAL syncs every acknowledgement waits for by several milliseconds (tests/bench/disk_events.py
// shows the same pages sent a few at a time leave those syncs as fast as on a quiet disk). So the
// checkpointer's connection opens the database through a VFS that forwards everything to the
// default one and notes which pages a checkpoint wrote; after each pass the checkpointer starts
// their write-back a few at a time (sync_file_range, which promises nothing about durability:
// the database file is still synced, by SQLite or sync_database_file(), before the log restarts).

/// Set by the checkpointer's thread around a pass: where the pass wrote (offset, length).
thread_local std::vector<std::pair<sqlite3_int64, int>>* written_by_pass = nullptr;

struct noted_file {
    sqlite3_file base;   ///< methods: noted_methods, or none when the open failed
    sqlite3_file* real;  ///< the default VFS's file, just after this struct
    bool main_db;
};

sqlite3_vfs* default_vfs = nullptr;

sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<noted_file*>(f)->real; }

int noted_close(sqlite3_file* f) { return real(f)->pMethods->xClose(real(f)); }
int noted_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
    return real(f)->pMethods->xRead(real(f), buf, n, off);
}
int noted_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
    const int rc = real(f)->pMethods->xWrite(real(f), buf, n, off);
    if (rc == SQLITE_OK && written_by_pass && reinterpret_cast<noted_file*>(f)->main_db)
        written_by_pass->emplace_back(off, n);
    return rc;
}
int noted_truncate(sqlite3_file* f, sqlite3_int64 size) { return real(f)->pMethods->xTruncate(real(f), size); }
int noted_sync(sqlite3_file* f, int flags) { return real(f)->pMethods->xSync(real(f), flags); }
int noted_file_size(sqlite3_file* f, sqlite3_int64* size) { return real(f)->pMethods->xFileSize(real(f), size); }
int noted_lock(sqlite3_file* f, int level) { return real(f)->pMethods->xLock(real(f), level); }
int noted_unlock(sqlite3_file* f, int level) { return real(f)->pMethods->xUnlock(real(f), level); }
int noted_check_reserved(sqlite3_file* f, int* out) { return real(f)->pMethods->xCheckReservedLock(real(f), out); }
int noted_file_control(sqlite3_file* f, int op, void* arg) { return real(f)->pMethods->xFileControl(real(f), op, arg); }
int noted_sector_size(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
int noted_device(sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); }
int noted_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
    return real(f)->pMethods->xShmMap(real(f), region, size, extend, out);
}
int noted_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void noted_shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
int noted_shm_unmap(sqlite3_file* f, int del) { return real(f)->pMethods->xShmUnmap(real(f), del); }
int noted_fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
    return real(f)->pMethods->xFetch(real(f), off, n, out);
}
int noted_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) { return real(f)->pMethods->xUnfetch(real(f), off, p); }

const sqlite3_io_methods noted_methods = {.iVersion = 3,
                                          .xClose = noted_close,
                                          .xRead = noted_read,
                                          .xWrite = noted_write,
                                          .xTruncate = noted_truncate,
                                          .xSync = noted_sync,
                                          .xFileSize = noted_file_size,
                                          .xLock = noted_lock,
                                          .xUnlock = noted_unlock,
                                          .xCheckReservedLock = noted_check_reserved,
                                          .xFileControl = noted_file_control,
                                          .xSectorSize = noted_sector_size,
                                          .xDeviceCharacteristics = noted_device,
                                          .xShmMap = noted_shm_map,
                                          .xShmLock = noted_shm_lock,
                                          .xShmBarrier = noted_shm_barrier,
                                          .xShmUnmap = noted_shm_unmap,
                                          .xFetch = noted_fetch,
                                          .xUnfetch = noted_unfetch};

int noted_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
    auto* p = reinterpret_cast<noted_file*>(f);
    p->real = reinterpret_cast<sqlite3_file*>(p + 1);
    p->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
    const int rc = default_vfs->xOpen(default_vfs, name, p->real, flags, out_flags);
    // The methods are ours only when the default VFS left its own (the forwarders need them).
    p->base.pMethods = p->real->pMethods && p->real->pMethods->iVersion >= 3 ? &noted_methods : nullptr;
    if (!p->base.pMethods && p->real->pMethods) p->real->pMethods->xClose(p->real);
    return p->base.pMethods || rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
}

constexpr const char* noted_vfs_name = "cchcbot-checkpoint";

/// Registers the noting VFS once (not as the default). Its other methods are the default VFS's.
void register_noted_vfs() {
    static std::once_flag once;
    std::call_once(once, [] {
        static sqlite3_vfs vfs;
        default_vfs = sqlite3_vfs_find(nullptr);
        vfs = *default_vfs;
        vfs.pNext = nullptr;
        vfs.szOsFile = static_cast<int>(sizeof(noted_file)) + default_vfs->szOsFile;
        vfs.zName = noted_vfs_name;
        vfs.xOpen = noted_open;
        sqlite3_vfs_register(&vfs, 0);
    });
}

/// The descriptor of the database file the connection `db` (opened through the noting VFS)
/// reads and writes, or -1. The unix VFS's file begins {methods, VFS, inode info, descriptor}
/// (struct unixFile in SQLite's os_unix.c, the same since 3.7); the descriptor found there is
/// used only when it is the file at `path`, so another layout only turns pacing off.
int database_descriptor(SQLite::Database& db, const std::string& path) {
    sqlite3_file* f = nullptr;
    if (sqlite3_file_control(db.getHandle(), "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK || !f ||
        f->pMethods != &noted_methods || std::string_view(default_vfs->zName).rfind("unix", 0) != 0)
        return -1;
    struct unix_file_head {
        const void* methods;
        const void* vfs;
        const void* inode;
        int descriptor;
    };
    const int fd = reinterpret_cast<const unix_file_head*>(reinterpret_cast<noted_file*>(f)->real)->descriptor;
    struct stat by_fd = {};
    struct stat by_path = {};
    if (fd < 0 || ::fstat(fd, &by_fd) != 0 || ::stat(path.c_str(), &by_path) != 0 || by_fd.st_dev != by_path.st_dev ||
        by_fd.st_ino != by_path.st_ino)
        return -1;
    return fd;
}

/// Pages whose write-back starts at once (a run of neighbouring pages up to this), and the pace:
/// at least this many pages a millisecond, faster when a pass wrote more than fits in half the
/// interval at that pace.
constexpr int pages_per_push = 16;
constexpr double pages_per_ms = 8;
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
    int fd = -1;  ///< the connection's own descriptor of the database file (-1: writes are not paced)
    std::vector<std::pair<sqlite3_int64, int>> written;  ///< by the last pass: offset, length

    int passive(int& log, int& done) {
        written_by_pass = &written;
        const int rc = sqlite3_wal_checkpoint_v2(db->getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
        written_by_pass = nullptr;
        if (rc != SQLITE_OK && rc != SQLITE_BUSY) spdlog::warn("WAL checkpoint: {}", sqlite3_errstr(rc));
        return rc;
    }

    // Starts the write-back of what the last pass wrote, in order and a few pages at a time, and
    // returns once all of it has started (see "Paced writes" above), with the milliseconds that
    // took. Once stopping, without pauses.
    double push_written() {
        if (fd < 0) written.clear();
        if (written.empty()) return 0;
        std::sort(written.begin(), written.end());
        const double pace = std::max(pages_per_ms, static_cast<double>(written.size()) / (interval.count() / 2.0));
        const auto start = std::chrono::steady_clock::now();
        std::size_t i = 0;
        while (i < written.size()) {
            std::size_t j = i + 1;
            sqlite3_int64 end = written[i].first + written[i].second;
            while (j < written.size() && j - i < pages_per_push && written[j].first <= end)
                end = std::max(end, written[j].first + written[j].second), ++j;
            (void)::sync_file_range(fd, written[i].first, end - written[i].first, SYNC_FILE_RANGE_WRITE);
            i = j;
            const auto due = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                         std::chrono::duration<double, std::milli>(static_cast<double>(i) / pace));
            std::unique_lock lk(mu);
            cv.wait_until(lk, due, [&] { return stopping; });
        }
        written.clear();
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
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
        using ms = std::chrono::duration<double, std::milli>;
        int log = 0, done = 0;
        const auto t0 = std::chrono::steady_clock::now();
        const int rc = passive(log, done);
        const auto t1 = std::chrono::steady_clock::now();
        const double first_push_ms = push_written();
        double catch_up_push_ms = 0;
        // The log restarts only when a writer begins while every frame in it is copied. Writers
        // that commit every millisecond always add frames while a checkpoint copies, so the log
        // grew by about 6,000 frames (24 MB) a second at 2,000 events/s, without end. What they
        // added meanwhile (a few milliseconds' worth) is copied with them held at the gate.
        // Its two syncs (log, database file) hold every acknowledgement meanwhile, so it is done
        // only once the log is long (every few seconds at 2,000 events/s), not at every checkpoint.
        int log2 = 0, done2 = 0;
        double catch_up_ms = 0, gate_ms = 0;
        if (gate && rc == SQLITE_OK && log >= restart_frames && done == log) {
            // The turn at the gate costs what the writers added since the last pass, and holds
            // every acknowledgement that long. So catch up beside them first: each pass copies
            // only what came during the one before (and its pushing), and is shorter.
            const auto c0 = std::chrono::steady_clock::now();
            int seen = log;
            for (int pass = 0; pass < catch_up_passes; ++pass) {
                int l = 0, d = 0;
                const int rc2 = passive(l, d);
                catch_up_push_ms += push_written();
                if (rc2 != SQLITE_OK || d != l) break;
                const int added = l - seen;
                seen = l;
                if (added <= few_frames) break;
            }
            // SQLite syncs the database file only in a pass that reaches the end of the log: under
            // load, the pass at the gate, which would then wait for every page the passes before
            // it copied. Synced here, that pass syncs only its own few pages.
            sync_database_file();
            const auto c1 = std::chrono::steady_clock::now();
            gate_turn turn(gate);
            passive(log2, done2);
            written.clear();  // this pass reached the end of the log: SQLite synced the file
            gate_ms = ms(std::chrono::steady_clock::now() - c1).count();
            catch_up_ms = ms(c1 - c0).count();
        }
        // A slow one is logged: its writes and sync of the database file share the disk with the
        // writers' WAL syncs (the acknowledgements wait for those), and the writers wait for the
        // pass at the gate. Pushing is paced on purpose, so its time is told apart.
        if (ms(t1 - t0).count() + catch_up_ms - catch_up_push_ms + gate_ms >= slow_checkpoint_ms)
            spdlog::info(
                "WAL checkpoint took {:.1f} ms ({} of {} frames copied), then {:.1f} ms catching up and "
                "{:.1f} ms at the write gate ({} of {}); besides, {:.1f} ms starting the pages' write-back",
                ms(t1 - t0).count(), done, log, catch_up_ms - catch_up_push_ms, gate_ms, done2, log2,
                first_push_ms + catch_up_push_ms);
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
    register_noted_vfs();
    impl_->db =
        std::make_unique<SQLite::Database>(db_path, SQLite::OPEN_READWRITE | SQLite::OPEN_URI, 5000, noted_vfs_name);
    impl_->db->exec("PRAGMA journal_mode=WAL");
    impl_->db->exec("PRAGMA synchronous=FULL");
    impl_->fd = database_descriptor(*impl_->db, db_path);
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

bool wal_checkpointer::paces_writes() const { return impl_->fd >= 0; }

void disable_auto_checkpoint(SQLite::Database& db) { db.exec("PRAGMA wal_autocheckpoint=0"); }

}  // namespace storage

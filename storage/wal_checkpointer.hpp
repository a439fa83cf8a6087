// WAL checkpoints on a connection and thread of their own.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace SQLite {
class Database;
}

namespace storage {

class write_gate;

/// Turns off the checkpoints a commit on `db` would otherwise run once the log passes 1,000
/// pages (for connections beside a running wal_checkpointer).
void disable_auto_checkpoint(SQLite::Database& db);

/// Copies the write-ahead log into the database file every `interval`, from its own connection
/// and thread (PRAGMA wal_checkpoint(PASSIVE): it never waits for a writer or a reader, nor
/// makes one wait). The server's writers turn their automatic checkpoints off
/// (disable_auto_checkpoint), so no commit, and so no acknowledgement or write turn, includes
/// copying pages and syncing the database file.
///
/// With `gate` (the writers' write_gate), a checkpoint that copied the whole of a long log copies
/// what the writers added meanwhile once more, in a turn at the gate: the next writer then finds
/// every frame copied and starts the log again from its beginning. Without that short turn a log
/// written every millisecond never restarts and grows for as long as the load lasts. The turn is
/// kept short: the checkpointer first catches up and writes the database file out beside the
/// writers, so the turn copies and syncs only the last few pages.
///
/// What a pass copies reaches the disk a few pages at a time after it, not in one burst: the
/// writers' log syncs, which every acknowledgement waits for, queue behind such a burst.
class wal_checkpointer {
public:
    /// Opens its connection. @throws SQLite::Exception when the database cannot be opened.
    /// `restart_frames`: how long the log may grow (in pages; 16,384 are 64 MiB) before a
    /// checkpoint brings it back to its beginning with a turn at the gate.
    wal_checkpointer(const std::string& db_path, std::chrono::milliseconds interval, write_gate* gate = nullptr,
                     int restart_frames = 16384);
    ~wal_checkpointer();
    wal_checkpointer(const wal_checkpointer&) = delete;
    wal_checkpointer& operator=(const wal_checkpointer&) = delete;

    /// Starts the thread (idempotent).
    void start();
    /// Runs a last checkpoint and stops the thread (idempotent).
    void stop();
    /// Checkpoints run so far.
    [[nodiscard]] std::uint64_t runs() const;
    /// True when the pages a checkpoint copies are sent to the disk a few at a time (see
    /// wal_checkpointer.cpp); false for in-memory databases, or where SQLite's file is not the
    /// unix VFS's as this build knows it (then they go as the kernel and SQLite's syncs send them).
    [[nodiscard]] bool paces_writes() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace storage

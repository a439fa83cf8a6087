// Tells the owner of a connection when a commit on it stored new outbox rows (to wake the sender).
#pragma once

#include <atomic>

namespace SQLite {
class Database;
}

namespace storage {

/// Watches one connection for committed outbox inserts: a TEMP trigger marks the open
/// transaction, the commit hook turns the mark into "committed". The owner asks take() after each
/// unit of work and wakes the sender then, so the sender runs after the commit, never before it
/// and never by polling. Owns the connection's commit and rollback hooks while it lives.
/// Use on one thread at a time, like the connection. Must not outlive `db`.
class outbox_watch {
public:
    /// @throws SQLite::Exception when the trigger cannot be created (outbox table missing).
    explicit outbox_watch(SQLite::Database& db);
    ~outbox_watch();
    outbox_watch(const outbox_watch&) = delete;
    outbox_watch& operator=(const outbox_watch&) = delete;

    /// True once after each commit (or several) that stored new outbox rows since the last call.
    [[nodiscard]] bool take();

private:
    SQLite::Database& db_;
    bool queued_in_tx_ = false;         ///< the open transaction inserted outbox rows
    std::atomic<bool> committed_{false};
    friend struct outbox_watch_hooks;
};

}  // namespace storage

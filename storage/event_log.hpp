// The webhook event log: one writer thread with its own connection, committing in groups.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace storage {

class write_gate;
class wal_sync;

/// Where an event is in its life: stored, then processed once, or failed (handler threw).
enum class event_state : int { fresh = 0, processed = 1, failed = 2 };

/// Which queue of the dispatcher an event waits in: messages from people, or bulk events
/// (delivery and seen receipts, echoes of the OA's own sends) that must never delay them.
enum class event_lane : int { people = 0, bulk = 1 };

/// One verified webhook delivery: what the webhook stores, as stored in the `events` table.
struct event_record {
    std::string dedup_key;   ///< zalo::dedup_key: recognises Zalo's retries
    std::string event_name;
    std::string user_id;
    bool zns = false;
    std::int64_t zalo_ts = 0;      ///< the body's timestamp (Unix ms)
    std::int64_t received_at = 0;  ///< Unix ms
    std::string body;              ///< the verbatim body (UTF-8 repaired)
    event_lane lane = event_lane::people;
    std::string oa;                ///< [[oa]] id of the OA whose key signed it
};

/// What became of a submitted record.
enum class store_result {
    stored,     ///< durably committed (WAL, synchronous=FULL)
    duplicate,  ///< a record with the same dedup key was already stored
    error       ///< the transaction failed: nothing was stored
};

/// Group commit (STYLE §6): every record queued while the previous group was being stored goes
/// into the next one, so one fsync acknowledges many webhooks. For a database in a file the
/// group's transaction holds the write turn only to write the WAL (synchronous=NORMAL); the sync
/// that makes it durable runs after the turn, on this thread (storage::wal_sync), and only then
/// are the records completed (the webhooks answered): an acknowledged event is on disk, and the
/// other writer works while the disk syncs instead of waiting for it.
class event_log {
public:
    /// Called once per record, on the writer thread, after its transaction committed and the WAL
    /// was synced (or either failed), with the row's seq when it was stored (0 otherwise).
    using completion = std::function<void(store_result, std::int64_t seq)>;

    /// Opens its own connection to `db_path` (migrations already applied by the caller).
    /// `on_committed` runs on the writer thread after each commit that stored something new.
    /// @throws SQLite::Exception when the database cannot be opened.
    explicit event_log(const std::string& db_path, std::function<void()> on_committed = {},
                       std::size_t max_batch = 8192, write_gate* gate = nullptr);
    /// Writes through `shared`, the connection of the process's other writer (the worker), and
    /// touches it only while holding `gate`: both must outlive the event log, and every other
    /// user of `shared` must hold the gate too and leave no transaction open at the end of its
    /// turn. One write connection keeps one page cache: with two, each commit on one made the
    /// other drop its whole cache and read the pages it needs again (about 4.7 page reads per
    /// event at saturation). Its groups are made durable by its own sync of the WAL after each
    /// commit, whatever the other writer set for its own transactions; with `syncer` (which must
    /// outlive it) through that one, so its syncs also serve the other writer's waits.
    event_log(SQLite::Database& shared, write_gate& gate, std::function<void()> on_committed = {},
              std::size_t max_batch = 8192, wal_sync* syncer = nullptr);
    ~event_log();
    event_log(const event_log&) = delete;
    event_log& operator=(const event_log&) = delete;

    /// Starts the writer thread.
    void start();
    /// Queues a record; `done` is called exactly once. After stop() it completes with `error`.
    void submit(event_record rec, completion done);
    /// Writes everything queued, completes every callback, then joins the thread.
    void stop();

    /// Records waiting for the next transaction (a gauge for /metrics).
    [[nodiscard]] std::size_t queue_depth() const;
    /// Transactions committed so far.
    [[nodiscard]] std::uint64_t batches() const;
    /// Records written so far (stored and duplicates).
    [[nodiscard]] std::uint64_t records() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Where the time of one group commit went (microseconds).
struct batch_timing {
    std::int64_t insert_us = 0;  ///< BEGIN and the inserts
    std::int64_t commit_us = 0;  ///< COMMIT: the WAL frames written and synced
};

/// Stores one batch in one transaction on `db` and returns one result per record (the writer's
/// step, exposed for tests); `seqs`, when given, gets each stored record's seq (0 for the rest);
/// `timing`, when given, where the time went.
/// @throws SQLite::Exception (the transaction is rolled back).
[[nodiscard]] std::vector<store_result> store_batch(SQLite::Database& db, const std::vector<event_record>& batch,
                                                    std::vector<std::int64_t>* seqs = nullptr,
                                                    batch_timing* timing = nullptr);

/// A stored event not yet processed, as the dispatcher reads it back (start-up, overflow).
struct pending_event {
    std::int64_t seq = 0;
    std::int64_t received_at = 0;
    bool zns = false;
    std::string body;
    std::string oa;  ///< [[oa]] id of the OA whose key signed it ('' before migration 42)
};

/// Up to `limit` fresh events of `lane` after `after_seq`, oldest first. @throws SQLite::Exception
[[nodiscard]] std::vector<pending_event> pending_events(SQLite::Database& db, event_lane lane, std::int64_t after_seq,
                                                        std::size_t limit);

/// Moves an event to `state` (processed or failed, with the reason). @throws SQLite::Exception
void mark_event(SQLite::Database& db, std::int64_t seq, event_state state, std::int64_t now_ms,
                const std::string& error = {});

/// Number of events in `state`. @throws SQLite::Exception
[[nodiscard]] std::int64_t count_events(SQLite::Database& db, event_state state);

/// Deletes processed (or failed) events received before `cutoff_ms`, in chunks; returns how many.
/// New events are never deleted. @throws SQLite::Exception
std::size_t prune_events(SQLite::Database& db, std::int64_t cutoff_ms);

}  // namespace storage

// The event log writer: a queue, one thread, one connection, one transaction per group.
#include "storage/event_log.hpp"

#include "storage/database.hpp"
#include "storage/statement_cache.hpp"
#include "storage/wal_checkpointer.hpp"
#include "storage/wal_sync.hpp"
#include "storage/write_gate.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <spdlog/spdlog.h>
#include <pthread.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace storage {

namespace {

/// A group commit slower than this is logged with where its time went.
constexpr std::chrono::milliseconds slow_group{20};

// SQLite's default busy handler sleeps 1, 2, 5, 10... ms between retries: one collision with the
// worker's transaction would cost a webhook several milliseconds. Poll every 50 µs instead, for
// at most 5 s, so the writer gets the lock right after the worker commits.
int short_busy_handler(void*, int attempts) {
    constexpr int max_attempts = 100000;  // 100000 × 50 µs = 5 s
    if (attempts >= max_attempts) return 0;
    std::this_thread::sleep_for(std::chrono::microseconds(50));
    return 1;
}

}  // namespace

std::vector<store_result> store_batch(SQLite::Database& db, const std::vector<event_record>& batch,
                                     std::vector<std::int64_t>* seqs, batch_timing* timing) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<store_result> out;
    out.reserve(batch.size());
    if (seqs) seqs->assign(batch.size(), 0);
    // BEGIN IMMEDIATE takes the write lock up front: no deadlock-prone lock upgrade later.
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    statement ins(db,
                  "INSERT INTO events (dedup_key, event_name, user_id, zns, zalo_ts, received_at, body, lane, oa) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(dedup_key) DO NOTHING");
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const auto& r = batch[i];
        ins->bindNoCopy(1, r.dedup_key);
        ins->bindNoCopy(2, r.event_name);
        if (r.user_id.empty())
            ins->bind(3);
        else
            ins->bindNoCopy(3, r.user_id);
        ins->bind(4, r.zns ? 1 : 0);
        ins->bind(5, static_cast<std::int64_t>(r.zalo_ts));
        ins->bind(6, static_cast<std::int64_t>(r.received_at));
        ins->bindNoCopy(7, r.body);
        ins->bind(8, static_cast<int>(r.lane));
        if (r.oa.empty())
            ins->bind(9);
        else
            ins->bindNoCopy(9, r.oa);
        const int changed = ins->exec();
        out.push_back(changed == 1 ? store_result::stored : store_result::duplicate);
        if (changed == 1 && seqs) (*seqs)[i] = db.getLastInsertRowid();
        ins->reset();
        ins->clearBindings();
    }
    const auto t1 = std::chrono::steady_clock::now();
    tx.commit();
    if (timing) {
        using us = std::chrono::microseconds;
        timing->insert_us = std::chrono::duration_cast<us>(t1 - t0).count();
        timing->commit_us = std::chrono::duration_cast<us>(std::chrono::steady_clock::now() - t1).count();
    }
    return out;
}

std::vector<pending_event> pending_events(SQLite::Database& db, event_lane lane, std::int64_t after_seq,
                                          std::size_t limit) {
    statement q(db,
                "SELECT seq, received_at, zns, body, oa FROM events INDEXED BY events_fresh"
                " WHERE state = 0 AND lane = ? AND seq > ? ORDER BY seq LIMIT ?");
    q->bind(1, static_cast<int>(lane));
    q->bind(2, after_seq);
    q->bind(3, static_cast<std::int64_t>(limit));
    std::vector<pending_event> out;
    while (q->executeStep())
        out.push_back({q->getColumn(0).getInt64(), q->getColumn(1).getInt64(), q->getColumn(2).getInt() != 0,
                       q->getColumn(3).getString(), q->getColumn(4).getString()});
    return out;
}

void mark_event(SQLite::Database& db, std::int64_t seq, event_state state, std::int64_t now_ms, const std::string& error) {
    statement q(db, "UPDATE events SET state = ?, processed_at = ?, error = ? WHERE seq = ?");
    q->bind(1, static_cast<int>(state));
    q->bind(2, now_ms);
    if (error.empty())
        q->bind(3);
    else
        q->bind(3, error);
    q->bind(4, seq);
    q->exec();
}

std::int64_t count_events(SQLite::Database& db, event_state state) {
    statement q(db, "SELECT COUNT(*) FROM events WHERE state = ?");
    q->bind(1, static_cast<int>(state));
    q->executeStep();
    return q->getColumn(0).getInt64();
}

std::size_t prune_events(SQLite::Database& db, std::int64_t cutoff_ms) {
    // Chunks keep each transaction (and the writer's wait for the lock) short. The newest row is
    // always kept: seq is a plain rowid, so deleting the highest would let the next event reuse
    // its number, and the dispatcher (which remembers the last seq it processed) would skip it.
    constexpr int chunk = 2000;
    std::size_t total = 0;
    SQLite::Statement del(db,
                          "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE state <> 0 AND received_at < ? "
                          "AND seq < (SELECT MAX(seq) FROM events) ORDER BY received_at LIMIT ?)");
    for (;;) {
        del.bind(1, static_cast<std::int64_t>(cutoff_ms));
        del.bind(2, chunk);
        int n = del.exec();
        del.reset();
        total += static_cast<std::size_t>(n);
        if (n < chunk) break;
    }
    return total;
}

struct event_log::impl {

    std::string path;
    std::function<void()> on_committed;
    std::size_t max_batch;
    write_gate* gate = nullptr;
    std::unique_ptr<SQLite::Database> own;   // its own connection, unless it shares the worker's
    std::unique_ptr<statement_cache> cache;  // destroyed before `own`
    SQLite::Database* db = nullptr;          // the connection it writes with

    mutable std::mutex mu;
    std::condition_variable cv;
    std::vector<std::pair<event_record, completion>> queue;
    std::unique_ptr<wal_sync> own_syncer;
    wal_sync* syncer = nullptr;                // null: commits are FULL (in-memory databases)
    bool stopping = false;
    bool started = false;
    std::thread thread;
    std::atomic<std::uint64_t> batch_count{0};
    std::atomic<std::uint64_t> record_count{0};
    std::chrono::steady_clock::time_point last_slow_log{};

    // A group whose acknowledgements waited past slow_group is logged with where the time went
    // (at most once a second): the write turn (another writer's transaction), the inserts, the
    // commit's write of the WAL, or its sync (the disk).
    void note_slow(std::size_t n, std::int64_t gate_us, const batch_timing& t, std::int64_t sync_us) {
        const std::int64_t total = gate_us + t.insert_us + t.commit_us + sync_us;
        if (total < std::chrono::duration_cast<std::chrono::microseconds>(slow_group).count()) return;
        const auto now = std::chrono::steady_clock::now();
        if (now - last_slow_log < std::chrono::seconds(1)) return;
        last_slow_log = now;
        spdlog::info("event log: a group commit of {} events took {:.1f} ms: {:.1f} waiting for the write turn, "
                     "{:.1f} inserting, {:.1f} committing, {:.1f} syncing the WAL",
                     n, static_cast<double>(total) / 1000.0, static_cast<double>(gate_us) / 1000.0,
                     static_cast<double>(t.insert_us) / 1000.0, static_cast<double>(t.commit_us) / 1000.0,
                     static_cast<double>(sync_us) / 1000.0);
    }

    // Takes the next group (everything that queued up while the last one was being stored, up to
    // max_batch); false when stopping and nothing is left.
    bool next(std::vector<std::pair<event_record, completion>>& items) {
        std::unique_lock lk(mu);
        cv.wait(lk, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return false;  // stopping and flushed
        if (queue.size() <= max_batch) {
            items.swap(queue);
        } else {
            items.assign(std::make_move_iterator(queue.begin()),
                         std::make_move_iterator(queue.begin() + static_cast<std::ptrdiff_t>(max_batch)));
            queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(max_batch));
        }
        return true;
    }

    void use_syncer(const std::string& db_path, wal_sync* shared = nullptr) {
        if (shared) {
            if (shared->usable()) syncer = shared;
            return;
        }
        auto s = std::make_unique<wal_sync>(db_path);
        if (s->usable()) {
            own_syncer = std::move(s);
            syncer = own_syncer.get();
        }
    }

    // Syncs the WAL outside the write turn; false (logged) when the disk refused.
    bool sync_log(std::int64_t& sync_us) {
        const auto t0 = std::chrono::steady_clock::now();
        try {
            syncer->sync();
        } catch (const std::exception& e) {
            spdlog::error("event log: syncing the WAL failed: {}; the events of this group are not acknowledged", e.what());
            return false;
        }
        sync_us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
        return true;
    }

    void run() {
        std::vector<std::pair<event_record, completion>> items;
        std::vector<event_record> records;
        std::vector<std::int64_t> seqs;
        while (next(items)) {
            records.clear();
            records.reserve(items.size());
            for (auto& it : items) records.push_back(std::move(it.first));
            std::vector<store_result> results;
            std::int64_t gate_us = 0, sync_us = 0;
            batch_timing timing;
            {
                try {
                    // Our turn at the write lock (the dispatcher's groups take turns with us).
                    const auto asked = std::chrono::steady_clock::now();
                    gate_turn turn(gate);
                    gate_us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - asked)
                                  .count();
                    // With a syncer the commit only writes the WAL, and the sync below, after the
                    // turn, makes it durable before anyone is told: the other writer works while
                    // the disk syncs instead of waiting for it.
                    std::optional<deferred_sync> relaxed;
                    if (syncer) relaxed.emplace(*db);
                    results = store_batch(*db, records, &seqs, &timing);
                    batch_count.fetch_add(1, std::memory_order_relaxed);
                    record_count.fetch_add(records.size(), std::memory_order_relaxed);
                } catch (const std::exception& e) {
                    spdlog::error("event log: storing {} events failed: {}", records.size(), e.what());
                    results.assign(records.size(), store_result::error);
                    seqs.assign(records.size(), 0);
                }
            }
            // Also for a group of duplicates only: they are acknowledged as durable.
            const bool synced = !syncer || sync_log(sync_us);
            if (!synced)
                for (auto& r : results) r = store_result::error;  // Zalo retries; nothing was promised
            note_slow(records.size(), gate_us, timing, sync_us);
            bool any_new = false;
            for (std::size_t i = 0; i < items.size(); ++i) {
                any_new = any_new || results[i] == store_result::stored;
                try {
                    items[i].second(results[i], seqs[i]);
                } catch (const std::exception& e) {
                    spdlog::error("event log: completion threw: {}", e.what());
                }
            }
            items.clear();
            if (any_new && on_committed) {
                try {
                    on_committed();
                } catch (const std::exception& e) {
                    spdlog::error("event log: on_committed threw: {}", e.what());
                }
            }
        }
    }
};

event_log::event_log(const std::string& db_path, std::function<void()> on_committed, std::size_t max_batch,
                     write_gate* gate)
    : impl_(std::make_unique<impl>()) {
    impl_->path = db_path;
    impl_->on_committed = std::move(on_committed);
    impl_->max_batch = max_batch == 0 ? 1 : max_batch;
    impl_->gate = gate;
    impl_->own = open_database(db_path, false);
    impl_->db = impl_->own.get();
    impl_->cache = std::make_unique<statement_cache>(*impl_->db);
    impl_->use_syncer(db_path);
    sqlite3_busy_handler(impl_->db->getHandle(), &short_busy_handler, nullptr);
    // A WAL checkpoint run by this connection would stall every acknowledgement behind it
    // (tens of ms for a few MB). The server's wal_checkpointer keeps the WAL bounded from its own
    // connection (PASSIVE: it does not block this writer).
    disable_auto_checkpoint(*impl_->db);
}

event_log::event_log(SQLite::Database& shared, write_gate& gate, std::function<void()> on_committed,
                     std::size_t max_batch, wal_sync* syncer)
    : impl_(std::make_unique<impl>()) {
    // The owner of `shared` set it up (statement cache, busy handling, automatic checkpoints off);
    // it is touched only on the gate, like the owner's own use of it.
    impl_->path = shared.getFilename();
    impl_->on_committed = std::move(on_committed);
    impl_->max_batch = max_batch == 0 ? 1 : max_batch;
    impl_->gate = &gate;
    impl_->db = &shared;
    impl_->use_syncer(impl_->path, syncer);
}

event_log::~event_log() { stop(); }

void event_log::start() {
    std::lock_guard lk(impl_->mu);
    if (impl_->started || impl_->stopping) return;
    impl_->started = true;
    impl_->thread = std::thread([this] {
        ::pthread_setname_np(::pthread_self(), "event-log");
        impl_->run();
    });
}

void event_log::submit(event_record rec, completion done) {
    {
        std::lock_guard lk(impl_->mu);
        if (!impl_->stopping) {
            impl_->queue.emplace_back(std::move(rec), std::move(done));
            if (impl_->queue.size() == 1) impl_->cv.notify_one();
            return;
        }
    }
    done(store_result::error, 0);  // refused after stop: the caller answers 500 and Zalo retries
}

void event_log::stop() {
    if (!impl_) return;
    {
        std::lock_guard lk(impl_->mu);
        if (impl_->stopping && !impl_->thread.joinable()) return;
        impl_->stopping = true;
    }
    impl_->cv.notify_all();
    if (impl_->thread.joinable()) impl_->thread.join();
    // Never started: complete what was queued so no caller waits forever.
    std::vector<std::pair<event_record, completion>> left;
    {
        std::lock_guard lk(impl_->mu);
        left.swap(impl_->queue);
    }
    for (auto& it : left) it.second(store_result::error, 0);
}

std::size_t event_log::queue_depth() const {
    std::lock_guard lk(impl_->mu);
    return impl_->queue.size();
}

std::uint64_t event_log::batches() const { return impl_->batch_count.load(); }
std::uint64_t event_log::records() const { return impl_->record_count.load(); }

}  // namespace storage

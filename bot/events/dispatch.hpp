// The dispatcher: processes every stored event exactly once, on the worker thread, people first.
#pragma once

#include "bot/events/zalo_event.hpp"
#include "storage/event_log.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

namespace SQLite {
class Database;
}

namespace bot {

class metrics;

/// A stored event as the dispatcher hands it on.
struct stored_event {
    std::int64_t seq = 0;
    std::int64_t received_at_ms = 0;
    zalo::event ev;
    std::string unreadable;  ///< why the stored body could not be parsed again (then `ev` is empty)
};

/// Takes stored events and runs `process` for each inside the transaction that also marks it
/// processed: a crash before the commit processes it again, after the commit never again. A
/// throwing handler rolls back its own writes, marks the event failed (logged) and the group goes on.
///
/// Events arrive in memory from the event log right after their commit (parsed once, by the
/// webhook); after a restart, or when more are waiting than memory holds, they are read back from
/// the events table instead. Two lanes: messages from people, and bulk events (delivery and seen
/// receipts, echoes of our own sends) that come by the hundred thousand after a broadcast. People
/// go first; bulk events are processed together in one savepoint, and never starve: once the
/// oldest has waited `bulk_max_wait`, each group gives them a share.
class dispatcher {
public:
    using process_fn = std::function<void(const stored_event&, SQLite::Database&)>;

    /// Limits and the shape of a group; the defaults are the measured ones (see dispatch.cpp).
    struct options {
        std::size_t memory_events = 20000;                    ///< per lane held in memory; beyond, read back
        std::chrono::milliseconds min_budget{1};              ///< handler time per group at no lag
        std::chrono::milliseconds max_budget{50};             ///< ... at any lag
        std::chrono::milliseconds bulk_max_wait{2000};        ///< bulk events wait at most this for people
        std::size_t max_group = 4000;                         ///< events per group at most
        /// True when another writer waits for the write turn: while the lag is under
        /// yield_below_lag, the group then ends after the step in hand once it has run for half
        /// its budget (within [min_budget, max_before_yield]), and the next one goes after that
        /// writer. Beyond that lag, catching up comes first.
        std::function<bool()> yield;
        std::chrono::milliseconds max_before_yield{5};        ///< see `yield`
        std::chrono::milliseconds yield_below_lag{100};       ///< see `yield`
    };

    explicit dispatcher(process_fn fn, metrics* stats = nullptr, std::function<std::int64_t()> clock = {});
    dispatcher(process_fn fn, options opts, metrics* stats = nullptr, std::function<std::int64_t()> clock = {});

    /// Hands over an event whose record has just been committed (any thread; the event log's).
    void accept(stored_event se, storage::event_lane lane);

    /// Processes one group in one transaction: people first, bulk events after them (or beside
    /// them once they waited too long), for a time that grows with the lag. Returns true when more
    /// events are waiting. Call on the thread that owns `db`.
    bool drain_group(SQLite::Database& db);

    /// Processes every waiting event; returns how many (tests, commands).
    std::size_t drain(SQLite::Database& db);

    /// Makes drain_group() return after the event in hand (shutdown: the rest waits for the next start).
    void request_stop() { stop_ = true; }

    /// Events waiting in memory (a gauge; events only in the table are not counted).
    [[nodiscard]] std::size_t queued() const;
    /// Age (ms) of the oldest event waiting in memory, 0 when none (a gauge).
    [[nodiscard]] std::int64_t oldest_age_ms() const;

private:
    struct lane_state {
        std::deque<stored_event> queue;  ///< in seq order
        bool from_table = true;          ///< read the events table (start-up, overflow)
        std::uint64_t dropped = 0;       ///< events not kept in memory (overflow), ever
        std::int64_t last_seq = 0;       ///< the highest seq processed (worker thread)
    };
    struct group;

    std::size_t take(SQLite::Database& db, storage::event_lane lane, std::size_t max, std::vector<stored_event>& out);
    void run_one(SQLite::Database& db, const stored_event& se, group& g);
    bool run_bulk(SQLite::Database& db, const std::vector<stored_event>& batch, group& g);
    [[nodiscard]] bool waiting() const;
    std::size_t last_count_ = 0;  ///< events the last group handled (worker thread)

    process_fn process_;
    options opts_;
    metrics* stats_;
    std::function<std::int64_t()> clock_;
    mutable std::mutex mu_;
    std::array<lane_state, 2> lanes_;
    std::atomic<bool> stop_{false};
};

}  // namespace bot

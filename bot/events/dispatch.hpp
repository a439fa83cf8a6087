// The dispatcher: processes every stored event exactly once, in arrival order, on the worker thread.
#pragma once

#include "bot/events/zalo_event.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>

namespace SQLite {
class Database;
}

namespace bot {

/// A stored event as the dispatcher hands it on.
struct stored_event {
    std::int64_t seq = 0;
    std::int64_t received_at_ms = 0;
    zalo::event ev;
};

/// Takes new events from the `events` table and runs `process` for each inside one transaction
/// that also marks the event processed: a crash before the commit processes it again, after the
/// commit never again. A throwing handler marks the event failed (logged) and moves on.
class dispatcher {
public:
    using process_fn = std::function<void(const stored_event&, SQLite::Database&)>;

    explicit dispatcher(process_fn fn) : process_(std::move(fn)) {}

    /// Processes every new event; returns how many. Call on the thread that owns `db`.
    std::size_t drain(SQLite::Database& db);

    /// Makes drain() return after the event in hand (shutdown: the rest waits for the next start).
    void request_stop() { stop_ = true; }

private:
    process_fn process_;
    std::atomic<bool> stop_{false};
};

}  // namespace bot

// The in-process write lock: writers of one database take turns in arrival order.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace storage {

/// SQLite lets one connection write at a time and hands the lock to whichever busy handler polls
/// first, so a writer that commits back to back (the webhook's group commits) can starve another
/// (the dispatcher). The writers of this process take this gate around their write transactions
/// instead: a ticket lock, first come first served, so each waits at most for the turn of those
/// ahead of it. Other processes (the CLI) still meet SQLite's busy handling.
class write_gate {
public:
    /// Waits for this caller's turn.
    void lock();
    /// Ends the turn; the next in line goes.
    void unlock();
    /// True while someone waits for a turn (the holder may then end its turn early). Any thread.
    [[nodiscard]] bool contended() const {
        return next_.load(std::memory_order_relaxed) - serving_.load(std::memory_order_relaxed) > 1;
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::atomic<std::uint64_t> next_{0};     ///< the ticket the next caller draws (changed under mu_)
    std::atomic<std::uint64_t> serving_{0};  ///< the ticket whose turn it is (changed under mu_)
};

/// Holds a write_gate for a scope (none when the gate is null).
class gate_turn {
public:
    explicit gate_turn(write_gate* g) : g_(g) {
        if (g_) g_->lock();
    }
    ~gate_turn() {
        if (g_) g_->unlock();
    }
    gate_turn(const gate_turn&) = delete;
    gate_turn& operator=(const gate_turn&) = delete;

private:
    write_gate* g_;
};

}  // namespace storage

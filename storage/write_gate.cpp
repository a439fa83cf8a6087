// The ticket lock behind write_gate.
#include "storage/write_gate.hpp"

namespace storage {

void write_gate::lock() {
    std::unique_lock lk(mu_);
    const std::uint64_t mine = next_.fetch_add(1, std::memory_order_relaxed);
    cv_.wait(lk, [&] { return serving_.load(std::memory_order_relaxed) == mine; });
}

void write_gate::unlock() {
    {
        std::lock_guard lk(mu_);
        serving_.fetch_add(1, std::memory_order_relaxed);
    }
    cv_.notify_all();
}

}  // namespace storage

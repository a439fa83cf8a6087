// The ticket lock behind write_gate.
#include "storage/write_gate.hpp"

namespace storage {

void write_gate::lock() {
    std::unique_lock lk(mu_);
    const std::uint64_t mine = next_++;
    cv_.wait(lk, [&] { return serving_ == mine; });
}

void write_gate::unlock() {
    {
        std::lock_guard lk(mu_);
        ++serving_;
    }
    cv_.notify_all();
}

}  // namespace storage

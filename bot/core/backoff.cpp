// Exponential backoff with jitter.
#include "bot/core/backoff.hpp"

#include <algorithm>
#include <random>

namespace bot {

std::int64_t backoff_ms(int attempts, std::int64_t base_ms, std::int64_t max_ms) {
    const int shift = std::clamp(attempts - 1, 0, 30);
    const double d = std::min(static_cast<double>(max_ms), static_cast<double>(base_ms) * static_cast<double>(1LL << shift));
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(d * jitter(rng)));
}

}  // namespace bot

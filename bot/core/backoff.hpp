// Exponential backoff with jitter, for every loop that retries (STYLE §11).
#pragma once

#include <cstdint>

namespace bot {

/// Wait before attempt `attempts + 1`: base · 2^(attempts−1), capped at `max_ms`, with jitter in
/// [½, 1] so many retrying clients do not return in step. At least 1 ms.
[[nodiscard]] std::int64_t backoff_ms(int attempts, std::int64_t base_ms, std::int64_t max_ms);

}  // namespace bot

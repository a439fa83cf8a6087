// The log limiter: first line of a state at once, repeats counted, the count logged on change.
#include "bot/core/log_limiter.hpp"

#include <spdlog/spdlog.h>

namespace bot {

namespace {

void to_spdlog(log_level level, std::string_view line) {
    switch (level) {
    case log_level::debug: spdlog::debug("{}", line); break;
    case log_level::info: spdlog::info("{}", line); break;
    case log_level::warn: spdlog::warn("{}", line); break;
    case log_level::error: spdlog::error("{}", line); break;
    }
}

}  // namespace

log_limiter::log_limiter(std::chrono::seconds period, sink_fn sink)
    : period_(period), sink_(sink ? std::move(sink) : sink_fn(to_spdlog)) {}

void log_limiter::flush(const state& st, clock::time_point now) {
    if (st.repeats == 0) return;
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - st.since).count();
    sink_(st.level, st.line + " (repeated " + std::to_string(st.repeats) + (st.repeats == 1 ? " time" : " times") + " in the last " +
                        std::to_string(secs) + " s)");
}

bool log_limiter::log(log_level level, std::string_view key, std::string_view line, clock::time_point now) {
    // Lines are written under the lock so a summary and the line after it stay in order.
    std::lock_guard lk(mu_);
    auto it = states_.find(key);
    if (it != states_.end() && it->second.line == line) {
        state& st = it->second;
        ++st.repeats;
        if (now - st.since >= period_) {
            flush(st, now);
            st.repeats = 0;
            st.since = now;
        }
        return false;
    }
    if (it != states_.end()) {
        flush(it->second, now);
        it->second = state{level, std::string(line), 0, now};
    } else {
        states_.emplace(std::string(key), state{level, std::string(line), 0, now});
    }
    sink_(level, line);
    return true;
}

void log_limiter::ok(std::string_view key, std::string_view recovered_line, clock::time_point now) {
    std::lock_guard lk(mu_);
    auto it = states_.find(key);
    if (it == states_.end()) return;
    flush(it->second, now);
    const log_level level = it->second.level == log_level::debug ? log_level::debug : log_level::info;
    states_.erase(it);
    if (!recovered_line.empty()) sink_(level, recovered_line);
}

std::uint64_t log_limiter::suppressed(std::string_view key) const {
    std::lock_guard lk(mu_);
    auto it = states_.find(key);
    return it == states_.end() ? 0 : it->second.repeats;
}

}  // namespace bot

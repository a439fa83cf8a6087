// A repeated log line is logged once per change of state, with a count (no floods from retry loops).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace bot {

/// Severity of a limited log line (spdlog stays out of this header).
enum class log_level { debug, info, warn, error };

/// Limits log lines that a loop may repeat (accept errors, token refresh, outbox failures).
/// Each `key` names one place in the code; its `line` is the state (keep varying details such as
/// ids or addresses out of it, or every line is a new state):
/// - the first line of a state is logged at once;
/// - the same line again is counted, not logged; while it lasts, a summary
///   "<line> (repeated N times in the last S s)" is logged once per `period`;
/// - a different line (a change of state) first logs the count of the previous one, then itself;
/// - ok() marks the key healthy again: the pending count is logged and the next line is "first".
/// Thread-safe. Use one limiter per component (keys are per limiter).
class log_limiter {
public:
    using clock = std::chrono::steady_clock;
    /// Where lines go: spdlog by default; tests capture them.
    using sink_fn = std::function<void(log_level, std::string_view)>;

    /// `period`: how often a lasting state is summarised.
    explicit log_limiter(std::chrono::seconds period = std::chrono::seconds(60), sink_fn sink = {});

    /// Logs `line` under `key` unless it repeats the key's current state. Returns true when it
    /// was written now.
    bool log(log_level level, std::string_view key, std::string_view line, clock::time_point now = clock::now());
    /// The state behind `key` is over (e.g. an accept succeeded): logs the count of suppressed
    /// repeats, if any, and `recovered_line` when not empty and the key was in a state.
    void ok(std::string_view key, std::string_view recovered_line = {}, clock::time_point now = clock::now());
    /// Repeats suppressed so far for `key`'s current state (tests, metrics).
    [[nodiscard]] std::uint64_t suppressed(std::string_view key) const;

private:
    struct state {
        log_level level = log_level::info;
        std::string line;
        std::uint64_t repeats = 0;      ///< suppressed since the last line written
        clock::time_point since;        ///< when the last line for this state was written
    };
    void flush(const state& st, clock::time_point now);

    std::chrono::seconds period_;
    sink_fn sink_;
    mutable std::mutex mu_;
    std::map<std::string, state, std::less<>> states_;
};

}  // namespace bot

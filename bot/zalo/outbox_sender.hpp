// The outbox sender: drains stored messages to Zalo in order, paced, with bounded retries.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace bot {

struct config;
class worker;
class zalo_client;
class token_manager;
class metrics;
struct zalo_result;

/// A token bucket: `rate_per_minute` tokens a minute, bursts up to a second's worth (at least 1).
class token_bucket {
public:
    explicit token_bucket(unsigned rate_per_minute);
    /// Takes a token at `now_ms` when one is available.
    bool take(std::int64_t now_ms);
    /// Milliseconds until a token will be available (0 when one is).
    [[nodiscard]] std::int64_t wait_ms(std::int64_t now_ms);

private:
    void refill(std::int64_t now_ms);
    double per_ms_;
    double capacity_;
    double tokens_;
    std::int64_t last_ms_ = -1;
};

/// Backoff before attempt `attempts + 1`: base · 2^(attempts−1), capped, with jitter in [½, 1].
[[nodiscard]] std::int64_t backoff_ms(int attempts, std::int64_t base_ms, std::int64_t max_ms);

/// Sends what handlers stored in the outbox. Bookkeeping (claims, state changes) runs on the
/// worker thread; requests run on the HTTP client's threads. Each recipient hashes to a lane that
/// carries one message at a time, and a message waits while an older one to the same recipient
/// is unfinished, so each user's messages arrive in order. Final states: sent (with Zalo's
/// message id), failed (code and reason) or cancelled.
class outbox_sender : public std::enable_shared_from_this<outbox_sender> {
public:
    outbox_sender(const config& cfg, worker& work, zalo_client& client, token_manager& tokens,
                  std::function<std::int64_t()> clock, metrics* stats = nullptr);

    /// Recovers rows a crash left 'sending' (resent once, same tracking id) and starts draining.
    void start();
    /// Wakes the sender after new messages were stored (any thread). Cheap: many notifications
    /// before the worker gets to it make one pump.
    void notify();
    /// Stops claiming new messages (in-flight ones finish or stay 'sending' for the next start).
    void stop();
    /// Messages not yet final, as last counted (any thread).
    [[nodiscard]] std::int64_t depth() const { return depth_.load(); }
    /// Messages in flight now (worker thread or tests).
    [[nodiscard]] std::size_t in_flight() const { return in_flight_.load(); }

    struct flight;  ///< implementation detail: one message being sent

private:
    void pump(SQLite::Database& db);
    void begin(SQLite::Database& db, std::shared_ptr<flight> f);
    void send_part(std::shared_ptr<flight> f);
    void on_result(SQLite::Database& db, std::shared_ptr<flight> f, const zalo_result& r);
    void retry_later(SQLite::Database& db, const std::shared_ptr<flight>& f, int code, const std::string& reason,
                     bool count_attempt);
    void finish(SQLite::Database& db, const std::shared_ptr<flight>& f, const char* result);
    void record_latency(SQLite::Database& db, const flight& f);
    void wake_at(std::int64_t at_ms);
    void count_depth(SQLite::Database& db);

    const config& cfg_;
    worker& work_;
    zalo_client& client_;
    token_manager& tokens_;
    std::function<std::int64_t()> clock_;
    metrics* stats_;
    token_bucket bucket_;
    std::vector<bool> lane_busy_;
    std::int64_t wake_scheduled_at_ = 0;  // 0 = none
    std::int64_t known_last_id_ = 0;      // highest outbox id at the last pump (worker thread)
    std::atomic<bool> stopped_{false};
    std::atomic<bool> pump_queued_{false};  // notify() coalesces: at most one queued pump
    std::atomic<std::int64_t> depth_{0};
    std::atomic<std::size_t> in_flight_{0};
};

}  // namespace bot

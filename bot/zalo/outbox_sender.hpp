// The outbox sender: drains stored messages to Zalo in order, paced, with bounded retries.
#pragma once

#include "bot/core/log_limiter.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}
namespace storage {
class wal_sync;
}

namespace bot {

struct config;
class worker;
class reader_pool;
class zalo_client;
class token_manager;
class token_set;
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

/// Sends what handlers stored in the outbox. Bookkeeping runs on the worker thread in steps: one
/// step records every answer that came back, then claims what may go next, in one transaction,
/// and only once that commit is durable are the new requests sent, so a message is durably
/// 'sending' before it leaves. With a WAL syncer (sync_with) the transaction commits relaxed on
/// the write turn and the requests wait for the next sync of the log (storage::wal_sync), which
/// runs off the turn; without one it commits with synchronous=FULL. A step with no answer to
/// record and nothing it may claim (Zalo's rate limit used up, sending paused, every lane busy)
/// opens no transaction. Requests run on the HTTP client's threads. Each
/// recipient hashes to a lane that carries one message at a time, and a message waits while an
/// older one to the same recipient is unfinished, so each user's messages arrive in order. Final
/// states: sent (with Zalo's message id), failed (code and reason) or cancelled.
///
/// It never polls and never spins: a step runs when a commit queued messages (worker), when an
/// answer comes back, when a retry falls due (a timer at that time), or when the token manager
/// has a usable token again. While no token of an OA can be had it claims none of that OA's
/// messages (the other OAs' go on); when Zalo keeps failing
/// (network, 5xx, rate limits) it pauses all sending with exponential backoff, then tries one
/// message. Each change of state is logged once (log_limiter).
class outbox_sender : public std::enable_shared_from_this<outbox_sender> {
public:
    /// Sends each message with the token of the OA its row belongs to (`outbox.oa`; '' = the
    /// default OA), and switches to that OA's ZNS template when a window error allows it.
    outbox_sender(const config& cfg, worker& work, zalo_client& client, std::shared_ptr<token_set> tokens,
                  std::function<std::int64_t()> clock, metrics* stats = nullptr);
    /// One OA's tokens for every message (a deployment with one OA; tests).
    outbox_sender(const config& cfg, worker& work, zalo_client& client, token_manager& tokens,
                  std::function<std::int64_t()> clock, metrics* stats = nullptr);
    ~outbox_sender();
    outbox_sender(const outbox_sender&) = delete;
    outbox_sender& operator=(const outbox_sender&) = delete;

    /// Recovers rows a crash left 'sending' (resent once, same tracking id) and starts draining.
    void start();
    /// Wakes the sender after new messages were stored (any thread). Cheap: many notifications
    /// before the worker gets to it make one step.
    void notify();
    /// Stops claiming new messages (in-flight ones finish or stay 'sending' for the next start).
    void stop();
    /// Messages not yet final, as last counted (any thread; counted once a second).
    [[nodiscard]] std::int64_t depth() const { return depth_.load(); }
    /// Counts depth() on one of `readers`' read-only connections (call before start()). On the
    /// write worker, a count over a deep outbox (100,000 replies waiting for Zalo's rate limit)
    /// holds the write turn for about 10 ms, and the webhook's acknowledgements wait behind it.
    void count_depth_on(reader_pool* readers) { depth_readers_ = readers; }
    /// Commits each step relaxed and sends its requests once `wal` has synced the log after that
    /// commit (call before start(); `wal` must be usable and outlive the sender's work).
    void sync_with(storage::wal_sync* wal) { wal_ = wal; }
    /// Messages in flight now (any thread).
    [[nodiscard]] std::size_t in_flight() const { return in_flight_.load(); }
    /// True while sending is paused because Zalo keeps failing (any thread).
    [[nodiscard]] bool paused() const { return paused_.load(); }

    struct flight;  ///< implementation detail: one message being sent

private:
    /// What a step does once its commit is durable: a flight's request (first part, next part,
    /// or its ZNS fallback) goes out.
    struct then_send {
        std::shared_ptr<flight> f;
        std::function<void(SQLite::Database&)> go;
    };
    using after_commit = std::vector<then_send>;

    void step(SQLite::Database& db);
    [[nodiscard]] bool may_claim(std::int64_t now, std::vector<std::string>* held = nullptr,
                                 std::size_t* lanes = nullptr);
    void run_durable(SQLite::Database& db, after_commit then);
    void not_synced(SQLite::Database& db, const after_commit& then);
    void queue_step();
    void claim(SQLite::Database& db, after_commit& then, std::vector<std::shared_ptr<flight>>& claimed);
    void begin(SQLite::Database& db, const std::shared_ptr<flight>& f);
    void send_part(const std::shared_ptr<flight>& f);
    void answered(const std::shared_ptr<flight>& f, zalo_result r, bool no_token = false);
    void on_result(SQLite::Database& db, const std::shared_ptr<flight>& f, const zalo_result& r, bool no_token,
                   after_commit& then);
    void retry_later(SQLite::Database& db, const std::shared_ptr<flight>& f, int code, const std::string& reason,
                     bool count_attempt);
    void finish(const std::shared_ptr<flight>& f, const char* result);
    void record_latency(SQLite::Database& db, const flight& f);
    void zalo_failed(const std::string& what);
    void zalo_answered();
    void wake_at(std::int64_t at_ms);

    const config& cfg_;
    worker& work_;
    zalo_client& client_;
    std::shared_ptr<token_set> tokens_;
    std::function<std::int64_t()> clock_;
    metrics* stats_;
    token_bucket bucket_;
    log_limiter log_;
    std::vector<bool> lane_busy_;
    std::int64_t wake_scheduled_at_ = 0;  // 0 = none (worker thread)
    std::int64_t known_last_id_ = 0;      // highest outbox id at the last claim (worker thread)
    int failures_in_a_row_ = 0;           // transient Zalo failures since the last success (worker thread)
    int pause_level_ = 0;                 // how many pauses in a row (worker thread)
    std::int64_t paused_until_ = 0;       // no claims before this (worker thread)
    std::atomic<bool> paused_{false};
    std::atomic<bool> stopped_{false};
    std::atomic<bool> step_queued_{false};  // notify() coalesces: at most one queued step
    std::atomic<std::int64_t> depth_{0};
    reader_pool* depth_readers_ = nullptr;  ///< where depth() is counted (null: the worker)
    storage::wal_sync* wal_ = nullptr;      ///< syncs the log before requests go (null: FULL commits)
    std::atomic<std::size_t> in_flight_{0};
    struct answer;
    std::mutex answers_mu_;
    std::vector<answer> answers_;  // come back on HTTP threads, recorded by the next step
};

}  // namespace bot

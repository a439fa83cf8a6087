// The OA access token: stored, refreshed before expiry and on -216/-220, one refresher at a time.
#pragma once

#include "bot/core/log_limiter.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite {
class Database;
}

namespace bot {

struct config;
struct oa_config;
class worker;
class zalo_client;
class metrics;
struct token_grant;

/// A snapshot of the token state (no secrets).
struct token_status {
    bool has_refresh_token = false;
    bool has_access_token = false;
    bool needs_reauth = false;
    bool refreshing = false;
    std::int64_t access_expires_at = 0;  ///< Unix ms
    std::string last_error;
};

/// Owns one Official Account's tokens (its own row, app id and app secret). Every method except `status()` runs on the worker thread (it writes the
/// token row through the worker's connection); HTTP runs on the client's threads and its answer
/// is handed back to the worker. Refresh tokens are single use: the new one is stored before the
/// new access token is handed to anyone. A refresh that fails for a transient reason (OAuth host
/// unreachable, 5xx) is tried again with exponential backoff (1 s doubling up to 5 min) by one
/// timer, never by callers hammering it; meanwhile get() answers at once without a request, and
/// the failure is logged once per change of state (with a count while it lasts).
class token_manager : public std::enable_shared_from_this<token_manager> {
public:
    /// Called with an access token, or nullopt and the reason.
    using token_fn = std::function<void(std::optional<std::string> token, std::string error)>;

    /// The tokens of the OA `oa` (an entry of cfg.official_accounts()): its token row, its app's
    /// OAuth identity, its first refresh token.
    token_manager(const config& cfg, const oa_config& oa, worker& work, zalo_client& client,
                  std::function<std::int64_t()> clock, metrics* stats = nullptr);
    /// The tokens of the default OA (the [zalo] OA without [[oa]] tables).
    token_manager(const config& cfg, worker& work, zalo_client& client, std::function<std::int64_t()> clock,
                  metrics* stats = nullptr);

    /// The [[oa]] id whose tokens these are (`default` for the [zalo] OA): the token row's key.
    [[nodiscard]] const std::string& oa() const { return oa_; }

    /// Loads the row; bootstraps from the OA's configured refresh token when its store is empty.
    void load(SQLite::Database& db);
    /// A valid access token: the stored one, or a fresh one after a refresh (proactive before expiry).
    void get(SQLite::Database& db, token_fn done);
    /// Zalo refused `used_token` (-216/-220/-124): refreshes once (unless another refresh already
    /// replaced it) and gives the new token.
    void invalidate(SQLite::Database& db, const std::string& used_token, token_fn done);
    /// Periodic check: refresh when the access token expires within the margin; picks up a
    /// refresh token replaced by `cchcbot token set`.
    void tick(SQLite::Database& db);
    /// Completes a PKCE authorisation: exchanges the code and stores the tokens. `done(ok, reason)`
    /// runs on the worker thread.
    void exchange_code(const std::string& code, const std::string& verifier, std::function<void(bool, std::string)> done);
    /// Thread-safe snapshot for /readyz and logs.
    [[nodiscard]] token_status status() const;
    /// True when a send can get a token without the OA admin (not marked for re-authorisation).
    [[nodiscard]] bool usable() const;
    /// True when get() would give a token now or start a refresh that may (worker thread): false
    /// while the OA needs re-authorisation, while a refresh is under way without a valid token,
    /// or while refreshes back off. on_ready fires when this turns true again.
    [[nodiscard]] bool can_send(std::int64_t now_ms) const;
    /// Called on the worker thread whenever a fresh access token was stored or the tokens became
    /// usable again (operator set a refresh token, OA authorised): the sender resumes then.
    void on_ready(std::function<void()> fn) { on_ready_ = std::move(fn); }

private:
    void start_refresh(SQLite::Database& db, token_fn done);
    void finish_refresh(SQLite::Database& db, const token_grant& g);
    void reload(SQLite::Database& db);

    const config& cfg_;
    std::string oa_;          ///< token row key ([[oa]] id)
    std::string app_id_;      ///< OAuth identity of the OA's app
    std::string app_secret_;  ///< secret
    std::string first_refresh_;  ///< secret: the configured refresh token (bootstrap only)
    std::string who_;         ///< "zalo tokens" or "zalo tokens (OA <id>)": log lines
    std::string cli_oa_;      ///< " --oa <id>" with [[oa]] tables: the commands the log suggests
    worker& work_;
    zalo_client& client_;
    std::function<std::int64_t()> clock_;
    metrics* stats_;

    // Worker-thread state, mirrored into status_ under mu_ for other threads.
    std::string access_;
    std::int64_t expires_at_ = 0;
    std::string refresh_;
    std::int64_t row_updated_at_ = 0;
    bool refreshing_ = false;
    std::vector<token_fn> waiters_;
    std::function<void()> on_ready_;
    void ready();
    void schedule_retry();
    int failures_ = 0;              ///< transient refresh failures in a row
    std::int64_t retry_at_ = 0;     ///< no refresh before this (Unix ms)
    bool retry_scheduled_ = false;
    log_limiter log_;
    mutable std::mutex mu_;
    token_status status_;
    void publish();
};

/// One token_manager per Official Account (config::official_accounts()), by [[oa]] id: the
/// outbox sends each message with the token of the OA its row belongs to. Built once at start;
/// the managers live as long as the set.
class token_set {
public:
    /// A manager for every configured OA.
    token_set(const config& cfg, worker& work, zalo_client& client, std::function<std::int64_t()> clock,
              metrics* stats = nullptr);
    /// One manager alone (a deployment with one OA; tests): every row's OA is its.
    explicit token_set(std::shared_ptr<token_manager> only);

    /// The manager of the OA `oa` ([[oa]] id as stored on an outbox row); '' (rows from before
    /// there were several) and ids no longer configured mean the default OA's.
    [[nodiscard]] token_manager& of(std::string_view oa) const;
    /// Every manager, configuration order.
    [[nodiscard]] const std::vector<std::shared_ptr<token_manager>>& all() const { return all_; }
    /// The [[oa]] id of the default OA.
    [[nodiscard]] const std::string& default_oa() const { return all_[default_]->oa(); }

    /// token_manager::load / tick for each (worker thread).
    void load(SQLite::Database& db);
    void tick(SQLite::Database& db);
    /// `fn` runs whenever any of them has a usable token again.
    void on_ready(const std::function<void()>& fn);

private:
    std::vector<std::shared_ptr<token_manager>> all_;
    std::size_t default_ = 0;
};

}  // namespace bot

// OA token lifecycle (zalo-api.md §3): bootstrap, proactive refresh, refresh on -216/-220, PKCE.
#include "bot/zalo/token_manager.hpp"

#include "bot/core/backoff.hpp"
#include "bot/core/config.hpp"
#include "bot/core/metrics.hpp"
#include "bot/core/worker.hpp"
#include "bot/zalo/zalo_client.hpp"
#include "storage/token_repository.hpp"

#include <SQLiteCpp/Database.h>
#include <spdlog/spdlog.h>

namespace bot {

namespace {
/// Transient refresh failures are retried after 1 s, 2 s, 4 s … up to 5 minutes.
constexpr std::int64_t refresh_retry_base_ms = 1000;
constexpr std::int64_t refresh_retry_max_ms = 300000;
}  // namespace

namespace {
const oa_config& default_oa_of(const std::vector<oa_config>& oas) {
    for (const auto& oa : oas)
        if (oa.is_default) return oa;
    return oas.front();
}
}  // namespace

token_manager::token_manager(const config& cfg, const oa_config& oa, worker& work, zalo_client& client,
                             std::function<std::int64_t()> clock, metrics* stats)
    : cfg_(cfg),
      oa_(oa.id),
      app_id_(oa.app_id),
      app_secret_(oa.app_secret),
      first_refresh_(oa.refresh_token),
      who_(cfg.oa_tables.empty() ? std::string("zalo tokens") : "zalo tokens (OA " + oa.id + ")"),
      cli_oa_(cfg.oa_tables.empty() ? std::string{} : " --oa " + oa.id),
      work_(work),
      client_(client),
      clock_(std::move(clock)),
      stats_(stats) {}

token_manager::token_manager(const config& cfg, worker& work, zalo_client& client, std::function<std::int64_t()> clock,
                             metrics* stats)
    : token_manager(cfg, default_oa_of(cfg.official_accounts()), work, client, std::move(clock), stats) {}

void token_manager::publish() {
    std::lock_guard lk(mu_);
    status_.has_access_token = !access_.empty();
    status_.has_refresh_token = !refresh_.empty();
    status_.access_expires_at = expires_at_;
    status_.refreshing = refreshing_;
}

void token_manager::ready() {
    if (!on_ready_) return;
    try {
        on_ready_();
    } catch (const std::exception& e) {
        spdlog::error("{}: on_ready failed: {}", who_, e.what());
    }
}

void token_manager::reload(SQLite::Database& db) {
    auto row = storage::load_tokens(db, oa_);
    if (!row) return;
    const bool was_usable = usable();
    bool fresh_start = false;
    if (row->refresh_token != refresh_ && (failures_ > 0 || retry_at_ != 0)) {
        // Someone else stored a new refresh token (`cchcbot token set`, the OA authorised): the
        // failures were the old token's, so the new one is tried at once.
        failures_ = 0;
        retry_at_ = 0;
        log_.ok("refresh", who_ + ": a new refresh token was stored; refreshing again");
        fresh_start = true;
    }
    access_ = row->access_token;
    expires_at_ = row->access_expires_at;
    refresh_ = row->refresh_token;
    row_updated_at_ = row->updated_at;
    {
        std::lock_guard lk(mu_);
        status_.needs_reauth = row->needs_reauth;
        status_.last_error = row->last_error;
    }
    publish();
    if ((!was_usable || fresh_start) && usable()) ready();
}

void token_manager::load(SQLite::Database& db) {
    if (!storage::load_tokens(db, oa_) && !first_refresh_.empty()) {
        storage::bootstrap_refresh_token(db, first_refresh_, clock_(), oa_);
        spdlog::info("{}: store was empty; using the configured refresh token", who_);
    }
    reload(db);
    auto st = status();
    if (st.needs_reauth) spdlog::warn("{}: the OA needs re-authorisation ({}); run `cchcbot token auth-url{}`", who_, st.last_error, cli_oa_);
    else if (!st.has_refresh_token) spdlog::warn("{}: no refresh token; set one with `cchcbot token set{}` or authorise the OA", who_, cli_oa_);
}

token_status token_manager::status() const {
    std::lock_guard lk(mu_);
    return status_;
}

bool token_manager::usable() const {
    std::lock_guard lk(mu_);
    return !status_.needs_reauth && (status_.has_access_token || status_.has_refresh_token);
}

bool token_manager::can_send(std::int64_t now_ms) const {
    if (!usable()) return false;
    if (!access_.empty() && (expires_at_ == 0 || expires_at_ > now_ms)) return true;
    if (refreshing_) return false;  // its end calls on_ready
    return now_ms >= retry_at_;
}

void token_manager::schedule_retry() {
    if (retry_scheduled_) return;
    retry_scheduled_ = true;
    auto self = shared_from_this();
    const auto delay = std::max<std::int64_t>(0, retry_at_ - clock_());
    work_.after(std::chrono::milliseconds(delay), [self](SQLite::Database& db) {
        self->retry_scheduled_ = false;
        if (self->refreshing_ || !self->usable()) return;
        const std::int64_t margin =
            std::chrono::duration_cast<std::chrono::milliseconds>(self->cfg_.zalo.token_refresh_margin).count();
        const bool needed = self->access_.empty() || (self->expires_at_ != 0 && self->expires_at_ - self->clock_() <= margin);
        if (needed) self->start_refresh(db, nullptr);
    });
}

void token_manager::get(SQLite::Database& db, token_fn done) {
    const std::int64_t now = clock_();
    const std::int64_t margin = std::chrono::duration_cast<std::chrono::milliseconds>(cfg_.zalo.token_refresh_margin).count();
    if (!access_.empty() && !refreshing_ && (expires_at_ == 0 || expires_at_ - now > margin)) {
        done(access_, {});
        return;
    }
    // Still valid but inside the margin: use it, and refresh in the background.
    if (!access_.empty() && expires_at_ > now && !refreshing_) {
        done(access_, {});
        start_refresh(db, nullptr);
        return;
    }
    start_refresh(db, std::move(done));
}

void token_manager::invalidate(SQLite::Database& db, const std::string& used_token, token_fn done) {
    if (!access_.empty() && used_token != access_ && !refreshing_) {
        done(access_, {});  // a refresh already replaced it
        return;
    }
    if (!refreshing_ && used_token == access_) {
        access_.clear();
        expires_at_ = 0;
        storage::forget_access_token(db, clock_(), oa_);
        publish();
    }
    start_refresh(db, std::move(done));
}

void token_manager::tick(SQLite::Database& db) {
    if (refreshing_) return;
    if (clock_() < retry_at_) {  // backing off; the retry timer refreshes
        if (auto row = storage::load_tokens(db, oa_); row && row->updated_at != row_updated_at_) reload(db);
        return;
    }
    // `cchcbot token set` (another process) may have replaced the refresh token.
    if (auto row = storage::load_tokens(db, oa_); row && row->updated_at != row_updated_at_) reload(db);
    if (status().needs_reauth || refresh_.empty()) return;
    const std::int64_t margin = std::chrono::duration_cast<std::chrono::milliseconds>(cfg_.zalo.token_refresh_margin).count();
    if (access_.empty() || (expires_at_ != 0 && expires_at_ - clock_() <= margin)) start_refresh(db, nullptr);
}

void token_manager::start_refresh(SQLite::Database& db, token_fn done) {
    if (done) waiters_.push_back(std::move(done));
    if (refreshing_) return;  // one refresher at a time; the waiters share its result
    reload(db);
    if (refresh_.empty()) {
        auto waiters = std::move(waiters_);
        waiters_.clear();
        for (auto& w : waiters) w(std::nullopt, "no refresh token");
        return;
    }
    if (status().needs_reauth) {
        auto waiters = std::move(waiters_);
        waiters_.clear();
        for (auto& w : waiters) w(std::nullopt, "the OA needs re-authorisation");
        return;
    }
    if (clock_() < retry_at_) {
        // Backing off after failed refreshes: no request now; the retry timer tries again.
        auto waiters = std::move(waiters_);
        waiters_.clear();
        for (auto& w : waiters) w(std::nullopt, "token refresh is failing; trying again later");
        schedule_retry();
        return;
    }
    refreshing_ = true;
    publish();
    auto self = shared_from_this();
    client_.refresh(oauth_app{app_id_, app_secret_}, refresh_, [self](token_grant g) {
        self->work_.post([self, g = std::move(g)](SQLite::Database& wdb) { self->finish_refresh(wdb, g); });
    });
}

void token_manager::finish_refresh(SQLite::Database& db, const token_grant& g) {
    refreshing_ = false;
    const std::int64_t now = clock_();
    std::optional<std::string> token;
    std::string error;
    if (g.ok) {
        // The refresh token is single use: persist the new one before anyone uses the access token.
        const std::int64_t expires = now + g.expires_in_s * 1000;
        storage::store_grant(db, g.access_token, expires, g.refresh_token, now, oa_);
        access_ = g.access_token;
        expires_at_ = expires;
        refresh_ = g.refresh_token;
        if (auto row = storage::load_tokens(db, oa_)) row_updated_at_ = row->updated_at;
        {
            std::lock_guard lk(mu_);
            status_.needs_reauth = false;
            status_.last_error.clear();
        }
        token = access_;
        if (failures_ > 0) log_.ok("refresh", who_ + ": refreshing works again");
        failures_ = 0;
        retry_at_ = 0;
        spdlog::info("{}: access token refreshed, valid for {} s", who_, g.expires_in_s);
        if (stats_) stats_->inc("cchcbot_zalo_token_refreshes_total", {{"result", "ok"}});
    } else if (g.definitive) {
        error = "refresh refused: " + g.reason + (g.code ? " (" + std::to_string(g.code) + ")" : std::string{});
        storage::mark_needs_reauth(db, error, now, oa_);
        access_.clear();
        expires_at_ = 0;
        {
            std::lock_guard lk(mu_);
            status_.needs_reauth = true;
            status_.last_error = error;
        }
        failures_ = 0;
        retry_at_ = 0;
        log_.log(log_level::error, "refresh",
                 who_ + ": " + error + "; the OA needs re-authorisation (`cchcbot token auth-url" + cli_oa_ + "`)");
        if (stats_) {
            stats_->inc("cchcbot_zalo_token_refreshes_total", {{"result", "refused"}});
            if (g.code != 0) stats_->inc("cchcbot_zalo_errors_total", {{"code", std::to_string(g.code)}});
        }
    } else {
        error = "refresh failed: " + g.reason;
        storage::record_token_error(db, error, now, oa_);
        {
            std::lock_guard lk(mu_);
            status_.last_error = error;
        }
        ++failures_;
        retry_at_ = now + backoff_ms(failures_, refresh_retry_base_ms, refresh_retry_max_ms);
        log_.log(log_level::warn, "refresh", who_ + ": " + error + " (trying again with growing pauses, up to 5 min)");
        schedule_retry();
        if (stats_) stats_->inc("cchcbot_zalo_token_refreshes_total", {{"result", "error"}});
    }
    publish();
    auto waiters = std::move(waiters_);
    waiters_.clear();
    for (auto& w : waiters) w(token, error);
    if (token) ready();
}

void token_manager::exchange_code(const std::string& code, const std::string& verifier,
                                  std::function<void(bool, std::string)> done) {
    auto self = shared_from_this();
    client_.exchange_code(oauth_app{app_id_, app_secret_}, code, verifier, [self, done = std::move(done)](token_grant g) {
        self->work_.post([self, g = std::move(g), done](SQLite::Database& db) {
            if (!g.ok) {
                spdlog::error("{}: authorisation code refused: {}", self->who_, g.reason);
                done(false, g.reason);
                return;
            }
            const std::int64_t now = self->clock_();
            storage::store_grant(db, g.access_token, now + g.expires_in_s * 1000, g.refresh_token, now, self->oa_);
            self->reload(db);
            spdlog::info("{}: OA authorised; tokens stored", self->who_);
            done(true, {});
            self->ready();
        });
    });
}

// ---- one manager per OA ---------------------------------------------------------------------

token_set::token_set(const config& cfg, worker& work, zalo_client& client, std::function<std::int64_t()> clock,
                     metrics* stats) {
    const auto oas = cfg.official_accounts();
    for (const auto& oa : oas) {
        if (oa.is_default) default_ = all_.size();
        all_.push_back(std::make_shared<token_manager>(cfg, oa, work, client, clock, stats));
    }
}

token_set::token_set(std::shared_ptr<token_manager> only) { all_.push_back(std::move(only)); }

token_manager& token_set::of(std::string_view oa) const {
    if (!oa.empty())
        for (const auto& t : all_)
            if (t->oa() == oa) return *t;
    return *all_[default_];
}

void token_set::load(SQLite::Database& db) {
    for (const auto& t : all_) t->load(db);
}

void token_set::tick(SQLite::Database& db) {
    for (const auto& t : all_) t->tick(db);
}

void token_set::on_ready(const std::function<void()>& fn) {
    for (const auto& t : all_) t->on_ready(fn);
}

}  // namespace bot

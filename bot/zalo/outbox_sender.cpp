// The outbox sender: steps on the worker (record answers, claim, commit, then send), requests on
// the HTTP threads.
#include "bot/zalo/outbox_sender.hpp"

#include "bot/core/backoff.hpp"
#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/metrics.hpp"
#include "bot/core/official_accounts.hpp"
#include "bot/core/reader_pool.hpp"
#include "bot/core/worker.hpp"
#include "bot/zalo/outgoing.hpp"
#include "bot/zalo/token_manager.hpp"
#include "bot/zalo/zalo_client.hpp"
#include "storage/interaction_repository.hpp"
#include "storage/database.hpp"
#include "storage/outbox_repository.hpp"
#include "storage/wal_sync.hpp"
#include "storage/write_scope.hpp"

#include <SQLiteCpp/Database.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace bot {

namespace {
/// Rows looked at per claim; enough to fill every lane even when many share a busy lane.
constexpr int batch_size = 64;
/// How often the sender counts the outbox (the depth gauge) and checks whether another process
/// (`cchcbot chat`, `cchcbot remind`) queued messages: one look at the highest outbox id. Messages
/// queued in this process never wait for it: the commit that queued them wakes the sender
/// (worker::on_outbox_commit).
constexpr std::chrono::milliseconds other_process_probe{1000};
/// Transient failures in a row (network, 5xx, rate limit) before all sending pauses: one bad
/// answer is not an outage, three in a row are treated as one.
constexpr int failures_before_pause = 3;
/// The pause doubles from this, with jitter, up to the cap, while the probe after it fails.
constexpr std::int64_t pause_base_ms = 1000;
constexpr std::int64_t pause_max_ms = 300000;
}  // namespace

// ---- token bucket -------------------------------------------------------------------------

token_bucket::token_bucket(unsigned rate_per_minute)
    : per_ms_(static_cast<double>(rate_per_minute) / 60000.0),
      capacity_(std::max(1.0, static_cast<double>(rate_per_minute) / 60.0)),
      tokens_(capacity_) {}

void token_bucket::refill(std::int64_t now_ms) {
    if (last_ms_ >= 0 && now_ms > last_ms_) tokens_ = std::min(capacity_, tokens_ + static_cast<double>(now_ms - last_ms_) * per_ms_);
    if (last_ms_ < 0 || now_ms > last_ms_) last_ms_ = now_ms;
}

bool token_bucket::take(std::int64_t now_ms) {
    refill(now_ms);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
}

std::int64_t token_bucket::wait_ms(std::int64_t now_ms) {
    refill(now_ms);
    if (tokens_ >= 1.0) return 0;
    return static_cast<std::int64_t>((1.0 - tokens_) / per_ms_) + 1;
}

// ---- sender -----------------------------------------------------------------------------------

struct outbox_sender::flight {
    storage::outbox_row row;
    zalo::outgoing_message msg;
    std::vector<prepared_send> parts;
    std::size_t part = 0;
    std::size_t lane = 0;
    int attempts = 0;           // including this one
    bool refreshed = false;     // one refresh + one retry per attempt on -216/-220/-124
    bool switched = false;      // moved to ZNS after a window error
    token_manager* tokens = nullptr;  // the tokens of the OA the row belongs to
    std::string token;
    std::string last_msg_id;
    std::int64_t call_at = 0;   // when the first part's latest Zalo call started (reply latency)
};

struct outbox_sender::answer {
    std::shared_ptr<flight> f;
    zalo_result r;
    bool no_token = false;  // no request went out: no access token could be had
};

outbox_sender::outbox_sender(const config& cfg, worker& work, zalo_client& client, token_manager& tokens,
                             std::function<std::int64_t()> clock, metrics* stats)
    : outbox_sender(cfg, work, client, std::make_shared<token_set>(tokens.shared_from_this()), std::move(clock), stats) {}

outbox_sender::outbox_sender(const config& cfg, worker& work, zalo_client& client, std::shared_ptr<token_set> tokens,
                             std::function<std::int64_t()> clock, metrics* stats)
    : cfg_(cfg),
      work_(work),
      client_(client),
      tokens_(std::move(tokens)),
      clock_(std::move(clock)),
      stats_(stats),
      bucket_(cfg.zalo.rate_per_minute),
      lane_busy_(std::max(1u, cfg.zalo.sender_lanes), false) {}

outbox_sender::~outbox_sender() = default;

void outbox_sender::start() {
    auto self = shared_from_this();
    work_.post([self](SQLite::Database& db) {
        // A usable token again (refresh succeeded, operator set one, OA authorised): resume at once.
        std::weak_ptr<outbox_sender> weak = self;
        self->tokens_->on_ready([weak] {
            if (auto s = weak.lock()) s->notify();
        });
        auto rep = storage::resume_interrupted(db, self->clock_());
        if (rep.resend || rep.failed)
            spdlog::warn("outbox: {} message(s) interrupted while sending will be resent once with the same tracking id;"
                         " {} interrupted twice marked failed",
                         rep.resend, rep.failed);
        self->depth_ = storage::outbox_depth(db);
        self->step(db);
    });
    work_.every(other_process_probe, [self](SQLite::Database& db) {
        if (self->stopped_) return;  // a stopped sender no longer counts (its readers may be gone)
        if (self->depth_readers_)
            self->depth_readers_->post([self](SQLite::Database& read) { self->depth_ = storage::outbox_depth(read); });
        else
            self->depth_ = storage::outbox_depth(db);
        if (storage::last_outbox_id(db) > self->known_last_id_) self->step(db);
    });
}

void outbox_sender::notify() {
    if (!stopped_) queue_step();
}

void outbox_sender::queue_step() {
    if (step_queued_.exchange(true)) return;  // a step is already on its way
    auto self = shared_from_this();
    work_.post([self](SQLite::Database& db) {
        self->step_queued_ = false;
        self->step(db);
    });
}

void outbox_sender::stop() { stopped_ = true; }

void outbox_sender::answered(const std::shared_ptr<flight>& f, zalo_result r, bool no_token) {
    {
        std::lock_guard lk(answers_mu_);
        answers_.push_back({f, std::move(r), no_token});
    }
    // Recorded by the next step, also after stop(): a message that went out must not stay 'sending'.
    queue_step();
}

void outbox_sender::step(SQLite::Database& db) {
    std::vector<answer> got;
    {
        std::lock_guard lk(answers_mu_);
        got.swap(answers_);
    }
    // Nothing to record and nothing that may be claimed: no transaction. Every commit that queues
    // a reply wakes the sender, also while Zalo's per-minute limit is used up (at saturation,
    // after every dispatcher group); the claim's timer or an answer brings the step that claims.
    if (got.empty() && !may_claim(clock_())) return;
    after_commit then;
    std::vector<std::shared_ptr<flight>> claimed;
    try {
        // One transaction for every answer and every claim of this step. With a WAL syncer it
        // commits relaxed (the write turn does not wait for the disk) and its requests wait for
        // the log's next sync below; without one, the commit itself syncs (FULL).
        std::optional<storage::deferred_sync> relaxed;
        if (wal_) relaxed.emplace(db);
        storage::write_scope tx(db);
        for (auto& a : got) on_result(db, a.f, a.r, a.no_token, then);
        claim(db, then, claimed);
        tx.commit();
    } catch (const std::exception& e) {
        // Nothing of this step is stored: answered messages stay 'sending' (resent once after a
        // restart), claimed ones are pending again. Give their lanes back and try again later.
        spdlog::error("outbox: recording a send step failed: {}", e.what());
        for (const auto& f : claimed) {
            lane_busy_[f->lane] = false;
            --in_flight_;
        }
        wake_at(clock_() + 1000);
        return;
    }
    if (then.empty()) return;
    if (!wal_) return run_durable(db, std::move(then));
    // Claimed messages are 'sending' in the log, not yet on disk: a request that left now could be
    // followed by a power cut that takes the claim back (and the reply's queueing with it), and the
    // message would go again, or the citizen get a reply the bot no longer knows it sent. They go
    // once a sync of the log that began after this commit has ended; the worker meanwhile goes on.
    auto self = shared_from_this();
    wal_->after_sync([self, then = std::move(then)](bool ok) mutable {
        self->work_.post([self, then = std::move(then), ok](SQLite::Database& wdb) mutable {
            if (ok)
                self->run_durable(wdb, std::move(then));
            else
                self->not_synced(wdb, then);
        });
    });
}

void outbox_sender::run_durable(SQLite::Database& db, after_commit then) {
    for (auto& t : then) t.go(db);
}

// The log could not be synced, so the step's commit may not survive a crash: its requests do not
// go. Their messages are pending again (this try not counted) and are claimed again in a second.
void outbox_sender::not_synced(SQLite::Database& db, const after_commit& then) {
    const std::int64_t at = clock_() + 1000;
    spdlog::error("outbox: the database log could not be synced; {} message(s) held back and tried again", then.size());
    try {
        storage::write_scope tx(db);
        for (const auto& t : then) {
            if (t.f->part > 0) storage::mark_part_sent(db, t.f->row.id, static_cast<int>(t.f->part), t.f->last_msg_id);
            storage::mark_retry(db, t.f->row.id, at, 0, "the database log could not be synced");
            storage::uncount_attempt(db, t.f->row.id);
        }
        tx.commit();
    } catch (const std::exception& e) {
        // They stay 'sending': resent once, same tracking id, at the next start.
        spdlog::error("outbox: holding back the messages failed too: {}", e.what());
    }
    for (const auto& t : then) finish(t.f, "retry");
    wake_at(at);
}

// Whether a claim may take messages now. When not, what brings the step that can is arranged: a
// timer for the end of a pause or for Zalo's next token; otherwise an answer coming back (a lane
// frees) or an OA's usable token (on_ready). `held` gets the OAs whose tokens cannot be had now
// (as stored: '' stands for the default OA's rows), `lanes` how many messages may go.
bool outbox_sender::may_claim(std::int64_t now, std::vector<std::string>* held_out, std::size_t* lanes_out) {
    if (stopped_) return false;
    // No token now (refresh failing, OA needs re-authorisation): claim none of that OA's messages.
    // Its token manager calls back (on_ready) when one can be had; no timer, no poll.
    std::vector<std::string> held;
    for (const auto& t : tokens_->all())
        if (!t->can_send(now)) held.push_back(t->oa());
    if (held.size() == tokens_->all().size()) return false;
    // Rows stored without an OA ('') are the default OA's.
    if (std::find(held.begin(), held.end(), tokens_->default_oa()) != held.end()) held.emplace_back();
    bool probe = false;
    if (paused_) {
        if (now < paused_until_) {
            wake_at(paused_until_);
            return false;
        }
        probe = true;  // the pause is over: one message tries whether Zalo answers again
    }
    std::size_t free_lanes = static_cast<std::size_t>(std::count(lane_busy_.begin(), lane_busy_.end(), false));
    if (free_lanes == 0 || (probe && in_flight_ > 0)) return false;
    if (probe) free_lanes = 1;
    // Zalo's per-minute limit is used up: wait for the next token instead of reading rows that
    // cannot go (with a backlog, every commit that queues a reply wakes the sender).
    if (const auto wait = bucket_.wait_ms(now); wait > 0) {
        wake_at(now + wait);
        return false;
    }
    if (held_out) *held_out = std::move(held);
    if (lanes_out) *lanes_out = free_lanes;
    return true;
}

void outbox_sender::claim(SQLite::Database& db, after_commit& then, std::vector<std::shared_ptr<flight>>& claimed) {
    known_last_id_ = storage::last_outbox_id(db);
    const std::int64_t now = clock_();
    std::vector<std::string> held;
    std::size_t free_lanes = 0;
    if (!may_claim(now, &held, &free_lanes)) return;
    auto rows = storage::ready_messages(db, now, batch_size, held);
    for (auto& row : rows) {
        if (free_lanes == 0) break;
        const std::size_t lane = std::hash<std::string>{}(row.recipient) % lane_busy_.size();
        if (lane_busy_[lane]) continue;
        if (!bucket_.take(now)) {
            wake_at(now + bucket_.wait_ms(now));
            return;
        }
        auto f = std::make_shared<flight>();
        f->row = std::move(row);
        f->lane = lane;
        f->tokens = &tokens_->of(f->row.oa);
        try {
            f->msg = zalo::outgoing_from_json(f->row.body_json);
        } catch (const std::exception& e) {
            storage::mark_failed(db, f->row.id, 0, std::string("unreadable message: ") + e.what(), now);
            if (stats_) stats_->inc("cchcbot_zalo_sends_total", {{"result", "failed"}});
            continue;
        }
        if (!storage::mark_sending(db, f->row.id, now)) continue;  // cancelled meanwhile
        f->attempts = f->row.attempts + 1;
        lane_busy_[lane] = true;
        ++in_flight_;
        --free_lanes;
        claimed.push_back(f);
        auto self = shared_from_this();
        then.push_back({f, [self, f](SQLite::Database& wdb) { self->begin(wdb, f); }});
    }
    if (rows.empty()) {
        if (auto due = storage::next_due_at(db); due && *due > now) wake_at(*due);
    }
}

void outbox_sender::begin(SQLite::Database& db, const std::shared_ptr<flight>& f) {
    f->parts = prepare(f->msg, f->row.tracking_id);
    f->part = std::min<std::size_t>(static_cast<std::size_t>(f->row.parts_sent), f->parts.size());
    if (f->msg.via != zalo::channel::cs) f->part = 0;
    f->last_msg_id = f->row.zalo_msg_id;
    if (f->part >= f->parts.size()) {  // every part went out before a crash
        storage::mark_sent(db, f->row.id, f->last_msg_id, clock_());
        finish(f, "sent");
        return;
    }
    auto self = shared_from_this();
    f->tokens->get(db, [self, f](std::optional<std::string> token, std::string) {
        // Runs on the worker thread (inline or after a refresh).
        if (!token) return self->answered(f, {}, true);
        f->token = *token;
        self->send_part(f);
    });
}

void outbox_sender::send_part(const std::shared_ptr<flight>& f) {
    if (f->part == 0) f->call_at = clock_();
    auto self = shared_from_this();
    client_.send(f->parts[f->part], f->token, [self, f](zalo_result r) { self->answered(f, std::move(r)); });
}

void outbox_sender::on_result(SQLite::Database& db, const std::shared_ptr<flight>& f, const zalo_result& r, bool no_token,
                              after_commit& then) {
    auto self = shared_from_this();
    if (no_token) {
        // Not Zalo's fault: this try does not count, and the message waits for a token.
        retry_later(db, f, 0, "no access token", false);
        return;
    }
    const std::int64_t now = clock_();
    if (r.verdict != zalo_verdict::ok && stats_) {
        std::string code = r.code != 0 ? std::to_string(r.code) : r.http_status != 0 ? "http_" + std::to_string(r.http_status) : "network";
        stats_->inc("cchcbot_zalo_errors_total", {{"code", code}});
    }
    switch (r.verdict) {
    case zalo_verdict::ok: {
        zalo_answered();
        f->last_msg_id = r.msg_id;
        ++f->part;
        if (f->part < f->parts.size()) {
            storage::mark_part_sent(db, f->row.id, static_cast<int>(f->part), r.msg_id);
            then.push_back({f, [self, f](SQLite::Database&) { self->send_part(f); }});
            return;
        }
        storage::mark_sent(db, f->row.id, r.msg_id, now);
        record_latency(db, *f);
        finish(f, "sent");
        return;
    }
    case zalo_verdict::refresh_token: {
        zalo_answered();
        if (f->refreshed) {
            retry_later(db, f, r.code, r.reason, true);
            return;
        }
        f->refreshed = true;
        // The message is durably 'sending' since its claim: the one retry with a fresh token may
        // go whenever the token comes.
        f->tokens->invalidate(db, f->token, [self, f](std::optional<std::string> token, std::string) {
            if (!token) return self->answered(f, {}, true);
            f->token = *token;
            self->send_part(f);
        });
        return;
    }
    case zalo_verdict::switch_to_template: {
        zalo_answered();
        // The ZNS template of the OA the message goes through (its [[oa]] zns_reminder_template).
        const auto oas = cfg_.official_accounts();
        const std::string zns_template = oa_by_id(oas, f->tokens->oa()).zns_reminder_template;
        if (!f->switched && f->msg.via == zalo::channel::cs && !f->msg.fallback_phone.empty() &&
            !zns_template.empty() && !zns_phone(f->msg.fallback_phone).empty()) {
            zalo::outgoing_message z = f->msg;
            z.via = zalo::channel::zns;
            z.recipient = zns_phone(f->msg.fallback_phone);
            z.template_id = zns_template;
            z.buttons.clear();
            if (z.template_data.empty()) z.template_data["noi_dung"] = truncate_utf8(f->msg.text, 100);
            storage::switch_channel(db, f->row.id, "zns", zalo::to_json(z));
            spdlog::info("outbox: message {} outside the interaction window ({}); switching to ZNS", f->row.id, r.code);
            if (stats_) stats_->inc("cchcbot_zalo_sends_total", {{"result", "switched_to_zns"}});
            f->switched = true;
            f->msg = std::move(z);
            f->parts = prepare(f->msg, f->row.tracking_id);
            f->part = 0;
            then.push_back({f, [self, f](SQLite::Database&) { self->send_part(f); }});
            return;
        }
        storage::mark_failed(db, f->row.id, r.code, "outside the interaction window: " + r.reason, now);
        finish(f, "failed");
        return;
    }
    case zalo_verdict::retry:
        zalo_failed(r.code != 0 ? "Zalo error " + std::to_string(r.code)
                                : r.http_status != 0 ? "HTTP " + std::to_string(r.http_status) : "network: " + r.reason);
        retry_later(db, f, r.code != 0 ? r.code : r.http_status, r.reason, true);
        return;
    case zalo_verdict::wait_for_morning: {
        zalo_answered();
        // Zalo refuses this kind of message between 22:00 and 06:00: not a failure, and not an
        // attempt; it goes again at 06:00 local time.
        const int offset = cfg_.time.utc_offset_minutes;
        auto day = local_date_of(now, offset);
        if (local_minute_of_day(now, offset) >= 6 * 60) day = civil_from_days(days_from_civil(day) + 1);
        const std::int64_t at = unix_ms_of(day, 6 * 60, offset);
        if (f->part > 0) storage::mark_part_sent(db, f->row.id, static_cast<int>(f->part), f->last_msg_id);
        storage::mark_retry(db, f->row.id, at, r.code, r.reason + " (night: sent again from 06:00)");
        storage::uncount_attempt(db, f->row.id);
        spdlog::info("outbox: message {} refused at night ({}); sent again from {}", f->row.id, r.code,
                     format_local_datetime(at, offset));
        finish(f, "deferred");
        wake_at(at);
        return;
    }
    case zalo_verdict::give_up:
        zalo_answered();
        storage::mark_failed(db, f->row.id, r.code != 0 ? r.code : r.http_status, r.reason.empty() ? "refused" : r.reason, now);
        spdlog::warn("outbox: message {} failed: {} {}", f->row.id, r.code, r.reason);
        finish(f, "failed");
        return;
    }
}

void outbox_sender::retry_later(SQLite::Database& db, const std::shared_ptr<flight>& f, int code, const std::string& reason,
                                bool count_attempt) {
    const std::int64_t now = clock_();
    if (count_attempt && f->attempts >= static_cast<int>(cfg_.zalo.max_attempts)) {
        storage::mark_failed(db, f->row.id, code, reason + " (after " + std::to_string(f->attempts) + " attempts)", now);
        spdlog::warn("outbox: message {} failed after {} attempts: {} {}", f->row.id, f->attempts, code, reason);
        finish(f, "failed");
        return;
    }
    const std::int64_t base = cfg_.zalo.retry_base.count();
    const std::int64_t at = now + backoff_ms(std::max(1, f->attempts), base, cfg_.zalo.retry_max.count());
    if (f->part > 0) storage::mark_part_sent(db, f->row.id, static_cast<int>(f->part), f->last_msg_id);
    storage::mark_retry(db, f->row.id, at, code, reason);
    if (!count_attempt) storage::uncount_attempt(db, f->row.id);
    finish(f, "retry");
    wake_at(at);
}

void outbox_sender::finish(const std::shared_ptr<flight>& f, const char* result) {
    if (stats_) stats_->inc("cchcbot_zalo_sends_total", {{"result", result}});
    lane_busy_[f->lane] = false;
    --in_flight_;
}

void outbox_sender::zalo_failed(const std::string& what) {
    const std::int64_t now = clock_();
    ++failures_in_a_row_;
    if (paused_ && now < paused_until_) return;  // answers of requests sent before the pause
    if (!paused_ && failures_in_a_row_ < failures_before_pause) return;
    // An outage (or the probe after a pause failed): pause everything, longer each time.
    ++pause_level_;
    const std::int64_t wait = backoff_ms(pause_level_, pause_base_ms, pause_max_ms);
    paused_until_ = now + wait;
    paused_ = true;
    log_.log(log_level::warn, "zalo",
             "outbox: Zalo keeps failing (" + what + "); sending paused, tried again with growing pauses up to " +
                 std::to_string(pause_max_ms / 1000) + " s");
    wake_at(paused_until_);
}

void outbox_sender::zalo_answered() {
    failures_in_a_row_ = 0;
    if (!paused_ && pause_level_ == 0) return;
    paused_ = false;
    pause_level_ = 0;
    paused_until_ = 0;
    log_.ok("zalo", "outbox: Zalo answers again; sending resumed");
}

void outbox_sender::record_latency(SQLite::Database& db, const flight& f) {
    // From the event's arrival to the Zalo call that delivered its first reply: what the citizen
    // waits for. Later messages of the same reply do not count again.
    if (!f.row.origin_at || f.call_at == 0) return;
    const std::int64_t ms = std::max<std::int64_t>(0, f.call_at - *f.row.origin_at);
    if (f.row.interaction_id && !storage::record_reply_latency(db, *f.row.interaction_id, ms)) return;
    if (stats_) stats_->observe("cchcbot_reply_latency_seconds", static_cast<double>(ms) / 1000.0);
}

void outbox_sender::wake_at(std::int64_t at_ms) {
    if (stopped_) return;
    if (wake_scheduled_at_ != 0 && wake_scheduled_at_ <= at_ms) return;
    wake_scheduled_at_ = at_ms;
    auto delay = std::max<std::int64_t>(0, at_ms - clock_());
    auto self = shared_from_this();
    work_.after(std::chrono::milliseconds(delay), [self, at_ms](SQLite::Database& db) {
        if (self->wake_scheduled_at_ == at_ms) self->wake_scheduled_at_ = 0;
        self->step(db);
    });
}

}  // namespace bot

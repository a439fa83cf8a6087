// The dispatcher: groups, lanes, and the way back from memory to the events table.
#include "bot/events/dispatch.hpp"

#include "bot/core/local_time.hpp"
#include "bot/core/metrics.hpp"
#include "storage/database.hpp"
#include "storage/write_scope.hpp"

#include <SQLiteCpp/Database.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace bot {

namespace {

constexpr std::size_t people = static_cast<std::size_t>(storage::event_lane::people);
constexpr std::size_t bulk = static_cast<std::size_t>(storage::event_lane::bulk);

/// Events taken per step: the budget is looked at between steps, so a step is short.
constexpr std::size_t people_step = 32;
constexpr std::size_t bulk_step = 256;

}  // namespace

struct dispatcher::group {
    std::vector<std::pair<std::string, std::int64_t>> processed;  // event name, received_at (metrics after commit)
    std::size_t count = 0;
};

dispatcher::dispatcher(process_fn fn, metrics* stats, std::function<std::int64_t()> clock)
    : dispatcher(std::move(fn), options{}, stats, std::move(clock)) {}

dispatcher::dispatcher(process_fn fn, options opts, metrics* stats, std::function<std::int64_t()> clock)
    : process_(std::move(fn)), opts_(opts), stats_(stats), clock_(clock ? std::move(clock) : [] { return now_ms(); }) {}

void dispatcher::accept(stored_event se, storage::event_lane lane) {
    std::lock_guard lk(mu_);
    auto& l = lanes_[static_cast<std::size_t>(lane)];
    if (l.queue.size() >= opts_.memory_events) {
        // Memory is full: this one (and what follows until the backlog is read) is read back from
        // the events table. Nothing is lost; it was committed before it came here.
        ++l.dropped;
        l.from_table = true;
        return;
    }
    l.queue.push_back(std::move(se));
}

std::size_t dispatcher::queued() const {
    std::lock_guard lk(mu_);
    return lanes_[people].queue.size() + lanes_[bulk].queue.size();
}

std::int64_t dispatcher::oldest_age_ms() const {
    std::lock_guard lk(mu_);
    std::int64_t oldest = 0;
    for (const auto& l : lanes_)
        if (!l.queue.empty() && (oldest == 0 || l.queue.front().received_at_ms < oldest)) oldest = l.queue.front().received_at_ms;
    return oldest == 0 ? 0 : std::max<std::int64_t>(0, clock_() - oldest);
}

bool dispatcher::waiting() const {
    std::lock_guard lk(mu_);
    for (const auto& l : lanes_)
        if (l.from_table || !l.queue.empty()) return true;
    return false;
}

// Up to `max` events of a lane, in seq order: from memory, or from the table while it holds
// events memory does not (start-up, overflow). A batch taken is always processed whole.
std::size_t dispatcher::take(SQLite::Database& db, storage::event_lane lane, std::size_t max,
                             std::vector<stored_event>& out) {
    auto& l = lanes_[static_cast<std::size_t>(lane)];
    std::uint64_t dropped_before = 0;
    {
        std::lock_guard lk(mu_);
        if (!l.from_table) {
            // Skip what the table path already processed (it may also have come here meanwhile).
            while (!l.queue.empty() && l.queue.front().seq <= l.last_seq) l.queue.pop_front();
            while (!l.queue.empty() && out.size() < max) {
                out.push_back(std::move(l.queue.front()));
                l.queue.pop_front();
            }
            return out.size();
        }
        dropped_before = l.dropped;
    }
    auto rows = storage::pending_events(db, lane, l.last_seq, max);
    for (auto& r : rows) {
        stored_event se;
        se.seq = r.seq;
        se.received_at_ms = r.received_at;
        zalo::parse_error perr;
        if (auto ev = zalo::parse_event(r.body, r.zns, &perr)) {
            se.ev = std::move(*ev);
            se.ev.oa = std::move(r.oa);
        } else
            se.unreadable = perr.reason.empty() ? "unparsable" : perr.reason;  // marked failed by run_one
        out.push_back(std::move(se));
    }
    if (rows.size() < max) {
        // The table holds nothing beyond this batch. Unless memory dropped an event since the
        // query began, everything newer is in memory (or will be: accept() runs after each
        // commit), so memory takes over; entries this batch covers are skipped there.
        std::lock_guard lk(mu_);
        if (l.dropped == dropped_before) {
            l.from_table = false;
            if (!out.empty()) l.last_seq = std::max(l.last_seq, out.back().seq);  // processed whole, below
            while (!l.queue.empty() && l.queue.front().seq <= l.last_seq) l.queue.pop_front();
            while (!l.queue.empty() && out.size() < max) {
                out.push_back(std::move(l.queue.front()));
                l.queue.pop_front();
            }
        }
    }
    return out.size();
}

void dispatcher::run_one(SQLite::Database& db, const stored_event& se, group& g) {
    std::string failure;
    if (!se.unreadable.empty()) {
        failure = "unparsable stored event: " + se.unreadable;
    } else {
        try {
            storage::write_scope one(db);
            process_(se, db);
            storage::mark_event(db, se.seq, storage::event_state::processed, clock_());
            one.commit();
            g.processed.emplace_back(se.ev.name, se.received_at_ms);
            ++g.count;
            return;
        } catch (const std::exception& e) {
            failure = e.what();
        }
    }
    // The handler's writes were rolled back; record the failure so the event is not retried forever.
    spdlog::error("event {} seq {} failed: {}", se.ev.name.empty() ? "?" : se.ev.name, se.seq, failure);
    storage::mark_event(db, se.seq, storage::event_state::failed, clock_(), failure);
    ++g.count;
}

// Bulk events together in one savepoint: cheap handlers, many events, one rollback point. If one
// fails, the savepoint is rolled back and the batch goes again one by one, so only that one fails.
bool dispatcher::run_bulk(SQLite::Database& db, const std::vector<stored_event>& batch, group& g) {
    try {
        storage::write_scope all(db);
        const std::int64_t now = clock_();
        for (const auto& se : batch) {
            if (!se.unreadable.empty()) throw std::runtime_error(se.unreadable);
            process_(se, db);
            storage::mark_event(db, se.seq, storage::event_state::processed, now);
        }
        all.commit();
        for (const auto& se : batch) g.processed.emplace_back(se.ev.name, se.received_at_ms);
        g.count += batch.size();
        return true;
    } catch (const std::exception&) {
        for (const auto& se : batch) run_one(db, se, g);
        return false;
    }
}

bool dispatcher::drain_group(SQLite::Database& db) {
    last_count_ = 0;
    if (stop_) return false;
    const auto started = std::chrono::steady_clock::now();
    const std::array<std::int64_t, 2> last_before{lanes_[people].last_seq, lanes_[bulk].last_seq};

    std::vector<stored_event> p, b;
    take(db, storage::event_lane::people, people_step, p);
    // Bulk events wait while people's messages are there, up to bulk_max_wait.
    std::int64_t bulk_oldest = 0;
    {
        std::lock_guard lk(mu_);
        if (!lanes_[bulk].queue.empty()) bulk_oldest = lanes_[bulk].queue.front().received_at_ms;
    }
    const bool bulk_table = [&] {
        std::lock_guard lk(mu_);
        return lanes_[bulk].from_table;
    }();
    if (p.empty() || bulk_table) take(db, storage::event_lane::bulk, bulk_step, b);
    if (!b.empty()) bulk_oldest = b.front().received_at_ms;
    if (p.empty() && b.empty()) return waiting();

    // The budget grows with the lag (a quarter of it, within [min, max]): at low load a group
    // holds the write lock for about 2 ms, so the webhook's next group commit waits little; when
    // events pile up, groups grow, so processing catches up with whatever the webhook
    // acknowledges. Lag degrades; nothing starves.
    const std::int64_t now = clock_();
    std::int64_t oldest = p.empty() ? bulk_oldest : p.front().received_at_ms;
    if (bulk_oldest != 0) oldest = std::min(oldest, bulk_oldest);
    const auto lag = std::chrono::milliseconds(std::max<std::int64_t>(0, now - oldest));
    const auto budget = std::clamp(lag / 4, opts_.min_budget, opts_.max_budget);
    const auto deadline = started + budget;
    const bool bulk_due = bulk_oldest != 0 && now - bulk_oldest >= opts_.bulk_max_wait.count();
    // The webhook's group commit waiting at the gate holds acknowledgements: a group that has
    // run for half its budget lets it go first and goes on after, while processing keeps up.
    // Under saturation the event log waits at the gate nearly always: groups that yielded after
    // their first step, or after at most 5 ms, processed 2,586 and 2,196 events/s while 5,848
    // and 4,486/s were acknowledged.
    const bool may_yield = lag < opts_.yield_below_lag;
    const auto yield_after = started + std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(budget / 2),
                                                  opts_.min_budget, std::max(opts_.min_budget, opts_.max_before_yield));
    const auto yield_now = [&] {
        return may_yield && opts_.yield && std::chrono::steady_clock::now() >= yield_after && opts_.yield();
    };

    group g;
    try {
        // The group's commit need not wait for the disk: see storage::deferred_sync.
        storage::deferred_sync relaxed(db);
        storage::write_scope tx(db);
        bool people_done = p.empty();
        while (!p.empty()) {
            for (const auto& se : p) {
                run_one(db, se, g);
                lanes_[people].last_seq = se.seq;
            }
            p.clear();
            if (stop_ || std::chrono::steady_clock::now() >= deadline || g.count >= opts_.max_group || yield_now()) break;
            if (take(db, storage::event_lane::people, people_step, p) == 0) people_done = true;
        }
        if (!stop_ && (people_done || bulk_due || !b.empty())) {
            for (;;) {
                if (b.empty() && take(db, storage::event_lane::bulk, bulk_step, b) == 0) break;
                run_bulk(db, b, g);
                lanes_[bulk].last_seq = b.back().seq;
                b.clear();
                if (stop_ || std::chrono::steady_clock::now() >= deadline || g.count >= opts_.max_group || yield_now()) break;
            }
        }
        tx.commit();
    } catch (...) {
        // Nothing of this group is committed: read it back from the table next time.
        std::lock_guard lk(mu_);
        for (std::size_t i = 0; i < lanes_.size(); ++i) {
            lanes_[i].last_seq = last_before[i];
            lanes_[i].from_table = true;
        }
        throw;
    }
    last_count_ = g.count;
    if (stats_) {
        const std::int64_t done_at = clock_();
        for (const auto& [name, received] : g.processed) {
            stats_->inc("cchcbot_events_processed_total", {{"event", name}});
            stats_->observe("cchcbot_event_processing_lag_seconds",
                            static_cast<double>(std::max<std::int64_t>(0, done_at - received)) / 1000.0);
        }
    }
    return waiting();
}

std::size_t dispatcher::drain(SQLite::Database& db) {
    std::size_t total = 0;
    for (;;) {
        const bool more = drain_group(db);
        total += last_count_;
        if (!more || stop_ || last_count_ == 0) break;
    }
    return total;
}

}  // namespace bot

// Dossiers: start-up hook of the running server (import API, import runs, the watched folder).
#include "bot/app/app.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/metrics.hpp"
#include "bot/core/worker.hpp"
#include "bot/dossiers/import_issue_text.hpp"
#include "bot/dossiers/import_run.hpp"
#include "bot/dossiers/import_watch.hpp"
#include "bot/dossiers/reminder_admin.hpp"
#include "bot/http/admin_api.hpp"
#include "bot/http/json_body.hpp"
#include "handlers/dossier_follow.hpp"
#include "storage/database.hpp"
#include "storage/dossier_repository.hpp"
#include "storage/import_run_repository.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace bot::app {

namespace {

namespace fs = std::filesystem;

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::size_t query_number(const api_request& r, const char* k, std::size_t def, std::size_t max) {
    auto it = r.http.query.find(k);
    if (it == r.http.query.end() || it->second.empty()) return def;
    try {
        std::size_t pos = 0;
        auto n = std::stoull(it->second, &pos);
        if (pos != it->second.size() || n > max) throw std::invalid_argument(k);
        return static_cast<std::size_t>(n);
    } catch (const std::exception&) {
        throw std::invalid_argument(std::string(k) + " must be a number up to " + std::to_string(max));
    }
}

/// 403 when a file was refused for rows of units the token does not serve (the import's scope),
/// naming the first lines; nothing was imported. nullopt when no row was outside the scope.
std::optional<http_response> scope_refusal(const api_request& r, const std::vector<import_error>& errors) {
    std::string outside;
    std::size_t count = 0;
    for (const auto& e : errors)
        if (e.code == "out_of_scope" && ++count <= 10)
            outside += (outside.empty() ? "" : "; ") + std::string("line ") + std::to_string(e.line) + ": unit \"" + e.value + "\"";
    if (count == 0) return std::nullopt;
    return json_error(403, "forbidden",
                      std::to_string(count) + " row(s) belong to units the token \"" + r.actor + "\" does not serve (" + outside +
                          (count > 10 ? "; ..." : "") + "); nothing was imported");
}

/// Import runs: a token serving every unit sees them all; another only the runs it made.
bool may_see_run(const api_request& r, const config& cfg, const storage::import_run& run) {
    return serves_unit(r, cfg, "") || (run.source == "api" && run.actor == r.actor);
}

/// The import's write half on the worker: each job waits for its turn like any other.
import_io worker_io(SQLite::Database& read, worker& work) {
    return import_io{read, [&work](const std::function<void(SQLite::Database&)>& job) { work.run_sync(job); }};
}

/// Changes tell their followers in runs of this many, each its own short job on the worker.
constexpr std::size_t notice_chunk = 500;

/// Counts a notice run in the Prometheus metrics and wakes the outbox when it queued something.
void after_notices(services& s, const handlers::notice_report& r) {
    if (r.changes == 0) return;
    s.stats.inc("cchcbot_dossier_notices_total", {{"channel", "cs"}}, static_cast<double>(r.queued_cs));
    s.stats.inc("cchcbot_dossier_notices_total", {{"channel", "zns"}}, static_cast<double>(r.queued_zns));
    s.stats.inc("cchcbot_dossier_notices_total", {{"channel", "none"}}, static_cast<double>(r.undeliverable));
    if (r.queued_cs + r.queued_zns > 0 && s.notify_outbox) s.notify_outbox();
}

/// Queues the notices pending changes call for (after an import, and on a timer for any left by
/// a stop or by a `cchcbot dossiers import` in another process), then wakes the outbox.
void send_notices(services& s) {
    auto& env = s.env;
    handlers::notice_report total;
    for (bool more = true; more;) {
        handlers::notice_report rep;
        s.work.run_sync([&](SQLite::Database& db) {
            auto ctx = env.context(db);
            rep = handlers::run_dossier_notices(ctx, notice_chunk);
        });
        more = rep.more;
        total.changes += rep.changes;
        total.queued_cs += rep.queued_cs;
        total.queued_zns += rep.queued_zns;
        total.undeliverable += rep.undeliverable;
    }
    if (total.changes == 0) return;
    spdlog::info("dossier notices: {} change(s), {} consultation, {} ZNS, {} not deliverable", total.changes, total.queued_cs,
                 total.queued_zns, total.undeliverable);
    after_notices(s, total);
}

void add_dossier_resources(services& s) {
    const auto& cfg = s.env.cfg;
    auto& env = s.env;
    auto& work = s.work;
    auto* svc = &s;
    const std::vector<api_role> ops = {api_role::operator_};
    // Off the worker: parsing and comparing a big export happen here; the writes go to the
    // worker in short jobs. `?dry_run=1` answers with the preview and writes nothing.
    s.api.add_task("POST", "/api/v1/dossiers", ops, [&cfg, &env, &work, svc](const api_request& r, SQLite::Database& read) {
        std::string ct;
        if (auto it = r.http.headers.find("Content-Type"); it != r.http.headers.end()) ct = lower(it->second);
        import_request req;
        req.source = "api";
        req.actor = r.actor;
        req.scope = r.scope;  // rows of units the token does not serve refuse the whole file
        if (ct.find("json") != std::string::npos)
            req.format = "json";
        else if (ct.find("csv") != std::string::npos)
            req.format = "csv";
        else if (ct.find("spreadsheetml") != std::string::npos)
            req.format = "xlsx";
        else if (ct.find("octet-stream") == std::string::npos)
            return json_error(415, "unsupported_media_type",
                              "send text/csv, application/json, an XLSX workbook "
                              "(application/vnd.openxmlformats-officedocument.spreadsheetml.sheet) or application/octet-stream");
        if (auto it = r.http.query.find("file"); it != r.http.query.end()) req.file_name = it->second;
        const bool dry_run = r.http.query.count("dry_run") && r.http.query.at("dry_run") != "0";
        if (dry_run) {
            auto p = preview_dossier_import(read, r.http.body, cfg, req.scope);
            if (auto refusal = scope_refusal(r, p.errors)) return *refusal;
            return json_response(import_preview_json(p), p.ok() ? 200 : 422);
        }
        const std::string path = r.http.path;
        req.on_imported = [&r, path](SQLite::Database& db, const storage::upsert_stats&) { audit(db, r.actor, "POST " + path, "", "200"); };
        auto rep = run_dossier_import(worker_io(read, work), r.http.body, req, cfg, env.clock);
        if (rep.stats.notices_pending > 0) send_notices(*svc);
        if (rep.outcome == storage::import_outcome::rejected)
            if (auto refusal = scope_refusal(r, rep.parsed.errors)) return *refusal;
        const int status = rep.outcome == storage::import_outcome::imported ? 200 : rep.outcome == storage::import_outcome::rejected ? 422 : 500;
        return json_response(import_report_json(rep), status);
    });
    s.api.add_read("GET", "/api/v1/imports", ops, [&cfg](const api_request& r, SQLite::Database& db) {
        const auto limit = query_number(r, "limit", 50, 1000);
        const auto offset = query_number(r, "offset", 0, 100000000);
        std::string out = "[";
        for (const auto& run : storage::list_import_runs(db, limit, offset))
            if (may_see_run(r, cfg, run)) out += (out.size() > 1 ? "," : "") + import_run_json(run, cfg.time.utc_offset_minutes);
        return json_response(out + "]");
    });
    s.api.add_read("GET", "/api/v1/imports/:id", ops, [&cfg](const api_request& r, SQLite::Database& db) {
        std::int64_t id = 0;
        try {
            std::size_t pos = 0;
            id = std::stoll(r.path_params.at(0), &pos);
            if (pos != r.path_params.at(0).size()) throw std::invalid_argument("id");
        } catch (const std::exception&) {
            throw std::out_of_range("no import run \"" + r.path_params.at(0) + "\"");
        }
        auto run = storage::find_import_run(db, id);
        if (!run) throw std::out_of_range("no import run \"" + r.path_params.at(0) + "\"");
        if (!may_see_run(r, cfg, *run))
            throw api_forbidden("import run " + r.path_params.at(0) + " was made by \"" + run->actor +
                                "\"; the token \"" + r.actor + "\" sees only its own runs (it does not serve every unit)");
        return json_response(import_run_detail_json(db, *run, cfg.time.utc_offset_minutes, query_number(r, "limit", 1000, 100000)));
    });
    s.api.add_read("GET", "/api/v1/dossiers/:code", ops, [&cfg](const api_request& r, SQLite::Database& db) {
        auto d = storage::find_dossier(db, r.path_params.at(0));
        if (!d) throw std::out_of_range("no dossier \"" + r.path_params.at(0) + "\"");
        require_unit(r, cfg, d->unit_id, "dossier \"" + d->code + "\"");
        return json_response(dossier_json(*d));
    });
    s.api.add_read("GET", "/api/v1/dossiers", ops, [&cfg, &env](const api_request& r, SQLite::Database& db) {
        storage::dossier_filter f;
        auto q = [&](const char* k) {
            auto it = r.http.query.find(k);
            return it == r.http.query.end() ? std::string{} : it->second;
        };
        f.unit_id = q("unit");
        f.official_id = q("official");
        f.status = q("status");
        if (!f.status.empty() && f.status != "open" && f.status != "returned" && f.status != "overdue" &&
            !storage::dossier_state_from(f.status))
            throw std::invalid_argument(
                "status must be open, returned, overdue or a state (received, processing, supplement, result_ready, withdrawn)");
        if (!f.unit_id.empty()) {
            require_known_unit(cfg, "unit", f.unit_id);
            require_unit(r, cfg, f.unit_id, "unit \"" + f.unit_id + "\"");
        } else if (!r.scope.all) {
            f.unit_ids = served_units(r, cfg);  // only the token's units
            if (f.unit_ids.empty()) return json_response("[]");
        }
        f.today = to_iso(local_date_of(env.clock(), cfg.time.utc_offset_minutes));
        f.limit = query_number(r, "limit", 100, 1000);
        f.offset = query_number(r, "offset", 0, 100000000);
        std::string out = "[";
        for (const auto& d : storage::list_dossiers(db, f)) out += (out.size() > 1 ? "," : "") + dossier_json(d);
        return json_response(out + "]");
    });
}

/// Looks at [import] folder on its schedule and imports what is ready, one file at a time.
class folder_watch {
public:
    explicit folder_watch(services& s) : s_(s) {}
    ~folder_watch() { stop(); }

    void start() {
        thread_ = std::thread([this] { run(); });
    }
    void stop() {
        {
            std::lock_guard lk(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

private:
    void run() {
        const auto& cfg = s_.env.cfg;
        // The first look soon after start (files that arrived while the service was down), unless
        // the schedule names times of day.
        std::int64_t next = cfg.imports.times.empty() ? s_.env.clock() : next_watch_at(s_.env.clock(), cfg);
        for (;;) {
            {
                std::unique_lock lk(mu_);
                const auto wait = std::chrono::milliseconds(std::max<std::int64_t>(0, next - s_.env.clock()));
                if (cv_.wait_for(lk, wait, [this] { return stop_; })) return;
            }
            look();
            next = next_watch_at(s_.env.clock(), cfg);
        }
    }

    void look() {
        const auto& cfg = s_.env.cfg;
        std::vector<fs::path> files;
        try {
            files = ready_exports(cfg.imports.folder, cfg.imports.settle, fs::file_time_type::clock::now());
        } catch (const std::exception& e) {
            spdlog::error("import folder {}: {}", cfg.imports.folder, e.what());
            return;
        }
        for (const auto& f : files) {
            {
                std::lock_guard lk(mu_);
                if (stop_) return;
            }
            import_file(f);
        }
    }

    void import_file(const fs::path& f) {
        const auto& cfg = s_.env.cfg;
        std::string bytes;
        {
            std::ifstream in(f, std::ios::binary);
            if (!in) {
                spdlog::error("import folder: cannot read {}", f.string());
                return;
            }
            std::stringstream ss;
            ss << in.rdbuf();
            bytes = ss.str();
        }
        import_request req;
        req.source = "watch";
        req.actor = "watch";
        req.file_name = f.filename().string();
        import_report rep;
        try {
            auto read = storage::open_database(cfg.storage.path, false);
            rep = run_dossier_import(worker_io(*read, s_.work), bytes, req, cfg, s_.env.clock);
        } catch (const std::exception& e) {
            spdlog::error("import folder: {}: {}", f.string(), e.what());
            return;
        }
        if (rep.outcome == storage::import_outcome::failed) return;  // left in place: the next look tries again
        if (rep.stats.notices_pending > 0) send_notices(s_);
        const std::string report = rep.outcome == storage::import_outcome::rejected
                                       ? import_rejection_text(cfg, s_.env.texts, req.file_name, rep.parsed.errors)
                                       : std::string();
        const std::string stamp = format_local_datetime(s_.env.clock(), cfg.time.utc_offset_minutes);
        std::string safe_stamp;
        for (char c : stamp) safe_stamp.push_back(c == ' ' || c == ':' ? (c == ' ' ? '_' : '-') : c);
        try {
            archive_export(f, rep.outcome == storage::import_outcome::imported, safe_stamp, report);
        } catch (const std::exception& e) {
            spdlog::error("import folder: cannot move {} aside: {}", f.string(), e.what());
        }
        if (rep.outcome == storage::import_outcome::imported)
            spdlog::info("import folder: {}: {} rows, {} new, {} updated, {} unchanged, {} state changes ({} ms, merge {} ms)",
                         req.file_name, rep.parsed.rows.size(), rep.stats.inserted, rep.stats.updated, rep.stats.unchanged,
                         rep.stats.state_changes, rep.duration_ms, rep.merge_ms);
        else
            spdlog::warn("import folder: {} rejected: {} row(s) with errors (run {}; see rejected/)", req.file_name,
                         distinct_lines(rep.parsed.errors), rep.run_id);
    }

    services& s_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace

void start_dossiers(services& s) {
    add_dossier_resources(s);
    s.stats.describe("cchcbot_dossier_notices_total", "counter",
                     "Dossier status notices to followers, by channel (none = not deliverable)");
    s.work.every(std::chrono::minutes(1), [&s](SQLite::Database& db) {
        // Changes left pending (a stop, or an import by `cchcbot dossiers import` in another
        // process): one bounded run per minute.
        auto ctx = s.env.context(db);
        after_notices(s, handlers::run_dossier_notices(ctx, notice_chunk));
    });
    const auto& cfg = s.env.cfg;
    if (cfg.imports.folder.empty()) return;
    std::error_code ec;
    if (!fs::is_directory(cfg.imports.folder, ec))
        throw config_error("configuration: import.folder: not a folder: " + cfg.imports.folder);
    auto watch = std::make_shared<folder_watch>(s);
    watch->start();
    auto previous = s.on_shutdown;
    s.on_shutdown = [watch, previous] {
        watch->stop();
        if (previous) previous();
    };
    spdlog::info("import folder {}: looked at {}", cfg.imports.folder,
                 cfg.imports.times.empty() ? "every " + std::to_string(cfg.imports.interval.count()) + " s"
                                           : "at set times of day");
}

}  // namespace bot::app

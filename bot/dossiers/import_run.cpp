// Dossier import runs: parse, compare, place and stage in short writes, merge once, record.
#include "bot/dossiers/import_run.hpp"

#include "bot/core/config.hpp"
#include "bot/core/crypto.hpp"
#include "bot/dossiers/export_table.hpp"
#include "bot/core/local_time.hpp"
#include "storage/import_run_repository.hpp"
#include "storage/official_repository.hpp"
#include "storage/write_scope.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace bot {

namespace {

/// Issues kept per run and kind: a file of 100,000 bad rows says what is wrong in the first few thousand.
constexpr std::size_t max_stored_issues = 2000;
/// A run's issues and per-dossier changes are kept this long (the run's counters stay).
constexpr std::int64_t detail_retention_ms = 180LL * 24 * 3600 * 1000;
/// Staging rows older than this belong to an import that died.
constexpr std::int64_t stale_staging_ms = 3600LL * 1000;
// How long one of an import's writes should hold the write connection.
constexpr std::chrono::microseconds write_target{20'000};

std::mutex& import_mutex() {
    static std::mutex m;
    return m;
}

std::int64_t elapsed_ms(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since).count();
}

import_result parse(std::string_view bytes, const std::string& format, const import_context& ctx) {
    if (format == "json") return parse_dossier_json(bytes, ctx);
    if (format == "csv") return parse_dossier_table(read_csv_table(bytes), ctx);
    if (format == "xlsx") return parse_dossier_table(read_xlsx_table(bytes), ctx);
    return parse_dossier_file(bytes, ctx);
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
    return out;
}

/// Parsing and comparing: the read half of both the preview and the run.
struct comparison {
    import_result parsed;
    import_preview preview;
    std::vector<storage::staged_row> to_write;  ///< rows that differ from the stored ones
};

comparison compare(SQLite::Database& read, std::string_view bytes, const std::string& format, const config& cfg,
                   const unit_scope& scope) {
    comparison c;
    const auto officials = storage::list_officials(read, true);
    c.parsed = parse(bytes, format, import_context{cfg, &officials, &scope});
    auto& p = c.preview;
    p.format = c.parsed.format;
    p.errors = c.parsed.errors;
    p.warnings = c.parsed.warnings;
    p.columns = c.parsed.columns;
    p.ignored_columns = c.parsed.ignored_columns;
    p.skipped = c.parsed.skipped;
    p.rows = c.parsed.rows.size();
    if (!c.parsed.ok()) return c;
    storage::dossier_reader reader(read);
    for (const auto& d : c.parsed.rows) {
        auto before = reader.find(d.code);
        dossier_change ch;
        ch.code = d.code;
        ch.new_state = storage::to_string(storage::stored_state(d));
        ch.new_due_on = d.due_on;
        if (!before) {
            ch.kind = "inserted";
            ++p.inserted;
            c.to_write.push_back({&d, {}});
        } else {
            ch.fields = storage::changed_fields(*before, d);
            if (ch.fields.empty()) {
                ++p.unchanged;
                continue;
            }
            ch.kind = "updated";
            ch.old_state = storage::to_string(storage::stored_state(*before));
            ch.old_due_on = before->due_on;
            ++p.updated;
            c.to_write.push_back({&d, join(ch.fields)});
        }
        p.changes.push_back(std::move(ch));
    }
    return c;
}

std::vector<storage::import_run_issue> issues_of(const import_result& r, const std::string& file) {
    std::vector<storage::import_run_issue> out;
    auto add = [&](const std::vector<import_error>& list, const char* kind) {
        for (std::size_t i = 0; i < list.size() && i < max_stored_issues; ++i)
            out.push_back({kind, file, static_cast<std::int64_t>(list[i].line), list[i].column, list[i].code, list[i].reason,
                           list[i].value});
    };
    add(r.errors, "error");
    add(r.warnings, "warning");
    return out;
}

boost::json::array issues_json(const std::vector<import_error>& list) {
    boost::json::array a;
    for (std::size_t i = 0; i < list.size() && i < max_stored_issues; ++i) {
        const auto& e = list[i];
        boost::json::object o{{"line", e.line}, {"reason", e.reason}};
        if (!e.column.empty()) o["column"] = e.column;
        if (!e.code.empty()) o["code"] = e.code;
        a.push_back(std::move(o));
    }
    return a;
}

boost::json::array strings_json(const std::vector<std::string>& v) {
    boost::json::array a;
    for (const auto& s : v) a.push_back(boost::json::value(s));
    return a;
}

void put_read_part(boost::json::object& j, const std::string& format, const std::vector<import_error>& errors,
                   const std::vector<import_error>& warnings, const std::vector<std::string>& ignored, std::size_t rejected) {
    j["format"] = format;
    if (!errors.empty()) {
        j["error"] = "invalid_rows";
        j["detail"] = std::to_string(rejected) + " row(s) rejected; nothing was imported";
        j["rows"] = issues_json(errors);
    }
    j["warnings"] = issues_json(warnings);
    j["ignored_columns"] = strings_json(ignored);
}

}  // namespace

import_preview preview_dossier_import(SQLite::Database& read_db, std::string_view bytes, const config& cfg,
                                      const unit_scope& scope, import_result* parsed) {
    auto c = compare(read_db, bytes, "", cfg, scope);
    if (parsed) *parsed = std::move(c.parsed);  // the preview's changes do not point into the rows
    return std::move(c.preview);
}

import_report run_dossier_import(const import_io& io, std::string_view bytes, const import_request& req, const config& cfg,
                                 const std::function<std::int64_t()>& clock) {
    std::lock_guard lk(import_mutex());
    const auto t0 = std::chrono::steady_clock::now();
    import_report rep;
    storage::import_run run;
    run.started_at = clock();
    run.source = req.source;
    run.actor = req.actor;
    run.file_name = req.file_name;

    auto record = [&](storage::import_outcome outcome, std::vector<storage::import_run_issue> issues) {
        run.outcome = outcome;
        run.finished_at = clock();
        run.duration_ms = elapsed_ms(t0);
        io.write([&](SQLite::Database& db) {
            storage::write_scope tx(db);
            rep.run_id = storage::insert_import_run(db, run, issues);
            if (run.outcome == storage::import_outcome::imported && req.on_imported) req.on_imported(db, rep.stats);
            tx.commit();
        });
    };

    comparison c;
    try {
        c = compare(io.read, bytes, req.format, cfg, req.scope);
    } catch (const std::exception& e) {
        rep.outcome = storage::import_outcome::failed;
        rep.detail = std::string("cannot compare with the stored dossiers: ") + e.what();
        run.detail = rep.detail;
        spdlog::error("dossier import {}: {}", req.file_name, rep.detail);
        try {
            record(storage::import_outcome::failed, {});
        } catch (const std::exception&) {
        }
        return rep;
    }
    rep.parsed = std::move(c.parsed);
    run.format = rep.parsed.format;
    run.rows = static_cast<std::int64_t>(rep.parsed.rows.size());
    run.rejected = static_cast<std::int64_t>(distinct_lines(rep.parsed.errors));
    run.warnings = static_cast<std::int64_t>(rep.parsed.warnings.size());
    run.unchanged = static_cast<std::int64_t>(c.preview.unchanged);

    if (!rep.parsed.ok()) {
        rep.outcome = storage::import_outcome::rejected;
        run.detail = std::to_string(run.rejected) + " row(s) rejected; nothing was imported";
        record(storage::import_outcome::rejected, issues_of(rep.parsed, req.file_name));
        rep.duration_ms = run.duration_ms;
        return rep;
    }
    rep.stats.unchanged = c.preview.unchanged;
    if (c.to_write.empty()) {
        // Nothing differs: no dossier is written, only the run's own record.
        rep.outcome = storage::import_outcome::imported;
        record(storage::import_outcome::imported, issues_of(rep.parsed, req.file_name));
        rep.duration_ms = run.duration_ms;
        return rep;
    }

    // Write in chunks, each its own short transaction on the write connection, so a big file
    // never holds it for long; then merge and show everything in one short transaction.
    const std::string batch = random_hex(8);
    const std::int64_t now = clock();
    const std::size_t chunk = std::max<std::size_t>(cfg.imports.chunk_rows, 1);
    bool merged = true;
    // New dossiers are placed in the table chunk by chunk, hidden above the visibility ceiling
    // until the merge's commit shows them all at once (storage migration 51): a first import of
    // 100,000 rows then never holds the write connection for the whole insert. In code order, they
    // are appended to the primary key's b-tree (about half the time of file order).
    std::stable_sort(c.to_write.begin(), c.to_write.end(),
                     [](const storage::staged_row& a, const storage::staged_row& b) { return a.row->code < b.row->code; });
    bool placing = false;
    std::size_t placed = 0;
    auto drop_hidden_rows = [&] {
        for (bool more = true; more;)
            io.write([&](SQLite::Database& db) { more = storage::drop_hidden(db, batch, chunk) > 0; });
    };
    try {
        io.write([&](SQLite::Database& db) { storage::clear_stale_staging(db, now - stale_staging_ms); });
        // One import places at a time (another process's, e.g. the command line beside the server):
        // wait for it, or for its placement to go stale if it died.
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(storage::placement_stale_ms + 10'000);
        for (;;) {
            io.write([&](SQLite::Database& db) { placing = storage::claim_placement(db, batch, clock()); });
            if (placing || std::chrono::steady_clock::now() > give_up) break;
            std::this_thread::sleep_for(std::chrono::seconds(1));
        }
        if (!placing) throw std::runtime_error("another dossier import is still writing; try again later");
        drop_hidden_rows();  // what an import that died left behind
        // Each write stays near write_target whatever the machine's speed (a reply waits behind one
        // at most at each of its steps): the rows per write follow the last write's time, up to
        // import.chunk_rows.
        std::size_t rows_per_write = chunk;
        const std::size_t fewest = std::min<std::size_t>(50, chunk);
        for (std::size_t first = 0; first < c.to_write.size();) {
            const std::size_t take = std::min(rows_per_write, c.to_write.size() - first);
            const std::vector<storage::staged_row> part(
                c.to_write.begin() + static_cast<std::ptrdiff_t>(first),
                c.to_write.begin() + static_cast<std::ptrdiff_t>(first + take));
            std::chrono::microseconds took{};
            io.write([&](SQLite::Database& db) {
                const auto t = std::chrono::steady_clock::now();
                storage::write_scope tx(db);
                if (!storage::claim_placement(db, batch, clock()))
                    throw std::runtime_error("this import stalled and another took over; nothing was imported");
                placed += storage::stage_dossiers(db, batch, static_cast<std::int64_t>(first), part, now, true);
                tx.commit();
                took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t);
                rep.longest_chunk_ms = std::max<std::int64_t>(rep.longest_chunk_ms, took.count() / 1000);
            });
            ++rep.chunks;
            first += take;
            const auto us = std::max<std::int64_t>(took.count(), 1);
            rows_per_write = std::clamp<std::size_t>(
                static_cast<std::size_t>(static_cast<std::int64_t>(take) * write_target.count() / us), fewest, chunk);
        }
        io.write([&](SQLite::Database& db) {
            const auto t = std::chrono::steady_clock::now();
            storage::write_scope tx(db);
            run.outcome = storage::import_outcome::imported;
            run.finished_at = clock();
            run.id = storage::insert_import_run(db, run, issues_of(rep.parsed, req.file_name));
            if (!storage::holds_placement(db, batch))
                throw std::runtime_error("this import stalled and another took over; nothing was imported");
            auto st = storage::merge_staged(db, batch, run.id, now);
            st.inserted += placed;
            st.unchanged = c.preview.unchanged + (c.to_write.size() - st.inserted - st.updated);
            run.inserted = static_cast<std::int64_t>(st.inserted);
            run.updated = static_cast<std::int64_t>(st.updated);
            run.unchanged = static_cast<std::int64_t>(st.unchanged);
            run.state_changes = static_cast<std::int64_t>(st.state_changes);
            run.merge_ms = elapsed_ms(t);
            run.duration_ms = elapsed_ms(t0);
            storage::update_import_run(db, run);
            storage::prune_import_details(db, now - detail_retention_ms);
            if (req.on_imported) req.on_imported(db, st);
            tx.commit();
            rep.stats = st;
            rep.merge_ms = run.merge_ms;
            rep.run_id = run.id;
        });
        rep.outcome = storage::import_outcome::imported;
    } catch (const std::exception& e) {
        merged = false;
        rep.outcome = storage::import_outcome::failed;
        rep.detail = std::string("storage: ") + e.what();
        run.detail = rep.detail;
        spdlog::error("dossier import {} failed: {}", req.file_name, e.what());
        try {
            io.write([&](SQLite::Database& db) { storage::drop_staged(db, batch); });
            if (placing) {
                drop_hidden_rows();
                io.write([&](SQLite::Database& db) { storage::release_placement(db, batch); });
            }
            record(storage::import_outcome::failed, issues_of(rep.parsed, req.file_name));
        } catch (const std::exception& e2) {
            spdlog::error("dossier import {}: cannot record the failure: {}", req.file_name, e2.what());
        }
    }
    if (merged && placed < c.to_write.size()) {
        // The merged rows leave staging in chunks after the merge's commit, so the merge itself
        // stays short; rows a failure leaves behind go with the next import's stale sweep.
        try {
            for (std::size_t first = 0; first < c.to_write.size(); first += chunk)
                io.write([&](SQLite::Database& db) {
                    storage::drop_staged(db, batch, static_cast<std::int64_t>(first), static_cast<std::int64_t>(chunk));
                });
        } catch (const std::exception& e) {
            spdlog::warn("dossier import {}: staging rows left for the next import to remove: {}", req.file_name, e.what());
        }
    }
    rep.duration_ms = elapsed_ms(t0);
    return rep;
}

import_report import_dossiers(SQLite::Database& db, std::string_view bytes, const config& cfg, std::int64_t now_ms,
                              std::optional<bool> json, const std::string& source) {
    import_request req;
    req.source = source;
    if (json) req.format = *json ? "json" : "csv";
    const import_io io{db, [&db](const std::function<void(SQLite::Database&)>& job) { job(db); }};
    return run_dossier_import(io, bytes, req, cfg, [now_ms] { return now_ms; });
}

std::string import_report_json(const import_report& r) {
    boost::json::object j;
    j["run"] = r.run_id;
    j["outcome"] = storage::to_string(r.outcome);
    put_read_part(j, r.parsed.format, r.parsed.errors, r.parsed.warnings, r.parsed.ignored_columns, distinct_lines(r.parsed.errors));
    if (r.outcome == storage::import_outcome::failed) {
        j["error"] = "import_failed";
        j["detail"] = r.detail;
    }
    if (r.outcome == storage::import_outcome::imported) {
        j["imported"] = r.parsed.rows.size();
        j["inserted"] = r.stats.inserted;
        j["updated"] = r.stats.updated;
        j["unchanged"] = r.stats.unchanged;
        j["state_changes"] = r.stats.state_changes;
        j["returned"] = r.stats.newly_returned;
        j["cancelled_reminders"] = r.stats.cancelled_reminders;
        j["notices"] = r.stats.notices_pending;
    }
    j["skipped_lines"] = r.parsed.skipped;
    j["duration_ms"] = r.duration_ms;
    j["merge_ms"] = r.merge_ms;
    j["writes"] = r.chunks;                      // chunks written before the merge
    j["longest_write_ms"] = r.longest_chunk_ms;  // the longest of them
    return boost::json::serialize(j);
}

std::string import_preview_json(const import_preview& p) {
    boost::json::object j;
    put_read_part(j, p.format, p.errors, p.warnings, p.ignored_columns, distinct_lines(p.errors));
    j["dossiers"] = p.rows;
    j["inserted"] = p.inserted;
    j["updated"] = p.updated;
    j["unchanged"] = p.unchanged;
    j["skipped_lines"] = p.skipped;
    boost::json::array cols;
    for (const auto& [f, h] : p.columns) cols.push_back(boost::json::object{{"field", f}, {"header", h}});
    j["columns"] = std::move(cols);
    boost::json::array ch;
    for (const auto& c : p.changes) {
        boost::json::object o{{"code", c.code}, {"kind", c.kind}, {"new_state", c.new_state}, {"new_due_on", c.new_due_on}};
        if (c.kind == "updated") {
            o["old_state"] = c.old_state;
            o["old_due_on"] = c.old_due_on;
            o["fields"] = strings_json(c.fields);
        }
        ch.push_back(std::move(o));
    }
    j["changes"] = std::move(ch);
    return boost::json::serialize(j);
}

std::string import_run_json(const storage::import_run& r, int utc_offset_minutes) {
    boost::json::object j{{"id", r.id},
                          {"started_at", format_local_datetime(r.started_at, utc_offset_minutes)},
                          {"duration_ms", r.duration_ms},
                          {"merge_ms", r.merge_ms},
                          {"source", r.source},
                          {"actor", r.actor},
                          {"file", r.file_name},
                          {"format", r.format},
                          {"outcome", storage::to_string(r.outcome)},
                          {"rows", r.rows},
                          {"inserted", r.inserted},
                          {"updated", r.updated},
                          {"unchanged", r.unchanged},
                          {"state_changes", r.state_changes},
                          {"rejected", r.rejected},
                          {"warnings", r.warnings}};
    if (!r.detail.empty()) j["detail"] = r.detail;
    return boost::json::serialize(j);
}

std::string import_run_detail_json(SQLite::Database& db, const storage::import_run& r, int utc_offset_minutes,
                                   std::size_t limit) {
    auto j = boost::json::parse(import_run_json(r, utc_offset_minutes)).as_object();
    boost::json::array issues;
    for (const auto& i : storage::import_run_issues(db, r.id, limit)) {
        boost::json::object o{{"kind", i.kind}, {"file", i.file}, {"line", i.line}, {"reason", i.reason}};
        if (!i.column.empty()) o["column"] = i.column;
        if (!i.code.empty()) o["code"] = i.code;
        issues.push_back(std::move(o));
    }
    j["issues"] = std::move(issues);
    boost::json::array changes;
    for (const auto& c : storage::import_run_changes(db, r.id, limit))
        changes.push_back(boost::json::object{{"code", c.code},
                                              {"old_state", c.old_state},
                                              {"new_state", c.new_state},
                                              {"old_due_on", c.old_due_on},
                                              {"new_due_on", c.new_due_on},
                                              {"fields", c.fields},
                                              {"notice", c.notice}});
    j["changes"] = std::move(changes);
    return boost::json::serialize(j);
}

}  // namespace bot

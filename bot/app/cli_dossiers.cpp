// Dossier commands: import (or preview) an export, list import runs, show one run.
#include "bot/app/app.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/messages.hpp"
#include "bot/core/wording.hpp"
#include "bot/dossiers/import_issue_text.hpp"
#include "bot/dossiers/import_run.hpp"
#include "handlers/dossier_follow.hpp"
#include "storage/database.hpp"
#include "storage/import_run_repository.hpp"

#include <CLI/CLI.hpp>
#include <SQLiteCpp/Database.h>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

namespace bot::app {

namespace {

struct dossier_args {
    std::string file;
    bool dry_run = false;
    bool json = false;
    std::size_t limit = 20;
    std::int64_t id = 0;
};

std::string read_whole(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw command_error("cannot read " + file);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// "file:12", "file, dòng 12" (XLSX: the sheet's row, as the upload's texts call it), "file, mục 3"
// (JSON), "file" (the whole file).
std::string where(const std::string& file, const std::string& format, std::size_t line) {
    if (line == 0) return file;
    if (format == "xlsx") return file + ", dòng " + std::to_string(line);
    if (format == "json") return file + ", mục " + std::to_string(line);
    return file + ":" + std::to_string(line);
}

// One issue as the console's upload words it (the officials who run this read Vietnamese): the
// file, then the text, which names the line itself; the parser's reason, placed by where(), for an
// issue without a text. `note` precedes a warning's text.
std::string issue_line(const std::string& file, const std::string& format, const import_error& e, const std::string& note,
                       const std::optional<std::string>& text) {
    if (!text) return where(file, format, e.line) + ": " + note + e.reason;
    return file + ": " + note + *text;
}

void print_issues(const config& cfg, const message_catalog& texts, const std::string& file, const std::string& format,
                  const std::vector<import_error>& errors, const std::vector<import_error>& warnings) {
    for (const auto& e : errors) std::cerr << issue_line(file, format, e, "", import_issue_words(cfg, texts, e)) << "\n";
    const std::string note = texts.render("import_cli_note") + " ";
    for (const auto& w : warnings) std::cerr << issue_line(file, format, w, note, import_issue_words(cfg, texts, w)) << "\n";
}

void print_ignored(const message_catalog& texts, const std::vector<std::string>& ignored) {
    if (ignored.empty()) return;
    std::string columns;
    for (std::size_t i = 0; i < ignored.size(); ++i) columns += (i ? ", " : "") + ignored[i];
    std::cout << texts.render("import_cli_ignored", {{"columns", columns}}) << "\n";
}


// A dossier state as officials read it ("Đang giải quyết"); the stored word when no text has it
// (a state a newer version wrote), or "-" for none (a new dossier's old state).
std::string state_words(const message_catalog& texts, const std::string& state) {
    if (state.empty()) return "-";
    const std::string key = "dossier_zns_state_" + state;
    return texts.has(key) ? texts.render(key) : state;
}

// The words of one stored run, for import_cli_runs_line, _run_head and _run_counts.
std::map<std::string, std::string> run_words(const message_catalog& texts, const storage::import_run& r, int offset) {
    const std::string source_key = "import_cli_source_" + r.source;
    return {{"id", std::to_string(r.id)},
            {"when", format_local_datetime(r.started_at, offset)},
            {"outcome", texts.render("import_cli_outcome_" + std::string(storage::to_string(r.outcome)))},
            {"source", texts.has(source_key) ? texts.render(source_key) : r.source},
            {"actor", r.actor.empty() ? "" : ", " + r.actor},
            {"file", r.file_name.empty() ? "-" : r.file_name},
            {"format", r.format.empty() ? "-" : r.format},
            {"rows", std::to_string(r.rows)},
            {"new", std::to_string(r.inserted)},
            {"updated", std::to_string(r.updated)},
            {"unchanged", std::to_string(r.unchanged)},
            {"state_changes", std::to_string(r.state_changes)},
            {"rejected", std::to_string(r.rejected)},
            {"warnings", std::to_string(r.warnings)},
            {"ms", std::to_string(r.duration_ms)},
            {"merge_ms", std::to_string(r.merge_ms)}};
}

// A stored issue in the upload's words. A run stored before its issues kept the cell as written
// (migration 52) has no value for a text that names it: then the parser's reason, placed by where().
std::string stored_issue_text(const config& cfg, const message_catalog& texts, const storage::import_run_issue& i,
                              const std::string& format) {
    const import_error e{static_cast<std::size_t>(i.line), i.reason, i.column, i.code, i.value};
    const std::string note = i.kind == "warning" ? texts.render("import_cli_note") + " " : std::string();
    return issue_line(i.file.empty() ? "-" : i.file, format, e, note, import_issue_words(cfg, texts, e, !i.value.empty()));
}

void register_import(CLI::App* ds, cli_options& opts, const std::shared_ptr<dossier_args>& a) {
    auto* imp = ds->add_subcommand("import", "Import an export (CSV, XLSX or JSON): upsert by code, all or nothing");
    imp->add_option("FILE", a->file, "the one-stop system's export (Vietnamese headers as exported, or the project's columns)")
        ->required();
    imp->add_flag("--dry-run", a->dry_run, "show what would change and every problem; write nothing");
    imp->add_flag("--json", a->json, "print the result as JSON");
    imp->callback([&opts, a] {
        auto cfg = load_config(source_for(opts));
        const std::string bytes = read_whole(a->file);
        auto db = storage::open_database(cfg.storage.path);
        const std::string name = std::filesystem::path(a->file).filename().string();
        // What this command prints is read by the officials who run it: in the console's words.
        const auto texts = load_messages(cfg);
        if (a->dry_run) {
            auto p = preview_dossier_import(*db, bytes, cfg);
            if (a->json) {
                std::cout << import_preview_json(p) << "\n";
            } else {
                print_issues(cfg, texts, a->file, p.format, p.errors, p.warnings);
                if (p.ok()) {
                    std::cout << texts.render("import_cli_would_import", {{"rows", std::to_string(p.rows)},
                                                                          {"new", std::to_string(p.inserted)},
                                                                          {"updated", std::to_string(p.updated)},
                                                                          {"unchanged", std::to_string(p.unchanged)}})
                              << "\n";
                    for (const auto& c : p.changes) {
                        if (c.kind != "updated") continue;
                        std::cout << "  " << c.code << ": ";
                        if (c.old_state != c.new_state) std::cout << c.old_state << " -> " << c.new_state << " ";
                        std::cout << "(";
                        for (std::size_t i = 0; i < c.fields.size(); ++i) std::cout << (i ? ", " : "") << c.fields[i];
                        std::cout << ")\n";
                    }
                    print_ignored(texts, p.ignored_columns);
                } else {
                    std::cerr << texts.render("import_cli_would_reject", {{"lines", std::to_string(distinct_lines(p.errors))}}) << "\n";
                }
            }
            if (!p.ok()) opts.exit_code = 1;
            return;
        }
        import_request req;
        req.source = "cli";
        req.file_name = name;
        const import_io io{*db, [&db](const std::function<void(SQLite::Database&)>& job) { job(*db); }};
        auto rep = run_dossier_import(io, bytes, req, cfg, [] { return now_ms(); });
        if (a->json) {
            std::cout << import_report_json(rep) << "\n";
            if (rep.outcome != storage::import_outcome::imported) opts.exit_code = 1;
            return;
        }
        print_issues(cfg, texts, a->file, rep.parsed.format, rep.parsed.errors, rep.parsed.warnings);
        const std::string run_id = std::to_string(rep.run_id);
        if (rep.outcome == storage::import_outcome::rejected) {
            std::cerr << texts.render("import_cli_rejected", {{"lines", std::to_string(distinct_lines(rep.parsed.errors))}, {"run", run_id}})
                      << "\n";
            opts.exit_code = 1;
            return;
        }
        if (rep.outcome == storage::import_outcome::failed)
            throw command_error(texts.render("import_cli_failed", {{"detail", rep.detail}}));
        std::cout << texts.render("import_cli_imported", {{"rows", std::to_string(rep.parsed.rows.size())},
                                                          {"new", std::to_string(rep.stats.inserted)},
                                                          {"updated", std::to_string(rep.stats.updated)},
                                                          {"unchanged", std::to_string(rep.stats.unchanged)},
                                                          {"state_changes", std::to_string(rep.stats.state_changes)},
                                                          {"returned", std::to_string(rep.stats.newly_returned)},
                                                          {"ms", std::to_string(rep.duration_ms)},
                                                          {"run", run_id}})
                  << "\n";
        print_ignored(texts, rep.parsed.ignored_columns);
        if (rep.stats.notices_pending == 0) return;
        // Followers' notices go into the outbox here; the running service sends them.
        handlers::context ctx{*db, cfg, texts, nullptr, [] { return now_ms(); }};
        handlers::notice_report total;
        for (bool more = true; more;) {
            auto r = handlers::run_dossier_notices(ctx);
            more = r.more;
            total.queued_cs += r.queued_cs;
            total.queued_zns += r.queued_zns;
            total.undeliverable += r.undeliverable;
        }
        std::cout << texts.render("import_cli_notices", {{"zalo", std::to_string(total.queued_cs)},
                                                         {"zns", std::to_string(total.queued_zns)},
                                                         {"undeliverable", std::to_string(total.undeliverable)}})
                  << "\n";
    });
}

void register_runs(CLI::App* ds, cli_options& opts, const std::shared_ptr<dossier_args>& a) {
    auto* runs = ds->add_subcommand("runs", "List import runs, newest first");
    runs->add_option("--limit", a->limit, "how many (default 20)")->check(CLI::Range(1, 1000));
    runs->add_flag("--json", a->json, "one JSON object per line");
    runs->callback([&opts, a] {
        auto cfg = load_config(source_for(opts));
        auto db = storage::open_database(cfg.storage.path);
        const int offset = cfg.time.utc_offset_minutes;
        const auto list = storage::list_import_runs(*db, a->limit);
        const auto texts = load_messages(cfg);
        for (const auto& r : list) {
            if (a->json) {
                std::cout << import_run_json(r, offset) << "\n";
                continue;
            }
            std::cout << texts.render("import_cli_runs_line", run_words(texts, r, offset)) << "\n";
        }
        if (list.empty() && !a->json) std::cout << texts.render("import_cli_no_runs") << "\n";
    });
    auto* one = ds->add_subcommand("run", "Show one import run: what changed and what was rejected (file and line)");
    one->add_option("ID", a->id, "run id (see `dossiers runs`)")->required();
    one->add_flag("--json", a->json, "as JSON");
    one->callback([&opts, a] {
        auto cfg = load_config(source_for(opts));
        auto db = storage::open_database(cfg.storage.path);
        const auto texts = load_messages(cfg);
        auto r = storage::find_import_run(*db, a->id);
        if (!r) throw command_error(texts.render("import_cli_no_run", {{"id", std::to_string(a->id)}}));
        const int offset = cfg.time.utc_offset_minutes;
        if (a->json) {
            std::cout << import_run_detail_json(*db, *r, offset, 100000) << "\n";
            return;
        }
        const auto words = run_words(texts, *r, offset);
        std::cout << texts.render("import_cli_run_head", words) << "\n" << texts.render("import_cli_run_counts", words) << "\n";
        if (r->outcome == storage::import_outcome::failed && !r->detail.empty())
            std::cout << texts.render("import_cli_run_failed", {{"detail", r->detail}}) << "\n";
        for (const auto& i : storage::import_run_issues(*db, r->id, 100000))
            std::cout << "  " << stored_issue_text(cfg, texts, i, r->format) << "\n";
        for (const auto& c : storage::import_run_changes(*db, r->id, 100000)) {
            std::string line = texts.render("import_cli_run_change", {{"code", c.code}, {"fields", c.fields}});
            if (c.old_state != c.new_state)
                line += " " + texts.render("import_cli_run_change_state",
                                           {{"from", state_words(texts, c.old_state)}, {"to", state_words(texts, c.new_state)}});
            if (c.old_due_on != c.new_due_on)
                line += " " + texts.render("import_cli_run_change_due", {{"from", c.old_due_on}, {"to", c.new_due_on}});
            std::cout << "  " << line << "\n";
        }
    });
}

}  // namespace

void register_dossier_commands(CLI::App& app, cli_options& opts) {
    auto* ds = app.add_subcommand("dossiers", "Dossiers from the one-stop system: import, runs, run");
    ds->require_subcommand(1);
    auto a = std::make_shared<dossier_args>();
    register_import(ds, opts, a);
    register_runs(ds, opts, a);
}

}  // namespace bot::app

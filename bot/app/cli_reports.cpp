// Report commands: report.
#include "bot/app/app.hpp"

#include "bot/language/knowledge_base.hpp"
#include "bot/reports/report.hpp"
#include "bot/reports/report_format.hpp"
#include "storage/database.hpp"

#include <CLI/CLI.hpp>
#include <SQLiteCpp/Database.h>

#include <filesystem>
#include <fstream>
#include <iostream>

namespace bot::app {

namespace {

struct report_args {
    std::string from;
    std::string to;
    std::string format = "text";
    std::string unit;
    std::string level;
    std::string oa;
    std::string out;
};

void write_out(const std::string& path, const std::string& content) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) throw command_error("cannot write " + path);
    f << content;
    if (!f.flush()) throw command_error("cannot write " + path);
}

void run_report(const cli_options& opts, const report_args& a) {
    auto env = make_environment(source_for(opts));
    report_request req{a.from, a.to, a.unit, a.level};
    req.oa = a.oa;
    try {
        validate(req, env->cfg);
    } catch (const report_request_error& e) {
        throw CLI::ValidationError(e.what());  // usage error: exit 2
    }
    const std::string& db_path = env->cfg.storage.path;
    if (db_path != ":memory:" && !std::filesystem::exists(db_path))
        throw command_error("database not found: " + db_path + " (set storage.path or CCHCBOT_STORAGE_PATH)");
    auto db = storage::open_database(db_path);
    report r = compute_report(*db, env->cfg, req, db_path);
    if (auto kb = env->kb.get())
        for (const auto& t : kb->topics()) r.topic_titles[t.id] = t.title;

    if (a.format == "xlsx") {
        const std::string path = a.out.empty() ? "bao-cao-" + a.from + "-" + a.to + ".xlsx" : a.out;
        try {
            write_xlsx(r, env->texts, path);
        } catch (const std::runtime_error& e) {
            throw command_error(e.what());
        }
        std::cout << "report written to " << path << "\n";
        return;
    }
    std::string content = a.format == "json" ? to_json(r) : a.format == "csv" ? to_csv(r) : to_text(r, env->texts);
    if (a.out.empty()) {
        std::cout << content;
        std::cout.flush();
    } else {
        write_out(a.out, content);
        std::cout << "report written to " << a.out << "\n";
    }
}

}  // namespace

void register_report_commands(CLI::App& app, cli_options& opts) {
    auto a = std::make_shared<report_args>();
    auto* rep = app.add_subcommand("report", "Period report: dossiers per level and unit, conversations, reminders, broadcasts");
    rep->add_option("--from", a->from, "first day, YYYY-MM-DD (local)")->required();
    rep->add_option("--to", a->to, "last day, YYYY-MM-DD (local), inclusive")->required();
    rep->add_option("--format", a->format, "text | csv | json | xlsx (default text)")
        ->check(CLI::IsMember({"text", "csv", "json", "xlsx"}));
    rep->add_option("--unit", a->unit, "only this unit id");
    rep->add_option("--level", a->level, "only this level id");
    rep->add_option("--oa", a->oa, "only this Official Account ([[oa]] id): its conversations, broadcasts and units");
    rep->add_option("--out", a->out, "write to FILE (xlsx default: bao-cao-<from>-<to>.xlsx)");
    rep->callback([&opts, a] { run_report(opts, *a); });
}

}  // namespace bot::app

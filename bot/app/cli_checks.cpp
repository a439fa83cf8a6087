// Checks an editor runs before a reload: `calendar check`, and what `kb check` prints.
#include "bot/app/app.hpp"
#include "bot/app/kb_commands.hpp"

#include "bot/core/calendar.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/wording.hpp"
#include "bot/language/knowledge_base.hpp"

#include <CLI/CLI.hpp>

#include <cmath>
#include <iostream>
#include <memory>

namespace bot::app {

namespace {

// The date the checks are made for: --today, else the local date now.
local_date check_date(const config& cfg, const std::string& today) {
    if (today.empty()) return local_date_of(now_ms(), cfg.time.utc_offset_minutes);
    auto d = parse_iso_date(today);
    if (!d) throw CLI::ValidationError("--today", "expected YYYY-MM-DD");
    return *d;
}

// Prints the calendar's errors and warnings; true when there is no error.
bool print_calendar(const config& cfg, const local_date& today, std::ostream& out) {
    auto rep = check_calendar(cfg, today);
    for (const auto& e : rep.errors) out << e << "\n";
    for (const auto& w : rep.warnings) out << "warning: " << w << "\n";
    return rep.errors.empty();
}

}  // namespace

int run_kb_check(const config& cfg, const std::string& today_text, std::ostream& out) {
    const local_date today = check_date(cfg, today_text);
    // The examples attached in the console are checked with the files (they are part of the
    // knowledge base the server loads).
    const auto stored = stored_kb_examples(cfg);
    auto problems = check_knowledge_base(cfg, stored);
    auto wording = missing_wording(cfg);
    problems.insert(problems.end(), wording.begin(), wording.end());
    auto facts = check_kb_facts(cfg, to_iso(today));
    problems.insert(problems.end(), facts.errors.begin(), facts.errors.end());
    for (const auto& p : problems) out << p << "\n";
    for (const auto& w : facts.warnings) out << "warning: " << w << "\n";
    const bool calendar_ok = print_calendar(cfg, today, out);
    if (!problems.empty() || !calendar_ok) {
        out << problems.size() << " problem(s) in " << cfg.kb.dir << (calendar_ok ? "" : "; the calendar has errors")
            << "\n";
        return 1;
    }
    auto loaded = load_knowledge_base(cfg, stored);
    std::size_t examples = 0;
    for (const auto& t : loaded->topics()) examples += t.examples.size();
    out << "ok: " << loaded->topics().size() << " topics, " << examples << " example questions in " << cfg.kb.dir
        << (stored.empty() ? "" : " (" + std::to_string(stored.size()) + " of them added in the console)")
        << "; calendar " << cfg.reminders.calendar_dir << " covers " << today.year << " and " << today.year + 1 << "\n";
    auto st = training_stats(*loaded);  // trains the learned model: a broken training file shows here too
    out << "learned model: " << st.training_examples << " training questions, " << st.out_of_scope
        << " out-of-scope messages (" << st.out_of_scope_subjects << " subjects); " << st.texts
        << " texts with generated variants, " << (st.cached ? "read from the model cache" : "trained") << " in "
        << std::lround(st.milliseconds) << " ms\n";
    return 0;
}

void register_check_commands(CLI::App& app, cli_options& opts) {
    auto* cal = app.add_subcommand("calendar", "Working-day calendar maintenance");
    cal->require_subcommand(1);
    auto* check = cal->add_subcommand(
        "check", "Check templates/calendar and [calendar]: a file for this year and the next, no provisional year");
    auto today = std::make_shared<std::string>();
    check->add_option("--today", *today, "check as of this local date YYYY-MM-DD (default: today)");
    check->callback([&opts, today] {
        auto cfg = load_config(source_for(opts));
        const local_date d = check_date(cfg, *today);
        if (!print_calendar(cfg, d, std::cout)) {
            opts.exit_code = 1;
            return;
        }
        std::cout << "ok: " << cfg.reminders.calendar_dir << " covers " << d.year << " and " << d.year + 1 << "\n";
    });
}

}  // namespace bot::app

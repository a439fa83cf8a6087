// Knowledge-base commands: ask, eval, kb check.
#include "bot/app/kb_commands.hpp"

#include "bot/language/knowledge_base.hpp"
#include "bot/language/normalize.hpp"
#include "handlers/citizen_question.hpp"
#include "handlers/dossier_lookup.hpp"
#include "storage/database.hpp"

#include <SQLiteCpp/Database.h>

#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <filesystem>
#include <memory>
#include <sstream>

namespace bot::app {

using io = storage::interaction_outcome;

std::optional<std::string> find_dossier_code(const config& cfg, std::string_view text) {
    return handlers::find_dossier_code(cfg, std::string(text));
}

// The same status answer a citizen gets on Zalo, read from the configured database.
std::string lookup_answer(const environment& env, const std::string& code) {
    // `ask` only reads: with no database yet there is no dossier to find, and none is created.
    std::error_code ec;
    if (env.cfg.storage.path != ":memory:" && !std::filesystem::exists(env.cfg.storage.path, ec))
        return env.texts.render("conversation_lookup_not_found", {{"code", code}});
    auto db = storage::open_database(env.cfg.storage.path);
    auto ctx = env.context(*db);
    auto out = handlers::dossier_lookup(ctx, "", code, "text", "");
    return out.messages.empty() ? env.texts.render("nlp_lookup_received", {{"code", code}}) : out.messages.front().text;
}

ask_result ask(const environment& env, std::string_view raw) {
    ask_result r;
    std::string text = nlp::to_nfc(raw);
    if (auto code = find_dossier_code(env.cfg, text)) {
        r.outcome = io::lookup;
        r.dossier_code = *code;
        r.answer = lookup_answer(env, *code);
        return r;
    }
    auto kb = env.kb.get();
    if (!kb) {
        r.answer = env.texts.render("nlp_fallback");
        return r;
    }
    auto m = kb->match(text);
    r.score = m.score;
    r.out_of_scope = m.out_of_scope;
    r.acknowledgement = m.acknowledgement;
    r.marker = m.marker;
    r.known = m.known;
    r.read = m.read;
    for (const auto& [t, s] : m.ranked) r.ranked.emplace_back(t->id, s);
    for (const auto& e : m.evidences) r.evidences.push_back({e.topic->id, e.model, e.lexical, e.combined});
    if (m.outcome == match_outcome::answered && m.topic && m.acknowledgement) {
        r.outcome = io::answered;
        r.topic = m.topic->id;
        r.answer = env.texts.render("nlp_thanks");
    } else if (m.outcome == match_outcome::answered && m.topic) {
        r.outcome = io::answered;
        r.topic = m.topic->id;
        r.answer = m.topic->answer;
    } else if (auto options = handlers::clarify_options(m.alternatives); m.outcome == match_outcome::clarified && !options.empty()) {
        r.outcome = io::clarified;
        // What the citizen reads on Zalo: the question back naming the topics (the buttons).
        r.answer = handlers::clarify_text(env.texts, options);
        for (const auto* t : options) r.alternatives.push_back(t->id);
    } else {
        r.outcome = io::fallback;
        r.answer = env.texts.render("nlp_fallback");
    }
    return r;
}

namespace {

std::string score_text(double s) {
    std::ostringstream os;
    os << std::fixed << std::setprecision(3) << s;
    return os.str();
}

double rounded(double s) { return std::round(s * 1000) / 1000; }

double percent(std::size_t a, std::size_t b) {
    return b ? std::round(10000.0 * static_cast<double>(a) / static_cast<double>(b)) / 100 : 0.0;
}

void print_eval(const eval_results& res, bool json) {
    const auto& lines = res.lines;
    std::map<std::string, std::map<std::string, std::size_t>> confusion;  // expected → got → count
    for (const auto& e : lines) {
        const auto& g = e.got;
        confusion[e.expected][g.outcome == io::answered ? g.topic : g.outcome == io::lookup ? "lookup" : "none"]++;
    }
    if (json) {
        boost::json::object o;
        o["total"] = lines.size();
        boost::json::array arr;
        for (const auto& e : lines) {
            boost::json::object l;
            l["line"] = e.line;
            l["expected"] = e.expected;
            l["topic"] = e.got.topic;
            l["outcome"] = std::string(storage::to_string(e.got.outcome));
            l["score"] = rounded(e.got.score);
            boost::json::array alts;
            for (const auto& a : e.got.alternatives) alts.emplace_back(a);
            l["alternatives"] = alts;
            boost::json::array ranked;
            for (const auto& [id, sc] : e.got.ranked) ranked.push_back(boost::json::array{boost::json::value(id), boost::json::value(rounded(sc))});
            l["ranked"] = std::move(ranked);
            l["out_of_scope"] = rounded(e.got.out_of_scope);
            boost::json::array ev;
            for (const auto& x : e.got.evidences)
                ev.push_back(boost::json::array{boost::json::value(x.topic), boost::json::value(rounded(x.model)),
                                                boost::json::value(rounded(x.lexical)), boost::json::value(rounded(x.combined))});
            l["evidence"] = std::move(ev);
            l["known"] = rounded(e.got.known);
            l["acknowledgement"] = e.got.acknowledgement;
            l["marker"] = e.got.marker;
            l["read"] = e.got.read;
            arr.push_back(std::move(l));
        }
        o["lines"] = std::move(arr);
        o["topic_lines"] = res.topic_lines;
        o["topic_correct"] = res.topic_correct;
        o["top1_accuracy"] = res.top1();
        o["right_or_clarified"] = res.right_or_clarified;
        o["right_or_clarified_rate"] = res.right_or_clarified_rate();
        o["topic_fallback"] = res.topic_fallback;
        o["none_lines"] = res.none_lines;
        o["none_fallback"] = res.none_fallback;
        o["none_fallback_rate"] = res.none_fallback_rate();
        o["wrong_answers"] = res.wrong;
        o["wrong_rate"] = res.wrong_rate();
        o["clarified"] = res.clarified;
        o["clarified_with_expected"] = res.clarified_with_expected;
        o["bars"] = boost::json::object{{"top1_accuracy", 92}, {"wrong_rate", 2}, {"none_fallback_rate", 90},
                                        {"right_or_clarified_rate", 97}};
        o["meets_bars"] = res.meets_bars();
        boost::json::object conf;
        for (const auto& [exp, gots] : confusion) {
            boost::json::object row;
            for (const auto& [g, c] : gots) row[g] = c;
            conf[exp] = std::move(row);
        }
        o["confusion"] = std::move(conf);
        std::cout << boost::json::serialize(o) << "\n";
        return;
    }
    std::cout << "questions: " << lines.size() << "\n"
              << "topic lines: " << res.topic_correct << "/" << res.topic_lines << " answered correctly ("
              << res.top1() << "%), " << res.topic_fallback << " fell back\n"
              << "right or asked back with the right option: " << res.right_or_clarified << "/" << res.topic_lines
              << " (" << res.right_or_clarified_rate() << "%)\n"
              << "none lines: " << res.none_fallback << "/" << res.none_lines << " fell back ("
              << res.none_fallback_rate() << "%), " << res.none_clarified << " asked back\n"
              << "wrong answers: " << res.wrong << " (" << res.wrong_rate() << "%)\n"
              << "clarified: " << res.clarified << " (" << res.clarified_with_expected << " offered the expected topic)\n"
              << "bars (top-1 >= 92%, wrong <= 2%, none fallback >= 90%, right-or-clarified >= 97%): "
              << (res.meets_bars() ? "met" : "NOT met") << "\n";
    std::cout << "\nper topic (expected: correct/total; confused with):\n";
    for (const auto& [exp, gots] : confusion) {
        std::size_t total = 0, ok = 0;
        std::string others;
        for (const auto& [g, c] : gots) {
            total += c;
            if (g == exp) ok = c;
            else others += " " + g + "×" + std::to_string(c);
        }
        std::cout << "  " << exp << ": " << ok << "/" << total << (others.empty() ? "" : ";" + others) << "\n";
    }
    bool header = false;
    for (const auto& e : lines) {
        const auto& g = e.got;
        bool ok = e.expected == "none"     ? g.outcome == io::fallback
                  : e.expected == "lookup" ? g.outcome == io::lookup
                                           : g.outcome == io::answered && g.topic == e.expected;
        if (ok) continue;
        if (!header) std::cout << "\nmisses:\n";
        header = true;
        std::cout << "  line " << e.line << ": expected " << e.expected << ", got " << storage::to_string(g.outcome);
        if (g.outcome == io::answered) std::cout << " " << g.topic;
        if (!g.alternatives.empty()) {
            std::cout << " [";
            for (std::size_t i = 0; i < g.alternatives.size(); ++i) std::cout << (i ? " " : "") << g.alternatives[i];
            std::cout << "]";
        }
        std::cout << " (" << score_text(g.score) << "): " << e.question << "\n";
    }
}

}  // namespace

double eval_results::top1() const { return percent(topic_correct, topic_lines); }
double eval_results::wrong_rate() const { return percent(wrong, lines.size()); }
double eval_results::none_fallback_rate() const { return percent(none_fallback, none_lines); }
double eval_results::right_or_clarified_rate() const { return percent(right_or_clarified, topic_lines); }
bool eval_results::meets_bars() const {
    return top1() >= 92.0 && wrong_rate() <= 2.0 && none_fallback_rate() >= 90.0 && right_or_clarified_rate() >= 97.0;
}

eval_results evaluate(const environment& env, const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw command_error("cannot open " + file);
    const auto* kb = env.kb.get().get();
    eval_results res;
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (n == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a byte-order mark
        if (line.empty() || line[0] == '#') continue;
        auto tab = line.find('\t');
        if (tab == std::string::npos) throw command_error(file + ":" + std::to_string(n) + ": expected id<TAB>question");
        eval_line e{n, line.substr(0, tab), line.substr(tab + 1), {}};
        while (!e.expected.empty() && e.expected.back() == ' ') e.expected.pop_back();
        if (e.expected != "none" && e.expected != "lookup" && (!kb || !kb->find(e.expected)))
            throw command_error(file + ":" + std::to_string(n) + ": \"" + e.expected +
                                "\" is not a topic id of the knowledge base (nor none or lookup)");
        res.lines.push_back(std::move(e));
    }
    for (auto& e : res.lines) {
        e.got = ask(env, e.question);
        const auto& g = e.got;
        bool offered = false;
        if (g.outcome == io::clarified) {
            ++res.clarified;
            for (const auto& a : g.alternatives) offered = offered || a == e.expected;
            if (offered) ++res.clarified_with_expected;
        }
        if (e.expected == "none") {
            ++res.none_lines;
            if (g.outcome == io::fallback) ++res.none_fallback;
            if (g.outcome == io::clarified) ++res.none_clarified;
            if (g.outcome == io::answered || g.outcome == io::lookup) ++res.wrong;
            continue;
        }
        ++res.topic_lines;
        bool right = e.expected == "lookup" ? g.outcome == io::lookup : g.outcome == io::answered && g.topic == e.expected;
        if (right) ++res.topic_correct;
        if (right || offered) ++res.right_or_clarified;
        if (g.outcome == io::fallback) ++res.topic_fallback;
        if (!right && (g.outcome == io::answered || g.outcome == io::lookup)) ++res.wrong;
    }
    return res;
}

namespace {

void run_eval(const environment& env, const std::string& file, bool json) { print_eval(evaluate(env, file), json); }

}  // namespace

void register_kb_commands(CLI::App& app, cli_options& opts) {
    auto* ask_cmd = app.add_subcommand("ask", "Match a question against the knowledge base and print the answer");
    auto words = std::make_shared<std::vector<std::string>>();
    auto json = std::make_shared<bool>(false);
    ask_cmd->add_flag("--json", *json, "print one JSON object");
    ask_cmd->add_option("TEXT", *words, "the question, as a citizen would type it")->required();
    ask_cmd->callback([&opts, words, json] {
        auto env = make_environment(source_for(opts));
        std::string text;
        for (const auto& w : *words) text += (text.empty() ? "" : " ") + w;
        auto r = ask(*env, text);
        if (*json) {
            boost::json::object o;
            o["topic"] = r.topic;
            o["outcome"] = std::string(storage::to_string(r.outcome));
            o["score"] = rounded(r.score);
            boost::json::array alts;
            for (const auto& a : r.alternatives) alts.emplace_back(a);
            o["alternatives"] = std::move(alts);
            o["answer"] = r.answer;
            std::cout << boost::json::serialize(o) << "\n";
            return;
        }
        std::cout << "topic: " << r.topic << "\noutcome: " << storage::to_string(r.outcome) << "\nscore: " << score_text(r.score) << "\n";
        if (!r.alternatives.empty()) {
            std::cout << "alternatives:";
            for (const auto& a : r.alternatives) std::cout << " " << a;
            std::cout << "\n";
        }
        if (!r.dossier_code.empty()) std::cout << "dossier code: " << r.dossier_code << "\n";
        if (!r.ranked.empty()) {
            std::cout << "ranked:";
            for (const auto& [id, s] : r.ranked) std::cout << " " << id << "=" << score_text(s);
            std::cout << " (out of scope " << score_text(r.out_of_scope) << ")\n";
        }
        std::cout << "\n" << r.answer << "\n";
    });

    auto* eval_cmd = app.add_subcommand("eval", "Accuracy of the matcher on a file of id<TAB>question lines");
    auto file = std::make_shared<std::string>();
    auto eval_json = std::make_shared<bool>(false);
    eval_cmd->add_flag("--json", *eval_json, "print one JSON object");
    eval_cmd->add_option("FILE", *file, "question file (id<TAB>question; id `none` for out-of-scope)")->required();
    eval_cmd->callback([&opts, file, eval_json] {
        auto env = make_environment(source_for(opts));
        run_eval(*env, *file, *eval_json);
    });

    auto* kb = app.add_subcommand("kb", "Knowledge-base maintenance");
    kb->require_subcommand(1);
    auto* check = kb->add_subcommand("check", "Validate templates/kb (fields, ids, placeholders, lengths, dates) and the calendar");
    auto today = std::make_shared<std::string>();
    check->add_option("--today", *today, "check dates as of this local date YYYY-MM-DD (default: today)");
    check->callback([&opts, today] { opts.exit_code = run_kb_check(load_config(source_for(opts)), *today, std::cout); });
}

}  // namespace bot::app

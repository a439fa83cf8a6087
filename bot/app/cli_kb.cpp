// Knowledge-base commands: ask, eval, kb check.
#include "bot/app/kb_commands.hpp"

#include "bot/language/knowledge_base.hpp"
#include "bot/language/normalize.hpp"
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
#include <memory>
#include <sstream>

namespace bot::app {

std::optional<std::string> find_dossier_code(const config& cfg, std::string_view text) {
    return handlers::find_dossier_code(cfg, std::string(text));
}

// The same status answer a citizen gets on Zalo, read from the configured database.
std::string lookup_answer(const environment& env, const std::string& code) {
    auto db = storage::open_database(env.cfg.storage.path);
    auto ctx = env.context(*db);
    auto out = handlers::dossier_lookup(ctx, "", code, "text", "");
    return out.messages.empty() ? env.texts.render("nlp_lookup_received", {{"code", code}}) : out.messages.front().text;
}

ask_result ask(const environment& env, std::string_view raw) {
    ask_result r;
    std::string text = nlp::to_nfc(raw);
    if (auto code = find_dossier_code(env.cfg, text)) {
        r.outcome = "lookup";
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
    r.outcome = m.outcome;
    r.score = m.score;
    r.out_of_scope = m.out_of_scope;
    for (const auto& [t, s] : m.ranked) r.ranked.emplace_back(t->id, s);
    if (m.outcome == "answered" && m.topic) {
        r.topic = m.topic->id;
        r.answer = m.topic->answer;
    } else if (m.outcome == "clarified") {
        r.answer = env.texts.render("nlp_clarify");
        for (const auto* t : m.alternatives) {
            r.alternatives.push_back(t->id);
            r.answer += "\n- " + t->title;
        }
    } else {
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

struct eval_line {
    std::size_t line;
    std::string expected;
    std::string question;
    ask_result got;
};

void run_eval(const environment& env, const std::string& file, bool json) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw command_error("cannot open " + file);
    std::vector<eval_line> lines;
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        auto tab = line.find('\t');
        if (tab == std::string::npos) throw command_error(file + ":" + std::to_string(n) + ": expected id<TAB>question");
        eval_line e{n, line.substr(0, tab), line.substr(tab + 1), {}};
        e.got = ask(env, e.question);
        lines.push_back(std::move(e));
    }
    std::size_t topic_lines = 0, topic_correct = 0, none_lines = 0, none_fallback = 0, wrong = 0, clarified = 0,
                clarified_ok = 0, fallback_on_topic = 0;
    std::map<std::string, std::map<std::string, std::size_t>> confusion;  // expected → got → count
    std::vector<const eval_line*> misses;
    for (const auto& e : lines) {
        const auto& g = e.got;
        bool is_none = e.expected == "none";
        bool is_lookup = e.expected == "lookup";
        std::string got = g.outcome == "answered" ? g.topic : g.outcome == "lookup" ? "lookup" : "none";
        confusion[e.expected][got]++;
        if (g.outcome == "clarified") {
            ++clarified;
            for (const auto& a : g.alternatives)
                if (a == e.expected) ++clarified_ok;
        }
        bool ok;
        if (is_none) {
            ++none_lines;
            ok = g.outcome == "fallback" || g.outcome == "clarified";
            if (g.outcome == "fallback") ++none_fallback;
            if (g.outcome == "answered") ++wrong;
        } else if (is_lookup) {
            ++topic_lines;
            ok = g.outcome == "lookup";
            if (ok) ++topic_correct;
        } else {
            ++topic_lines;
            ok = g.outcome == "answered" && g.topic == e.expected;
            if (ok) ++topic_correct;
            if ((g.outcome == "answered" && g.topic != e.expected) || g.outcome == "lookup") ++wrong;
            if (g.outcome == "fallback") ++fallback_on_topic;
        }
        if (!ok) misses.push_back(&e);
    }
    auto pct = [](std::size_t a, std::size_t b) { return b ? std::round(10000.0 * static_cast<double>(a) / static_cast<double>(b)) / 100 : 0.0; };
    if (json) {
        boost::json::object o;
        o["total"] = lines.size();
        boost::json::array arr;
        for (const auto& e : lines) {
            boost::json::object l;
            l["line"] = e.line;
            l["expected"] = e.expected;
            l["topic"] = e.got.topic;
            l["outcome"] = e.got.outcome;
            l["score"] = rounded(e.got.score);
            boost::json::array alts;
            for (const auto& a : e.got.alternatives) alts.emplace_back(a);
            l["alternatives"] = alts;
            boost::json::array ranked;
            for (const auto& [id, sc] : e.got.ranked) ranked.push_back(boost::json::array{boost::json::value(id), boost::json::value(rounded(sc))});
            l["ranked"] = std::move(ranked);
            l["out_of_scope"] = rounded(e.got.out_of_scope);
            arr.push_back(std::move(l));
        }
        o["lines"] = std::move(arr);
        o["topic_lines"] = topic_lines;
        o["topic_correct"] = topic_correct;
        o["top1_accuracy"] = pct(topic_correct, topic_lines);
        o["none_lines"] = none_lines;
        o["none_fallback"] = none_fallback;
        o["none_fallback_rate"] = pct(none_fallback, none_lines);
        o["wrong_answers"] = wrong;
        o["wrong_rate"] = pct(wrong, lines.size());
        o["clarified"] = clarified;
        o["clarified_with_expected"] = clarified_ok;
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
              << "topic lines: " << topic_correct << "/" << topic_lines << " answered correctly ("
              << pct(topic_correct, topic_lines) << "%), " << fallback_on_topic << " fell back\n"
              << "none lines: " << none_fallback << "/" << none_lines << " fell back (" << pct(none_fallback, none_lines)
              << "%)\n"
              << "wrong answers: " << wrong << " (" << pct(wrong, lines.size()) << "%)\n"
              << "clarified: " << clarified << " (" << clarified_ok << " offered the expected topic)\n";
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
    if (!misses.empty()) {
        std::cout << "\nmisses:\n";
        for (const auto* e : misses) {
            std::cout << "  line " << e->line << ": expected " << e->expected << ", got " << e->got.outcome;
            if (e->got.outcome == "answered") std::cout << " " << e->got.topic;
            if (!e->got.alternatives.empty()) {
                std::cout << " [";
                for (std::size_t i = 0; i < e->got.alternatives.size(); ++i)
                    std::cout << (i ? " " : "") << e->got.alternatives[i];
                std::cout << "]";
            }
            std::cout << " (" << score_text(e->got.score) << "): " << e->question << "\n";
        }
    }
}

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
            o["outcome"] = r.outcome;
            o["score"] = rounded(r.score);
            boost::json::array alts;
            for (const auto& a : r.alternatives) alts.emplace_back(a);
            o["alternatives"] = std::move(alts);
            o["answer"] = r.answer;
            std::cout << boost::json::serialize(o) << "\n";
            return;
        }
        std::cout << "topic: " << r.topic << "\noutcome: " << r.outcome << "\nscore: " << score_text(r.score) << "\n";
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

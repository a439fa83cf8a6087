// What `cchcbot ask` and `cchcbot eval` decide for one message: shared by the commands and tests.
#pragma once

#include "bot/app/app.hpp"
#include "bot/language/knowledge_base.hpp"
#include "storage/interaction_repository.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bot::app {

/// The answer to one message as `ask --json` prints it.
struct ask_result {
    std::string topic = "none";            ///< answered topic id, else "none"
    /// answered | clarified | fallback | lookup: what the conversation would log for the message
    /// (printed with its stored word, storage::to_string)
    storage::interaction_outcome outcome = storage::interaction_outcome::fallback;
    double score = 0;
    std::vector<std::string> alternatives; ///< clarified: topic ids, best first
    std::string answer;                    ///< the text the citizen would read
    std::string dossier_code;              ///< lookup: the code found
    std::vector<std::pair<std::string, double>> ranked;  ///< best topics with scores (diagnostics)
    double out_of_scope = 0;
    bool acknowledgement = false;          ///< only thanks or an acknowledgement (answered with nlp_thanks)
    bool marker = false;                   ///< an out-of-scope marker occurred (diagnostics)
    /// Diagnostics: per compared topic its id, model probability, lexical score, combined score.
    struct evidence {
        std::string topic;
        double model = 0, lexical = 0, combined = 0;
    };
    std::vector<evidence> evidences;
    double known = 0;                      ///< share of the message the model knew
    std::string read;                      ///< the part of the message the decision read
};

/// One line of an evaluation file and what `ask` decided for it.
struct eval_line {
    std::size_t line = 0;
    std::string expected;  ///< a topic id, `none` (out of scope) or `lookup` (a dossier code)
    std::string question;
    ask_result got;
};

/// The figures of an evaluation (the bars are SPEC's; see eval_results::meets_bars).
struct eval_results {
    std::vector<eval_line> lines;
    std::size_t topic_lines = 0;         ///< lines expecting a topic or a lookup
    std::size_t topic_correct = 0;       ///< ... answered with it
    std::size_t right_or_clarified = 0;  ///< ... answered with it, or asked back offering it
    std::size_t topic_fallback = 0;      ///< ... that fell back
    std::size_t none_lines = 0;          ///< lines expecting `none`
    std::size_t none_fallback = 0;       ///< ... that fell back
    std::size_t none_clarified = 0;      ///< ... that were asked back
    std::size_t wrong = 0;               ///< a topic answered on a line expecting another or none
    std::size_t clarified = 0;           ///< lines asked back
    std::size_t clarified_with_expected = 0;
    [[nodiscard]] double top1() const;               ///< % topic_correct / topic_lines
    [[nodiscard]] double wrong_rate() const;         ///< % wrong / all lines
    [[nodiscard]] double none_fallback_rate() const; ///< % none_fallback / none_lines
    [[nodiscard]] double right_or_clarified_rate() const;  ///< % right_or_clarified / topic_lines
    /// SPEC's understanding bars: top-1 ≥ 92 %, wrong ≤ 2 %, none fallback ≥ 90 %,
    /// right-or-clarified ≥ 97 %.
    [[nodiscard]] bool meets_bars() const;
};

/// Evaluates a question file (`expected id<TAB>question`, `#` comments; a byte-order mark on
/// the first line is ignored). @throws command_error "file:line: reason" for a line without a
/// tab or an expected id that is neither a topic, `none` nor `lookup`, or an unreadable file.
[[nodiscard]] eval_results evaluate(const environment& env, const std::string& file);

/// The first dossier code in `text` (cfg.conversation.dossier_code_pattern), if any.
[[nodiscard]] std::optional<std::string> find_dossier_code(const config& cfg, std::string_view text);

/// Hook for the dossier lookup owned by the conversation area: the status text for `code`.
/// Until the integrator connects it, it acknowledges the code.
[[nodiscard]] std::string lookup_answer(const environment& env, const std::string& code);

/// Decides one message: a dossier code is a lookup, otherwise the knowledge base answers.
[[nodiscard]] ask_result ask(const environment& env, std::string_view text);

/// The example questions the console attached to topics (table kb_examples), read from the
/// configured database when it exists; none when it does not or predates the table.
[[nodiscard]] std::vector<kb_extra_example> stored_kb_examples(const config& cfg);
/// The knowledge base from cfg.kb.dir plus the stored examples. @throws std::runtime_error
[[nodiscard]] std::shared_ptr<const knowledge_base> load_kb_with_stored_examples(const config& cfg);

/// Reloads the knowledge base (files and stored examples) into `env`; on error keeps the old one. Returns the error text,
/// or nullopt on success.
[[nodiscard]] std::optional<std::string> reload_kb(environment& env);

}  // namespace bot::app

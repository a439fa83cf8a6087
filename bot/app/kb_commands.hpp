// What `cchcbot ask` and `cchcbot eval` decide for one message: shared by the commands and tests.
#pragma once

#include "bot/app/app.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bot::app {

/// The answer to one message as `ask --json` prints it.
struct ask_result {
    std::string topic = "none";            ///< answered topic id, else "none"
    std::string outcome = "fallback";      ///< answered | clarified | fallback | lookup
    double score = 0;
    std::vector<std::string> alternatives; ///< clarified: topic ids, best first
    std::string answer;                    ///< the text the citizen would read
    std::string dossier_code;              ///< lookup: the code found
    std::vector<std::pair<std::string, double>> ranked;  ///< best topics with scores (diagnostics)
    double out_of_scope = 0;
};

/// The first dossier code in `text` (cfg.conversation.dossier_code_pattern), if any.
[[nodiscard]] std::optional<std::string> find_dossier_code(const config& cfg, std::string_view text);

/// Hook for the dossier lookup owned by the conversation area: the status text for `code`.
/// Until the integrator connects it, it acknowledges the code.
[[nodiscard]] std::string lookup_answer(const environment& env, const std::string& code);

/// Decides one message: a dossier code is a lookup, otherwise the knowledge base answers.
[[nodiscard]] ask_result ask(const environment& env, std::string_view text);

/// Reloads the knowledge base into `env`; on error keeps the old one. Returns the error text,
/// or nullopt on success.
[[nodiscard]] std::optional<std::string> reload_kb(environment& env);

}  // namespace bot::app

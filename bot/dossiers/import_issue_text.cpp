// An import issue in the words officials read.
#include "bot/dossiers/import_issue_text.hpp"

#include "bot/core/config.hpp"
#include "bot/core/messages.hpp"

namespace bot {

std::string import_issue_text(const config& cfg, const message_catalog& texts, const import_error& e) {
    return import_issue_words(cfg, texts, e).value_or(e.reason);
}

std::optional<std::string> import_issue_words(const config& cfg, const message_catalog& texts, const import_error& e,
                                              bool value_kept) {
    const std::string key = "import_issue_" + e.code;
    if (e.code.empty() || !texts.has(key)) return std::nullopt;
    if (!value_kept && texts.texts().at(key).find("{{value}}") != std::string::npos) return std::nullopt;
    std::string value = e.value;
    if (const auto* u = cfg.find_unit(value)) value = u->name;
    return texts.render(key, {{"line", std::to_string(e.line)}, {"column", e.column}, {"value", value}});
}

std::string import_rejection_text(const config& cfg, const message_catalog& texts, const std::string& file_name,
                                  const std::vector<import_error>& errors) {
    std::string out = texts.render("import_watch_rejected",
                                   {{"file", file_name}, {"lines", std::to_string(distinct_lines(errors))}}) +
                      "\n";
    for (const auto& e : errors) out += file_name + ": " + import_issue_text(cfg, texts, e) + "\n";
    return out;
}

}  // namespace bot

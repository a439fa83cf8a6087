// What the learned model of a knowledge base is trained with, for tools that train it themselves
// (tests/bench/nlp_calibrate).
#pragma once

#include "bot/language/understanding.hpp"

#include <string>
#include <vector>

namespace bot {

struct config;

/// The topics' texts, the out-of-scope messages and markers, and the shorthand of templates/kb.
struct kb_training_set {
    std::vector<std::string> topic_ids;  ///< in the order of texts.topics
    nlp::training_texts texts;
    nlp::shorthand_table shorthand;
    std::size_t greeting_topic = nlp::understander::no_topic;  ///< the topic thanks are answered with
};

/// Reads templates/kb (cfg.kb.dir) and the shorthand files as load_knowledge_base does.
/// @throws std::runtime_error with file:line: reason for the first problem.
[[nodiscard]] kb_training_set load_training_set(const config& cfg);

}  // namespace bot

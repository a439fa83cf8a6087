// The knowledge base: topics loaded from templates/kb/, with the matcher's index.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace bot {

struct config;

/// One answerable topic (fields as in templates/kb/).
struct kb_topic {
    std::string id;
    std::string title;
    std::string answer;  ///< rendered with the locality placeholders
};

/// The loaded knowledge base and its index. Immutable once built; reload builds a new one.
class knowledge_base {
public:
    virtual ~knowledge_base() = default;
    /// Every topic, in file order.
    [[nodiscard]] virtual const std::vector<kb_topic>& topics() const = 0;
    /// The topic with this id, or nullptr.
    [[nodiscard]] virtual const kb_topic* find(const std::string& id) const = 0;
};

/// Loads and validates templates/kb (cfg.kb.dir) with the locality placeholders of `cfg`.
/// @throws std::runtime_error with file:line: reason for the first problem.
[[nodiscard]] std::shared_ptr<const knowledge_base> load_knowledge_base(const config& cfg);

}  // namespace bot

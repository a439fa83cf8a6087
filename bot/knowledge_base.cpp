// Knowledge-base loading (the nlp area replaces this with the real loader).
#include "bot/knowledge_base.hpp"

#include "bot/config.hpp"

#include <stdexcept>

namespace bot {

namespace {
class empty_kb final : public knowledge_base {
public:
    const std::vector<kb_topic>& topics() const override { return topics_; }
    const kb_topic* find(const std::string&) const override { return nullptr; }
    kb_match match(std::string_view) const override { return {}; }

private:
    std::vector<kb_topic> topics_;
};
}  // namespace

std::shared_ptr<const knowledge_base> load_knowledge_base(const config&) { return std::make_shared<empty_kb>(); }

}  // namespace bot

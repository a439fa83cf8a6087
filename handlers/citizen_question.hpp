// A citizen's question answered from the knowledge base: an answer, a question back, or a fallback.
#pragma once

#include "handlers/context.hpp"
#include "handlers/sender.hpp"

#include <string>

namespace bot {
struct kb_topic;
}

namespace handlers {

/// The topic's answer with its buttons and related topics (within one message's buttons).
/// Resets the fallback streak. @throws SQLite::Exception
[[nodiscard]] outcome topic_reply(const context& ctx, const std::string& to, const bot::kb_topic& topic,
                                  const std::string& kind, const std::string& unit);

/// The main menu.
[[nodiscard]] outcome menu_reply(const context& ctx, const std::string& to, const std::string& kind,
                                 const std::string& unit);

/// Matches `text` against the knowledge base and answers, asks back with the closest topics, or
/// falls back (recording the question as unanswered; the second fallback in a row opens a
/// hand-off). @throws SQLite::Exception
[[nodiscard]] outcome answer_question(context& ctx, const std::string& text, const sender& s);

}  // namespace handlers

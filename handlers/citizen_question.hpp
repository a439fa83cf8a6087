// A citizen's question answered from the knowledge base: an answer, a question back, or a fallback.
#pragma once

#include "handlers/context.hpp"
#include "handlers/sender.hpp"

#include <string>

#include <vector>

namespace bot {
class message_catalog;
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

/// The topics worth offering when asking back: up to three, greetings left out (a "Chào hỏi"
/// button helps nobody).
[[nodiscard]] std::vector<const bot::kb_topic*> clarify_options(const std::vector<const bot::kb_topic*>& alternatives);

/// The question back ("Dạ, anh/chị muốn hỏi về: Đăng ký khai sinh · Đăng ký khai tử? …") naming
/// `options` in plain words, as their buttons do (nlp_clarify).
[[nodiscard]] std::string clarify_text(const bot::message_catalog& texts, const std::vector<const bot::kb_topic*>& options);

/// Matches `text` against the knowledge base and answers, asks back with up to three topic
/// buttons, or falls back with a text that does not call the question out of scope, the menu and
/// the way to an official (recording the question as unanswered; the second fallback in a row
/// opens a hand-off). Thanks and acknowledgements get a short reply of their own and neither
/// count towards a hand-off nor reset the count. @throws SQLite::Exception
[[nodiscard]] outcome answer_question(context& ctx, const std::string& text, const sender& s);

}  // namespace handlers

// What every handler gets (context) and returns (outcome).
#pragma once

#include "bot/zalo/outgoing.hpp"
#include "storage/interaction_repository.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}
namespace bot {
struct config;
class message_catalog;
class knowledge_base;
}  // namespace bot

namespace handlers {

/// References a handler works with; built once by the wiring (bot/app.cpp, the commands, tests).
struct context {
    SQLite::Database& db;                              ///< the worker's connection; inside the event's transaction
    const bot::config& cfg;
    const bot::message_catalog& texts;
    std::shared_ptr<const bot::knowledge_base> kb;     ///< the current knowledge base (reloadable); may be null
    std::function<std::int64_t()> now_ms;              ///< injected clock (Unix ms)
    /// The Official Account the event came for ([[oa]] id; bot::oa_of_event); empty outside an
    /// event (commands, the scheduler). Messages need not name it: the recipient's OA is used.
    std::string oa{};
};

using storage::interaction_outcome;

/// How the inbound message was handled, for the interaction log and the report.
struct interaction_note {
    std::string kind;     ///< text | image | sticker | follow | button | command | ...
    std::string topic;    ///< knowledge-base topic id, where one was answered or asked about
    interaction_outcome outcome = interaction_outcome::none;
    std::string unit_id;  ///< the citizen's unit, where known
};

/// What a handler decided: messages to send (the handler sends nothing itself) and a note.
struct outcome {
    std::vector<zalo::outgoing_message> messages;
    std::optional<interaction_note> note;  ///< when set, the inbound message is logged with it
};

/// Stores an outcome: every message into the outbox (and the interaction log, direction out),
/// and the inbound interaction when the outcome has a note. Call inside the event's transaction.
/// Returns the outbox ids. @throws SQLite::Exception
std::vector<std::int64_t> commit_outcome(context& ctx, const outcome& out, const std::string& user_id,
                                         const std::string& inbound_text, std::optional<std::int64_t> event_seq,
                                         std::optional<std::int64_t> received_at_ms);

}  // namespace handlers

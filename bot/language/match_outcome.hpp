// What the knowledge base decided for one message: the matcher's decision (bot::nlp) and the
// knowledge base's answer (bot::kb_match) share this one enum.
#pragma once

namespace bot {

/// answered: one topic fits; clarified: ask back offering the close topics; fallback: not
/// understood, or not something the bot handles.
enum class match_outcome { answered, clarified, fallback };

}  // namespace bot

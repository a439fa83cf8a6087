// The terminal chat's side of the outbox: messages for the chat user are shown there, not sent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace storage {

/// Takes the pending outbox messages addressed to `recipient` (oldest first), marks them sent
/// and returns their JSON bodies. Messages a server already picked up are left alone.
/// @throws SQLite::Exception
[[nodiscard]] std::vector<std::string> take_pending_for(SQLite::Database& db, const std::string& recipient,
                                                        std::int64_t now_ms);

}  // namespace storage

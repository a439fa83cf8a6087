// The console's own state: sign-in links, sessions, hand-off assignments, knowledge-base examples
// added from the console, unanswered questions dealt with.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace storage {

// ---- sign-in links (only the SHA-256 of the secret is stored) ----

/// Stores a new sign-in link. @throws SQLite::Exception
void insert_console_link(SQLite::Database& db, const std::string& token_hash, const std::string& official_id,
                         std::int64_t now_ms, std::int64_t expires_at_ms, const std::string& via);
/// Links issued to an official since `since_ms` (the request limit). @throws SQLite::Exception
[[nodiscard]] std::int64_t console_links_since(SQLite::Database& db, const std::string& official_id, std::int64_t since_ms);
/// The oldest link issued to an official since `since_ms`, if any (when the limit frees up). @throws SQLite::Exception
[[nodiscard]] std::optional<std::int64_t> oldest_console_link_since(SQLite::Database& db, const std::string& official_id,
                                                                    std::int64_t since_ms);

/// What a link is worth now.
enum class link_state { valid, unknown, expired, used };
/// A link's state and its official, without using it. @throws SQLite::Exception
[[nodiscard]] link_state peek_console_link(SQLite::Database& db, const std::string& token_hash, std::int64_t now_ms,
                                           std::string* official_id = nullptr);
/// Uses a link: valid → marked used (it can never open a second session) and its official is
/// returned. @throws SQLite::Exception
[[nodiscard]] link_state redeem_console_link(SQLite::Database& db, const std::string& token_hash, std::int64_t now_ms,
                                             std::string* official_id);

// ---- sessions (only the SHA-256 of the cookie's value is stored) ----

/// One console session.
struct console_session {
    std::string official_id;
    std::string csrf;  ///< the form token of this session
    std::int64_t created_at = 0;
    std::int64_t last_seen_at = 0;
    bool ended = false;
};
/// Stores a new session. @throws SQLite::Exception
void insert_console_session(SQLite::Database& db, const std::string& id_hash, const std::string& official_id,
                            const std::string& csrf, std::int64_t now_ms);
/// The session with this id hash. @throws SQLite::Exception
[[nodiscard]] std::optional<console_session> find_console_session(SQLite::Database& db, const std::string& id_hash);
/// Records activity (idle expiry counts from it). @throws SQLite::Exception
void touch_console_session(SQLite::Database& db, const std::string& id_hash, std::int64_t now_ms);
/// Ends one session (sign-out). @throws SQLite::Exception
void end_console_session(SQLite::Database& db, const std::string& id_hash, std::int64_t now_ms);
/// Ends every open session of an official (disabled). Returns how many. @throws SQLite::Exception
int end_console_sessions_of(SQLite::Database& db, const std::string& official_id, std::int64_t now_ms);
/// Forgets sessions and links that ended or expired before `before_ms`. @throws SQLite::Exception
void prune_console_state(SQLite::Database& db, std::int64_t before_ms);

// ---- hand-off assignments ----

/// The colleague a hand-off was handed over to.
struct handoff_assignment {
    std::string official_id;
    std::string assigned_by;
    std::int64_t assigned_at = 0;
};
/// Hands a hand-off over (replacing an earlier assignment). @throws SQLite::Exception
void assign_handoff(SQLite::Database& db, std::int64_t handoff_id, const std::string& official_id,
                    const std::string& assigned_by, std::int64_t now_ms);
/// The assignment of a hand-off, if any. @throws SQLite::Exception
[[nodiscard]] std::optional<handoff_assignment> find_handoff_assignment(SQLite::Database& db, std::int64_t handoff_id);

// ---- knowledge-base examples added from the console ----

/// An example question attached to a topic.
struct kb_example {
    std::int64_t id = 0;
    std::string topic_id;
    std::string text;
    std::string added_by;
    std::int64_t added_at = 0;
};
/// Stores an example; false when the topic already has exactly this text. @throws SQLite::Exception
bool insert_kb_example(SQLite::Database& db, const std::string& topic_id, const std::string& text,
                       const std::string& added_by, std::int64_t now_ms);
/// Every stored example, oldest first. @throws SQLite::Exception
[[nodiscard]] std::vector<kb_example> list_kb_examples(SQLite::Database& db);

// ---- demo data ----

/// Sets a user's display name (the demo's citizens; Zalo's profile event fills it in real use).
/// @throws SQLite::Exception
void set_user_display_name(SQLite::Database& db, const std::string& user_id, const std::string& name);

// ---- unanswered questions dealt with ----

/// Marks a normalised question attached (with its topic) or dismissed. @throws SQLite::Exception
void resolve_unanswered(SQLite::Database& db, const std::string& normalized, const std::string& action,
                        const std::string& topic_id, const std::string& by, std::int64_t now_ms);

}  // namespace storage

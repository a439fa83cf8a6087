// One-time console sign-in links for staff (sent on Zalo after "đăng nhập", or printed by
// `cchcbot console link`): a random secret in the URL, only its hash stored, single use, 10 minutes.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace SQLite {
class Database;
}

namespace bot {

struct config;

/// How long a sign-in link stays valid.
inline constexpr std::chrono::minutes sign_in_link_lifetime{10};
/// The console's path under the server.
inline constexpr const char* console_path = "/console/";
/// The path a sign-in link opens (the secret follows as ?t=...).
inline constexpr const char* sign_in_path = "/console/vao";

/// What issuing a link gave.
struct sign_in_issue {
    enum class status { issued, unknown_official, rate_limited } result = status::unknown_official;
    std::string url;                  ///< the link (a secret: show it to its owner only, never log it)
    std::int64_t expires_at_ms = 0;
    std::int64_t retry_after_ms = 0;  ///< rate_limited: when the next link may be asked for
};

/// Where the running server published its own address (storage meta key), for links made by
/// another process or before the first request.
inline constexpr std::string_view published_console_base_url_key = "console_base_url";

/// The address the console is reached at: console.public_url, else the address the running server
/// published at start (its bound port), else "http://<server.address>:<server.port>".
[[nodiscard]] std::string console_base_url(SQLite::Database& db, const config& cfg);

/// Issues a sign-in link for an enabled official, at most console.link_requests_per_hour an
/// hour. `via` is "zalo" or "cli"; `base_url` as console_base_url. @throws SQLite::Exception
[[nodiscard]] sign_in_issue issue_sign_in_link(SQLite::Database& db, const config& cfg, const std::string& official_id,
                                               std::int64_t now_ms, const std::string& via, const std::string& base_url);

/// The stored form of a link's or a session's secret (SHA-256 hex).
[[nodiscard]] std::string hash_console_secret(const std::string& secret);

}  // namespace bot

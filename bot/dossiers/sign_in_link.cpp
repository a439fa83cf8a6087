// Console sign-in links.
#include "bot/dossiers/sign_in_link.hpp"

#include "bot/core/config.hpp"
#include "bot/core/crypto.hpp"
#include "storage/console_repository.hpp"
#include "storage/outbox_repository.hpp"
#include "storage/official_repository.hpp"

namespace bot {

std::string console_base_url(SQLite::Database& db, const config& cfg) {
    if (!cfg.console.public_url.empty()) return cfg.console.public_url;
    if (auto published = storage::get_meta(db, std::string(published_console_base_url_key))) return *published;
    std::string host = cfg.server.address == "0.0.0.0" || cfg.server.address == "::" ? "127.0.0.1" : cfg.server.address;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return "http://" + host + ":" + std::to_string(cfg.server.port);
}

std::string hash_console_secret(const std::string& secret) { return sha256_hex(secret); }

sign_in_issue issue_sign_in_link(SQLite::Database& db, const config& cfg, const std::string& official_id,
                                 std::int64_t now_ms, const std::string& via, const std::string& base_url) {
    sign_in_issue out;
    auto o = storage::find_official(db, official_id);
    if (!o || o->disabled) return out;
    constexpr std::int64_t hour_ms = 3600LL * 1000;
    if (storage::console_links_since(db, official_id, now_ms - hour_ms) >= cfg.console.link_requests_per_hour) {
        out.result = sign_in_issue::status::rate_limited;
        auto oldest = storage::oldest_console_link_since(db, official_id, now_ms - hour_ms);
        out.retry_after_ms = oldest ? *oldest + hour_ms - now_ms : hour_ms;
        return out;
    }
    // 256 random bits: guessing one is hopeless, and the stored hash alone opens nothing.
    const std::string secret = random_hex(32);
    out.expires_at_ms = now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(sign_in_link_lifetime).count();
    storage::insert_console_link(db, hash_console_secret(secret), official_id, now_ms, out.expires_at_ms, via);
    out.url = base_url + sign_in_path + "?t=" + secret;
    out.result = sign_in_issue::status::issued;
    return out;
}

}  // namespace bot

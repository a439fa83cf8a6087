// Broadcasts: validation, creation, dry-run preview, status, cancel, and the sending job.
#pragma once

#include "handlers/context.hpp"
#include "storage/broadcast_repository.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace handlers {

/// A link button under a broadcast (promotion template: ≤ 4 buttons, title ≤ 35 characters).
struct broadcast_button {
    std::string title;
    std::string url;
};

/// What a propaganda user asks for.
struct broadcast_request {
    std::string text;                    ///< plain text or a template with {{ten_xa}}, {{ten_thon}}, {{ten}}
    std::vector<std::string> units;      ///< today's unit ids: their followers (narrowed by `villages`)
    /// Village names as configured (or without "thôn"/"tổ dân phố"). With `units`: villages of
    /// those units, and each unit must have one of them; alone: the one unit having that name.
    std::vector<std::string> villages;
    /// Villages named with their unit, beside whole `units` (the console's form, whose ticks
    /// name both): each must be a village of that unit today.
    std::vector<std::pair<std::string, std::string>> unit_villages;
    bool all = false;                    ///< every follower: only when asked for, and alone
    std::vector<broadcast_button> buttons;
    std::optional<std::string> at;       ///< local "YYYY-MM-DD HH:MM"; none: now
    std::string created_by = "cli";
};

/// Where a broadcast goes: a unit's followers, or only those of one of its villages.
struct broadcast_place {
    std::string unit;     ///< a unit id of today
    std::string village;  ///< "" = the whole unit
};

/// A request that passed validation.
struct broadcast_plan {
    std::string text;
    bool all = false;                   ///< every follower (then `places` is empty)
    std::vector<broadcast_place> places;
    std::vector<std::string> units;     ///< every unit reached, in whole or in part (for scope checks)
    std::vector<std::string> villages;  ///< village names as configured
    std::vector<broadcast_button> buttons;
    std::int64_t scheduled_at = 0;      ///< Unix ms
};

/// Limits of a promotion message (zalo-api.md §2.4, §2.6).
inline constexpr std::size_t broadcast_max_text_chars = 1000;
inline constexpr std::size_t broadcast_max_buttons = 4;
inline constexpr std::size_t broadcast_max_button_title_chars = 35;

/// Thrown for a request that cannot be accepted; what() says why, for the official.
struct broadcast_error : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

/// Parses "Title|https://url". @throws broadcast_error
[[nodiscard]] broadcast_button parse_button(const std::string& spec);

/// Reads an admin API body: {"text", "units": [...], "villages": [...], "all": bool, "buttons":
/// [{"title", "url"} or "Title|url"], "at": "YYYY-MM-DD HH:MM", "dry_run": bool}. @throws broadcast_error
[[nodiscard]] broadcast_request broadcast_request_from_json(const std::string& body, bool* dry_run = nullptr);

/// Validates a request against the configuration and Zalo's limits (text, template variables,
/// audience, buttons, time). The audience: `all` alone, or today's units and villages of them (a
/// village of another unit, a name several units share, a unit none of the villages belongs to,
/// and no audience at all are errors naming the units). @throws broadcast_error naming what is wrong
[[nodiscard]] broadcast_plan validate_broadcast(const context& ctx, const broadcast_request& req);

/// The text a recipient gets: the template rendered with their unit and village, plus the opt-out hint.
[[nodiscard]] std::string render_broadcast_text(const context& ctx, const std::string& text, const std::string& unit_id,
                                                const std::string& village, const std::string& display_name);

/// A dry run: who would get it now, and what a sample recipient would read. Stores nothing.
struct broadcast_preview {
    std::int64_t recipients = 0;  ///< exactly the followers it would be sent to now
    bool all = false;             ///< to every follower
    std::string audience;         ///< who, in words ("every follower", "thôn Đồng Điều, xã Tân Sỏi (tan_soi)")
    std::string target_json;      ///< the audience as a broadcast stores it ({"all", "units", "villages", "places"})
    std::string sample_user;  ///< a matching follower's id ("" when none matches: then a made-up one)
    std::string sample_unit;
    std::string sample_village;
    std::string header;
    std::string text;         ///< rendered for the sample recipient
    std::int64_t scheduled_at = 0;
};
/// @throws broadcast_error, SQLite::Exception
[[nodiscard]] broadcast_preview preview_broadcast(const context& ctx, const broadcast_request& req);

/// Creates a broadcast (it goes out at its time through run_broadcasts). Returns its id and the
/// number of followers it targets now (recipients are expanded again when it starts).
struct broadcast_created {
    std::int64_t id = 0;
    std::int64_t recipients = 0;
    bool all = false;             ///< to every follower
    std::string audience;         ///< as in broadcast_preview
    std::int64_t scheduled_at = 0;
};
/// @throws broadcast_error, SQLite::Exception
broadcast_created create_broadcast(const context& ctx, const broadcast_request& req);

/// Status of one broadcast, with counts derived from the outbox rows of its recipients.
struct broadcast_status {
    std::int64_t id = 0;
    storage::broadcast_state state = storage::broadcast_state::scheduled;
    std::string created_by;
    std::string text;
    std::string target_json;
    std::string buttons_json;
    std::int64_t scheduled_at = 0;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> finished_at;
    std::int64_t recipients = 0;  ///< expanded recipients (targeted followers before expansion)
    std::int64_t waiting = 0, queued = 0, pending = 0, sent = 0, failed = 0, received = 0, seen = 0,
                 cancelled = 0, excluded = 0;
};
/// The status, or nullopt when there is no such broadcast. @throws SQLite::Exception
[[nodiscard]] std::optional<broadcast_status> get_broadcast_status(const context& ctx, std::int64_t id);
/// Every broadcast, newest first. @throws SQLite::Exception
[[nodiscard]] std::vector<broadcast_status> list_broadcast_statuses(const context& ctx);
/// JSON object of a preview (dry run).
[[nodiscard]] std::string to_json(const context& ctx, const broadcast_preview& p);
/// JSON object of a status (CLI --json, admin API).
[[nodiscard]] std::string to_json(const context& ctx, const broadcast_status& s);

/// Result of a cancel.
enum class cancel_result { cancelled, not_found, already_finished };
/// Cancels a broadcast until its last message is sent. Runs its own transaction.
/// @throws SQLite::Exception
[[nodiscard]] cancel_result cancel_broadcast(const context& ctx, std::int64_t id, std::int64_t* stopped = nullptr);

/// What one run of the sending job did.
struct broadcast_run {
    std::int64_t enqueued = 0;      ///< messages put into the outbox
    std::int64_t started = 0;       ///< broadcasts whose recipients were expanded
    std::int64_t finished = 0;      ///< broadcasts that became done
    bool outside_hours = false;     ///< due work left alone: outside 06:00–21:59 local
    bool quota_exhausted = false;   ///< recipients left waiting for the next quota window
};
/// The sending job (worker thread, every few seconds): expands due broadcasts' recipients, enqueues
/// promotion messages in recipient order within the daily quota and Zalo's sending hours, one
/// promotion per user per day, and marks broadcasts done once every message is final.
/// Each broadcast's step is one transaction. @throws SQLite::Exception
broadcast_run run_broadcasts(const context& ctx);

/// The daily quota in force for the Official Account `oa` ([[oa]] id; '' or unknown = the default
/// OA): the one Zalo reported for it (meta broadcast_quota_key(oa)) if any, else its configured
/// `broadcast_daily_quota`. Each OA has its own quota; a recipient counts against the OA they follow.
[[nodiscard]] std::int64_t broadcast_daily_quota(const context& ctx, const std::string& oa = {});
/// The meta key holding the quota Zalo reported for the OA `oa`: `broadcast_daily_quota` for the
/// default OA (as before there were several), `broadcast_daily_quota:<id>` for the others.
[[nodiscard]] std::string broadcast_quota_key(const context& ctx, const std::string& oa);

}  // namespace handlers

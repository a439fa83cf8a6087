// The typed Zalo webhook event model and its parser (pure: bytes in, value out).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zalo {

/// Every event type documented in shared/zalo-api.md; `unknown` keeps the raw body only.
enum class event_type {
    user_send_text, user_send_image, user_send_link, user_send_audio, user_send_video,
    user_send_sticker, user_send_location, user_send_business_card, user_send_file, user_send_gif,
    oa_send_text, oa_send_image, oa_send_gif, oa_send_list, oa_send_file, oa_send_sticker, oa_send_template,
    user_received_message, user_seen_message, user_reacted_message, oa_reacted_message,
    follow, unfollow, user_click_chatnow, user_submit_info, add_user_to_tag, remove_user_from_tag,
    user_withdraw, widget_interaction_accepted, update_user_info,
    anonymous_send_text, anonymous_send_image, anonymous_send_file, anonymous_send_sticker,
    change_template_status, change_oa_daily_quota, change_template_quality, change_oa_template_tags,
    user_feedback, event_journey_acknowledged, event_journey_time_out,
    unknown
};

/// One attachment of a user message (fields empty where the type has none).
struct attachment {
    std::string type;         ///< image | gif | link | audio | video | sticker | location | file | ...
    std::string url;
    std::string thumbnail;
    std::string description;
    std::string name;         ///< file name
    std::string size;         ///< file size in bytes, as sent (string)
    std::string checksum;     ///< file MD5
    std::string file_type;    ///< file extension
    std::string sticker_id;
    std::string latitude;     ///< location, as sent (string)
    std::string longitude;
    std::string raw_payload;  ///< the payload as JSON text (business cards are undocumented)
};

/// A verified, parsed webhook event.
struct event {
    event_type type = event_type::unknown;
    std::string name;            ///< event_name as received
    std::string app_id;
    std::string oa_id;
    std::string sender_id;
    std::string recipient_id;
    std::string admin_id;        ///< oa_send_*: present when a human sent from the OA chat tool
    std::string user_id;         ///< the Zalo user this event is about (sender of user_*, recipient of oa_*/receipts, follower, ...)
    std::string user_id_by_app;
    std::string timestamp;       ///< literal digits of the body's "timestamp" (Unix ms)
    std::int64_t timestamp_ms = 0;
    std::string msg_id;
    std::vector<std::string> msg_ids;  ///< user_seen_message
    std::string text;            ///< message text (user_send_text, captions, oa_send_text)
    std::string quote_msg_id;
    std::string react_icon;
    std::vector<attachment> attachments;
    std::string source;          ///< follow source
    bool zns = false;            ///< delivered with X-ZEvent-Server: ZNS
    std::string tracking_id;     ///< ZNS receipts
    std::string delivery_time;   ///< ZNS receipts
    // user_submit_info
    std::string info_name, info_phone, info_address, info_city, info_district, info_ward;
    // tags
    std::vector<std::string> tag_user_ids;
    std::string tag_name;
    // ZNS management events
    std::string template_id, prev_status, new_status, reason;
    std::int64_t quota_prev = 0, quota_new = 0;
    std::string conversation_id;  ///< anonymous_send_*
    std::string raw;              ///< the verbatim body
    /// The [[oa]] id of the OA whose key signed it (`default` without [[oa]]): set by the webhook,
    /// stored with the event; empty for events stored before it was kept (then bot::oa_of_event).
    std::string oa;
};

/// Why a body could not be parsed.
struct parse_error {
    std::string reason;
};

/// Parses a webhook body. Unknown event names give type `unknown` with `name` and `raw` kept.
/// Invalid UTF-8 inside strings is repaired (replaced by U+FFFD), never fatal. Numbers are kept
/// as their literal digits wherever text is expected (ids beyond 2^53, even beyond 2^64, stay
/// exact and distinct; nothing goes through a double).
/// Returns nullopt (and the reason) when the body is not a JSON object or lacks `event_name`.
[[nodiscard]] std::optional<event> parse_event(std::string_view body, bool zns_header, parse_error* err = nullptr);

/// A webhook body read once: what the signature needs and the event.
struct body_reading {
    bool json = false;          ///< the body is a JSON object
    std::string timestamp;      ///< the literal digits of the top-level "timestamp"; "" when absent or not digits
    std::optional<event> ev;    ///< the event, when the body is one
    std::string error;          ///< why `ev` is empty
};

/// Parses a webhook body once (the webhook's only parse; the dispatcher gets the event in memory).
[[nodiscard]] body_reading read_body(std::string_view body, bool zns_header);

/// The digits after the first `"timestamp":` in a body that is not valid JSON ("" when none):
/// enough to tell a correctly signed malformed body (400) from a forged one (401).
[[nodiscard]] std::string scan_timestamp(std::string_view body);

/// True for events that come in bulk and matter to no person waiting: delivery and seen receipts,
/// echoes of the OA's own sends. The dispatcher processes them after people's messages.
[[nodiscard]] bool is_bulk(event_type t);

/// The event_name for a type ("user_send_text"); "unknown" for unknown.
[[nodiscard]] std::string_view to_string(event_type t);

/// The type for an event_name; unknown when not documented.
[[nodiscard]] event_type event_type_from(std::string_view name);

/// The key that identifies a delivery of this event across Zalo's retries: the event's time
/// (13 digits of Unix ms) and event_name + msg_id where there is one, else a SHA-256 of the raw
/// body ("1543908534744:user_send_text:96d3cdf3af150460909"). Keys grow with time.
[[nodiscard]] std::string dedup_key(const event& ev);

}  // namespace zalo

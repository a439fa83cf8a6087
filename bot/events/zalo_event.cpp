// Parsing Zalo webhook bodies into typed events.
#include "bot/events/zalo_event.hpp"

#include "bot/core/crypto.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_stack.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>

namespace zalo {

namespace json = boost::json;

namespace {

struct name_entry {
    event_type type;
    std::string_view name;
};

constexpr std::array<name_entry, 41> names = {{
    {event_type::user_send_text, "user_send_text"},
    {event_type::user_send_image, "user_send_image"},
    {event_type::user_send_link, "user_send_link"},
    {event_type::user_send_audio, "user_send_audio"},
    {event_type::user_send_video, "user_send_video"},
    {event_type::user_send_sticker, "user_send_sticker"},
    {event_type::user_send_location, "user_send_location"},
    {event_type::user_send_business_card, "user_send_business_card"},
    {event_type::user_send_file, "user_send_file"},
    {event_type::user_send_gif, "user_send_gif"},
    {event_type::oa_send_text, "oa_send_text"},
    {event_type::oa_send_image, "oa_send_image"},
    {event_type::oa_send_gif, "oa_send_gif"},
    {event_type::oa_send_list, "oa_send_list"},
    {event_type::oa_send_file, "oa_send_file"},
    {event_type::oa_send_sticker, "oa_send_sticker"},
    {event_type::oa_send_template, "oa_send_template"},
    {event_type::user_received_message, "user_received_message"},
    {event_type::user_seen_message, "user_seen_message"},
    {event_type::user_reacted_message, "user_reacted_message"},
    {event_type::oa_reacted_message, "oa_reacted_message"},
    {event_type::follow, "follow"},
    {event_type::unfollow, "unfollow"},
    {event_type::user_click_chatnow, "user_click_chatnow"},
    {event_type::user_submit_info, "user_submit_info"},
    {event_type::add_user_to_tag, "add_user_to_tag"},
    {event_type::remove_user_from_tag, "remove_user_from_tag"},
    {event_type::user_withdraw, "user_withdraw"},
    {event_type::widget_interaction_accepted, "widget_interaction_accepted"},
    {event_type::update_user_info, "update_user_info"},
    {event_type::anonymous_send_text, "anonymous_send_text"},
    {event_type::anonymous_send_image, "anonymous_send_image"},
    {event_type::anonymous_send_file, "anonymous_send_file"},
    {event_type::anonymous_send_sticker, "anonymous_send_sticker"},
    {event_type::change_template_status, "change_template_status"},
    {event_type::change_oa_daily_quota, "change_oa_daily_quota"},
    {event_type::change_template_quality, "change_template_quality"},
    {event_type::change_oa_template_tags, "change_oa_template_tags"},
    {event_type::user_feedback, "user_feedback"},
    {event_type::event_journey_acknowledged, "event_journey_acknowledged"},
    {event_type::event_journey_time_out, "event_journey_time_out"},
}};

/// Replaces invalid UTF-8 sequences with U+FFFD so nothing downstream sees broken text.
std::string repair_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        bool ok = len > 0 && i + len <= s.size();
        if (ok && len > 1) {
            for (std::size_t k = 1; k < len; ++k)
                if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) ok = false;
            if (ok) {
                std::uint32_t cp = c & (0xFF >> (len + 1));
                for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
                // Overlong forms, surrogates and out-of-range code points are invalid too.
                if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
                    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
                    ok = false;
            }
        }
        if (ok) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out.append("\xEF\xBF\xBD");
            ++i;
        }
    }
    return out;
}

/// Builds a json::value like Boost.JSON's own parser, except that a number that is not an
/// integer Boost can hold exactly (a fraction, an exponent, or digits beyond 2^64) becomes a
/// string of its literal text: user ids must never pass through a double (2^53) and collide.
struct exact_handler {
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    json::value_stack st;
    std::string number;  // the parts of the number being read

    bool on_document_begin(boost::system::error_code&) { return true; }
    bool on_document_end(boost::system::error_code&) { return true; }
    bool on_object_begin(boost::system::error_code&) { return true; }
    bool on_object_end(std::size_t n, boost::system::error_code&) {
        st.push_object(n);
        return true;
    }
    bool on_array_begin(boost::system::error_code&) { return true; }
    bool on_array_end(std::size_t n, boost::system::error_code&) {
        st.push_array(n);
        return true;
    }
    bool on_key_part(json::string_view s, std::size_t, boost::system::error_code&) {
        st.push_chars(s);
        return true;
    }
    bool on_key(json::string_view s, std::size_t, boost::system::error_code&) {
        st.push_key(s);
        return true;
    }
    bool on_string_part(json::string_view s, std::size_t, boost::system::error_code&) {
        st.push_chars(s);
        return true;
    }
    bool on_string(json::string_view s, std::size_t, boost::system::error_code&) {
        st.push_string(s);
        return true;
    }
    bool on_number_part(json::string_view s, boost::system::error_code&) {
        number.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t i, json::string_view, boost::system::error_code&) {
        number.clear();
        st.push_int64(i);
        return true;
    }
    bool on_uint64(std::uint64_t u, json::string_view, boost::system::error_code&) {
        number.clear();
        st.push_uint64(u);
        return true;
    }
    bool on_double(double, json::string_view s, boost::system::error_code&) {
        number.append(s.data(), s.size());
        st.push_string(number);
        number.clear();
        return true;
    }
    bool on_bool(bool b, boost::system::error_code&) {
        st.push_bool(b);
        return true;
    }
    bool on_null(boost::system::error_code&) {
        st.push_null();
        return true;
    }
    bool on_comment_part(json::string_view, boost::system::error_code&) { return true; }
    bool on_comment(json::string_view, boost::system::error_code&) { return true; }
};

/// Parses `body` into `mr` (the caller's arena: a webhook body needs no heap allocation).
json::value parse_exact(std::string_view body, json::monotonic_resource& mr, boost::system::error_code& ec) {
    // Invalid UTF-8 must not make a verified event unparsable: accept it here, repair every
    // string below (and the stored raw body), so nothing downstream sees broken text.
    json::parse_options opts;
    opts.allow_invalid_utf8 = true;
    json::basic_parser<exact_handler> p(opts);
    p.handler().st.reset(json::storage_ptr(&mr));
    const std::size_t n = p.write_some(false, body.data(), body.size(), ec);
    if (!ec && n < body.size()) ec = json::error::extra_data;
    if (ec) return nullptr;
    return p.handler().st.release();
}

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

/// A field as text: strings verbatim (repaired), numbers as their digits (ids must never go through double).
std::string text_of(const json::value* v) {
    if (!v) return {};
    if (v->is_string()) return repair_utf8(std::string_view(v->get_string()));
    if (v->is_int64()) return std::to_string(v->get_int64());
    if (v->is_uint64()) return std::to_string(v->get_uint64());
    if (v->is_double()) return json::serialize(*v);
    if (v->is_bool()) return v->get_bool() ? "true" : "false";
    return {};
}

const json::value* field(const json::object* o, std::string_view key) {
    if (!o) return nullptr;
    return o->if_contains(key);
}

const json::object* object_of(const json::value* v) { return v ? v->if_object() : nullptr; }

std::string str(const json::object* o, std::string_view key) { return text_of(field(o, key)); }

std::int64_t int_of(const json::value* v) {
    if (!v) return 0;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
    if (v->is_string()) {
        std::int64_t n = 0;
        auto s = std::string_view(v->get_string());
        std::from_chars(s.data(), s.data() + s.size(), n);
        return n;
    }
    return 0;
}

attachment parse_attachment(const json::object& a) {
    attachment at;
    at.type = str(&a, "type");
    const json::value* pv = a.if_contains("payload");
    if (pv) at.raw_payload = repair_utf8(json::serialize(*pv));
    const json::object* p = object_of(pv);
    at.url = str(p, "url");
    at.thumbnail = str(p, "thumbnail");
    at.description = str(p, "description");
    at.name = str(p, "name");
    at.size = str(p, "size");
    at.checksum = str(p, "checksum");
    at.file_type = str(p, "type");
    at.sticker_id = str(p, "id");
    if (const json::object* c = object_of(field(p, "coordinates"))) {
        at.latitude = str(c, "latitude");
        at.longitude = str(c, "longitude");
    }
    return at;
}

bool is_user_side_sender(event_type t) {
    switch (t) {
    case event_type::user_send_text: case event_type::user_send_image: case event_type::user_send_link:
    case event_type::user_send_audio: case event_type::user_send_video: case event_type::user_send_sticker:
    case event_type::user_send_location: case event_type::user_send_business_card: case event_type::user_send_file:
    case event_type::user_send_gif: case event_type::user_reacted_message: case event_type::user_submit_info:
    case event_type::anonymous_send_text: case event_type::anonymous_send_image: case event_type::anonymous_send_file:
    case event_type::anonymous_send_sticker: case event_type::user_feedback:
        return true;
    default:
        return false;
    }
}

}  // namespace

bool is_bulk(event_type t) {
    switch (t) {
    case event_type::user_received_message: case event_type::user_seen_message:
    case event_type::oa_send_text: case event_type::oa_send_image: case event_type::oa_send_gif:
    case event_type::oa_send_list: case event_type::oa_send_file: case event_type::oa_send_sticker:
    case event_type::oa_send_template:
        return true;
    default:
        return false;
    }
}

std::string_view to_string(event_type t) {
    for (const auto& n : names)
        if (n.type == t) return n.name;
    return "unknown";
}

event_type event_type_from(std::string_view name) {
    for (const auto& n : names)
        if (n.name == name) return n.type;
    return event_type::unknown;
}

namespace {

/// Fills an event from a parsed body that is a JSON object with an event_name.
event event_from(const json::object* o, const json::value* name_v, std::string_view body, bool zns_header) {
    event ev;
    ev.name = text_of(name_v);
    ev.type = event_type_from(ev.name);
    ev.raw = repair_utf8(body);
    ev.zns = zns_header;
    ev.app_id = str(o, "app_id");
    ev.oa_id = str(o, "oa_id");
    if (ev.oa_id.empty()) ev.oa_id = str(o, "oaId");
    ev.user_id_by_app = str(o, "user_id_by_app");
    ev.timestamp = str(o, "timestamp");
    ev.timestamp_ms = int_of(o->if_contains("timestamp"));
    ev.source = str(o, "source");

    const json::object* sender = object_of(o->if_contains("sender"));
    const json::object* recipient = object_of(o->if_contains("recipient"));
    ev.sender_id = str(sender, "id");
    ev.admin_id = str(sender, "admin_id");
    ev.recipient_id = str(recipient, "id");

    if (const json::object* m = object_of(o->if_contains("message"))) {
        ev.msg_id = str(m, "msg_id");
        ev.text = str(m, "text");
        ev.quote_msg_id = str(m, "quote_msg_id");
        if (ev.quote_msg_id.empty()) ev.quote_msg_id = str(m, "quote_message_id");
        ev.react_icon = str(m, "react_icon");
        ev.tracking_id = str(m, "tracking_id");
        ev.delivery_time = str(m, "delivery_time");
        ev.conversation_id = str(m, "conversation_id");
        if (const json::array* ids = field(m, "msg_ids") ? field(m, "msg_ids")->if_array() : nullptr)
            for (const auto& id : *ids) ev.msg_ids.push_back(text_of(&id));
        if (ev.msg_ids.empty() && ev.type == event_type::user_seen_message && !ev.msg_id.empty())
            ev.msg_ids.push_back(ev.msg_id);  // a guide shows a single msg_id (zalo-api.md §7.5)
        if (const json::array* atts = field(m, "attachments") ? field(m, "attachments")->if_array() : nullptr)
            for (const auto& a : *atts)
                if (const json::object* ao = a.if_object()) ev.attachments.push_back(parse_attachment(*ao));
    }
    // The gif attachment may come as user_send_image or user_send_gif: treat both as gif events.
    if (ev.type == event_type::user_send_image && !ev.attachments.empty() && ev.attachments[0].type == "gif")
        ev.type = event_type::user_send_gif;

    if (const json::object* f = object_of(o->if_contains("follower"))) ev.user_id = str(f, "id");
    if (const json::object* info = object_of(o->if_contains("info"))) {
        ev.info_name = str(info, "name");
        ev.info_phone = str(info, "phone");  // a JSON number in Zalo's payloads: kept as digits
        ev.info_address = str(info, "address");
        ev.info_city = str(info, "city");
        ev.info_district = str(info, "district");
        ev.info_ward = str(info, "ward");
    }
    if (const json::object* tag = object_of(o->if_contains("tag"))) {
        ev.tag_name = str(tag, "name");
        if (const json::array* ids = field(tag, "user_ids") ? field(tag, "user_ids")->if_array() : nullptr)
            for (const auto& id : *ids) ev.tag_user_ids.push_back(text_of(&id));
    }
    ev.template_id = str(o, "template_id");
    ev.reason = str(o, "reason");
    if (const json::object* st = object_of(o->if_contains("status"))) {
        ev.prev_status = str(st, "prev_status");
        ev.new_status = str(st, "new_status");
    }
    if (const json::object* q = object_of(o->if_contains("quota"))) {
        ev.quota_prev = int_of(q->if_contains("prev_value"));
        ev.quota_new = int_of(q->if_contains("new_value"));
    }
    if (const json::object* d = object_of(o->if_contains("data")); d && ev.user_id.empty()) ev.user_id = str(d, "user_id");

    // The user this event concerns.
    if (ev.user_id.empty()) ev.user_id = str(o, "user_id");
    if (ev.user_id.empty()) {
        if (is_user_side_sender(ev.type))
            ev.user_id = ev.sender_id;
        else if (!ev.zns)
            ev.user_id = ev.recipient_id;  // oa_* echoes and receipts: sender is the OA
    }
    return ev;
}

}  // namespace

body_reading read_body(std::string_view body, bool zns_header) {
    body_reading r;
    // An arena on the stack: Zalo's bodies are small, so parsing allocates nothing on the heap.
    unsigned char arena[4096];
    json::monotonic_resource mr(arena, sizeof arena);
    boost::system::error_code ec;
    json::value root = parse_exact(body, mr, ec);
    if (ec) {
        r.error = "malformed JSON: " + ec.message();
        return r;
    }
    const json::object* o = root.if_object();
    if (!o) {
        r.error = "the body is not a JSON object";
        return r;
    }
    r.json = true;
    if (const json::value* ts = o->if_contains("timestamp")) {
        std::string digits = ts->is_string() ? std::string(ts->get_string()) : text_of(ts);
        if (all_digits(digits)) r.timestamp = std::move(digits);
    }
    const json::value* name_v = o->if_contains("event_name");
    if (!name_v || !name_v->is_string() || name_v->get_string().empty()) {
        r.error = "missing event_name";
        return r;
    }
    r.ev = event_from(o, name_v, body, zns_header);
    return r;
}

std::optional<event> parse_event(std::string_view body, bool zns_header, parse_error* err) {
    body_reading r = read_body(body, zns_header);
    if (!r.ev && err) err->reason = std::move(r.error);
    return std::move(r.ev);
}

std::string scan_timestamp(std::string_view body) {
    const std::string_view key = "\"timestamp\"";
    const auto at = body.find(key);
    if (at == std::string_view::npos) return {};
    std::size_t i = at + key.size();
    auto skip = [&] {
        while (i < body.size() && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n')) ++i;
    };
    skip();
    if (i >= body.size() || body[i] != ':') return {};
    ++i;
    skip();
    if (i < body.size() && body[i] == '"') ++i;
    std::size_t j = i;
    while (j < body.size() && body[j] >= '0' && body[j] <= '9') ++j;
    return std::string(body.substr(i, j - i));
}

std::string dedup_key(const event& ev) {
    // The event's own time first, as 13 digits (storage migration 92 wrote the same prefix, from
    // `zalo_ts`, before the keys stored earlier): Zalo re-sends the identical event, so a retry
    // has the same key, and the unique index on it grows at its right edge. Keyed by random
    // message ids alone, every insert landed on a random page of that index, and checkpoints
    // then wrote those pages back all over the database file, beside the WAL syncs that the
    // acknowledgements wait for (README, Benchmarks: with random message ids, ack p99 at 2,000
    // events/s 15.0 ms before, 12.0 after, mean of six pairs).
    char time[24];
    std::snprintf(time, sizeof time, "%013lld:", static_cast<long long>(std::max<std::int64_t>(0, ev.timestamp_ms)));
    if (!ev.msg_id.empty()) return time + ev.name + ":" + ev.msg_id;
    return time + std::string("sha256:") + bot::sha256_hex(ev.raw);
}

}  // namespace zalo

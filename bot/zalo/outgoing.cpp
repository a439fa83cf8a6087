// Outgoing messages to and from the outbox's JSON column.
#include "bot/zalo/outgoing.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <stdexcept>

namespace zalo {

namespace json = boost::json;

namespace {
const char* kind_name(button::kind k) {
    switch (k) {
    case button::kind::query_show: return "oa.query.show";
    case button::kind::query_hide: return "oa.query.hide";
    case button::kind::open_url: return "oa.open.url";
    case button::kind::open_phone: return "oa.open.phone";
    }
    return "oa.query.show";
}
button::kind kind_from(std::string_view s) {
    if (s == "oa.query.hide") return button::kind::query_hide;
    if (s == "oa.open.url") return button::kind::open_url;
    if (s == "oa.open.phone") return button::kind::open_phone;
    return button::kind::query_show;
}
std::string get(const json::object& o, std::string_view k) {
    auto* v = o.if_contains(k);
    return v && v->is_string() ? std::string(v->get_string()) : std::string{};
}
}  // namespace

const char* to_string(channel c) {
    switch (c) {
    case channel::cs: return "cs";
    case channel::transaction: return "transaction";
    case channel::promotion: return "promotion";
    case channel::zns: return "zns";
    }
    return "cs";
}

std::optional<channel> channel_from(const std::string& s) {
    if (s == "cs") return channel::cs;
    if (s == "transaction") return channel::transaction;
    if (s == "promotion") return channel::promotion;
    if (s == "zns") return channel::zns;
    return std::nullopt;
}

std::string to_json(const outgoing_message& m) {
    json::object o;
    o["recipient"] = m.recipient;
    o["channel"] = to_string(m.via);
    o["priority"] = static_cast<int>(m.prio);
    o["text"] = m.text;
    if (!m.buttons.empty()) {
        json::array bs;
        for (const auto& b : m.buttons) bs.push_back(json::object{{"type", kind_name(b.type)}, {"title", b.title}, {"payload", b.payload}});
        o["buttons"] = std::move(bs);
    }
    if (!m.header.empty()) o["header"] = m.header;
    if (!m.template_id.empty()) o["template_id"] = m.template_id;
    if (!m.template_data.empty()) {
        json::object td;
        for (const auto& [k, v] : m.template_data) td[k] = v;
        o["template_data"] = std::move(td);
    }
    if (!m.fallback_phone.empty()) o["fallback_phone"] = m.fallback_phone;
    if (!m.purpose.empty()) o["purpose"] = m.purpose;
    if (!m.ref.empty()) o["ref"] = m.ref;
    if (m.broadcast_id) o["broadcast_id"] = *m.broadcast_id;
    return json::serialize(o);
}

outgoing_message outgoing_from_json(const std::string& text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) throw std::runtime_error("outbox: malformed message JSON");
    const auto& o = v.get_object();
    outgoing_message m;
    m.recipient = get(o, "recipient");
    m.via = channel_from(get(o, "channel")).value_or(channel::cs);
    if (auto* p = o.if_contains("priority"); p && p->is_int64()) m.prio = static_cast<priority>(p->get_int64());
    m.text = get(o, "text");
    if (auto* bs = o.if_contains("buttons"); bs && bs->is_array())
        for (const auto& b : bs->get_array())
            if (b.is_object())
                m.buttons.push_back({kind_from(get(b.get_object(), "type")), get(b.get_object(), "title"), get(b.get_object(), "payload")});
    m.header = get(o, "header");
    m.template_id = get(o, "template_id");
    if (auto* td = o.if_contains("template_data"); td && td->is_object())
        for (const auto& [k, val] : td->get_object())
            if (val.is_string()) m.template_data[std::string(k)] = std::string(val.get_string());
    m.fallback_phone = get(o, "fallback_phone");
    m.purpose = get(o, "purpose");
    m.ref = get(o, "ref");
    if (auto* b = o.if_contains("broadcast_id"); b && b->is_int64()) m.broadcast_id = b->get_int64();
    return m;
}

}  // namespace zalo

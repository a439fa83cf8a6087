// Zalo OpenAPI: bodies within the limits, endpoints, error classification (zalo-api.md §2, §3, §5).
#include "bot/zalo/zalo_client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <memory>

namespace bot {

namespace json = boost::json;

const char* to_string(zalo_verdict v) {
    switch (v) {
    case zalo_verdict::ok: return "ok";
    case zalo_verdict::retry: return "retry";
    case zalo_verdict::refresh_token: return "refresh_token";
    case zalo_verdict::switch_to_template: return "switch_to_template";
    case zalo_verdict::wait_for_morning: return "wait_for_morning";
    case zalo_verdict::give_up: return "give_up";
    }
    return "give_up";
}

zalo_verdict verdict_for_code(int code, bool zns) {
    if (code == 0) return zalo_verdict::ok;
    if (zns) {
        switch (code) {
        case -124: return zalo_verdict::refresh_token;
        case -100: return zalo_verdict::retry;  // "unknown error (retry)" per the ZNS table
        case -32: return zalo_verdict::retry;
        case -133: return zalo_verdict::wait_for_morning;  // template not allowed at night
        default: return zalo_verdict::give_up;
        }
    }
    switch (code) {
    case -216:
    case -220: return zalo_verdict::refresh_token;
    case -32:    // per-minute rate limit
    case -211:   // feature quota: back off
    case -218:   // per-user receive quota: back off
        return zalo_verdict::retry;
    case -230:   // no interaction in 7 days
    case -232:   // never interacted / expired
        return zalo_verdict::switch_to_template;
    case -234:   // message type not allowed at night (22:00–06:00)
        return zalo_verdict::wait_for_morning;
    default: return zalo_verdict::give_up;
    }
}

namespace {

int int_field(const json::value* v) {
    if (!v) return 0;
    if (v->is_int64()) return static_cast<int>(v->get_int64());
    if (v->is_uint64()) return static_cast<int>(v->get_uint64());
    if (v->is_string()) {
        try {
            return std::stoi(std::string(v->get_string()));
        } catch (const std::exception&) {
            return 0;
        }
    }
    return 0;
}

std::string str(const json::object& o, std::string_view k) {
    auto* v = o.if_contains(k);
    if (!v) return {};
    if (v->is_string()) return std::string(v->get_string());
    if (v->is_int64()) return std::to_string(v->get_int64());
    if (v->is_uint64()) return std::to_string(v->get_uint64());
    return {};
}

}  // namespace

zalo_result classify(const http_result& r, bool zns) {
    zalo_result z;
    z.http_status = r.status;
    z.body = r.body;
    if (!r.transport_ok()) {
        z.verdict = zalo_verdict::retry;
        z.reason = r.error;
        return z;
    }
    if (r.status >= 500 || r.status == 429) {
        z.verdict = zalo_verdict::retry;
        z.reason = "HTTP " + std::to_string(r.status);
        return z;
    }
    if (r.status != 200) {
        z.verdict = zalo_verdict::give_up;  // never retry a 4xx
        z.reason = "HTTP " + std::to_string(r.status);
        return z;
    }
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    if (ec || !v.is_object()) {
        z.verdict = zalo_verdict::give_up;
        z.reason = "unparsable response";
        return z;
    }
    const auto& o = v.get_object();
    z.code = int_field(o.if_contains("error"));
    z.reason = str(o, "message");
    if (z.reason.empty()) z.reason = str(o, "error_name");
    if (z.code == 0) {
        if (auto* d = o.if_contains("data"); d && d->is_object()) {
            z.msg_id = str(d->get_object(), "message_id");
            if (z.msg_id.empty()) z.msg_id = str(d->get_object(), "msg_id");
        }
    }
    z.verdict = verdict_for_code(z.code, zns);
    return z;
}

// ---- text limits ----------------------------------------------------------------------------

std::size_t utf8_chars(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

namespace {

/// Byte offset just after the first `n` code points (s.size() when shorter).
std::size_t byte_offset_of(const std::string& s, std::size_t n) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
            if (count == n) return i;
            ++count;
        }
    }
    return s.size();
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string trim(const std::string& s) {
    std::size_t b = 0, e = s.size();
    while (b < e && is_space(s[b])) ++b;
    while (e > b && is_space(s[e - 1])) --e;
    return s.substr(b, e - b);
}

/// The best place (byte offset) to end a part within s[0, limit): paragraph, line, sentence, word.
std::size_t best_break(const std::string& s, std::size_t limit) {
    const std::size_t half = limit / 2;
    auto last_of = [&](const std::string& needle) -> std::size_t {
        if (limit < needle.size()) return std::string::npos;
        auto p = s.rfind(needle, limit - needle.size());
        return p == std::string::npos || p < half ? std::string::npos : p + needle.size();
    };
    if (auto p = last_of("\n\n"); p != std::string::npos) return p;
    if (auto p = last_of("\n"); p != std::string::npos) return p;
    // Sentence end: . ! ? … followed by a space.
    for (std::size_t i = limit; i > half; --i) {
        if (i < s.size() && s[i] == ' ') {
            char c = s[i - 1];
            bool ellipsis = i >= 3 && s.compare(i - 3, 3, "\xE2\x80\xA6") == 0;
            if (c == '.' || c == '!' || c == '?' || c == ';' || ellipsis) return i + 1;
        }
    }
    // Word boundary anywhere.
    for (std::size_t i = limit; i > 0; --i)
        if (i < s.size() && is_space(s[i])) return i + 1;
    return std::string::npos;
}

}  // namespace

std::string truncate_utf8(const std::string& s, std::size_t max_chars) {
    if (utf8_chars(s) <= max_chars) return s;
    if (max_chars == 0) return {};
    std::size_t limit = byte_offset_of(s, max_chars - 1);  // room for "…"
    std::size_t cut = limit;
    for (std::size_t i = limit; i > limit / 2; --i) {
        if (is_space(s[i])) {
            cut = i;
            break;
        }
    }
    return trim(s.substr(0, cut)) + "\xE2\x80\xA6";
}

std::vector<std::string> split_text(const std::string& text, std::size_t max_chars) {
    std::vector<std::string> parts;
    std::string rest = trim(text);
    if (max_chars == 0) return parts;
    while (utf8_chars(rest) > max_chars) {
        std::size_t limit = byte_offset_of(rest, max_chars);
        std::size_t cut = best_break(rest, limit);
        if (cut == std::string::npos || cut == 0) cut = limit;  // one word longer than a part
        std::string part = trim(rest.substr(0, cut));
        if (part.empty()) {
            cut = limit;
            part = rest.substr(0, cut);
        }
        parts.push_back(std::move(part));
        rest = trim(rest.substr(cut));
    }
    if (!rest.empty() || parts.empty()) parts.push_back(rest);
    return parts;
}

std::string zns_phone(const std::string& phone) {
    std::string d;
    for (char c : phone)
        if (c >= '0' && c <= '9') d.push_back(c);
        else if (c != ' ' && c != '.' && c != '-' && c != '+') return {};
    if (d.rfind("84", 0) == 0 && d.size() >= 10) return d;
    if (d.rfind("0", 0) == 0 && d.size() >= 10) return "84" + d.substr(1);
    return {};
}

// ---- bodies -----------------------------------------------------------------------------------

namespace zalo_body {

namespace {

json::object button_obj(const zalo::button& b, bool in_template) {
    json::object o;
    o["title"] = truncate_utf8(b.title, in_template ? zalo_limits::template_button_title : zalo_limits::button_title);
    switch (b.type) {
    case zalo::button::kind::query_show:
        o["type"] = "oa.query.show";
        o["payload"] = truncate_utf8(b.payload, zalo_limits::query_payload);
        break;
    case zalo::button::kind::query_hide:
        o["type"] = "oa.query.hide";
        o["payload"] = truncate_utf8(b.payload, zalo_limits::query_payload);
        break;
    case zalo::button::kind::open_url:
        o["type"] = "oa.open.url";
        o["payload"] = json::object{{"url", b.payload}};
        break;
    case zalo::button::kind::open_phone: {
        std::string p = zns_phone(b.payload);
        o["type"] = "oa.open.phone";
        o["payload"] = json::object{{"phone_code", p.empty() ? b.payload : p}};
        break;
    }
    }
    if (in_template) o["image_icon"] = "";
    return o;
}

json::array buttons_arr(const std::vector<zalo::button>& bs, bool in_template) {
    json::array a;
    std::size_t max = in_template ? zalo_limits::template_buttons : zalo_limits::buttons;
    for (std::size_t i = 0; i < bs.size() && i < max; ++i) a.push_back(button_obj(bs[i], in_template));
    return a;
}

std::string envelope(const std::string& user_id, json::object message) {
    return json::serialize(json::object{{"recipient", json::object{{"user_id", user_id}}}, {"message", std::move(message)}});
}

/// Up to `blocks` text elements of at most `max` chars each; the rest is cut with "…".
json::array text_blocks(const std::string& text, std::size_t max, std::size_t blocks) {
    json::array a;
    auto parts = split_text(text, max);
    for (std::size_t i = 0; i < parts.size() && i < blocks; ++i) {
        std::string t = parts[i];
        if (i + 1 == blocks && parts.size() > blocks) t = truncate_utf8(t + " " + parts[i + 1], max);
        a.push_back(json::object{{"type", "text"}, {"align", "left"}, {"content", t}});
    }
    return a;
}

}  // namespace

std::string button_json(const zalo::button& b, bool in_template) { return json::serialize(button_obj(b, in_template)); }

std::string cs_text(const std::string& user_id, const std::string& text) {
    return envelope(user_id, json::object{{"text", truncate_utf8(text, zalo_limits::text_chars)}});
}

std::string cs_buttons(const std::string& user_id, const std::string& text, const std::vector<zalo::button>& buttons) {
    json::object msg{{"text", truncate_utf8(text, zalo_limits::text_chars)}};
    if (!buttons.empty())
        msg["attachment"] = json::object{{"type", "template"}, {"payload", json::object{{"buttons", buttons_arr(buttons, false)}}}};
    return envelope(user_id, std::move(msg));
}

std::string cs_list(const std::string& user_id, const std::vector<list_element>& elements, const std::vector<zalo::button>& buttons) {
    json::array els;
    for (std::size_t i = 0; i < elements.size() && i < zalo_limits::list_elements; ++i) {
        const auto& e = elements[i];
        json::object o{{"title", truncate_utf8(e.title, zalo_limits::button_title)}};
        if (!e.subtitle.empty()) o["subtitle"] = truncate_utf8(e.subtitle, 500);
        if (!e.image_url.empty()) o["image_url"] = e.image_url;
        if (!e.url.empty()) o["default_action"] = json::object{{"type", "oa.open.url"}, {"url", e.url}};
        els.push_back(std::move(o));
    }
    json::object payload{{"template_type", "list"}, {"elements", std::move(els)}};
    if (!buttons.empty()) payload["buttons"] = buttons_arr(buttons, false);
    return envelope(user_id, json::object{{"attachment", json::object{{"type", "template"}, {"payload", std::move(payload)}}}});
}

std::string transaction(const std::string& user_id, const std::string& header, const std::string& text,
                        const std::vector<std::pair<std::string, std::string>>& rows, const std::vector<zalo::button>& buttons,
                        const std::string& template_type) {
    json::array els;
    els.push_back(json::object{{"type", "header"}, {"content", truncate_utf8(header, zalo_limits::header_chars)}, {"align", "left"}});
    for (auto& b : text_blocks(text, zalo_limits::transaction_text, 2)) els.push_back(b);
    if (!rows.empty()) {
        json::array table;
        for (std::size_t i = 0; i < rows.size() && i < 6; ++i)  // the code row + ≤ 5 extra rows
            table.push_back(json::object{{"key", truncate_utf8(rows[i].first, zalo_limits::table_key)},
                                         {"value", truncate_utf8(rows[i].second, zalo_limits::table_value)}});
        els.push_back(json::object{{"type", "table"}, {"content", std::move(table)}});
    }
    json::object payload{{"template_type", template_type}, {"language", "VI"}, {"elements", std::move(els)}};
    if (!buttons.empty()) payload["buttons"] = buttons_arr(buttons, true);
    return envelope(user_id, json::object{{"attachment", json::object{{"type", "template"}, {"payload", std::move(payload)}}}});
}

std::string promotion(const std::string& user_id, const std::string& header, const std::string& text,
                      const std::vector<zalo::button>& buttons) {
    json::array els;
    els.push_back(json::object{{"type", "header"}, {"content", truncate_utf8(header, zalo_limits::header_chars)}, {"align", "left"}});
    for (auto& b : text_blocks(text, zalo_limits::promotion_text, 2)) els.push_back(b);
    json::object payload{{"template_type", "promotion"}, {"language", "VI"}, {"elements", std::move(els)}};
    if (!buttons.empty()) payload["buttons"] = buttons_arr(buttons, true);
    return envelope(user_id, json::object{{"attachment", json::object{{"type", "template"}, {"payload", std::move(payload)}}}});
}

std::string zns(const std::string& phone, const std::string& template_id, const std::map<std::string, std::string>& data,
                const std::string& tracking_id) {
    json::object td;
    for (const auto& [k, v] : data) td[k] = v;
    return json::serialize(json::object{{"phone", phone}, {"template_id", template_id}, {"template_data", std::move(td)},
                                        {"tracking_id", tracking_id}});
}

}  // namespace zalo_body

std::vector<prepared_send> prepare(const zalo::outgoing_message& m, const std::string& tracking_id) {
    std::vector<prepared_send> out;
    switch (m.via) {
    case zalo::channel::cs: {
        auto parts = split_text(m.text, zalo_limits::text_chars);
        for (std::size_t i = 0; i < parts.size(); ++i) {
            bool last = i + 1 == parts.size();
            prepared_send p;
            p.target = prepared_send::endpoint::cs;
            p.body = last && !m.buttons.empty() ? zalo_body::cs_buttons(m.recipient, parts[i], m.buttons)
                                                : zalo_body::cs_text(m.recipient, parts[i]);
            out.push_back(std::move(p));
        }
        break;
    }
    case zalo::channel::transaction: {
        std::vector<std::pair<std::string, std::string>> rows;
        bool has_code = false;
        for (const auto& [k, v] : m.template_data) {
            if (k.rfind("Mã", 0) == 0) has_code = true;
            rows.emplace_back(k, v);
        }
        // Zalo requires a "Mã ..." (or customer name) row in the table.
        if (!has_code) rows.insert(rows.begin(), {"Mã thông báo", tracking_id});
        std::string header = m.header.empty() ? truncate_utf8(m.text, zalo_limits::header_chars) : m.header;
        out.push_back({prepared_send::endpoint::transaction,
                       zalo_body::transaction(m.recipient, header, m.text, rows, m.buttons)});
        break;
    }
    case zalo::channel::promotion: {
        std::string header = m.header.empty() ? truncate_utf8(m.text, zalo_limits::header_chars) : m.header;
        out.push_back({prepared_send::endpoint::promotion, zalo_body::promotion(m.recipient, header, m.text, m.buttons)});
        break;
    }
    case zalo::channel::zns: {
        std::string phone = zns_phone(m.recipient);
        out.push_back({prepared_send::endpoint::zns,
                       zalo_body::zns(phone.empty() ? m.recipient : phone, m.template_id, m.template_data, tracking_id)});
        break;
    }
    }
    return out;
}

token_grant parse_token_grant(const http_result& r) {
    token_grant g;
    if (!r.transport_ok()) {
        g.reason = r.error;
        return g;
    }
    if (r.status >= 500 || r.status == 429) {
        g.reason = "HTTP " + std::to_string(r.status);
        return g;
    }
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    if (r.status == 200 && (ec || !v.is_object())) {
        // Re-using a spent refresh token has been seen to return an empty HTTP-200 body.
        g.definitive = true;
        g.reason = r.body.empty() ? "empty answer" : "unparsable answer";
        return g;
    }
    if (ec || !v.is_object()) {
        g.definitive = r.status >= 400 && r.status < 500;
        g.reason = "HTTP " + std::to_string(r.status);
        return g;
    }
    const auto& o = v.get_object();
    g.access_token = str(o, "access_token");
    if (g.access_token.empty()) {
        g.code = int_field(o.if_contains("error"));
        g.reason = str(o, "error_name");
        if (g.reason.empty()) g.reason = str(o, "message");
        if (g.reason.empty()) g.reason = "no access_token in the answer";
        g.definitive = true;
        return g;
    }
    g.refresh_token = str(o, "refresh_token");
    g.expires_in_s = int_field(o.if_contains("expires_in"));
    if (g.expires_in_s <= 0) g.expires_in_s = 3600;  // Chatwoot's fallback when expires_in is missing
    if (g.refresh_token.empty()) {
        g.reason = "no refresh_token in the answer";
        g.definitive = true;
        g.access_token.clear();
        return g;
    }
    g.ok = true;
    return g;
}

// ---- client -----------------------------------------------------------------------------------

zalo_client::zalo_client(const config& cfg, http_client& http) : cfg_(cfg), http_(http) {}

std::string zalo_client::url_of(prepared_send::endpoint e) const {
    switch (e) {
    case prepared_send::endpoint::cs: return cfg_.zalo.api_base + "/v3.0/oa/message/cs";
    case prepared_send::endpoint::transaction: return cfg_.zalo.api_base + "/v3.0/oa/message/transaction";
    case prepared_send::endpoint::promotion: return cfg_.zalo.api_base + "/v3.0/oa/message/promotion";
    case prepared_send::endpoint::zns: return cfg_.zalo.zns_base + "/message/template";
    }
    return {};
}

void zalo_client::send(const prepared_send& p, const std::string& access_token, result_fn done) {
    http_call c;
    c.method = "POST";
    c.url = url_of(p.target);
    c.headers = {{"access_token", access_token}};
    c.body = p.body;
    bool zns = p.target == prepared_send::endpoint::zns;
    http_.request(std::move(c), [zns, done = std::move(done)](http_result r) { done(classify(r, zns)); });
}

void zalo_client::refresh(const oauth_app& app, const std::string& refresh_token, grant_fn done) {
    http_call c;
    c.method = "POST";
    c.url = cfg_.zalo.oauth_base + "/v4/oa/access_token";
    c.content_type = "application/x-www-form-urlencoded";
    c.headers = {{"secret_key", app.app_secret}};
    c.body = "refresh_token=" + url_encode(refresh_token) + "&app_id=" + url_encode(app.app_id) + "&grant_type=refresh_token";
    http_.request(std::move(c), [done = std::move(done)](http_result r) { done(parse_token_grant(r)); });
}

void zalo_client::refresh(const std::string& refresh_token, grant_fn done) {
    refresh({cfg_.zalo.app_id, cfg_.zalo.app_secret}, refresh_token, std::move(done));
}

void zalo_client::exchange_code(const oauth_app& app, const std::string& code, const std::string& verifier, grant_fn done) {
    http_call c;
    c.method = "POST";
    c.url = cfg_.zalo.oauth_base + "/v4/oa/access_token";
    c.content_type = "application/x-www-form-urlencoded";
    c.headers = {{"secret_key", app.app_secret}};
    c.body = "code=" + url_encode(code) + "&app_id=" + url_encode(app.app_id) +
             "&grant_type=authorization_code&code_verifier=" + url_encode(verifier);
    http_.request(std::move(c), [done = std::move(done)](http_result r) { done(parse_token_grant(r)); });
}

void zalo_client::exchange_code(const std::string& code, const std::string& verifier, grant_fn done) {
    exchange_code({cfg_.zalo.app_id, cfg_.zalo.app_secret}, code, verifier, std::move(done));
}

void zalo_client::user_detail(const std::string& user_id, const std::string& access_token, result_fn done) {
    http_call c;
    c.method = "GET";
    c.url = cfg_.zalo.api_base + "/v3.0/oa/user/detail?data=" +
            url_encode(json::serialize(json::object{{"user_id", user_id}}));
    c.headers = {{"access_token", access_token}};
    http_.request(std::move(c), [done = std::move(done)](http_result r) { done(classify(r, false)); });
}

void zalo_client::quota(const std::string& user_id, const std::string& access_token, result_fn done) {
    http_call c;
    c.method = "POST";
    c.url = cfg_.zalo.api_base + "/v3.0/oa/quota/message";
    c.headers = {{"access_token", access_token}};
    c.body = json::serialize(json::object{{"user_id", user_id}});
    http_.request(std::move(c), [done = std::move(done)](http_result r) { done(classify(r, false)); });
}

std::string zalo_client::permission_url(const std::string& code_challenge, const std::string& state) const {
    return bot::permission_url(cfg_, code_challenge, state);
}

std::string permission_url(const config& cfg_, const std::string& code_challenge, const std::string& state) {
    return permission_url(cfg_, cfg_.zalo.app_id, code_challenge, state);
}

std::string permission_url(const config& cfg_, const std::string& app_id, const std::string& code_challenge,
                           const std::string& state) {
    return cfg_.zalo.oauth_base + "/v4/oa/permission?app_id=" + url_encode(app_id) +
           "&redirect_uri=" + url_encode(cfg_.zalo.redirect_uri) + "&code_challenge=" + url_encode(code_challenge) +
           "&state=" + url_encode(state);
}

// ---- PKCE ---------------------------------------------------------------------------------

namespace {

std::string base64url_nopad(const unsigned char* raw, std::size_t n) {
    static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        unsigned v = (raw[i] << 16) | (raw[i + 1] << 8) | raw[i + 2];
        out += abc[(v >> 18) & 63];
        out += abc[(v >> 12) & 63];
        out += abc[(v >> 6) & 63];
        out += abc[v & 63];
    }
    if (n - i == 1) {
        unsigned v = raw[i] << 16;
        out += abc[(v >> 18) & 63];
        out += abc[(v >> 12) & 63];
    } else if (n - i == 2) {
        unsigned v = (raw[i] << 16) | (raw[i + 1] << 8);
        out += abc[(v >> 18) & 63];
        out += abc[(v >> 12) & 63];
        out += abc[(v >> 6) & 63];
    }
    return out;
}

std::string random_b64(std::size_t bytes) {
    std::vector<unsigned char> b(bytes);
    if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) throw std::runtime_error("random bytes unavailable");
    return base64url_nopad(b.data(), b.size());
}

}  // namespace

std::string pkce_verifier() { return random_b64(32); }

std::string pkce_challenge(const std::string& verifier) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(verifier.data(), verifier.size(), md, &len, EVP_sha256(), nullptr);
    return base64url_nopad(md, len);
}

std::string random_state() { return random_b64(18); }

}  // namespace bot

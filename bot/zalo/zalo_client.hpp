// The Zalo OpenAPI client: request bodies within Zalo's limits, endpoints, response classification.
#pragma once

#include "bot/core/config.hpp"
#include "bot/http/https_client.hpp"
#include "bot/zalo/outgoing.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace bot {

/// Zalo's limits (zalo-api.md §2.2–2.6).
namespace zalo_limits {
inline constexpr std::size_t text_chars = 2000;          ///< cs text
inline constexpr std::size_t buttons = 5;                ///< cs buttons
inline constexpr std::size_t button_title = 100;         ///< cs button title
inline constexpr std::size_t template_buttons = 4;       ///< transaction/promotion buttons
inline constexpr std::size_t template_button_title = 35; ///< transaction/promotion button title
inline constexpr std::size_t query_payload = 1000;       ///< oa.query.* payload
inline constexpr std::size_t header_chars = 100;         ///< template header
inline constexpr std::size_t transaction_text = 250;     ///< one transaction text block
inline constexpr std::size_t promotion_text = 1000;      ///< one promotion text block
inline constexpr std::size_t table_key = 35;
inline constexpr std::size_t table_value = 100;
inline constexpr std::size_t list_elements = 5;
}  // namespace zalo_limits

/// What to do after a Zalo call (STYLE §4: a value, not an exception).
enum class zalo_verdict {
    ok,
    retry,               ///< network, timeout, HTTP 5xx/429, -32 rate limit, quota back-off
    refresh_token,       ///< -216 / -220 (OA), -124 (ZNS): refresh once and retry once
    switch_to_template,  ///< outside the interaction window (-230, -232): use ZNS / transaction
    wait_for_morning,    ///< not allowed at night (-234 OA, -133 ZNS): send again from 06:00 local
    give_up              ///< anything else (4xx, invalid parameters, blocked, ...)
};
[[nodiscard]] const char* to_string(zalo_verdict v);

/// The classified answer to one call.
struct zalo_result {
    zalo_verdict verdict = zalo_verdict::give_up;
    int http_status = 0;   ///< 0 on a transport failure
    int code = 0;          ///< Zalo's `error` (0 on success)
    std::string reason;    ///< transport error or Zalo's message (never a token)
    std::string msg_id;    ///< data.message_id (OA) or data.msg_id (ZNS)
    std::string body;      ///< raw response body
};

/// Classifies an HTTP result of an OA (`zns` false) or ZNS call.
[[nodiscard]] zalo_result classify(const http_result& r, bool zns);
/// The verdict for a Zalo error code.
[[nodiscard]] zalo_verdict verdict_for_code(int code, bool zns);

/// Number of Unicode code points in UTF-8 text.
[[nodiscard]] std::size_t utf8_chars(const std::string& s);
/// At most `max_chars` code points, cut at a word boundary when possible, never inside a
/// UTF-8 sequence; appends "…" when cut.
[[nodiscard]] std::string truncate_utf8(const std::string& s, std::size_t max_chars);
/// Splits text into parts of at most `max_chars` code points, preferring paragraph, line, then
/// sentence, then word boundaries; never mid-word (unless a single word is longer than a part)
/// and never inside a UTF-8 sequence.
[[nodiscard]] std::vector<std::string> split_text(const std::string& text, std::size_t max_chars = zalo_limits::text_chars);

/// One element of a list template.
struct list_element {
    std::string title;
    std::string subtitle;
    std::string image_url;
    std::string url;  ///< default action (oa.open.url); empty for none
};

/// Request bodies (JSON text). Limits are enforced here: text is cut to its limit, buttons beyond
/// the limit are dropped, titles shortened.
namespace zalo_body {
/// Consultation text.
[[nodiscard]] std::string cs_text(const std::string& user_id, const std::string& text);
/// Consultation text with buttons (oa.query.show/hide, oa.open.url, oa.open.phone).
[[nodiscard]] std::string cs_buttons(const std::string& user_id, const std::string& text,
                                     const std::vector<zalo::button>& buttons);
/// List template (≤ 5 elements).
[[nodiscard]] std::string cs_list(const std::string& user_id, const std::vector<list_element>& elements,
                                  const std::vector<zalo::button>& buttons = {});
/// Transaction template: header, text blocks, a table from `rows` (key "Mã ..." first), buttons.
[[nodiscard]] std::string transaction(const std::string& user_id, const std::string& header, const std::string& text,
                                      const std::vector<std::pair<std::string, std::string>>& rows,
                                      const std::vector<zalo::button>& buttons,
                                      const std::string& template_type = "transaction_event");
/// Promotion template: header, up to two text blocks, buttons.
[[nodiscard]] std::string promotion(const std::string& user_id, const std::string& header, const std::string& text,
                                    const std::vector<zalo::button>& buttons);
/// ZNS template by phone with our tracking id.
[[nodiscard]] std::string zns(const std::string& phone, const std::string& template_id,
                              const std::map<std::string, std::string>& data, const std::string& tracking_id);
/// A button as Zalo wants it; `in_template` applies the template title limit and image_icon.
[[nodiscard]] std::string button_json(const zalo::button& b, bool in_template);
}  // namespace zalo_body

/// Phone in Zalo's country format (84xxxxxxxxx) from 0xxxxxxxxx / +84 / 84; "" when not a phone.
[[nodiscard]] std::string zns_phone(const std::string& phone);

/// One HTTP request the sender will make for (part of) an outgoing message.
struct prepared_send {
    enum class endpoint { cs, transaction, promotion, zns } target = endpoint::cs;
    std::string body;
};

/// The requests for one outbox message, in order: long cs text becomes several parts (buttons on
/// the last); templates and ZNS are one request. `tracking_id` goes into ZNS requests.
[[nodiscard]] std::vector<prepared_send> prepare(const zalo::outgoing_message& m, const std::string& tracking_id);

/// The result of an OAuth token call.
struct token_grant {
    bool ok = false;
    bool definitive = false;  ///< the refresh token / code was refused (re-authorisation needed)
    std::string access_token;
    std::string refresh_token;
    std::int64_t expires_in_s = 0;
    int code = 0;
    std::string reason;  ///< never contains a token
};
/// Parses an OAuth answer (§3): "no access_token in body" is a failure.
[[nodiscard]] token_grant parse_token_grant(const http_result& r);

/// The OAuth identity of one Official Account: its app id and the app's secret key.
struct oauth_app {
    std::string app_id;
    std::string app_secret;  ///< secret: the secret_key header of OAuth calls
};

/// The client: base URLs and secrets from configuration, HTTP through `http_client`.
class zalo_client {
public:
    using result_fn = std::function<void(zalo_result)>;
    using grant_fn = std::function<void(token_grant)>;

    zalo_client(const config& cfg, http_client& http);

    /// Sends one prepared request with the OA access token. `done` runs on an HTTP thread.
    void send(const prepared_send& p, const std::string& access_token, result_fn done);
    /// OAuth v4 refresh of one OA's tokens (secret_key header = its app's secret).
    void refresh(const oauth_app& app, const std::string& refresh_token, grant_fn done);
    /// Same for the [zalo] OA.
    void refresh(const std::string& refresh_token, grant_fn done);
    /// OAuth v4 authorization-code exchange with the PKCE verifier, for one OA's app.
    void exchange_code(const oauth_app& app, const std::string& code, const std::string& verifier, grant_fn done);
    /// Same for the [zalo] OA.
    void exchange_code(const std::string& code, const std::string& verifier, grant_fn done);
    /// GET /v3.0/oa/user/detail (data in result.body).
    void user_detail(const std::string& user_id, const std::string& access_token, result_fn done);
    /// POST /v3.0/oa/quota/message for one user.
    void quota(const std::string& user_id, const std::string& access_token, result_fn done);
    /// The consent URL for the OA admin (PKCE S256).
    [[nodiscard]] std::string permission_url(const std::string& code_challenge, const std::string& state) const;
    /// The URL for an endpoint.
    [[nodiscard]] std::string url_of(prepared_send::endpoint e) const;

private:
    const config& cfg_;
    http_client& http_;
};

/// The consent URL for the OA admin: {oauth_base}/v4/oa/permission?app_id&redirect_uri&code_challenge&state.
[[nodiscard]] std::string permission_url(const config& cfg, const std::string& code_challenge, const std::string& state);
/// Same for the OA of this app id (each [[oa]] authorises its own app).
[[nodiscard]] std::string permission_url(const config& cfg, const std::string& app_id, const std::string& code_challenge,
                                         const std::string& state);

/// PKCE helpers.
[[nodiscard]] std::string pkce_verifier();                                  ///< 43 chars base64url
[[nodiscard]] std::string pkce_challenge(const std::string& verifier);      ///< base64url(sha256(verifier))
[[nodiscard]] std::string random_state();                                    ///< opaque state

}  // namespace bot

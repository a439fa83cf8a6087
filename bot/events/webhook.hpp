// The Zalo webhook: signature verification (pure) and the endpoint that stores verified events.
#pragma once

#include "bot/http/http_types.hpp"
#include "bot/events/zalo_event.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace bot {

struct config;
class metrics;

namespace webhook {

/// The header value Zalo sends: "mac=" + hex(SHA-256(app_id + raw_body + timestamp + oa_secret_key))
/// (zalo-api.md §1.3). Used by the demo, tests and the benchmark to sign events.
[[nodiscard]] std::string signature_header(std::string_view app_id, std::string_view raw_body,
                                           std::string_view timestamp, std::string_view oa_secret_key);

/// True when `header_value` ("mac=<hex>", or the bare hex) is the MAC of this body; compared in
/// constant time. An empty secret never verifies.
[[nodiscard]] bool verify_signature(std::string_view app_id, std::string_view raw_body, std::string_view timestamp,
                                    std::string_view oa_secret_key, std::string_view header_value);

/// The literal digits of the body's top-level "timestamp" (a string or a number in JSON), or
/// nullopt when the body is not a JSON object or has no usable timestamp.
[[nodiscard]] std::optional<std::string> timestamp_literal(std::string_view raw_body);

/// What the webhook decided before storing: the status to answer, or the event to store.
struct verdict {
    int status = 200;                ///< 200: store `ev`; else answer this status
    std::string error;               ///< short error code for the JSON body
    std::string detail;              ///< human-readable reason (never contains secrets)
    std::optional<zalo::event> ev;   ///< the parsed event when status == 200
};

/// The pure request → verdict step: signature first (401), then parsing (400), then the
/// replay window (401). `now_ms` is the current Unix time in milliseconds.
[[nodiscard]] verdict check(const config& cfg, const http_request& req, std::int64_t now_ms);

/// What the endpoint stores for a verified event.
struct store_request {
    std::string dedup_key;
    std::string event_name;
    std::string user_id;
    bool zns = false;
    std::int64_t zalo_ts = 0;
    std::int64_t received_at = 0;
    std::string body;
};

/// Durable storage as the endpoint sees it: `done(ok, duplicate)` once the record is committed
/// (ok=true) or failed (ok=false); may be called from another thread.
using store_fn = std::function<void(store_request, std::function<void(bool ok, bool duplicate)> done)>;

/// The POST endpoint: check → store → 200 {"ok":true} (also for a duplicate), 500 when storing
/// failed (Zalo retries). Counts events, failures and the time to acknowledge in `stats`.
[[nodiscard]] http_handler make_endpoint(const config& cfg, metrics& stats, std::function<std::int64_t()> clock,
                                         store_fn store);

/// Declares the webhook's metrics (help texts) in `stats`.
void describe_metrics(metrics& stats);

}  // namespace webhook
}  // namespace bot

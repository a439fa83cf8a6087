// The Zalo webhook: signature verification (pure) and the endpoint that stores verified events.
#pragma once

#include "bot/http/http_types.hpp"
#include "bot/events/zalo_event.hpp"
#include "storage/event_log.hpp"

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
    std::string oa;                  ///< id of the OA whose key signed it (`default` without [[oa]])
};

/// The pure request → verdict step, on one parse of the body: signature first (401; a body that
/// is not JSON is checked against the timestamp digits found in it, so a correctly signed
/// malformed body gets 400; with several OAs ([[oa]]) the key of the OA the body names is tried
/// first, then the others), then the event (400), then the app (403 when the body names an app
/// other than the signing OA's: one we do not run; or another of our OAs than the signing one,
/// by the OA id it names), then the replay window (401). The event carries the signing OA (`oa`). `now_ms` is
/// Unix milliseconds.
[[nodiscard]] verdict check(const config& cfg, const http_request& req, std::int64_t now_ms);

/// The record the endpoint stores for a verified event (storage's own type, from request to row).
[[nodiscard]] storage::event_record record_of(const zalo::event& ev, std::int64_t received_at_ms);

/// Durable storage as the endpoint sees it: stores `record`, hands `ev` (the same event, parsed
/// once) on to processing once it is committed, then `done(ok, duplicate)` (ok=false: nothing
/// was stored); may be called from another thread.
using store_fn =
    std::function<void(storage::event_record record, zalo::event ev, std::function<void(bool ok, bool duplicate)> done)>;

/// The POST endpoint: check → store → 200 {"ok":true} (also for a duplicate), 500 when storing
/// failed (Zalo retries). Counts events, failures and the time to acknowledge in `stats`.
[[nodiscard]] http_handler make_endpoint(const config& cfg, metrics& stats, std::function<std::int64_t()> clock,
                                         store_fn store);

/// Declares the webhook's metrics (help texts) in `stats`.
void describe_metrics(metrics& stats);

}  // namespace webhook
}  // namespace bot

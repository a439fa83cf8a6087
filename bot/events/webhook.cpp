// Zalo webhook: X-ZEvent-Signature verification, parsing, replay window, hand-off to storage.
#include "bot/events/webhook.hpp"

#include "bot/core/crypto.hpp"

#include "bot/core/config.hpp"
#include "bot/core/metrics.hpp"
#include "bot/events/event_oa.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <memory>

namespace bot::webhook {

namespace json = boost::json;

namespace {

/// The key one of our OAs signs its webhook events with (views into the configuration).
struct oa_key {
    std::string_view id, app_id, secret;
    std::string_view oa_id;  ///< the OA's Zalo id
};

/// Calls `f` with each configured OA's key: the `[[oa]]` tables, or the `[zalo]` OA (`default`).
template <class F>
void for_each_oa(const config& cfg, F&& f) {
    if (cfg.oa_tables.empty()) {
        f(oa_key{"default", cfg.zalo.app_id, cfg.zalo.oa_secret_key, cfg.zalo.oa_id});
        return;
    }
    for (const auto& oa : cfg.oa_tables) f(oa_key{oa.id, oa.app_id, oa.oa_secret_key, oa.oa_id});
}

std::int64_t to_ms(std::string_view digits) {
    std::int64_t v = 0;
    for (char c : digits) {
        if (v > (INT64_MAX - 9) / 10) return INT64_MAX;
        v = v * 10 + (c - '0');
    }
    return v;
}

}  // namespace


namespace {
std::string mac_of(std::string_view app_id, std::string_view raw_body, std::string_view timestamp,
                   std::string_view oa_secret_key) {
    // Plain SHA-256 over the concatenation, no separators, not HMAC (zalo-api.md §1.3).
    std::string in;
    in.reserve(app_id.size() + raw_body.size() + timestamp.size() + oa_secret_key.size());
    in.append(app_id).append(raw_body).append(timestamp).append(oa_secret_key);
    std::string mac = sha256_hex(in);
    // The concatenation holds the secret: wipe it before the buffer is freed.
    OPENSSL_cleanse(in.data(), in.size());
    return mac;
}
}  // namespace

std::string signature_header(std::string_view app_id, std::string_view raw_body, std::string_view timestamp,
                             std::string_view oa_secret_key) {
    return "mac=" + mac_of(app_id, raw_body, timestamp, oa_secret_key);
}

bool verify_signature(std::string_view app_id, std::string_view raw_body, std::string_view timestamp,
                      std::string_view oa_secret_key, std::string_view header_value) {
    if (oa_secret_key.empty()) return false;
    // Trim surrounding blanks a proxy may add, then the "mac=" prefix.
    while (!header_value.empty() && (header_value.front() == ' ' || header_value.front() == '\t'))
        header_value.remove_prefix(1);
    while (!header_value.empty() && (header_value.back() == ' ' || header_value.back() == '\t'))
        header_value.remove_suffix(1);
    if (header_value.substr(0, 4) == "mac=") header_value.remove_prefix(4);
    if (header_value.size() != 2 * SHA256_DIGEST_LENGTH) return false;
    // Zalo sends lowercase hex; accept uppercase too, normalised before the constant-time compare.
    std::array<char, 2 * SHA256_DIGEST_LENGTH> given{};
    for (std::size_t i = 0; i < given.size(); ++i) {
        char c = header_value[i];
        given[i] = (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    std::string expected = mac_of(app_id, raw_body, timestamp, oa_secret_key);
    return CRYPTO_memcmp(expected.data(), given.data(), given.size()) == 0;
}

std::optional<std::string> timestamp_literal(std::string_view raw_body) {
    auto r = zalo::read_body(raw_body, false);
    if (!r.json || r.timestamp.empty()) return std::nullopt;
    return r.timestamp;
}

verdict check(const config& cfg, const http_request& req, std::int64_t now_ms) {
    verdict v;
    auto refuse = [&v](int status, std::string error, std::string detail) {
        v.status = status;
        v.error = std::move(error);
        v.detail = std::move(detail);
        return v;
    };
    // 1. Signature first, over the exact bytes received (DPP verifies before parsing). Its
    // timestamp is inside the body, so the body is read once here and the event comes from the
    // same reading.
    auto sig = req.headers.find("X-ZEvent-Signature");
    if (sig == req.headers.end() || sig->second.empty())
        return refuse(401, "missing_signature", "X-ZEvent-Signature header is required");
    // ZNS events are told apart by the X-ZEvent-Server header (zalo-api.md §1.10).
    bool zns = false;
    if (auto srv = req.headers.find("X-ZEvent-Server"); srv != req.headers.end()) {
        std::string s = srv->second;
        for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        zns = s.find("ZNS") != std::string::npos;
    }
    zalo::body_reading body = zalo::read_body(req.body, zns);
    // Which of our OAs signed it: the MAC covers the app id and that OA's secret key, so the OA
    // the body names is tried first (one MAC for a genuine event), then the others.
    const std::string_view named_app = body.ev ? std::string_view(body.ev->app_id) : std::string_view{};
    std::optional<oa_key> signer;
    auto try_keys = [&](std::string_view ts) {
        for (int pass = 0; pass < 2 && !signer; ++pass)
            for_each_oa(cfg, [&](const oa_key& k) {
                if (signer || (k.app_id == named_app) != (pass == 0)) return;
                if (verify_signature(k.app_id, req.body, ts, k.secret, sig->second)) signer = k;
            });
    };
    try_keys(body.timestamp);
    if (!signer && !body.json) {
        // Not JSON: the sender signed with the timestamp digits it put in the body, or with none.
        // Either way a correct MAC proves the sender; the body is then malformed (400), not forged.
        if (const std::string scanned = zalo::scan_timestamp(req.body); !scanned.empty()) try_keys(scanned);
        if (!signer) try_keys("");
    }
    if (!signer) return refuse(401, "bad_signature", "X-ZEvent-Signature does not match the body");

    // 2. The event.
    if (req.body.empty()) return refuse(400, "empty_body", "the body is empty");
    if (!body.ev) return refuse(400, "malformed_event", body.error);
    if (body.timestamp.empty()) return refuse(400, "malformed_event", "missing or non-numeric timestamp");

    // 3. The app: the MAC used the signing OA's app id, so a body naming any other app (one we
    // do not run, or another of ours) was signed by someone holding that OA's key for an event
    // that is not its own. Events without an app id (ZNS notices carry oaId only) belong to the
    // OA whose key signed them.
    if (!named_app.empty() && named_app != signer->app_id)
        return refuse(403, "unknown_app", "the event is for an app this service does not run");
    // Likewise for the OA: a body naming another of our OAs (several OAs may share one app) was
    // signed with a key that is not that OA's. An OA id we do not run is left to the handlers.
    if (const std::string_view named_oa = oa_zalo_id(*body.ev); !named_oa.empty() && named_oa != signer->oa_id) {
        bool another_of_ours = false;
        for_each_oa(cfg, [&](const oa_key& k) { another_of_ours = another_of_ours || (k.id != signer->id && k.oa_id == named_oa); });
        if (another_of_ours)
            return refuse(403, "foreign_oa", "the event is for an Official Account other than the one whose key signed it");
    }
    v.oa = std::string(signer->id);
    body.ev->oa = v.oa;  // stored with the event: replies go back through this OA

    // 4. Replay window. A correctly signed body replayed later would otherwise be accepted once
    // its dedup key is pruned (after 2× the window). We answer 401, not 400: the body is well
    // formed, but this delivery can no longer be authenticated as fresh. Zalo's own retries
    // stop after about 12 h, well inside the window (default 24 h), so a late legitimate retry
    // is never refused. Timestamps further in the future than the window are refused likewise.
    const std::int64_t window_ms = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.zalo.replay_window).count();
    const std::int64_t ts_ms = to_ms(body.timestamp);
    if (ts_ms < now_ms - window_ms) return refuse(401, "replayed_event", "timestamp is older than the replay window");
    if (ts_ms > now_ms + window_ms) return refuse(401, "replayed_event", "timestamp is too far in the future");
    body.ev->timestamp_ms = ts_ms;
    v.ev = std::move(body.ev);
    return v;
}

storage::event_record record_of(const zalo::event& ev, std::int64_t received_at_ms) {
    storage::event_record rec;
    rec.dedup_key = zalo::dedup_key(ev);
    rec.event_name = ev.name;
    rec.user_id = ev.user_id;
    rec.zns = ev.zns;
    rec.zalo_ts = ev.timestamp_ms;
    rec.received_at = received_at_ms;
    rec.body = ev.raw;  // repaired UTF-8; the MAC was checked on the received bytes
    rec.lane = zalo::is_bulk(ev.type) ? storage::event_lane::bulk : storage::event_lane::people;
    rec.oa = ev.oa;
    return rec;
}

void describe_metrics(metrics& stats) {
    stats.describe("cchcbot_webhook_events_total", "counter", "Verified webhook events received, by event name");
    stats.describe("cchcbot_webhook_duplicates_total", "counter", "Webhook deliveries recognised as retries");
    stats.describe("cchcbot_webhook_verification_failures_total", "counter",
                   "Webhook requests refused for a missing or wrong signature, or replayed");
    stats.describe("cchcbot_webhook_foreign_app_total", "counter", "Signed webhook events naming another app (403)");
    stats.describe("cchcbot_webhook_rejected_total", "counter", "Webhook requests refused, by HTTP status");
    stats.describe("cchcbot_webhook_store_errors_total", "counter", "Webhook events that could not be stored (500)");
    stats.describe("cchcbot_webhook_ack_seconds", "histogram", "Time from the request read to the 200 (durable)");
}

http_handler make_endpoint(const config& cfg, metrics& stats, std::function<std::int64_t()> clock, store_fn store) {
    return [&cfg, &stats, clock = std::move(clock), store = std::move(store)](http_request&& req, respond_fn respond) {
        const auto started = std::chrono::steady_clock::now();
        const std::int64_t now = clock();
        verdict v = check(cfg, req, now);
        if (v.status != 200) {
            if (v.status == 401) stats.inc("cchcbot_webhook_verification_failures_total", {{"reason", v.error}});
            if (v.status == 403) stats.inc("cchcbot_webhook_foreign_app_total");
            stats.inc("cchcbot_webhook_rejected_total", {{"status", std::to_string(v.status)}});
            spdlog::debug("webhook refused from {}: {} ({})", req.remote, v.status, v.error);
            respond(json_error(v.status, v.error, v.detail));
            return;
        }
        zalo::event& ev = *v.ev;
        storage::event_record rec = record_of(ev, now);
        ev.raw.clear();  // stored in the record; the dispatcher does not need a second copy
        std::string name = ev.name;
        // 5. Durable store, then 200. A duplicate is a retry of something already stored: 200 too.
        store(std::move(rec), std::move(ev), [&stats, respond = std::move(respond), name = std::move(name), started](bool ok,
                                                                                                      bool duplicate) {
            if (!ok) {
                stats.inc("cchcbot_webhook_store_errors_total");
                respond(json_error(500, "storage_error", "the event could not be stored; retry later"));
                return;
            }
            if (duplicate)
                stats.inc("cchcbot_webhook_duplicates_total");
            else
                stats.inc("cchcbot_webhook_events_total", {{"event", name}});
            stats.observe("cchcbot_webhook_ack_seconds",
                          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
            respond(json_response(R"({"ok":true})"));
        });
    };
}

}  // namespace bot::webhook

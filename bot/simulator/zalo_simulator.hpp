// An in-process HTTPS simulator of the Zalo endpoints the bot uses (tests and `cchcbot demo`).
#pragma once

#include "bot/http/http_types.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sim {

/// One request the simulator received.
struct recorded_request {
    std::string method;
    std::string path;    ///< without the query
    std::string target;  ///< as sent
    std::map<std::string, std::string, bot::ci_less> headers;
    std::string body;
    std::string fault;   ///< the fault injected into this request ("" when answered normally)
};

/// A message the simulator accepted (answered with success).
struct sent_message {
    std::string channel;      ///< cs | transaction | promotion | zns
    std::string recipient;    ///< user id, or phone for ZNS
    std::string msg_id;       ///< the id it answered with
    std::string tracking_id;  ///< ZNS only
    std::string text;         ///< cs text (empty for templates)
    std::string access_token; ///< the token the request carried
    std::string oa_id;        ///< the OA whose access token it carried (each OA has its own tokens)
    std::string body;         ///< the request body
    std::chrono::steady_clock::time_point accepted_at;  ///< when the simulator accepted it (benchmarks)
};

/// A further Official Account the simulator serves: its own app, tokens and event key.
struct sim_account {
    std::string app_id;
    std::string app_secret;
    std::string oa_id;
    std::string refresh_token;   ///< its first valid refresh token; generated when empty
    std::string oa_secret_key;   ///< its events (receipts, post_event_for) are signed with this
};

/// Start-up settings.
struct simulator_options {
    std::string app_id = "1234567890123456789";
    std::string app_secret = "sim-app-secret";
    std::string oa_id = "1032900368205294478";
    std::string refresh_token;        ///< the first valid refresh token; generated when empty
    std::int64_t access_expires_in_s = 90000;
    unsigned zns_daily_quota = 500;
    /// More OAs on the same simulator (a province's service runs many): each app gets its own
    /// tokens; messages and receipts name the OA whose token sent them.
    std::vector<sim_account> more_accounts;
};

/// Faults on demand, consumed by the next matching requests.
enum class fault_kind {
    latency,      ///< answer normally after `value` ms
    drop,         ///< read the request, then close the connection without answering
    http_status,  ///< answer with HTTP `value` (e.g. 503) and an HTML body
    zalo_error    ///< answer HTTP 200 with {"error": value}
};

/// The simulator: an HTTPS server on 127.0.0.1:<random port> with a self-signed certificate made
/// at start (written to a temporary CA file the client trusts through zalo.ca_file).
class zalo_simulator {
public:
    explicit zalo_simulator(simulator_options opts = {});
    ~zalo_simulator();
    zalo_simulator(const zalo_simulator&) = delete;
    zalo_simulator& operator=(const zalo_simulator&) = delete;

    /// Generates the certificate, binds 127.0.0.1:0 and starts the server thread.
    /// @throws std::runtime_error when it cannot.
    void start();
    /// Stops the server (also done by the destructor).
    void stop();

    /// "https://127.0.0.1:<port>": use it as api_base, oauth_base and zns_base.
    [[nodiscard]] std::string base_url() const;
    /// The PEM file holding the simulator's certificate (trust it via zalo.ca_file).
    [[nodiscard]] std::string ca_file() const;
    [[nodiscard]] std::uint16_t port() const;
    [[nodiscard]] const simulator_options& options() const { return opts_; }

    // --- faults ---------------------------------------------------------------------------
    /// The next `times` requests whose path starts with `path_prefix` ("" = any) get the fault.
    void inject(fault_kind kind, int value, int times = 1, const std::string& path_prefix = "");
    /// Every request is answered after `ms` (0 = off).
    void set_latency(std::chrono::milliseconds ms);
    /// Consultation messages to this user fail with -230 (outside the 7-day window).
    void set_out_of_window(const std::string& user_id, bool outside = true);
    /// Remaining ZNS quota today; at 0 ZNS sends fail with -144 (OA daily quota exceeded).
    void set_zns_quota(unsigned remaining);
    /// Invalidates every access token issued so far (the next API call gets -216; ZNS -124).
    void expire_access_tokens();
    /// Invalidates the current refresh token (the next refresh gets -14014).
    void revoke_refresh_token();
    /// Drops every queued fault and the latency.
    void clear_faults();

    // --- tokens ---------------------------------------------------------------------------
    /// The refresh token the simulator accepts now (each refresh replaces it): the first OA's, or
    /// the one of the OA of this app id ("" for an unknown app).
    [[nodiscard]] std::string current_refresh_token() const;
    [[nodiscard]] std::string current_refresh_token(const std::string& app_id) const;
    /// Makes `rt` the accepted refresh token (the demo re-seeds the token the bot has stored).
    void set_refresh_token(const std::string& rt);
    void set_refresh_token(const std::string& app_id, const std::string& rt);
    /// The access token issued last ("" before any).
    [[nodiscard]] std::string last_access_token() const;
    /// Successful refreshes so far (every OA).
    [[nodiscard]] int refresh_count() const;
    /// Refresh attempts with a refresh token that had already been used (must stay 0).
    [[nodiscard]] int reused_refresh_attempts() const;

    // --- what happened --------------------------------------------------------------------
    [[nodiscard]] std::vector<recorded_request> requests() const;
    [[nodiscard]] std::vector<recorded_request> requests(const std::string& path) const;
    [[nodiscard]] std::vector<sent_message> sent() const;
    void clear_requests();
    /// Polls until `pred()` holds or `timeout` passes; returns pred().
    static bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

    // --- webhook events back to the bot ---------------------------------------------------
    /// Where receipts go: the bot's webhook URL (http://host:port/path) and the keys to sign with.
    void set_webhook(const std::string& url, const std::string& app_id, const std::string& oa_secret_key);
    /// Same with the URL looked up at each post ("" = nowhere yet): for a bot whose port is only
    /// known once its server has bound.
    void set_webhook_source(std::function<std::string()> url_fn, const std::string& app_id, const std::string& oa_secret_key);
    /// POSTs a signed event body (X-ZEvent-Signature: mac=sha256(app_id+body+timestamp+key));
    /// `zns` adds X-ZEvent-Server: ZNS. Returns the HTTP status, or -1 on a transport failure.
    int post_event(const std::string& body, bool zns = false) const;
    /// Same, signed as the OA of this app id (a sim_account's key; the webhook's for the first).
    int post_event_for(const std::string& app_id, const std::string& body, bool zns = false) const;
    /// user_received_message for an OA message.
    int send_user_received(const std::string& user_id, const std::string& msg_id) const;
    /// user_seen_message for OA messages.
    int send_user_seen(const std::string& user_id, const std::vector<std::string>& msg_ids) const;
    /// user_received_message for a ZNS message (by phone, with its tracking id).
    int send_zns_received(const std::string& phone, const std::string& msg_id, const std::string& tracking_id) const;
    /// When on, every accepted message is followed (in the background) by a received receipt.
    void set_auto_receipts(bool on);
    /// Called on the simulator's thread for every accepted message, as it is accepted (benchmarks
    /// time replies with it). Keep it short: requests wait for it.
    void on_accept(std::function<void(const sent_message&)> fn);

    struct impl;  ///< implementation detail (zalo_simulator.cpp)

private:
    simulator_options opts_;
    std::shared_ptr<impl> impl_;
};

/// The webhook signature: "mac=" + hex(sha256(app_id + body + timestamp + oa_secret_key)).
[[nodiscard]] std::string sign_event(const std::string& app_id, const std::string& body, const std::string& timestamp,
                                     const std::string& oa_secret_key);

}  // namespace sim

// Zalo client, tokens, outbox sender, OAuth callback and (demo) simulator: start-up hook of the server.
#include "bot/app/app.hpp"

#include "bot/core/crypto.hpp"

#include "bot/http/http_types.hpp"
#include "bot/http/https_client.hpp"
#include "bot/core/metrics.hpp"
#include "bot/zalo/outbox_sender.hpp"
#include "bot/zalo/token_manager.hpp"
#include "bot/core/worker.hpp"
#include "bot/zalo/zalo_client.hpp"
#include "storage/token_repository.hpp"
#include "bot/simulator/zalo_simulator.hpp"

#include <SQLiteCpp/Database.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <thread>

namespace bot::app {

namespace {

/// How often the token state is checked for proactive refresh and operator changes.
constexpr std::chrono::milliseconds token_check_interval{60000};
/// How long a PKCE authorisation may take between `token auth-url` and the callback.
constexpr std::int64_t oauth_state_max_age_ms = 30LL * 60 * 1000;

/// Everything start_zalo builds; kept alive by the closures it installs in `services`.
struct zalo_runtime {
    /// The Zalo side's configuration: the loaded one, plus in the demo the simulator's address, CA
    /// file and the secrets shared with it. Filled before any Zalo thread starts (the simulator
    /// copies its own options), read-only after; the environment's configuration is never written.
    config cfg;
    std::unique_ptr<sim::zalo_simulator> simulator;
    std::unique_ptr<https_client> http;
    std::unique_ptr<zalo_client> client;
    std::shared_ptr<token_set> tokens;  ///< one manager per Official Account
    std::shared_ptr<outbox_sender> sender;
    std::chrono::milliseconds drain_timeout{0};

    /// Stops claiming messages, lets requests in flight finish (bounded; the worker still runs and
    /// records their answers), then stops the client. Whatever is still in flight stays 'sending'
    /// and is resent once, same tracking id, at the next start. A backlog of any size waits for
    /// the next start: nothing here depends on it.
    void stop() {
        if (sender) {
            sender->stop();
            auto deadline = std::chrono::steady_clock::now() + drain_timeout;
            while (sender->in_flight() > 0 && std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (http) http->stop();
        if (simulator) simulator->stop();
    }
};

std::string random_secret() { return random_hex(24); }

http_response page(int status, const std::string& text) {
    http_response r;
    r.status = status;
    r.content_type = "text/html; charset=utf-8";
    std::string escaped;
    for (char c : text) {
        if (c == '<') escaped += "&lt;";
        else if (c == '>') escaped += "&gt;";
        else if (c == '&') escaped += "&amp;";
        else escaped += c;
    }
    r.body = "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>cchcbot</title></head><body><p>" +
             escaped + "</p></body></html>";
    return r;
}

/// The demo: the in-process simulator stands in for Zalo, with an account for every OA.
void start_simulator(services& s, zalo_runtime& rt) {
    auto& cfg = rt.cfg;
    // App secrets and ZNS templates only between the bot and its simulator.
    if (cfg.zalo.app_secret.empty() && cfg.oa_tables.empty()) cfg.zalo.app_secret = random_secret();
    if (cfg.zalo.zns_reminder_template.empty()) cfg.zalo.zns_reminder_template = "demo-nhac-han-ho-so";
    for (auto& oa : cfg.oa_tables) {
        if (oa.app_secret.empty()) oa.app_secret = random_secret();
        if (oa.zns_reminder_template.empty()) oa.zns_reminder_template = cfg.zalo.zns_reminder_template;
    }
    const auto oas = cfg.official_accounts();
    sim::simulator_options o;
    o.app_id = oas.front().app_id;
    o.app_secret = oas.front().app_secret;
    if (!oas.front().oa_id.empty()) o.oa_id = oas.front().oa_id;
    for (std::size_t i = 1; i < oas.size(); ++i)
        o.more_accounts.push_back({oas[i].app_id, oas[i].app_secret, oas[i].oa_id, "", oas[i].oa_secret_key});
    rt.simulator = std::make_unique<sim::zalo_simulator>(o);
    rt.simulator->start();
    cfg.zalo.api_base = cfg.zalo.oauth_base = cfg.zalo.zns_base = rt.simulator->base_url();
    cfg.zalo.ca_file = rt.simulator->ca_file();
    s.runtime.zalo_simulator_base = rt.simulator->base_url();
    s.runtime.zalo_simulator_ca_file = cfg.zalo.ca_file;
    // Seed each OA's token chain: a restarted demo keeps the refresh token it stored last time.
    auto* simp = rt.simulator.get();
    std::vector<std::string> seeds(oas.size());
    s.work.run_sync([&](SQLite::Database& db) {
        for (std::size_t i = 0; i < oas.size(); ++i) {
            const auto& oa = oas[i];
            auto row = storage::load_tokens(db, oa.id);
            if (row && !row->refresh_token.empty() && !row->needs_reauth)
                simp->set_refresh_token(oa.app_id, row->refresh_token);
            else if (row)
                storage::replace_refresh_token(db, simp->current_refresh_token(oa.app_id), s.env.clock(), oa.id);
            else
                seeds[i] = simp->current_refresh_token(oa.app_id);
        }
    });
    if (cfg.oa_tables.empty()) {
        if (!seeds.front().empty()) cfg.zalo.refresh_token = seeds.front();
    } else {
        for (std::size_t i = 0; i < oas.size(); ++i)
            if (!seeds[i].empty()) cfg.oa_tables[i].refresh_token = seeds[i];
    }
    // Delivery receipts come back to our own webhook, signed like Zalo's (the port is bound
    // already): the first OA's with its key, the others' with theirs (simulator accounts).
    if (!oas.front().oa_secret_key.empty() && s.runtime.port != 0) {
        rt.simulator->set_webhook(s.runtime.base_url + cfg.server.webhook_path, oas.front().app_id,
                                  oas.front().oa_secret_key);
        rt.simulator->set_auto_receipts(true);
    }
    spdlog::info("Zalo API simulator listening on {} (demo: no Zalo account needed)", rt.simulator->base_url());
}

}  // namespace

void start_zalo(services& s) {
    auto rt = std::make_shared<zalo_runtime>();
    rt->cfg = s.env.cfg;
    if (rt->cfg.zalo.simulator) start_simulator(s, *rt);
    const config& cfg = rt->cfg;

    https_client_options ho;
    ho.ca_file = cfg.zalo.ca_file;
    ho.connect_timeout = cfg.zalo.connect_timeout;
    ho.request_timeout = cfg.zalo.request_timeout;
    rt->http = std::make_unique<https_client>(ho);
    rt->client = std::make_unique<zalo_client>(cfg, *rt->http);
    auto clock = s.env.clock;
    rt->tokens = std::make_shared<token_set>(cfg, s.work, *rt->client, clock, &s.stats);
    s.work.run_sync([&](SQLite::Database& db) { rt->tokens->load(db); });
    rt->sender = std::make_shared<outbox_sender>(cfg, s.work, *rt->client, rt->tokens, clock, &s.stats);
    // In-flight sends get at most a second at shutdown (the whole stop stays within 5 s).
    rt->drain_timeout = std::min<std::chrono::milliseconds>({cfg.server.shutdown_timeout, cfg.zalo.request_timeout,
                                                            std::chrono::milliseconds(1000)});

    s.stats.describe("cchcbot_outbox_depth", "gauge", "Outbound messages not yet sent, failed or cancelled");
    s.stats.describe("cchcbot_zalo_sends_total", "counter", "Outbox send outcomes by result");
    s.stats.describe("cchcbot_zalo_errors_total", "counter", "Zalo API errors by code (network, http_5xx or Zalo's error)");
    s.stats.describe("cchcbot_zalo_token_refreshes_total", "counter", "OA access-token refreshes by result");
    s.stats.describe("cchcbot_outbox_paused", "gauge", "1 while sending is paused because Zalo keeps failing");
    std::weak_ptr<outbox_sender> weak_sender = rt->sender;
    s.stats.gauge_fn("cchcbot_outbox_depth", [weak_sender] {
        auto snd = weak_sender.lock();
        return snd ? static_cast<double>(snd->depth()) : 0.0;
    });
    s.stats.gauge_fn("cchcbot_outbox_paused", [weak_sender] {
        auto snd = weak_sender.lock();
        return snd && snd->paused() ? 1.0 : 0.0;
    });

    auto tokens = rt->tokens;
    const bool several = !cfg.oa_tables.empty();
    // Ready while some OA can send: with several, one OA that needs re-authorisation holds back
    // only its own messages (logged; `token status` exits 1) and must not take the webhooks of the
    // others out of a load balancer. Not ready when none can.
    s.ready_checks.emplace_back([tokens, several]() -> std::optional<std::string> {
        std::optional<std::string> problem;
        for (const auto& t : tokens->all()) {
            auto st = t->status();
            const std::string oa = several ? " " + t->oa() : std::string{};
            std::optional<std::string> p;
            if (st.needs_reauth) p = "zalo: the OA" + oa + " needs re-authorisation (" + st.last_error + ")";
            else if (!st.has_refresh_token && !st.has_access_token) p = "zalo: no OAuth token stored for the OA" + oa;
            if (!p) return std::nullopt;
            if (!problem) problem = std::move(p);
        }
        return problem;
    });
    s.work.every(token_check_interval, [tokens](SQLite::Database& db) { tokens->tick(db); });

    // PKCE callback: Zalo redirects the OA admin here with ?code=..&state=..
    auto& work = s.work;
    const auto& texts = s.env.texts;
    s.router.add("GET", "/oauth/zalo/callback", [tokens, &work, &texts, clock](http_request&& req, respond_fn respond) {
        auto code = req.query.count("code") ? req.query.at("code") : std::string{};
        auto state = req.query.count("state") ? req.query.at("state") : std::string{};
        if (code.empty() || state.empty()) {
            respond(page(400, texts.render("zalo_oauth_bad_request")));
            return;
        }
        work.post([tokens, code, state, respond, &texts, clock](SQLite::Database& db) {
            std::string oa;  // the OA `token auth-url --oa` was run for
            auto verifier = storage::take_oauth_state(db, state, clock(), oauth_state_max_age_ms, &oa);
            if (!verifier) {
                spdlog::warn("OAuth callback with an unknown or expired state");
                respond(page(400, texts.render("zalo_oauth_bad_request")));
                return;
            }
            tokens->of(oa).exchange_code(code, *verifier, [respond, &texts](bool ok, std::string reason) {
                if (ok) respond(page(200, texts.render("zalo_oauth_ok")));
                else respond(page(502, texts.render("zalo_oauth_failed", {{"reason", reason}})));
            });
        });
    });

    rt->sender->count_depth_on(s.readers);
    rt->sender->sync_with(s.wal);
    rt->sender->start();
    auto sender = rt->sender;
    // Every commit on the worker that queued a message wakes the sender (no poll in between).
    s.work.on_outbox_commit([sender] { sender->notify(); });
    s.notify_outbox = [sender] { sender->notify(); };
    auto prev = s.on_shutdown;
    s.on_shutdown = [prev, rt] {
        rt->stop();
        if (prev) prev();
    };
}

}  // namespace bot::app

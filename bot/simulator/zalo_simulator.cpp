// The Zalo API simulator: Beast HTTPS server, self-signed certificate, realistic answers, faults.
#include "bot/simulator/zalo_simulator.hpp"

#include "bot/core/crypto.hpp"

#include "bot/http/https_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

namespace sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

using bot::random_hex;
using bot::to_hex;

struct pkey_free {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct x509_free {
    void operator()(X509* p) const { X509_free(p); }
};
struct bio_free {
    void operator()(BIO* p) const { BIO_free(p); }
};
struct md_ctx_free {
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};


std::string random_token(std::size_t bytes) {
    // Zalo's tokens are long base64url-like strings.
    std::vector<unsigned char> b(bytes);
    RAND_bytes(b.data(), static_cast<int>(b.size()));
    static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string s;
    for (auto c : b) s.push_back(abc[c & 63]);
    return s;
}

std::string sha256_raw(const std::string& in) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    std::unique_ptr<EVP_MD_CTX, md_ctx_free> ctx(EVP_MD_CTX_new());
    EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
    EVP_DigestUpdate(ctx.get(), in.data(), in.size());
    EVP_DigestFinal_ex(ctx.get(), md, &len);
    return std::string(reinterpret_cast<char*>(md), len);
}


std::string base64url_nopad(const std::string& raw) {
    static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    while (i + 3 <= raw.size()) {
        unsigned v = (static_cast<unsigned char>(raw[i]) << 16) | (static_cast<unsigned char>(raw[i + 1]) << 8) |
                     static_cast<unsigned char>(raw[i + 2]);
        out += abc[(v >> 18) & 63];
        out += abc[(v >> 12) & 63];
        out += abc[(v >> 6) & 63];
        out += abc[v & 63];
        i += 3;
    }
    if (raw.size() - i == 1) {
        unsigned v = static_cast<unsigned char>(raw[i]) << 16;
        out += abc[(v >> 18) & 63];
        out += abc[(v >> 12) & 63];
    } else if (raw.size() - i == 2) {
        unsigned v = (static_cast<unsigned char>(raw[i]) << 16) | (static_cast<unsigned char>(raw[i + 1]) << 8);
        out += abc[(v >> 18) & 63];
        out += abc[(v >> 12) & 63];
        out += abc[(v >> 6) & 63];
    }
    return out;
}

std::size_t utf8_length(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

std::int64_t unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string envelope_error(int code, const std::string& message) {
    return json::serialize(json::object{{"error", code}, {"message", message}});
}

std::string str_field(const json::object& o, std::string_view k) {
    auto* v = o.if_contains(k);
    return v && v->is_string() ? std::string(v->get_string()) : std::string{};
}

/// The certificate and key, PEM.
struct credentials {
    std::string cert_pem;
    std::string key_pem;
};

credentials make_self_signed() {
    std::unique_ptr<EVP_PKEY, pkey_free> key(EVP_EC_gen("P-256"));
    if (!key) throw std::runtime_error("simulator: key generation failed");
    std::unique_ptr<X509, x509_free> x(X509_new());
    X509_set_version(x.get(), 2);
    unsigned char serial[8];
    RAND_bytes(serial, sizeof serial);
    ASN1_INTEGER_set(X509_get_serialNumber(x.get()), static_cast<long>(serial[0] | (serial[1] << 8) | ((serial[2] & 0x7f) << 16)) + 1);
    X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), 30L * 86400);
    X509_set_pubkey(x.get(), key.get());
    X509_NAME* name = X509_get_subject_name(x.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("cchcbot Zalo simulator"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(x.get(), name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
    const std::pair<int, const char*> exts[] = {{NID_basic_constraints, "critical,CA:TRUE"},
                                                {NID_key_usage, "critical,digitalSignature,keyCertSign"},
                                                {NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"}};
    for (const auto& [nid, value] : exts) {
        X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
        if (!e) throw std::runtime_error("simulator: certificate extension failed");
        X509_add_ext(x.get(), e, -1);
        X509_EXTENSION_free(e);
    }
    if (X509_sign(x.get(), key.get(), EVP_sha256()) == 0) throw std::runtime_error("simulator: signing failed");
    auto pem = [](auto write) {
        std::unique_ptr<BIO, bio_free> b(BIO_new(BIO_s_mem()));
        write(b.get());
        char* data = nullptr;
        long n = BIO_get_mem_data(b.get(), &data);
        return std::string(data, static_cast<std::size_t>(n));
    };
    credentials c;
    c.cert_pem = pem([&](BIO* b) { PEM_write_bio_X509(b, x.get()); });
    c.key_pem = pem([&](BIO* b) { PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
    return c;
}

struct fault_entry {
    fault_kind kind;
    int value;
    int times;
    std::string prefix;
};

/// What to do with one request.
struct action {
    http::status status = http::status::ok;
    std::string body;
    std::string content_type = "application/json";
    std::string location;  // redirects
    std::chrono::milliseconds delay{0};
    bool drop = false;
};

}  // namespace

std::string sign_event(const std::string& app_id, const std::string& body, const std::string& timestamp,
                       const std::string& oa_secret_key) {
    return "mac=" + to_hex(sha256_raw(app_id + body + timestamp + oa_secret_key));
}

struct zalo_simulator::impl : std::enable_shared_from_this<zalo_simulator::impl> {
    simulator_options opts;
    asio::io_context ioc{1};
    ssl::context ssl_ctx{ssl::context::tls_server};
    std::optional<tcp::acceptor> acceptor;
    std::thread thread;
    std::uint16_t port = 0;
    std::string ca_path;

    mutable std::mutex mu;
    std::vector<recorded_request> log;
    std::vector<sent_message> accepted;
    std::deque<fault_entry> faults;
    std::chrono::milliseconds latency{0};
    std::set<std::string> out_of_window;
    unsigned zns_quota = 500;
    unsigned zns_used = 0;
    // One Official Account (app) the simulator serves: [0] is the one of simulator_options.
    struct account {
        std::string app_id, app_secret, oa_id;
        std::string refresh_token;
        std::string last_access;
        std::string event_key;  // OA secret key its events are signed with ("" = the webhook's)
    };
    std::vector<account> accounts;
    std::map<std::string, std::size_t> access_tokens;  // valid ones → their account
    std::set<std::string> spent_refresh;  // used or revoked
    int refreshes = 0;
    int reused_refresh = 0;
    std::map<std::string, std::pair<std::string, std::size_t>> auth_codes;  // code -> code_challenge, account

    account* account_of_app(const std::string& app_id) {
        for (auto& a : accounts)
            if (a.app_id == app_id) return &a;
        return nullptr;
    }
    const account* account_of_app(const std::string& app_id) const {
        for (const auto& a : accounts)
            if (a.app_id == app_id) return &a;
        return nullptr;
    }
    const account* account_of_oa(const std::string& oa_id) const {
        for (const auto& a : accounts)
            if (a.oa_id == oa_id) return &a;
        return nullptr;
    }
    std::uint64_t msg_counter = 0;

    // Webhook back to the bot.
    std::string webhook_url, hook_app_id, hook_key;
    std::function<std::string()> webhook_fn;
    bool auto_receipts = false;
    std::function<void(const sent_message&)> accept_fn;
    std::mutex q_mu;
    std::condition_variable q_cv;
    std::deque<std::function<void()>> receipts;
    bool q_stop = false;
    std::thread receipt_thread;

    std::string next_msg_id() {
        ++msg_counter;
        return random_hex(6) + to_hex(std::string(1, static_cast<char>(msg_counter & 0xff))) + random_hex(3);
    }

    void queue_receipt(std::function<void()> f) {
        {
            std::lock_guard lk(q_mu);
            receipts.push_back(std::move(f));
        }
        q_cv.notify_one();
    }

    void receipt_loop() {
        for (;;) {
            std::function<void()> f;
            {
                std::unique_lock lk(q_mu);
                q_cv.wait(lk, [&] { return q_stop || !receipts.empty(); });
                if (q_stop) return;
                f = std::move(receipts.front());
                receipts.pop_front();
            }
            try {
                f();
            } catch (const std::exception& e) {
                spdlog::warn("simulator: receipt failed: {}", e.what());
            }
        }
    }

    // ---- request handling (under mu) ----

    action handle(const http::request<http::string_body>& req);
    action oauth(const recorded_request& r);
    action permission(const recorded_request& r, const std::map<std::string, std::string>& q);
    action oa_message(const recorded_request& r, const std::string& channel);
    action zns(const recorded_request& r);
    action user_detail(const recorded_request& r, const std::map<std::string, std::string>& q);
    action quota(const recorded_request& r);
    bool token_ok(const recorded_request& r) const {
        auto it = r.headers.find("access_token");
        return it != r.headers.end() && access_tokens.count(it->second) > 0;
    }
    /// The OA whose access token the request carries ("" when none is valid).
    std::string oa_of(const recorded_request& r) const {
        auto it = r.headers.find("access_token");
        if (it == r.headers.end()) return {};
        auto t = access_tokens.find(it->second);
        return t == access_tokens.end() ? std::string{} : accounts[t->second].oa_id;
    }
    std::string token_of(const recorded_request& r) const {
        auto it = r.headers.find("access_token");
        return it == r.headers.end() ? std::string{} : it->second;
    }
    void after_accept(const sent_message& m);

    /// A synchronous, signed POST of an event body to the bot's webhook (plain HTTP on loopback).
    /// `app_id` names the account whose key signs it ("" = the webhook's app and key).
    int post_signed(const std::string& body, bool zns, const std::string& app_id = {}) {
        std::string url, app, key;
        std::function<std::string()> fn;
        {
            std::lock_guard lk(mu);
            url = webhook_url;
            app = hook_app_id;
            key = hook_key;
            fn = webhook_fn;
            if (const account* a = app_id.empty() || app_id == hook_app_id ? nullptr : account_of_app(app_id)) {
                app = a->app_id;
                key = a->event_key;
            }
        }
        if (fn) url = fn();
        if (url.empty()) return -1;
        auto u = bot::split_url(url);
        if (u.scheme != "http" || u.host.empty()) return -1;
        std::string ts;
        {
            error_code ec;
            auto v = json::parse(body, ec);
            if (!ec && v.is_object()) ts = str_field(v.get_object(), "timestamp");
        }
        try {
            asio::io_context io;
            tcp::resolver resolver(io);
            beast::tcp_stream stream(io);
            stream.expires_after(std::chrono::seconds(5));
            stream.connect(resolver.resolve(u.host, u.port));
            http::request<http::string_body> req{http::verb::post, u.target, 11};
            req.set(http::field::host, u.host + ":" + u.port);
            req.set(http::field::content_type, "application/json");
            req.set("X-ZEvent-Signature", sign_event(app, body, ts, key));
            if (zns) req.set("X-ZEvent-Server", "ZNS");
            req.body() = body;
            req.prepare_payload();
            http::write(stream, req);
            beast::flat_buffer buf;
            http::response<http::string_body> res;
            http::read(stream, buf, res);
            error_code ec;
            stream.socket().shutdown(tcp::socket::shutdown_both, ec);
            return static_cast<int>(res.result_int());
        } catch (const std::exception& e) {
            spdlog::warn("simulator: webhook POST failed: {}", e.what());
            return -1;
        }
    }
};

namespace {

struct session : std::enable_shared_from_this<session> {
    zalo_simulator::impl* sim;  // raw: the io_context (inside impl) owns the sessions' handlers
    beast::ssl_stream<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    std::shared_ptr<http::response<http::string_body>> res;
    asio::steady_timer timer;

    session(zalo_simulator::impl* s, tcp::socket sock)
        : sim(s), stream(std::move(sock), sim->ssl_ctx), timer(stream.get_executor()) {}

    void run() {
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
        stream.async_handshake(ssl::stream_base::server, [self = shared_from_this()](const error_code& ec) {
            if (!ec) self->do_read();
        });
    }

    void do_read() {
        req = {};
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(60));
        http::async_read(stream, buffer, req, [self = shared_from_this()](const error_code& ec, std::size_t) {
            if (ec) return;  // closed by the client, idle timeout, ...
            self->on_read();
        });
    }

    void on_read() {
        action a;
        {
            std::lock_guard lk(sim->mu);
            a = sim->handle(req);
        }
        if (a.drop) {
            error_code ignored;
            beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
            beast::get_lowest_layer(stream).close();
            return;
        }
        res = std::make_shared<http::response<http::string_body>>(a.status, req.version());
        res->set(http::field::server, "zalo-simulator");
        res->set(http::field::content_type, a.content_type);
        res->set("X-RateLimit-Limit", "4000");
        res->set("X-RateLimit-Remain", "3999");
        if (!a.location.empty()) res->set(http::field::location, a.location);
        res->keep_alive(req.keep_alive());
        res->body() = std::move(a.body);
        res->prepare_payload();
        if (a.delay.count() > 0) {
            timer.expires_after(a.delay);
            timer.async_wait([self = shared_from_this()](const error_code& ec) {
                if (!ec) self->do_write();
            });
        } else {
            do_write();
        }
    }

    void do_write() {
        http::async_write(stream, *res, [self = shared_from_this()](const error_code& ec, std::size_t) {
            if (ec) return;
            if (!self->res->keep_alive()) {
                self->stream.async_shutdown([self](const error_code&) {});
                return;
            }
            self->do_read();
        });
    }
};

void do_accept(zalo_simulator::impl* sim) {
    sim->acceptor->async_accept(asio::make_strand(sim->ioc), [sim](const error_code& ec, tcp::socket sock) {
        if (!sim->acceptor->is_open()) return;
        if (!ec) std::make_shared<session>(sim, std::move(sock))->run();
        do_accept(sim);
    });
}

std::map<std::string, std::string> parse_form(const std::string& body) { return bot::parse_query(body); }

}  // namespace

action zalo_simulator::impl::handle(const http::request<http::string_body>& req) {
    recorded_request r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    auto qpos = r.target.find('?');
    r.path = r.target.substr(0, qpos);
    for (const auto& f : req) r.headers[std::string(f.name_string())] = std::string(f.value());
    r.body = req.body();
    auto query = qpos == std::string::npos ? std::map<std::string, std::string>{} : bot::parse_query(r.target.substr(qpos + 1));

    action a;
    a.delay = latency;
    // Faults first: the first queued fault whose prefix matches.
    for (auto it = faults.begin(); it != faults.end(); ++it) {
        if (!it->prefix.empty() && r.path.rfind(it->prefix, 0) != 0) continue;
        fault_entry f = *it;
        if (--it->times <= 0) faults.erase(it);
        switch (f.kind) {
        case fault_kind::latency:
            a.delay += std::chrono::milliseconds(f.value);
            r.fault = "latency " + std::to_string(f.value);
            break;
        case fault_kind::drop:
            r.fault = "drop";
            log.push_back(std::move(r));
            a.drop = true;
            return a;
        case fault_kind::http_status:
            r.fault = "http " + std::to_string(f.value);
            log.push_back(std::move(r));
            a.status = static_cast<http::status>(f.value);
            a.content_type = "text/html";
            a.body = "<html><body><h1>" + std::to_string(f.value) + " Service Unavailable</h1></body></html>";
            return a;
        case fault_kind::zalo_error: {
            r.fault = "error " + std::to_string(f.value);
            log.push_back(std::move(r));
            std::string msg = f.value == -216   ? "Access token is invalid"
                              : f.value == -220 ? "Access token has expired"
                              : f.value == -32  ? "Request exceeded the limit per minute"
                              : f.value == -230 ? "User has not interacted with the OA in the past 7 days"
                              : f.value == -14014 ? "Invalid refresh token."
                                                : "Simulated error";
            if (f.value <= -14000) {
                a.body = json::serialize(json::object{{"error", f.value}, {"error_name", msg}});
            } else {
                a.body = envelope_error(f.value, msg);
            }
            return a;
        }
        }
        break;
    }

    if (r.path == "/v4/oa/access_token" && r.method == "POST") a = [&] { auto x = oauth(r); x.delay = a.delay; return x; }();
    else if (r.path == "/v4/oa/permission" && r.method == "GET") a = [&] { auto x = permission(r, query); x.delay = a.delay; return x; }();
    else if (r.path == "/v3.0/oa/message/cs" && r.method == "POST") a = [&] { auto x = oa_message(r, "cs"); x.delay = a.delay; return x; }();
    else if (r.path == "/v3.0/oa/message/transaction" && r.method == "POST") a = [&] { auto x = oa_message(r, "transaction"); x.delay = a.delay; return x; }();
    else if (r.path == "/v3.0/oa/message/promotion" && r.method == "POST") a = [&] { auto x = oa_message(r, "promotion"); x.delay = a.delay; return x; }();
    else if (r.path == "/message/template" && r.method == "POST") a = [&] { auto x = zns(r); x.delay = a.delay; return x; }();
    else if (r.path == "/v3.0/oa/user/detail" && r.method == "GET") a = [&] { auto x = user_detail(r, query); x.delay = a.delay; return x; }();
    else if (r.path == "/v3.0/oa/quota/message" && r.method == "POST") a = [&] { auto x = quota(r); x.delay = a.delay; return x; }();
    else {
        auto d = a.delay;
        a = action{};
        a.delay = d;
        a.status = http::status::not_found;
        a.body = envelope_error(-201, "API not found");
    }
    log.push_back(std::move(r));
    return a;
}

action zalo_simulator::impl::oauth(const recorded_request& r) {
    action a;
    auto f = parse_form(r.body);
    account* acc = account_of_app(f["app_id"]);
    auto sk = r.headers.find("secret_key");
    if (sk == r.headers.end() || !acc || sk->second != acc->app_secret) {
        if (!acc && sk != r.headers.end()) {
            a.body = json::serialize(json::object{{"error", -14003}, {"error_name", "Invalid parameter: app_id."}});
            return a;
        }
        a.body = json::serialize(json::object{{"error", -14002}, {"error_name", "Invalid secret key."}});
        return a;
    }
    std::string& refresh_token = acc->refresh_token;
    const std::string grant = f["grant_type"];
    if (grant == "refresh_token") {
        const std::string rt = f["refresh_token"];
        if (rt.empty() || rt != refresh_token) {
            if (spent_refresh.count(rt)) ++reused_refresh;
            a.body = json::serialize(json::object{{"error", -14014}, {"error_name", "Invalid refresh token."}});
            return a;
        }
        spent_refresh.insert(rt);
        ++refreshes;
    } else if (grant == "authorization_code") {
        auto it = auth_codes.find(f["code"]);
        if (it == auth_codes.end() || &accounts[it->second.second] != acc) {
            a.body = json::serialize(json::object{{"error", -14014}, {"error_name", "Invalid authorization code."}});
            return a;
        }
        std::string challenge = it->second.first;
        auth_codes.erase(it);  // single use
        if (!challenge.empty() && base64url_nopad(sha256_raw(f["code_verifier"])) != challenge) {
            a.body = json::serialize(json::object{{"error", -14003}, {"error_name", "Invalid code verifier."}});
            return a;
        }
        if (!refresh_token.empty()) spent_refresh.insert(refresh_token);
    } else {
        a.body = json::serialize(json::object{{"error", -14003}, {"error_name", "Invalid grant_type."}});
        return a;
    }
    // Rotation: a new access token and a new single-use refresh token.
    acc->last_access = random_token(64);
    access_tokens[acc->last_access] = static_cast<std::size_t>(acc - accounts.data());
    refresh_token = random_token(64);
    a.body = json::serialize(json::object{{"access_token", acc->last_access},
                                          {"refresh_token", refresh_token},
                                          {"expires_in", std::to_string(opts.access_expires_in_s)}});
    return a;
}

action zalo_simulator::impl::permission(const recorded_request&, const std::map<std::string, std::string>& q) {
    action a;
    auto get = [&](const char* k) {
        auto it = q.find(k);
        return it == q.end() ? std::string{} : it->second;
    };
    const account* acc = account_of_app(get("app_id"));
    if (!acc || get("redirect_uri").empty()) {
        a.status = http::status::found;
        a.location = get("redirect_uri") + "?error_code=-14003";
        return a;
    }
    std::string code = random_token(48);
    auth_codes[code] = {get("code_challenge"), static_cast<std::size_t>(acc - accounts.data())};
    std::string redirect = get("redirect_uri");
    a.status = http::status::found;
    a.location = redirect + (redirect.find('?') == std::string::npos ? "?" : "&") + "code=" + code + "&oa_id=" + acc->oa_id +
                 "&state=" + bot::url_encode(get("state"));
    a.content_type = "text/html";
    return a;
}

action zalo_simulator::impl::oa_message(const recorded_request& r, const std::string& channel) {
    action a;
    if (!token_ok(r)) {
        a.body = envelope_error(-216, "Access token is invalid");
        return a;
    }
    error_code ec;
    json::value v = json::parse(r.body, ec);
    if (ec || !v.is_object()) {
        a.body = envelope_error(-201, "body is invalid!");
        return a;
    }
    const auto& o = v.get_object();
    auto* rec = o.if_contains("recipient");
    auto* msg = o.if_contains("message");
    std::string user = rec && rec->is_object() ? str_field(rec->get_object(), "user_id") : std::string{};
    if (user.empty() || user.size() > 19) {
        a.body = envelope_error(-201, "user_id is invalid!");
        return a;
    }
    if (!msg || !msg->is_object()) {
        a.body = envelope_error(-201, "message is invalid!");
        return a;
    }
    const auto& m = msg->get_object();
    std::string text = str_field(m, "text");
    if (utf8_length(text) > 2000) {
        a.body = envelope_error(-201, "text is invalid!");
        return a;
    }
    if (auto* att = m.if_contains("attachment"); att && att->is_object()) {
        auto* payload = att->get_object().if_contains("payload");
        if (payload && payload->is_object()) {
            const auto& p = payload->get_object();
            std::string tt = str_field(p, "template_type");
            if (channel == "transaction" && tt.rfind("transaction_", 0) != 0) {
                a.body = envelope_error(-201, "template_type is invalid!");
                return a;
            }
            if (channel == "promotion" && tt != "promotion") {
                a.body = envelope_error(-201, "template_type is invalid!");
                return a;
            }
            if (auto* bs = p.if_contains("buttons"); bs && bs->is_array()) {
                std::size_t max_buttons = channel == "cs" ? 5 : 4;
                std::size_t max_title = channel == "cs" ? 100 : 35;
                if (bs->get_array().size() > max_buttons) {
                    a.body = envelope_error(-201, "buttons is invalid!");
                    return a;
                }
                for (const auto& b : bs->get_array())
                    if (!b.is_object() || utf8_length(str_field(b.get_object(), "title")) > max_title) {
                        a.body = envelope_error(-201, "button title is invalid!");
                        return a;
                    }
            }
        }
    } else if (text.empty()) {
        a.body = envelope_error(-201, "message is invalid!");
        return a;
    }
    if (channel != "promotion" && channel != "transaction" && out_of_window.count(user)) {
        a.body = envelope_error(-230, "User has not interacted with the OA in the past 7 days");
        return a;
    }
    sent_message s;
    s.channel = channel;
    s.recipient = user;
    s.msg_id = next_msg_id();
    s.text = text;
    s.access_token = token_of(r);
    s.oa_id = oa_of(r);
    s.body = r.body;
    s.accepted_at = std::chrono::steady_clock::now();
    accepted.push_back(s);
    json::object data{{"message_id", s.msg_id}, {"user_id", user}};
    if (channel == "cs") data["quota"] = json::object{{"quota_type", "reply"}, {"remain", "7"}, {"total", "8"}};
    a.body = json::serialize(json::object{{"data", data}, {"error", 0}, {"message", "Success"}});
    after_accept(s);
    return a;
}

action zalo_simulator::impl::zns(const recorded_request& r) {
    action a;
    if (!token_ok(r)) {
        a.body = envelope_error(-124, "Access token is invalid");
        return a;
    }
    error_code ec;
    json::value v = json::parse(r.body, ec);
    if (ec || !v.is_object()) {
        a.body = envelope_error(-122, "Body is not JSON");
        return a;
    }
    const auto& o = v.get_object();
    std::string phone = str_field(o, "phone");
    std::string digits = phone.rfind("+", 0) == 0 ? phone.substr(1) : phone;
    bool phone_ok = digits.rfind("84", 0) == 0 && digits.size() >= 10 && digits.size() <= 12 &&
                    digits.find_first_not_of("0123456789") == std::string::npos;
    if (!phone_ok) {
        a.body = envelope_error(-108, "Phone number is invalid");
        return a;
    }
    if (str_field(o, "template_id").empty()) {
        a.body = envelope_error(-109, "Template id is invalid");
        return a;
    }
    if (zns_used >= zns_quota) {
        a.body = envelope_error(-144, "OA has exceeded the daily quota");
        return a;
    }
    ++zns_used;
    sent_message s;
    s.channel = "zns";
    s.recipient = digits;
    s.msg_id = next_msg_id();
    s.tracking_id = str_field(o, "tracking_id");
    s.access_token = token_of(r);
    s.oa_id = oa_of(r);
    s.body = r.body;
    s.accepted_at = std::chrono::steady_clock::now();
    accepted.push_back(s);
    json::object data{{"msg_id", s.msg_id},
                      {"sent_time", std::to_string(unix_ms())},
                      {"sending_mode", "1"},
                      {"quota", json::object{{"dailyQuota", std::to_string(zns_quota)},
                                             {"remainingQuota", std::to_string(zns_quota - zns_used)}}}};
    a.body = json::serialize(json::object{{"error", 0}, {"message", "Success"}, {"data", data}});
    after_accept(s);
    return a;
}

action zalo_simulator::impl::user_detail(const recorded_request& r, const std::map<std::string, std::string>& q) {
    action a;
    if (!token_ok(r)) {
        a.body = envelope_error(-216, "Access token is invalid");
        return a;
    }
    std::string user;
    if (auto it = q.find("data"); it != q.end()) {
        error_code ec;
        auto v = json::parse(it->second, ec);
        if (!ec && v.is_object()) user = str_field(v.get_object(), "user_id");
    }
    if (user.empty()) {
        a.body = envelope_error(-201, "user_id is invalid!");
        return a;
    }
    std::string tail = user.size() > 4 ? user.substr(user.size() - 4) : user;
    json::object data{{"user_id", user},
                      {"user_id_by_app", "46" + user},
                      {"user_external_id", ""},
                      {"display_name", "Người dùng " + tail},
                      {"user_alias", ""},
                      {"is_sensitive", false},
                      {"user_last_interaction_date", "27/11/2026"},
                      {"user_is_follower", true},
                      {"avatar", "https://s120-ava-talk.zadn.vn/sim.jpg"},
                      {"tags_and_notes_info", json::object{{"notes", json::array{}}, {"tag_names", json::array{}}}}};
    a.body = json::serialize(json::object{{"data", data}, {"error", 0}, {"message", "Success"}});
    return a;
}

action zalo_simulator::impl::quota(const recorded_request& r) {
    action a;
    if (!token_ok(r)) {
        a.body = envelope_error(-216, "Access token is invalid");
        return a;
    }
    json::object data{{"last_interaction", std::to_string(unix_ms() - 3600000)},
                      {"cs_reply", json::object{{"remain", 6}, {"total", 8}}},
                      {"promotion", json::object{{"daily_remain", 1}, {"daily_total", 1}, {"monthly_remain", 4}, {"monthly_total", 6}}}};
    a.body = json::serialize(json::object{{"data", data}, {"error", 0}, {"message", "Success"}});
    return a;
}

void zalo_simulator::impl::after_accept(const sent_message& m) {
    if (accept_fn) accept_fn(m);
    if (!auto_receipts || (webhook_url.empty() && !webhook_fn)) return;
    // Receipts go out from their own thread: the server thread never waits on the bot.
    std::weak_ptr<impl> weak = shared_from_this();
    queue_receipt([weak, m] {
        auto self = weak.lock();
        if (!self) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the bot stores the send result first
        // The receipt comes from the OA that sent the message, signed with its key.
        std::string app = self->hook_app_id;
        std::string oa = self->opts.oa_id;
        {
            std::lock_guard lk(self->mu);
            if (const account* a = self->account_of_oa(m.oa_id); a && a != &self->accounts.front()) {
                app = a->app_id;
                oa = a->oa_id;
            }
        }
        if (m.channel == "zns") {
            json::object body{{"sender", json::object{{"id", oa}}},
                              {"recipient", json::object{{"id", m.recipient}}},
                              {"event_name", "user_received_message"},
                              {"message", json::object{{"delivery_time", std::to_string(unix_ms())}, {"msg_id", m.msg_id}, {"tracking_id", m.tracking_id}}},
                              {"app_id", app},
                              {"timestamp", std::to_string(unix_ms())}};
            (void)self->post_signed(json::serialize(body), true, app);
        } else {
            json::object body{{"app_id", app},
                              {"sender", json::object{{"id", oa}}},
                              {"recipient", json::object{{"id", m.recipient}}},
                              {"event_name", "user_received_message"},
                              {"message", json::object{{"msg_id", m.msg_id}}},
                              {"timestamp", std::to_string(unix_ms())}};
            (void)self->post_signed(json::serialize(body), false, app);
        }
    });
}

// ---------------------------------------------------------------------------------------------

zalo_simulator::zalo_simulator(simulator_options opts) : opts_(std::move(opts)), impl_(std::make_shared<impl>()) {
    if (opts_.refresh_token.empty()) opts_.refresh_token = random_token(64);
    impl_->opts = opts_;
    impl_->accounts.push_back({opts_.app_id, opts_.app_secret, opts_.oa_id, opts_.refresh_token, {}, {}});
    for (auto a : opts_.more_accounts) {
        if (a.refresh_token.empty()) a.refresh_token = random_token(64);
        impl_->accounts.push_back({a.app_id, a.app_secret, a.oa_id, a.refresh_token, {}, a.oa_secret_key});
    }
    impl_->zns_quota = opts_.zns_daily_quota;
}

zalo_simulator::~zalo_simulator() { stop(); }

void zalo_simulator::start() {
    auto c = make_self_signed();
    impl_->ssl_ctx.use_certificate_chain(asio::buffer(c.cert_pem));
    impl_->ssl_ctx.use_private_key(asio::buffer(c.key_pem), ssl::context::pem);
    impl_->ca_path = (std::filesystem::temp_directory_path() / ("cchcbot-sim-ca-" + random_hex(8) + ".pem")).string();
    {
        std::ofstream out(impl_->ca_path, std::ios::binary);
        out << c.cert_pem;
        if (!out) throw std::runtime_error("simulator: cannot write " + impl_->ca_path);
    }
    impl_->acceptor.emplace(impl_->ioc);
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor->open(ep.protocol());
    impl_->acceptor->set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor->bind(ep);
    impl_->acceptor->listen();
    impl_->port = impl_->acceptor->local_endpoint().port();
    do_accept(impl_.get());
    auto sim = impl_;
    impl_->thread = std::thread([sim] { sim->ioc.run(); });
    impl_->receipt_thread = std::thread([sim] { sim->receipt_loop(); });
}

void zalo_simulator::stop() {
    if (!impl_ || !impl_->thread.joinable()) return;
    asio::post(impl_->ioc, [sim = impl_.get()] {
        error_code ec;
        sim->acceptor->close(ec);
    });
    impl_->ioc.stop();
    impl_->thread.join();
    {
        error_code ec;
        impl_->acceptor->close(ec);  // the server thread is gone: safe to close here
    }
    {
        std::lock_guard lk(impl_->q_mu);
        impl_->q_stop = true;
    }
    impl_->q_cv.notify_all();
    if (impl_->receipt_thread.joinable()) impl_->receipt_thread.join();
    std::error_code fec;
    std::filesystem::remove(impl_->ca_path, fec);
}

std::string zalo_simulator::base_url() const { return "https://127.0.0.1:" + std::to_string(impl_->port); }
std::string zalo_simulator::ca_file() const { return impl_->ca_path; }
std::uint16_t zalo_simulator::port() const { return impl_->port; }

void zalo_simulator::inject(fault_kind kind, int value, int times, const std::string& path_prefix) {
    std::lock_guard lk(impl_->mu);
    impl_->faults.push_back({kind, value, times, path_prefix});
}
void zalo_simulator::set_latency(std::chrono::milliseconds ms) {
    std::lock_guard lk(impl_->mu);
    impl_->latency = ms;
}
void zalo_simulator::set_out_of_window(const std::string& user_id, bool outside) {
    std::lock_guard lk(impl_->mu);
    if (outside) impl_->out_of_window.insert(user_id);
    else impl_->out_of_window.erase(user_id);
}
void zalo_simulator::set_zns_quota(unsigned remaining) {
    std::lock_guard lk(impl_->mu);
    impl_->zns_quota = impl_->zns_used + remaining;
}
void zalo_simulator::expire_access_tokens() {
    std::lock_guard lk(impl_->mu);
    impl_->access_tokens.clear();
}
void zalo_simulator::revoke_refresh_token() {
    std::lock_guard lk(impl_->mu);
    auto& acc = impl_->accounts.front();
    impl_->spent_refresh.insert(acc.refresh_token);
    acc.refresh_token = "revoked-" + random_token(16);
}
void zalo_simulator::clear_faults() {
    std::lock_guard lk(impl_->mu);
    impl_->faults.clear();
    impl_->latency = std::chrono::milliseconds(0);
}
std::string zalo_simulator::current_refresh_token() const { return current_refresh_token(opts_.app_id); }
std::string zalo_simulator::current_refresh_token(const std::string& app_id) const {
    std::lock_guard lk(impl_->mu);
    const auto* a = impl_->account_of_app(app_id);
    return a ? a->refresh_token : std::string{};
}
void zalo_simulator::set_refresh_token(const std::string& rt) { set_refresh_token(opts_.app_id, rt); }
void zalo_simulator::set_refresh_token(const std::string& app_id, const std::string& rt) {
    std::lock_guard lk(impl_->mu);
    if (auto* a = impl_->account_of_app(app_id)) {
        a->refresh_token = rt;
        impl_->spent_refresh.erase(rt);
    }
}
std::string zalo_simulator::last_access_token() const {
    std::lock_guard lk(impl_->mu);
    return impl_->accounts.front().last_access;
}
int zalo_simulator::refresh_count() const {
    std::lock_guard lk(impl_->mu);
    return impl_->refreshes;
}
int zalo_simulator::reused_refresh_attempts() const {
    std::lock_guard lk(impl_->mu);
    return impl_->reused_refresh;
}
std::vector<recorded_request> zalo_simulator::requests() const {
    std::lock_guard lk(impl_->mu);
    return impl_->log;
}
std::vector<recorded_request> zalo_simulator::requests(const std::string& path) const {
    std::lock_guard lk(impl_->mu);
    std::vector<recorded_request> out;
    for (const auto& r : impl_->log)
        if (r.path == path) out.push_back(r);
    return out;
}
std::vector<sent_message> zalo_simulator::sent() const {
    std::lock_guard lk(impl_->mu);
    return impl_->accepted;
}
void zalo_simulator::clear_requests() {
    std::lock_guard lk(impl_->mu);
    impl_->log.clear();
    impl_->accepted.clear();
}
bool zalo_simulator::wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return pred();
}

void zalo_simulator::set_webhook(const std::string& url, const std::string& app_id, const std::string& oa_secret_key) {
    std::lock_guard lk(impl_->mu);
    impl_->webhook_url = url;
    impl_->hook_app_id = app_id;
    impl_->hook_key = oa_secret_key;
}

void zalo_simulator::set_webhook_source(std::function<std::string()> url_fn, const std::string& app_id,
                                        const std::string& oa_secret_key) {
    std::lock_guard lk(impl_->mu);
    impl_->webhook_fn = std::move(url_fn);
    impl_->hook_app_id = app_id;
    impl_->hook_key = oa_secret_key;
}

void zalo_simulator::set_auto_receipts(bool on) {
    std::lock_guard lk(impl_->mu);
    impl_->auto_receipts = on;
}

void zalo_simulator::on_accept(std::function<void(const sent_message&)> fn) {
    std::lock_guard lk(impl_->mu);
    impl_->accept_fn = std::move(fn);
}

int zalo_simulator::post_event(const std::string& body, bool zns) const { return impl_->post_signed(body, zns); }

int zalo_simulator::post_event_for(const std::string& app_id, const std::string& body, bool zns) const {
    return impl_->post_signed(body, zns, app_id);
}

int zalo_simulator::send_user_received(const std::string& user_id, const std::string& msg_id) const {
    json::object body{{"app_id", impl_->hook_app_id},
                      {"sender", json::object{{"id", opts_.oa_id}}},
                      {"recipient", json::object{{"id", user_id}}},
                      {"event_name", "user_received_message"},
                      {"message", json::object{{"msg_id", msg_id}}},
                      {"timestamp", std::to_string(unix_ms())}};
    return post_event(json::serialize(body), false);
}

int zalo_simulator::send_user_seen(const std::string& user_id, const std::vector<std::string>& msg_ids) const {
    json::array ids;
    for (const auto& id : msg_ids) ids.push_back(json::value(id));
    json::object body{{"app_id", impl_->hook_app_id},
                      {"sender", json::object{{"id", opts_.oa_id}}},
                      {"recipient", json::object{{"id", user_id}}},
                      {"event_name", "user_seen_message"},
                      {"message", json::object{{"msg_ids", ids}}},
                      {"timestamp", std::to_string(unix_ms())}};
    return post_event(json::serialize(body), false);
}

int zalo_simulator::send_zns_received(const std::string& phone, const std::string& msg_id, const std::string& tracking_id) const {
    json::object body{{"sender", json::object{{"id", opts_.oa_id}}},
                      {"recipient", json::object{{"id", phone}}},
                      {"event_name", "user_received_message"},
                      {"message", json::object{{"delivery_time", std::to_string(unix_ms())}, {"msg_id", msg_id}, {"tracking_id", tracking_id}}},
                      {"app_id", impl_->hook_app_id},
                      {"timestamp", std::to_string(unix_ms())}};
    return post_event(json::serialize(body), true);
}

}  // namespace sim

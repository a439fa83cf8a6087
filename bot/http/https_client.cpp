// The Beast/OpenSSL HTTPS client: own io_context threads, keep-alive pool per host, deadlines on every step.
#include "bot/http/https_client.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

#include <cctype>
#include <cerrno>
#include <pthread.h>
#include <sys/socket.h>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

namespace bot {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

url_parts split_url(const std::string& url) {
    url_parts u;
    auto p = url.find("://");
    if (p == std::string::npos) return u;
    u.scheme = url.substr(0, p);
    std::string rest = url.substr(p + 3);
    auto slash = rest.find_first_of("/?");
    std::string authority = rest.substr(0, slash);
    u.target = slash == std::string::npos ? "/" : rest.substr(slash);
    if (!u.target.empty() && u.target[0] == '?') u.target = "/" + u.target;
    if (!authority.empty() && authority[0] == '[') {  // [v6]:port
        auto close = authority.find(']');
        if (close == std::string::npos) return url_parts{};
        u.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':') u.port = authority.substr(close + 2);
    } else {
        auto colon = authority.rfind(':');
        if (colon != std::string::npos) {
            u.host = authority.substr(0, colon);
            u.port = authority.substr(colon + 1);
        } else {
            u.host = authority;
        }
    }
    if (u.port.empty()) u.port = u.scheme == "http" ? "80" : "443";
    return u;
}

std::string url_encode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size() * 3);
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

namespace {

/// One TLS connection; used by one request at a time, pooled while idle.
struct connection {
    connection(asio::io_context& ioc, ssl::context& ctx, std::string h, std::string p)
        : stream(asio::make_strand(ioc), ctx), host(std::move(h)), port(std::move(p)) {}
    beast::ssl_stream<beast::tcp_stream> stream;
    std::string host;
    std::string port;
    std::chrono::steady_clock::time_point idle_since{};
    bool reused = false;
};

/// True when the server has not closed an idle connection: nothing (no EOF, no close_notify)
/// is waiting to be read. A request is never re-sent automatically (POSTs are not idempotent),
/// so dead connections are weeded out before use instead.
bool still_open(connection& c) {
    auto& sock = beast::get_lowest_layer(c.stream).socket();
    if (!sock.is_open()) return false;
    char byte;
    ssize_t n = ::recv(sock.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

bool is_ip_literal(const std::string& host) {
    error_code ec;
    (void)asio::ip::make_address(host, ec);
    return !ec;
}

}  // namespace

struct https_client::impl {
    https_client_options opts;
    ssl::context ssl_ctx{ssl::context::tls_client};
    asio::io_context ioc;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
    std::vector<std::thread> threads;
    std::mutex mu;
    std::map<std::string, std::deque<std::shared_ptr<connection>>> idle;  // "host:port" -> idle connections
    bool stopped = false;

    explicit impl(const https_client_options& o) : opts(o) {
        ssl_ctx.set_verify_mode(ssl::verify_peer);
        ssl_ctx.set_default_verify_paths();
        if (!opts.ca_file.empty()) {
            error_code ec;
            ssl_ctx.load_verify_file(opts.ca_file, ec);
            if (ec) throw std::runtime_error("https client: cannot load CA file " + opts.ca_file + ": " + ec.message());
        }
        // TLS 1.2 at least (Zalo serves 1.2 and 1.3).
        SSL_CTX_set_min_proto_version(ssl_ctx.native_handle(), TLS1_2_VERSION);
    }

    std::shared_ptr<connection> take_idle(const std::string& key) {
        std::lock_guard lk(mu);
        auto it = idle.find(key);
        if (it == idle.end()) return nullptr;
        auto now = std::chrono::steady_clock::now();
        while (!it->second.empty()) {
            auto c = it->second.back();
            it->second.pop_back();
            if (now - c->idle_since < opts.idle_timeout && still_open(*c)) {
                c->reused = true;
                return c;
            }
        }
        return nullptr;
    }

    void give_back(const std::string& key, std::shared_ptr<connection> c) {
        std::lock_guard lk(mu);
        if (stopped) return;
        auto& q = idle[key];
        if (q.size() >= opts.max_idle_per_host) return;
        beast::get_lowest_layer(c->stream).expires_never();
        c->idle_since = std::chrono::steady_clock::now();
        q.push_back(std::move(c));
    }
};

namespace {

/// One request from start to callback: pooled or fresh connection, write, read.
struct operation : std::enable_shared_from_this<operation> {
    https_client::impl* cl;
    http_call call;
    http_client::callback done;
    url_parts u;
    std::string key;
    std::shared_ptr<connection> conn;
    std::optional<tcp::resolver> resolver;
    std::optional<asio::steady_timer> resolve_timer;
    http::request<http::string_body> req;
    beast::flat_buffer buffer;
    std::optional<http::response_parser<http::string_body>> parser;
    bool finished = false;
    bool resolve_timed_out = false;

    operation(https_client::impl* c, http_call h, http_client::callback d) : cl(c), call(std::move(h)), done(std::move(d)) {}

    void finish(http_result r) {
        if (finished) return;
        finished = true;
        auto cb = std::move(done);
        if (cb) {
            try {
                cb(std::move(r));
            } catch (const std::exception& e) {
                spdlog::error("https client: callback threw: {}", e.what());
            }
        }
    }

    void fail(const std::string& step, const error_code& ec) {
        http_result r;
        r.error = step + ": " + (ec == beast::error::timeout ? std::string("timeout") : ec.message());
        finish(std::move(r));
    }

    void start() {
        u = split_url(call.url);
        if (u.scheme != "https" || u.host.empty()) {
            http_result r;
            r.error = "unsupported url";
            finish(std::move(r));
            return;
        }
        key = u.host + ":" + u.port;
        req = {};
        req.version(11);
        req.method(call.method == "GET" ? http::verb::get : http::verb::post);
        req.target(u.target);
        req.set(http::field::host, u.port == "443" ? u.host : u.host + ":" + u.port);
        req.set(http::field::user_agent, "cchcbot/0.1");
        req.set(http::field::accept, "application/json");
        for (const auto& [k, v] : call.headers) req.set(k, v);
        if (req.method() == http::verb::post) {
            req.set(http::field::content_type, call.content_type);
            req.body() = call.body;
        }
        req.keep_alive(true);
        req.prepare_payload();

        conn = cl->take_idle(key);
        if (conn) {
            do_write();
        } else {
            do_resolve();
        }
    }

    void do_resolve() {
        conn = std::make_shared<connection>(cl->ioc, cl->ssl_ctx, u.host, u.port);
        resolver.emplace(conn->stream.get_executor());
        resolve_timer.emplace(conn->stream.get_executor());
        resolve_timer->expires_after(cl->opts.connect_timeout);
        auto self = shared_from_this();
        resolve_timer->async_wait([self](const error_code& ec) {
            if (ec) return;
            self->resolve_timed_out = true;
            self->resolver->cancel();
        });
        resolver->async_resolve(u.host, u.port, [self](const error_code& ec, tcp::resolver::results_type results) {
            self->resolve_timer->cancel();
            self->on_resolve(ec, std::move(results));
        });
    }

    void on_resolve(const error_code& ec, tcp::resolver::results_type results) {
        if (ec) return fail("resolve", resolve_timed_out ? error_code(beast::error::timeout) : ec);
        // SNI (not for IP literals, RFC 6066) and the host-name check against the certificate.
        if (!is_ip_literal(u.host) && !SSL_set_tlsext_host_name(conn->stream.native_handle(), u.host.c_str())) {
            return fail("tls sni", error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()));
        }
        conn->stream.set_verify_callback(ssl::host_name_verification(u.host));
        beast::get_lowest_layer(conn->stream).expires_after(cl->opts.connect_timeout);
        auto self = shared_from_this();
        beast::get_lowest_layer(conn->stream).async_connect(results, [self](const error_code& e, const tcp::endpoint&) {
            self->on_connect(e);
        });
    }

    void on_connect(const error_code& ec) {
        if (ec) return fail("connect", ec);
        beast::get_lowest_layer(conn->stream).expires_after(cl->opts.connect_timeout);
        auto self = shared_from_this();
        conn->stream.async_handshake(ssl::stream_base::client, [self](const error_code& e) { self->on_handshake(e); });
    }

    void on_handshake(const error_code& ec) {
        if (ec) return fail("tls handshake", ec);
        do_write();
    }

    void do_write() {
        beast::get_lowest_layer(conn->stream).expires_after(cl->opts.request_timeout);
        auto self = shared_from_this();
        http::async_write(conn->stream, req, [self](const error_code& ec, std::size_t) { self->on_write(ec); });
    }

    void on_write(const error_code& ec) {
        if (ec) return fail("write", ec);
        parser.emplace();
        parser->body_limit(cl->opts.body_limit);
        auto self = shared_from_this();
        http::async_read(conn->stream, buffer, *parser, [self](const error_code& e, std::size_t n) { self->on_read(e, n); });
    }

    void on_read(const error_code& ec, std::size_t bytes) {
        (void)bytes;
        if (ec) return fail("read", ec);
        auto res = parser->release();
        http_result r;
        r.status = static_cast<int>(res.result_int());
        for (const auto& f : res) r.headers[std::string(f.name_string())] = std::string(f.value());
        r.body = std::move(res.body());
        if (res.keep_alive() && buffer.size() == 0) {
            cl->give_back(key, std::move(conn));
        } else {
            // Close politely; a truncated shutdown is expected from many servers.
            auto c = std::move(conn);
            beast::get_lowest_layer(c->stream).expires_after(std::chrono::seconds(2));
            c->stream.async_shutdown([c](const error_code&) {});
        }
        finish(std::move(r));
    }
};

}  // namespace

https_client::https_client(const https_client_options& opts) : impl_(std::make_shared<impl>(opts)) {
    impl_->guard.emplace(impl_->ioc.get_executor());
    unsigned n = std::max(1u, opts.threads);
    for (unsigned i = 0; i < n; ++i) impl_->threads.emplace_back([this] {
        ::pthread_setname_np(::pthread_self(), "https-out");  // visible in top -H and perf
        impl_->ioc.run();
    });
}

https_client::~https_client() { stop(); }

void https_client::request(http_call call, callback done) {
    auto op = std::make_shared<operation>(impl_.get(), std::move(call), std::move(done));
    asio::post(impl_->ioc, [op] { op->start(); });
}

void https_client::stop() {
    if (!impl_) return;
    {
        std::lock_guard lk(impl_->mu);
        if (impl_->stopped) return;
        impl_->stopped = true;
    }
    impl_->guard.reset();
    impl_->ioc.stop();
    for (auto& t : impl_->threads)
        if (t.joinable()) t.join();
    std::lock_guard lk(impl_->mu);
    impl_->idle.clear();
}

}  // namespace bot

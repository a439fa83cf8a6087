// The HTTP server: an acceptor, one session per connection on its own strand, Beast callbacks.
#include "bot/http/http_server.hpp"

#include "bot/core/config.hpp"
#include "bot/core/log_limiter.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include <pthread.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace bot {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Benign endings of a connection: the peer closed, we cancelled at shutdown, or a deadline hit.
bool benign(const beast::error_code& ec) {
    return ec == http::error::end_of_stream || ec == net::error::operation_aborted || ec == beast::error::timeout ||
           ec == net::error::eof || ec == net::error::connection_reset || ec == net::error::broken_pipe ||
           ec == http::error::partial_message;
}

void log_failure(const beast::error_code& ec, const char* what) {
    if (benign(ec)) return;
    spdlog::debug("http: {}: {}", what, ec.message());
}

constexpr std::size_t max_drain_bytes = 1 << 20;

}  // namespace

class http_session;

struct http_server::impl {
    const config& cfg;
    const http_router& router;
    // Declared before the io_context: pending handlers destroyed with it still unregister here.
    mutable std::mutex sessions_mu;
    std::unordered_map<http_session*, std::weak_ptr<http_session>> sessions;
    std::atomic<bool> stopping{false};

    net::io_context ioc;
    tcp::acceptor acceptor;
    std::vector<std::thread> threads;
    std::mutex run_mu;
    std::condition_variable run_cv;
    unsigned running = 0;
    bool started = false;
    log_limiter log_once;  ///< accept errors repeat as fast as the loop spins: once per state

    impl(const config& c, const http_router& r)
        : cfg(c), router(r), ioc(static_cast<int>(std::max(1u, c.server.threads))), acceptor(net::make_strand(ioc)) {}

    void do_accept();
    void on_accept(beast::error_code ec, tcp::socket socket);
};

/// One connection: read a request (fresh parser), route it, write the answer, repeat.
class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(tcp::socket&& socket, http_server::impl& srv) : srv_(srv), stream_(std::move(socket)) {
        beast::error_code ec;
        auto ep = stream_.socket().remote_endpoint(ec);
        if (!ec) remote_ = ep.address().to_string();
        stream_.socket().set_option(tcp::no_delay(true), ec);
    }

    ~http_session() {
        std::lock_guard lk(srv_.sessions_mu);
        srv_.sessions.erase(this);
    }

    void run() { net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_wait(); }); }

    /// Shutdown: an idle keep-alive connection is closed now; a busy one closes after its answer.
    void stop() {
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            if (self->idle_) self->stream_.cancel();
        });
    }

    /// Writes the handler's answer (any thread may call; runs on the strand).
    void answer(http_response r) {
        net::post(stream_.get_executor(),
                  [self = shared_from_this(), r = std::move(r)]() mutable { self->do_write(std::move(r), false); });
    }

private:
    // Start of a message: a fresh parser with the body cap, then wait for its first bytes.
    void do_wait() {
        if (srv_.stopping) return do_close();
        parser_.emplace();
        // While the header is read, the larger cap; on_read_header applies the path's own.
        parser_->body_limit(std::max(srv_.cfg.server.body_limit, srv_.cfg.server.admin_body_limit));
        if (buffer_.size() > 0) {  // pipelined bytes already read
            stream_.expires_after(srv_.cfg.server.read_timeout);
            return do_read();
        }
        // A new connection must start its request within read_timeout; a kept-alive one may
        // idle for idle_timeout before the next request begins.
        idle_ = true;
        stream_.expires_after(first_ ? srv_.cfg.server.read_timeout : srv_.cfg.server.idle_timeout);
        stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
            self->on_wait(ec, n);
        });
    }

    void on_wait(beast::error_code ec, std::size_t n) {
        idle_ = false;
        if (ec) {
            log_failure(ec, "wait");
            return do_close();
        }
        buffer_.commit(n);
        // The deadline covers the whole request from its first byte: a client trickling its
        // headers or body (slowloris) is dropped when it passes.
        stream_.expires_after(srv_.cfg.server.read_timeout);
        do_read();
    }

    // The header first: the body cap depends on the path, and a client sending
    // "Expect: 100-continue" (curl, for larger bodies) waits for our go-ahead.
    void do_read() {
        http::async_read_header(stream_, buffer_, *parser_,
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                    self->on_read_header(ec);
                                });
    }

    void on_read_header(beast::error_code ec) {
        if (ec) return on_read(ec);
        auto& msg = parser_->get();
        std::string_view target = msg.target();
        const bool admin = target.substr(0, 8) == "/api/v1/";
        const std::size_t limit = admin ? srv_.cfg.server.admin_body_limit : srv_.cfg.server.body_limit;
        if (auto cl = parser_->content_length(); cl && *cl > limit) return on_read(http::error::body_limit);
        parser_->body_limit(limit);  // chunked bodies are counted as they arrive
        auto expect = msg.find(http::field::expect);
        if (expect != msg.end() && beast::iequals(expect->value(), "100-continue") && !parser_->is_done()) {
            static constexpr std::string_view go_ahead = "HTTP/1.1 100 Continue\r\n\r\n";
            return net::async_write(stream_, net::buffer(go_ahead.data(), go_ahead.size()),
                                    [self = shared_from_this()](beast::error_code wec, std::size_t) {
                                        if (wec) return self->on_read(wec);
                                        self->do_read_body();
                                    });
        }
        do_read_body();
    }

    void do_read_body() {
        http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            self->on_read(ec);
        });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::body_limit) {
            version_ = parser_->get().version() ? parser_->get().version() : 11;
            return do_write(json_error(413, "payload_too_large",
                                       "the body exceeds the size limit for this path"),
                            true);
        }
        if (ec == beast::error::timeout) {
            spdlog::debug("http: dropped a slow client {}", remote_);
            return do_close();
        }
        if (ec == http::error::end_of_stream || ec == net::error::operation_aborted || ec == net::error::eof ||
            ec == net::error::connection_reset) {
            return do_close();
        }
        if (ec) {
            log_failure(ec, "read");
            version_ = 11;
            return do_write(json_error(400, "bad_request", ec.message()), true);
        }
        handle();
    }

    void handle() {
        auto& msg = parser_->get();
        version_ = msg.version();
        keep_alive_ = msg.keep_alive();
        http_request req;
        req.method = std::string(msg.method_string());
        req.target = std::string(msg.target());
        auto q = req.target.find('?');
        req.path = url_decode(std::string_view(req.target).substr(0, q), false);
        if (q != std::string::npos) req.query = parse_query(std::string_view(req.target).substr(q + 1));
        for (const auto& f : msg) req.headers[std::string(f.name_string())] = std::string(f.value());
        req.body = std::move(msg.body());
        req.remote = remote_;

        bool path_known = false;
        const http_handler* h = srv_.router.find(req.method, req.path, path_known);
        if (!h) {
            if (path_known) return do_write(json_error(405, "method_not_allowed", req.method + " is not allowed here"), false);
            return do_write(json_error(404, "not_found", "no such path"), false);
        }
        // The handler answers through `respond`, now or later from another thread. The work
        // guard keeps the I/O threads running until it has; an answer that never comes (the
        // function dropped unanswered) becomes a 500 instead of a hung connection.
        struct responder {
            responder(std::shared_ptr<http_session> s, net::io_context& ioc)
                : session(std::move(s)), work(net::make_work_guard(ioc)) {}
            std::shared_ptr<http_session> session;
            net::executor_work_guard<net::io_context::executor_type> work;
            std::atomic<bool> done{false};
            void send(http_response r) {
                if (done.exchange(true)) return;
                session->answer(std::move(r));
            }
            ~responder() {
                if (!done) send(json_error(500, "internal_error", "the request was not answered"));
            }
        };
        auto r = std::make_shared<responder>(shared_from_this(), srv_.ioc);
        try {
            (*h)(std::move(req), [r](http_response resp) { r->send(std::move(resp)); });
        } catch (const std::exception& e) {
            spdlog::error("http: handler for {} threw: {}", std::string(msg.target()), e.what());
            r->send(json_error(500, "internal_error", "the request failed"));
        }
    }

    void do_write(http_response r, bool force_close) {
        res_ = {};
        res_.version(version_ ? version_ : 11);
        res_.result(static_cast<unsigned>(r.status));
        res_.set(http::field::server, "cchcbot");
        if (!r.content_type.empty()) res_.set(http::field::content_type, r.content_type);
        for (auto& [k, v] : r.headers) res_.set(k, v);
        res_.body() = std::move(r.body);
        const bool close = force_close || !keep_alive_ || srv_.stopping;
        res_.keep_alive(!close);
        res_.prepare_payload();
        stream_.expires_after(srv_.cfg.server.read_timeout);
        http::async_write(stream_, res_, [self = shared_from_this(), close, force_close](beast::error_code ec, std::size_t) {
            self->on_write(ec, close, force_close);
        });
    }

    void on_write(beast::error_code ec, bool close, bool unread_body) {
        if (ec) {
            log_failure(ec, "write");
            return do_close();
        }
        if (unread_body) return do_drain();
        if (close) return do_close();
        first_ = false;
        do_wait();
    }

    // After a 413/400 the client may still be sending: closing with unread bytes would reset the
    // connection and could destroy our answer before the client reads it. Half-close, then
    // discard what arrives for a short while.
    void do_drain() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.expires_after(std::min<std::chrono::seconds>(srv_.cfg.server.read_timeout, std::chrono::seconds(2)));
        read_drain();
    }

    void read_drain() {
        stream_.async_read_some(net::buffer(drain_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
            self->drained_ += n;
            if (ec || self->drained_ > max_drain_bytes) return self->do_close();
            self->read_drain();
        });
    }

    void do_close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.socket().close(ec);
    }

    http_server::impl& srv_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> res_;
    std::string remote_;
    std::array<char, 4096> drain_{};
    std::size_t drained_ = 0;
    unsigned version_ = 11;
    bool keep_alive_ = false;
    bool first_ = true;
    bool idle_ = false;
};

void http_server::impl::do_accept() {
    acceptor.async_accept(net::make_strand(ioc),
                          [this](beast::error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void http_server::impl::on_accept(beast::error_code ec, tcp::socket socket) {
    if (!acceptor.is_open() || stopping) return;  // closed at shutdown
    if (ec) {
        // e.g. too many open files: log and keep accepting (asio's server example).
        log_once.log(log_level::warn, "accept", "http: accept failed: " + ec.message());
        return do_accept();
    }
    log_once.ok("accept", "http: accepting connections again");
    auto s = std::make_shared<http_session>(std::move(socket), *this);
    {
        std::lock_guard lk(sessions_mu);
        sessions.emplace(s.get(), s);
    }
    s->run();
    do_accept();
}

http_server::http_server(const config& cfg, const http_router& router) : impl_(std::make_shared<impl>(cfg, router)) {
    auto& a = impl_->acceptor;
    tcp::endpoint ep(net::ip::make_address(cfg.server.address), cfg.server.port);
    a.open(ep.protocol());
    a.set_option(net::socket_base::reuse_address(true));
    a.bind(ep);
    a.listen(net::socket_base::max_listen_connections);
}

http_server::~http_server() { shutdown(); }

void http_server::start() {
    if (impl_->started) return;
    impl_->started = true;
    net::post(impl_->acceptor.get_executor(), [p = impl_.get()] { p->do_accept(); });
    unsigned n = std::max(1u, impl_->cfg.server.threads);
    impl_->running = n;
    for (unsigned i = 0; i < n; ++i)
        impl_->threads.emplace_back([p = impl_.get()] {
            ::pthread_setname_np(::pthread_self(), "http-io");  // visible in top -H and perf
            try {
                p->ioc.run();
            } catch (const std::exception& e) {
                spdlog::error("http: I/O thread stopped: {}", e.what());
            }
            std::lock_guard lk(p->run_mu);
            --p->running;
            p->run_cv.notify_all();
        });
}

std::uint16_t http_server::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string http_server::address() const { return impl_->acceptor.local_endpoint().address().to_string(); }

std::size_t http_server::connections() const {
    std::lock_guard lk(impl_->sessions_mu);
    return impl_->sessions.size();
}

void http_server::shutdown() {
    auto* p = impl_.get();
    if (!p->stopping.exchange(true)) {
        // 1. Close the acceptor (on its strand), 2. close idle connections; busy ones finish
        // their request and answer with Connection: close.
        net::post(p->acceptor.get_executor(), [p] {
            beast::error_code ec;
            p->acceptor.close(ec);
        });
        std::vector<std::shared_ptr<http_session>> live;
        {
            std::lock_guard lk(p->sessions_mu);
            for (auto& [raw, weak] : p->sessions)
                if (auto s = weak.lock()) live.push_back(std::move(s));
        }
        for (auto& s : live) s->stop();
        live.clear();
    }
    if (!p->started) {
        beast::error_code ec;
        p->acceptor.close(ec);
        return;
    }
    // 3. run() returns once no work is left; past the deadline, requests still in flight are cut.
    {
        std::unique_lock lk(p->run_mu);
        if (!p->run_cv.wait_for(lk, p->cfg.server.shutdown_timeout, [p] { return p->running == 0; })) {
            spdlog::warn("http: requests still in flight after {}s; stopping", p->cfg.server.shutdown_timeout.count());
            p->ioc.stop();
        }
    }
    for (auto& t : p->threads)
        if (t.joinable()) t.join();
    p->threads.clear();
}

}  // namespace bot

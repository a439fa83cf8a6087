// The HTTP server: an acceptor, one event loop per I/O thread, one session per connection, Beast callbacks.
#include "bot/http/http_server.hpp"

#include "bot/core/config.hpp"
#include "bot/core/log_limiter.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
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

#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

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

// Accept errors back off from this delay, doubling up to the cap: a loop that cannot accept
// (out of descriptors) must not spin.
constexpr std::chrono::milliseconds accept_backoff_first{5};
constexpr std::chrono::milliseconds accept_backoff_max{1000};
// While every connection is busy and the cap is reached, look again this often.
constexpr std::chrono::milliseconds accept_full_recheck{50};
// Descriptors kept for everything but connections (database files, outbound HTTPS, logs, epoll):
// at least this many, or an eighth of the open-file limit.
constexpr std::size_t fd_headroom_min = 64;
constexpr std::size_t min_connections = 16;

bool out_of_descriptors(const beast::error_code& ec) {
    return ec == net::error::no_descriptors || ec == net::error::no_buffer_space || ec == net::error::no_memory ||
           ec.value() == ENFILE;
}

// server.max_connections, or the open-file limit less the headroom.
std::size_t connection_cap(const config& cfg, std::uint64_t* nofile_out) {
    rlimit rl{};
    std::uint64_t nofile = 1024;
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) nofile = rl.rlim_cur;
    else if (rl.rlim_cur == RLIM_INFINITY) nofile = 1u << 20;
    if (nofile_out) *nofile_out = nofile;
    if (cfg.server.max_connections) return cfg.server.max_connections;
    const std::uint64_t headroom = std::max<std::uint64_t>(fd_headroom_min, nofile / 8);
    return nofile > headroom + min_connections ? static_cast<std::size_t>(nofile - headroom) : min_connections;
}

// RFC 9112 §6.1, §6.3: a request body is framed by one final "chunked" coding or by
// Content-Length, never both and never by anything else. Any other transfer coding would leave
// the body's end to interpretation (request smuggling): refuse it. Returns the problem, or "".
std::string framing_problem(const http::request_parser<http::string_body>& parser) {
    const auto& msg = parser.get();
    auto range = msg.equal_range(http::field::transfer_encoding);
    if (range.first == range.second) return {};
    std::size_t codings = 0;
    bool only_chunked = true;
    std::string seen;
    for (auto it = range.first; it != range.second; ++it) {
        std::string_view v = it->value();
        seen += (seen.empty() ? "" : ", ") + std::string(v);
        while (!v.empty()) {
            auto comma = v.find(',');
            std::string_view el = v.substr(0, comma);
            while (!el.empty() && (el.front() == ' ' || el.front() == '\t')) el.remove_prefix(1);
            while (!el.empty() && (el.back() == ' ' || el.back() == '\t')) el.remove_suffix(1);
            if (!el.empty()) {
                ++codings;
                if (!beast::iequals(el, "chunked")) only_chunked = false;
            }
            if (comma == std::string_view::npos) break;
            v.remove_prefix(comma + 1);
        }
    }
    if (codings != 1 || !only_chunked)
        return "Transfer-Encoding \"" + seen + "\" is not accepted: a body is sent with Content-Length or with one "
               "\"chunked\" transfer coding (RFC 9112 section 6.1)";
    if (msg.find(http::field::content_length) != msg.end())
        return "Transfer-Encoding and Content-Length together are not accepted (RFC 9112 section 6.3)";
    return {};
}

// Memory reserved for one request's body, given back when the request is done with.
struct body_ticket {
    std::shared_ptr<std::atomic<std::size_t>> pool;
    std::size_t bytes = 0;
    ~body_ticket() { *pool -= bytes; }
};

}  // namespace

class http_session;

struct http_server::impl {
    const config& cfg;
    const http_router& router;
    // Declared before the io_context: pending handlers destroyed with it still unregister here.
    mutable std::mutex sessions_mu;
    std::unordered_map<http_session*, std::weak_ptr<http_session>> sessions;
    std::atomic<bool> stopping{false};

    // One io_context per I/O thread, each run by that thread alone; a connection is placed on one
    // of them (round robin) and stays there, so its handlers never run at the same time and need
    // no strand. One io_context shared by the threads measured 4 futex calls and 5 context
    // switches per webhook event at 2,000/s on the I/O threads: its threads hand the reactor and
    // every queued handler to each other under one mutex.
    std::vector<std::unique_ptr<net::io_context>> contexts;
    std::vector<net::executor_work_guard<net::io_context::executor_type>> keep_running;  ///< until shutdown
    std::size_t next_context = 0;  ///< round robin (acceptor's executor only)
    tcp::acceptor acceptor;
    std::vector<std::thread> threads;
    std::mutex run_mu;
    std::condition_variable run_cv;
    unsigned running = 0;
    bool started = false;
    log_limiter log_once;  ///< accept errors repeat as fast as the loop spins: once per state

    // Connections: at most max_connections; at the cap the longest-idle one makes room.
    std::size_t max_connections = 0;
    std::uint64_t nofile = 0;
    std::size_t evicting = 0;  ///< sessions told to close but not gone yet (under sessions_mu)
    int reserve_fd = -1;       ///< given up to accept-and-close one client when out of descriptors
    net::steady_timer accept_timer;
    std::chrono::milliseconds accept_backoff{0};
    bool full = false;

    // Bytes of request bodies reserved now (server.body_memory_limit).
    std::shared_ptr<std::atomic<std::size_t>> body_bytes = std::make_shared<std::atomic<std::size_t>>(0);

    impl(const config& c, const http_router& r)
        : cfg(c), router(r), contexts(make_contexts(std::max(1u, c.server.threads))),
          acceptor(net::make_strand(*contexts.front())), accept_timer(acceptor.get_executor()) {
        for (auto& ctx : contexts) keep_running.push_back(net::make_work_guard(*ctx));
        max_connections = connection_cap(c, &nofile);
        reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    ~impl() {
        if (reserve_fd >= 0) ::close(reserve_fd);
    }

    static std::vector<std::unique_ptr<net::io_context>> make_contexts(unsigned n) {
        std::vector<std::unique_ptr<net::io_context>> v;
        for (unsigned i = 0; i < n; ++i) v.push_back(std::make_unique<net::io_context>(1));  // one thread each
        return v;
    }

    void do_accept();
    void on_accept(beast::error_code ec, tcp::socket socket, net::io_context& ctx);
    void accept_later(std::chrono::milliseconds delay);
    bool evict_idle();
    void shed_one_pending();
    std::size_t open_connections();

    /// Reserves `n` bytes for a body; nullptr when the budget would be passed.
    std::shared_ptr<body_ticket> reserve_body(std::size_t n) {
        auto& pool = *body_bytes;
        std::size_t cur = pool.load();
        do {
            if (cur + n > cfg.server.body_memory_limit) return nullptr;
        } while (!pool.compare_exchange_weak(cur, cur + n));
        return std::shared_ptr<body_ticket>(new body_ticket{body_bytes, n});
    }
};

/// One connection: read a request (fresh parser), route it, write the answer, repeat.
class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(tcp::socket&& socket, http_server::impl& srv, net::io_context& ctx)
        : srv_(srv), ctx_(ctx), stream_(std::move(socket)) {
        beast::error_code ec;
        auto ep = stream_.socket().remote_endpoint(ec);
        if (!ec) remote_ = ep.address().to_string();
        stream_.socket().set_option(tcp::no_delay(true), ec);
    }

    ~http_session() {
        std::lock_guard lk(srv_.sessions_mu);
        srv_.sessions.erase(this);
        if (evicted_) --srv_.evicting;
    }

    /// Idle now (waiting for a request to begin), and since when; for choosing whom to evict.
    [[nodiscard]] bool idle(std::int64_t& since) const {
        since = idle_since_.load();
        return idle_.load();
    }
    /// Makes room at the connection cap: closes this connection if it is still idle. The caller
    /// holds sessions_mu and has checked it is not evicted already.
    void evict_locked() {
        evicted_ = true;
        ++srv_.evicting;
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            if (self->idle_) {
                self->stream_.cancel();
                return;
            }
            // A request began meanwhile: keep it.
            std::lock_guard lk(self->srv_.sessions_mu);
            if (self->evicted_) {
                self->evicted_ = false;
                --self->srv_.evicting;
            }
        });
    }
    [[nodiscard]] bool evicted_locked() const { return evicted_; }

    void run() { net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_wait(); }); }

    /// Shutdown: an idle keep-alive connection is closed now; a busy one closes after its answer.
    void stop() {
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            if (self->idle_) self->stream_.cancel();
        });
    }

    /// Writes the handler's answer (any thread may call; runs on the connection's thread).
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
        idle_since_ = std::chrono::steady_clock::now().time_since_epoch().count();
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

    // Everything that can be decided from the header is decided before one byte of the body is
    // read: framing (smuggling), the route, the path's guard (authorisation), the body's size
    // and the memory it would take. A refusal closes the connection, so nothing after the
    // header is ever parsed as a request.
    void on_read_header(beast::error_code ec) {
        if (ec) return on_read(ec);
        auto& msg = parser_->get();
        version_ = msg.version() ? msg.version() : 11;
        keep_alive_ = msg.keep_alive();
        if (auto problem = framing_problem(*parser_); !problem.empty())
            return do_write(json_error(400, "bad_request", problem), true);

        req_ = http_request{};
        req_.method = std::string(msg.method_string());
        req_.target = std::string(msg.target());
        auto q = req_.target.find('?');
        req_.path = url_decode(std::string_view(req_.target).substr(0, q), false);
        if (q != std::string::npos) req_.query = parse_query(std::string_view(req_.target).substr(q + 1));
        for (const auto& f : msg) req_.headers[std::string(f.name_string())] = std::string(f.value());
        req_.remote = remote_;
        const bool body_follows = !parser_->is_done();

        bool path_known = false;
        handler_ = srv_.router.find(req_.method, req_.path, path_known);
        if (!handler_) {
            auto r = path_known ? json_error(405, "method_not_allowed", req_.method + " is not allowed here")
                                : json_error(404, "not_found", "no such path");
            return do_write(std::move(r), body_follows);
        }
        if (const header_guard* guard = srv_.router.find_guard(req_.path)) {
            std::optional<http_response> refusal;
            try {
                refusal = (*guard)(req_);
            } catch (const std::exception& e) {
                spdlog::error("http: guard for {} threw: {}", req_.path, e.what());
                refusal = json_error(500, "internal_error", "the request failed");
            }
            if (refusal) return do_write(std::move(*refusal), body_follows);
        }

        std::string_view target = msg.target();
        // Dossier exports are uploaded to the admin API and to the console's import page: those take
        // server.admin_body_limit, every other path server.body_limit.
        const bool large = target.substr(0, 8) == "/api/v1/" || req_.path == "/console/ho-so/nhap";
        const std::size_t limit = large ? srv_.cfg.server.admin_body_limit : srv_.cfg.server.body_limit;
        const auto cl = parser_->content_length();
        if (cl && *cl > limit) return on_read(http::error::body_limit);
        parser_->body_limit(limit);  // chunked bodies are counted as they arrive
        // The body's memory: its length, or the path's limit for a chunked body.
        if (body_follows) {
            ticket_ = srv_.reserve_body(cl ? static_cast<std::size_t>(*cl) : limit);
            if (!ticket_) {
                auto r = json_error(503, "busy", "too many request bodies are being received; try again shortly");
                r.headers.emplace_back("Retry-After", "1");
                return do_write(std::move(r), true);
            }
        }
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
        if (ec == http::error::bad_transfer_encoding || ec == http::error::bad_content_length ||
            ec == http::error::bad_chunk || ec == http::error::bad_chunk_extension) {
            version_ = 11;
            return do_write(json_error(400, "bad_request",
                                       "the body's framing is not accepted (" + ec.message() +
                                           "): send Content-Length or one \"chunked\" Transfer-Encoding"),
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
        http_request req = std::move(req_);
        req.body = std::move(msg.body());
        const http_handler* h = handler_;
        // The handler answers through `respond`, now or later from another thread. The work
        // guard keeps the I/O threads running until it has; an answer that never comes (the
        // function dropped unanswered) becomes a 500 instead of a hung connection. The body's
        // memory stays reserved until then.
        struct responder {
            responder(std::shared_ptr<http_session> s, net::io_context& ioc, std::shared_ptr<body_ticket> t)
                : session(std::move(s)), work(net::make_work_guard(ioc)), ticket(std::move(t)) {}
            std::shared_ptr<http_session> session;
            net::executor_work_guard<net::io_context::executor_type> work;
            std::shared_ptr<body_ticket> ticket;
            std::atomic<bool> done{false};
            void send(http_response r) {
                if (done.exchange(true)) return;
                session->answer(std::move(r));
            }
            ~responder() {
                if (!done) send(json_error(500, "internal_error", "the request was not answered"));
            }
        };
        auto r = std::make_shared<responder>(shared_from_this(), ctx_, std::move(ticket_));
        try {
            (*h)(std::move(req), [r](http_response resp) { r->send(std::move(resp)); });
        } catch (const std::exception& e) {
            spdlog::error("http: handler for {} threw: {}", std::string(msg.target()), e.what());
            r->send(json_error(500, "internal_error", "the request failed"));
        }
    }

    void do_write(http_response r, bool force_close) {
        ticket_.reset();  // a refused or answered body gives its memory back
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
    net::io_context& ctx_;  ///< the I/O thread's context this connection lives on
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http_request req_;                        ///< the request as known from its header
    const http_handler* handler_ = nullptr;   ///< its route, found from the header
    std::shared_ptr<body_ticket> ticket_;     ///< memory reserved for its body
    http::response<http::string_body> res_;
    std::string remote_;
    std::array<char, 4096> drain_{};
    std::size_t drained_ = 0;
    unsigned version_ = 11;
    bool keep_alive_ = false;
    bool first_ = true;
    std::atomic<bool> idle_{false};
    std::atomic<std::int64_t> idle_since_{0};
    bool evicted_ = false;  ///< under srv_.sessions_mu
};

std::size_t http_server::impl::open_connections() {
    std::lock_guard lk(sessions_mu);
    return sessions.size() - std::min(sessions.size(), evicting);
}

// The longest-idle connection (waiting for its first or next request) is closed to make room.
// A connection whose request has begun is never chosen. False when none is idle.
bool http_server::impl::evict_idle() {
    // Declared before the lock, so released after it: the last reference to a session runs its
    // destructor, which takes sessions_mu.
    std::shared_ptr<http_session> chosen;
    std::lock_guard lk(sessions_mu);
    // A session in the map is alive while the lock is held (its destructor waits for the lock
    // before anything is torn down), so its state can be read through the raw pointer.
    http_session* oldest = nullptr;
    std::int64_t oldest_since = 0;
    for (auto& [raw, weak] : sessions) {
        std::int64_t since = 0;
        if (raw->evicted_locked() || !raw->idle(since)) continue;
        if (!oldest || since < oldest_since) {
            oldest = raw;
            oldest_since = since;
        }
    }
    if (!oldest) return false;
    chosen = sessions[oldest].lock();
    if (!chosen) return false;  // being destroyed: a descriptor is on its way back anyway
    chosen->evict_locked();
    return true;
}

// Out of descriptors with no idle connection to close: give up the reserve descriptor to accept
// the next waiting client and close it at once (it sees a closed connection, not a hang), then
// take the reserve back.
void http_server::impl::shed_one_pending() {
    if (reserve_fd >= 0) {
        ::close(reserve_fd);
        reserve_fd = -1;
    }
    int fd = ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) ::close(fd);
    reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

void http_server::impl::accept_later(std::chrono::milliseconds delay) {
    accept_timer.expires_after(delay);
    accept_timer.async_wait([this](beast::error_code ec) {
        if (!ec) do_accept();
    });
}

void http_server::impl::do_accept() {
    if (!acceptor.is_open() || stopping) return;
    if (open_connections() >= max_connections && !evict_idle()) {
        // Every connection is busy: newcomers wait in the listen backlog until one finishes.
        if (!full) {
            full = true;
            log_once.log(log_level::warn, "cap",
                         "http: " + std::to_string(max_connections) +
                             " connections open, all busy (server.max_connections); new ones wait");
        }
        return accept_later(accept_full_recheck);
    }
    if (full) {
        full = false;
        log_once.ok("cap");
    }
    net::io_context& ctx = *contexts[next_context++ % contexts.size()];
    acceptor.async_accept(ctx, [this, &ctx](beast::error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket), ctx); });
}

void http_server::impl::on_accept(beast::error_code ec, tcp::socket socket, net::io_context& ctx) {
    if (!acceptor.is_open() || stopping) return;  // closed at shutdown
    if (ec) {
        // Retrying at once would spin (out of descriptors fails again immediately): make room,
        // back off, and log the state once rather than every attempt.
        accept_backoff = accept_backoff.count() == 0 ? accept_backoff_first : std::min(accept_backoff * 2, accept_backoff_max);
        if (out_of_descriptors(ec)) {
            log_once.log(log_level::warn, "accept",
                         "http: cannot accept: " + ec.message() + "; closing idle connections and backing off (" +
                             std::to_string(open_connections()) + " open, open-file limit " + std::to_string(nofile) + ")");
            if (!evict_idle()) shed_one_pending();
        } else {
            log_once.log(log_level::warn, "accept", "http: accept failed: " + ec.message());
        }
        return accept_later(accept_backoff);
    }
    accept_backoff = std::chrono::milliseconds(0);
    log_once.ok("accept", "http: accepting connections again");
    auto s = std::make_shared<http_session>(std::move(socket), *this, ctx);
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
    spdlog::debug("http: at most {} connections (open-file limit {})", impl_->max_connections, impl_->nofile);
}

http_server::~http_server() { shutdown(); }

void http_server::start() {
    if (impl_->started) return;
    impl_->started = true;
    net::post(impl_->acceptor.get_executor(), [p = impl_.get()] { p->do_accept(); });
    impl_->running = static_cast<unsigned>(impl_->contexts.size());
    for (auto& ctx : impl_->contexts)
        impl_->threads.emplace_back([p = impl_.get(), c = ctx.get()] {
            ::pthread_setname_np(::pthread_self(), "http-io");  // visible in top -H and perf
            try {
                c->run();
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
            p->accept_timer.cancel();
        });
        std::vector<std::shared_ptr<http_session>> live;
        {
            std::lock_guard lk(p->sessions_mu);
            for (auto& [raw, weak] : p->sessions)
                if (auto s = weak.lock()) live.push_back(std::move(s));
        }
        for (auto& s : live) s->stop();
        live.clear();
        // Each thread's run() returns once its connections are done with (thread-safe: a count).
        p->keep_running.clear();
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
            for (auto& ctx : p->contexts) ctx->stop();
        }
    }
    for (auto& t : p->threads)
        if (t.joinable()) t.join();
    p->threads.clear();
}

}  // namespace bot

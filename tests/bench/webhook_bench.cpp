// Webhook benchmark: spawns the built `cchcbot serve` on a temporary database and posts signed,
// distinct user_send_text events over N keep-alive connections.
//   max mode:  every connection posts back to back (closed loop) → events/s, latency percentiles
//   rate mode: a fixed total rate (open loop; latency counted from the scheduled send time, so a
//              stall is not hidden) → p50/p90/p99/max
// In max mode the number of connections bounds the events in flight: with a group commit every
// fsync (F ms), throughput ≤ connections / F, so use enough connections for the disk at hand.
// Afterwards the server is stopped with SIGTERM and the stored events are counted: the number of
// rows must equal the number of 200 answers (every acknowledged event durably stored, once).
//
//   ./build/tests/webhook_bench [--mode max|rate|both] [--connections 128] [--seconds 10]
//                               [--rate 2000] [--threads 2] [--dir build/bench-tmp]
#include "bot/events/webhook.hpp"

#include "storage/database.hpp"
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;
const std::string app_id = "1234567890123456789";
const std::string secret = "bench-oa-secret-key-0123456789abcdef";

struct options {
    std::string mode = "both";
    int connections = 128;
    double seconds = 10;
    double rate = 2000;
    int threads = 2;
    std::string dir = "build/bench-tmp";
};

struct server_process {
    pid_t pid = -1;
    int fd = -1;
    std::uint16_t port = 0;
};

std::int64_t unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

server_process spawn_server(const std::string& db, int threads) {
    std::map<std::string, std::string> extra = {{"CCHCBOT_SERVER_PORT", "0"},
                                                {"CCHCBOT_STORAGE_PATH", db},
                                                {"CCHCBOT_SERVER_THREADS", std::to_string(threads)},
                                                {"CCHCBOT_ZALO_OA_SECRET_KEY", secret},
                                                {"CCHCBOT_ZALO_APP_ID", app_id},
                                                // Loopback only: nothing may reach Zalo from a benchmark.
                                                {"CCHCBOT_ZALO_API_BASE", "https://127.0.0.1:9"},
                                                {"CCHCBOT_ZALO_OAUTH_BASE", "https://127.0.0.1:9"},
                                                {"CCHCBOT_ZALO_ZNS_BASE", "https://127.0.0.1:9"}};
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        std::string kv(*e);
        if (!extra.count(kv.substr(0, kv.find('=')))) env.push_back(kv);
    }
    for (auto& [k, v] : extra) env.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string exe = CCHCBOT_EXE;
    char* argv[] = {exe.data(), const_cast<char*>("serve"), nullptr};
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    server_process p;
    p.pid = ::fork();
    if (p.pid == 0) {
        ::dup2(fds[1], 1);
        ::dup2(fds[1], 2);
        ::close(fds[0]);
        ::close(fds[1]);
        ::execve(argv[0], argv, envp.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    p.fd = fds[0];
    std::string out;
    std::regex rx(R"(listening on http://127\.0\.0\.1:(\d+))");
    char buf[1024];
    ssize_t n;
    while ((n = ::read(p.fd, buf, sizeof buf)) > 0) {
        out.append(buf, static_cast<std::size_t>(n));
        std::smatch m;
        if (std::regex_search(out, m, rx)) {
            p.port = static_cast<std::uint16_t>(std::stoi(m[1].str()));
            break;
        }
    }
    if (!p.port) throw std::runtime_error("server did not start:\n" + out);
    // Keep draining its output so logging never blocks it.
    std::thread([fd = p.fd] {
        char b[4096];
        while (::read(fd, b, sizeof b) > 0) {
        }
    }).detach();
    return p;
}

long rss_kb(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return 0;
}

// CPU seconds (user + system) the process has used so far.
double cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto close = all.rfind(')');
    std::istringstream rest(all.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

struct signed_event {
    std::string body;
    std::string signature;
};

std::vector<signed_event> make_events(std::size_t n, const std::string& prefix) {
    std::vector<signed_event> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::string ts = std::to_string(unix_ms());
        std::string id = prefix + std::to_string(i);
        std::string body = R"({"app_id":")" + app_id + R"(","user_id_by_app":"552177279717587730","sender":{"id":"24684588352919)" +
                           std::to_string(10000 + i % 50000) +
                           R"("},"recipient":{"id":"388613280878808645"},"event_name":"user_send_text","message":{"text":"Làm giấy khai sinh cho con cần những giấy tờ gì?","msg_id":")" +
                           id + R"("},"timestamp":")" + ts + R"("})";
        out.push_back({body, bot::webhook::signature_header(app_id, body, ts, secret)});
    }
    return out;
}

struct result {
    std::size_t ok = 0, failed = 0;
    double seconds = 0;
    std::vector<double> latencies_ms;
};

double pct(std::vector<double>& v, double p) {
    if (v.empty()) return 0;
    std::size_t k = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

void print(const std::string& name, result& r, long peak_rss_kb) {
    std::vector<double> l = r.latencies_ms;
    double mx = l.empty() ? 0 : *std::max_element(l.begin(), l.end());
    std::printf("%-5s ok=%zu failed=%zu time=%.2fs  events/s=%.0f  latency ms: p50=%.2f p90=%.2f p99=%.2f max=%.2f  server RSS peak=%.1f MB\n",
                name.c_str(), r.ok, r.failed, r.seconds, static_cast<double>(r.ok) / r.seconds, pct(l, 50), pct(l, 90),
                pct(l, 99), mx, static_cast<double>(peak_rss_kb) / 1024.0);
}

// The load generator: one thread, one io_context, `connections` keep-alive connections driven
// asynchronously (cheap per request, so the client leaves the CPU to the server).
// rate == 0: closed loop (send the next request as soon as the answer arrives);
// rate  > 0: open loop, each connection's k-th request is due at a fixed time and its latency is
//            counted from that time (a stall is not hidden by coordinated omission).
class load_connection : public std::enable_shared_from_this<load_connection> {
public:
    struct shared {
        const std::vector<signed_event>* events;
        std::size_t next = 0;
        clock_type::time_point start, deadline;
        double rate = 0;
        int connections = 1;
        result res;
    };
    load_connection(net::io_context& ioc, shared& sh, int index) : stream_(ioc), timer_(ioc), sh_(sh), index_(index) {}

    void start(std::uint16_t port) {
        stream_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
        stream_.socket().set_option(tcp::no_delay(true));
        next();
    }

private:
    void next() {
        if (sh_.rate > 0) {
            double per_conn = sh_.rate / sh_.connections;
            scheduled_ = sh_.start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(
                                         (static_cast<double>(k_) + static_cast<double>(index_) / sh_.connections) / per_conn));
            if (scheduled_ >= sh_.deadline) return;
            timer_.expires_at(scheduled_);
            timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
                if (!ec) self->send();
            });
        } else {
            scheduled_ = clock_type::now();
            if (scheduled_ >= sh_.deadline) return;
            send();
        }
    }

    void send() {
        if (sh_.next >= sh_.events->size()) return;
        const auto& ev = (*sh_.events)[sh_.next++];
        req_ = {};
        req_.method(http::verb::post);
        req_.target("/webhook/zalo");
        req_.version(11);
        req_.set(http::field::host, "127.0.0.1");
        req_.set(http::field::content_type, "application/json");
        req_.set("X-ZEvent-Signature", ev.signature);
        req_.body() = ev.body;
        req_.prepare_payload();
        http::async_write(stream_, req_, [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
            if (ec) return self->fail(ec);
            self->res_ = {};
            http::async_read(self->stream_, self->buf_, self->res_,
                             [self](boost::system::error_code ec2, std::size_t) { self->on_read(ec2); });
        });
    }

    void on_read(boost::system::error_code ec) {
        if (ec) return fail(ec);
        if (res_.result_int() == 200) {
            ++sh_.res.ok;
            sh_.res.latencies_ms.push_back(
                std::chrono::duration<double, std::milli>(clock_type::now() - scheduled_).count());
        } else {
            ++sh_.res.failed;
        }
        ++k_;
        next();
    }

    void fail(boost::system::error_code ec) {
        std::fprintf(stderr, "connection %d: %s\n", index_, ec.message().c_str());
        ++sh_.res.failed;
    }

    beast::tcp_stream stream_;
    net::steady_timer timer_;
    beast::flat_buffer buf_;
    http::request<http::string_body> req_;
    http::response<http::string_body> res_;
    shared& sh_;
    int index_;
    std::size_t k_ = 0;
    clock_type::time_point scheduled_;
};

result run_load(std::uint16_t port, const std::vector<signed_event>& events, int connections, double rate,
                double seconds, pid_t server_pid, long& peak_rss) {
    net::io_context ioc(1);
    load_connection::shared sh;
    sh.events = &events;
    sh.rate = rate;
    sh.connections = connections;
    sh.start = clock_type::now();
    sh.deadline = sh.start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(seconds));
    for (int c = 0; c < connections; ++c) std::make_shared<load_connection>(ioc, sh, c)->start(port);
    std::atomic<bool> stop{false};
    std::thread sampler([&] {
        while (!stop) {
            peak_rss = std::max(peak_rss, rss_kb(server_pid));
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
    ioc.run();
    sh.res.seconds = std::chrono::duration<double>(clock_type::now() - sh.start).count();
    stop = true;
    sampler.join();
    return sh.res;
}

std::int64_t stored_events(const std::string& db, const std::string& prefix) {
    auto conn = storage::open_database(db, false);
    SQLite::Statement q(*conn, "SELECT COUNT(*) FROM events WHERE dedup_key LIKE ?");
    q.bind(1, "user_send_text:" + prefix + "%");
    q.executeStep();
    return q.getColumn(0).getInt64();
}

}  // namespace

int main(int argc, char** argv) {
    options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--mode") o.mode = v;
        else if (k == "--connections") o.connections = std::stoi(v);
        else if (k == "--seconds") o.seconds = std::stod(v);
        else if (k == "--rate") o.rate = std::stod(v);
        else if (k == "--threads") o.threads = std::stoi(v);
        else if (k == "--dir") o.dir = v;
        else {
            std::cerr << "unknown option " << k << "\n";
            return 2;
        }
    }
    std::filesystem::create_directories(o.dir);
    int rc = 0;
    for (std::string mode : {std::string("max"), std::string("rate")}) {
        if (o.mode != "both" && o.mode != mode) continue;
        std::string db = o.dir + "/bench-" + mode + ".db";
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
        storage::open_database(db, true).reset();
        double rate = mode == "rate" ? o.rate : 0;
        int conns = mode == "rate" ? std::min(o.connections, 16) : o.connections;
        std::size_t n = mode == "rate" ? static_cast<std::size_t>(o.rate * o.seconds) + 16 : 400000;
        auto events = make_events(n, mode + "-");
        auto srv = spawn_server(db, o.threads);
        long peak = 0;
        // A short warm-up on separate keys so connection setup and page cache do not count.
        {
            auto warm = make_events(200, "warm-" + mode + "-");
            long ignore = 0;
            (void)run_load(srv.port, warm, 4, 0, 0.5, srv.pid, ignore);
        }
        double cpu0 = cpu_seconds(srv.pid);
        auto r = run_load(srv.port, events, conns, rate, o.seconds, srv.pid, peak);
        double cpu = cpu_seconds(srv.pid) - cpu0;
        ::kill(srv.pid, SIGTERM);
        int status = 0;
        ::waitpid(srv.pid, &status, 0);
        print(mode, r, peak);
        std::printf("      server CPU %.2fs over %.2fs wall (%.2f cores), %.1f us CPU per event\n", cpu, r.seconds,
                    cpu / r.seconds, r.ok ? cpu * 1e6 / static_cast<double>(r.ok) : 0.0);
        auto stored = stored_events(db, mode + "-");  // the warm-up's keys start with "warm-"
        bool match = stored == static_cast<std::int64_t>(r.ok);
        std::printf("      stored=%lld  answered 200=%zu  %s  server exit=%d\n", static_cast<long long>(stored), r.ok,
                    match ? "OK" : "MISMATCH", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        if (!match) rc = 1;
    }
    return rc;
}

// Benchmark support: process spawning, signed events, the load generator.
#include "tests/bench/bench_support.hpp"

#include "bot/events/webhook.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdio>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

bool parse_options(int argc, char** argv,
                   const std::map<std::string, std::function<void(const std::string&)>>& setters) {
    for (int i = 1; i < argc; i += 2) {
        auto it = setters.find(argv[i]);
        if (it == setters.end() || i + 1 >= argc) {
            std::fprintf(stderr, "unknown option or missing value: %s\n", argv[i]);
            return false;
        }
        it->second(argv[i + 1]);
    }
    return true;
}

std::int64_t unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

server_process server_process::spawn(const std::string& exe, const std::vector<std::string>& args,
                                     const std::map<std::string, std::string>& extra) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        std::string kv(*e);
        if (!extra.count(kv.substr(0, kv.find('=')))) env.push_back(kv);
    }
    for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_s{exe};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    server_process p;
    p.pid = ::fork();
    if (p.pid == 0) {
        ::dup2(fds[1], 1);
        ::dup2(fds[1], 2);
        ::close(fds[0]);
        ::close(fds[1]);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    std::string out;
    std::regex rx(R"(listening on http://127\.0\.0\.1:(\d+))");
    char buf[1024];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) {
        out.append(buf, static_cast<std::size_t>(n));
        std::smatch m;
        if (std::regex_search(out, m, rx)) {
            p.port = static_cast<std::uint16_t>(std::stoi(m[1].str()));
            break;
        }
    }
    if (!p.port) throw std::runtime_error("server did not start:\n" + out);
    // Keep draining its output so logging never blocks it; BENCH_SERVER_LOG=1 shows it.
    const bool show = std::getenv("BENCH_SERVER_LOG") != nullptr;
    std::thread([fd = fds[0], show] {
        char b[4096];
        ssize_t k;
        while ((k = ::read(fd, b, sizeof b)) > 0)
            if (show) (void)!::write(2, b, static_cast<std::size_t>(k));
        ::close(fd);
    }).detach();
    return p;
}

int server_process::stop(double* seconds) {
    const auto t0 = clock_type::now();
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (seconds) *seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

long rss_kb(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return 0;
}

namespace {

// User + system CPU seconds from a /proc/.../stat file (fields 14 and 15, after the command name).
double stat_cpu_seconds(const std::string& path) {
    std::ifstream in(path);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto close = all.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream rest(all.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace

double cpu_seconds(pid_t pid) { return stat_cpu_seconds("/proc/" + std::to_string(pid) + "/stat"); }

std::map<std::string, thread_use> thread_stats(pid_t pid) {
    std::map<std::string, thread_use> out;
    const std::string dir = "/proc/" + std::to_string(pid) + "/task";
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        const std::string task = e.path().string();
        std::string name;
        std::ifstream(task + "/comm") >> name;
        if (name.empty()) continue;
        auto& u = out[name];
        u.cpu_s += stat_cpu_seconds(task + "/stat");
        std::ifstream status(task + "/status");
        std::string line;
        while (std::getline(status, line)) {
            if (line.rfind("voluntary_ctxt_switches:", 0) == 0) u.voluntary += std::stol(line.substr(24));
            if (line.rfind("nonvoluntary_ctxt_switches:", 0) == 0) u.involuntary += std::stol(line.substr(27));
        }
    }
    return out;
}

std::map<std::string, thread_use> thread_delta(const std::map<std::string, thread_use>& before,
                                               const std::map<std::string, thread_use>& after) {
    std::map<std::string, thread_use> d;
    for (const auto& [name, a] : after) {
        thread_use b;
        if (auto it = before.find(name); it != before.end()) b = it->second;
        d[name] = {std::max(0.0, a.cpu_s - b.cpu_s), std::max(0L, a.voluntary - b.voluntary),
                   std::max(0L, a.involuntary - b.involuntary)};
    }
    return d;
}

void print_cost(const char* indent, const std::map<std::string, thread_use>& delta, double events, double wall_s,
                double own_cpu_s) {
    if (events <= 0) return;
    thread_use all;
    for (const auto& [name, u] : delta) {
        all.cpu_s += u.cpu_s;
        all.voluntary += u.voluntary;
        all.involuntary += u.involuntary;
    }
    std::printf("%sserver CPU per event %.1f us (%.2f cores); context switches per event %.2f voluntary, %.2f "
                "involuntary; bench process (load + simulator) %.2f cores\n",
                indent, 1e6 * all.cpu_s / events, all.cpu_s / wall_s, static_cast<double>(all.voluntary) / events,
                static_cast<double>(all.involuntary) / events, own_cpu_s / wall_s);
    std::printf("%sby thread (us / vol / invol per event):", indent);
    for (const auto& [name, u] : delta) {
        if (u.cpu_s < 0.005 * all.cpu_s && u.voluntary < events / 100) continue;
        std::printf(" %s %.1f/%.2f/%.2f;", name.c_str(), 1e6 * u.cpu_s / events, static_cast<double>(u.voluntary) / events,
                    static_cast<double>(u.involuntary) / events);
    }
    std::printf("\n");
}

double self_cpu_seconds() {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return secs(ru.ru_utime) + secs(ru.ru_stime);
}

// Questions citizens ask, so the matcher does its real work (answers, clarifications, lookups):
// eight written here, then every line of the development question set when the benchmark runs
// from the repository root, so that consecutive events rarely carry the same text (as on a real
// OA; a handful of texts repeating would flatter anything that reuses work between equal texts).
const std::vector<std::string>& bench_questions() {
    static const std::vector<std::string> questions = [] {
        std::vector<std::string> q = {
            "Làm giấy khai sinh cho con cần những giấy tờ gì?",
            "lam the nao de dang ky tai khoan dich vu cong",
            "Nộp hồ sơ trực tuyến thì trả phí bằng cách nào ạ",
            "cho hỏi chứng thực bản sao mất bao lâu",
            "đăng ký kết hôn cần mang theo gì",
            "tra cứu hồ sơ HS-2026-000123",
            "ngân hàng của tôi không có thẻ thì thanh toán phí thế nào",
            "xin chào",
        };
        std::ifstream in("tests/fixtures/nlp-dev.tsv");
        std::string line;
        while (std::getline(in, line)) {
            const auto tab = line.find('\t');
            if (line.empty() || line[0] == '#' || tab == std::string::npos) continue;
            q.push_back(line.substr(tab + 1));
        }
        if (q.size() == 8)
            std::fprintf(stderr, "note: tests/fixtures/nlp-dev.tsv not found (run from the repository root): 8 questions repeat\n");
        return q;
    }();
    return questions;
}

std::vector<signed_event> text_events(std::size_t n, const std::string& prefix, std::size_t users,
                                      const std::string& app_id, const std::string& secret) {
    const auto& questions = bench_questions();
    std::vector<signed_event> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::string ts = std::to_string(unix_ms());
        std::string user = "24684588352" + std::to_string(10000000 + i % users);
        std::string body = R"({"app_id":")" + app_id + R"(","user_id_by_app":"552177279717587730","sender":{"id":")" + user +
                           R"("},"recipient":{"id":"388613280878808645"},"event_name":"user_send_text","message":{"text":)" +
                           boost::json::serialize(boost::json::string_view(questions[i % questions.size()])) +
                           R"(,"msg_id":")" + prefix +
                           std::to_string(i) + R"("},"timestamp":")" + ts + R"("})";
        out.push_back({body, bot::webhook::signature_header(app_id, body, ts, secret), user});
    }
    return out;
}

double pct(std::vector<double>& v, double p) {
    if (v.empty()) return 0;
    auto k = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

namespace {

// One keep-alive connection of the load generator, driven asynchronously on one io_context (cheap
// per request, so the generator leaves the CPU to the server).
class load_connection : public std::enable_shared_from_this<load_connection> {
public:
    struct shared {
        const std::vector<signed_event>* events = nullptr;
        std::string path;
        std::size_t next = 0;
        clock_type::time_point start, deadline;
        double rate = 0;
        int connections = 1;
        const std::function<void(std::size_t)>* on_sent = nullptr;
        load_result res;
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
            const double per_conn = sh_.rate / sh_.connections;
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
        const std::size_t i = sh_.next++;
        const auto& ev = (*sh_.events)[i];
        if (sh_.on_sent && *sh_.on_sent) (*sh_.on_sent)(i);
        req_ = {};
        req_.method(http::verb::post);
        req_.target(sh_.path);
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
            sh_.res.latencies_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - scheduled_).count());
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

}  // namespace

load_result run_load(std::uint16_t port, const std::string& path, const std::vector<signed_event>& events,
                     int connections, double rate, double seconds, const std::function<void(std::size_t)>& on_sent) {
    net::io_context ioc(1);
    load_connection::shared sh;
    sh.events = &events;
    sh.path = path;
    sh.rate = rate;
    sh.connections = connections;
    sh.on_sent = &on_sent;
    sh.start = clock_type::now();
    sh.deadline = sh.start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(seconds));
    sh.res.started_unix_ms = unix_ms();
    for (int c = 0; c < connections; ++c) std::make_shared<load_connection>(ioc, sh, c)->start(port);
    ioc.run();
    sh.res.seconds = std::chrono::duration<double>(clock_type::now() - sh.start).count();
    sh.res.ended_unix_ms = unix_ms();
    return sh.res;
}

http_answer http_call(std::uint16_t port, const std::string& method, const std::string& target,
                      const std::map<std::string, std::string>& headers, const std::string& body,
                      std::chrono::seconds timeout) {
    http_answer a;
    try {
        net::io_context ioc(1);
        beast::tcp_stream s(ioc);
        s.expires_after(timeout);
        s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
        http::request<http::string_body> req{http::string_to_verb(method), target, 11};
        req.set(http::field::host, "127.0.0.1");
        for (const auto& [k, v] : headers) req.set(k, v);
        req.body() = body;
        req.prepare_payload();
        http::write(s, req);
        beast::flat_buffer buf;
        http::response_parser<http::string_body> parser;
        parser.body_limit(1u << 30);
        http::read(s, buf, parser);
        a.status = parser.get().result_int();
        a.body = parser.get().body();
    } catch (const std::exception&) {
        a.status = -1;
    }
    return a;
}

}  // namespace bench

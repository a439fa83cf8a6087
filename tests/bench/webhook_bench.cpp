// Webhook benchmark: spawns the built `cchcbot serve` on a temporary database and posts signed,
// distinct user_send_text events over N keep-alive connections.
//   max mode:  every connection posts back to back (closed loop) → events/s, latency percentiles
//   rate mode: a fixed total rate (open loop; latency counted from the scheduled send time, so a
//              stall is not hidden) → p50/p90/p99/max
// Afterwards the server is stopped with SIGTERM and the stored events are counted: the number of
// rows must equal the number of 200 answers (every acknowledged event durably stored, once).
//
//   ./build/tests/webhook_bench [--mode max|rate|both] [--connections 32] [--seconds 10]
//                               [--rate 2000] [--threads 2] [--dir build/bench-tmp]
#include "bot/webhook.hpp"

#include "storage/database.hpp"
#include "tests/bot/test_http_client.hpp"

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
#include <string>
#include <thread>
#include <vector>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

using clock_type = std::chrono::steady_clock;
const std::string app_id = "1234567890123456789";
const std::string secret = "bench-oa-secret-key-0123456789abcdef";

struct options {
    std::string mode = "both";
    int connections = 32;
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
                                                {"CCHCBOT_ZALO_APP_ID", app_id}};
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

// Runs `connections` client threads; `next_send(conn, k)` gives when to send the k-th request of a
// connection (nullopt = as soon as possible).
result run_load(std::uint16_t port, const std::vector<signed_event>& events, int connections, double rate,
                double seconds, pid_t server_pid, long& peak_rss) {
    result total;
    std::mutex mu;
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    auto start = clock_type::now();
    auto deadline = start + std::chrono::duration<double>(seconds);
    std::vector<std::thread> threads;
    for (int c = 0; c < connections; ++c)
        threads.emplace_back([&, c] {
            result mine;
            try {
                test::http_client client(port);
                std::size_t k = 0;
                for (;;) {
                    clock_type::time_point scheduled = clock_type::now();
                    if (rate > 0) {
                        // Open loop: this connection's k-th send is due at a fixed time.
                        double per_conn = rate / connections;
                        scheduled = start + std::chrono::duration_cast<clock_type::duration>(
                                                std::chrono::duration<double>((static_cast<double>(k) + static_cast<double>(c) / connections) / per_conn));
                        if (scheduled >= deadline) break;
                        std::this_thread::sleep_until(scheduled);
                    } else if (clock_type::now() >= deadline || stop) {
                        break;
                    }
                    std::size_t i = next.fetch_add(1);
                    if (i >= events.size()) break;
                    auto r = client.request("POST", "/webhook/zalo", events[i].body,
                                            {{"X-ZEvent-Signature", events[i].signature}});
                    auto done = clock_type::now();
                    if (r.status == 200) {
                        ++mine.ok;
                        mine.latencies_ms.push_back(std::chrono::duration<double, std::milli>(done - scheduled).count());
                    } else {
                        ++mine.failed;
                    }
                    ++k;
                }
            } catch (const std::exception& e) {
                std::fprintf(stderr, "connection %d: %s\n", c, e.what());
                ++mine.failed;
            }
            std::lock_guard lk(mu);
            total.ok += mine.ok;
            total.failed += mine.failed;
            total.latencies_ms.insert(total.latencies_ms.end(), mine.latencies_ms.begin(), mine.latencies_ms.end());
        });
    std::thread sampler([&] {
        while (!stop) {
            peak_rss = std::max(peak_rss, rss_kb(server_pid));
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
    for (auto& t : threads) t.join();
    total.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    stop = true;
    sampler.join();
    return total;
}

std::int64_t stored_events(const std::string& db) {
    auto conn = storage::open_database(db, false);
    SQLite::Statement q(*conn, "SELECT COUNT(*) FROM events");
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
        auto r = run_load(srv.port, events, conns, rate, o.seconds, srv.pid, peak);
        ::kill(srv.pid, SIGTERM);
        int status = 0;
        ::waitpid(srv.pid, &status, 0);
        print(mode, r, peak);
        auto stored = stored_events(db) - 200;  // minus the warm-up
        bool match = stored == static_cast<std::int64_t>(r.ok);
        std::printf("      stored=%lld  answered 200=%zu  %s  server exit=%d\n", static_cast<long long>(stored), r.ok,
                    match ? "OK" : "MISMATCH", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        if (!match) rc = 1;
    }
    return rc;
}

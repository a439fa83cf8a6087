// Abuse benchmark for `cchcbot serve` (issue #12 items 7 and 9), run by hand:
//   trust_bench --mode fds      400 idle connections against a server under `ulimit -n 256`:
//                               server CPU, log lines and /healthz answers while they are held
//   trust_bench --mode uploads  60 concurrent 16 MiB uploads to /api/v1 without a token:
//                               server RSS before and at its peak, and the answers
// Options: --exe PATH (default: the built cchcbot), --seconds N (fds mode, default 10),
// --clients N. Everything stays on 127.0.0.1.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// `cchcbot serve` on a free port with a throw-away database, its output in `log`.
struct server_process {
    pid_t pid = -1;
    int port = 0;
    std::string log;

    server_process(const std::string& exe, const std::string& dir, const std::string& ulimit) {
        log = dir + "/serve.log";
        pid = ::fork();
        if (pid == 0) {
            ::setenv("CCHCBOT_SERVER_PORT", "0", 1);
            ::setenv("CCHCBOT_STORAGE_PATH", (dir + "/bench.db").c_str(), 1);
            ::setenv("CCHCBOT_CONFIG", "", 1);
            ::setenv("CCHCBOT_SERVER_THREADS", "2", 1);
            ::setenv("CCHCBOT_ZALO_OA_SECRET_KEY", "bench-secret-made-here", 1);
            ::setenv("CCHCBOT_ZALO_APP_ID", "1234567890123456789", 1);
            ::setenv("CCHCBOT_ZALO_API_BASE", "https://127.0.0.1:9", 1);
            ::setenv("CCHCBOT_ZALO_OAUTH_BASE", "https://127.0.0.1:9", 1);
            ::setenv("CCHCBOT_ZALO_ZNS_BASE", "https://127.0.0.1:9", 1);
            std::string cmd = (ulimit.empty() ? std::string() : "ulimit -n " + ulimit + " && ") + "exec '" + exe +
                              "' serve >'" + log + "' 2>&1";
            ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        const std::regex rx(R"(serving on http://127\.0\.0\.1:(\d+))");
        for (int i = 0; i < 1000 && port == 0; ++i) {
            std::smatch m;
            const std::string out = read_all(log);
            if (std::regex_search(out, m, rx)) port = std::stoi(m[1].str());
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (port == 0) {
            std::fprintf(stderr, "the server did not start:\n%s\n", read_all(log).c_str());
            std::exit(1);
        }
    }
    ~server_process() {
        ::kill(pid, SIGTERM);
        int st = 0;
        ::waitpid(pid, &st, 0);
    }
    // CPU seconds (user + system) used so far.
    [[nodiscard]] double cpu_seconds() const {
        std::string stat = read_all("/proc/" + std::to_string(pid) + "/stat");
        auto close = stat.rfind(')');
        std::istringstream in(stat.substr(close + 2));
        std::string field;
        unsigned long utime = 0, stime = 0;
        for (int i = 3; i <= 15 && in >> field; ++i) {
            if (i == 14) utime = std::stoul(field);
            if (i == 15) stime = std::stoul(field);
        }
        return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    }
    // A /proc/PID/status field in KiB (VmRSS, VmHWM).
    [[nodiscard]] long status_kib(const std::string& key) const {
        std::istringstream in(read_all("/proc/" + std::to_string(pid) + "/status"));
        std::string line;
        while (std::getline(in, line))
            if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
        return -1;
    }
};

int connect_to(int port, int timeout_ms = 0) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (timeout_ms > 0) {
        timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool send_all(int fd, const char* p, std::size_t n) {
    while (n > 0) {
        ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return false;
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

// The status code of the first answer on `fd` (0 when none came).
int read_status(int fd) {
    char buf[512];
    ssize_t n = ::recv(fd, buf, sizeof buf - 1, 0);
    if (n < 12) return 0;
    buf[n] = 0;
    return std::atoi(buf + 9);
}

// One GET /healthz on a new connection within 2 s: its latency in ms, or -1.
double healthz_ms(int port) {
    auto t0 = clock_type::now();
    int fd = connect_to(port, 2000);
    if (fd < 0) return -1;
    const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    int status = send_all(fd, req, sizeof req - 1) ? read_status(fd) : 0;
    ::close(fd);
    if (status != 200) return -1;
    return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

std::size_t count_lines(const std::string& text, const std::string& word) {
    std::size_t n = 0;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (line.find(word) != std::string::npos) ++n;
    return n;
}

int run_fds(const std::string& exe, const std::string& dir, int seconds, int clients) {
    server_process srv(exe, dir, "256");
    std::vector<int> held;
    for (int i = 0; i < clients; ++i)
        if (int fd = connect_to(srv.port); fd >= 0) held.push_back(fd);
    const double cpu0 = srv.cpu_seconds();
    const auto t0 = clock_type::now();
    int answered = 0, asked = 0;
    double worst = 0;
    while (clock_type::now() - t0 < std::chrono::seconds(seconds)) {
        ++asked;
        double ms = healthz_ms(srv.port);
        if (ms >= 0) {
            ++answered;
            worst = std::max(worst, ms);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    const double wall = std::chrono::duration<double>(clock_type::now() - t0).count();
    const double cpu = srv.cpu_seconds() - cpu0;
    for (int fd : held) ::close(fd);
    const std::string log = read_all(srv.log);
    std::printf("fds: %zu idle connections held against `ulimit -n 256` for %.1f s\n", held.size(), wall);
    std::printf("  server CPU: %.2f s (%.1f%% of one core)\n", cpu, 100.0 * cpu / wall);
    std::printf("  log: %zu lines, %zu bytes; lines mentioning accept: %zu\n", count_lines(log, ""), log.size(),
                count_lines(log, "accept"));
    std::printf("  /healthz: %d of %d answered within 2 s, slowest %.1f ms\n", answered, asked, worst);
    return 0;
}

int run_uploads(const std::string& exe, const std::string& dir, int clients) {
    server_process srv(exe, dir, "");
    constexpr std::size_t total = 16u << 20;
    const std::string chunk(64 * 1024, 'x');
    const long rss0 = srv.status_kib("VmRSS");
    std::atomic<bool> done{false};
    long peak = rss0;
    std::thread sampler([&] {
        while (!done) {
            peak = std::max(peak, srv.status_kib("VmRSS"));
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
    std::atomic<int> s401{0}, other{0}, none{0};
    std::atomic<std::size_t> sent_bytes{0};
    const auto t0 = clock_type::now();
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i)
        threads.emplace_back([&] {
            int fd = connect_to(srv.port, 15000);
            if (fd < 0) {
                ++none;
                return;
            }
            const std::string head = "POST /api/v1/dossiers HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: " +
                                     std::to_string(total) + "\r\n\r\n";
            bool ok = send_all(fd, head.data(), head.size());
            std::size_t sent = 0;
            while (ok && sent < total) {
                ok = send_all(fd, chunk.data(), chunk.size());
                if (ok) sent += chunk.size();
            }
            sent_bytes += sent;
            int status = read_status(fd);
            if (status == 401) ++s401;
            else if (status) ++other;
            else ++none;
            ::close(fd);
        });
    for (auto& t : threads) t.join();
    const double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
    done = true;
    sampler.join();
    std::printf("uploads: %d concurrent 16 MiB POST /api/v1/dossiers without a token, %.1f s\n", clients, secs);
    std::printf("  server RSS: %.1f MB before, %.1f MB at peak (VmHWM %.1f MB)\n", rss0 / 1024.0, peak / 1024.0,
                srv.status_kib("VmHWM") / 1024.0);
    std::printf("  answers: %d x 401, %d other, %d none (reset before the answer was read); %.1f MiB of body sent\n",
                s401.load(), other.load(), none.load(), static_cast<double>(sent_bytes) / (1 << 20));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string mode = "fds", exe = CCHCBOT_EXE;
    int seconds = 10, clients = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--mode") mode = v;
        else if (k == "--exe") exe = v;
        else if (k == "--seconds") seconds = std::stoi(v);
        else if (k == "--clients") clients = std::stoi(v);
        else {
            std::fprintf(stderr, "usage: trust_bench [--mode fds|uploads] [--exe PATH] [--seconds N] [--clients N]\n");
            return 2;
        }
    }
    const auto dir = std::filesystem::temp_directory_path() / ("cchcbot-trust-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    int rc = 2;
    if (mode == "fds") rc = run_fds(exe, dir.string(), seconds, clients < 0 ? 400 : clients);
    else if (mode == "uploads") rc = run_uploads(exe, dir.string(), clients < 0 ? 60 : clients);
    std::filesystem::remove_all(dir);
    return rc;
}

// Webhook benchmark: spawns the built `cchcbot serve` on a temporary database and posts signed,
// distinct user_send_text events over N keep-alive connections.
//   max mode:  every connection posts back to back (closed loop) → events/s, latency percentiles
//   rate mode: a fixed total rate (open loop; latency counted from the scheduled send time, so a
//              stall is not hidden) → p50/p90/p99/max
// In max mode the number of connections bounds the events in flight: with a group commit every
// fsync (F ms), throughput ≤ connections / F, so use enough connections for the disk at hand.
// Afterwards the server is stopped with SIGTERM and the stored events are counted: the number of
// rows must equal the number of 200 answers (every acknowledged event durably stored, once).
// The whole event path (processing, replies) is measured by event_bench.
//
//   ./build/tests/webhook_bench [--mode max|rate|both] [--connections 128] [--seconds 10]
//                               [--rate 2000] [--threads 2] [--dir build/bench-tmp]
#include "tests/bench/bench_support.hpp"

#include "storage/database.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace {

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

void print(const std::string& name, bench::load_result& r, long peak_rss_kb) {
    std::vector<double> l = r.latencies_ms;
    double mx = l.empty() ? 0 : *std::max_element(l.begin(), l.end());
    std::printf("%-5s ok=%zu failed=%zu time=%.2fs  events/s=%.0f  latency ms: p50=%.2f p90=%.2f p99=%.2f max=%.2f  server RSS peak=%.1f MB\n",
                name.c_str(), r.ok, r.failed, r.seconds, static_cast<double>(r.ok) / r.seconds, bench::pct(l, 50),
                bench::pct(l, 90), bench::pct(l, 99), mx, static_cast<double>(peak_rss_kb) / 1024.0);
}

std::int64_t stored_events(const std::string& db, const std::string& prefix) {
    auto conn = storage::open_database(db, false);
    SQLite::Statement q(*conn, "SELECT COUNT(*) FROM events WHERE dedup_key LIKE ?");
    q.bind(1, "%:user_send_text:" + prefix + "%");  // keys begin with the event's time
    q.executeStep();
    return q.getColumn(0).getInt64();
}

}  // namespace

int main(int argc, char** argv) {
    options o;
    auto num = [](int& v) { return [&v](const std::string& s) { v = std::stoi(s); }; };
    auto real = [](double& v) { return [&v](const std::string& s) { v = std::stod(s); }; };
    if (!bench::parse_options(argc, argv,
                              {{"--mode", [&](const std::string& v) { o.mode = v; }},
                               {"--connections", num(o.connections)},
                               {"--seconds", real(o.seconds)},
                               {"--rate", real(o.rate)},
                               {"--threads", num(o.threads)},
                               {"--dir", [&](const std::string& v) { o.dir = v; }}}))
        return 2;
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
        auto events = bench::text_events(n, mode + "-", 50000, app_id, secret);
        auto srv = bench::server_process::spawn(CCHCBOT_EXE, {"serve"},
                                                {{"CCHCBOT_SERVER_PORT", "0"},
                                                 {"CCHCBOT_STORAGE_PATH", db},
                                                 {"CCHCBOT_SERVER_THREADS", std::to_string(o.threads)},
                                                 {"CCHCBOT_ZALO_OA_SECRET_KEY", secret},
                                                 {"CCHCBOT_ZALO_APP_ID", app_id},
                                                 // Loopback only: nothing may reach Zalo from a benchmark.
                                                 {"CCHCBOT_ZALO_API_BASE", "https://127.0.0.1:9"},
                                                 {"CCHCBOT_ZALO_OAUTH_BASE", "https://127.0.0.1:9"},
                                                 {"CCHCBOT_ZALO_ZNS_BASE", "https://127.0.0.1:9"},
                                                 {"CCHCBOT_CONFIG", ""}});
        // A short warm-up on separate keys so connection setup and page cache do not count.
        {
            auto warm = bench::text_events(200, "warm-" + mode + "-", 200, app_id, secret);
            (void)bench::run_load(srv.port, "/webhook/zalo", warm, 4, 0, 0.5);
        }
        long peak = 0;
        std::atomic<bool> sampling{true};
        std::thread sampler([&] {
            while (sampling) {
                peak = std::max(peak, bench::rss_kb(srv.pid));
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        });
        double cpu0 = bench::cpu_seconds(srv.pid);
        auto r = bench::run_load(srv.port, "/webhook/zalo", events, conns, rate, o.seconds);
        double cpu = bench::cpu_seconds(srv.pid) - cpu0;
        sampling = false;
        sampler.join();
        int exit_code = srv.stop();
        print(mode, r, peak);
        std::printf("      server CPU %.2fs over %.2fs wall (%.2f cores), %.1f us CPU per event\n", cpu, r.seconds,
                    cpu / r.seconds, r.ok ? cpu * 1e6 / static_cast<double>(r.ok) : 0.0);
        auto stored = stored_events(db, mode + "-");  // the warm-up's keys start with "warm-"
        bool match = stored == static_cast<std::int64_t>(r.ok);
        std::printf("      stored=%lld  answered 200=%zu  %s  server exit=%d\n", static_cast<long long>(stored), r.ok,
                    match ? "OK" : "MISMATCH", exit_code);
        if (!match) rc = 1;
    }
    return rc;
}

// Event-path benchmark (issue #10): a spawned `cchcbot serve` talking to an in-process Zalo API
// simulator, both on loopback. Modes:
//   idle      reply latency at idle: signed user_send_text posted → the simulator accepts the reply
//             (bars: median ≤ 30 ms, p99 ≤ 100 ms)
//   steady    a fixed rate (default 2,000 events/s for 60 s): acknowledgement latency, processing
//             lag (stored → processed, from the events table) and the backlog 1 s after the load
//             stops (bars: ack p99 ≤ 5 ms, lag p99 ≤ 100 ms, backlog 0)
//   saturate  closed loop on many connections: acknowledged and processed events/s
//   busy      reply latency while a report over 1M dossiers and an import of 100,000 rows run
//             (first all new, then the next day's file with 1% changed)
//             (bar: p99 ≤ 200 ms)
// The database runs as in production: WAL, synchronous=FULL.
//
//   ./build/tests/event_bench [--mode idle|steady|saturate|busy|all] [--seconds 60] [--rate 2000]
//       [--connections 32] [--events 300] [--gap-ms 100] [--dir build/bench-tmp] [--exe PATH]
#include "tests/bench/bench_support.hpp"

#include "bot/core/crypto.hpp"
#include "bot/http/admin_api.hpp"
#include "bot/simulator/zalo_simulator.hpp"
#include "storage/database.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <unordered_map>

#include <fcntl.h>
#include <unistd.h>

namespace {

using bench::clock_type;
using namespace std::chrono_literals;

const std::string secret = "bench-oa-secret-key-0123456789abcdef";
const std::string admin_token = "bench-admin-token-made-for-this-run";

struct options {
    std::string mode = "idle";
    double seconds = 60;
    double rate = 2000;
    int connections = 32;
    int events = 300;
    int gap_ms = 100;
    long dossiers = 1000000;
    long import_rows = 100000;
    std::string dir = "build/bench-tmp";
    std::string exe = CCHCBOT_EXE;
};

// The disk decides the floor of every latency here: one fdatasync of an overwritten 4 KiB page,
// as SQLite's WAL does at each commit.
double fdatasync_ms(const std::string& dir) {
    const std::string p = dir + "/fsync-probe";
    int fd = ::open(p.c_str(), O_RDWR | O_CREAT, 0600);
    if (fd < 0) return -1;
    std::string page(4096, 'x');
    std::vector<double> v;
    for (int i = 0; i < 50; ++i) {
        (void)!::pwrite(fd, page.data(), page.size(), static_cast<off_t>(4096 * (i % 8)));
        auto t0 = clock_type::now();
        ::fdatasync(fd);
        v.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
    }
    ::close(fd);
    std::filesystem::remove(p);
    return bench::pct(v, 50);
}

void print_machine(const options& o) {
    std::ifstream cpu("/proc/cpuinfo");
    std::string line, model;
    while (std::getline(cpu, line))
        if (line.rfind("model name", 0) == 0) {
            model = line.substr(line.find(':') + 2);
            break;
        }
    std::printf("machine: %ld cores, %s; disk fdatasync p50 %.2f ms; load average now: ",
                ::sysconf(_SC_NPROCESSORS_ONLN), model.c_str(), fdatasync_ms(o.dir));
    std::ifstream la("/proc/loadavg");
    std::getline(la, line);
    std::printf("%s\n", line.substr(0, line.find(' ', line.find(' ', line.find(' ') + 1) + 1)).c_str());
    std::printf("citizens' questions: %zu distinct texts, in turn\n", bench::bench_questions().size());
}

/// The simulator standing in for Zalo, recording when each recipient's first reply arrived.
struct zalo_stand_in {
    sim::zalo_simulator sim;
    std::mutex mu;
    std::condition_variable cv;
    std::unordered_map<std::string, clock_type::time_point> first_reply;
    std::size_t accepted = 0;

    zalo_stand_in() {
        sim.start();
        sim.on_accept([this](const sim::sent_message& m) {
            std::lock_guard lk(mu);
            ++accepted;
            first_reply.emplace(m.recipient, m.accepted_at);
            cv.notify_all();
        });
    }
    bool wait_reply(const std::string& user, clock_type::time_point* at, std::chrono::milliseconds timeout) {
        std::unique_lock lk(mu);
        if (!cv.wait_for(lk, timeout, [&] { return first_reply.count(user) > 0; })) return false;
        *at = first_reply.at(user);
        return true;
    }
};

std::map<std::string, std::string> server_env(const zalo_stand_in& z, const std::string& db, const std::string& config) {
    return {{"CCHCBOT_SERVER_PORT", "0"},
            {"CCHCBOT_STORAGE_PATH", db},
            {"CCHCBOT_SERVER_THREADS", "2"},
            {"CCHCBOT_ZALO_OA_SECRET_KEY", secret},
            {"CCHCBOT_ZALO_APP_ID", z.sim.options().app_id},
            {"CCHCBOT_ZALO_APP_SECRET", z.sim.options().app_secret},
            {"CCHCBOT_ZALO_REFRESH_TOKEN", z.sim.current_refresh_token()},
            {"CCHCBOT_ZALO_API_BASE", z.sim.base_url()},
            {"CCHCBOT_ZALO_OAUTH_BASE", z.sim.base_url()},
            {"CCHCBOT_ZALO_ZNS_BASE", z.sim.base_url()},
            {"CCHCBOT_ZALO_CA_FILE", z.sim.ca_file()},
            {"CCHCBOT_CONFIG", config}};
}

std::string fresh_db(const options& o, const std::string& name) {
    std::string db = o.dir + "/" + name + ".db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
    storage::open_database(db, true).reset();
    return db;
}

// The server's own view of each acknowledgement (cchcbot_webhook_ack_seconds: from the request
// read to the event stored and synced), as cumulative counts by upper bound in seconds.
std::map<double, double> server_ack_buckets(std::uint16_t port) {
    std::map<double, double> out;
    const auto a = bench::http_call(port, "GET", "/metrics", {}, "", std::chrono::seconds(10));
    const std::string prefix = "cchcbot_webhook_ack_seconds_bucket{le=\"";
    std::istringstream in(a.body);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(prefix, 0) != 0) continue;
        const auto close = line.find('"', prefix.size());
        if (close == std::string::npos) continue;
        const std::string le = line.substr(prefix.size(), close - prefix.size());
        const double bound = le == "+Inf" ? std::numeric_limits<double>::infinity() : std::stod(le);
        out[bound] = std::stod(line.substr(line.rfind(' ') + 1));
    }
    return out;
}

// "within 5 ms 99.1%, ..." for the acknowledgements between two readings of server_ack_buckets.
std::string server_ack_shares(const std::map<double, double>& before, const std::map<double, double>& after) {
    // Acknowledgements within `bound` between the two readings (a bucket not printed counts 0).
    auto within = [&](double bound) {
        auto at = [bound](const std::map<double, double>& m) {
            auto it = m.find(bound);
            return it == m.end() ? 0.0 : it->second;
        };
        return at(after) - at(before);
    };
    const double all = within(std::numeric_limits<double>::infinity());
    if (all <= 0) return "no figures (/metrics not read)";
    std::string out;
    char buf[64];
    for (double bound : {0.0025, 0.005, 0.01, 0.025}) {
        if (!after.count(bound)) continue;
        std::snprintf(buf, sizeof buf, "%s%g ms %.2f%%", out.empty() ? "" : ", ", bound * 1000,
                      100.0 * within(bound) / all);
        out += buf;
    }
    return out;
}

std::int64_t count_events(const std::string& db, const std::string& where) {
    auto conn = storage::open_database(db, false);
    SQLite::Statement q(*conn, "SELECT COUNT(*) FROM events WHERE " + where);
    q.executeStep();
    return q.getColumn(0).getInt64();
}

bool wait_drained(const std::string& db, std::chrono::seconds timeout) {
    auto until = clock_type::now() + timeout;
    while (clock_type::now() < until) {
        if (count_events(db, "state = 0") == 0) return true;
        std::this_thread::sleep_for(50ms);
    }
    return false;
}

struct reply_latencies {
    std::vector<double> ms;
    int missing = 0;
};

// Posts events one by one with a pause between them and times each one's first reply.
reply_latencies time_replies(zalo_stand_in& z, std::uint16_t port, const std::vector<bench::signed_event>& evs,
                             int gap_ms, const std::function<bool()>& keep_going = {}) {
    reply_latencies r;
    for (const auto& ev : evs) {
        if (keep_going && !keep_going()) break;
        const auto t0 = clock_type::now();
        auto a = bench::http_call(port, "POST", "/webhook/zalo",
                                  {{"Content-Type", "application/json"}, {"X-ZEvent-Signature", ev.signature}}, ev.body, 10s);
        clock_type::time_point at;
        if (a.status != 200 || !z.wait_reply(ev.user_id, &at, 10s))
            ++r.missing;
        else
            r.ms.push_back(std::chrono::duration<double, std::milli>(at - t0).count());
        std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms));
    }
    return r;
}

void print_latencies(const char* what, reply_latencies r) {
    double mx = r.ms.empty() ? 0 : *std::max_element(r.ms.begin(), r.ms.end());
    std::printf("%s: n=%zu missing=%d  reply latency ms: median=%.1f p90=%.1f p99=%.1f max=%.1f\n", what, r.ms.size(),
                r.missing, bench::pct(r.ms, 50), bench::pct(r.ms, 90), bench::pct(r.ms, 99), mx);
}

int run_idle(const options& o) {
    zalo_stand_in z;
    auto db = fresh_db(o, "idle");
    auto srv = bench::server_process::spawn(o.exe, {"serve"}, server_env(z, db, ""));
    z.sim.set_webhook("http://127.0.0.1:" + std::to_string(srv.port) + "/webhook/zalo", z.sim.options().app_id, secret);
    z.sim.set_auto_receipts(true);  // as Zalo does: each reply comes back as a delivery receipt
    auto evs = bench::text_events(static_cast<std::size_t>(o.events) + 20, "idle-", static_cast<std::size_t>(o.events) + 20,
                                  z.sim.options().app_id, secret);
    std::vector<bench::signed_event> warm(evs.begin(), evs.begin() + 20), measured(evs.begin() + 20, evs.end());
    (void)time_replies(z, srv.port, warm, o.gap_ms);
    const double cpu0 = bench::cpu_seconds(srv.pid);
    const auto t0 = clock_type::now();
    auto r = time_replies(z, srv.port, measured, o.gap_ms);
    const double wall = std::chrono::duration<double>(clock_type::now() - t0).count();
    const double cpu = bench::cpu_seconds(srv.pid) - cpu0;
    z.sim.set_auto_receipts(false);
    double stop_s = 0;
    int rc = srv.stop(&stop_s);
    print_latencies("idle", r);
    std::printf("      one event every %d ms; server CPU %.1f%% of a core while idle between events; stop %.2f s, exit %d\n",
                o.gap_ms, 100.0 * cpu / wall, stop_s, rc);
    return r.missing == 0 && rc == 0 ? 0 : 1;
}

// Processing lag per event of a run: processed_at − received_at, both the server's clock.
std::vector<double> lags(const std::string& db, const std::string& prefix) {
    auto conn = storage::open_database(db, false);
    SQLite::Statement q(*conn, "SELECT processed_at - received_at FROM events WHERE dedup_key LIKE ? AND state <> 0");
    q.bind(1, "%:user_send_text:" + prefix + "%");  // keys begin with the event's time
    std::vector<double> v;
    while (q.executeStep()) v.push_back(static_cast<double>(q.getColumn(0).getInt64()));
    return v;
}

int run_steady(const options& o) {
    zalo_stand_in z;
    auto db = fresh_db(o, "steady");
    auto srv = bench::server_process::spawn(o.exe, {"serve"}, server_env(z, db, ""));
    z.sim.set_webhook("http://127.0.0.1:" + std::to_string(srv.port) + "/webhook/zalo", z.sim.options().app_id, secret);
    z.sim.set_auto_receipts(true);
    const auto n = static_cast<std::size_t>(o.rate * o.seconds) + 64;
    auto evs = bench::text_events(n, "steady-", 50000, z.sim.options().app_id, secret);
    {
        auto warm = bench::text_events(200, "warm-", 200, z.sim.options().app_id, secret);
        (void)bench::run_load(srv.port, "/webhook/zalo", warm, 4, 0, 0.5);
    }
    long peak = 0;
    std::atomic<bool> sampling{true};
    std::thread sampler([&] {
        while (sampling) {
            peak = std::max(peak, bench::rss_kb(srv.pid));
            std::this_thread::sleep_for(100ms);
        }
    });
    const double cpu0 = bench::cpu_seconds(srv.pid);
    const auto threads0 = bench::thread_stats(srv.pid);
    const double own0 = bench::self_cpu_seconds();
    const auto acks0 = server_ack_buckets(srv.port);
    auto r = bench::run_load(srv.port, "/webhook/zalo", evs, o.connections, o.rate, o.seconds);
    const auto acks = server_ack_buckets(srv.port);
    const double cpu = bench::cpu_seconds(srv.pid) - cpu0;
    const auto threads = bench::thread_delta(threads0, bench::thread_stats(srv.pid));
    const double own = bench::self_cpu_seconds() - own0;
    std::this_thread::sleep_for(1s);
    const auto backlog = count_events(db, "state = 0");
    const bool drained = wait_drained(db, 300s);
    z.sim.set_auto_receipts(false);
    sampling = false;
    sampler.join();
    double stop_s = 0;
    int rc = srv.stop(&stop_s);
    auto lag = lags(db, "steady-");
    auto& l = r.latencies_ms;
    double mx = l.empty() ? 0 : *std::max_element(l.begin(), l.end());
    double lmx = lag.empty() ? 0 : *std::max_element(lag.begin(), lag.end());
    std::printf("steady: %.0f events/s for %.0f s over %d connections: ok=%zu failed=%zu\n", o.rate, o.seconds,
                o.connections, r.ok, r.failed);
    std::printf("      ack ms: p50=%.2f p90=%.2f p99=%.2f max=%.2f\n", bench::pct(l, 50), bench::pct(l, 90),
                bench::pct(l, 99), mx);
    std::printf("      server side (request read → stored and synced; receipts included), share within: %s\n",
                server_ack_shares(acks0, acks).c_str());
    std::printf("      processing lag ms (stored → processed): p50=%.0f p90=%.0f p99=%.0f max=%.0f  (%zu events)\n",
                bench::pct(lag, 50), bench::pct(lag, 90), bench::pct(lag, 99), lmx, lag.size());
    std::printf("      backlog 1 s after the load stopped: %lld events%s; server CPU %.2f cores; RSS peak %.1f MB; "
                "Zalo stand-in accepted %zu messages; stop %.2f s, exit %d\n",
                static_cast<long long>(backlog), drained ? "" : " (never drained!)", cpu / r.seconds,
                static_cast<double>(peak) / 1024.0, z.accepted, stop_s, rc);
    bench::print_cost("      ", threads, static_cast<double>(r.ok), r.seconds, own);
    return drained && rc == 0 ? 0 : 1;
}

int run_saturate(const options& o) {
    zalo_stand_in z;
    auto db = fresh_db(o, "saturate");
    auto srv = bench::server_process::spawn(o.exe, {"serve"}, server_env(z, db, ""));
    auto evs = bench::text_events(600000, "sat-", 50000, z.sim.options().app_id, secret);
    {
        auto warm = bench::text_events(200, "warm-", 200, z.sim.options().app_id, secret);
        (void)bench::run_load(srv.port, "/webhook/zalo", warm, 4, 0, 0.5);
    }
    const double cpu0 = bench::cpu_seconds(srv.pid);
    const auto threads0 = bench::thread_stats(srv.pid);
    const double own0 = bench::self_cpu_seconds();
    const int conns = std::max(o.connections, 128);
    auto r = bench::run_load(srv.port, "/webhook/zalo", evs, conns, 0, o.seconds);
    const double cpu = bench::cpu_seconds(srv.pid) - cpu0;
    const auto threads = bench::thread_delta(threads0, bench::thread_stats(srv.pid));
    const double own = bench::self_cpu_seconds() - own0;
    const auto processed_in_load =
        count_events(db, "dedup_key LIKE '%:user_send_text:sat-%' AND state <> 0 AND processed_at <= " +
                             std::to_string(r.ended_unix_ms));
    const auto t_drain = clock_type::now();
    const bool drained = wait_drained(db, 600s);
    const double drain_s = std::chrono::duration<double>(clock_type::now() - t_drain).count();
    double stop_s = 0;
    int rc = srv.stop(&stop_s);
    std::printf("saturate: %d connections, closed loop, %.1f s: acknowledged %zu (%.0f events/s), failed %zu\n", conns,
                r.seconds, r.ok, static_cast<double>(r.ok) / r.seconds, r.failed);
    std::printf("      processed during the load: %lld (%.0f events/s); the rest drained in %.1f s after it "
                "(%.0f events/s overall); server CPU %.2f cores; stop %.2f s, exit %d\n",
                static_cast<long long>(processed_in_load), static_cast<double>(processed_in_load) / r.seconds, drain_s,
                static_cast<double>(r.ok) / (r.seconds + drain_s), cpu / r.seconds, stop_s, rc);
    bench::print_cost("      ", threads, static_cast<double>(r.ok), r.seconds, own);
    return drained && rc == 0 ? 0 : 1;
}

// The units report_bench generates its dossiers for: a district desk and 24 communes.
std::string busy_config() {
    std::string toml = "[[levels]]\nid = \"huyen\"\nlabel = \"Cấp huyện\"\n[[levels]]\nid = \"xa\"\nlabel = \"Cấp xã\"\n"
                       "[[units]]\nid = \"huyen\"\nname = \"Bộ phận Một cửa huyện\"\nlevel = \"huyen\"\n";
    for (int i = 1; i <= 24; ++i)
        toml += "[[units]]\nid = \"xa" + std::to_string(i) + "\"\nname = \"xã số " + std::to_string(i) + "\"\nlevel = \"xa\"\n";
    const std::string salt = "busy-bench-salt";
    toml += "[[api.tokens]]\nname = \"bench\"\nrole = \"admin\"\nhash = \"sha256$" + salt + "$" +
            bot::sha256_hex(salt + admin_token) + "\"\n";
    return toml;
}

// A one-stop export of `rows` dossiers of this month for the 24 communes; with `returned`, one
// row in a hundred has been returned since (the next day's file: 1% changed).
std::string busy_export(long rows, bool returned = false) {
    std::string csv = "ma_ho_so,thu_tuc,linh_vuc,cap,don_vi,kenh,ngay_nhan,han_tra,ngay_tra,can_bo,so_dien_thoai\n";
    csv.reserve(static_cast<std::size_t>(rows) * 100);
    char line[200];
    for (long i = 0; i < rows; ++i) {
        std::snprintf(line, sizeof line, "IMP-2026-%07ld,Đăng ký khai sinh,Hộ tịch,xa,xa%ld,truc_tuyen,2026-11-%02ld,2026-12-%02ld,%s,cb%ld,\n",
                      i, 1 + i % 24, 1 + i % 28, 1 + i % 28, returned && i % 100 == 0 ? "2026-11-30" : "", i % 200);
        csv += line;
    }
    return csv;
}

// Reply latency while a half-year report over 1M dossiers (JSON, then XLSX) and an import of
// 100,000 rows run through the admin API. The dossiers come from report_bench (generated once
// into --dir and kept for later runs).
int run_busy(const options& o) {
    const std::string db = o.dir + "/busy-" + std::to_string(o.dossiers) + ".db";
    if (!std::filesystem::exists(db)) {
        const auto t0 = clock_type::now();
        const std::string cmd = std::string(REPORT_BENCH_EXE) + " '" + db + "' " + std::to_string(o.dossiers) + " 1000000 > /dev/null";
        if (std::system(cmd.c_str()) != 0) {
            std::printf("busy: generating %ld dossiers with report_bench failed\n", o.dossiers);
            return 1;
        }
        std::printf("busy: generated %ld dossiers and 1,000,000 interactions in %.0f s (kept in %s)\n", o.dossiers,
                    std::chrono::duration<double>(clock_type::now() - t0).count(), db.c_str());
    }
    {  // a previous run's import, events and tokens (its stand-in's) go, the generated dossiers stay
        auto conn = storage::open_database(db, true);
        conn->exec("DELETE FROM dossier_rows WHERE code LIKE 'IMP-%'; DELETE FROM events; DELETE FROM outbox;"
                   " DELETE FROM oa_tokens;");
    }
    const std::string config = o.dir + "/busy.toml";
    std::ofstream(config) << busy_config();

    zalo_stand_in z;
    auto srv = bench::server_process::spawn(o.exe, {"serve"}, server_env(z, db, config));
    z.sim.set_webhook("http://127.0.0.1:" + std::to_string(srv.port) + "/webhook/zalo", z.sim.options().app_id, secret);
    z.sim.set_auto_receipts(true);
    auto evs = bench::text_events(20000, "busy-", 20000, z.sim.options().app_id, secret);
    std::vector<bench::signed_event> warm(evs.begin(), evs.begin() + 20), measured(evs.begin() + 20, evs.end());
    (void)time_replies(z, srv.port, warm, o.gap_ms);

    const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + admin_token}};
    bool ok = true;
    std::size_t next = 0;  // the measured events are shared out between the phases
    // First the export as new (all 100,000 rows inserted), then the next day's file (1% changed).
    for (const bool daily : {false, true}) {
        const std::string csv = busy_export(o.import_rows, daily);
        std::vector<bench::signed_event> these(measured.begin() + static_cast<std::ptrdiff_t>(next), measured.end());
        std::atomic<int> running{2};
        double report_json_s = 0, report_xlsx_s = 0, import_s = 0;
        int report_status = 0, xlsx_status = 0, import_status = 0;
        std::string import_detail;
        std::thread report([&] {
            auto t0 = clock_type::now();
            report_status =
                bench::http_call(srv.port, "GET", "/api/v1/reports?from=2025-07-01&to=2025-12-31&format=json", auth, "")
                    .status;
            report_json_s = std::chrono::duration<double>(clock_type::now() - t0).count();
            t0 = clock_type::now();
            xlsx_status =
                bench::http_call(srv.port, "GET", "/api/v1/reports?from=2025-07-01&to=2025-12-31&format=xlsx", auth, "")
                    .status;
            report_xlsx_s = std::chrono::duration<double>(clock_type::now() - t0).count();
            --running;
        });
        std::thread import([&] {
            auto h = auth;
            h["Content-Type"] = "text/csv";
            const auto t0 = clock_type::now();
            const auto answer = bench::http_call(srv.port, "POST", "/api/v1/dossiers?file=busy.csv", h, csv);
            import_status = answer.status;
            try {
                const auto j = boost::json::parse(answer.body).as_object();
                import_detail = "merge " + std::to_string(j.at("merge_ms").to_number<long>()) + " ms, " +
                                std::to_string(j.at("writes").to_number<long>()) + " writes before it (longest " +
                                std::to_string(j.at("longest_write_ms").to_number<long>()) + " ms)";
            } catch (const std::exception&) {
                import_detail = "no figures in the answer";
            }
            import_s = std::chrono::duration<double>(clock_type::now() - t0).count();
            --running;
        });
        // Citizens keep writing while both run (and at least a few seconds).
        const auto started = clock_type::now();
        auto r =
            time_replies(z, srv.port, these, o.gap_ms, [&] { return running > 0 || clock_type::now() - started < 3s; });
        report.join();
        import.join();
        next += r.ms.size() + static_cast<std::size_t>(r.missing);
        print_latencies(daily ? "busy, the next day's import (1% changed)" : "busy, the first import (all new)", r);
        std::printf(
            "      beside: report JSON over %ld dossiers %.2f s (HTTP %d), XLSX %.2f s (HTTP %d); import of %ld rows "
            "(%.1f MB CSV) %.2f s (HTTP %d; %s); one event every %d ms\n",
            o.dossiers, report_json_s, report_status, report_xlsx_s, xlsx_status, o.import_rows,
            static_cast<double>(csv.size()) / 1e6, import_s, import_status, import_detail.c_str(), o.gap_ms);
        ok = ok && r.missing == 0 && report_status == 200 && xlsx_status == 200 && import_status / 100 == 2;
    }
    z.sim.set_auto_receipts(false);
    double stop_s = 0;
    int rc = srv.stop(&stop_s);
    std::printf("      stop %.2f s, exit %d\n", stop_s, rc);
    ok = ok && rc == 0;
    return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    options o;
    auto num = [](int& v) { return [&v](const std::string& s) { v = std::stoi(s); }; };
    auto lng = [](long& v) { return [&v](const std::string& s) { v = std::stol(s); }; };
    auto real = [](double& v) { return [&v](const std::string& s) { v = std::stod(s); }; };
    auto text = [](std::string& v) { return [&v](const std::string& s) { v = s; }; };
    if (!bench::parse_options(argc, argv,
                              {{"--mode", text(o.mode)},
                               {"--seconds", real(o.seconds)},
                               {"--rate", real(o.rate)},
                               {"--connections", num(o.connections)},
                               {"--events", num(o.events)},
                               {"--gap-ms", num(o.gap_ms)},
                               {"--dossiers", lng(o.dossiers)},
                               {"--import-rows", lng(o.import_rows)},
                               {"--dir", text(o.dir)},
                               {"--exe", text(o.exe)}}))
        return 2;
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures survive an interrupted run
    std::filesystem::create_directories(o.dir);
    // The simulator's own warnings (a receipt posted while the server stops) are not figures.
    spdlog::set_level(spdlog::level::err);
    print_machine(o);
    int rc = 0;
    const bool all = o.mode == "all";
    if (all || o.mode == "idle") rc |= run_idle(o);
    if (all || o.mode == "steady") rc |= run_steady(o);
    if (all || o.mode == "saturate") rc |= run_saturate(o);
    if (all || o.mode == "busy") rc |= run_busy(o);
    return rc;
}

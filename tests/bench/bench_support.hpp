// What the event-path benchmarks share: a spawned `cchcbot serve`, signed events, an HTTP load
// generator (open or closed loop), percentiles and process statistics. Loopback only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <sys/types.h>

namespace bench {

using clock_type = std::chrono::steady_clock;

/// Reads "--name value" pairs into the setters; false (after naming it) on an unknown option.
[[nodiscard]] bool parse_options(int argc, char** argv,
                                 const std::map<std::string, std::function<void(const std::string&)>>& setters);

/// Unix milliseconds now.
[[nodiscard]] std::int64_t unix_ms();

/// A running `cchcbot serve` (or another command) with its output drained in the background.
struct server_process {
    pid_t pid = -1;
    std::uint16_t port = 0;

    /// Starts `exe args...` with the current environment plus `env` and waits for
    /// "listening on http://127.0.0.1:<port>". @throws std::runtime_error when it does not start.
    static server_process spawn(const std::string& exe, const std::vector<std::string>& args,
                                const std::map<std::string, std::string>& env);
    /// SIGTERM, then waits; the exit code (or 128 + signal) and how long the stop took.
    int stop(double* seconds = nullptr);
};

/// Resident memory (kB) and CPU seconds (user + system) of a process.
[[nodiscard]] long rss_kb(pid_t pid);
[[nodiscard]] double cpu_seconds(pid_t pid);

/// CPU seconds and context switches of a process's threads, summed by thread name (`comm`).
struct thread_use {
    double cpu_s = 0;
    long voluntary = 0, involuntary = 0;
};
[[nodiscard]] std::map<std::string, thread_use> thread_stats(pid_t pid);
/// `after` − `before`, per thread name (threads gone meanwhile are left out).
[[nodiscard]] std::map<std::string, thread_use> thread_delta(const std::map<std::string, thread_use>& before,
                                                             const std::map<std::string, thread_use>& after);
/// Prints the server's CPU µs and context switches per event, in all and by thread name, with the
/// bench process's own CPU (load generator and simulator) beside it.
void print_cost(const char* indent, const std::map<std::string, thread_use>& delta, double events, double wall_s,
                double own_cpu_s);
/// CPU seconds (user + system) of this process so far.
[[nodiscard]] double self_cpu_seconds();

/// A signed webhook request.
struct signed_event {
    std::string body;
    std::string signature;
    std::string user_id;  ///< the sender (replies go to them)
};

/// `user_send_text` events from `users` distinct citizens (user i % users), questions varied
/// (eight written in the benchmark, then tests/fixtures/nlp-dev.tsv's lines: run from the
/// repository root), msg ids `prefix` + i, signed with `app_id` and `secret`.
[[nodiscard]] std::vector<signed_event> text_events(std::size_t n, const std::string& prefix, std::size_t users,
                                                    const std::string& app_id, const std::string& secret);

/// The distinct question texts text_events() cycles through.
[[nodiscard]] const std::vector<std::string>& bench_questions();

/// The p-th percentile (0–100) of `v` (reorders it); 0 when empty.
[[nodiscard]] double pct(std::vector<double>& v, double p);

/// What a load run saw.
struct load_result {
    std::size_t ok = 0, failed = 0;
    double seconds = 0;
    std::vector<double> latencies_ms;  ///< per acknowledged request
    std::int64_t started_unix_ms = 0, ended_unix_ms = 0;
};

/// Posts `events` to 127.0.0.1:`port``path` over `connections` keep-alive connections for
/// `seconds`. rate == 0: closed loop (next request when the answer arrives); rate > 0: open loop
/// at `rate` requests/s in total, latency counted from each request's scheduled time (a stall is
/// not hidden). `on_sent(i)` is called as request i goes out (optional).
[[nodiscard]] load_result run_load(std::uint16_t port, const std::string& path, const std::vector<signed_event>& events,
                                   int connections, double rate, double seconds,
                                   const std::function<void(std::size_t)>& on_sent = {});

/// One synchronous HTTP request on loopback (status and body); -1 on a transport failure.
struct http_answer {
    int status = -1;
    std::string body;
};
[[nodiscard]] http_answer http_call(std::uint16_t port, const std::string& method, const std::string& target,
                                    const std::map<std::string, std::string>& headers, const std::string& body,
                                    std::chrono::seconds timeout = std::chrono::seconds(600));

}  // namespace bench

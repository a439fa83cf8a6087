// Benchmark: a half-year report over 1,000,000 dossiers and 5,000,000 interactions (SPEC bar: ≤ 2 s).
// Usage: report_bench [DB_FILE] [DOSSIERS] [INTERACTIONS]   (default: a temporary file, 1e6, 5e6)
#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/reports/report.hpp"
#include "storage/database.hpp"
#include "storage/report_queries.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <functional>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

bot::config bench_config() {
    // A district: its one-stop desk and 24 communes (one period, no dates).
    std::string toml = "[[levels]]\nid = \"huyen\"\nlabel = \"Cấp huyện\"\n[[levels]]\nid = \"xa\"\nlabel = \"Cấp xã\"\n"
                       "[[units]]\nid = \"huyen\"\nname = \"Bộ phận Một cửa huyện\"\nlevel = \"huyen\"\n";
    for (int i = 1; i <= 24; ++i)
        toml += "[[units]]\nid = \"xa" + std::to_string(i) + "\"\nname = \"xã số " + std::to_string(i) + "\"\nlevel = \"xa\"\n";
    return bot::load_config_from(toml, {}, true);
}

void generate(SQLite::Database& db, const bot::config& cfg, long dossiers, long interactions) {
    db.exec("PRAGMA synchronous = OFF");
    std::mt19937_64 rng(42);
    const std::int64_t day0 = bot::days_from_civil({2025, 1, 1});
    const int span = 730;  // two years: 2025 and 2026
    const char* procedures[] = {"Đăng ký khai sinh",  "Chứng thực bản sao", "Đăng ký kết hôn", "Đăng ký khai tử",
                                "Cấp giấy phép xây dựng", "Đăng ký thường trú", "Xác nhận tình trạng hôn nhân",
                                "Cấp đổi giấy chứng nhận quyền sử dụng đất"};
    const char* channels[] = {"truc_tuyen", "truc_tuyen", "truc_tuyen", "truc_tuyen", "truc_tiep", "bcci"};
    auto iso = [&](std::int64_t d) { return bot::to_iso(bot::civil_from_days(d)); };
    {
        SQLite::Transaction tx(db);
        SQLite::Statement q(db,
                            "INSERT INTO dossier_rows (code, procedure, field, level, unit_id, channel, received_on, due_on, "
                            "returned_on, official_id, imported_at) VALUES (?, ?, 'Hộ tịch', ?, ?, ?, ?, ?, ?, ?, 0)");
        for (long i = 0; i < dossiers; ++i) {
            const auto& u = cfg.units[rng() % cfg.units.size()];
            const std::int64_t rec = day0 + static_cast<std::int64_t>(rng() % span);
            const std::int64_t due = rec + 1 + static_cast<std::int64_t>(rng() % 10);
            const int fate = static_cast<int>(rng() % 100);
            std::int64_t ret = fate < 85 ? rec + static_cast<std::int64_t>(rng() % (due - rec))  // early
                               : fate < 95 ? due                                                   // on time
                                           : due + 1 + static_cast<std::int64_t>(rng() % 5);       // late
            const bool open = ret >= day0 + span - 5 || rng() % 200 == 0;
            char code[64];
            std::snprintf(code, sizeof code, "HS-%04ld-%07ld", 2025 + (rec - day0) / 365, i);
            q.bind(1, code);
            q.bind(2, procedures[rng() % 8]);
            q.bind(3, u.level);
            q.bind(4, u.id);
            q.bind(5, channels[rng() % 6]);
            q.bind(6, iso(rec));
            q.bind(7, iso(due));
            if (open)
                q.bind(8);
            else
                q.bind(8, iso(ret));
            q.bind(9, "cb" + std::to_string(rng() % 200));
            q.exec();
            q.reset();
        }
        tx.commit();
    }
    {
        SQLite::Transaction tx(db);
        SQLite::Statement q(db,
                            "INSERT INTO interactions (at, local_day, user_id, unit_id, direction, kind, topic, outcome, "
                            "text, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        const char* topics[] = {"dang_ky_tai_khoan", "nop_ho_so_truc_tuyen", "le_phi", "thanh_toan_truc_tuyen",
                                "khai_sinh", "chung_thuc", "ket_hon", "tra_cuu_ho_so"};
        const char* outcomes[] = {"answered", "answered", "answered", "answered", "answered",
                                  "lookup",   "clarified", "fallback", "command",  "handoff"};
        const std::int64_t t0 = bot::unix_ms_of(bot::civil_from_days(day0));
        // Interactions come in time order, as they are logged.
        for (long i = 0; i < interactions; ++i) {
            const std::int64_t at = t0 + static_cast<std::int64_t>(static_cast<double>(i) / static_cast<double>(interactions) *
                                                                   static_cast<double>(span) * 86'400'000.0);
            const bool in = i % 2 == 0;
            const auto& u = cfg.units[rng() % cfg.units.size()];
            q.bind(1, at);
            q.bind(2, bot::to_iso(bot::local_date_of(at)));
            q.bind(3, "user" + std::to_string(rng() % 50000));
            q.bind(4, u.id);
            q.bind(5, in ? "in" : "out");
            q.bind(6, in ? "text" : "reply");
            const char* outcome = outcomes[rng() % 10];
            q.bind(7, topics[rng() % 8]);
            if (in)
                q.bind(8, outcome);
            else
                q.bind(8);
            q.bind(9, "Cho tôi hỏi thủ tục đăng ký khai sinh cho con cần giấy tờ gì ạ");
            if (in)
                q.bind(10, static_cast<std::int64_t>(20 + rng() % 400));
            else
                q.bind(10);
            q.exec();
            q.reset();
        }
        tx.commit();
    }
    db.exec("ANALYZE");
}

}  // namespace

int main(int argc, char** argv) {
    const bool own_file = argc < 2;
    const std::string path =
        own_file ? (std::filesystem::temp_directory_path() / ("report-bench-" + std::to_string(::getpid()) + ".db")).string()
                 : argv[1];
    const long dossiers = argc > 2 ? std::stol(argv[2]) : 1'000'000;
    const long interactions = argc > 3 ? std::stol(argv[3]) : 5'000'000;
    const bot::config cfg = bench_config();
    {
        auto db = storage::open_database(path);
        SQLite::Statement n(*db, "SELECT COUNT(*) FROM dossiers");
        n.executeStep();
        if (n.getColumn(0).getInt64() == 0) {
            auto t0 = clock_type::now();
            generate(*db, cfg, dossiers, interactions);
            std::printf("generated %ld dossiers and %ld interactions in %.1f s (%s)\n", dossiers, interactions,
                        seconds_since(t0), path.c_str());
        } else {
            std::printf("reusing %s\n", path.c_str());
        }
    }
    // Read-only from here, as the report command is.
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    const bot::report_request req{"2026-01-01", "2026-06-30", "", ""};
    std::vector<double> times;
    bot::report r;
    for (int i = 0; i < 5; ++i) {
        auto t0 = clock_type::now();
        r = bot::compute_report(db, cfg, req, path);
        times.push_back(seconds_since(t0));
    }
    std::sort(times.begin(), times.end());
    std::printf("half-year report %s..%s: min %.3f s, median %.3f s, max %.3f s (bar 2 s)\n", req.from.c_str(),
                req.to.c_str(), times.front(), times[times.size() / 2], times.back());
    std::printf("  dossiers total %lld (received %lld, carried over %lld), resolved %lld, late %lld, pending %lld\n",
                static_cast<long long>(r.totals.total), static_cast<long long>(r.totals.c.received),
                static_cast<long long>(r.totals.c.carried_over), static_cast<long long>(r.totals.c.resolved),
                static_cast<long long>(r.totals.c.late), static_cast<long long>(r.totals.pending));
    std::printf("  questions %lld from %lld citizens, warnings %zu\n",
                static_cast<long long>(r.conversations.questions), static_cast<long long>(r.conversations.citizens),
                r.warnings.size());
    // Where the time goes, part by part (CPU time too: the machine may be shared).
    {
        storage::report_scope scope;
        scope.from = req.from;
        scope.to = req.to;
        scope.from_ms = bot::unix_ms_of({2026, 1, 1});
        scope.to_end_ms = bot::unix_ms_of({2026, 7, 1});
        auto part = [](const char* name, const std::function<void()>& fn) {
            const std::clock_t c0 = std::clock();
            auto t0 = clock_type::now();
            fn();
            std::printf("  %-28s %.3f s wall, %.3f s cpu\n", name, seconds_since(t0),
                        static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC);
        };
        part("dossier scan", [&] { (void)storage::scan_dossiers(db, scope, 100); });
        part("conversations", [&] { (void)storage::conversation_stats(db, scope, 10); });
        part("reminders", [&] { (void)storage::reminder_stats(db, scope); });
        part("reminded then resolved", [&] { (void)storage::reminded_then_resolved_in_time(db, scope); });
        part("broadcasts", [&] { (void)storage::broadcast_stats(db, scope); });
        part("whole report, one thread", [&] { (void)bot::compute_report(db, cfg, req); });
        part("whole report, two threads", [&] { (void)bot::compute_report(db, cfg, req, path); });
    }
    const bot::report_request unit_req{"2026-01-01", "2026-06-30", "xa1", ""};
    auto t0 = clock_type::now();
    auto ru = bot::compute_report(db, cfg, unit_req, path);
    std::printf("one-unit report (xa1): %.3f s, total %lld\n", seconds_since(t0),
                static_cast<long long>(ru.totals.total));
    if (own_file) {
        std::error_code ec;
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ec);
    }
    return 0;
}

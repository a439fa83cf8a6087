// Reminder scan benchmark: 1,000,000 dossiers, the scan timed (bar: ≤ 1 s), plus import speed.
// Run: ./build/tests/remind_bench [dossiers] [open_percent]   (from the repository root)
#include "bot/app/app.hpp"
#include "bot/core/calendar.hpp"
#include "bot/core/config.hpp"
#include "bot/dossiers/dossier_import.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/wording.hpp"
#include "handlers/reminders.hpp"
#include "storage/database.hpp"
#include "storage/dossier_repository.hpp"
#include "storage/official_repository.hpp"

#include <SQLiteCpp/Database.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

namespace {

using clock_type = std::chrono::steady_clock;
double secs(clock_type::time_point a) { return std::chrono::duration<double>(clock_type::now() - a).count(); }
// Process CPU seconds: on a shared, loaded machine wall time overstates the cost.
double cpu_now() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

}  // namespace

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::stoul(argv[1]) : 1'000'000;
    const int open_percent = argc > 2 ? std::stoi(argv[2]) : 5;
    const std::string path = (std::filesystem::temp_directory_path() / "cchcbot-remind-bench.db").string();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);

    auto cfg = bot::load_config_from("", {}, true);
    cfg.templates_dir = BOT_SOURCE_DIR "/templates";
    cfg.reminders.calendar_dir = BOT_SOURCE_DIR "/templates/calendar";
    cfg.zalo.zns_reminder_template = "bench-template";
    auto db = storage::open_database(path);
    if (std::getenv("BENCH_CACHE_MB")) db->exec("PRAGMA cache_size=-" + std::to_string(std::stoi(std::getenv("BENCH_CACHE_MB")) * 1024));
    auto texts = bot::load_messages(cfg);
    auto cal = bot::calendar_for(cfg);

    // Officials: 50 per unit, one leader per unit.
    std::vector<std::string> officials;
    for (const auto& u : cfg.units) {
        for (int i = 0; i < 50; ++i) {
            storage::official o{u.id + "_cb" + std::to_string(i), "Cán bộ " + std::to_string(i), u.id, "official",
                                "0912" + std::to_string(100000 + i), "", true, true, false, {}};
            (void)storage::add_official(*db, o, 0);
            officials.push_back(o.official_id);
        }
        storage::official l{u.id + "_ld", "Lãnh đạo", u.id, "leader", "0913000000", "", true, true, false, {}};
        (void)storage::add_official(*db, l, 0);
    }

    // Dossiers over the year before 2023-06-15; `open_percent` of them unresolved, due within ±30 days.
    const bot::local_date today{2023, 6, 15};
    const auto today_n = bot::days_from_civil(today);
    std::mt19937_64 rng(42);
    std::vector<storage::dossier> rows;
    rows.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& u = cfg.units[i % cfg.units.size()];
        storage::dossier d;
        char code[40];
        std::snprintf(code, sizeof code, "000.00.31.H12-%06zu-%04zu", i / 10000, i % 10000);
        d.code = code;
        d.procedure = i % 3 ? "Đăng ký khai sinh" : "Chứng thực bản sao từ bản chính";
        d.field = "Hộ tịch";
        d.level = u.level;
        d.unit_id = u.id;
        d.channel = i % 50 ? "truc_tuyen" : "truc_tiep";
        d.official_id = u.id + "_cb" + std::to_string(rng() % 50);
        const bool open = static_cast<int>(rng() % 100) < open_percent;
        std::int64_t due = open ? today_n - 30 + static_cast<std::int64_t>(rng() % 61) : today_n - 1 - static_cast<std::int64_t>(rng() % 365);
        d.received_on = bot::to_iso(bot::civil_from_days(due - 7));
        d.due_on = bot::to_iso(bot::civil_from_days(due));
        if (!open) d.returned_on = bot::to_iso(bot::civil_from_days(due - static_cast<std::int64_t>(rng() % 3)));
        rows.push_back(std::move(d));
    }
    auto t0 = clock_type::now();
    double ci = cpu_now();
    auto st = storage::upsert_dossiers(*db, rows, 0);
    std::printf("import (upsert, one transaction): %zu dossiers in %.2f s wall, %.2f s CPU\n", st.inserted, secs(t0), cpu_now() - ci);
    rows.clear();
    rows.shrink_to_fit();

    // Import of a 100,000-row CSV through the parser, updating existing rows.
    std::string csv = "ma_ho_so,thu_tuc,linh_vuc,cap,don_vi,kenh,ngay_nhan,han_tra,ngay_tra,can_bo,so_dien_thoai\n";
    for (std::size_t i = 0; i < 100'000 && i < n; ++i) {
        char line[256];
        std::snprintf(line, sizeof line, "000.00.31.H12-%06zu-%04zu,\"Đăng ký khai sinh\",Hộ tịch,%s,%s,truc_tuyen,01/06/2023 08:00,2023-06-08,2023-06-07,,\n",
                      i / 10000, i % 10000, cfg.units[i % cfg.units.size()].level.c_str(), cfg.units[i % cfg.units.size()].id.c_str());
        csv += line;
    }
    t0 = clock_type::now();
    ci = cpu_now();
    auto parsed = bot::parse_dossier_csv(csv, cfg);
    const double parse_s = secs(t0);
    auto up = storage::upsert_dossiers(*db, parsed.rows, 0);
    std::printf("CSV import of %zu rows: parsed in %.3f s, parsed + upserted in %.3f s wall, %.3f s CPU\n", up.updated + up.inserted,
                parse_s, secs(t0), cpu_now() - ci);

    const std::int64_t now = bot::unix_ms_of(today, 8 * 60);
    handlers::context ctx{*db, cfg, texts, nullptr, [now] { return now; }};
    std::printf("open dossiers: %zu\n", storage::list_dossiers(*db, {"", "open", "", "", 10'000'000, 0, {}}).size());
    for (int run = 0; run < 3; ++run) {
        t0 = clock_type::now();
        const double c0 = cpu_now();
        auto rep = handlers::run_reminder_scan(ctx, *cal, true);
        std::printf("scan (dry run) #%d over %zu dossiers: %.3f s wall, %.3f s CPU, %zu reminders planned\n", run + 1, n, secs(t0),
                    cpu_now() - c0, rep.items.size());
    }
    t0 = clock_type::now();
    double c0 = cpu_now();
    auto real = handlers::run_reminder_scan(ctx, *cal, false);
    std::printf("scan (real: record + enqueue): %.3f s wall, %.3f s CPU, %zu reminders queued\n", secs(t0), cpu_now() - c0,
                real.items.size());
    t0 = clock_type::now();
    c0 = cpu_now();
    auto again = handlers::run_reminder_scan(ctx, *cal, false);
    std::printf("second scan the same day: %.3f s wall, %.3f s CPU, %zu new\n", secs(t0), cpu_now() - c0, again.items.size());
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    return 0;
}

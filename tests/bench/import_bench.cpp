// Dossier import and notice benchmark (issue #14 item 5, #10 item 4): a 100,000-row export in the
// one-stop systems' shape (Vietnamese headers, unit names, status words), imported through the
// write worker as the server does; the same file again; the file with 1% of its rows changed; and
// a notice run for 10,000 state changes with followers. Prints the figures; loopback and a temp
// file only. Run from the repository root: ./build/tests/import_bench [--rows N] [--changed-percent P]
// [--notices N]
#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/messages.hpp"
#include "bot/core/wording.hpp"
#include "bot/core/worker.hpp"
#include "bot/dossiers/dossier_import.hpp"
#include "bot/dossiers/export_table.hpp"
#include "bot/dossiers/import_run.hpp"
#include "handlers/context.hpp"
#include "handlers/dossier_follow.hpp"
#include "storage/database.hpp"
#include "storage/dossier_follow_repository.hpp"
#include "storage/write_scope.hpp"
#include "tests/bench/bench_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sys/resource.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
double ms_since(clock_type::time_point a) { return std::chrono::duration<double, std::milli>(clock_type::now() - a).count(); }

const char* const config_toml = R"toml(
[[levels]]
id = "huyen"
label = "Cấp huyện"
[[levels]]
id = "xa"
label = "Cấp xã"
[[units]]
id = "huyen"
name = "Bộ phận Một cửa huyện"
level = "huyen"
[[units]]
id = "tan_soi"
name = "xã Tân Sỏi"
level = "xa"
[[units]]
id = "dong_son"
name = "xã Đồng Sơn"
level = "xa"
[[units]]
id = "bo_ha"
name = "thị trấn Bố Hạ"
level = "xa"
)toml";

const char* const units[] = {"UBND xã Tân Sỏi", "Trung tâm Phục vụ hành chính công xã Đồng Sơn", "UBND thị trấn Bố Hạ",
                             "Bộ phận Một cửa huyện"};
const char* const levels[] = {"Cấp xã", "Cấp xã", "Cấp xã", "Cấp huyện"};
const char* const procedures[] = {"Đăng ký khai sinh", "Đăng ký kết hôn", "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
                                  "Đăng ký thường trú", "Cấp giấy phép xây dựng nhà ở riêng lẻ"};
const char* const channels[] = {"Trực tuyến", "Trực tiếp", "Dịch vụ bưu chính công ích"};

std::string code_of(std::size_t i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "000.00.31.H12-2512%02zu-%06zu", 1 + i % 28, i);
    return buf;
}

std::string phone_of(std::size_t i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "09%02zu %03zu %03zu", i % 100, (i / 100) % 1000, (i / 7) % 1000);
    return buf;
}

struct row {
    std::string code, procedure, field, level, unit, channel, who, phone, received, due, returned, status, official;
};

row make_row(std::size_t i, bool changed) {
    row r;
    r.code = code_of(i);
    r.procedure = procedures[i % 5];
    r.field = i % 5 == 2 ? "Chứng thực" : "Hộ tịch";
    r.level = levels[i % 4];
    r.unit = units[i % 4];
    r.channel = channels[i % 3];
    r.who = "Người nộp " + std::to_string(i);
    r.phone = phone_of(i);
    char d[64];
    std::snprintf(d, sizeof d, "%02zu/12/2025 %02zu:%02zu", 1 + i % 28, 7 + i % 10, i % 60);
    r.received = d;
    std::snprintf(d, sizeof d, "%02zu/01/2026 17:00", 1 + i % 28);
    r.due = d;
    const bool returned = i % 3 == 0;
    if (returned) {
        std::snprintf(d, sizeof d, "%02zu/01/2026 09:30", 1 + i % 28);
        r.returned = d;
    }
    r.status = returned ? "Đã trả kết quả" : "Đang xử lý";
    if (changed) r.status = returned ? r.status : "Đã có kết quả";  // an open dossier gets its result
    if (changed && returned) r.procedure += " (bản sao)";              // a returned one a corrected name
    return r;
}

std::string quote(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

const char* const header =
    "STT,Mã hồ sơ,Tên thủ tục,Lĩnh vực,Cấp,Đơn vị,Kênh,Người nộp,Số điện thoại,Ngày tiếp nhận,Ngày hẹn trả,Ngày trả kết quả,"
    "Trạng thái,Cán bộ xử lý\n";

std::string make_csv(std::size_t n, const std::vector<bool>& changed) {
    std::string out = header;
    out.reserve(n * 230);
    for (std::size_t i = 0; i < n; ++i) {
        const row r = make_row(i, changed[i]);
        out += std::to_string(i + 1) + "," + r.code + "," + quote(r.procedure) + "," + r.field + "," + r.level + "," +
               r.unit + "," + r.channel + "," + r.who + "," + r.phone + "," + r.received + "," + r.due + "," + r.returned +
               "," + r.status + ",\n";
    }
    return out;
}

// The same rows as a workbook (libxlsxwriter's constant-memory mode writes inline strings; the
// dates stay text as many exports write them).
std::string make_xlsx(std::size_t n, const std::string& path) {
    lxw_workbook_options opt = {LXW_TRUE, nullptr, LXW_FALSE};
    lxw_workbook* wb = workbook_new_opt(path.c_str(), &opt);
    lxw_worksheet* ws = workbook_add_worksheet(wb, nullptr);
    std::vector<std::string> head;
    std::stringstream hs(header);
    for (std::string h; std::getline(hs, h, ',');) head.push_back(h);
    head.back().pop_back();  // the newline
    for (std::size_t c = 0; c < head.size(); ++c) worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), head[c].c_str(), nullptr);
    for (std::size_t i = 0; i < n; ++i) {
        const row r = make_row(i, false);
        const std::string cells[] = {std::to_string(i + 1), r.code, r.procedure, r.field,    r.level,    r.unit,   r.channel,
                                     r.who,                 r.phone, r.received, r.due, r.returned, r.status, ""};
        for (std::size_t c = 0; c < 14; ++c)
            if (!cells[c].empty())
                worksheet_write_string(ws, static_cast<lxw_row_t>(i + 1), static_cast<lxw_col_t>(c), cells[c].c_str(), nullptr);
    }
    workbook_close(wb);
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Peak resident memory since the last reset_peak_rss() (Linux: VmHWM, reset through clear_refs).
long peak_rss_mb() {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6)) / 1024;
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}
long current_rss_mb() {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6)) / 1024;
    return 0;
}
void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

/// A run through the worker, as the server runs it; the longest single job on the worker too.
struct timed_import {
    bot::import_report rep;
    double total_ms = 0;
    double longest_job_ms = 0;
    std::size_t jobs = 0;
    long rss_before_mb = 0, peak_rss_mb = 0;
};

timed_import import_through_worker(bot::worker& work, SQLite::Database& read, const std::string& bytes, const bot::config& cfg) {
    timed_import t;
    std::mutex mu;
    bot::import_io io{read, [&](const std::function<void(SQLite::Database&)>& job) {
                          work.run_sync([&](SQLite::Database& db) {
                              const auto a = clock_type::now();
                              job(db);
                              std::lock_guard lk(mu);
                              t.longest_job_ms = std::max(t.longest_job_ms, ms_since(a));
                              ++t.jobs;
                          });
                      }};
    bot::import_request req;
    req.source = "bench";
    t.rss_before_mb = current_rss_mb();
    reset_peak_rss();
    const auto a = clock_type::now();
    t.rep = bot::run_dossier_import(io, bytes, req, cfg, [] { return bot::now_ms(); });
    t.total_ms = ms_since(a);
    t.peak_rss_mb = peak_rss_mb();
    return t;
}

void print(const char* what, const timed_import& t) {
    std::printf("%-34s %9.0f ms  outcome %-8s inserted %6zu updated %6zu unchanged %6zu state changes %5zu; "
                "merge %.0f ms, longest job on the worker %.0f ms (%zu jobs); memory %ld MB before, peak %ld MB\n",
                what, t.total_ms, std::string(storage::to_string(t.rep.outcome)).c_str(), t.rep.stats.inserted, t.rep.stats.updated, t.rep.stats.unchanged,
                t.rep.stats.state_changes, static_cast<double>(t.rep.merge_ms), t.longest_job_ms, t.jobs, t.rss_before_mb,
                t.peak_rss_mb);
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t rows = 100'000, changed_percent = 1, notices = 10'000;
    if (!bench::parse_options(argc, argv,
                              {{"--rows", [&](const std::string& v) { rows = std::stoul(v); }},
                               {"--changed-percent", [&](const std::string& v) { changed_percent = std::stoul(v); }},
                               {"--notices", [&](const std::string& v) { notices = std::stoul(v); }}}))
        return 2;
    const auto dir = std::filesystem::temp_directory_path() / "cchcbot-import-bench";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "bench.db").string();

    auto cfg = bot::load_config_from(config_toml, {}, false);
    cfg.templates_dir = "templates";
    cfg.kb.dir = "templates/kb";
    cfg.storage.path = path;
    (void)storage::open_database(path);  // migrate
    bot::worker work(path);
    work.start();
    auto read = storage::open_database(path, false);

    std::printf("import_bench: %zu rows, %zu%% changed, notice run for %zu changes (WAL, synchronous=FULL)\n", rows,
                changed_percent, notices);
    std::vector<bool> none(rows, false), some(rows, false);
    for (std::size_t i = 0; i < rows; i += 100 / std::max<std::size_t>(changed_percent, 1)) some[i] = true;
    const std::string csv = make_csv(rows, none);
    const std::string csv_changed = make_csv(rows, some);
    std::printf("%-34s %9zu bytes\n", "CSV export", csv.size());

    long before = current_rss_mb();
    reset_peak_rss();
    auto a = clock_type::now();
    auto parsed = bot::parse_dossier_csv(csv, cfg);
    std::printf("%-34s %9.0f ms  (%zu rows, %zu errors; memory %ld MB before, peak %ld MB)\n", "parse CSV (no database)",
                ms_since(a), parsed.rows.size(), parsed.errors.size(), before, peak_rss_mb());
    parsed = {};
    const std::string xlsx = make_xlsx(rows, (dir / "export.xlsx").string());
    before = current_rss_mb();
    reset_peak_rss();
    a = clock_type::now();
    auto px = bot::parse_dossier_file(xlsx, cfg);
    std::printf("%-34s %9.0f ms  (%zu rows, %zu errors, %zu bytes; memory %ld MB before, peak %ld MB)\n",
                "parse XLSX (no database)", ms_since(a), px.rows.size(), px.errors.size(), xlsx.size(), before, peak_rss_mb());
    px = {};

    print("first import (all new)", import_through_worker(work, *read, csv, cfg));
    std::int64_t changes_before = 0;
    work.run_sync([&](SQLite::Database& db) { changes_before = db.getTotalChanges(); });
    const auto same = import_through_worker(work, *read, csv, cfg);
    std::int64_t changes_after = 0;
    work.run_sync([&](SQLite::Database& db) { changes_after = db.getTotalChanges(); });
    print("same file again", same);
    std::printf("%-34s %9lld rows written (the run's own record)\n", "  writes of the second import",
                static_cast<long long>(changes_after - changes_before));
    print("1% of rows changed", import_through_worker(work, *read, csv_changed, cfg));

    // Notices: `notices` open dossiers, each followed by one citizen inside the 7-day window,
    // all getting their result in one import.
    std::vector<bool> open_changed(rows, false);
    std::size_t picked = 0;
    const std::int64_t now = bot::now_ms();
    work.run_sync([&](SQLite::Database& db) {
        storage::write_scope tx(db);
        SQLite::Statement u(db, "INSERT OR IGNORE INTO users (user_id, last_interaction_at, created_at) VALUES (?, ?, 0)");
        for (std::size_t i = 0; i < rows && picked < notices; ++i) {
            if (i % 3 == 0 || some[i]) continue;  // open and not changed yet
            open_changed[i] = true;
            const std::string user = std::to_string(7400000000000000000ULL + i);
            storage::follow_dossier(db, code_of(i), user, "0900000000", now);
            u.bind(1, user);
            u.bind(2, now);
            u.exec();
            u.reset();
            ++picked;
        }
        tx.commit();
    });
    std::vector<bool> both(rows);
    for (std::size_t i = 0; i < rows; ++i) both[i] = some[i] || open_changed[i];
    print("import with notice changes", import_through_worker(work, *read, make_csv(rows, both), cfg));
    const auto texts = bot::load_messages(cfg);
    handlers::notice_report total;
    double longest_chunk = 0;
    before = current_rss_mb();
    reset_peak_rss();
    a = clock_type::now();
    for (bool more = true; more;) {
        work.run_sync([&](SQLite::Database& db) {
            handlers::context ctx{db, cfg, texts, nullptr, [] { return bot::now_ms(); }};
            const auto c = clock_type::now();
            auto r = handlers::run_dossier_notices(ctx, 500);
            longest_chunk = std::max(longest_chunk, ms_since(c));
            more = r.more;
            total.changes += r.changes;
            total.queued_cs += r.queued_cs;
            total.queued_zns += r.queued_zns;
            total.undeliverable += r.undeliverable;
        });
    }
    std::printf("%-34s %9.0f ms  (%zu changes: %zu consultation, %zu ZNS, %zu undeliverable; longest chunk of 500 %.0f ms)\n",
                "notice run", ms_since(a), total.changes, total.queued_cs, total.queued_zns, total.undeliverable, longest_chunk);
    std::printf("%-34s %9ld MB before, peak %ld MB\n", "  memory of the notice run", before, peak_rss_mb());
    work.stop();
    read.reset();
    std::filesystem::remove_all(dir);
    return 0;
}

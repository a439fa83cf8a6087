// The watched import folder.
#include "bot/dossiers/import_watch.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>

namespace bot {

namespace fs = std::filesystem;

std::vector<fs::path> ready_exports(const fs::path& folder, std::chrono::seconds settle, fs::file_time_type now) {
    std::vector<std::pair<fs::file_time_type, fs::path>> found;
    for (const auto& e : fs::directory_iterator(folder)) {
        if (!e.is_regular_file()) continue;
        const std::string name = e.path().filename().string();
        if (name.empty() || name[0] == '.' || name.rfind("~$", 0) == 0) continue;
        std::string ext = e.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
        if (ext != ".csv" && ext != ".xlsx" && ext != ".json") continue;
        const auto mtime = e.last_write_time();
        if (now - mtime < settle) continue;
        found.emplace_back(mtime, e.path());
    }
    std::sort(found.begin(), found.end());
    std::vector<fs::path> out;
    for (auto& f : found) out.push_back(std::move(f.second));
    return out;
}

fs::path archive_export(const fs::path& file, bool imported, const std::string& stamp, const std::string& report) {
    const fs::path dir = file.parent_path() / (imported ? "done" : "rejected");
    fs::create_directories(dir);
    const fs::path to = dir / (stamp + "-" + file.filename().string());
    fs::rename(file, to);
    if (!imported && !report.empty()) {
        std::ofstream out(dir / (stamp + "-" + file.filename().string() + ".errors.txt"), std::ios::binary);
        out << report;
    }
    return to;
}

std::int64_t next_watch_at(std::int64_t now_ms, const config& cfg) {
    if (cfg.imports.times.empty())
        return now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(cfg.imports.interval).count();
    const int offset = cfg.time.utc_offset_minutes;
    const local_date today = local_date_of(now_ms, offset);
    std::int64_t best = 0;
    for (int day = 0; day <= 1; ++day) {
        const local_date d = civil_from_days(days_from_civil(today) + day);
        for (const auto& t : cfg.imports.times) {
            const auto minute = parse_hhmm(t);
            if (!minute) continue;
            const std::int64_t at = unix_ms_of(d, *minute, offset);
            if (at > now_ms && (best == 0 || at < best)) best = at;
        }
    }
    return best;
}

}  // namespace bot

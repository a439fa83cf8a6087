// Loads and validates the TOML configuration with CCHCBOT_* environment overrides.
#include "bot/core/config.hpp"

#include "bot/core/config_structure.hpp"
#include "bot/core/local_time.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

extern char** environ;

namespace bot {

const unit_config* config::find_unit(const std::string& id) const {
    for (const auto& u : units)
        if (u.id == id) return &u;
    return nullptr;
}

const level_config* config::find_level(const std::string& id) const {
    for (const auto& l : levels)
        if (l.id == id) return &l;
    return nullptr;
}

std::vector<oa_config> config::official_accounts() const {
    if (!oa_tables.empty()) return oa_tables;
    oa_config oa;
    oa.id = "default";
    oa.app_id = zalo.app_id;
    oa.oa_id = zalo.oa_id;
    oa.oa_secret_key = zalo.oa_secret_key;
    oa.app_secret = zalo.app_secret;
    oa.refresh_token = zalo.refresh_token;
    oa.broadcast_daily_quota = zalo.broadcast_daily_quota;
    oa.zns_reminder_template = zalo.zns_reminder_template;
    oa.is_default = true;
    return {oa};
}

namespace config_detail {

void fail(const std::string& key, const std::string& what) {
    throw config_error("configuration: " + key + ": " + what);
}

std::string trim(std::string s) {
    auto not_space = [](unsigned char c) { return !std::isspace(c); };
    s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
    s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
    return s;
}

std::string read_secret_file(const std::string& name, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(name, "cannot read file " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string v = trim(ss.str());
    if (v.empty()) fail(name, "file " + path + " is empty");
    return v;
}

}  // namespace config_detail

namespace {

using setter = std::function<void(config&, const std::string&)>;

/// One scalar key: where it lives in TOML, its environment name, and how to set it.
struct key_desc {
    std::string section;
    std::string key;
    setter set;
};

using config_detail::fail;
using config_detail::read_secret_file;
using config_detail::trim;

std::uint64_t parse_uint(const std::string& name, const std::string& v, std::uint64_t max) {
    if (v.empty() || !std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); }))
        fail(name, "expected a whole number, got \"" + v + "\"");
    std::uint64_t n = 0;
    try {
        n = std::stoull(v);
    } catch (const std::exception&) {
        fail(name, "number out of range");
    }
    if (n > max) fail(name, "must be at most " + std::to_string(max));
    return n;
}

double parse_double(const std::string& name, const std::string& v) {
    try {
        std::size_t pos = 0;
        double d = std::stod(v, &pos);
        if (pos != v.size()) throw std::invalid_argument(v);
        return d;
    } catch (const std::exception&) {
        fail(name, "expected a number, got \"" + v + "\"");
    }
}

bool parse_bool(const std::string& name, const std::string& v) {
    if (v == "true" || v == "1" || v == "yes") return true;
    if (v == "false" || v == "0" || v == "no") return false;
    fail(name, "expected true or false, got \"" + v + "\"");
}

void check_hhmm(const std::string& name, const std::string& v) {
    if (v.size() != 5 || v[2] != ':' || !std::isdigit(static_cast<unsigned char>(v[0])) ||
        !std::isdigit(static_cast<unsigned char>(v[1])) || !std::isdigit(static_cast<unsigned char>(v[3])) ||
        !std::isdigit(static_cast<unsigned char>(v[4])) || std::stoi(v.substr(0, 2)) > 23 ||
        std::stoi(v.substr(3, 2)) > 59)
        fail(name, "expected HH:MM, got \"" + v + "\"");
}

// Secret file keys: the file is read once the whole file and environment are known.
struct pending_secrets {
    std::string oa_secret_key_file, app_secret_file, refresh_token_file;
};

std::vector<key_desc> scalar_keys(pending_secrets& ps) {
    std::vector<key_desc> k;
    auto add = [&](std::string section, std::string key, setter s) {
        k.push_back({std::move(section), std::move(key), std::move(s)});
    };
    // server
    add("server", "address", [](config& c, const std::string& v) {
        if (v.empty()) fail("server.address", "must not be empty");
        c.server.address = v;
    });
    add("server", "port", [](config& c, const std::string& v) {
        c.server.port = static_cast<std::uint16_t>(parse_uint("server.port", v, 65535));
    });
    add("server", "threads", [](config& c, const std::string& v) {
        c.server.threads = static_cast<unsigned>(parse_uint("server.threads", v, 256));
    });
    add("server", "readers", [](config& c, const std::string& v) {
        c.server.readers = static_cast<unsigned>(parse_uint("server.readers", v, 64));
        if (c.server.readers == 0) fail("server.readers", "must be at least 1");
    });
    add("server", "webhook_path", [](config& c, const std::string& v) {
        if (v.empty() || v[0] != '/') fail("server.webhook_path", "must start with /");
        c.server.webhook_path = v;
    });
    add("server", "body_limit", [](config& c, const std::string& v) {
        auto n = parse_uint("server.body_limit", v, 64ull * 1024 * 1024);
        if (n < 1024) fail("server.body_limit", "must be at least 1024 bytes");
        c.server.body_limit = n;
    });
    add("server", "admin_body_limit", [](config& c, const std::string& v) {
        auto n = parse_uint("server.admin_body_limit", v, 1024ull * 1024 * 1024);
        if (n < 1024) fail("server.admin_body_limit", "must be at least 1024 bytes");
        c.server.admin_body_limit = n;
    });
    add("server", "body_memory_limit", [](config& c, const std::string& v) {
        c.server.body_memory_limit = parse_uint("server.body_memory_limit", v, 64ull * 1024 * 1024 * 1024);
    });
    add("server", "max_connections", [](config& c, const std::string& v) {
        c.server.max_connections = static_cast<std::size_t>(parse_uint("server.max_connections", v, 1u << 24));
    });
    add("server", "read_timeout_s", [](config& c, const std::string& v) {
        auto n = parse_uint("server.read_timeout_s", v, 3600);
        if (n == 0) fail("server.read_timeout_s", "must be at least 1");
        c.server.read_timeout = std::chrono::seconds(n);
    });
    add("server", "idle_timeout_s", [](config& c, const std::string& v) {
        auto n = parse_uint("server.idle_timeout_s", v, 86400);
        if (n == 0) fail("server.idle_timeout_s", "must be at least 1");
        c.server.idle_timeout = std::chrono::seconds(n);
    });
    add("server", "shutdown_timeout_s", [](config& c, const std::string& v) {
        c.server.shutdown_timeout = std::chrono::seconds(parse_uint("server.shutdown_timeout_s", v, 3600));
    });
    add("server", "verification_file", [](config& c, const std::string& v) {
        if (v.find('/') != std::string::npos || v.find("..") != std::string::npos)
            fail("server.verification_file", "must be a plain file name");
        c.server.verification_file = v;
    });
    add("server", "verification_content", [](config& c, const std::string& v) { c.server.verification_content = v; });
    // storage
    add("storage", "path", [](config& c, const std::string& v) {
        if (v.empty()) fail("storage.path", "must not be empty");
        c.storage.path = v;
    });
    // zalo
    add("zalo", "app_id", [](config& c, const std::string& v) { c.zalo.app_id = v; });
    add("zalo", "oa_id", [](config& c, const std::string& v) { c.zalo.oa_id = v; });
    add("zalo", "oa_secret_key_file", [&ps](config&, const std::string& v) { ps.oa_secret_key_file = v; });
    add("zalo", "app_secret_file", [&ps](config&, const std::string& v) { ps.app_secret_file = v; });
    add("zalo", "refresh_token_file", [&ps](config&, const std::string& v) { ps.refresh_token_file = v; });
    auto base = [](std::string key, std::string config::zalo_section::*m) {
        return [key, m](config& c, const std::string& v) {
            if (v.rfind("https://", 0) != 0 && v.rfind("http://", 0) != 0)
                fail("zalo." + key, "must be an https:// URL");
            std::string u = v;
            while (!u.empty() && u.back() == '/') u.pop_back();
            c.zalo.*m = u;
        };
    };
    add("zalo", "api_base", base("api_base", &config::zalo_section::api_base));
    add("zalo", "oauth_base", base("oauth_base", &config::zalo_section::oauth_base));
    add("zalo", "zns_base", base("zns_base", &config::zalo_section::zns_base));
    add("zalo", "ca_file", [](config& c, const std::string& v) {
        if (!v.empty() && !std::filesystem::exists(v)) fail("zalo.ca_file", "file not found: " + v);
        c.zalo.ca_file = v;
    });
    add("zalo", "replay_window_s", [](config& c, const std::string& v) {
        auto n = parse_uint("zalo.replay_window_s", v, 30ull * 86400);
        if (n < 3600) fail("zalo.replay_window_s", "must be at least 3600 (Zalo retries for over an hour)");
        c.zalo.replay_window = std::chrono::seconds(n);
    });
    add("zalo", "redirect_uri", [](config& c, const std::string& v) { c.zalo.redirect_uri = v; });
    add("zalo", "rate_per_minute", [](config& c, const std::string& v) {
        auto n = parse_uint("zalo.rate_per_minute", v, 1000000);
        if (n == 0) fail("zalo.rate_per_minute", "must be at least 1");
        c.zalo.rate_per_minute = static_cast<unsigned>(n);
    });
    add("zalo", "max_attempts", [](config& c, const std::string& v) {
        auto n = parse_uint("zalo.max_attempts", v, 100);
        if (n == 0) fail("zalo.max_attempts", "must be at least 1");
        c.zalo.max_attempts = static_cast<unsigned>(n);
    });
    add("zalo", "retry_base_ms", [](config& c, const std::string& v) {
        auto n = parse_uint("zalo.retry_base_ms", v, 3600000);
        if (n == 0) fail("zalo.retry_base_ms", "must be at least 1");
        c.zalo.retry_base = std::chrono::milliseconds(n);
    });
    add("zalo", "retry_max_ms", [](config& c, const std::string& v) {
        auto n = parse_uint("zalo.retry_max_ms", v, 86400000);
        if (n == 0) fail("zalo.retry_max_ms", "must be at least 1");
        c.zalo.retry_max = std::chrono::milliseconds(n);
    });
    add("zalo", "sender_lanes", [](config& c, const std::string& v) {
        auto n = parse_uint("zalo.sender_lanes", v, 256);
        if (n == 0) fail("zalo.sender_lanes", "must be at least 1");
        c.zalo.sender_lanes = static_cast<unsigned>(n);
    });
    add("zalo", "token_refresh_margin_s", [](config& c, const std::string& v) {
        c.zalo.token_refresh_margin = std::chrono::seconds(parse_uint("zalo.token_refresh_margin_s", v, 86400));
    });
    add("zalo", "connect_timeout_ms", [](config& c, const std::string& v) {
        c.zalo.connect_timeout = std::chrono::milliseconds(parse_uint("zalo.connect_timeout_ms", v, 600000));
    });
    add("zalo", "request_timeout_ms", [](config& c, const std::string& v) {
        c.zalo.request_timeout = std::chrono::milliseconds(parse_uint("zalo.request_timeout_ms", v, 600000));
    });
    add("zalo", "zns_reminder_template", [](config& c, const std::string& v) { c.zalo.zns_reminder_template = v; });
    add("zalo", "zns_status_template", [](config& c, const std::string& v) { c.zalo.zns_status_template = v; });
    add("zalo", "broadcast_daily_quota", [](config& c, const std::string& v) {
        c.zalo.broadcast_daily_quota = static_cast<unsigned>(parse_uint("zalo.broadcast_daily_quota", v, 100000000));
    });
    add("zalo", "promotion_hours", [](config& c, const std::string& v) {
        // "HH:MM-HH:MM": when Zalo accepts promotion messages (broadcasts), local time; "24:00" ends the day.
        const auto dash = v.find('-');
        auto minute = [&](const std::string& hm) {
            if (hm == "24:00") return 24 * 60;
            check_hhmm("zalo.promotion_hours", hm);
            return std::stoi(hm.substr(0, 2)) * 60 + std::stoi(hm.substr(3, 2));
        };
        if (dash == std::string::npos) fail("zalo.promotion_hours", "expected HH:MM-HH:MM, got \"" + v + "\"");
        const int from = minute(trim(v.substr(0, dash))), to = minute(trim(v.substr(dash + 1)));
        if (to <= from) fail("zalo.promotion_hours", "the end must be after the start");
        c.zalo.promotion_first_minute = from;
        c.zalo.promotion_end_minute = to;
    });
    add("zalo", "simulator", [](config& c, const std::string& v) { c.zalo.simulator = parse_bool("zalo.simulator", v); });
    // kb
    add("kb", "dir", [](config& c, const std::string& v) { c.kb.dir = v; });
    add("kb", "shorthand_file", [](config& c, const std::string& v) { c.kb.shorthand_file = v; });
    add("kb", "spoken_file", [](config& c, const std::string& v) { c.kb.spoken_file = v; });
    add("kb", "model_cache", [](config& c, const std::string& v) { c.kb.model_cache = v; });
    // conversation
    add("conversation", "flood_limit_per_minute", [](config& c, const std::string& v) {
        auto n = parse_uint("conversation.flood_limit_per_minute", v, 10000);
        if (n == 0) fail("conversation.flood_limit_per_minute", "must be at least 1");
        c.conversation.flood_limit_per_minute = static_cast<unsigned>(n);
    });
    auto positive = [&](const char* key, unsigned config::conversation_section::*field) {
        add("conversation", key, [key, field](config& c, const std::string& v) {
            const std::string name = std::string("conversation.") + key;
            auto n = parse_uint(name, v, 100000);
            if (n == 0) fail(name, "must be at least 1");
            c.conversation.*field = static_cast<unsigned>(n);
        });
    };
    positive("link_attempts_per_hour", &config::conversation_section::link_attempts_per_hour);
    positive("link_attempts_per_hour_total", &config::conversation_section::link_attempts_per_hour_total);
    positive("link_code_max_failures", &config::conversation_section::link_code_max_failures);
    add("conversation", "dossier_code_pattern", [](config& c, const std::string& v) {
        if (v.empty()) fail("conversation.dossier_code_pattern", "must not be empty");
        c.conversation.dossier_code_pattern = v;
    });
    add("conversation", "portal_url", [](config& c, const std::string& v) { c.conversation.portal_url = v; });
    add("conversation", "hotline", [](config& c, const std::string& v) { c.conversation.hotline = v; });
    // time
    add("time", "utc_offset_minutes", [](config& c, const std::string& v) {
        int n = 0;
        const char* b = v.data();
        const char* e = v.data() + v.size();
        if (!v.empty() && *b == '+') ++b;
        auto [ptr, ec] = std::from_chars(b, e, n);
        if (ec != std::errc{} || ptr != e || b == e || n < -720 || n > 840)
            fail("time.utc_offset_minutes", "must be whole minutes between -720 and 840 (Viet Nam: 420)");
        c.time.utc_offset_minutes = n;
        c.reminders.utc_offset_minutes = n;  // the deprecated copy (config.hpp)
    });
    // reminders
    add("reminders", "interval_s", [](config& c, const std::string& v) {
        auto n = parse_uint("reminders.interval_s", v, 86400);
        if (n < 10) fail("reminders.interval_s", "must be at least 10");
        c.reminders.interval = std::chrono::seconds(n);
    });
    add("reminders", "due_soon_days", [](config& c, const std::string& v) {
        c.reminders.due_soon_days = static_cast<unsigned>(parse_uint("reminders.due_soon_days", v, 30));
    });
    add("reminders", "escalate_after_days", [](config& c, const std::string& v) {
        auto n = parse_uint("reminders.escalate_after_days", v, 60);
        if (n == 0) fail("reminders.escalate_after_days", "must be at least 1");
        c.reminders.escalate_after_days = static_cast<unsigned>(n);
    });
    add("reminders", "work_start", [](config& c, const std::string& v) {
        check_hhmm("reminders.work_start", v);
        c.reminders.work_start = v;
    });
    add("reminders", "work_end", [](config& c, const std::string& v) {
        check_hhmm("reminders.work_end", v);
        c.reminders.work_end = v;
    });
    add("reminders", "calendar_dir", [](config& c, const std::string& v) { c.reminders.calendar_dir = v; });
    // report
    add("report", "online_rate_target", [](config& c, const std::string& v) {
        c.report.online_rate_target = parse_double("report.online_rate_target", v);
    });
    add("report", "on_time_rate_target", [](config& c, const std::string& v) {
        c.report.on_time_rate_target = parse_double("report.on_time_rate_target", v);
    });
    // import (the tables inside [import] are read by read_import_tables)
    add("import", "folder", [](config& c, const std::string& v) { c.imports.folder = v; });
    add("import", "interval_s", [](config& c, const std::string& v) {
        auto n = parse_uint("import.interval_s", v, 7 * 86400);
        if (n < 5) fail("import.interval_s", "must be at least 5");
        c.imports.interval = std::chrono::seconds(n);
    });
    add("import", "times", [](config& c, const std::string& v) {
        c.imports.times.clear();
        std::stringstream ss(v);
        std::string t;
        while (std::getline(ss, t, ',')) {
            t = trim(t);
            if (t.empty()) continue;
            check_hhmm("import.times", t);
            c.imports.times.push_back(t);
        }
    });
    add("import", "settle_s", [](config& c, const std::string& v) {
        c.imports.settle = std::chrono::seconds(parse_uint("import.settle_s", v, 3600));
    });
    add("import", "chunk_rows", [](config& c, const std::string& v) {
        auto n = parse_uint("import.chunk_rows", v, 1000000);
        if (n < 10) fail("import.chunk_rows", "must be at least 10");
        c.imports.chunk_rows = n;
    });
    // console
    add("console", "public_url", [](config& c, const std::string& v) {
        std::string u = v;
        while (!u.empty() && u.back() == '/') u.pop_back();
        if (!u.empty() && u.rfind("https://", 0) != 0 && u.rfind("http://", 0) != 0)
            fail("console.public_url", "must be an https:// URL (http:// only for a test on this machine)");
        if (u.find_first_of(" ?#\"<>") != std::string::npos) fail("console.public_url", "must be a plain URL without query");
        c.console.public_url = u;
    });
    add("console", "session_idle_s", [](config& c, const std::string& v) {
        auto n = parse_uint("console.session_idle_s", v, 7 * 86400);
        if (n < 60) fail("console.session_idle_s", "must be at least 60");
        c.console.session_idle = std::chrono::seconds(n);
    });
    add("console", "session_max_s", [](config& c, const std::string& v) {
        auto n = parse_uint("console.session_max_s", v, 30 * 86400);
        if (n < 60) fail("console.session_max_s", "must be at least 60");
        c.console.session_max = std::chrono::seconds(n);
    });
    add("console", "link_requests_per_hour", [](config& c, const std::string& v) {
        auto n = parse_uint("console.link_requests_per_hour", v, 100);
        if (n == 0) fail("console.link_requests_per_hour", "must be at least 1");
        c.console.link_requests_per_hour = static_cast<unsigned>(n);
    });
    // top-level
    add("", "templates_dir", [](config& c, const std::string& v) { c.templates_dir = v; });
    return k;
}

std::string env_name(const key_desc& d) {
    std::string n = "CCHCBOT_";
    if (!d.section.empty()) n += d.section + "_";
    n += d.key;
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::toupper(c); });
    return n;
}

std::string node_to_string(const std::string& name, const toml::node& n) {
    if (auto s = n.value<std::string>(); s && n.is_string()) return *s;
    if (n.is_integer()) return std::to_string(*n.value<std::int64_t>());
    if (n.is_floating_point()) {
        std::ostringstream os;
        os << *n.value<double>();
        return os.str();
    }
    if (n.is_boolean()) return *n.value<bool>() ? "true" : "false";
    if (name == "import.times" && n.is_array()) {
        std::string joined;
        for (auto&& el : *n.as_array()) {
            auto s = el.value<std::string>();
            if (!s || !el.is_string()) fail(name, "expected strings \"HH:MM\"");
            joined += (joined.empty() ? "" : ",") + *s;
        }
        return joined;
    }
    fail(name, "expected a single value");
}

}  // namespace

void config_detail::read_locality_table(const toml::table& t, const std::string& ctx, std::map<std::string, std::string>& out) {
    for (auto&& [k, v] : t) out[std::string(k.str())] = node_to_string(ctx + "." + std::string(k.str()), v);
}

namespace {

std::string required_string(const toml::table& t, const std::string& ctx, const char* key) {
    auto v = t[key].value<std::string>();
    if (!v || v->empty()) fail(ctx + "." + key, "missing or not a string");
    return *v;
}

// [import.columns] field = "Header" or ["Header", ...]; [import.units] / [import.statuses] /
// [import.channels] "as exported" = "id". Values are checked here; unit ids once units are known.
void read_import_tables(const toml::table& imp, config& cfg) {
    static const std::vector<std::string> fields = {"ma_ho_so", "thu_tuc", "linh_vuc", "cap", "don_vi", "kenh", "ngay_nhan",
                                                    "han_tra", "ngay_tra", "can_bo", "so_dien_thoai", "trang_thai"};
    static const std::vector<std::string> states = {"received", "processing", "supplement", "result_ready", "returned", "withdrawn"};
    static const std::vector<std::string> channels = {"truc_tuyen", "truc_tiep", "bcci"};
    auto table = [&](const char* key) -> const toml::table* {
        const toml::node* n = imp.get(key);
        if (!n) return nullptr;
        if (!n->is_table()) fail(std::string("import.") + key, "must be a table");
        return n->as_table();
    };
    if (const auto* t = table("columns")) {
        for (auto&& [k, v] : *t) {
            const std::string field(k.str()), name = "import.columns." + field;
            if (std::find(fields.begin(), fields.end(), field) == fields.end())
                fail(name, "unknown field (one of ma_ho_so, thu_tuc, linh_vuc, cap, don_vi, kenh, ngay_nhan, han_tra, ngay_tra, "
                           "can_bo, so_dien_thoai, trang_thai)");
            auto& out = cfg.imports.columns[field];
            if (auto s = v.value<std::string>(); s && v.is_string()) {
                out.push_back(*s);
            } else if (auto* arr = v.as_array()) {
                for (auto&& el : *arr) {
                    auto e = el.value<std::string>();
                    if (!e || !el.is_string()) fail(name, "expected a header name or a list of them");
                    out.push_back(*e);
                }
            } else {
                fail(name, "expected a header name or a list of them");
            }
        }
    }
    auto words = [&](const char* key, std::map<std::string, std::string>& out, const std::vector<std::string>* allowed) {
        const auto* t = table(key);
        if (!t) return;
        for (auto&& [k, v] : *t) {
            const std::string name = std::string("import.") + key + ".\"" + std::string(k.str()) + "\"";
            auto s = v.value<std::string>();
            if (!s || !v.is_string() || s->empty()) fail(name, "expected a string");
            if (allowed && std::find(allowed->begin(), allowed->end(), *s) == allowed->end()) {
                std::string list;
                for (const auto& a : *allowed) list += (list.empty() ? "" : ", ") + a;
                fail(name, "\"" + *s + "\" is not one of " + list);
            }
            out[std::string(k.str())] = *s;
        }
    };
    words("units", cfg.imports.units, nullptr);
    words("statuses", cfg.imports.statuses, &states);
    words("channels", cfg.imports.channels, &channels);
}

}  // namespace

void apply_demo_defaults(config& cfg) {
    // The demo (and a file that configures no units) runs on the example's structure: Yên Thế
    // district in 2023 and Bắc Ninh's communes today, in one file.
    if (cfg.units.empty() && cfg.levels.empty()) config_detail::read_example_structure(cfg);
}

std::string find_install_root(const std::string& exe_path, const std::vector<std::string>& places) {
    namespace fs = std::filesystem;
    std::error_code ec;
    auto holds_templates = [&ec](const fs::path& dir) { return !dir.empty() && fs::is_directory(dir / "templates" / "messages", ec); };
    if (!exe_path.empty()) {
        const fs::path dir = fs::absolute(fs::path(exe_path), ec).parent_path();
        // The executable beside templates/ (a flat install), or one folder down (build/, bin/).
        for (const fs::path& candidate : {dir, dir.parent_path()})
            if (holds_templates(candidate)) return candidate.lexically_normal().string();
    }
    for (const auto& p : places)
        if (holds_templates(p)) return fs::path(p).lexically_normal().string();
    return {};
}

const std::vector<std::string>& default_install_places() {
    static const std::vector<std::string> places = {"/opt/cchcbot", "/usr/local/share/cchcbot", "/usr/share/cchcbot"};
    return places;
}

namespace {

// Anchors the paths the file and the environment left at their relative defaults: templates
// and data are found from the installation, not from whatever folder the command runs in.
void anchor_paths(config& cfg, const std::string& install_root) {
    const config defaults;
    if (!install_root.empty() && cfg.templates_dir == defaults.templates_dir)
        cfg.templates_dir = install_root + "/templates";
    if (cfg.templates_dir != defaults.templates_dir) {
        auto follow = [&cfg](std::string& value, const std::string& default_value, const char* below) {
            if (value == default_value) value = cfg.templates_dir + below;
        };
        follow(cfg.kb.dir, defaults.kb.dir, "/kb");
        follow(cfg.kb.shorthand_file, defaults.kb.shorthand_file, "/shorthand.tsv");
        follow(cfg.kb.spoken_file, defaults.kb.spoken_file, "/spoken.tsv");
        follow(cfg.reminders.calendar_dir, defaults.reminders.calendar_dir, "/calendar");
    }
    if (!install_root.empty() && cfg.storage.path == defaults.storage.path)
        cfg.storage.path = install_root + "/" + defaults.storage.path;
}

}  // namespace

config load_config_from(const std::string& toml_text, const std::map<std::string, std::string>& env, bool demo,
                        const std::string& install_root) {
    config cfg;
    cfg.demo = demo;
    pending_secrets ps;
    auto keys = scalar_keys(ps);

    toml::table root;
    try {
        root = toml::parse(toml_text);
    } catch (const toml::parse_error& e) {
        std::ostringstream os;
        os << "configuration: line " << e.source().begin.line << ": " << e.description();
        throw config_error(os.str());
    }

    static const std::vector<std::string> sections = {"server", "storage", "zalo", "kb", "conversation",
                                                      "reminders", "report", "locality", "levels", "units", "oa", "api",
                                                      "calendar", "import", "time", "console"};
    for (auto&& [k, v] : root) {
        std::string key(k.str());
        bool known_section = std::find(sections.begin(), sections.end(), key) != sections.end();
        bool known_top = std::any_of(keys.begin(), keys.end(), [&](const key_desc& d) { return d.section.empty() && d.key == key; });
        if (!known_section && !known_top && key != "demo") fail(key, "unknown key");
        (void)v;
    }

    // Scalars from the file.
    for (const auto& d : keys) {
        const toml::node* n = nullptr;
        if (d.section.empty()) {
            n = root.get(d.key);
        } else if (auto* sec = root.get_as<toml::table>(d.section)) {
            n = sec->get(d.key);
        }
        std::string name = d.section.empty() ? d.key : d.section + "." + d.key;
        if (n) d.set(cfg, node_to_string(name, *n));
    }
    // Unknown keys inside known scalar sections, and secrets put straight into the file.
    for (const char* sec_name : {"server", "storage", "zalo", "kb", "conversation", "reminders", "report", "import", "time", "console"}) {
        auto* sec = root.get_as<toml::table>(sec_name);
        if (!sec) continue;
        for (auto&& [k, v] : *sec) {
            std::string key(k.str());
            std::string name = std::string(sec_name) + "." + key;
            if (name == "zalo.oa_secret_key" || name == "zalo.app_secret" || name == "zalo.refresh_token")
                fail(name, "secrets may not be written in the file; use " + name + "_file or the environment");
            bool known = std::any_of(keys.begin(), keys.end(), [&](const key_desc& d) { return d.section == sec_name && d.key == key; });
            if (name == "import.columns" || name == "import.units" || name == "import.statuses" || name == "import.channels")
                known = true;
            if (!known) fail(name, "unknown key");
            (void)v;
        }
    }

    // Environment overrides.
    for (const auto& d : keys) {
        auto it = env.find(env_name(d));
        if (it != env.end()) d.set(cfg, it->second);
    }

    anchor_paths(cfg, install_root);

    // Secrets: the environment variable holds the value itself; else the configured file.
    auto secret = [&](const char* env_key, const std::string& file, const char* file_key, std::string& out) {
        if (auto it = env.find(env_key); it != env.end() && !it->second.empty()) {
            out = trim(it->second);
        } else if (!file.empty()) {
            out = read_secret_file(file_key, file);
        }
    };
    auto file_env = [&](const char* env_key, std::string& file) {
        if (auto it = env.find(env_key); it != env.end()) file = it->second;
    };
    file_env("CCHCBOT_ZALO_OA_SECRET_KEY_FILE", ps.oa_secret_key_file);
    file_env("CCHCBOT_ZALO_APP_SECRET_FILE", ps.app_secret_file);
    file_env("CCHCBOT_ZALO_REFRESH_TOKEN_FILE", ps.refresh_token_file);
    secret("CCHCBOT_ZALO_OA_SECRET_KEY", ps.oa_secret_key_file, "zalo.oa_secret_key_file", cfg.zalo.oa_secret_key);
    secret("CCHCBOT_ZALO_APP_SECRET", ps.app_secret_file, "zalo.app_secret_file", cfg.zalo.app_secret);
    secret("CCHCBOT_ZALO_REFRESH_TOKEN", ps.refresh_token_file, "zalo.refresh_token_file", cfg.zalo.refresh_token);

    // Locality placeholders.
    if (auto* loc = root.get_as<toml::table>("locality")) config_detail::read_locality_table(*loc, "locality", cfg.locality);
    // Local calendar changes.
    if (auto* cal = root.get("calendar")) {
        if (!cal->is_table()) fail("calendar", "must be a table with extra_days_off and extra_work_days");
        for (auto&& [k, v] : *cal->as_table()) {
            std::string key(k.str());
            std::vector<calendar_day_config>* out = key == "extra_days_off"    ? &cfg.calendar.extra_days_off
                                                    : key == "extra_work_days" ? &cfg.calendar.extra_work_days
                                                                               : nullptr;
            if (!out) fail("calendar." + key, "unknown key (extra_days_off, extra_work_days)");
            auto* arr = v.as_array();
            if (!arr) fail("calendar." + key, "must be a list of { date = \"YYYY-MM-DD\", name = \"...\" }");
            std::size_t i = 0;
            for (auto&& el : *arr) {
                std::string ctx = "calendar." + key + "[" + std::to_string(i++) + "]";
                auto* t = el.as_table();
                if (!t) fail(ctx, "must be { date = \"YYYY-MM-DD\", name = \"...\" }");
                for (auto&& [ek, ev] : *t) {
                    if (ek.str() != "date" && ek.str() != "name") fail(ctx + "." + std::string(ek.str()), "unknown key (date, name)");
                    (void)ev;
                }
                calendar_day_config d{required_string(*t, ctx, "date"), required_string(*t, ctx, "name")};
                if (!parse_iso_date(d.date)) fail(ctx + ".date", "must be a real date YYYY-MM-DD");
                out->push_back(std::move(d));
            }
        }
        for (const auto& off : cfg.calendar.extra_days_off)
            for (const auto& work : cfg.calendar.extra_work_days)
                if (off.date == work.date)
                    fail("calendar", off.date + " is both in extra_days_off and extra_work_days");
    }
    // The administrative structure and the Official Accounts (bot/core/config_structure.cpp).
    config_detail::read_structure(root, cfg);
    config_detail::read_official_accounts(root, env, cfg);
    // [import] tables: more header names per field, unit names, status and channel words.
    if (auto* imp = root.get_as<toml::table>("import")) read_import_tables(*imp, cfg);
    // Admin API tokens.
    if (auto* api = root.get_as<toml::table>("api")) {
        for (auto&& [k, v] : *api) {
            if (k.str() != "tokens") fail("api." + std::string(k.str()), "unknown key");
            (void)v;
        }
        if (auto* arr = (*api)["tokens"].as_array()) {
            std::size_t i = 0;
            for (auto&& el : *arr) {
                std::string ctx = "api.tokens[" + std::to_string(i++) + "]";
                auto* t = el.as_table();
                if (!t) fail(ctx, "must be a table");
                for (auto&& [tk, tv] : *t) {
                    const std::string key(tk.str());
                    if (key != "name" && key != "role" && key != "hash" && key != "units") fail(ctx + "." + key, "unknown key");
                    (void)tv;
                }
                api_token_config tok{required_string(*t, ctx, "name"), required_string(*t, ctx, "role"),
                                     required_string(*t, ctx, "hash"), {}};
                if (const auto* us = t->get("units")) {
                    const auto* arr_units = us->as_array();
                    if (!arr_units) fail(ctx + ".units", "must be a list of unit ids");
                    for (auto&& u : *arr_units) {
                        auto id = u.value<std::string>();
                        if (!id || !u.is_string() || id->empty()) fail(ctx + ".units", "must be a list of unit ids");
                        tok.units.push_back(*id);
                    }
                }
                if (tok.units.empty() && tok.role != "admin")
                    fail(ctx + ".units", "required for role \"" + tok.role +
                                             "\": list the unit ids this token serves (a unit covers the units below it)");
                static const std::vector<std::string> roles = {"admin", "operator", "propaganda", "viewer"};
                if (std::find(roles.begin(), roles.end(), tok.role) == roles.end())
                    fail(ctx + ".role", "must be admin, operator, propaganda or viewer");
                if (tok.hash.rfind("sha256$", 0) != 0 || std::count(tok.hash.begin(), tok.hash.end(), '$') != 2)
                    fail(ctx + ".hash", "must be sha256$<salt>$<hex>; make one with `cchcbot token hash`");
                cfg.api_tokens.push_back(std::move(tok));
            }
        }
    }

    apply_demo_defaults(cfg);
    if (demo && cfg.oa_tables.empty()) {
        if (cfg.zalo.app_id.empty()) cfg.zalo.app_id = "4318236017283542938";
        if (cfg.zalo.oa_id.empty()) cfg.zalo.oa_id = "1032900368205294478";
    }

    // Cross-key validation.
    config_detail::validate_structure(cfg);
    for (const auto& [name, id] : cfg.imports.units)
        if (!cfg.find_unit(id)) fail("import.units", "\"" + name + "\" names unknown unit \"" + id + "\"");
    for (std::size_t i = 0; i < cfg.api_tokens.size(); ++i)
        for (const auto& u : cfg.api_tokens[i].units)
            if (!cfg.find_unit(u))
                fail("api.tokens[" + std::to_string(i) + "].units", "unknown unit \"" + u + "\"");
    if (cfg.server.body_memory_limit < std::max(cfg.server.body_limit, cfg.server.admin_body_limit))
        fail("server.body_memory_limit", "must be at least server.body_limit and server.admin_body_limit (" +
                                             std::to_string(std::max(cfg.server.body_limit, cfg.server.admin_body_limit)) +
                                             " bytes), or no request of that size could ever be read");
    if (cfg.reminders.work_start >= cfg.reminders.work_end)
        fail("reminders.work_start", "must be before reminders.work_end");
    if (cfg.server.threads == 0) cfg.server.threads = std::max(1u, std::thread::hardware_concurrency());
    return cfg;
}

config load_config(const config_source& src) {
    std::map<std::string, std::string> env;
    for (char** e = environ; e && *e; ++e) {
        std::string kv(*e);
        auto eq = kv.find('=');
        if (eq != std::string::npos && kv.rfind("CCHCBOT_", 0) == 0) env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    std::string path;
    bool required = false;
    if (src.file) {
        path = *src.file;
        required = true;
    } else if (auto it = env.find("CCHCBOT_CONFIG"); it != env.end() && !it->second.empty()) {
        path = it->second;
        required = true;
    } else {
        path = "cchcbot.toml";
    }
    std::string text;
    if (std::filesystem::exists(path)) {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw config_error("configuration: cannot read " + path);
        std::stringstream ss;
        ss << in.rdbuf();
        text = ss.str();
    } else if (required) {
        throw config_error("configuration: file not found: " + path);
    }
    return load_config_from(text, env, src.demo, src.install_root);
}

}  // namespace bot

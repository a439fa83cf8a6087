// Shared test helpers.
#include "tests/test_support.hpp"

#include "bot/http/admin_api.hpp"
#include "bot/core/local_time.hpp"
#include "storage/database.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <future>
#include <random>
#include <sstream>
#include <sys/wait.h>

namespace test {

temp_dir::temp_dir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("cchcbot-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
}

temp_dir::~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::unique_ptr<SQLite::Database> memory_db() { return storage::open_database(":memory:"); }

std::string source_dir() { return BOT_SOURCE_DIR; }

bot::config test_config(const std::map<std::string, std::string>& env) {
    std::map<std::string, std::string> e = {{"CCHCBOT_ZALO_OA_SECRET_KEY", "test-oa-secret-key-made-by-the-test"},
                                            {"CCHCBOT_ZALO_APP_ID", "1234567890123456789"}};
    for (const auto& [k, v] : env) e[k] = v;
    // Tests never reach Zalo: unless a test points these at its simulator, they go to a closed
    // loopback port.
    e.emplace("CCHCBOT_ZALO_API_BASE", "https://127.0.0.1:9");
    e.emplace("CCHCBOT_ZALO_OAUTH_BASE", "https://127.0.0.1:9");
    e.emplace("CCHCBOT_ZALO_ZNS_BASE", "https://127.0.0.1:9");
    auto cfg = bot::load_config_from("", e, true);
    cfg.templates_dir = source_dir() + "/templates";
    cfg.kb.dir = source_dir() + "/templates/kb";
    cfg.kb.shorthand_file = source_dir() + "/templates/shorthand.tsv";
    cfg.reminders.calendar_dir = source_dir() + "/templates/calendar";
    return cfg;
}

std::unique_ptr<test_env> make_test_env(bot::config cfg) {
    auto t = std::make_unique<test_env>();
    t->now = bot::unix_ms_of({2026, 11, 27}, 9 * 60);  // a Friday, 09:00 local
    t->env = bot::app::make_environment(std::move(cfg));
    auto* raw = t.get();
    t->env->clock = [raw] { return raw->now; };
    return t;
}

bot::http_response call_api(bot::admin_api& api, const std::string& method, const std::string& target,
                            const std::string& token, const std::string& body) {
    bot::http_request req;
    req.method = method;
    req.target = target;
    const auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = bot::parse_query(target.substr(q + 1));
    req.body = body;
    req.headers["Authorization"] = "Bearer " + token;
    std::promise<bot::http_response> p;
    auto f = p.get_future();
    api.handle(std::move(req), [&p](bot::http_response r) { p.set_value(std::move(r)); });
    return f.get();
}

void write_file(const std::string& path, const std::string& content) {
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    std::ofstream out(path, std::ios::binary);
    out << content;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int run(const std::string& command, std::string& output) {
    output.clear();
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (!p) return -1;
    std::array<char, 4096> buf{};
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) output.append(buf.data(), n);
    int status = ::pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace test

// Shared test helpers.
#include "tests/test_support.hpp"

#include "bot/http/admin_api.hpp"
#include "bot/core/local_time.hpp"
#include "storage/database.hpp"

#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
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

namespace {

// The structure most tests use: one period, no dates, the district desk above three communes
// (a single-period file keeps working: each commune sits below the only district unit).
const char* const single_period_structure = R"TOML(
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
address = "Trung tâm Phục vụ hành chính công huyện, số 1 đường Trung tâm"
phone = "0204 3870 000"
[[units]]
id = "tan_soi"
name = "xã Tân Sỏi"
level = "xa"
villages = ["thôn Đồng Điều", "thôn Đồng Cả", "thôn Tân Lập", "thôn Trại Nập"]
address = "UBND xã Tân Sỏi"
phone = "0204 3870 101"
[[units]]
id = "dong_son"
name = "xã Đồng Sơn"
level = "xa"
villages = ["thôn Đồng Sơn", "thôn Hố Sâu", "thôn Đồng Bục"]
address = "UBND xã Đồng Sơn"
phone = "0204 3870 102"
[[units]]
id = "bo_ha"
name = "thị trấn Bố Hạ"
level = "xa"
villages = ["tổ dân phố Hạ", "tổ dân phố Thống Nhất", "tổ dân phố Đồng Bụt"]
address = "UBND thị trấn Bố Hạ"
phone = "0204 3870 103"
)TOML";

std::map<std::string, std::string> test_environment(const std::map<std::string, std::string>& env) {
    std::map<std::string, std::string> e = {{"CCHCBOT_TEMPLATES_DIR", source_dir() + "/templates"}};
    // The model cache the tests share (tests/main.cpp), unless the test names its own.
    if (const char* cache = std::getenv("CCHCBOT_KB_MODEL_CACHE")) e["CCHCBOT_KB_MODEL_CACHE"] = cache;
    for (const auto& [k, v] : env) e[k] = v;
    // Tests never reach Zalo: unless a test points these at its simulator, they go to a closed
    // loopback port.
    e.emplace("CCHCBOT_ZALO_API_BASE", "https://127.0.0.1:9");
    e.emplace("CCHCBOT_ZALO_OAUTH_BASE", "https://127.0.0.1:9");
    e.emplace("CCHCBOT_ZALO_ZNS_BASE", "https://127.0.0.1:9");
    return e;
}

void use_source_templates(bot::config& cfg) {
    cfg.templates_dir = source_dir() + "/templates";
    cfg.kb.dir = source_dir() + "/templates/kb";
    cfg.kb.shorthand_file = source_dir() + "/templates/shorthand.tsv";
    cfg.kb.spoken_file = source_dir() + "/templates/spoken.tsv";
    cfg.reminders.calendar_dir = source_dir() + "/templates/calendar";
}

}  // namespace

std::string single_period_toml() { return single_period_structure; }

namespace {

// A configuration from `toml` with the one [zalo] OA's test secrets (`env` wins).
bot::config with_test_secrets(const std::string& toml, const std::map<std::string, std::string>& env) {
    std::map<std::string, std::string> e = {{"CCHCBOT_ZALO_OA_SECRET_KEY", "test-oa-secret-key-made-by-the-test"},
                                            {"CCHCBOT_ZALO_APP_ID", "1234567890123456789"}};
    for (const auto& [k, v] : env) e[k] = v;
    auto cfg = bot::load_config_from(toml, test_environment(e), true);
    use_source_templates(cfg);
    return cfg;
}

}  // namespace

bot::config test_config(const std::map<std::string, std::string>& env) {
    auto cfg = with_test_secrets(single_period_structure, env);
    // The demo's data belongs to the demo's structure (demo_config); a test seeds what it needs.
    cfg.demo = false;
    return cfg;
}

bot::config demo_config(const std::map<std::string, std::string>& env) { return with_test_secrets("", env); }

bot::config example_config(const std::map<std::string, std::string>& env) {
    std::map<std::string, std::string> e;
    for (const char* oa : {"YEN_THE", "BO_HA"}) {
        const std::string p = std::string("CCHCBOT_OA_") + oa + "_";
        e[p + "OA_SECRET_KEY"] = std::string("test-oa-secret-key-of-") + oa;
        e[p + "APP_SECRET"] = std::string("test-app-secret-of-") + oa;
    }
    for (const auto& [k, v] : env) e[k] = v;
    auto cfg = bot::load_config_from(read_file(source_dir() + "/templates/cchcbot.example.toml"), test_environment(e), false);
    use_source_templates(cfg);
    cfg.storage.path = ":memory:";
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

cli_deployment::cli_deployment(std::string env, const std::string& config_toml) : env_(std::move(env)) {
    write_file(config, config_toml);
}

int cli_deployment::operator()(const std::string& args, std::string& out) const {
    return run("cd '" + source_dir() + "' && CCHCBOT_CONFIG='" + config + "' CCHCBOT_STORAGE_PATH='" + db + "' " + env_ +
                   (env_.empty() ? "" : " ") + "'" + CCHCBOT_EXE + "' " + args,
               out);
}

std::string cli_deployment::ok(const std::string& args) const {
    std::string out;
    const int rc = (*this)(args, out);
    INFO(args << "\n" << out);
    REQUIRE(rc == 0);
    return out;
}

std::int64_t cli_deployment::count(const std::string& sql) const {
    auto conn = storage::open_database(db);
    SQLite::Statement q(*conn, sql);
    q.executeStep();
    return q.getColumn(0).getInt64();
}

}  // namespace test

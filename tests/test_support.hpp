// Shared test helpers: temporary folders, a migrated in-memory database, a test environment.
#pragma once

#include "bot/app/app.hpp"
#include "bot/http/http_types.hpp"

#include <SQLiteCpp/Database.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace test {

/// A fresh temporary folder, removed when the object goes.
class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

/// An in-memory database with every migration applied.
[[nodiscard]] std::unique_ptr<SQLite::Database> memory_db();

/// The repository root (tests run there; templates/ resolve from it).
[[nodiscard]] std::string source_dir();

/// A single-period configuration (a district desk above three communes, no dates, one OA) with
/// test secrets: what most tests run on.
[[nodiscard]] bot::config test_config(const std::map<std::string, std::string>& env = {});
/// The single-period structure of test_config() as a configuration file's text (for tests that
/// run the executable as a deployment of one period, such as the 2023 seed month).
[[nodiscard]] std::string single_period_toml();
/// The demo's configuration (an empty file in demo mode: the example's structure, both periods)
/// with test secrets for its one [zalo] OA.
[[nodiscard]] bot::config demo_config(const std::map<std::string, std::string>& env = {});
/// templates/cchcbot.example.toml as shipped (both periods, two OAs) with test secrets in the
/// environment and an in-memory storage path.
[[nodiscard]] bot::config example_config(const std::map<std::string, std::string>& env = {});

/// An environment on a test configuration with a fixed, settable clock.
struct test_env {
    std::unique_ptr<bot::app::environment> env;
    std::int64_t now = 0;  ///< what env->clock returns (Unix ms); set it freely
};
[[nodiscard]] std::unique_ptr<test_env> make_test_env(bot::config cfg = test_config());

/// Sends a request through the admin API (bearer `token`) and waits for its answer. `target`
/// may carry a query string ("/api/v1/reports?from=...").
[[nodiscard]] bot::http_response call_api(bot::admin_api& api, const std::string& method, const std::string& target,
                                          const std::string& token, const std::string& body = {});

/// Writes a file (creating folders).
void write_file(const std::string& path, const std::string& content);
/// Reads a whole file.
[[nodiscard]] std::string read_file(const std::string& path);

/// Runs a shell command, returns its exit status; stdout+stderr go to `output`.
int run(const std::string& command, std::string& output);

/// The `cchcbot` executable run as a deployment of its own: a temporary folder with its database
/// and a configuration file (the single-period structure unless given), run from the repository
/// root with `env` ("NAME=value ..." assignments) before every command.
class cli_deployment {
public:
    explicit cli_deployment(std::string env = {}, const std::string& config_toml = single_period_toml());
    /// Runs `cchcbot <args>`; returns its exit status, stdout+stderr in `out`.
    int operator()(const std::string& args, std::string& out) const;
    /// Runs `cchcbot <args>`, requires exit status 0 and returns the output.
    std::string ok(const std::string& args) const;
    /// The first column of the first row of `sql` on the deployment's database.
    [[nodiscard]] std::int64_t count(const std::string& sql) const;

    temp_dir dir;
    std::string db = dir.file("cli.db");
    std::string config = dir.file("cchcbot.toml");

private:
    std::string env_;
};

}  // namespace test

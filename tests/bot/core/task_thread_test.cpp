// The task thread: tasks in order, on a read-only connection, finished before stop returns.
#include "bot/core/task_thread.hpp"

#include "storage/database.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>

#include <future>
#include <stdexcept>
#include <vector>

TEST_CASE("the task thread runs tasks in the order posted and finishes them before it stops", "[core]") {
    test::temp_dir dir;
    const std::string path = dir.file("tasks.db");
    storage::open_database(path, true).reset();
    std::vector<int> seen;  // only the task thread touches it until stop() has joined
    bot::task_thread tasks(path);
    for (int i = 0; i < 5; ++i) REQUIRE(tasks.post([&seen, i](SQLite::Database&) { seen.push_back(i); }));
    tasks.stop();
    CHECK(seen == std::vector<int>{0, 1, 2, 3, 4});
    CHECK_FALSE(tasks.post([&seen](SQLite::Database&) { seen.push_back(99); }));  // after stop: dropped
    tasks.stop();
    CHECK(seen.size() == 5);
}

TEST_CASE("a task reads on a connection that refuses writes, and one that throws does not stop the next", "[core]") {
    test::temp_dir dir;
    const std::string path = dir.file("tasks.db");
    storage::open_database(path, true).reset();
    bot::task_thread tasks(path);
    std::promise<bool> refused;
    REQUIRE(tasks.post([](SQLite::Database&) { throw std::runtime_error("a task that fails"); }));
    REQUIRE(tasks.post([&refused](SQLite::Database& db) {
        try {
            db.exec("CREATE TABLE t (x)");
            refused.set_value(false);
        } catch (const std::exception&) {
            refused.set_value(true);
        }
    }));
    CHECK(refused.get_future().get());
}

#include "bot/core/log_limiter.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

struct captured {
    std::vector<std::string> lines;
    bot::log_limiter limiter{std::chrono::seconds(60),
                             [this](bot::log_level, std::string_view l) { lines.emplace_back(l); }};
};

using clock_t_ = bot::log_limiter::clock;

}  // namespace

TEST_CASE("a repeated line is logged once and its repeats are counted, not written", "[log_limiter]") {
    captured c;
    const auto t0 = clock_t_::time_point{};
    for (int i = 0; i < 100000; ++i) c.limiter.log(bot::log_level::warn, "accept", "accept failed: Too many open files", t0);
    REQUIRE(c.lines.size() == 1);
    CHECK(c.lines[0] == "accept failed: Too many open files");
    CHECK(c.limiter.suppressed("accept") == 99999);
}

TEST_CASE("a change of state logs the count of the previous state, then the new line", "[log_limiter]") {
    captured c;
    const auto t0 = clock_t_::time_point{};
    c.limiter.log(bot::log_level::warn, "refresh", "token refresh failed: timeout", t0);
    c.limiter.log(bot::log_level::warn, "refresh", "token refresh failed: timeout", t0 + std::chrono::seconds(1));
    c.limiter.log(bot::log_level::warn, "refresh", "token refresh failed: timeout", t0 + std::chrono::seconds(3));
    c.limiter.log(bot::log_level::warn, "refresh", "token refresh failed: HTTP 503", t0 + std::chrono::seconds(4));
    REQUIRE(c.lines.size() == 3);
    CHECK(c.lines[1] == "token refresh failed: timeout (repeated 2 times in the last 4 s)");
    CHECK(c.lines[2] == "token refresh failed: HTTP 503");
}

TEST_CASE("a lasting state is summarised once per period", "[log_limiter]") {
    captured c;
    const auto t0 = clock_t_::time_point{};
    for (int s = 0; s <= 150; ++s)
        c.limiter.log(bot::log_level::warn, "outbox", "outbox: Zalo unreachable", t0 + std::chrono::seconds(s));
    // The first line, then one summary at 60 s and one at 120 s.
    REQUIRE(c.lines.size() == 3);
    CHECK(c.lines[1] == "outbox: Zalo unreachable (repeated 60 times in the last 60 s)");
    CHECK(c.lines[2] == "outbox: Zalo unreachable (repeated 60 times in the last 60 s)");
    CHECK(c.limiter.suppressed("outbox") == 30);
}

TEST_CASE("recovery logs the pending count and the recovery line, and the next failure is new", "[log_limiter]") {
    captured c;
    const auto t0 = clock_t_::time_point{};
    c.limiter.ok("accept", "accepting again", t0);  // healthy already: nothing to say
    CHECK(c.lines.empty());
    c.limiter.log(bot::log_level::warn, "accept", "accept failed: EMFILE", t0);
    c.limiter.log(bot::log_level::warn, "accept", "accept failed: EMFILE", t0);
    c.limiter.ok("accept", "accepting again", t0 + std::chrono::seconds(2));
    c.limiter.ok("accept", "accepting again", t0 + std::chrono::seconds(3));
    CHECK(c.limiter.log(bot::log_level::warn, "accept", "accept failed: EMFILE", t0 + std::chrono::seconds(5)));
    REQUIRE(c.lines.size() == 4);
    CHECK(c.lines[1] == "accept failed: EMFILE (repeated 1 time in the last 2 s)");
    CHECK(c.lines[2] == "accepting again");
    CHECK(c.lines[3] == "accept failed: EMFILE");
}

TEST_CASE("keys are independent", "[log_limiter]") {
    captured c;
    const auto t0 = clock_t_::time_point{};
    c.limiter.log(bot::log_level::warn, "a", "same words", t0);
    c.limiter.log(bot::log_level::warn, "b", "same words", t0);
    c.limiter.log(bot::log_level::warn, "a", "same words", t0);
    CHECK(c.lines.size() == 2);
    CHECK(c.limiter.suppressed("a") == 1);
    CHECK(c.limiter.suppressed("b") == 0);
}

// Drives the libFuzzer target with fixtures and thousands of mutations of them (g++ builds).
#include "bot/events/zalo_event.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

// The body of the libFuzzer entry point (tests/fuzz/webhook_fuzz.cpp).
int webhook_fuzz_one(const std::uint8_t* data, std::size_t size);

namespace {

bool valid_utf8(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += len;
    }
    return true;
}

}  // namespace

TEST_CASE("the webhook fuzz target runs clean over thousands of mutated fixtures", "[server][fuzz]") {
    std::vector<std::string> seeds;
    for (const auto& f : std::filesystem::directory_iterator(test::source_dir() + "/tests/fixtures/events"))
        seeds.push_back(test::read_file(f.path().string()));
    seeds.push_back("");
    seeds.push_back("{}");
    seeds.push_back(std::string(100, '['));
    std::mt19937 rng(20261128);
    const char* tokens[] = {"{", "}", "[", "]", "\"", ":", ",", "\\u0000", "\\ud800", "\xff", "\xc3", "\xed\xa0\x80",
                            "1e309", "-0", "18446744073709551616", "null", "\"event_name\":\"x\"", "\"timestamp\":1"};
    std::size_t runs = 0, parsed = 0;
    for (int i = 0; i < 4000; ++i) {
        std::string s = seeds[rng() % seeds.size()];
        int edits = 1 + static_cast<int>(rng() % 8);
        for (int e = 0; e < edits; ++e) {
            std::size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
            switch (rng() % 5) {
            case 0:  // flip a byte
                if (!s.empty() && pos < s.size()) s[pos] = static_cast<char>(rng() & 0xFF);
                break;
            case 1:  // delete a run
                if (pos < s.size()) s.erase(pos, 1 + rng() % 16);
                break;
            case 2:  // insert a token
                s.insert(pos, tokens[rng() % (sizeof tokens / sizeof *tokens)]);
                break;
            case 3:  // duplicate a slice
                if (pos < s.size()) s.insert(pos, s.substr(pos, 1 + rng() % 32));
                break;
            default:  // random bytes
                for (int k = 0; k < 4; ++k) s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos), static_cast<char>(rng()));
            }
        }
        webhook_fuzz_one(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
        ++runs;
        if (auto ev = zalo::parse_event(s, false)) {
            ++parsed;
            INFO(s);
            REQUIRE(valid_utf8(ev->raw));
            REQUIRE(valid_utf8(ev->text));
            REQUIRE(valid_utf8(ev->name));
        }
    }
    CHECK(runs == 4000);
    CHECK(parsed > 0);  // the mutations keep some inputs valid, so the typed path is exercised
}

// Fuzz target over the webhook's pure steps: timestamp extraction, signature check, parsing,
// dedup key. Build with clang for libFuzzer, e.g.
//   clang++ -std=c++20 -fsanitize=fuzzer,address -I. tests/fuzz/webhook_fuzz.cpp bot/webhook.cpp
//     bot/zalo_event.cpp bot/metrics.cpp bot/http_types.cpp -lboost_json -lcrypto -lspdlog -lfmt
// With g++ the same function is driven by tests/fuzz/webhook_fuzz_driver_test.cpp in bot_tests;
// there the entry point is left out (BOT_FUZZ_IN_TESTS), so other areas' fuzz targets linked
// into the same test binary cannot collide with it.
#include "bot/events/webhook.hpp"

#include "bot/events/zalo_event.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

int webhook_fuzz_one(const std::uint8_t* data, std::size_t size) {
    std::string_view body(reinterpret_cast<const char*>(data), size);
    auto ts = bot::webhook::timestamp_literal(body);
    // The verifier must neither crash nor accept a random header.
    std::string_view header = body.substr(0, body.size() < 68 ? body.size() : 68);
    if (bot::webhook::verify_signature("1234567890123456789", body, ts.value_or(""), "fuzz-secret", header)) __builtin_trap();
    for (bool zns : {false, true}) {
        zalo::parse_error err;
        auto ev = zalo::parse_event(body, zns, &err);
        if (!ev) continue;
        // Whatever was parsed is valid UTF-8 and has a stable dedup key.
        (void)zalo::dedup_key(*ev);
        if (ev->name.empty()) __builtin_trap();
    }
    return 0;
}

#ifndef BOT_FUZZ_IN_TESTS
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { return webhook_fuzz_one(data, size); }
#endif

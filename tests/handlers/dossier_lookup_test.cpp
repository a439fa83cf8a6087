#include "handlers/dossier_lookup.hpp"

#include "bot/core/config.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>

namespace {

// The same pattern spelled differently, so find_dossier_code takes std::regex, not the scanner.
bot::config regex_config() {
    bot::config cfg;
    cfg.conversation.dossier_code_pattern = "(?:" + cfg.conversation.dossier_code_pattern + ")";
    return cfg;
}

}  // namespace

TEST_CASE("a dossier code is found in lower case, at the end of the text and beside punctuation", "[conversation]") {
    const bot::config cfg;
    using handlers::find_dossier_code;
    CHECK(find_dossier_code(cfg, "hồ sơ h06.23-0001").value() == "H06.23-0001");
    CHECK(find_dossier_code(cfg, "HS-2023-000123").value() == "HS-2023-000123");
    CHECK(find_dossier_code(cfg, "mã 000.00.23.h06-230615-0001, xong chưa?").value() == "000.00.23.H06-230615-0001");
    CHECK(find_dossier_code(cfg, "(H06.23-0001)").value() == "H06.23-0001");
    CHECK(find_dossier_code(cfg, "hồ sơ:HS-2023-000123.").value() == "HS-2023-000123");
    // Vietnamese letters are not word characters for the pattern's \b: a code touching one is found.
    CHECK(find_dossier_code(cfg, "mãH06.23-0001ạ").value() == "H06.23-0001");
    // The first code wins; the pattern's first shape wins at one position.
    CHECK(find_dossier_code(cfg, "H06.23-0002 và HS-2023-000123").value() == "H06.23-0002");
    CHECK(find_dossier_code(cfg, "xem 000.00.23.H06-230615-0001").value() == "000.00.23.H06-230615-0001");
    // Inside a longer word or number: no code.
    CHECK_FALSE(find_dossier_code(cfg, "XH06.23-0001").has_value());
    CHECK_FALSE(find_dossier_code(cfg, "H06.23-00012").has_value());
    CHECK_FALSE(find_dossier_code(cfg, "H06.23-0001_").has_value());
    CHECK_FALSE(find_dossier_code(cfg, "1000.00.23.H06-230615-0001").has_value());
    CHECK_FALSE(find_dossier_code(cfg, "H06.23-001").has_value());
    CHECK_FALSE(find_dossier_code(cfg, "HS-2023-00012").has_value());
    CHECK_FALSE(find_dossier_code(cfg, "").has_value());
    CHECK_FALSE(find_dossier_code(cfg, "làm căn cước ở đâu").has_value());
    // A longer code that fails its closing boundary still leaves a shorter one later in it.
    CHECK(find_dossier_code(cfg, "000.00.23.H06-230615-00012 H07.24-0002").value() == "H07.24-0002");
}

TEST_CASE("the dossier code scanner finds what the regex finds", "[conversation]") {
    const bot::config scanned;
    const bot::config by_regex = regex_config();
    const std::vector<std::string> pieces = {"0", "1", "23", "000.", "00.", "23.", "H06", "h06", "-230615", "-0001", "-",
                                             ".", "HS", "hs", "-2023", "-000123", " ", "_", "x", "Z9", "ồ", "ạ", "(", ")",
                                             "H06.23-0001", "HS-2023-000123", "000.00.23.H06-230615-0001", ",", "9"};
    std::mt19937 rng(20261201);
    std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
    std::uniform_int_distribution<int> length(0, 14);
    int found = 0;
    for (int n = 0; n < 20000; ++n) {
        std::string text;
        for (int k = length(rng); k > 0; --k) text += pieces[pick(rng)];
        INFO(text);
        const auto a = handlers::find_dossier_code(scanned, text);
        const auto b = handlers::find_dossier_code(by_regex, text);
        REQUIRE(a == b);
        found += a.has_value();
    }
    // The generator reaches both outcomes often.
    CHECK(found > 2000);
    CHECK(found < 18000);
}

TEST_CASE("a configured dossier code pattern other than the default is used", "[conversation]") {
    bot::config cfg;
    cfg.conversation.dossier_code_pattern = R"(\bQ-(\d{3})\b)";
    CHECK(handlers::find_dossier_code(cfg, "mã q-123 nhé").value() == "123");
    CHECK_FALSE(handlers::find_dossier_code(cfg, "H06.23-0001").has_value());
}

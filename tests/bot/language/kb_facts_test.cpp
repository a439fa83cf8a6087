// kb check on facts: expiring facts (valid_until), citations that must name their source, unverified notes.
#include "bot/language/knowledge_base.hpp"

#include "bot/core/config.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

bot::config config_for(const std::string& kb_dir) {
    auto cfg = test::test_config();
    cfg.kb.dir = kb_dir;
    return cfg;
}

std::string topic(const std::string& id, const std::string& answer, const std::string& source, const std::string& extra = "") {
    return "[[topic]]\nid = \"" + id + "\"\ntitle = \"Chủ đề " + id + "\"\nexamples = [\"hỏi " + id + " một\", \"hỏi " + id +
           " hai\", \"hỏi " + id + " ba\", \"hỏi " + id + " bốn\"]\nkeywords = [\"" + id + "\"]\nanswer = \"\"\"" + answer +
           "\"\"\"\nsource = \"" + source + "\"\nreviewed = \"2026-11-30\"\n" + extra + "\n";
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& l : v) s += l + "\n";
    return s;
}

}  // namespace

TEST_CASE("a fact with valid_until warns from 60 days before and fails kb check after", "[nlp]") {
    test::temp_dir dir;
    test::write_file(dir.file("kb/01.toml"),
                     topic("x_expiring", "Dạ, theo Nghị định 120/2025/NĐ-CP anh/chị nộp ở xã nào cũng được ạ.",
                           "Nghị định 120/2025/NĐ-CP, Điều 4",
                           "valid_until = \"2027-02-28\"\nvalid_until_note = \"Nghị định 120/2025/NĐ-CP hết hiệu lực từ 01/3/2027\"\n"));
    const auto cfg = config_for(dir.file("kb"));
    auto r = bot::check_kb_facts(cfg, "2026-12-29");  // 61 days before: quiet
    CHECK(r.errors.empty());
    CHECK(r.warnings.empty());
    r = bot::check_kb_facts(cfg, "2026-12-30");  // 60 days before
    CHECK(r.errors.empty());
    REQUIRE(r.warnings.size() == 1);
    CHECK_THAT(r.warnings[0], Catch::Contains("x_expiring") && Catch::Contains("expires on 2027-02-28 (in 60 days)") &&
                                  Catch::Contains("01/3/2027"));
    r = bot::check_kb_facts(cfg, "2027-02-28");  // the last day it holds
    CHECK(r.errors.empty());
    r = bot::check_kb_facts(cfg, "2027-03-01");
    REQUIRE(r.errors.size() == 1);
    CHECK_THAT(r.errors[0], Catch::Contains("01.toml:1:") && Catch::Contains("expired on 2027-02-28"));
}

TEST_CASE("kb check fails when an answer cites a document its source does not name", "[nlp]") {
    test::temp_dir dir;
    test::write_file(dir.file("kb/01.toml"),
                     topic("x_cites", "Dạ, lệ phí theo Thông tư 73/2024/TT-BTC và Nghị định 120/2025/NĐ-CP ạ.",
                           "Thông tư 73/2024/TT-BTC"));
    auto r = bot::check_kb_facts(config_for(dir.file("kb")), "2026-12-01");
    REQUIRE(r.errors.size() == 1);
    CHECK_THAT(r.errors[0], Catch::Contains("cites 120/2025/NĐ-CP") && !Catch::Contains("73/2024"));
}

TEST_CASE("unverified notes are listed and valid_until needs its note", "[nlp]") {
    test::temp_dir dir;
    test::write_file(dir.file("kb/01.toml"),
                     topic("x_unsure", "Dạ, có trong 3 ngày làm việc ạ.", "Nghị định 168/2025/NĐ-CP",
                           "unverified = \"the 3 working days\"\n") +
                         topic("x_no_note", "Dạ, được ạ.", "Luật", "valid_until = \"2027-01-01\"\n"));
    const auto cfg = config_for(dir.file("kb"));
    auto r = bot::check_kb_facts(cfg, "2026-12-01");
    CHECK_THAT(joined(r.warnings), Catch::Contains("x_unsure") && Catch::Contains("not verified: the 3 working days"));
    CHECK_THAT(joined(bot::check_knowledge_base(cfg)), Catch::Contains("valid_until needs valid_until_note"));
}

TEST_CASE("the bundled knowledge base names the source of every document it cites", "[nlp]") {
    const auto cfg = test::test_config();
    auto r = bot::check_kb_facts(cfg, "2026-12-01");
    INFO(joined(r.errors));
    CHECK(r.errors.empty());
    // The căn cước fee cut (Thông tư 64/2025/TT-BTC) ends on 31/12/2026: a warning a month before.
    CHECK_THAT(joined(r.warnings), Catch::Contains("can_cuoc") && Catch::Contains("expires on 2026-12-31"));
    // Nghị định 120/2025/NĐ-CP stops applying on 01/3/2027: the civil-status answers fail after that.
    r = bot::check_kb_facts(cfg, "2027-03-01");
    CHECK_THAT(joined(r.errors), Catch::Contains("khai_sinh") && Catch::Contains("ket_hon") &&
                                     Catch::Contains("120/2025/NĐ-CP"));
}

TEST_CASE("no answer in the bundled knowledge base cites a replaced decree as current", "[nlp]") {
    const auto cfg = test::test_config();
    auto kb = bot::load_knowledge_base(cfg);
    for (const auto& t : kb->topics()) {
        INFO(t.id << ": " << t.source);
        // Replaced on 01/7/2025 by Nghị định 118/2025/NĐ-CP.
        CHECK(t.source.find("61/2018") == std::string::npos);
        CHECK(t.source.find("107/2021") == std::string::npos);
        // Bộ LĐ-TB&XH no longer exists.
        CHECK(t.answer.find("LĐ-TB") == std::string::npos);
        CHECK(t.answer.find("LĐTB") == std::string::npos);
    }
}

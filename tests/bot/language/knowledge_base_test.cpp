#include "bot/language/knowledge_base.hpp"

#include "bot/core/config.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>

namespace {

const bot::knowledge_base& real_kb() {
    static const auto kb = bot::load_knowledge_base(test::test_config());
    return *kb;
}

struct bars {
    std::size_t topic_lines = 0, topic_correct = 0, none_lines = 0, none_fallback = 0, wrong = 0, total = 0;
    std::vector<std::string> misses;
};

bars evaluate(const std::string& file) {
    std::ifstream in(file);
    REQUIRE(in);
    bars b;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        auto tab = line.find('\t');
        REQUIRE(tab != std::string::npos);
        std::string expected = line.substr(0, tab), question = line.substr(tab + 1);
        auto m = real_kb().match(question);
        ++b.total;
        std::string got = m.outcome == "answered" ? m.topic->id : m.outcome;
        if (expected == "none") {
            ++b.none_lines;
            if (m.outcome == "fallback") ++b.none_fallback;
            if (m.outcome == "answered") ++b.wrong;
        } else {
            ++b.topic_lines;
            if (m.outcome == "answered" && m.topic->id == expected) ++b.topic_correct;
            else if (m.outcome == "answered") ++b.wrong;
        }
        if (got != expected && !(expected == "none" && got == "fallback")) b.misses.push_back(expected + " → " + got + ": " + question);
    }
    return b;
}

void check_bars(const bars& b) {
    for (const auto& m : b.misses) UNSCOPED_INFO(m);
    REQUIRE(b.topic_lines > 0);
    REQUIRE(b.none_lines > 0);
    CHECK(static_cast<double>(b.topic_correct) >= 0.95 * static_cast<double>(b.topic_lines));
    CHECK(static_cast<double>(b.none_fallback) >= 0.90 * static_cast<double>(b.none_lines));
    CHECK(static_cast<double>(b.wrong) <= 0.02 * static_cast<double>(b.total));
}

// A minimal valid topic block; `extra` lines are appended inside it. `unique` makes its
// examples differ from every other block's (else they repeat, which kb check reports).
std::string topic_block(const std::string& id, const std::string& extra = "", const std::string& answer = "Trả lời ngắn.",
                        bool unique = false) {
    std::string u = unique ? " " + id : "";
    return "[[topic]]\n"
           "id = \"" + id + "\"\n"
           "title = \"Tiêu đề\"\n"
           "examples = [\"câu một" + u + "\", \"câu hai" + u + "\", \"câu ba" + u + "\", \"câu bốn" + u + "\"]\n"
           "keywords = [\"từ khóa\"]\n"
           "answer = \"\"\"" + answer + "\"\"\"\n"
           "source = \"Nguồn\"\n"
           "reviewed = \"2026-01-31\"\n" + extra + "\n";
}

// A KB folder with every required topic (valid), plus `extra_file` content in zz.toml.
std::string write_kb(const test::temp_dir& dir, const std::string& extra_file, bool unique = false) {
    std::string all;
    for (const auto& id : bot::required_topic_ids()) all += topic_block(id, "", "Trả lời ngắn.", unique);
    test::write_file(dir.file("kb/01-all.toml"), all);
    test::write_file(dir.file("kb/locality-defaults.toml"), "[locality]\nmot_cua_sdt = \"0123\"\n");
    if (!extra_file.empty()) test::write_file(dir.file("kb/zz.toml"), extra_file);
    return dir.file("kb");
}

std::vector<std::string> check_dir(const std::string& kb_dir) {
    auto cfg = test::test_config();
    cfg.kb.dir = kb_dir;
    return bot::check_knowledge_base(cfg);
}

bool has_problem(const std::vector<std::string>& problems, const std::string& where, const std::string& what) {
    for (const auto& p : problems)
        if (p.find(where) != std::string::npos && p.find(what) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("the bundled knowledge base passes kb check and has every topic", "[nlp]") {
    auto problems = bot::check_knowledge_base(test::test_config());
    for (const auto& p : problems) UNSCOPED_INFO(p);
    CHECK(problems.empty());
    for (const auto& id : bot::required_topic_ids()) {
        INFO(id);
        const auto* t = real_kb().find(id);
        REQUIRE(t != nullptr);
        CHECK(t->answer.find("{{") == std::string::npos);
        CHECK(t->examples.size() >= 10);
        CHECK_FALSE(t->source.empty());
    }
}

TEST_CASE("answers are rendered with locality values from the configuration", "[nlp]") {
    auto cfg = test::test_config();
    cfg.locality["mot_cua_sdt"] = "0999 888 777";
    auto kb = bot::load_knowledge_base(cfg);
    const auto* t = kb->find("dia_chi_mot_cua");
    REQUIRE(t);
    CHECK(t->answer.find("0999 888 777") != std::string::npos);
    bool phone_button = false;
    for (const auto& b : t->buttons)
        if (b.type == zalo::button::kind::open_phone && b.payload == "0999 888 777") phone_button = true;
    CHECK(phone_button);
}

TEST_CASE("matching on the nlp area's own held-out questions meets the same bars", "[nlp]") {
    check_bars(evaluate(test::source_dir() + "/tests/fixtures/nlp-extra.tsv"));
}

TEST_CASE("out-of-scope messages fall back instead of getting a random topic", "[nlp]") {
    for (const char* q : {"thời tiết hà nội mai thế nào", "tối nay có bóng đá không", "quên mật khẩu facebook",
                          "xem tử vi tuổi dậu", "asdkjhqwe", "", "😀😀😀", "bán nhà giá rẻ liên hệ em", "bot ngu"}) {
        INFO(q);
        auto m = real_kb().match(q);
        CHECK(m.outcome == "fallback");
        CHECK(m.topic == nullptr);
    }
}

TEST_CASE("a message close to two topics asks back with both", "[nlp]") {
    std::vector<bot::kb_topic> topics(3);
    topics[0].id = "a";
    topics[0].title = "Giấy phép xây dựng";
    topics[0].examples = {"xin giấy phép xây dựng nhà", "cấp giấy phép xây dựng"};
    topics[1].id = "b";
    topics[1].title = "Giấy phép kinh doanh";
    topics[1].examples = {"xin giấy phép kinh doanh quán", "cấp giấy phép kinh doanh"};
    topics[2].id = "c";
    topics[2].title = "Khai sinh";
    topics[2].examples = {"đăng ký khai sinh cho con", "làm giấy khai sinh"};
    auto kb = bot::make_knowledge_base(topics, {"thời tiết hôm nay"}, test::source_dir() + "/templates/shorthand.tsv");
    auto m = kb->match("xin cấp giấy phép");
    CHECK(m.outcome == "clarified");
    CHECK(m.topic == nullptr);
    REQUIRE(m.alternatives.size() >= 2);
    CHECK(m.alternatives.size() <= 3);
    std::vector<std::string> ids;
    for (const auto* t : m.alternatives) ids.push_back(t->id);
    CHECK(std::find(ids.begin(), ids.end(), "a") != ids.end());
    CHECK(std::find(ids.begin(), ids.end(), "b") != ids.end());
    // The distinguishing word settles it.
    auto k = kb->match("xin giấy phép kinh doanh");
    CHECK(k.outcome == "answered");
    REQUIRE(k.topic);
    CHECK(k.topic->id == "b");
    CHECK(kb->match("thời tiết hôm nay").outcome == "fallback");
}

TEST_CASE("questions are understood with or without diacritics, in shorthand and with typos", "[nlp]") {
    const std::pair<const char*, const char*> cases[] = {
        {"đăng ký khai sinh cho con", "khai_sinh"},      {"dang ky khai sinh cho con", "khai_sinh"},
        {"dk khai sinh cho con ntn", "khai_sinh"},       {"đăng ký khia sinh", "khai_sinh"},
        {"quên mk vneid", "quen_mat_khau"},               {"hoà giải tranh chấp đất đai", "dat_dai"},
        {"uỷ ban làm việc mấy giờ", "gio_lam_viec"},      {"ủy ban làm việc mấy giờ", "gio_lam_viec"},
    };
    for (const auto& [q, id] : cases) {
        INFO(q);
        auto m = real_kb().match(q);
        CHECK(m.outcome == "answered");
        if (m.topic) CHECK(m.topic->id == id);
    }
}

TEST_CASE("kb check reports each kind of problem with file and line", "[nlp]") {
    test::temp_dir dir;
    const std::string long_answer(700, 'a');
    const std::string huge_answer(2100, 'a');
    std::string f;
    f += topic_block("tai_khoan_dvc");                                     // lines 1-9: duplicate id
    f += topic_block("x_unknown_field", "colour = \"đỏ\"\n");             // 10-19: unknown field at 18
    f += topic_block("x_placeholder", "", "Gọi {{khong_co}} nhé.");       // 20-28: unknown placeholder at 25
    f += topic_block("x_broken", "", "Gọi {{mot_cua_sdt nhé.");           // 29-37: broken at 34
    f += topic_block("x_long", "", long_answer);                          // 38-46: too long at 43
    f += topic_block("x_huge", "", huge_answer);                          // 47-55: over Zalo at 52
    f += topic_block("x_related", "related = [\"khong_ton_tai\"]\n");     // 56-65: related
    f += topic_block("x_date");                                           // 66-74: reviewed at 73
    // Every block repeats the same four examples: reported at each later topic's line.
    auto kb_dir = write_kb(dir, f);
    // Replace the last block's date with a bad one.
    auto text = test::read_file(kb_dir + "/zz.toml");
    auto pos = text.rfind("2026-01-31");
    text.replace(pos, 10, "2026-02-30");
    test::write_file(kb_dir + "/zz.toml", text);

    auto problems = check_dir(kb_dir);
    for (const auto& p : problems) UNSCOPED_INFO(p);
    const std::string zz = kb_dir + "/zz.toml:";
    CHECK(has_problem(problems, zz + "1:", "duplicate id \"tai_khoan_dvc\""));
    CHECK(has_problem(problems, zz + "18:", "unknown field \"colour\""));
    CHECK(has_problem(problems, zz + "25:", "unknown placeholder {{khong_co}}"));
    CHECK(has_problem(problems, zz + "34:", "without a closing"));
    CHECK(has_problem(problems, zz + "43:", "phone-sized"));
    CHECK(has_problem(problems, zz + "52:", "over Zalo's limit"));
    CHECK(has_problem(problems, zz + "56:", "related id \"khong_ton_tai\" does not exist"));
    CHECK(has_problem(problems, zz + "73:", "not a date"));
    CHECK(has_problem(problems, zz + "66:", "example \"câu một\" repeats"));

    // The loader refuses the same folder, naming the first problem.
    auto cfg = test::test_config();
    cfg.kb.dir = kb_dir;
    CHECK_THROWS_WITH(bot::load_knowledge_base(cfg), Catch::Contains("zz.toml:"));
}

TEST_CASE("kb check reports missing topics and TOML syntax errors", "[nlp]") {
    test::temp_dir dir;
    test::write_file(dir.file("kb/01.toml"), topic_block("tai_khoan_dvc"));
    test::write_file(dir.file("kb/02.toml"), "[[topic]]\nid = \"x\"\ntitle = \"unterminated\n");
    auto problems = check_dir(dir.file("kb"));
    for (const auto& p : problems) UNSCOPED_INFO(p);
    CHECK(has_problem(problems, dir.file("kb") + ":0:", "missing topic \"khai_sinh\""));
    CHECK_FALSE(has_problem(problems, "", "missing topic \"tai_khoan_dvc\""));
    CHECK(has_problem(problems, dir.file("kb/02.toml") + ":3:", ""));
}

TEST_CASE("a valid folder with every required topic passes kb check", "[nlp]") {
    test::temp_dir dir;
    auto kb_dir = write_kb(dir, topic_block("extra_topic", "related = [\"khai_sinh\"]\n", "Gọi {{mot_cua_sdt}}.", true), true);
    auto problems = check_dir(kb_dir);
    for (const auto& p : problems) UNSCOPED_INFO(p);
    CHECK(problems.empty());
}

TEST_CASE("the knowledge base gives the normalised form of a message", "[nlp]") {
    CHECK(real_kb().normalized("Cho E hỏi ĐK khai sinh ntn???") == real_kb().normalized("cho em hỏi đăng ký khai sinh như thế nào"));
    CHECK(real_kb().normalized("Hoà") == "hòa");
}

#include "bot/language/knowledge_base.hpp"

#include "bot/core/config.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace {

const bot::knowledge_base& real_kb() {
    static const auto kb = bot::load_knowledge_base(test::test_config());
    return *kb;
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

TEST_CASE("with the example's two OAs each OA's answers name its own desk, place and phone", "[nlp][oa]") {
    const auto cfg = test::example_config();
    const auto kb = bot::load_knowledge_base(cfg);
    const auto* t = kb->find("dia_chi_mot_cua");
    REQUIRE(t);
    const std::string& bo_ha = t->answer_for("bo_ha");
    const std::string& yen_the = t->answer_for("yen_the");
    CHECK(bo_ha.find("Trung tâm Phục vụ hành chính công phường Bố Hạ") != std::string::npos);
    CHECK(bo_ha.find("0204 3870 201") != std::string::npos);
    // The address names the ward where the global one named the commune.
    CHECK(bo_ha.find("Ủy ban nhân dân phường Bố Hạ, tỉnh Bắc Ninh") != std::string::npos);
    CHECK(bo_ha.find("Yên Thế") == std::string::npos);
    CHECK(bo_ha.find("0204 3870 101") == std::string::npos);
    CHECK(yen_the.find("Trung tâm Phục vụ hành chính công xã Yên Thế") != std::string::npos);
    CHECK(yen_the.find("0204 3870 101") != std::string::npos);
    CHECK(yen_the.find("Bố Hạ") == std::string::npos);
    // The province's centre is the same for both.
    CHECK(bo_ha.find("Trung tâm Phục vụ hành chính công tỉnh Bắc Ninh") != std::string::npos);
    // The call button calls the OA's own desk.
    auto phone_of = [](const std::vector<zalo::button>& bs) {
        for (const auto& b : bs)
            if (b.type == zalo::button::kind::open_phone) return b.payload;
        return std::string{};
    };
    CHECK(phone_of(t->buttons_for("bo_ha")) == "0204 3870 201");
    CHECK(phone_of(t->buttons_for("yen_the")) == "0204 3870 101");
    // No OA, or one the configuration does not know: the default rendering.
    CHECK(&t->answer_for("") == &t->answer);
    CHECK(&t->answer_for("mars") == &t->answer);
    // The greeting topic names the OA's place, with the province of the global value.
    const auto* hello = kb->find("chao_hoi");
    REQUIRE(hello);
    CHECK(hello->answer_for("bo_ha").find("phường Bố Hạ, tỉnh Bắc Ninh") != std::string::npos);
    // Topics that name nothing local are stored once.
    CHECK(std::any_of(kb->topics().begin(), kb->topics().end(), [](const bot::kb_topic& k) { return k.by_oa.empty(); }));
}

TEST_CASE("an OA's [oa.locality] wins over what its unit says", "[nlp][oa]") {
    auto cfg = test::example_config();
    REQUIRE(cfg.oa_tables.size() == 2);
    REQUIRE(cfg.oa_tables[1].id == "bo_ha");
    cfg.oa_tables[1].locality["mot_cua_dia_chi"] = "Số 1 đường Thử, phường Bố Hạ";
    cfg.oa_tables[1].locality["mot_cua_sdt"] = "0204 3870 777";
    const auto kb = bot::load_knowledge_base(cfg);
    const auto* t = kb->find("dia_chi_mot_cua");
    REQUIRE(t);
    CHECK(t->answer_for("bo_ha").find("Số 1 đường Thử, phường Bố Hạ") != std::string::npos);
    CHECK(t->answer_for("bo_ha").find("0204 3870 777") != std::string::npos);
    CHECK(t->answer_for("yen_the").find("0204 3870 777") == std::string::npos);
}

TEST_CASE("with one OA answers are rendered once, as before", "[nlp][oa]") {
    for (const auto& t : real_kb().topics()) {
        INFO(t.id);
        CHECK(t.by_oa.empty());
        CHECK(&t.answer_for("default") == &t.answer);
    }
}

TEST_CASE("with several OAs kb check reports a placeholder problem once", "[nlp][oa]") {
    test::temp_dir dir;
    auto cfg = test::example_config();
    cfg.kb.dir = write_kb(dir, topic_block("zz_desk", "", "Gọi {{mot_cua_sdt}} hoặc {{khong_co}} ạ.", true));
    REQUIRE(cfg.oa_tables.size() == 2);
    std::size_t unknown = 0;
    for (const auto& p : bot::check_knowledge_base(cfg))
        if (p.find("khong_co") != std::string::npos) ++unknown;
    CHECK(unknown == 1);
}

TEST_CASE("out-of-scope messages fall back instead of getting a random topic", "[nlp]") {
    for (const char* q : {"thời tiết hà nội mai thế nào", "tối nay có bóng đá không", "quên mật khẩu facebook",
                          "xem tử vi tuổi dậu", "asdkjhqwe", "", "😀😀😀", "bán nhà giá rẻ liên hệ em", "bot ngu"}) {
        INFO(q);
        auto m = real_kb().match(q);
        CHECK(m.outcome == bot::match_outcome::fallback);
        CHECK(m.topic == nullptr);
    }
}

TEST_CASE("a message that fits several topics asks back with up to three of them", "[nlp]") {
    auto m = real_kb().match("đăng ký");
    CHECK(m.outcome == bot::match_outcome::clarified);
    CHECK(m.topic == nullptr);
    REQUIRE_FALSE(m.alternatives.empty());
    CHECK(m.alternatives.size() <= 3);
    // The distinguishing words settle it.
    auto k = real_kb().match("đăng ký kết hôn ở xã cần giấy tờ gì");
    CHECK(k.outcome == bot::match_outcome::answered);
    REQUIRE(k.topic);
    CHECK(k.topic->id == "ket_hon");
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
        CHECK(m.outcome == bot::match_outcome::answered);
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

namespace {

// A valid folder plus training files (examples/, out-of-scope/) written from `files`.
std::string write_training(const test::temp_dir& dir, const std::map<std::string, std::string>& files) {
    auto kb_dir = write_kb(dir, "", true);
    for (const auto& [name, text] : files) test::write_file(kb_dir + "/" + name, text);
    return kb_dir;
}

}  // namespace

TEST_CASE("training files are checked line by line with file and line", "[nlp]") {
    test::temp_dir dir;
    auto kb_dir = write_training(
        dir, {{"examples/a.tsv", "\xEF\xBB\xBFkhai_sinh\tlàm giấy cho con mới đẻ\n"   // 1: a byte-order mark is fine
                                 "# a comment\n"                                      // 2
                                 "khai_sinh làm giấy khai sinh\n"                       // 3: no tab
                                 "khai_sin\tlàm giấy khai sinh\n"                      // 4: unknown topic
                                 "khai_sinh\tLàm giấy cho con mới đẻ\n"                // 5: repeats line 1
                                 "ket_hon\t\n"                                        // 6: empty
                                 "ket_hon\tcâu một khai_sinh\n"},                     // 7: a topic file's example
              {"out-of-scope/b.tsv", "thoi_tiet\tmai có mưa không\n"                  // 1
                                     "Thời Tiết\tnắng không\n"                          // 2: bad subject
                                     "suc_khoe\tlàm giấy cho con mới đẻ\n"}});          // 3: also a topic's question
    auto problems = check_dir(kb_dir);
    for (const auto& p : problems) UNSCOPED_INFO(p);
    const std::string a = kb_dir + "/examples/a.tsv:", b = kb_dir + "/out-of-scope/b.tsv:";
    CHECK_FALSE(has_problem(problems, a + "1:", ""));
    CHECK(has_problem(problems, a + "3:", "expected `topic id<TAB>question`"));
    CHECK(has_problem(problems, a + "4:", "unknown topic id \"khai_sin\""));
    CHECK(has_problem(problems, a + "5:", "repeats an earlier one"));
    CHECK(has_problem(problems, a + "6:", "empty question"));
    CHECK(has_problem(problems, a + "7:", "already an example of topic \"khai_sinh\""));
    CHECK_FALSE(has_problem(problems, b + "1:", ""));
    CHECK(has_problem(problems, b + "2:", "subject"));
    CHECK(has_problem(problems, b + "3:", "also a question of topic \"khai_sinh\""));
}

TEST_CASE("the spoken-forms file is checked with the shorthand file, across both", "[nlp]") {
    test::temp_dir dir;
    auto kb_dir = write_kb(dir, "", true);
    test::write_file(dir.file("spoken.tsv"), "mần\tlàm\nko\tkhông có\n");  // "ko" is already in shorthand.tsv
    auto cfg = test::test_config();
    cfg.kb.dir = kb_dir;
    cfg.kb.spoken_file = dir.file("spoken.tsv");
    auto problems = bot::check_knowledge_base(cfg);
    for (const auto& p : problems) UNSCOPED_INFO(p);
    CHECK(has_problem(problems, dir.file("spoken.tsv") + ":2:", "second default reading for \"ko\""));
    cfg.kb.spoken_file = dir.file("missing.tsv");
    CHECK(has_problem(bot::check_knowledge_base(cfg), dir.file("missing.tsv") + ":0:", "cannot open"));
}

TEST_CASE("kb check refuses a marker word that reads as Telex keys unless the shorthand says how it is said", "[nlp]") {
    // "taxi" read as the keys of "tãi" would make every unaccented "tai" ("tai khoan") a marker.
    test::temp_dir dir;
    auto kb_dir = write_kb(dir, "[[out_of_scope]]\nexamples = [\"gọi xe đi chợ\"]\nmarkers = [\"taxi\", \"giá vàng\"]\n", true);
    auto cfg = test::test_config();
    cfg.kb.dir = kb_dir;
    cfg.kb.spoken_file = dir.file("spoken.tsv");
    test::write_file(cfg.kb.spoken_file, "mần\tlàm\n");
    auto problems = bot::check_knowledge_base(cfg);
    for (const auto& p : problems) UNSCOPED_INFO(p);
    CHECK(has_problem(problems, kb_dir + "/zz.toml:1:", "marker \"taxi\": \"taxi\" reads as the Telex keys of \"tãi\""));
    CHECK(problems.size() == 1);
    test::write_file(cfg.kb.spoken_file, "mần\tlàm\ntaxi\ttắc xi\n");
    CHECK(bot::check_knowledge_base(cfg).empty());
}

TEST_CASE("the bundled training data has 1,500 out-of-scope messages in 60 subjects and questions for every topic", "[nlp]") {
    auto st = bot::training_stats(real_kb());
    CHECK(st.out_of_scope >= 1500);
    CHECK(st.out_of_scope_subjects >= 60);
    CHECK(st.training_examples >= 1500);
    CHECK(st.texts > st.training_examples);  // generated variants
    for (const auto& id : bot::required_topic_ids()) {
        INFO(id);
        CHECK(real_kb().find(id)->training.size() >= 20);
    }
}

TEST_CASE("a question understood ahead on the webhook's thread is the same answer, taken once", "[nlp]") {
    auto kb = bot::load_knowledge_base(test::test_config());
    const std::string q = "lam giay khai sinh cho con can giay to gi";
    const auto direct = kb->match(q);
    REQUIRE(direct.outcome == bot::match_outcome::answered);

    kb->prefetch("  " + q + "\n");  // as the event carries it; the handler matches it trimmed
    kb->prefetch(q);                // a second citizen sends the same words
    CHECK(bot::prefetch_stats(*kb).waiting == 2);
    for (int i = 0; i < 2; ++i) {
        const auto m = kb->match(q);
        CHECK(m.outcome == direct.outcome);
        CHECK(m.topic == direct.topic);
        CHECK(m.score == Approx(direct.score));
    }
    CHECK(bot::prefetch_stats(*kb).waiting == 0);
    CHECK(bot::prefetch_stats(*kb).taken == 2);
    (void)kb->match(q);  // nothing prefetched any more: understood here
    CHECK(bot::prefetch_stats(*kb).taken == 2);

    // Prefetches that no handler takes (an official's message, a hand-off) are bounded.
    for (int i = 0; i < 4200; ++i) kb->prefetch("tin nhắn số " + std::to_string(i));
    CHECK(bot::prefetch_stats(*kb).waiting <= 4096);
    CHECK(kb->match("tin nhắn số 4199").outcome == kb->match("tin nhắn số 4199").outcome);
}

TEST_CASE("an answer's question buttons are understood once, as a typed question would be", "[nlp]") {
    const auto& kb = real_kb();
    std::size_t buttons = 0;
    for (const auto& t : kb.topics())
        for (const auto& b : t.buttons)
            if (b.type == zalo::button::kind::query_show || b.type == zalo::button::kind::query_hide) {
                ++buttons;
                const auto m = kb.match(b.payload);
                CHECK(kb.button_topic(b.payload) == (m.outcome == bot::match_outcome::answered ? m.topic : nullptr));
            }
    CHECK(buttons > 0);
}

TEST_CASE("loading the same knowledge base again reuses its trained model; a changed one is trained anew", "[nlp]") {
    auto topics = [](const std::string& extra_example) {
        std::vector<bot::kb_topic> ts;
        for (const auto& [id, words] : std::vector<std::pair<std::string, std::string>>{
                 {"khai_sinh", "đăng ký khai sinh cho con"}, {"khai_tu", "làm giấy khai tử cho bố"}, {"ket_hon", "đăng ký kết hôn"}}) {
            bot::kb_topic t;
            t.id = id;
            t.title = words;
            t.keywords = {words};
            t.examples = {words, words + " ở đâu", "thủ tục " + words, words + " cần giấy tờ gì"};
            if (id == "ket_hon" && !extra_example.empty()) t.examples.push_back(extra_example);
            t.answer = "Trả lời: " + words;
            ts.push_back(std::move(t));
        }
        return ts;
    };
    auto topic_of = [](const bot::knowledge_base& kb, const std::string& q) {
        auto m = kb.match(q);
        return m.topic ? m.topic->id : std::string("(none)");
    };
    const auto sh = test::test_config().kb.shorthand_file;
    const std::vector<std::string> oos = {"thời tiết hôm nay", "giá vàng hôm nay", "kết quả bóng đá"};
    auto first = bot::make_knowledge_base(topics(""), oos, sh);
    const auto a = bot::training_stats(*first);
    auto again = bot::make_knowledge_base(topics(""), oos, sh);
    const auto b = bot::training_stats(*again);
    CHECK(b.reused);
    CHECK(b.texts == a.texts);
    CHECK(topic_of(*again, "lam giay khai tu cho bo") == topic_of(*first, "lam giay khai tu cho bo"));

    // One more example (as the console adds them): trained again, and the new example is learnt.
    auto changed = bot::make_knowledge_base(topics("xin giấy đăng ký lấy vợ"), oos, sh);
    const auto c = bot::training_stats(*changed);
    CHECK_FALSE(c.reused);
    CHECK(c.texts > a.texts);
    // The first knowledge base keeps its own model after the cache moved on.
    CHECK(topic_of(*first, "lam giay khai tu cho bo") == "khai_tu");
}

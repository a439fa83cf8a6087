#include "bot/language/understanding.hpp"

#include "bot/app/kb_commands.hpp"
#include "bot/language/knowledge_base.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

namespace {

const bot::knowledge_base& real_kb() {
    static const auto kb = bot::load_knowledge_base(test::test_config());
    return *kb;
}

bot::nlp::normalized_text plain(const std::string& s) { return bot::nlp::normalize(s, bot::nlp::shorthand_table{}); }

struct fixture_counts {
    std::map<std::string, std::size_t> per_id;
    std::size_t in_scope = 0, none = 0;
};

fixture_counts count_fixture(const std::string& name) {
    std::ifstream in(test::source_dir() + "/tests/fixtures/" + name);
    REQUIRE(in);
    fixture_counts c;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        auto id = line.substr(0, line.find('\t'));
        ++c.per_id[id];
        if (id == "none") ++c.none;
        else ++c.in_scope;
    }
    return c;
}

}  // namespace

TEST_CASE("a long message is read up to a limit: its beginning and its end, cut between characters", "[nlp]") {
    CHECK(bot::nlp::reading_window("ngắn thôi", 4096) == "ngắn thôi");
    std::string story;
    while (story.size() < 1024 * 1024) story += "Nhà em ở thôn Đồng Tâm, trời mưa to lắm. ";
    const std::string message = "Dạ em chào cán bộ. " + story + "Em hỏi làm giấy khai sinh cho con mới sinh cần những gì ạ";
    auto w = bot::nlp::reading_window(message, 4096);
    CHECK(w.size() <= 4097);
    CHECK(w.rfind("Dạ em chào cán bộ.", 0) == 0);
    CHECK(w.size() > 60);
    CHECK(w.substr(w.size() - 30) == message.substr(message.size() - 30));
    CHECK(bot::nlp::to_nfc(w) == w);  // no character cut in half
}

TEST_CASE("a 1 MB message is decided on what fits the reading limit, like a long one", "[nlp]") {
    std::string story;
    while (story.size() < 1024 * 1024) story += "nhà em ở thôn Đồng Tâm, trời mưa to lắm, ";
    auto m = real_kb().match(story + ". Giờ em muốn hỏi làm giấy khai sinh cho con mới sinh cần những gì ạ");
    CHECK(m.read.size() <= 2048);
    CHECK(m.outcome == bot::match_outcome::answered);
    REQUIRE(m.topic);
    CHECK(m.topic->id == "khai_sinh");
}

TEST_CASE("the request in a long message with a story around it is what is answered", "[nlp]") {
    const std::pair<const char*, const char*> cases[] = {
        {"chào anh chị, nhà em ở thôn Đồng Tâm, hôm nay mưa to em ở nhà. em muốn hỏi làm giấy khai sinh cho con mới "
         "sinh cần những gì ạ. em cảm ơn",
         "khai_sinh"},
        {"Dạ. Em muốn. Làm căn cước. Cho con. Mười bốn tuổi. Ở đâu ạ", "can_cuoc"},
        {"mình đi làm công nhân ở Bình Dương mấy năm rồi, quê ở Thanh Hóa, giờ muốn đăng ký tạm trú ở chỗ trọ thì "
         "làm thế nào",
         "cu_tru"},
    };
    for (const auto& [q, id] : cases) {
        INFO(q);
        auto m = real_kb().match(q);
        CHECK(m.outcome == bot::match_outcome::answered);
        if (m.topic) CHECK(m.topic->id == id);
    }
}

TEST_CASE("words run together and regional spellings are answered with the right topic", "[nlp]") {
    // Each of these was asked back or fell back before glued words and regional spellings were read.
    const std::pair<const char*, const char*> cases[] = {
        {"lamcancuoc cho con o dau", "can_cuoc"},
        {"quenmatkhau dichvucong lam sao", "quen_mat_khau"},
        {"kichhoat dinhdanh muc2 o dau", "dinh_danh_vneid"},
        {"chaoad", "chao_hoi"},
        {"nộp hồ xơ chực tuyến ntn", "nop_ho_so_truc_tuyen"},
    };
    for (const auto& [q, id] : cases) {
        INFO(q);
        auto m = real_kb().match(q);
        CHECK(m.outcome == bot::match_outcome::answered);
        if (m.topic) CHECK(m.topic->id == id);
    }
    // "quenmatkhau" is itself a word of one training question and still read as its syllables;
    // "bitcoin", a marker, splits into syllables that do not pair and stays whole.
    CHECK(real_kb().match("bitcoin len hay xuong vay").outcome == bot::match_outcome::fallback);
}

TEST_CASE("thanks and acknowledgements are recognised, and nothing else is", "[nlp]") {
    for (const char* q : {"cảm ơn",
                          "tks",
                          "ok",
                          "vâng ạ",
                          "dạ em cảm ơn anh nhiều ạ",
                          "ok em hiểu rồi",
                          "cam on ad",
                          "thank you",
                          "được rồi cảm ơn nhé",
                          "\xF0\x9F\x91\x8D",
                          "uk",
                          "okela",
                          "à ra vậy",
                          "dạ em nắm được rồi",
                          "ok để em làm thử",
                          "vâng, mai em lên xã",
                          "à thế à",
                          "vậy hả",
                          "rồi ạ",
                          "nhận được rồi",
                          "dạ vâng ạ, cháu sẽ làm theo",
                          "hay quá",
                          "tuyệt vời",
                          "bà làm được rồi, cháu giỏi quá",
                          "cảm ơn, chúc ủy ban làm việc tốt",
                          "dạ cảm ơn cháu, chúc cháu mạnh khỏe"}) {
        INFO(q);
        CHECK(bot::nlp::is_acknowledgement(q, plain(q)));
    }
    for (const char* q :
         {"cảm ơn, cho hỏi làm căn cước ở đâu", "ok làm sao", "alo", "xin chào", "vâng, còn hộ khẩu thì sao", "", "😀",
          "ok mai em lên xã làm khai sinh được không", "ra xã mấy giờ", "vậy à, còn phí bao nhiêu", "rồi sao nữa",
          "nhận được rồi mà sai tên", "vay được không", "tốt quá, mai làm căn cước ở đâu", "chúc mừng năm mới",
          "ông mất rồi", "cảm ơn, bà muốn làm căn cước"}) {
        INFO(q);
        CHECK_FALSE(bot::nlp::is_acknowledgement(q, plain(q)));
    }
}

TEST_CASE("longer thanks in any words are thanks; thanks with a question, request or complaint are not", "[nlp]") {
    // Written for this test, in no question set.
    for (const char* q :
         {"cảm ơn các cháu ở xã, nhờ các cháu mà ông làm giấy cho thằng út xong xuôi cả rồi",
          "dạ vâng em làm xong rồi, chiều em chở mẹ lên ủy ban ký", "tks ad nha, e đọc hướng dẫn là hiểu liền à",
          "cam on chau nhieu, hoi nay ba lam theo huong dan duoc roi",
          "bà cảm ơn, bà ký hồ sơ rồi, tuần sau bà lên lấy bản sao"}) {
        INFO(q);
        CHECK_FALSE(bot::nlp::is_acknowledgement(q, plain(q)));  // the short-form reading says no
        CHECK(bot::nlp::is_thanks_story(q, plain(q)));
        auto m = real_kb().match(q);
        CHECK(m.acknowledgement);
    }
    for (const char* q : {"cảm ơn em, giờ anh muốn làm khai sinh cho con", "cảm ơn, mà nộp xong rồi giờ tra ở đâu",
                          "cảm ơn cháu, bác làm xong rồi mà chưa thấy kết quả", "cảm ơn, còn căn cước cho mẹ tôi nữa",
                          "tks ad, e nộp rồi mà bị lỗi thanh toán",
                          "cảm ơn, ông nhà tôi mất rồi, làm giấy báo tử giúp tôi", "dạ xong rồi, giờ đóng phí sao",
                          "dạ em nộp xong rồi, bao lâu thì có kết quả", "cảm ơn, cho hỏi thêm về hộ khẩu",
                          "cảm ơn nhưng em làm theo không được", "em nộp hồ sơ xong rồi", "cảm ơn?"}) {
        INFO(q);
        CHECK_FALSE(bot::nlp::is_thanks_story(q, plain(q)));
    }
}

TEST_CASE("an acknowledgement is answered as such with the greeting topic; a greeting is not one", "[nlp]") {
    auto m = real_kb().match("dạ em cảm ơn ad nhiều ạ");
    CHECK(m.outcome == bot::match_outcome::answered);
    CHECK(m.acknowledgement);
    REQUIRE(m.topic);
    CHECK(m.topic->id == "chao_hoi");
    auto g = real_kb().match("xin chào");
    CHECK(g.outcome == bot::match_outcome::answered);
    CHECK_FALSE(g.acknowledgement);
}

namespace {

// Two topics and an out-of-scope class: enough for tests of the decision, which reads only the
// analysis it is given.
const bot::nlp::understander& two_topics() {
    static const bot::nlp::understander u = [] {
        bot::nlp::training_texts texts;
        texts.topics = {{"đăng ký khai sinh cho con", "làm giấy khai sinh"}, {"đăng ký kết hôn", "làm giấy kết hôn"}};
        texts.out_of_scope = {"giá vàng hôm nay", "thời tiết ngày mai"};
        return bot::nlp::understander(texts, bot::nlp::shorthand_table{});
    }();
    return u;
}

}  // namespace

TEST_CASE("evidence below the answer threshold is asked back but never when an out-of-scope marker occurred", "[nlp]") {
    const auto& u = two_topics();
    bot::nlp::message_analysis a;
    a.probabilities = {0.45F, 0.25F, 0.30F};  // two topics, then the out-of-scope class
    a.known = 1.0;
    bot::nlp::decision_thresholds t;
    t.lexical_share = 0;
    t.answer = 0.5;
    t.clarify = 0.2;
    t.alternative = 0.2;
    auto asked = u.decide(a, t);
    CHECK(asked.outcome == bot::nlp::match_decision::kind::clarified);
    a.marker = true;
    auto fell = u.decide(a, t);
    CHECK(fell.outcome == bot::nlp::match_decision::kind::fallback);
    CHECK(fell.alternatives.empty());
}

TEST_CASE("a marked message is not answered when the model gives it a fair chance of not being ours", "[nlp]") {
    const auto& u = two_topics();
    bot::nlp::message_analysis a;
    a.probabilities = {0.62F, 0.03F, 0.35F};  // like "quên mật khẩu icloud": ours in wording, not in subject
    a.known = 1.0;
    a.marker = true;
    bot::nlp::decision_thresholds t;
    t.lexical_share = 0;
    CHECK(u.decide(a, t).outcome == bot::nlp::match_decision::kind::fallback);
    a.probabilities = {0.90F, 0.03F, 0.07F};  // like "bán hàng trên facebook có phải đăng ký kinh doanh không"
    auto ours = u.decide(a, t);
    CHECK(ours.outcome == bot::nlp::match_decision::kind::answered);
    CHECK(ours.ranked.front().topic == 0);
    a.marker = false;  // no marker: the same evidence as the first is answered
    a.probabilities = {0.62F, 0.03F, 0.35F};
    CHECK(u.decide(a, t).outcome == bot::nlp::match_decision::kind::answered);
}

TEST_CASE("two neighbouring topics asked back between are answered when their pair model is sure", "[nlp]") {
    bot::nlp::training_texts texts;
    texts.topics = {{"tạo tài khoản mới", "đăng ký tài khoản", "lập tài khoản để nộp hồ sơ"},
                    {"quên mật khẩu tài khoản", "lấy lại mật khẩu", "tài khoản bị khóa không vào được"},
                    {"đăng ký kết hôn", "làm giấy kết hôn"}};
    texts.out_of_scope = {"giá vàng hôm nay", "thời tiết ngày mai"};
    texts.neighbours = {{0, 1}};
    bot::nlp::understander u(texts, bot::nlp::shorthand_table{});
    // Only the known pair gets a pair model, and its opinion is reported for the best topics.
    auto real = u.analyse("quên mật khẩu tài khoản rồi lấy lại sao");
    REQUIRE(bot::nlp::understander::pair_of(real, 1, 0) != nullptr);
    CHECK(bot::nlp::understander::pair_of(real, 0, 1)->pair < 0.5);  // the pair model leans to topic 1
    CHECK(bot::nlp::understander::pair_of(real, 0, 2) == nullptr);

    bot::nlp::message_analysis a;
    a.probabilities = {0.45F, 0.35F, 0.05F, 0.15F};  // close between 0 and 1, then the out-of-scope class
    a.known = 1.0;
    bot::nlp::decision_thresholds t;
    t.lexical_share = 0;
    t.pair_sure = 0.8;
    t.pair_max_none = 0.2;
    a.pairs = {{0, 1, 0.9}};
    auto sure = u.decide(a, t);
    CHECK(sure.outcome == bot::nlp::match_decision::kind::answered);
    REQUIRE_FALSE(sure.ranked.empty());
    CHECK(sure.ranked.front().topic == 0);
    // Unsure pair model, or sure of the topic ranked second: asked back with both.
    a.pairs = {{0, 1, 0.6}};
    auto unsure = u.decide(a, t);
    CHECK(unsure.outcome == bot::nlp::match_decision::kind::clarified);
    a.pairs = {{0, 1, 0.1}};
    CHECK(u.decide(a, t).outcome == bot::nlp::match_decision::kind::clarified);
    // Likely out of scope: the pair rule does not answer.
    a.pairs = {{0, 1, 0.9}};
    a.probabilities = {0.35F, 0.25F, 0.0F, 0.40F};
    CHECK(u.decide(a, t).outcome != bot::nlp::match_decision::kind::answered);
    // An out-of-scope marker: never answered by the pair rule either.
    a.probabilities = {0.45F, 0.35F, 0.05F, 0.15F};
    a.marker = true;
    CHECK(u.decide(a, t).outcome == bot::nlp::match_decision::kind::fallback);
}

TEST_CASE("a message between two neighbouring topics is answered when their pair model is sure, asked back when not", "[nlp]") {
    // Written for this test, in no question set: without the pair rule both were asked back
    // between submitting online and paying online.
    for (const char* text : {"upload hồ sơ lên cứ quay quay mãi", "tải file giấy tờ lên mà nó cứ quay hoài không xong"}) {
        auto m = real_kb().match(text);
        CHECK(m.outcome == bot::match_outcome::answered);
        REQUIRE(m.topic);
        CHECK(m.topic->id == "nop_ho_so_truc_tuyen");
    }
    // Reaching the payment step while submitting is both topics: still asked back with both.
    auto m = real_kb().match("nộp hồ sơ trên mạng tới bước thanh toán thì làm sao");
    CHECK(m.outcome == bot::match_outcome::clarified);
    std::vector<std::string> offered;
    for (const auto* t : m.alternatives) offered.push_back(t->id);
    CHECK(std::find(offered.begin(), offered.end(), "thanh_toan_truc_tuyen") != offered.end());
    CHECK(std::find(offered.begin(), offered.end(), "nop_ho_so_truc_tuyen") != offered.end());
}

TEST_CASE("the lexical evidence counts as far as the model believes the message is ours", "[nlp]") {
    bot::nlp::training_texts texts;
    texts.topics = {{"giờ làm việc của ủy ban", "mấy giờ mở cửa"}, {"đăng ký kết hôn", "làm giấy kết hôn"}};
    texts.out_of_scope = {"chợ phiên họp ngày nào", "thời tiết ngày mai"};
    bot::nlp::understander u(texts, bot::nlp::shorthand_table{});
    bot::nlp::message_analysis a;
    a.probabilities = {0.10F, 0.02F, 0.88F};  // the model: most likely not ours
    a.lexical = {{0, 0.8}};                    // the matcher: the opening hours' words
    a.known = 1.0;
    bot::nlp::decision_thresholds t;
    t.lexical_share = 0.5;
    t.lexical_scope = 0;
    auto plain = u.decide(a, t);
    REQUIRE_FALSE(plain.evidence.empty());
    CHECK(plain.evidence.front().combined == Approx(0.5 * 0.10 + 0.5 * 0.8));
    t.lexical_scope = 1;
    auto weighed = u.decide(a, t);
    REQUIRE_FALSE(weighed.evidence.empty());
    CHECK(weighed.evidence.front().combined == Approx(0.5 * 0.10 + 0.5 * 0.8 * 0.12).epsilon(1e-4));
    // A message the model is sure is ours keeps its lexical evidence.
    a.probabilities = {0.70F, 0.30F, 0.0F};
    CHECK(u.decide(a, t).evidence.front().combined == Approx(0.5 * 0.70 + 0.5 * 0.8));
}

TEST_CASE("voice-typed fragments join the clause after them and greetings are courtesy", "[nlp]") {
    auto n = plain("Con tôi. Sinh. Tháng trước. Tôi muốn làm. Giấy khai sinh");
    auto c = bot::nlp::clauses_of(n, 3);
    REQUIRE(c.size() == 2);
    CHECK(c.front().first == 0);
    CHECK(c.back().second == n.syllables.size());
    auto g = plain("dạ em chào cán bộ");
    CHECK(bot::nlp::is_courtesy(g, 0, g.syllables.size()));
    auto q = plain("em chào cán bộ làm khai sinh");
    CHECK_FALSE(bot::nlp::is_courtesy(q, 0, q.syllables.size()));
}

TEST_CASE("the question sets have 3,000 in-scope lines covering every topic, and out-of-scope lines", "[nlp]") {
    auto dev = count_fixture("nlp-dev.tsv");
    auto held = count_fixture("nlp-heldout.tsv");
    CHECK(dev.in_scope + held.in_scope >= 3000);
    CHECK(held.none >= 300);
    CHECK(dev.none >= 300);
    for (const auto& id : bot::required_topic_ids()) {
        INFO(id);
        CHECK(held.per_id[id] >= 25);
        CHECK(dev.per_id[id] >= 25);
    }
}

namespace {

// The folded questions of a file of `label<TAB>text` lines (comments and blank lines skipped),
// each with its file:line.
std::vector<std::pair<std::string, std::string>> folded_questions(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in);
    std::vector<std::pair<std::string, std::string>> out;
    std::string line;
    for (std::size_t n = 1; std::getline(in, line); ++n) {
        if (line.empty() || line[0] == '#' || line.find('\t') == std::string::npos) continue;
        auto f = plain(line.substr(line.find('\t') + 1)).folded_text();
        if (!f.empty()) out.emplace_back(f, path + ":" + std::to_string(n));
    }
    return out;
}

}  // namespace

TEST_CASE("no question of the held-out or development set is among the training files", "[nlp]") {
    // Compared as the model reads them: folded, spellings unified, particles left out.
    std::map<std::string, std::string> training;
    for (const char* dir : {"/templates/kb/examples", "/templates/kb/out-of-scope"})
        for (const auto& e : std::filesystem::directory_iterator(test::source_dir() + dir))
            if (e.path().extension() == ".tsv")
                for (auto& [q, where] : folded_questions(e.path().string())) training.emplace(q, where);
    REQUIRE(training.size() > 3000);
    for (const char* set : {"nlp-heldout.tsv", "nlp-dev.tsv"})
        for (const auto& [q, where] : folded_questions(test::source_dir() + "/tests/fixtures/" + set)) {
            auto it = training.find(q);
            INFO(where << " is " << (it == training.end() ? std::string("new") : it->second));
            CHECK(it == training.end());
        }
}

namespace {

bot::app::eval_results heldout() {
    auto t = test::make_test_env();
    auto res = bot::app::evaluate(*t->env, test::source_dir() + "/tests/fixtures/nlp-heldout.tsv");
    UNSCOPED_INFO("top-1 " << res.top1() << "%, wrong " << res.wrong_rate() << "%, out-of-scope fallback "
                           << res.none_fallback_rate() << "%, right or asked back with it "
                           << res.right_or_clarified_rate() << "%");
    return res;
}

}  // namespace

// SPEC's bars on the held-out questions, which are never trained or tuned on. Met since
// 2026-12-03 (93.73 / 1.86 / 92.60 / 97.25, see README, Understanding): the margins are a few
// lines, so a change to the training data or the thresholds that costs held-out lines fails here.
TEST_CASE("on the held-out questions the understanding meets SPEC's bars", "[nlp]") {
    auto res = heldout();
    CHECK(res.top1() >= 92.0);
    CHECK(res.wrong_rate() <= 2.0);
    CHECK(res.none_fallback_rate() >= 90.0);
    CHECK(res.right_or_clarified_rate() >= 97.0);
}

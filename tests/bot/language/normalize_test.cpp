#include "bot/language/normalize.hpp"

#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <random>

using bot::nlp::normalize;

namespace {

const bot::nlp::shorthand_table& shorthand() {
    static const auto table = bot::nlp::load_shorthand(test::source_dir() + "/templates/shorthand.tsv");
    return table;
}

std::string norm(const std::string& s) { return normalize(s, shorthand()).text(); }
std::string folded(const std::string& s) { return normalize(s, shorthand()).folded_text(); }

}  // namespace

TEST_CASE("NFD input comes out as NFC", "[nlp]") {
    // "hồ sơ" typed with combining marks (o + circumflex + grave, o + horn).
    std::string nfd = "ho\xCC\x82\xCC\x80 so\xCC\x9B";
    CHECK(bot::nlp::to_nfc(nfd) == "hồ sơ");
    CHECK(norm(nfd) == "hồ sơ");
}

TEST_CASE("old and new tone-mark placements give the same syllable", "[nlp]") {
    CHECK(norm("hoà") == norm("hòa"));
    CHECK(norm("thuỷ") == norm("thủy"));
    CHECK(norm("uỷ ban") == norm("ủy ban"));
    CHECK(norm("khoẻ") == norm("khỏe"));
    CHECK(norm("xoá") == norm("xóa"));
    CHECK(bot::nlp::unify_tone_marks("Hoà Bình, Thuỷ") == "Hòa Bình, Thủy");
    // A final consonant keeps the tone on the second vowel in both styles.
    CHECK(norm("toán") == "toán");
    CHECK(norm("hoàng") == "hoàng");
    CHECK(norm("tòan") == "toàn");
    // qu and gi are consonants; vowels with a hat or horn take the tone.
    CHECK(norm("quý") == "quí");  // and y/i unified, see below
    CHECK(norm("giá") == "giá");
    CHECK(norm("người") == "người");
    CHECK(norm("thuyền") == "thuyền");
}

TEST_CASE("the two spellings with i and y give the same syllable", "[nlp]") {
    CHECK(norm("đăng kí") == norm("đăng ký"));
    CHECK(norm("quí") == norm("quý"));
    CHECK(norm("tỉ") == norm("tỷ"));
    CHECK(folded("ly hon") == folded("li hôn"));
    CHECK(norm("thủy") == "thủy");  // uy is a diphthong: unchanged
    CHECK(norm("tay") == "tay");
    CHECK(norm("ý kiến") == "ý kiến");
}

TEST_CASE("folding removes every diacritic and turns đ into d", "[nlp]") {
    CHECK(bot::nlp::fold_diacritics("Đăng ký hộ tịch ở đâu") == "Dang ky ho tich o dau");
    CHECK(folded("Đăng ký hộ tịch ở đâu") == "dang ki ho tich o dau");
    CHECK(folded("ĐƯỢC") == "duoc");
}

TEST_CASE("text is lowercased, including Vietnamese capitals", "[nlp]") {
    CHECK(norm("ĐĂNG KÝ KẾT HÔN") == norm("đăng ký kết hôn"));
    CHECK(norm("ĐĂNG KÝ KẾT HÔN") == "đăng kí kết hôn");
    CHECK(bot::nlp::to_lower("ỦY BAN") == "ủy ban");
}

TEST_CASE("repeated letters and punctuation are squeezed", "[nlp]") {
    CHECK(norm("đượcccc") == "được");
    CHECK(norm("khôngggg???") == "không");
    CHECK(norm("sao vậyyyy!!!") == "sao vậy");
    CHECK(norm("xoong") == "xoong");  // two o's are a real spelling
    CHECK(norm("hồ sơ 2023") == "hồ sơ 2023");  // digits are never squeezed
    CHECK(bot::nlp::squeeze_letters("ạaaa") == "ạ");
}

TEST_CASE("emoji, emoticons, laughter and sticker text are ignored", "[nlp]") {
    CHECK(norm("khai sinh 😀👍") == "khai sinh");
    CHECK(norm("cảm ơn :D :)) =)) <3") == "cảm ơn");
    CHECK(norm("[Sticker] xin chào") == "xin chào");
    CHECK(norm("hahaha kkkk hồ sơ") == "hồ sơ");
}

TEST_CASE("text is split into syllables on spaces and punctuation", "[nlp]") {
    auto n = normalize("Cho hỏi:làm   căn-cước,ở đâu?", shorthand());
    REQUIRE(n.syllables == std::vector<std::string>{"cho", "hỏi", "làm", "căn", "cước", "ở", "đâu"});
    REQUIRE(n.folded == std::vector<std::string>{"cho", "hoi", "lam", "can", "cuoc", "o", "dau"});
}

TEST_CASE("every common chat abbreviation is expanded", "[nlp]") {
    struct c {
        const char* in;
        const char* out;
    };
    const c cases[] = {
        {"ko", "không"},          {"k", "không"},         {"khong", "không"},     {"dc", "được"},
        {"đc", "được"},           {"đk", "đăng ký"},      {"dk", "đăng ký"},      {"dky", "đăng ký"},
        {"hs", "hồ sơ"},          {"tk", "tài khoản"},    {"ntn", "như thế nào"}, {"bn", "bao nhiêu"},
        {"j", "gì"},              {"vs", "với"},          {"mk", "mình"},         {"e", "em"},
        {"a", "anh"},             {"cccd", "căn cước công dân"}, {"dvc", "dịch vụ công"},
        {"sdt", "số điện thoại"}, {"sđt", "số điện thoại"}, {"xd", "xây dựng"},     {"kd", "kinh doanh"},
        {"KO", "không"},          {"kooo", "không"},
    };
    CHECK(norm("ko") == "không");
    CHECK(norm("hs") == "hồ sơ");
    for (const auto& x : cases) {
        INFO(x.in);
        CHECK(norm(x.in) == norm(x.out));  // the expansion in canonical form (kí = ký)
    }
}

TEST_CASE("ambiguous shorthand is read from its neighbours", "[nlp]") {
    CHECK(norm("quên mk dvc") == "quên mật khẩu dịch vụ công");
    CHECK(norm("mk muốn tạo tk") == "mình muốn tạo tài khoản");
    CHECK(norm("sai mk") == "sai mật khẩu");
    CHECK(norm("lệ phí bn tiền") == "lệ phí bao nhiêu tiền");
    CHECK(norm("đk đủ những gì") == "điều kiện đủ những gì");
    CHECK(norm("đk kết hôn có cần gì") == norm("đăng ký kết hôn có cần gì"));
}

TEST_CASE("accented words are not mistaken for shorthand", "[nlp]") {
    CHECK(norm("dạ vâng ạ") == "dạ vâng ạ");  // "ạ" is not "a" (anh)
    CHECK(norm("à") == "à");
}

TEST_CASE("invalid UTF-8 is repaired and never crashes", "[nlp]") {
    std::string bad = "h\xC3\x28 s\xA0\xA1o \xF0\x28\x8C\xBC k\xFF\xFE";
    auto n = normalize(bad, shorthand());
    CHECK_FALSE(n.syllables.empty());
    CHECK(bot::nlp::to_nfc("\xC0\xAF") == "");
    // Random bytes: only the absence of a crash and valid output matter.
    std::mt19937 rng(42);
    for (int i = 0; i < 300; ++i) {
        std::string s;
        auto len = rng() % 40;
        for (unsigned j = 0; j < len; ++j) s.push_back(static_cast<char>(rng() & 0xFF));
        auto out = normalize(s, shorthand());
        for (const auto& syl : out.syllables) CHECK(bot::nlp::to_nfc(syl) == syl);
    }
    CHECK(normalize("", shorthand()).syllables.empty());
}

TEST_CASE("a malformed shorthand line is reported with file and line", "[nlp]") {
    CHECK_THROWS_WITH(bot::nlp::parse_shorthand("ko\tkhông\nbad line without tab\n", "sh.tsv"),
                      Catch::Contains("sh.tsv:2:"));
    CHECK_THROWS_WITH(bot::nlp::parse_shorthand("ko\tkhông\nko\tkhong\n", "sh.tsv"), Catch::Contains("sh.tsv:2:"));
    CHECK_THROWS_WITH(bot::nlp::load_shorthand("/nonexistent/shorthand.tsv"), Catch::Contains("cannot open"));
}

namespace {

const bot::nlp::shorthand_table& with_spoken() {
    static const auto table = bot::nlp::load_shorthand(
        std::vector<std::string>{test::source_dir() + "/templates/shorthand.tsv", test::source_dir() + "/templates/spoken.tsv"});
    return table;
}

std::string spoken(const std::string& s) { return normalize(s, with_spoken()).text(); }

}  // namespace

TEST_CASE("Telex keys typed on a keyboard that did not compose them are read as the syllable", "[nlp]") {
    CHECK(norm("ddaang kys khai sinh cho con caanf nhuwngx giaays towf gif") ==
          "đâng kí khai sinh cho con cần những giấy tờ gì");
    CHECK(norm("dduwowcj khoong") == "được không");
    CHECK(norm("nguwowif giaf") == "người già");
    CHECK(norm("coong dichj vuj quoocs gia") == "công dịch vụ quốc gia");
    CHECK(bot::nlp::decode_telex("mwcs") == "mức");
    // Words that are syllables as typed, or not Vietnamese at all, are left alone.
    CHECK(norm("can toi xoong online zalo vneid ok") == "can toi xoong trực tuyến zalo vneid ok");
    CHECK(bot::nlp::decode_telex("khai").empty());
    CHECK(bot::nlp::decode_telex("facebook").empty());
}

TEST_CASE("a Telex-looking word that is a shorthand key is read by its table, whatever was normalised before", "[nlp]") {
    // Tokens' forms are remembered between messages; the shorthand table still decides.
    const bot::nlp::shorthand_table none;
    const auto table = bot::nlp::parse_shorthand("kys\tký sự\n", "t.tsv");
    CHECK(normalize("kys", none).text() == "kí");
    CHECK(normalize("kys", table).text() == "kí sự");
    CHECK(normalize("kys", none).text() == "kí");
    CHECK(normalize("KYS nhé", table).text() == "kí sự nhé");
    // An unaccented message and the same message typed in capitals read the same.
    CHECK(normalize("LAM GIAY KHAI SINH", none).folded == normalize("lam giay khai sinh", none).folded);
}

TEST_CASE("a reading equal to the word keeps a loanword that would read as Telex keys", "[nlp]") {
    const bot::nlp::shorthand_table none;
    CHECK(normalize("xin visa", none).text() == "xin vía");  // what the Telex reading makes of it
    const auto table = bot::nlp::parse_shorthand("visa\tvisa\ngas\tbình gas\n", "t.tsv");
    CHECK(normalize("xin visa di han quoc", table).text() == "xin visa di han quoc");
    CHECK(normalize("giá gas", table).text() == "giá bình gas");
    CHECK(normalize("caanf giaays towf", table).text() == "cần giấy tờ");  // other Telex words still read
}

TEST_CASE("a word is a Vietnamese syllable when initial, vowels and final fit together", "[nlp]") {
    for (const char* s : {"nguoi", "khong", "gi", "giay", "quoc", "thuong", "xoong", "ky"}) {
        INFO(s);
        CHECK(bot::nlp::is_vietnamese_syllable(s));
    }
    for (const char* s : {"gif", "kys", "caanf", "zalo", "online", "coong", "ddi"}) {
        INFO(s);
        CHECK_FALSE(bot::nlp::is_vietnamese_syllable(s));
    }
}

TEST_CASE("a letter with a horn is not squeezed into the plain letter after it", "[nlp]") {
    CHECK(norm("bưu điện") == "bưu điện");
    CHECK(norm("lương hưu") == "lương hưu");
    CHECK(norm("ưu tiên") == "ưu tiên");
    CHECK(norm("ạaaa") == "ạ");
    // Typed without accents, two u's are that letter pair too, not one u said longer.
    CHECK(norm("buu dien") == "buu dien");
    CHECK(norm("nghi huu") == "nghi huu");
    CHECK(norm("luu tru") == "luu tru");
    CHECK(norm("thuuuu") == "thu");
}

TEST_CASE("clause starts follow punctuation and line breaks, not full stops inside numbers", "[nlp]") {
    auto n = normalize("Dạ. Em chào cán bộ, em muốn hỏi\nlàm khai sinh 1.000 đồng", shorthand());
    REQUIRE(n.clause_starts.size() == 4);
    CHECK(n.syllables[n.clause_starts[1]] == "em");
    CHECK(n.syllables[n.clause_starts[2]] == "em");
    CHECK(n.syllables[n.clause_starts[3]] == "làm");
    CHECK(normalize("", shorthand()).clause_starts.empty());
}

TEST_CASE("central and southern spoken forms are read as the standard words", "[nlp]") {
    CHECK(spoken("mần răng làm khai sanh cho con") == spoken("làm sao làm khai sinh cho con"));
    CHECK(spoken("tui hổng biết làm căng cước ở mô") == "tôi không biết làm căn cước ở đâu");
    CHECK(spoken("chừ làm giấy chi rứa") == "giờ làm giấy gì vậy");
    // Context keeps the word: teeth, costs, getting up, marriage.
    CHECK(spoken("đau răng") == "đau răng");
    CHECK(spoken("chi phí") == "chi phí");
    CHECK(spoken("ngủ dậy") == "ngủ dậy");
    CHECK(spoken("kết hôn") == "kết hôn");
    CHECK(spoken("đăng ký kếc hôn") == "đăng kí kếc hôn");  // "kếc": kết as the South spells it
    CHECK(spoken("được hôn") == "được không");
    // Procedure abbreviations.
    CHECK(spoken("xin tthn để đi xklđ") == "xin tình trạng hôn nhân để đi xuất khẩu lao động");
    CHECK(spoken("làm gks") == "làm giấy khai sinh");
    CHECK(spoken("làm sđ") == "làm sổ đỏ");
}

TEST_CASE("a word whose readings all need context, without that context, is kept", "[nlp]") {
    auto table = bot::nlp::parse_shorthand("căng\tcăn\tcuoc\n", "t.tsv");
    CHECK(normalize("căng cước", table).text() == "căn cước");
    CHECK(normalize("căng thẳng", table).text() == "căng thẳng");
}

TEST_CASE("several shorthand files load into one table and a clash names the second file's line", "[nlp]") {
    test::temp_dir dir;
    test::write_file(dir.file("a.tsv"), "ko\tkhông\n");
    test::write_file(dir.file("b.tsv"), "# spoken\nmần\tlàm\nko\tcó\n");
    CHECK_THROWS_WITH(bot::nlp::load_shorthand(std::vector<std::string>{dir.file("a.tsv"), dir.file("b.tsv")}),
                      Catch::Contains(dir.file("b.tsv") + ":3:"));
    test::write_file(dir.file("b.tsv"), "mần\tlàm\n");
    auto t = bot::nlp::load_shorthand(std::vector<std::string>{dir.file("a.tsv"), dir.file("b.tsv")});
    CHECK(normalize("ko mần", t).text() == "không làm");
}

#include "bot/zalo/zalo_client.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

namespace json = boost::json;

namespace {
bool valid_utf8(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n;
    }
    return true;
}
json::object parse(const std::string& s) { return json::parse(s).as_object(); }
}  // namespace

TEST_CASE("a long Vietnamese answer is split at sentence boundaries within 2000 characters", "[zalo]") {
    std::string sentence = "Hồ sơ đăng ký khai sinh được nộp trực tuyến trên Cổng dịch vụ công quốc gia. ";
    std::string text;
    while (bot::utf8_chars(text) < 4500) text += sentence;
    auto parts = bot::split_text(text, 2000);
    REQUIRE(parts.size() == 3);
    std::string joined;
    for (const auto& p : parts) {
        CHECK(bot::utf8_chars(p) <= 2000);
        CHECK(valid_utf8(p));
        CHECK(p.back() == '.');  // ends on a sentence
        joined += p + " ";
    }
    // Nothing lost: the words are the same.
    auto squeeze = [](std::string s) {
        s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
        return s;
    };
    CHECK(squeeze(joined) == squeeze(text));
}

TEST_CASE("splitting prefers line breaks and never cuts a word or a UTF-8 sequence", "[zalo]") {
    std::string text;
    for (int i = 0; i < 60; ++i) text += "Dòng số " + std::to_string(i) + " hướng dẫn thủ tục chứng thực\n";
    auto parts = bot::split_text(text, 300);
    REQUIRE(parts.size() > 1);
    for (const auto& p : parts) {
        CHECK(bot::utf8_chars(p) <= 300);
        CHECK(valid_utf8(p));
        CHECK(p.substr(p.size() - std::string("thực").size()) == "thực");  // whole lines
    }
    // A text without spaces is cut at code point boundaries.
    std::string word;
    for (int i = 0; i < 50; ++i) word += "ệ";
    auto hard = bot::split_text(word, 7);
    for (const auto& p : hard) {
        CHECK(valid_utf8(p));
        CHECK(bot::utf8_chars(p) <= 7);
    }
}

TEST_CASE("short text is one part and truncation adds an ellipsis at a word", "[zalo]") {
    CHECK(bot::split_text("Xin chào", 2000) == std::vector<std::string>{"Xin chào"});
    auto t = bot::truncate_utf8("Trung tâm Phục vụ hành chính công huyện", 20);
    CHECK(bot::utf8_chars(t) <= 20);
    CHECK(valid_utf8(t));
    CHECK(t.substr(t.size() - 3) == "\xE2\x80\xA6");
}

TEST_CASE("consultation bodies follow Zalo's v3 format with buttons within the limits", "[zalo]") {
    auto o = parse(bot::zalo_body::cs_text("2512523625412515", "Xin chào"));
    CHECK(o.at("recipient").at("user_id").as_string() == "2512523625412515");
    CHECK(o.at("message").at("text").as_string() == "Xin chào");

    std::vector<zalo::button> bs;
    bs.push_back({zalo::button::kind::query_show, "Đăng ký khai sinh", "#khai_sinh"});
    bs.push_back({zalo::button::kind::open_url, "Cổng dịch vụ công", "https://dichvucong.gov.vn"});
    bs.push_back({zalo::button::kind::open_phone, "Gọi bộ phận một cửa", "0204 3870 101"});
    for (int i = 0; i < 4; ++i) bs.push_back({zalo::button::kind::query_hide, std::string(150, 'x'), "#x"});
    auto b = parse(bot::zalo_body::cs_buttons("1", "Chọn:", bs));
    const auto& arr = b.at("message").at("attachment").at("payload").at("buttons").as_array();
    REQUIRE(arr.size() == 5);
    CHECK(arr[0].at("type").as_string() == "oa.query.show");
    CHECK(arr[0].at("payload").as_string() == "#khai_sinh");
    CHECK(arr[1].at("payload").at("url").as_string() == "https://dichvucong.gov.vn");
    CHECK(arr[2].at("type").as_string() == "oa.open.phone");
    CHECK(arr[2].at("payload").at("phone_code").as_string() == "842043870101");
    CHECK(bot::utf8_chars(std::string(arr[4].at("title").as_string())) <= 100);
    CHECK(b.at("message").at("attachment").at("type").as_string() == "template");
}

TEST_CASE("template bodies respect the 4-button and 35-character limits", "[zalo]") {
    std::vector<zalo::button> bs(6, zalo::button{zalo::button::kind::query_show, "Một tiêu đề nút rất dài vượt quá ba mươi lăm ký tự", "#a"});
    auto t = parse(bot::zalo_body::transaction("1", "Nhắc hạn hồ sơ", "Hồ sơ sắp đến hạn.", {{"Mã hồ sơ", "HS-2026-000001"}}, bs));
    const auto& p = t.at("message").at("attachment").at("payload").as_object();
    CHECK(p.at("template_type").as_string() == "transaction_event");
    CHECK(p.at("language").as_string() == "VI");
    REQUIRE(p.at("buttons").as_array().size() == 4);
    for (const auto& b : p.at("buttons").as_array()) CHECK(bot::utf8_chars(std::string(b.at("title").as_string())) <= 35);
    auto pr = parse(bot::zalo_body::promotion("1", "Tin tuyên truyền", "Nội dung", bs));
    CHECK(pr.at("message").at("attachment").at("payload").at("template_type").as_string() == "promotion");
    auto l = parse(bot::zalo_body::cs_list("1", std::vector<bot::list_element>(7, {"Tiêu đề", "Phụ đề", "", "https://a.vn"})));
    CHECK(l.at("message").at("attachment").at("payload").at("elements").as_array().size() == 5);
}

TEST_CASE("ZNS body carries the phone in 84 format, the template and our tracking id", "[zalo]") {
    zalo::outgoing_message m;
    m.via = zalo::channel::zns;
    m.recipient = "0987654321";
    m.template_id = "7895417a7d3f9461cd2e";
    m.template_data = {{"ma_ho_so", "HS-2026-000001"}};
    auto ps = bot::prepare(m, "cb42");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].target == bot::prepared_send::endpoint::zns);
    auto o = parse(ps[0].body);
    CHECK(o.at("phone").as_string() == "84987654321");
    CHECK(o.at("tracking_id").as_string() == "cb42");
    CHECK(o.at("template_data").at("ma_ho_so").as_string() == "HS-2026-000001");
}

TEST_CASE("a long cs message is prepared as several requests with the buttons on the last", "[zalo]") {
    zalo::outgoing_message m;
    m.recipient = "42";
    for (int i = 0; i < 300; ++i) m.text += "Câu hướng dẫn số " + std::to_string(i) + ". ";
    m.buttons.push_back({zalo::button::kind::query_show, "Menu", "#menu"});
    auto ps = bot::prepare(m, "cb1");
    REQUIRE(ps.size() >= 2);
    CHECK(parse(ps.front().body).at("message").as_object().if_contains("attachment") == nullptr);
    CHECK(parse(ps.back().body).at("message").as_object().if_contains("attachment") != nullptr);
}

TEST_CASE("responses are classified into ok, retry, refresh, switch and give up", "[zalo]") {
    auto res = [](int status, std::string body) {
        bot::http_result r;
        r.status = status;
        r.body = std::move(body);
        return r;
    };
    auto ok = bot::classify(res(200, R"({"data":{"message_id":"63ecf43f0df7dba892e6","user_id":"1"},"error":0,"message":"Success"})"), false);
    CHECK(ok.verdict == bot::zalo_verdict::ok);
    CHECK(ok.msg_id == "63ecf43f0df7dba892e6");
    auto zns = bot::classify(res(200, R"({"error":0,"message":"Success","data":{"msg_id":"a4d0243feee163bd3af2"}})"), true);
    CHECK(zns.msg_id == "a4d0243feee163bd3af2");
    bot::http_result net;
    net.error = "connect: Connection refused";
    CHECK(bot::classify(net, false).verdict == bot::zalo_verdict::retry);
    CHECK(bot::classify(res(503, "<html>"), false).verdict == bot::zalo_verdict::retry);
    CHECK(bot::classify(res(404, "{}"), false).verdict == bot::zalo_verdict::give_up);
    CHECK(bot::classify(res(200, R"({"error":-32,"message":"limit"})"), false).verdict == bot::zalo_verdict::retry);
    CHECK(bot::classify(res(200, R"({"error":-216,"message":"x"})"), false).verdict == bot::zalo_verdict::refresh_token);
    CHECK(bot::classify(res(200, R"({"error":-220,"message":"x"})"), false).verdict == bot::zalo_verdict::refresh_token);
    CHECK(bot::classify(res(200, R"({"error":-124,"message":"x"})"), true).verdict == bot::zalo_verdict::refresh_token);
    CHECK(bot::classify(res(200, R"({"error":-230,"message":"x"})"), false).verdict == bot::zalo_verdict::switch_to_template);
    CHECK(bot::classify(res(200, R"({"error":-232,"message":"x"})"), false).verdict == bot::zalo_verdict::switch_to_template);
    auto bad = bot::classify(res(200, R"({"error":-201,"message":"user_id is invalid!"})"), false);
    CHECK(bad.verdict == bot::zalo_verdict::give_up);
    CHECK(bad.code == -201);
    CHECK(bad.reason == "user_id is invalid!");
}

TEST_CASE("OAuth answers: tokens, refused refresh tokens, empty bodies and outages", "[zalo]") {
    bot::http_result r;
    r.status = 200;
    r.body = R"({"access_token":"AT","refresh_token":"RT","expires_in":"90000"})";
    auto g = bot::parse_token_grant(r);
    CHECK(g.ok);
    CHECK(g.expires_in_s == 90000);
    r.body = R"({"error":-14014,"error_name":"Invalid refresh token."})";
    g = bot::parse_token_grant(r);
    CHECK_FALSE(g.ok);
    CHECK(g.definitive);
    CHECK(g.code == -14014);
    r.body = "";
    CHECK(bot::parse_token_grant(r).definitive);
    r.status = 502;
    r.body = "bad gateway";
    g = bot::parse_token_grant(r);
    CHECK_FALSE(g.ok);
    CHECK_FALSE(g.definitive);
}

TEST_CASE("PKCE challenge is base64url of SHA-256 of the verifier", "[zalo]") {
    // Reference value from Python: base64.urlsafe_b64encode(hashlib.sha256(v).digest()).rstrip(b"=").
    CHECK(bot::pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gXMPJjEsI") == "v7FjG4GyB9gbTAlBwm5ctZwdnZ64he-eaStcnSM2nTU");
    auto v = bot::pkce_verifier();
    CHECK(v.size() == 43);
}

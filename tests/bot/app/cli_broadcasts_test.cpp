// The broadcast commands, run as the built executable on a temporary database.
#include "bot/app/app.hpp"

#include "storage/database.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <set>

namespace {

namespace json = boost::json;

struct cli {
    test::temp_dir dir;
    std::string db_path = dir.file("cli.db");

    cli() {
        auto db = storage::open_database(db_path);
        // a1–a3 chose xã Tân Sỏi before it became part of xã Yên Thế; b1 chose phường Bố Hạ.
        db->exec("INSERT INTO users (user_id, is_follower, unit_id, village, broadcast_opt_out, created_at) VALUES"
                 " ('a1', 1, 'tan_soi', 'thôn Đồng Điều', 0, 0), ('a2', 1, 'tan_soi', 'thôn Đồng Cả', 0, 0),"
                 " ('a3', 1, 'tan_soi', 'thôn Đồng Cả', 1, 0), ('b1', 1, 'bo_ha_moi', 'tổ dân phố Hồi', 0, 0)");
    }
    int run(const std::string& args, std::string& out) const {
        return test::run("CCHCBOT_CONFIG= CCHCBOT_STORAGE_PATH='" + db_path + "' '" + CCHCBOT_EXE + "' broadcast " + args, out);
    }
    json::object run_json(const std::string& args) const {
        std::string out;
        int rc = run(args, out);
        INFO(out);
        REQUIRE(rc == 0);
        return json::parse(out).as_object();
    }
};

std::set<std::string> keys(const json::object& o) {
    std::set<std::string> k;
    for (const auto& kv : o) k.insert(std::string(kv.key()));
    return k;
}

}  // namespace

TEST_CASE("broadcast create --json prints the id and the recipient count", "[broadcasts]") {
    cli c;
    // Today's xã Yên Thế reaches the followers who chose xã Tân Sỏi before the merger.
    auto o = c.run_json("create --text 'Bà con {{ten_thon}} chú ý' --unit yen_the --button 'Cổng DVC|https://dichvucong.gov.vn' --json");
    CHECK(keys(o) == std::set<std::string>{"id", "recipients"});
    CHECK(o.at("id").as_int64() == 1);
    CHECK(o.at("recipients").as_int64() == 2);

    auto s = c.run_json("status 1 --json");
    for (const char* k : {"id", "state", "recipients", "sent", "failed", "received", "seen", "waiting"}) CHECK(s.contains(k));
    CHECK(s.at("id").as_int64() == 1);
    CHECK(s.at("state").as_string() == "scheduled");
    CHECK(s.at("recipients").as_int64() == 2);
    CHECK(s.at("sent").as_int64() == 0);

    auto l = c.run_json("list --json");
    CHECK(l.at("broadcasts").as_array().size() == 1);

    std::string out;
    CHECK(c.run("cancel 1", out) == 0);
    CHECK(c.run_json("status 1 --json").at("state").as_string() == "cancelled");
    CHECK(c.run("cancel 1", out) == 1);
    CHECK(c.run("status 42", out) == 1);
}

TEST_CASE("broadcast create --dry-run shows the message and count and stores nothing", "[broadcasts]") {
    cli c;
    auto o = c.run_json("create --text 'Bà con {{ten_thon}}, {{ten_xa}}' --village 'Hồi' --dry-run --json");
    CHECK(o.at("dry_run").as_bool());
    CHECK(o.at("recipients").as_int64() == 1);
    CHECK(std::string(o.at("text").as_string()).rfind("Bà con tổ dân phố Hồi, phường Bố Hạ", 0) == 0);
    std::string out;
    CHECK(c.run("create --text 'Chào' --unit bo_ha_moi --dry-run", out) == 0);
    CHECK(out.find("recipients now: 1") != std::string::npos);
    auto l = c.run_json("list --json");
    CHECK(l.at("broadcasts").as_array().empty());
}

TEST_CASE("broadcast create refuses bad input with exit code 1 and a clear message", "[broadcasts]") {
    cli c;
    std::string out;
    CHECK(c.run("create --text 'x' --unit nowhere", out) == 1);
    CHECK(out.find("Không có xã, phường mã \"nowhere\"") != std::string::npos);
    // A broadcast targets today's units: a merged commune is refused with its successor named.
    CHECK(c.run("create --text 'x' --unit tan_soi", out) == 1);
    CHECK(out.find("đã thôi hoạt động từ ngày 30/06/2025") != std::string::npos);
    CHECK(out.find("nay thuộc") != std::string::npos);
    CHECK(out.find("\"yen_the\"") != std::string::npos);
    CHECK(c.run("create --text 'x' --village 'thôn Ma'", out) == 1);
    CHECK(out.find("Không tìm thấy thôn, tổ dân phố \"thôn Ma\"") != std::string::npos);
    CHECK(c.run("create --text ''", out) == 1);
    CHECK(c.run("create --text x --all --button 'Một tiêu đề nút rất dài vượt quá giới hạn|https://a.vn'", out) == 1);
    CHECK(out.find("35") != std::string::npos);
    CHECK(c.run("create --text x --all --at tomorrow", out) == 1);
    CHECK(out.find("năm-tháng-ngày giờ:phút") != std::string::npos);
    CHECK(c.run("create --unit tan_soi", out) == 2);  // --text is required: usage error
    CHECK(c.run_json("list --json").at("broadcasts").as_array().empty());
}

// The same audiences as tests/bot/app/app_broadcasts_test.cpp's, with the same answers.
TEST_CASE("broadcast create takes its audience as the admin API does, and says who and how many", "[broadcasts][audience]") {
    cli c;
    std::string out;
    CHECK(c.run("create --text x --dry-run", out) == 1);
    CHECK(out.find("Chưa chọn người nhận tin") != std::string::npos);
    CHECK(out.find("--all") != std::string::npos);
    // a1 lives in thôn Đồng Điều, a2 (and a3, opted out) in thôn Đồng Cả, of xã Tân Sỏi, now xã Yên Thế.
    CHECK(c.run_json("create --text x --unit yen_the --village 'thôn Đồng Điều' --dry-run --json").at("recipients").as_int64() == 1);
    CHECK(c.run("create --text x --unit yen_the --village 'tổ dân phố Hồi' --dry-run", out) == 1);
    CHECK(out.find("bo_ha_moi") != std::string::npos);
    CHECK(c.run("create --text x --all --unit yen_the --dry-run", out) == 1);

    CHECK(c.run("create --text x --all --dry-run", out) == 0);
    CHECK(out.find("audience:       every follower") != std::string::npos);
    CHECK(out.find("recipients now: 3") != std::string::npos);
    CHECK(c.run("create --text x --all", out) == 0);
    CHECK(out.find("created for every follower: 3 followers") != std::string::npos);
    CHECK(c.run("status 1", out) == 0);
    CHECK(out.find("target:     every follower") != std::string::npos);
}

#include "bot/app/kb_commands.hpp"

#include "bot/language/knowledge_base.hpp"
#include "tests/test_support.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <filesystem>

namespace fs = std::filesystem;

TEST_CASE("reload swaps in a new knowledge base and keeps the old one when the new one is invalid", "[nlp]") {
    test::temp_dir dir;
    fs::copy(test::source_dir() + "/templates/kb", dir.file("kb"), fs::copy_options::recursive);
    auto cfg = test::test_config();
    cfg.kb.dir = dir.file("kb");
    auto t = test::make_test_env(cfg);
    auto& env = *t->env;
    auto first = env.kb.get();
    REQUIRE(first);

    // A good change is picked up without a restart.
    auto path = dir.file("kb/05-mot-cua.toml");
    auto text = test::read_file(path);
    auto pos = text.find("title = \"Giờ làm việc Một cửa\"");
    REQUIRE(pos != std::string::npos);
    text.replace(pos, std::string("title = \"Giờ làm việc Một cửa\"").size(), "title = \"Giờ mở cửa\"");
    test::write_file(path, text);
    CHECK_FALSE(bot::app::reload_kb(env).has_value());
    auto second = env.kb.get();
    CHECK(second != first);
    CHECK(second->find("gio_lam_viec")->title == "Giờ mở cửa");

    // A broken file: the error names the file and line, and the running KB stays.
    test::write_file(dir.file("kb/06-broken.toml"), "[[topic]]\nid = \"gio_lam_viec\"\nbogus = 1\n");
    auto err = bot::app::reload_kb(env);
    REQUIRE(err.has_value());
    CHECK(err->find("06-broken.toml:") != std::string::npos);
    CHECK(env.kb.get() == second);
    CHECK(env.kb.get()->match("ủy ban mấy giờ mở cửa").outcome == bot::match_outcome::answered);
}

TEST_CASE("a dossier code in a message is a lookup, not a topic", "[nlp]") {
    auto t = test::make_test_env();
    for (const char* q : {"tra giúp hồ sơ H06.23-0001", "000.00.23.H06-230615-0001", "mã HS-2023-000123 đến đâu rồi"}) {
        INFO(q);
        auto r = bot::app::ask(*t->env, q);
        CHECK(r.outcome == storage::interaction_outcome::lookup);
        CHECK(r.topic == "none");
        CHECK_FALSE(r.dossier_code.empty());
        CHECK(r.answer.find(r.dossier_code) != std::string::npos);
    }
    CHECK(bot::app::find_dossier_code(t->env->cfg, "H06.23-0001").value() == "H06.23-0001");
    CHECK_FALSE(bot::app::find_dossier_code(t->env->cfg, "làm căn cước").has_value());
    // Typed in lower case, as citizens often do: the same code as the Zalo conversation finds.
    CHECK(bot::app::find_dossier_code(t->env->cfg, "ho so hs-2023-000123 xong chua").value() == "HS-2023-000123");
}

TEST_CASE("ask answers, asks back or falls back with the fixed fields", "[nlp]") {
    auto t = test::make_test_env();
    auto a = bot::app::ask(*t->env, "làm căn cước cho con 10 tuổi ở đâu");
    CHECK(a.outcome == storage::interaction_outcome::answered);
    CHECK(a.topic == "can_cuoc");
    CHECK(a.answer == t->env->kb.get()->find("can_cuoc")->answer);
    auto f = bot::app::ask(*t->env, "dự báo thời tiết cuối tuần");
    CHECK(f.outcome == storage::interaction_outcome::fallback);
    CHECK(f.topic == "none");
    CHECK_FALSE(f.answer.empty());
}

TEST_CASE("cchcbot ask --json prints the documented object", "[nlp]") {
    std::string out;
    int rc = test::run(std::string(CCHCBOT_EXE) + " ask --json 'quen mat khau vneid'", out);
    REQUIRE(rc == 0);
    auto v = boost::json::parse(out).as_object();
    CHECK(v.at("topic").as_string() == "quen_mat_khau");
    CHECK(v.at("outcome").as_string() == "answered");
    CHECK(v.at("score").is_number());
    CHECK(v.at("alternatives").is_array());
    CHECK(v.at("answer").as_string().size() > 0);

    rc = test::run(std::string(CCHCBOT_EXE) + " ask --json 'xổ số hôm nay'", out);
    REQUIRE(rc == 0);
    v = boost::json::parse(out).as_object();
    CHECK(v.at("topic").as_string() == "none");
    CHECK(v.at("outcome").as_string() == "fallback");
}

TEST_CASE("cchcbot eval --json reports every line and the summary figures, and exits 0", "[nlp]") {
    std::string out;
    int rc = test::run(std::string(CCHCBOT_EXE) + " eval --json tests/fixtures/nlp-dev.tsv", out);
    REQUIRE(rc == 0);
    auto v = boost::json::parse(out).as_object();
    auto total = v.at("total").as_int64();
    CHECK(total > 2000);
    auto& lines = v.at("lines").as_array();
    CHECK(static_cast<std::int64_t>(lines.size()) == total);
    auto& first = lines.at(0).as_object();
    CHECK(first.contains("line"));
    CHECK(first.contains("expected"));
    CHECK(first.contains("topic"));
    CHECK(first.contains("outcome"));
    // Diagnostics: whether an out-of-scope marker ("icloud", "giá vàng") occurred in the line.
    std::size_t with_marker = 0;
    for (const auto& l : lines) with_marker += l.as_object().at("marker").as_bool() ? 1 : 0;
    CHECK(with_marker > 0);
    CHECK(with_marker < lines.size() / 4);
    for (const char* k : {"top1_accuracy", "wrong_rate", "none_fallback_rate", "right_or_clarified_rate", "meets_bars"}) {
        INFO(k);
        CHECK(v.contains(k));
    }
    CHECK(v.at("top1_accuracy").as_double() > 50.0);
}

TEST_CASE("eval ignores a byte-order mark and names the line of an id that is not a topic", "[nlp]") {
    test::temp_dir dir;
    test::write_file(dir.file("bom.tsv"), "\xEF\xBB\xBFkhai_sinh\tlàm giấy khai sinh cho con mới sinh\nnone\tgiá vàng hôm nay\n");
    auto t = test::make_test_env();
    auto res = bot::app::evaluate(*t->env, dir.file("bom.tsv"));
    REQUIRE(res.lines.size() == 2);
    CHECK(res.lines[0].expected == "khai_sinh");
    CHECK(res.topic_correct == 1);
    test::write_file(dir.file("bad.tsv"), "khai_sinh\tlàm giấy khai sinh\n\nkhai_sinhh\tlàm giấy khai sinh\n");
    CHECK_THROWS_WITH(bot::app::evaluate(*t->env, dir.file("bad.tsv")), Catch::Contains("bad.tsv:3:") && Catch::Contains("khai_sinhh"));
    std::string out;
    CHECK(test::run(std::string(CCHCBOT_EXE) + " eval " + dir.file("bad.tsv"), out) == 1);
    CHECK(out.find("bad.tsv:3:") != std::string::npos);
}

TEST_CASE("ask answers thanks with a short reply of its own, not the greeting", "[nlp]") {
    auto t = test::make_test_env();
    auto r = bot::app::ask(*t->env, "dạ em cảm ơn ạ");
    CHECK(r.outcome == storage::interaction_outcome::answered);
    CHECK(r.topic == "chao_hoi");
    CHECK(r.acknowledgement);
    CHECK(r.answer == t->env->texts.render("nlp_thanks"));
    CHECK(r.answer != t->env->kb.get()->find("chao_hoi")->answer);
}

TEST_CASE("cchcbot kb check exits 1 with file:line on a broken knowledge base", "[nlp]") {
    test::temp_dir dir;
    test::write_file(dir.file("kb/01.toml"), "[[topic]]\nid = \"tai_khoan_dvc\"\nfoo = \"bar\"\n");
    std::string out;
    int rc = test::run("CCHCBOT_KB_DIR=" + dir.file("kb") + " " + std::string(CCHCBOT_EXE) + " kb check", out);
    CHECK(rc == 1);
    CHECK(out.find("01.toml:3: unknown field \"foo\"") != std::string::npos);
    // The bundled data as of a fixed day (expiring facts and calendar years depend on the date).
    rc = test::run(std::string(CCHCBOT_EXE) + " kb check --today 2026-12-01", out);
    INFO(out);
    CHECK(rc == 0);
}

#include "bot/http/admin_api.hpp"
#include "bot/core/metrics.hpp"
#include "bot/core/worker.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <future>

namespace {

struct api_fixture {
    test::temp_dir dir;
    std::unique_ptr<test::test_env> t;
    std::unique_ptr<bot::worker> work;
    std::unique_ptr<bot::admin_api> api;
    bot::http_router router;
    bot::metrics stats;
    std::unique_ptr<bot::app::services> s;

    api_fixture() {
        fs::copy(test::source_dir() + "/templates/kb", dir.file("kb"), fs::copy_options::recursive);
        auto cfg = test::test_config();
        cfg.kb.dir = dir.file("kb");
        cfg.storage.path = dir.file("bot.db");
        cfg.api_tokens = {{"editor", "operator", bot::hash_api_token("operator-token-from-test", "s1"), {"huyen"}},
                          {"reader", "viewer", bot::hash_api_token("viewer-token-from-test", "s2"), {"huyen"}},
                          {"press", "propaganda", bot::hash_api_token("propaganda-token-from-test", "s3"), {"huyen"}}};
        {
            auto db = storage::open_database(cfg.storage.path);
            (void)storage::migrate(*db);
            SQLite::Statement q(*db, "INSERT INTO unanswered(at, local_day, user_id, text, normalized) "
                                     "VALUES (1, '2026-11-27', 'u1', 'Thời tiết?', 'thời tiết')");
            q.exec();
        }
        t = test::make_test_env(cfg);
        work = std::make_unique<bot::worker>(cfg.storage.path);
        work->start();
        api = std::make_unique<bot::admin_api>(t->env->cfg, *work);
        s = std::unique_ptr<bot::app::services>(new bot::app::services{*t->env, *work, router, *api, stats});
        bot::app::start_kb(*s);
    }
    ~api_fixture() { work->stop(); }

    bot::http_response call(const std::string& method, const std::string& target, const std::string& token) {
        return test::call_api(*api, method, target, token);
    }
};

}  // namespace

TEST_CASE("the KB admin resources list topics and unanswered questions and reload on request", "[nlp]") {
    api_fixture fx;
    auto topics = fx.call("GET", "/api/v1/kb/topics", "viewer-token-from-test");
    REQUIRE(topics.status == 200);
    auto tv = boost::json::parse(topics.body).as_object();
    CHECK(tv.at("topics").as_array().size() == 29);

    auto un = fx.call("GET", "/api/v1/kb/unanswered?from=2026-11-01", "operator-token-from-test");
    REQUIRE(un.status == 200);
    auto uv = boost::json::parse(un.body).as_object();
    REQUIRE(uv.at("questions").as_array().size() == 1);
    CHECK(uv.at("questions").as_array()[0].as_object().at("text").as_string() == "Thời tiết?");
    CHECK(fx.call("GET", "/api/v1/kb/unanswered?from=yesterday", "operator-token-from-test").status == 400);

    // Reload: operators may, propaganda may not; a broken KB answers 422 and keeps the old one.
    CHECK(fx.call("POST", "/api/v1/kb/reload", "propaganda-token-from-test").status == 403);
    auto before = fx.t->env->kb.get();
    auto ok = fx.call("POST", "/api/v1/kb/reload", "operator-token-from-test");
    CHECK(ok.status == 200);
    CHECK(fx.t->env->kb.get() != before);
    auto current = fx.t->env->kb.get();
    test::write_file(fx.dir.file("kb/07-bad.toml"), "[[topic]]\nid = \"khai_sinh\"\n");
    auto bad = fx.call("POST", "/api/v1/kb/reload", "operator-token-from-test");
    CHECK(bad.status == 422);
    CHECK(bad.body.find("07-bad.toml") != std::string::npos);
    CHECK(fx.t->env->kb.get() == current);

    // SIGHUP runs the same reload through the hook.
    REQUIRE(fx.s->reload_hooks.size() == 1);
    fs::remove(fx.dir.file("kb/07-bad.toml"));
    fx.s->reload_hooks[0]();
    CHECK(fx.t->env->kb.get() != current);
}

// Broadcast creation, targeting, quota, hours, cancel and delivery counts on a memory database.
#include "handlers/broadcasts.hpp"

#include "bot/core/local_time.hpp"
#include "bot/zalo/outgoing.hpp"
#include "handlers/delivery.hpp"
#include "storage/broadcast_repository.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

#include <set>

namespace {

void add_user(SQLite::Database& db, const std::string& id, const std::string& unit, const std::string& village,
              bool follower = true, bool opted_out = false, const std::string& name = "") {
    SQLite::Statement q(db,
                        "INSERT INTO users (user_id, display_name, is_follower, unit_id, village, broadcast_opt_out, created_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, 0)");
    q.bind(1, id);
    q.bind(2, name);
    q.bind(3, follower ? 1 : 0);
    q.bind(4, unit);
    q.bind(5, village);
    q.bind(6, opted_out ? 1 : 0);
    q.exec();
}

// 30 followers: 10 in each of three communes, spread over their villages.
void add_thirty_followers(SQLite::Database& db) {
    const std::vector<std::pair<std::string, std::vector<std::string>>> units = {
        {"tan_soi", {"thôn Đồng Điều", "thôn Đồng Cả", "thôn Tân Lập", "thôn Trại Nập"}},
        {"dong_son", {"thôn Đồng Sơn", "thôn Hố Sâu", "thôn Đồng Bục"}},
        {"bo_ha", {"tổ dân phố Hạ", "tổ dân phố Thống Nhất", "tổ dân phố Đồng Bụt"}},
    };
    for (const auto& [unit, villages] : units)
        for (int i = 0; i < 10; ++i)
            add_user(db, unit + "_u" + std::to_string(i), unit, villages[static_cast<std::size_t>(i) % villages.size()]);
}

void set_user(SQLite::Database& db, const std::string& id, const std::string& column, int value) {
    SQLite::Statement q(db, "UPDATE users SET " + column + " = ? WHERE user_id = ?");
    q.bind(1, value);
    q.bind(2, id);
    q.exec();
}

struct outbox_row {
    std::int64_t id;
    std::string recipient;
    std::string channel;
    int priority;
    std::string state;
    zalo::outgoing_message msg;
};

std::vector<outbox_row> outbox_of(SQLite::Database& db, std::int64_t broadcast_id) {
    SQLite::Statement q(db, "SELECT id, recipient, channel, priority, state, body FROM outbox WHERE broadcast_id = ? ORDER BY id");
    q.bind(1, broadcast_id);
    std::vector<outbox_row> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(), q.getColumn(3).getInt(),
                       q.getColumn(4).getString(), zalo::outgoing_from_json(q.getColumn(5).getString())});
    return out;
}

std::int64_t count(SQLite::Database& db, const std::string& sql) {
    SQLite::Statement q(db, sql);
    q.executeStep();
    return q.getColumn(0).getInt64();
}

// What the outbox sender and the delivery handler would record, done directly.
void mark_outbox(SQLite::Database& db, std::int64_t broadcast_id, const std::string& state, bool delivered, bool seen,
                 int limit = 1000000) {
    SQLite::Statement q(db,
                        "UPDATE outbox SET state = ?, sent_at = 1, delivered_at = CASE WHEN ? THEN 2 END,"
                        " seen_at = CASE WHEN ? THEN 3 END WHERE id IN (SELECT id FROM outbox WHERE broadcast_id = ?"
                        " AND state = 'pending' ORDER BY id LIMIT ?)");
    q.bind(1, state);
    q.bind(2, delivered ? 1 : 0);
    q.bind(3, seen ? 1 : 0);
    q.bind(4, broadcast_id);
    q.bind(5, limit);
    q.exec();
}

std::int64_t local_ms(int y, unsigned m, unsigned d, int hh, int mm) { return bot::unix_ms_of({y, m, d}, hh * 60 + mm); }

handlers::broadcast_request request(std::string text, std::vector<std::string> units = {}, std::vector<std::string> villages = {}) {
    handlers::broadcast_request r;
    r.text = std::move(text);
    r.units = std::move(units);
    r.villages = std::move(villages);
    // No unit or village named: every follower, asked for explicitly (as --all does).
    r.all = r.units.empty() && r.villages.empty();
    r.created_by = "test";
    return r;
}

}  // namespace

TEST_CASE("a broadcast to one commune reaches exactly its followers who have not opted out, once each", "[broadcasts]") {
    auto t = test::make_test_env();
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    add_thirty_followers(*db);
    set_user(*db, "tan_soi_u3", "broadcast_opt_out", 1);
    set_user(*db, "tan_soi_u7", "is_follower", 0);

    auto made = handlers::create_broadcast(ctx, request("Hướng dẫn nộp hồ sơ trực tuyến", {"tan_soi"}));
    CHECK(made.recipients == 8);
    auto run = handlers::run_broadcasts(ctx);
    CHECK(run.started == 1);
    CHECK(run.enqueued == 8);
    handlers::run_broadcasts(ctx);  // a second run adds nothing

    auto rows = outbox_of(*db, made.id);
    REQUIRE(rows.size() == 8);
    std::set<std::string> who;
    for (const auto& r : rows) {
        who.insert(r.recipient);
        CHECK(r.recipient.rfind("tan_soi_", 0) == 0);
        CHECK(r.channel == "promotion");
        CHECK(r.priority == 2);
        CHECK(r.msg.purpose == "broadcast");
        CHECK(r.msg.broadcast_id == made.id);
        CHECK(r.msg.header == ctx.texts.render("broadcast_header"));
    }
    CHECK(who.size() == 8);
    CHECK(who.count("tan_soi_u3") == 0);
    CHECK(who.count("tan_soi_u7") == 0);

    auto st = handlers::get_broadcast_status(ctx, made.id);
    REQUIRE(st);
    CHECK(st->state == storage::broadcast_state::sending);
    CHECK(st->recipients == 8);
    CHECK(st->pending == 8);
    CHECK(st->sent == 0);

    // Sender sends all, Zalo confirms six delivered and four of them seen, one fails.
    mark_outbox(*db, made.id, "sent", true, true, 4);
    mark_outbox(*db, made.id, "sent", true, false, 2);
    mark_outbox(*db, made.id, "sent", false, false, 1);
    mark_outbox(*db, made.id, "failed", false, false, 1);
    st = handlers::get_broadcast_status(ctx, made.id);
    CHECK(st->sent == 7);
    CHECK(st->failed == 1);
    CHECK(st->received == 6);
    CHECK(st->seen == 4);
    CHECK(st->state == storage::broadcast_state::done);

    run = handlers::run_broadcasts(ctx);
    CHECK(run.finished == 1);
    CHECK(storage::find_broadcast(*db, made.id)->state == storage::broadcast_state::done);
    CHECK(handlers::cancel_broadcast(ctx, made.id) == handlers::cancel_result::already_finished);
}

TEST_CASE("broadcasts target villages, by full or short name, alone or with their units", "[broadcasts]") {
    auto t = test::make_test_env();
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    add_thirty_followers(*db);

    auto a = handlers::create_broadcast(ctx, request("Họp thôn", {}, {"thôn Đồng Điều", "Hố Sâu"}));
    // tan_soi users 0,4,8 live in thôn Đồng Điều; dong_son users 1,4,7 in thôn Hố Sâu.
    CHECK(a.recipients == 6);
    handlers::run_broadcasts(ctx);
    std::set<std::string> who;
    for (const auto& r : outbox_of(*db, a.id)) who.insert(r.recipient);
    CHECK(who == std::set<std::string>{"tan_soi_u0", "tan_soi_u4", "tan_soi_u8", "dong_son_u1", "dong_son_u4", "dong_son_u7"});

    // Units with villages of theirs: those villages of those units (tan_soi 2 and 6 in thôn Tân
    // Lập; bo_ha 0, 3, 6 and 9 in tổ dân phố Hạ). Next day, so the one-promotion-a-day rule does
    // not hold anyone back.
    t->now += 24LL * 3600 * 1000;
    auto b = handlers::create_broadcast(ctx, request("Họp", {"bo_ha", "tan_soi"}, {"tổ dân phố Hạ", "thôn Tân Lập"}));
    CHECK(b.recipients == 4 + 2);
    handlers::run_broadcasts(ctx);
    CHECK(outbox_of(*db, b.id).size() == 6);

    // Every follower, asked for explicitly.
    t->now += 24LL * 3600 * 1000;
    auto c = handlers::create_broadcast(ctx, request("Tất cả"));
    CHECK(c.recipients == 30);
}

namespace {

using Catch::Matchers::Contains;

// A request for the audience tests: a fixed text, the units and villages given, `all` as given.
handlers::broadcast_request audience_request(std::vector<std::string> units, std::vector<std::string> villages,
                                             bool all = false) {
    auto r = request("Bà con {{ten_thon}} chú ý", std::move(units), std::move(villages));
    r.all = all;
    return r;
}

std::set<std::string> queued_to(SQLite::Database& db, std::int64_t broadcast_id) {
    std::set<std::string> out;
    for (const auto& r : outbox_of(db, broadcast_id)) out.insert(r.recipient);
    return out;
}

}  // namespace

// Who a broadcast reaches: a village given with its commune is that village of that commune,
// villages belong to their commune, every follower only when asked for by name, and the count a
// dry run shows is the count that is sent.

TEST_CASE("a village given with its commune reaches that village of that commune, not the whole commune", "[broadcasts][audience]") {
    auto t = test::make_test_env();
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    add_thirty_followers(*db);

    // tan_soi users 0, 4 and 8 live in thôn Đồng Điều.
    auto rq = audience_request({"tan_soi"}, {"thôn Đồng Điều"});
    auto preview = handlers::preview_broadcast(ctx, rq);
    CHECK(preview.recipients == 3);
    auto made = handlers::create_broadcast(ctx, rq);
    CHECK(made.recipients == 3);
    handlers::run_broadcasts(ctx);
    // What the dry run counted is what is sent.
    CHECK(queued_to(*db, made.id) == std::set<std::string>{"tan_soi_u0", "tan_soi_u4", "tan_soi_u8"});

    // The plan names the unit the village belongs to, so a scope check sees every unit reached.
    auto plan = handlers::validate_broadcast(ctx, rq);
    CHECK(plan.units == std::vector<std::string>{"tan_soi"});
    CHECK(plan.villages == std::vector<std::string>{"thôn Đồng Điều"});
    CHECK_FALSE(plan.all);
}

TEST_CASE("whole communes and villages named with their commune reach exactly those places (the console's form)", "[broadcasts][audience]") {
    auto t = test::make_test_env();
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    add_thirty_followers(*db);

    // xã Đồng Sơn whole (10) and thôn Đồng Điều of Tân Sỏi (users 0, 4, 8).
    auto rq = audience_request({"dong_son"}, {});
    rq.unit_villages = {{"tan_soi", "thôn Đồng Điều"}};
    auto made = handlers::create_broadcast(ctx, rq);
    CHECK(made.recipients == 13);
    handlers::run_broadcasts(ctx);
    auto got = queued_to(*db, made.id);
    CHECK(got.size() == 13);
    CHECK(got.count("tan_soi_u4") == 1);
    CHECK(got.count("tan_soi_u1") == 0);
    CHECK(got.count("dong_son_u9") == 1);

    // A village not of the unit it is named with: refused, naming the unit.
    auto wrong = audience_request({}, {});
    wrong.unit_villages = {{"tan_soi", "thôn Hố Sâu"}};
    CHECK_THROWS_WITH(handlers::preview_broadcast(ctx, wrong), Contains("thôn Hố Sâu") && Contains("tan_soi"));
    // Beside "all": refused, as any other place.
    auto both = audience_request({}, {}, true);
    both.unit_villages = {{"tan_soi", "thôn Đồng Điều"}};
    CHECK_THROWS(handlers::preview_broadcast(ctx, both));
}

TEST_CASE("a village of another commune than the one given is refused, naming the commune it belongs to", "[broadcasts][audience]") {
    auto t = test::make_test_env();
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    add_thirty_followers(*db);
    CHECK_THROWS_WITH(handlers::preview_broadcast(ctx, audience_request({"tan_soi"}, {"thôn Hố Sâu"})),
                      Contains("thôn Hố Sâu") && Contains("xã Đồng Sơn") && Contains("dong_son"));
    // Every unit given must have one of the villages given: else it is unclear what it means.
    CHECK_THROWS_WITH(handlers::preview_broadcast(ctx, audience_request({"tan_soi", "dong_son"}, {"thôn Đồng Điều"})),
                      Contains("dong_son") && Contains("không thôn, tổ dân phố nào đã ghi thuộc xã, phường này"));
    // Two units, a village of each: those two villages.
    CHECK(handlers::preview_broadcast(ctx, audience_request({"tan_soi", "dong_son"}, {"Đồng Điều", "Hố Sâu"})).recipients == 3 + 3);
    CHECK_THROWS_WITH(handlers::preview_broadcast(ctx, audience_request({}, {"thôn Không Có"})), Contains("Không tìm thấy thôn, tổ dân phố \"thôn Không Có\""));
}

TEST_CASE("a village name two communes share needs its commune", "[broadcasts][audience]") {
    auto cfg = test::test_config();
    for (auto& u : cfg.units)
        if (u.id == "dong_son") u.villages.push_back("thôn Đồng Điều");
    auto t = test::make_test_env(cfg);
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    add_thirty_followers(*db);
    add_user(*db, "dong_son_dd", "dong_son", "thôn Đồng Điều");

    CHECK_THROWS_WITH(handlers::preview_broadcast(ctx, audience_request({}, {"thôn Đồng Điều"})),
                      Contains("tan_soi") && Contains("dong_son") && Contains("unit"));
    CHECK(handlers::preview_broadcast(ctx, audience_request({"dong_son"}, {"thôn Đồng Điều"})).recipients == 1);
    CHECK(handlers::preview_broadcast(ctx, audience_request({"tan_soi"}, {"thôn Đồng Điều"})).recipients == 3);
}

TEST_CASE("every follower is reached only when asked for explicitly, alone", "[broadcasts][audience]") {
    auto t = test::make_test_env();
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    add_thirty_followers(*db);

    CHECK_THROWS_WITH(handlers::preview_broadcast(ctx, audience_request({}, {})), Contains("Chưa chọn người nhận") && Contains("--all"));
    CHECK_THROWS_WITH(handlers::create_broadcast(ctx, audience_request({}, {})), Contains("Chưa chọn người nhận"));
    CHECK_THROWS_WITH(handlers::preview_broadcast(ctx, audience_request({"tan_soi"}, {}, true)),
                      Contains("không ghi thêm") && Contains("tan_soi"));

    auto everyone = audience_request({}, {}, true);
    CHECK(handlers::preview_broadcast(ctx, everyone).recipients == 30);
    auto made = handlers::create_broadcast(ctx, everyone);
    CHECK(made.recipients == 30);
    auto st = handlers::get_broadcast_status(ctx, made.id);
    REQUIRE(st);
    CHECK(st->target_json.find("\"all\":true") != std::string::npos);
    CHECK(handlers::to_json(ctx, handlers::preview_broadcast(ctx, everyone)).find("\"all\":true") != std::string::npos);

    auto all_json = handlers::broadcast_request_from_json(R"({"text": "x", "all": true})");
    CHECK(all_json.all);
    CHECK_FALSE(handlers::broadcast_request_from_json(R"({"text": "x", "units": ["tan_soi"]})").all);
    CHECK_THROWS_AS(handlers::broadcast_request_from_json(R"({"text": "x", "all": "yes"})"), handlers::broadcast_error);
}

TEST_CASE("a broadcast stored before villages belonged to units keeps its audience", "[broadcasts][audience]") {
    auto t = test::make_test_env();
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    add_thirty_followers(*db);
    storage::broadcast_row b;
    b.created_by = "test";
    b.text = "x";
    b.target_json = R"({"units":[],"villages":[]})";  // the old "no target": every follower
    b.buttons_json = "[]";
    b.scheduled_at = t->now;
    b.local_day = "2026-11-27";
    b.created_at = t->now;
    const auto everyone = storage::insert_broadcast(*db, b);
    b.target_json = R"({"units":["bo_ha"],"villages":["thôn Tân Lập"]})";  // the old union
    const auto old_union = storage::insert_broadcast(*db, b);
    CHECK(handlers::get_broadcast_status(ctx, everyone)->recipients == 30);
    CHECK(handlers::get_broadcast_status(ctx, old_union)->recipients == 10 + 2);
}

TEST_CASE("a village of today's commune reaches followers who chose it before the merger", "[broadcasts][audience]") {
    auto t = test::make_test_env(test::demo_config());
    t->now = bot::unix_ms_of({2026, 11, 30}, 9 * 60);
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    add_user(*db, "old_dd", "tan_soi", "thôn Đồng Điều");
    add_user(*db, "old_dc", "tan_soi", "thôn Đồng Cả");
    add_user(*db, "new_dd", "yen_the", "thôn Đồng Điều");
    add_user(*db, "bo_ha", "bo_ha_moi", "tổ dân phố Hồi");
    CHECK(handlers::preview_broadcast(ctx, audience_request({"yen_the"}, {"thôn Đồng Điều"})).recipients == 2);
    CHECK(handlers::preview_broadcast(ctx, audience_request({}, {"Đồng Điều"})).recipients == 2);
    CHECK(handlers::preview_broadcast(ctx, audience_request({"yen_the"}, {})).recipients == 3);
    CHECK_THROWS_WITH(handlers::preview_broadcast(ctx, audience_request({"bo_ha_moi"}, {"thôn Đồng Điều"})), Contains("yen_the"));
}

TEST_CASE("template variables are filled per recipient from their unit and village", "[broadcasts]") {
    auto t = test::make_test_env();
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    add_user(*db, "u1", "tan_soi", "thôn Trại Nập", true, false, "Nguyễn Văn A");
    add_user(*db, "u2", "dong_son", "thôn Hố Sâu");

    handlers::broadcast_request req = request("Kính gửi {{ten}} ở {{ten_thon}}, {{ten_xa}}: đăng ký tài khoản dịch vụ công.");
    req.buttons = {{"Đăng ký", "https://dichvucong.gov.vn/p/home/dvc-dang-ky.html"}};
    auto made = handlers::create_broadcast(ctx, req);
    handlers::run_broadcasts(ctx);
    auto rows = outbox_of(*db, made.id);
    REQUIRE(rows.size() == 2);
    const std::string hint = "\n\n" + ctx.texts.render("broadcast_opt_out_hint");
    CHECK(rows[0].msg.text == "Kính gửi Nguyễn Văn A ở thôn Trại Nập, xã Tân Sỏi: đăng ký tài khoản dịch vụ công." + hint);
    CHECK(rows[1].msg.text == "Kính gửi  ở thôn Hố Sâu, xã Đồng Sơn: đăng ký tài khoản dịch vụ công." + hint);
    REQUIRE(rows[0].msg.buttons.size() == 1);
    CHECK(rows[0].msg.buttons[0].type == zalo::button::kind::open_url);
    CHECK(rows[0].msg.buttons[0].title == "Đăng ký");
    CHECK(rows[0].msg.buttons[0].payload == "https://dichvucong.gov.vn/p/home/dvc-dang-ky.html");
    // Every message is logged as an outbound interaction with the recipient's unit.
    CHECK(count(*db, "SELECT COUNT(*) FROM interactions WHERE direction = 'out' AND kind = 'broadcast' AND unit_id = 'tan_soi'") == 1);
}

TEST_CASE("the daily quota holds recipients back until the next local day, then they go in order", "[broadcasts]") {
    auto cfg = test::test_config();
    cfg.zalo.broadcast_daily_quota = 4;
    auto t = test::make_test_env(cfg);
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    add_thirty_followers(*db);

    auto made = handlers::create_broadcast(ctx, request("Thông báo", {"tan_soi"}));
    auto run = handlers::run_broadcasts(ctx);
    CHECK(run.enqueued == 4);
    CHECK(run.quota_exhausted);
    auto st = handlers::get_broadcast_status(ctx, made.id);
    CHECK(st->state == storage::broadcast_state::waiting_quota);
    CHECK(st->waiting == 6);
    CHECK(st->recipients == 10);

    // Later the same day: still nothing, even after those four were sent.
    mark_outbox(*db, made.id, "sent", true, false);
    t->now = local_ms(2026, 11, 27, 21, 59);
    CHECK(handlers::run_broadcasts(ctx).enqueued == 0);
    // Just after local midnight: outside sending hours, still nothing.
    t->now = local_ms(2026, 11, 28, 0, 1);
    CHECK(handlers::run_broadcasts(ctx).enqueued == 0);
    // 06:00 next day: the next four, in the same stable order.
    t->now = local_ms(2026, 11, 28, 6, 0);
    CHECK(handlers::run_broadcasts(ctx).enqueued == 4);
    // Zalo reports a larger quota: the rest go the day after.
    t->now = local_ms(2026, 11, 29, 8, 0);
    SQLite::Statement meta(*db, "INSERT INTO meta (key, value) VALUES ('broadcast_daily_quota', '100')");
    meta.exec();
    CHECK(handlers::broadcast_daily_quota(ctx) == 100);
    CHECK(handlers::run_broadcasts(ctx).enqueued == 2);

    auto rows = outbox_of(*db, made.id);
    REQUIRE(rows.size() == 10);
    for (std::size_t i = 0; i < rows.size(); ++i) CHECK(rows[i].recipient == "tan_soi_u" + std::to_string(i));
    st = handlers::get_broadcast_status(ctx, made.id);
    CHECK(st->waiting == 0);
    CHECK(st->state == storage::broadcast_state::sending);
}

TEST_CASE("quota counts every broadcast message enqueued today, across broadcasts", "[broadcasts]") {
    auto t = test::make_test_env();
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    add_thirty_followers(*db);
    SQLite::Statement meta(*db, "INSERT INTO meta (key, value) VALUES ('broadcast_daily_quota', '15')");
    meta.exec();

    auto a = handlers::create_broadcast(ctx, request("A", {"tan_soi"}));
    auto b = handlers::create_broadcast(ctx, request("B", {"dong_son"}));
    auto run = handlers::run_broadcasts(ctx);
    CHECK(run.enqueued == 15);
    CHECK(outbox_of(*db, a.id).size() == 10);
    CHECK(outbox_of(*db, b.id).size() == 5);
    CHECK(handlers::get_broadcast_status(ctx, b.id)->waiting == 5);
}

TEST_CASE("a follower gets at most one broadcast a day; a second one waits for the next day", "[broadcasts]") {
    auto t = test::make_test_env();
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    add_thirty_followers(*db);

    auto a = handlers::create_broadcast(ctx, request("A", {"tan_soi"}));
    handlers::run_broadcasts(ctx);
    auto b = handlers::create_broadcast(ctx, request("B", {"tan_soi", "dong_son"}));
    handlers::run_broadcasts(ctx);
    CHECK(outbox_of(*db, a.id).size() == 10);
    CHECK(outbox_of(*db, b.id).size() == 10);  // dong_son only
    CHECK(handlers::get_broadcast_status(ctx, b.id)->waiting == 10);
    t->now += 24LL * 3600 * 1000;
    CHECK(handlers::run_broadcasts(ctx).enqueued == 10);
    CHECK(handlers::get_broadcast_status(ctx, b.id)->waiting == 0);
}

TEST_CASE("cancel stops pending messages and waiting recipients, keeps what was sent", "[broadcasts]") {
    auto cfg = test::test_config();
    cfg.zalo.broadcast_daily_quota = 6;
    auto t = test::make_test_env(cfg);
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    add_thirty_followers(*db);

    auto made = handlers::create_broadcast(ctx, request("Thông báo", {"tan_soi"}));
    handlers::run_broadcasts(ctx);
    mark_outbox(*db, made.id, "sent", true, false, 2);  // two sent, four pending, four waiting

    std::int64_t stopped = 0;
    CHECK(handlers::cancel_broadcast(ctx, made.id, &stopped) == handlers::cancel_result::cancelled);
    CHECK(stopped == 8);
    auto st = handlers::get_broadcast_status(ctx, made.id);
    CHECK(st->state == storage::broadcast_state::cancelled);
    CHECK(st->sent == 2);
    CHECK(st->received == 2);
    CHECK(st->pending == 0);
    CHECK(st->waiting == 0);
    CHECK(st->cancelled == 8);
    CHECK(count(*db, "SELECT COUNT(*) FROM outbox WHERE state = 'cancelled'") == 4);

    // Next day nothing more goes out; cancelled messages did not use up the quota.
    t->now += 24LL * 3600 * 1000;
    CHECK(handlers::run_broadcasts(ctx).enqueued == 0);
    CHECK(outbox_of(*db, made.id).size() == 6);
    CHECK(handlers::cancel_broadcast(ctx, made.id) == handlers::cancel_result::already_finished);
    CHECK(handlers::cancel_broadcast(ctx, 999) == handlers::cancel_result::not_found);
}

TEST_CASE("a scheduled broadcast that is cancelled before its time never goes out", "[broadcasts]") {
    auto t = test::make_test_env();
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    add_thirty_followers(*db);
    auto req = request("Mai họp", {"bo_ha"});
    req.at = "2026-11-28 08:00";
    auto made = handlers::create_broadcast(ctx, req);
    CHECK(handlers::run_broadcasts(ctx).enqueued == 0);
    CHECK(handlers::cancel_broadcast(ctx, made.id) == handlers::cancel_result::cancelled);
    t->now = local_ms(2026, 11, 28, 8, 0);
    CHECK(handlers::run_broadcasts(ctx).enqueued == 0);
    CHECK(count(*db, "SELECT COUNT(*) FROM outbox") == 0);
}

TEST_CASE("broadcasts go out only at their time and within 06:00-21:59 local", "[broadcasts]") {
    auto t = test::make_test_env();
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    add_thirty_followers(*db);

    auto req = request("Lịch tiếp dân", {"dong_son"});
    req.at = "2026-11-27 22:30";
    auto made = handlers::create_broadcast(ctx, req);
    CHECK(storage::find_broadcast(*db, made.id)->local_day == "2026-11-27");

    t->now = local_ms(2026, 11, 27, 22, 0);  // before its time
    CHECK(handlers::run_broadcasts(ctx).enqueued == 0);
    t->now = local_ms(2026, 11, 27, 22, 30);  // its time, but night
    auto run = handlers::run_broadcasts(ctx);
    CHECK(run.enqueued == 0);
    CHECK(run.outside_hours);
    CHECK(storage::find_broadcast(*db, made.id)->state == storage::broadcast_state::scheduled);
    t->now = local_ms(2026, 11, 28, 5, 59);
    CHECK(handlers::run_broadcasts(ctx).enqueued == 0);

    // A follower who joins overnight is included: recipients are expanded when sending starts.
    add_user(*db, "dong_son_new", "dong_son", "thôn Hố Sâu");
    t->now = local_ms(2026, 11, 28, 6, 0);
    CHECK(handlers::run_broadcasts(ctx).enqueued == 11);
}

TEST_CASE("followers who unfollow or opt out while waiting for quota are left out", "[broadcasts]") {
    auto cfg = test::test_config();
    cfg.zalo.broadcast_daily_quota = 3;
    auto t = test::make_test_env(cfg);
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    add_thirty_followers(*db);
    auto made = handlers::create_broadcast(ctx, request("Thông báo", {"bo_ha"}));
    handlers::run_broadcasts(ctx);
    set_user(*db, "bo_ha_u5", "is_follower", 0);
    set_user(*db, "bo_ha_u6", "broadcast_opt_out", 1);
    for (int day = 1; day <= 4; ++day) {
        t->now += 24LL * 3600 * 1000;
        handlers::run_broadcasts(ctx);
    }
    std::set<std::string> who;
    for (const auto& r : outbox_of(*db, made.id)) who.insert(r.recipient);
    CHECK(who.size() == 8);
    CHECK(who.count("bo_ha_u5") == 0);
    CHECK(who.count("bo_ha_u6") == 0);
    auto st = handlers::get_broadcast_status(ctx, made.id);
    CHECK(st->excluded == 2);
    CHECK(st->waiting == 0);
}

TEST_CASE("a dry run shows the rendered message and the count and stores nothing", "[broadcasts]") {
    auto t = test::make_test_env();
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    add_thirty_followers(*db);
    auto p = handlers::preview_broadcast(ctx, request("Bà con {{ten_thon}} ({{ten_xa}}) lưu ý", {"dong_son"}));
    CHECK(p.recipients == 10);
    CHECK(p.sample_user == "dong_son_u0");
    CHECK(p.text.rfind("Bà con thôn Đồng Sơn (xã Đồng Sơn) lưu ý\n\n", 0) == 0);
    auto q = handlers::preview_broadcast(ctx, request("Bà con {{ten_thon}}", {}, {"thôn Trại Nập"}));
    CHECK(q.recipients == 2);
    CHECK(q.sample_user == "tan_soi_u3");
    // Nobody there yet: shown as a follower of the targeted village would read it.
    auto empty = test::memory_db();
    auto ectx = t->env->context(*empty);
    auto e = handlers::preview_broadcast(ectx, request("Bà con {{ten_thon}}, {{ten_xa}}", {}, {"Hố Sâu"}));
    CHECK(e.recipients == 0);
    CHECK(e.sample_user.empty());
    CHECK(e.text.rfind("Bà con thôn Hố Sâu, xã Đồng Sơn\n\n", 0) == 0);
    CHECK(count(*db, "SELECT COUNT(*) FROM broadcasts") == 0);
    CHECK(count(*db, "SELECT COUNT(*) FROM broadcast_recipients") == 0);
    CHECK(count(*db, "SELECT COUNT(*) FROM outbox") == 0);
}

TEST_CASE("invalid broadcasts are refused with a reason", "[broadcasts]") {
    auto t = test::make_test_env();
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    using Catch::Matchers::Contains;
    CHECK_THROWS_WITH(handlers::create_broadcast(ctx, request("  ")), Contains("Nội dung tin đang để trống"));
    CHECK_THROWS_WITH(handlers::create_broadcast(ctx, request("x", {"xa_khong_co"})), Contains("Không có xã, phường mã \"xa_khong_co\"") && Contains("dong_son"));
    CHECK_THROWS_WITH(handlers::create_broadcast(ctx, request("x", {}, {"thôn Không Có"})), Contains("Không tìm thấy thôn"));
    CHECK_THROWS_WITH(handlers::create_broadcast(ctx, request("Chào {{ten_huyen}}")),
                      Contains("Ô tự điền {{ten_huyen}} không có sẵn") && Contains("{{ten_xa}} (tên xã, phường)"));
    CHECK_THROWS_WITH(handlers::create_broadcast(ctx, request("Chào {{#ten_thon}")), Contains("dấu ngoặc nhọn chưa đóng đúng"));
    CHECK_THROWS_WITH(handlers::create_broadcast(ctx, request(std::string(990, 'a'))),
                      Contains("Tin quá dài") && Contains("tối đa 1000 ký tự"));
    CHECK_NOTHROW(handlers::validate_broadcast(ctx, request(std::string(900, 'a'))));

    auto req = request("x");
    req.buttons = {{"1", "https://a.vn"}, {"2", "https://a.vn"}, {"3", "https://a.vn"}, {"4", "https://a.vn"}, {"5", "https://a.vn"}};
    CHECK_THROWS_WITH(handlers::create_broadcast(ctx, req), Contains("tối đa 4 nút"));
    req.buttons = {{"Hướng dẫn đăng ký tài khoản dịch vụ công", "https://a.vn"}};
    CHECK_THROWS_WITH(handlers::create_broadcast(ctx, req), Contains("dài quá 35 ký tự"));
    req.buttons = {{"Cổng dịch vụ công", "javascript:alert(1)"}};
    CHECK_THROWS_WITH(handlers::create_broadcast(ctx, req), Contains("không phải địa chỉ trang web"));
    CHECK_THROWS_AS(handlers::parse_button("no bar"), handlers::broadcast_error);
    CHECK(handlers::parse_button("Cổng DVC | https://dichvucong.gov.vn").url == "https://dichvucong.gov.vn");

    req = request("x");
    req.at = "27/11/2026 10:00";
    CHECK_THROWS_WITH(handlers::create_broadcast(ctx, req), Contains("năm-tháng-ngày giờ:phút"));
    req.at = "2026-11-26 10:00";
    CHECK_THROWS_WITH(handlers::create_broadcast(ctx, req), Contains("đã qua"));
    CHECK(count(*db, "SELECT COUNT(*) FROM broadcasts") == 0);
}

TEST_CASE("admin API bodies become broadcast requests", "[broadcasts]") {
    bool dry = false;
    auto r = handlers::broadcast_request_from_json(
        R"({"text": "Chào", "units": ["tan_soi"], "villages": "thôn Hố Sâu", "buttons": [{"title": "A", "url": "https://a.vn"}, "B|https://b.vn"], "at": "2026-11-28 08:00", "dry_run": true})",
        &dry);
    CHECK(dry);
    CHECK(r.text == "Chào");
    CHECK(r.units == std::vector<std::string>{"tan_soi"});
    CHECK(r.villages == std::vector<std::string>{"thôn Hố Sâu"});
    REQUIRE(r.buttons.size() == 2);
    CHECK(r.buttons[1].url == "https://b.vn");
    CHECK(r.at == "2026-11-28 08:00");
    CHECK_THROWS_AS(handlers::broadcast_request_from_json("[1]"), handlers::broadcast_error);
    CHECK_THROWS_AS(handlers::broadcast_request_from_json(R"({"text": 5})"), handlers::broadcast_error);
    CHECK_THROWS_AS(handlers::broadcast_request_from_json(R"({"text": "x", "units": [1]})"), handlers::broadcast_error);
}

TEST_CASE("each Official Account sends broadcasts within its own daily quota", "[broadcasts][oa]") {
    auto cfg = test::example_config();
    REQUIRE(cfg.oa_tables.size() == 2);
    cfg.oa_tables[0].broadcast_daily_quota = 2;  // xã Yên Thế's OA (the default)
    cfg.oa_tables[1].broadcast_daily_quota = 3;  // phường Bố Hạ's OA
    auto t = test::make_test_env(cfg);
    t->now = local_ms(2026, 11, 27, 9, 0);
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    for (int i = 0; i < 5; ++i) {
        add_user(*db, "yt" + std::to_string(i), "yen_the", "");
        add_user(*db, "bh" + std::to_string(i), "bo_ha_moi", "");
    }
    db->exec("UPDATE users SET oa = CASE WHEN user_id LIKE 'yt%' THEN 'yen_the' ELSE 'bo_ha' END");

    auto made = handlers::create_broadcast(ctx, request("Thông báo", {"yen_the", "bo_ha_moi"}));
    auto run = handlers::run_broadcasts(ctx);
    CHECK(run.enqueued == 5);  // 2 through xã Yên Thế's OA, 3 through phường Bố Hạ's
    CHECK(run.quota_exhausted);
    CHECK(count(*db, "SELECT COUNT(*) FROM outbox WHERE oa = 'yen_the' AND recipient LIKE 'yt%'") == 2);
    CHECK(count(*db, "SELECT COUNT(*) FROM outbox WHERE oa = 'bo_ha' AND recipient LIKE 'bh%'") == 3);
    CHECK(count(*db, "SELECT COUNT(*) FROM interactions WHERE kind = 'broadcast' AND oa = 'bo_ha'") == 3);
    CHECK(handlers::get_broadcast_status(ctx, made.id)->waiting == 5);

    // Zalo raises phường Bố Hạ's quota: only that OA's followers go on today.
    zalo::event ev;
    ev.quota_prev = 3;
    ev.quota_new = 5;
    auto bo_ha = t->env->context(*db, "bo_ha");
    (void)handlers::handle_change_oa_daily_quota(ev, bo_ha);
    CHECK(handlers::broadcast_daily_quota(ctx, "bo_ha") == 5);
    CHECK(handlers::broadcast_daily_quota(ctx, "yen_the") == 2);
    CHECK(handlers::broadcast_daily_quota(ctx) == 2);  // '' is the default OA
    CHECK(handlers::run_broadcasts(ctx).enqueued == 2);
    CHECK(count(*db, "SELECT COUNT(*) FROM outbox WHERE oa = 'bo_ha'") == 5);
    CHECK(count(*db, "SELECT COUNT(*) FROM outbox WHERE oa = 'yen_the'") == 2);
}

TEST_CASE("a follower from before there were several OAs hears a broadcast from the OA serving their unit", "[broadcasts][oa]") {
    auto cfg = test::example_config();
    REQUIRE(cfg.oa_tables.size() == 2);
    auto t = test::make_test_env(cfg);
    t->now = local_ms(2026, 11, 27, 9, 0);
    auto db = test::memory_db();
    auto ctx = t->env->context(*db);
    for (int i = 0; i < 3; ++i) {
        add_user(*db, "yt" + std::to_string(i), "yen_the", "");
        add_user(*db, "bh" + std::to_string(i), "bo_ha_moi", "");
    }
    // users.oa stays '': nobody has written since the second OA was configured.
    auto made = handlers::create_broadcast(ctx, request("Thông báo", {"yen_the", "bo_ha_moi"}));
    CHECK(handlers::run_broadcasts(ctx).enqueued == 6);
    CHECK(count(*db, "SELECT COUNT(*) FROM outbox WHERE oa = 'bo_ha' AND recipient LIKE 'bh%'") == 3);
    CHECK(count(*db, "SELECT COUNT(*) FROM outbox WHERE oa = 'yen_the' AND recipient LIKE 'yt%'") == 3);
    CHECK(count(*db, "SELECT COUNT(*) FROM interactions WHERE kind = 'broadcast' AND oa = 'bo_ha'") == 3);
    CHECK(handlers::get_broadcast_status(ctx, made.id)->recipients == 6);
}

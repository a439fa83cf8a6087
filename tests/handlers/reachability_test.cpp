// Reminders nobody receives: each official's reachability, undeliverable reminders recorded with
// their reason, and the unit's unreachable officials named in the leader's digest.
#include "bot/dossiers/reachability.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/dossiers/link_code.hpp"
#include "bot/dossiers/reminder_admin.hpp"
#include "handlers/reminders.hpp"
#include "storage/official_repository.hpp"
#include "storage/reminder_repository.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Statement.h>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

namespace {

constexpr std::int64_t day_ms = 24LL * 3600 * 1000;

storage::official official(std::string phone, std::string zalo = {}) {
    return storage::official{"cb1", "Nguyễn Văn An", "tan_soi", "official", std::move(phone), std::move(zalo), true, true, false, {}};
}

struct fixture {
    std::unique_ptr<test::test_env> t;
    std::unique_ptr<SQLite::Database> db = test::memory_db();
    std::shared_ptr<const bot::work_calendar> cal;

    explicit fixture(const std::string& zns_template = {}) {
        auto cfg = test::test_config();
        cfg.zalo.zns_reminder_template = zns_template;
        t = test::make_test_env(std::move(cfg));
        cal = bot::calendar_for(t->env->cfg);
        add("cb_ts_01", "tan_soi", "official", "0912000001");
        add("cb_ts_02", "tan_soi", "official", "");
        add("ld_ts", "tan_soi", "leader", "0912000009");
        auto imp = bot::import_dossiers(*db, test::read_file(test::source_dir() + "/tests/fixtures/dossiers-2023-06.csv"),
                                        t->env->cfg, 0);
        REQUIRE(imp.parsed.ok());
        t->now = bot::unix_ms_of({2023, 6, 15}, 8 * 60);
    }
    void add(const std::string& id, const std::string& unit, const std::string& role, const std::string& phone) {
        storage::official o{id, "Cán bộ " + id, unit, role, phone, "", true, true, false, {}};
        REQUIRE(storage::add_official(*db, o, 0));
    }
    void link(const std::string& id, const std::string& zalo, std::int64_t last_interaction) {
        auto code = bot::issue_link_code(*db, id, t->now);
        REQUIRE(code);
        REQUIRE(storage::redeem_link_code(*db, bot::hash_link_code(code->code), zalo, t->now) == storage::link_status::linked);
        SQLite::Statement q(*db, "INSERT INTO users (user_id, last_interaction_at, created_at) VALUES (?, ?, 0)");
        q.bind(1, zalo);
        q.bind(2, last_interaction);
        q.exec();
    }
    handlers::scan_report scan(bool dry = false) {
        auto ctx = t->env->context(*db);
        return handlers::run_reminder_scan(ctx, *cal, dry);
    }
    std::string text(const std::string& sql) {
        SQLite::Statement q(*db, sql);
        if (!q.executeStep() || q.getColumn(0).isNull()) return {};
        return q.getColumn(0).getString();
    }
};

}  // namespace

TEST_CASE("an official is reachable inside Zalo's window until it closes, by ZNS, or not at all with why", "[reachability]") {
    auto cfg = test::test_config();
    const std::int64_t now = bot::unix_ms_of({2026, 6, 15}, 9 * 60);

    auto in = bot::reachability_of(official("0912000001", "z1"), now - 2 * day_ms, now, cfg);
    CHECK(in.state == bot::reach_state::window);
    REQUIRE(in.until_ms);
    CHECK(*in.until_ms == now + 5 * day_ms);

    auto closed = bot::reachability_of(official("0912000001", "z1"), now - 8 * day_ms, now, cfg);
    CHECK(closed.state == bot::reach_state::unreachable);
    CHECK(closed.reason == "window_closed_no_template");

    CHECK(bot::reachability_of(official("0912000001"), std::nullopt, now, cfg).reason == "not_linked_no_template");
    CHECK(bot::reachability_of(official(""), std::nullopt, now, cfg).reason == "not_linked_no_phone");
    CHECK(bot::reachability_of(official("", "z1"), now - 30 * day_ms, now, cfg).reason == "window_closed_no_phone");

    cfg.zalo.zns_reminder_template = "zns-1";
    CHECK(bot::reachability_of(official("0912000001"), std::nullopt, now, cfg).state == bot::reach_state::zns);
    CHECK(bot::reachability_of(official(""), std::nullopt, now, cfg).state == bot::reach_state::unreachable);

    auto disabled = official("0912000001", "z1");
    disabled.disabled = true;
    CHECK(bot::reachability_of(disabled, now, now, cfg).reason == "disabled");

    // Said in words for `officials list` and the API.
    CHECK(bot::describe(in, cfg.time.utc_offset_minutes).find("2026-06-20 09:00") != std::string::npos);
    CHECK(bot::describe(closed, cfg.time.utc_offset_minutes).find("7-day") != std::string::npos);
    const auto j = boost::json::parse(bot::reachability_json(closed, cfg.time.utc_offset_minutes)).as_object();
    CHECK(j.at("state").as_string() == "unreachable");
    CHECK(j.at("reason").as_string() == "window_closed_no_template");
}

TEST_CASE("a reminder nobody can receive is recorded with its reason", "[reachability]") {
    fixture f;  // no ZNS template
    f.link("cb_ts_01", "z-ts-01", f.t->now - 10 * day_ms);  // linked, but silent for 10 days
    auto rep = f.scan();
    REQUIRE(rep.active);
    bool seen = false;
    for (const auto& r : rep.items)
        if (r.recipient == "cb_ts_01") {
            seen = true;
            CHECK(r.channel == "none");
            CHECK(r.reason == "window_closed_no_template");
        }
    CHECK(seen);
    CHECK(f.text("SELECT reason FROM reminders WHERE recipient = 'cb_ts_01' LIMIT 1") == "window_closed_no_template");
    CHECK(f.text("SELECT COUNT(*) FROM reminders WHERE recipient = 'cb_ts_01' AND outbox_id IS NOT NULL") == "0");
}

TEST_CASE("the leader's digest names the unit's officials who cannot be reached, and why", "[reachability]") {
    fixture f("zns-reminder-1");
    f.link("cb_ts_01", "z-ts-01", f.t->now - day_ms);  // reachable on Zalo
    // cb_ts_02 is not linked and has no phone: nothing reaches them.
    auto rep = f.scan();
    REQUIRE(rep.active);
    const std::string digest = f.text(
        "SELECT o.body FROM reminders r JOIN outbox o ON o.id = r.outbox_id WHERE r.kind = 'digest' AND r.recipient = 'ld_ts'");
    REQUIRE_FALSE(digest.empty());
    const auto body = boost::json::parse(digest).as_object();
    std::string text;
    if (auto* m = body.if_contains("text")) text = std::string(m->as_string());
    if (auto* d = body.if_contains("template_data"); d && text.empty()) text = std::string(d->at("noi_dung").as_string());
    INFO(digest);
    CHECK(text.find("Cán bộ cb_ts_02") != std::string::npos);
    CHECK(text.find("Cán bộ cb_ts_01") == std::string::npos);
}

TEST_CASE("every official's reachability is counted for /metrics", "[reachability]") {
    fixture f;
    f.link("cb_ts_01", "z-ts-01", f.t->now - day_ms);
    auto ctx = f.t->env->context(*f.db);
    const auto counts = handlers::unreachable_officials(ctx);
    // ld_ts (phone, no template) and cb_ts_02 (nothing) cannot be reached; cb_ts_01 can.
    CHECK(counts.at("not_linked_no_template") == 1);
    CHECK(counts.at("not_linked_no_phone") == 1);
    std::int64_t total = 0;
    for (const auto& [reason, n] : counts) total += n;
    CHECK(total == 2);
}

// The console's demo data.
#include "bot/console/demo.hpp"

#include "bot/core/calendar.hpp"
#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/units.hpp"
#include "bot/core/messages.hpp"
#include "bot/language/knowledge_base.hpp"
#include "handlers/broadcasts.hpp"
#include "handlers/conversation_common.hpp"
#include "handlers/reminders.hpp"
#include "storage/console_repository.hpp"
#include "storage/dossier_repository.hpp"
#include "storage/handoff_repository.hpp"
#include "storage/interaction_repository.hpp"
#include "storage/official_link.hpp"
#include "storage/official_repository.hpp"
#include "storage/outbox_repository.hpp"
#include "storage/user_repository.hpp"
#include "storage/write_scope.hpp"

#include <SQLiteCpp/Database.h>

#include <array>

namespace bot::console {

namespace {

constexpr std::int64_t minute_ms = 60'000;
constexpr std::int64_t hour_ms = 60 * minute_ms;
constexpr std::int64_t day_ms = 24 * hour_ms;

constexpr std::array<const char*, 30> names = {
    "Nguyễn Văn Hùng", "Trần Thị Lan",   "Lê Văn Nam",      "Phạm Thị Hoa",    "Hoàng Văn Đức",  "Vũ Thị Mai",
    "Đặng Văn Long",   "Bùi Thị Hạnh",   "Đỗ Văn Thành",    "Ngô Thị Thu",     "Dương Văn Minh", "Lý Thị Ngọc",
    "Nguyễn Thị Hương", "Trần Văn Bình", "Lê Thị Yến",      "Phạm Văn Tuấn",   "Hoàng Thị Nga",  "Vũ Văn Khánh",
    "Đặng Thị Liên",   "Bùi Văn Toàn",   "Đỗ Thị Phương",   "Ngô Văn Sơn",     "Dương Thị Loan", "Lý Văn Hải",
    "Nguyễn Văn Quang", "Trần Thị Nhung", "Lê Văn Dũng",    "Phạm Thị Thảo",   "Hoàng Văn Tiến", "Vũ Thị Oanh"};

using io = storage::interaction_outcome;

struct sample_question {
    const char* text;
    const char* topic;
    storage::interaction_outcome outcome;
};

// Questions as citizens type them, with what the bot did; spread over the 30 days.
constexpr std::array<sample_question, 12> samples = {{
    {"làm giấy khai sinh cho con cần giấy tờ gì", "khai_sinh", io::answered},
    {"dang ky tai khoan dich vu cong the nao", "tai_khoan_dvc", io::answered},
    {"nộp hồ sơ online ở đâu ạ", "nop_ho_so_truc_tuyen", io::answered},
    {"thanh toán lệ phí bằng thẻ không được", "thanh_toan_truc_tuyen", io::answered},
    {"quen mat khau vneid", "quen_mat_khau", io::answered},
    {"bộ phận một cửa làm việc mấy giờ", "gio_lam_viec", io::answered},
    {"chứng thực bản sao hết bao nhiêu tiền", "chung_thuc", io::answered},
    {"đăng ký kết hôn cần mang gì", "ket_hon", io::answered},
    {"H06.23-0005", "tra_cuu_ho_so", io::lookup},
    {"giấy tờ nhà đất", "dat_dai", io::clarified},
    {"cho hỏi vụ karaoke", "", io::fallback},
    {"cần gặp cán bộ", "gap_can_bo", io::handoff},
}};

// A small deterministic generator: the same demo every time.
struct lcg {
    std::uint64_t s;
    unsigned next(unsigned n) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<unsigned>((s >> 33) % n);
    }
};

// What the bot answered to a sample question: the topic's answer, the clarifying question, or the
// fallback (as the real handlers send them); nothing for the rest (lookups, hand-offs).
std::string demo_reply(const handlers::context& ctx, const sample_question& q) {
    if (q.outcome == io::answered && ctx.kb)
        if (const auto* t = ctx.kb->find(q.topic)) return t->answer_for(ctx.oa);
    if (q.outcome == io::clarified) return ctx.texts.render("conversation_clarify");
    if (q.outcome == io::fallback) return ctx.texts.render("conversation_fallback");
    return {};
}

std::string citizen_id(int n) {
    std::string digits = std::to_string(n);
    return "72000000000" + std::string(8 - digits.size(), '0') + digits;
}

}  // namespace

namespace {

// The desk above the communes and the communes, as they are today.
struct demo_places {
    const unit_config* desk = nullptr;
    std::vector<const unit_config*> communes;
};

demo_places places_today(const config& cfg, std::int64_t now_ms) {
    demo_places p;
    const std::string today = to_iso(local_date_of(now_ms, cfg.reminders.utc_offset_minutes));
    const auto units = units_on(cfg, today);
    for (const auto& level : cfg.levels) {
        for (const auto* u : units)
            if (u->level == level.id) {
                p.desk = u;
                break;
            }
        if (p.desk) break;
    }
    for (const auto* u : units)
        if (p.desk && u->level != p.desk->level) p.communes.push_back(u);
    return p;
}

}  // namespace

std::string demo_propaganda_id(const config& cfg) {
    auto p = places_today(cfg, now_ms());
    return p.communes.empty() ? std::string("tt_demo") : "tt_" + p.communes.front()->id;
}

std::string seed_console_demo(handlers::context& ctx) {
    auto& db = ctx.db;
    const auto& cfg = ctx.cfg;
    if (storage::get_meta(db, "console_demo_seeded")) return {};
    const std::int64_t now = ctx.now_ms();
    const int off = cfg.reminders.utc_offset_minutes;
    const auto places = places_today(cfg, now);
    const unit_config* desk = places.desk;
    const std::vector<const unit_config*>& communes = places.communes;
    if (!desk || communes.empty()) return {};
    const auto* c1 = communes.front();
    const auto* c2 = communes.size() > 1 ? communes[1] : c1;
    storage::write_scope tx(db);

    // Staff of every role. cb_<first commune> is linked and wrote to the OA two days ago; the
    // commune's judicial officer has no Zalo and no phone, so their reminders cannot be delivered.
    int staff = 0;
    auto add = [&](const std::string& id, const std::string& name, const std::string& unit, const char* role, const std::string& phone) {
        storage::official o{id, name, unit, role, phone, "", true, true, false, {}};
        staff += storage::add_official(db, o, now) ? 1 : 0;
    };
    add(demo_admin_id, "Quản trị viên " + desk->name, desk->id, "admin", "");
    add(demo_propaganda_id(cfg), "Tổ tuyên truyền " + c1->name, c1->id, "propaganda", "");
    add(demo_viewer_id, "Văn phòng " + desk->name, desk->id, "viewer", "");
    add("cb2_" + c1->id, "Cán bộ tư pháp " + c1->name, c1->id, "official", "");
    const std::string linked_zalo = "7100000000000000001";
    if (storage::official_zalo_account(db, "cb_" + c1->id).value_or("x").empty()) {
        storage::link_official_account(db, "cb_" + c1->id, linked_zalo);
        storage::touch_user(db, linked_zalo, now - 2 * day_ms);
    }

    // Followers in every commune and its villages.
    int n = 0;
    std::vector<std::pair<std::string, const unit_config*>> citizens;
    for (const auto* u : communes) {
        std::vector<std::string> villages(u->villages.begin(), u->villages.begin() + std::min<std::size_t>(3, u->villages.size()));
        villages.emplace_back();  // one who chose the commune but no village
        for (std::size_t v = 0; v < villages.size(); ++v) {
            for (int k = 0; k < (v == 0 ? 3 : 2); ++k) {
                const std::string uid = citizen_id(++n);
                storage::set_follower(db, uid, true, now - static_cast<std::int64_t>(40 + n) * day_ms);
                storage::set_user_place(db, uid, u->id, villages[v]);
                storage::set_user_display_name(db, uid, names[static_cast<std::size_t>(n) % names.size()]);
                storage::touch_user(db, uid, now - static_cast<std::int64_t>(n % 9) * day_ms - hour_ms);
                citizens.emplace_back(uid, u);
            }
        }
    }

    // Thirty days of questions.
    lcg rng{20260601};
    const auto today = local_date_of(now, off);
    int logged = 0;
    for (int back = 29; back >= 0; --back) {
        const auto day = civil_from_days(days_from_civil(today) - back);
        const bool weekend = weekday(day) == 0 || weekday(day) == 6;
        for (const auto* u : communes) {
            const unsigned count = (weekend ? 1 : 4) + rng.next(weekend ? 3 : 7);
            for (unsigned i = 0; i < count; ++i) {
                const std::int64_t at = unix_ms_of(day, 7 * 60 + static_cast<int>(rng.next(12 * 60)), off);
                if (at > now) continue;
                // Mostly answered, some clarified, a few the bot could not help with.
                const auto& q = samples[rng.next(10) < 7 ? rng.next(9) : 9 + rng.next(3)];
                const auto& who = citizens[rng.next(static_cast<unsigned>(citizens.size()))];
                const std::int64_t latency = 800 + rng.next(900);
                storage::interaction in{at, to_iso(day), who.first, u->id, "in", "text", q.topic, q.outcome, q.text, latency, ""};
                storage::log_interaction(db, in);
                // The bot's reply, so a citizen's history in the inbox reads as a conversation.
                if (auto reply = demo_reply(ctx, q); !reply.empty())
                    storage::log_interaction(db, {at + latency, to_iso(day), who.first, u->id, "out", "reply", "", io::none, reply, std::nullopt, ""});
                ++logged;
            }
        }
    }

    // Open hand-offs: one just now, one waiting since this morning, one from the day before.
    struct demo_handoff {
        std::size_t citizen;
        std::int64_t ago;
        const char* reason;
        const char* question;
    };
    const std::array<demo_handoff, 3> handoffs = {{
        {0, 20 * minute_ms, "asked", "Hồ sơ khai sinh cho cháu nộp hôm qua đã được duyệt chưa ạ? Tôi cần bản giấy để làm bảo hiểm y tế cho cháu."},
        {citizens.size() > 10 ? std::size_t{10} : std::size_t{1}, 3 * hour_ms, "fallbacks",
         "Giấy chứng nhận quyền sử dụng đất nhà tôi bị cháy mất một góc\nLàm lại ở đâu, có mất phí không?"},
        {citizens.size() > 5 ? std::size_t{5} : std::size_t{2}, 27 * hour_ms, "asked", "Cho tôi gặp cán bộ tư pháp hỏi về chứng thực di chúc."},
    }};
    int opened = 0;
    for (const auto& h : handoffs) {
        const auto& [uid, unit] = citizens[h.citizen % citizens.size()];
        if (storage::open_handoff_of(db, uid)) continue;
        const std::int64_t at = now - h.ago;
        const std::string day = to_iso(local_date_of(at, off));
        storage::log_interaction(db, {at - 2 * minute_ms, day, uid, unit->id, "in", "text", "khai_sinh", io::answered,
                                      "chào em, cho chị hỏi về hồ sơ", 900, ""});
        storage::log_interaction(db, {at - 2 * minute_ms, day, uid, unit->id, "out", "reply", "", io::none,
                                      "Dạ, em chào anh/chị. Anh/chị cần hỏi về hồ sơ nào ạ?", std::nullopt, ""});
        storage::log_interaction(db, {at, day, uid, unit->id, "in", "text", "gap_can_bo", io::handoff, h.question, 700, ""});
        const auto id = storage::open_handoff(db, uid, unit->id, h.reason, h.question, at);
        storage::log_interaction(db, {at, day, uid, unit->id, "out", "reply", "", io::none,
                                      ctx.texts.render("conversation_handoff_opened", {{"id", std::to_string(id)},
                                                                                       {"when", ctx.texts.render("conversation_when_now")}}),
                                      std::nullopt, ""});
        ++opened;
    }

    // Questions the bot could not answer: a few ways of asking the same things.
    struct demo_unanswered {
        const char* text;
        std::int64_t ago;
        std::size_t citizen;
    };
    // Things the knowledge base does not cover (driving licences and number plates are the
    // province's police and transport offices' business; school fees the school's).
    const std::array<demo_unanswered, 11> unanswered = {{
        {"cấp đổi giấy phép lái xe ở xã được không", 1 * day_ms, 3},
        {"đổi bằng lái xe làm ở đâu", 2 * day_ms, 7},
        {"gia hạn bằng lái xe máy", 4 * day_ms, 12},
        {"đóng học phí cho con qua VNeID được không", 1 * day_ms, 4},
        {"đóng học phí qua vneid thế nào", 3 * day_ms, 9},
        {"đăng ký biển số xe máy ở đâu", 2 * day_ms, 11},
        {"đăng ký biển số xe máy mới mua", 5 * day_ms, 2},
        {"tôi sđt 0912345678 hỏi sao chưa nhận tiền hỗ trợ lũ lụt", 1 * day_ms, 6},
        {"tiền hỗ trợ bão lũ khi nào có", 8 * day_ms, 14},
        {"tiền hỗ trợ lũ lụt nhận ở đâu", 3 * day_ms, 1},
        {"cắt điện bao giờ có lại", 9 * day_ms, 8},
    }};
    for (const auto& q : unanswered) {
        const auto& uid = citizens[q.citizen % citizens.size()].first;
        const std::int64_t at = now - q.ago;
        storage::record_unanswered(db, at, to_iso(local_date_of(at, off)), uid, q.text, handlers::fold_text(q.text));
    }

    // A reminder round as of 09:00 on the previous working day, with one official nobody can
    // reach: two of the first commune's open dossiers are theirs.
    const auto cal = calendar_for(cfg);
    int reminders = 0;
    {
        auto mine = storage::open_dossiers_due_by(db, "9999-12-31");
        int moved = 0;
        for (const auto& d : mine) {
            if (d.unit_id != c1->id || moved >= 2) continue;
            auto full = storage::find_dossier(db, d.code);
            if (!full) continue;
            full->official_id = "cb2_" + c1->id;
            storage::upsert_dossiers(db, {*full}, now);
            ++moved;
        }
        auto day = civil_from_days(days_from_civil(today) - 1);
        while (!cal->is_working_day(day)) day = civil_from_days(days_from_civil(day) - 1);
        const std::int64_t then = unix_ms_of(day, 9 * 60, off);
        handlers::context past{db, cfg, ctx.texts, ctx.kb, [then] { return then; }};
        auto rep = handlers::run_reminder_scan(past, *cal, false);
        reminders = static_cast<int>(rep.items.size());
    }

    // Broadcasts: one to a village of the first commune now, one to the second commune tomorrow.
    int broadcasts = 0;
    if (!c1->villages.empty()) {
        handlers::broadcast_request now_req;
        now_req.text = "Kính gửi bà con {{ten_thon}}: từ tháng này, đăng ký khai sinh cho trẻ có thể làm trực tuyến trên Cổng Dịch vụ công, "
                       "không phải đến xã. Cần hỗ trợ, bà con nhắn \"gặp cán bộ\" cho Official Account.";
        now_req.unit_villages = {{c1->id, c1->villages.front()}};
        now_req.buttons = {{"Hướng dẫn khai sinh", "https://dichvucong.gov.vn"}};
        now_req.created_by = "console:" + demo_propaganda_id(cfg);
        (void)handlers::create_broadcast(ctx, now_req);
        ++broadcasts;
    }
    {
        handlers::broadcast_request later;
        later.text = "{{ten_xa}} thông báo: từ tuần này, nơi tiếp nhận hồ sơ của xã làm việc cả sáng thứ Bảy để nhận hồ sơ đất đai. "
                     "Bà con mang đủ giấy tờ theo hướng dẫn trên Cổng Dịch vụ công.";
        later.units = {c2->id};
        const auto tomorrow = civil_from_days(days_from_civil(today) + 1);
        later.at = to_iso(tomorrow) + " 08:00";
        later.created_by = "console:" + demo_propaganda_id(cfg);
        (void)handlers::create_broadcast(ctx, later);
        ++broadcasts;
    }

    storage::set_meta(db, "console_demo_seeded", "1");
    tx.commit();
    return "console demo data: " + std::to_string(staff) + " staff, " + std::to_string(citizens.size()) + " followers, " +
           std::to_string(logged) + " questions over 30 days, " + std::to_string(opened) + " open hand-offs, " +
           std::to_string(unanswered.size()) + " unanswered questions, " + std::to_string(reminders) + " reminders, " +
           std::to_string(broadcasts) + " broadcasts";
}

}  // namespace bot::console

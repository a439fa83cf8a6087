// Officials on Zalo: `DK <code>` links an account; linked officials list their dossiers and
// switch reminders off and on.
#include "handlers/official_commands.hpp"

#include "bot/core/calendar.hpp"
#include "bot/core/config.hpp"
#include "bot/dossiers/link_code.hpp"
#include "bot/dossiers/sign_in_link.hpp"
#include "bot/http/admin_api.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/messages.hpp"
#include "bot/core/text_fold.hpp"
#include "handlers/reminders.hpp"
#include "storage/dossier_repository.hpp"
#include "storage/official_link.hpp"
#include "storage/official_repository.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <set>

namespace handlers {

namespace {

/// Items per list: a phone screen.
constexpr std::size_t list_limit = 8;

/// What an official types to see the commands: folded words, or a lone "?".
bool is_help_request(const std::string& cmd, const std::string& text) {
    static const char* const words[] = {"help",      "menu",          "huong dan", "huong dan su dung", "tro giup",
                                        "lenh",      "cac lenh",      "danh sach lenh", "start", "bat dau"};
    for (const char* w : words)
        if (cmd == w) return true;
    std::string t;
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c))) t.push_back(c);
    return t == "?";
}

/// "đăng nhập" (any spelling): a linked official asks for a console sign-in link. A citizen who
/// types it is asking about the portal's sign-in: the citizen flow answers them.
bool is_sign_in_request(const std::string& cmd) {
    return cmd == "dang nhap" || cmd == "dang nhap console" || cmd == "dang nhap bang dieu khien" || cmd == "login";
}

outcome reply(const std::string& to, std::string text, const std::string& unit_id);

// A one-time console link (10 minutes, single use; a few an hour) to the official's own Zalo.
outcome console_link(context& ctx, const std::string& me, const storage::official& off) {
    auto issued = bot::issue_sign_in_link(ctx.db, ctx.cfg, off.official_id, ctx.now_ms(), "zalo", bot::console_base_url(ctx.db, ctx.cfg));
    switch (issued.result) {
    case bot::sign_in_issue::status::issued:
        bot::audit(ctx.db, "zalo:" + off.official_id, "console link", off.official_id, "");
        return reply(me, ctx.texts.render("console_link_sent", {{"link", issued.url}}), off.unit_id);
    case bot::sign_in_issue::status::rate_limited:
        return reply(me, ctx.texts.render("console_link_rate_limited",
                                          {{"minutes", std::to_string(issued.retry_after_ms / 60000 + 1)}}),
                     off.unit_id);
    case bot::sign_in_issue::status::unknown_official:
        break;
    }
    return reply(me, ctx.texts.render("console_link_not_staff"), off.unit_id);
}

outcome reply(const std::string& to, std::string text, const std::string& unit_id) {
    outcome out;
    zalo::outgoing_message m;
    m.recipient = to;
    m.via = zalo::channel::cs;
    m.prio = zalo::priority::reply;
    m.purpose = "reply";
    m.text = std::move(text);
    out.messages.push_back(std::move(m));
    out.note = interaction_note{"text", "", interaction_outcome::command, unit_id};
    return out;
}

std::string list_text(context& ctx, const std::vector<storage::open_dossier>& items, const char* header_key,
                      const char* empty_key, const std::string& today) {
    if (items.empty()) return ctx.texts.render(empty_key);
    std::string text = ctx.texts.render(header_key, {{"so_luong", std::to_string(items.size())}});
    for (std::size_t i = 0; i < items.size() && i < list_limit; ++i) {
        const auto& d = items[i];
        auto due = bot::date_of(d.due_on);
        text += ctx.texts.render("reminder_list_item",
                                 {{"stt", std::to_string(i + 1)},
                                  {"ma_ho_so", d.code},
                                  {"thu_tuc", short_procedure(d.procedure, 50)},
                                  {"han_tra", due ? bot::to_vn(*due) : d.due_on},
                                  {"ghi_chu", d.due_on < today ? ctx.texts.render("reminder_list_item_late") : std::string{}}});
    }
    if (items.size() > list_limit)
        text += ctx.texts.render("reminder_list_more", {{"con_lai", std::to_string(items.size() - list_limit)}});
    return text;
}

/// How long failed link attempts count against the limits.
constexpr std::int64_t link_window_ms = 3600 * 1000;
/// Attempts are kept this long, then forgotten.
constexpr std::int64_t link_attempts_kept_ms = 24 * 3600 * 1000;

/// `DK <code>`: refused while this account, or everyone together, failed too often in the last
/// hour (told once, then ignored); else redeemed. A wrong guess counts against this account,
/// against everyone, and against the code it was aimed at (which locks after a few). Every
/// failure reads the same, so a guess learns nothing about codes or officials.
outcome link_account(context& ctx, const std::string& me, const std::string& code) {
    const auto& conv = ctx.cfg.conversation;
    const std::int64_t now = ctx.now_ms();
    storage::forget_link_attempts(ctx.db, now - link_attempts_kept_ms);
    const auto w = storage::link_attempts_since(ctx.db, me, now - link_window_ms, link_window_ms,
                                                conv.link_attempts_per_hour, conv.link_attempts_per_hour_total);
    if (w.user_free_at || w.total_free_at) {
        outcome out;
        out.note = interaction_note{"text", "", interaction_outcome::command, {}};
        if (w.user_refused) return out;  // told already: further attempts are not even stored
        storage::record_link_attempt(ctx.db, me, storage::link_attempt::refused, now);
        const std::int64_t free_at = std::max(w.user_free_at.value_or(0), w.total_free_at.value_or(0));
        const std::string when = bot::format_local_datetime(free_at + 60'000, ctx.cfg.time.utc_offset_minutes);
        spdlog::warn("link code attempts refused: {}", w.user_free_at ? "too many failures from one account" : "too many failures overall");
        return reply(me, ctx.texts.render(w.user_free_at ? "reminder_link_too_many" : "reminder_link_paused", {{"gio", when}}), {});
    }
    storage::official linked;
    const auto status = storage::redeem_link_code(ctx.db, bot::hash_link_code(code), me, now, &linked, ctx.oa);
    storage::record_link_attempt(ctx.db, me,
                                 status == storage::link_status::linked ? storage::link_attempt::linked : storage::link_attempt::failed,
                                 now);
    switch (status) {
    case storage::link_status::linked: {
        spdlog::info("official {} linked a Zalo account", linked.official_id);
        const auto* unit = ctx.cfg.find_unit(linked.unit_id);
        return reply(me, ctx.texts.render("reminder_link_ok", {{"ten", linked.name}, {"don_vi", unit ? unit->name : linked.unit_id}}),
                     linked.unit_id);
    }
    case storage::link_status::expired:
        return reply(me, ctx.texts.render("reminder_link_expired"), {});
    case storage::link_status::locked:
        return reply(me, ctx.texts.render("reminder_link_locked"), {});
    case storage::link_status::unknown_code:
        break;
    }
    storage::count_wrong_guess(ctx.db, bot::link_code_selector(code), conv.link_code_max_failures);
    return reply(me, ctx.texts.render("reminder_link_invalid"), {});
}

}  // namespace

std::optional<outcome> handle_official_text(const std::string& text, context& ctx, const sender& s) {
    return handle_official_text(text, bot::fold_text(text), ctx, s);
}

std::optional<outcome> handle_official_text(const std::string& text, const std::string& cmd, context& ctx, const sender& s) {
    const std::string& me = s.id();
    if (me.empty()) return std::nullopt;
    const std::int64_t now = ctx.now_ms();

    // Linking: "DK <code>" (also "ĐK", "dk: code") from anyone.
    if (cmd.size() > 3 && cmd.rfind("dk ", 0) == 0) {
        std::string code = cmd.substr(3);
        if (bot::looks_like_link_code(code)) return link_account(ctx, me, code);
    }

    // "help", "menu", "hướng dẫn", "?": an official gets the officials' commands (a citizen the
    // citizens' menu, further down the pipeline).
    const bool help = is_help_request(cmd, text);
    // Folded, so "huỷ"/"hủy", "khoá"/"khóa" and typing without diacritics all match.
    static const std::set<std::string, std::less<>> switch_off = {"tat nhac", "tat nhac viec", "khoa nhac",
                                                                   "khoa nhac viec"};
    static const std::set<std::string, std::less<>> switch_on = {"bat nhac", "bat nhac viec", "mo nhac",
                                                                  "mo khoa nhac", "mo nhac viec"};
    const bool reminders_switch = switch_off.count(cmd) || switch_on.count(cmd);
    const bool sign_in = is_sign_in_request(cmd);
    const bool known = help || sign_in || cmd == "ho so cua toi" || cmd == "qua han" || cmd == "sap den han" || reminders_switch;
    if (!known) return std::nullopt;
    const auto& off = s.official;
    if (!off) return std::nullopt;  // a citizen typing these words: the citizen flow answers
    if (help) return reply(me, ctx.texts.render("reminder_official_help"), off->unit_id);
    if (sign_in) return console_link(ctx, me, *off);

    if (reminders_switch) {
        const bool on = switch_on.count(cmd) > 0;
        storage::set_reminders_enabled(ctx.db, off->official_id, on);
        return reply(me, ctx.texts.render(on ? "reminder_on" : "reminder_off"), off->unit_id);
    }

    const auto cal = bot::calendar_for(ctx.cfg);
    const auto today_d = bot::local_date_of(now, ctx.cfg.time.utc_offset_minutes);
    const std::string today = bot::to_iso(today_d);
    auto mine = storage::open_dossiers_of(ctx.db, off->official_id);
    if (cmd == "ho so cua toi")
        return reply(me, list_text(ctx, mine, "reminder_list_mine", "reminder_list_empty_mine", today), off->unit_id);
    std::vector<storage::open_dossier> picked;
    if (cmd == "qua han") {
        for (auto& d : mine)
            if (d.due_on < today) picked.push_back(std::move(d));
        return reply(me, list_text(ctx, picked, "reminder_list_overdue", "reminder_list_empty_overdue", today), off->unit_id);
    }
    const std::string horizon = bot::to_iso(cal->add_working_days(today_d, ctx.cfg.reminders.due_soon_days));
    for (auto& d : mine)
        if (d.due_on >= today && d.due_on <= horizon) picked.push_back(std::move(d));
    return reply(me, list_text(ctx, picked, "reminder_list_due_soon", "reminder_list_empty_due_soon", today), off->unit_id);
}

}  // namespace handlers

// Shared conversation pieces.
#include "handlers/conversation_common.hpp"

#include "bot/core/calendar.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/messages.hpp"
#include "bot/core/staff.hpp"
#include "storage/handoff_repository.hpp"
#include "storage/official_repository.hpp"
#include "storage/user_repository.hpp"

#include <spdlog/spdlog.h>
#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>

namespace handlers {

std::string fold_text(std::string_view s) {
    std::string decomposed;
    utf8proc_uint8_t* out = nullptr;
    const auto opts = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
                                                     UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
    utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                      static_cast<utf8proc_ssize_t>(s.size()), &out, opts);
    if (n >= 0 && out) {
        decomposed.assign(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
    } else {
        // Invalid UTF-8: keep the ASCII letters and digits, drop the rest.
        for (char c : s)
            if (static_cast<unsigned char>(c) < 0x80) decomposed.push_back(c);
    }
    std::free(out);

    std::string r;
    r.reserve(decomposed.size());
    bool space = true;  // no leading space
    for (std::size_t i = 0; i < decomposed.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(decomposed[i]);
        if (c == 0xC4 && i + 1 < decomposed.size() && static_cast<unsigned char>(decomposed[i + 1]) == 0x91) {
            r.push_back('d');  // đ (casefolded Đ) has no decomposition
            ++i;
            space = false;
        } else if (c >= 0x80) {
            r.push_back(static_cast<char>(c));
            space = false;
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            r.push_back(static_cast<char>(c));
            space = false;
        } else if (c >= 'A' && c <= 'Z') {
            r.push_back(static_cast<char>(c - 'A' + 'a'));
            space = false;
        } else if (!space) {
            r.push_back(' ');
            space = true;
        }
    }
    while (!r.empty() && r.back() == ' ') r.pop_back();
    return r;
}

zalo::button query_button(std::string title, std::string payload) {
    zalo::button b;
    b.type = zalo::button::kind::query_show;
    b.title = std::move(title);
    b.payload = std::move(payload);
    return b;
}

std::vector<zalo::outgoing_message> with_buttons(const context& ctx, const std::string& to, std::string text,
                                                 std::vector<zalo::button> buttons, const std::string& purpose) {
    std::vector<zalo::outgoing_message> out;
    zalo::outgoing_message first;
    first.recipient = to;
    first.text = std::move(text);
    first.purpose = purpose;
    std::size_t i = 0;
    for (; i < buttons.size() && i < max_buttons_per_message; ++i) first.buttons.push_back(std::move(buttons[i]));
    out.push_back(std::move(first));
    while (i < buttons.size()) {
        zalo::outgoing_message more;
        more.recipient = to;
        more.text = ctx.texts.render("conversation_more_options");
        more.purpose = purpose;
        for (std::size_t k = 0; k < max_buttons_per_message && i < buttons.size(); ++k, ++i)
            more.buttons.push_back(std::move(buttons[i]));
        out.push_back(std::move(more));
    }
    return out;
}

std::vector<zalo::button> main_menu_buttons(const context& ctx) {
    // Zalo shows at most five buttons under a message: the menu fits in one message (a follow is
    // answered with exactly one), and "Xem thêm" opens the second page.
    const auto t = [&](const char* key) { return ctx.texts.render(key); };
    const std::string topic(payload::topic);
    return {
        query_button(t("conversation_button_submit_online"), topic + "nop_ho_so_truc_tuyen"),
        query_button(t("conversation_button_lookup"), topic + "tra_cuu_ho_so"),
        query_button(t("conversation_button_official"), topic + "gap_can_bo"),
        query_button(t("conversation_button_choose_unit"), std::string(payload::units)),
        query_button(t("conversation_button_more"), std::string(payload::more)),
    };
}

std::vector<zalo::button> more_menu_buttons(const context& ctx) {
    const auto t = [&](const char* key) { return ctx.texts.render(key); };
    const std::string topic(payload::topic);
    return {
        query_button(t("conversation_button_account"), topic + "tai_khoan_dvc"),
        query_button(t("conversation_button_birth"), topic + "khai_sinh"),
        query_button(t("conversation_button_payment"), topic + "thanh_toan_truc_tuyen"),
        query_button(t("conversation_button_hours"), topic + "gio_lam_viec"),
        query_button(t("conversation_button_address"), topic + "dia_chi_mot_cua"),
    };
}

std::vector<const bot::unit_config*> residence_units(const context& ctx) {
    // Citizens live in communes; the top level (the district one-stop desk) is not a residence.
    const std::string top = ctx.cfg.levels.empty() ? std::string("huyen") : ctx.cfg.levels.front().id;
    std::vector<const bot::unit_config*> out;
    for (const auto& u : ctx.cfg.units)
        if (u.level != top) out.push_back(&u);
    if (out.empty())
        for (const auto& u : ctx.cfg.units) out.push_back(&u);
    return out;
}

std::string unit_display_name(const context& ctx, const std::string& unit_id) {
    if (const auto* u = ctx.cfg.find_unit(unit_id)) return u->name;
    return ctx.texts.render("conversation_unit_unknown");
}

std::string unit_of_user(context& ctx, const std::string& user_id) {
    auto u = storage::find_user(ctx.db, user_id);
    return u ? u->unit_id : std::string{};
}

std::vector<std::string> handoff_recipients(context& ctx, const std::string& unit_id) {
    auto linked_on_duty = [&](const std::string& unit) {
        std::vector<std::string> ids;
        if (unit.empty()) return ids;
        // Propaganda members and viewers are staff too but do not answer citizens' cases.
        for (const auto& o : storage::officials_of_unit(ctx.db, unit))
            if (o.on_duty && !o.disabled && !o.zalo_user_id.empty() && bot::handles_cases(bot::role_of(o)))
                ids.push_back(o.zalo_user_id);
        return ids;
    };
    auto ids = linked_on_duty(unit_id);
    if (!ids.empty()) return ids;
    // Nobody at the commune (or no commune chosen): the district desk takes it.
    const std::string district = ctx.cfg.levels.empty() ? std::string("huyen") : ctx.cfg.levels.front().id;
    for (const auto& u : ctx.cfg.units)
        if (u.level == district && u.id != unit_id) return linked_on_duty(u.id);
    return ids;
}

std::string answer_expected_when(const context& ctx) {
    const std::int64_t now = ctx.now_ms();
    const int offset = ctx.cfg.reminders.utc_offset_minutes;
    const int start = bot::parse_hhmm(ctx.cfg.reminders.work_start).value_or(7 * 60 + 30);
    const int end = bot::parse_hhmm(ctx.cfg.reminders.work_end).value_or(17 * 60);
    const auto today = bot::local_date_of(now, offset);
    const int minute = bot::local_minute_of_day(now, offset);
    // Public holidays and compensatory days count too (templates/calendar): after Tết the desk
    // opens on the first working day, not on the Monday. Without a calendar, Monday–Friday.
    std::shared_ptr<const bot::work_calendar> cal;
    try {
        cal = bot::calendar_for(ctx.cfg);
    } catch (const std::exception& e) {
        spdlog::warn("working-day calendar unavailable, using Monday to Friday: {}", e.what());
    }
    const auto is_workday = [&cal](const bot::local_date& d) {
        if (cal) return cal->is_working_day(d);
        unsigned w = bot::weekday(d);
        return w >= 1 && w <= 5;
    };
    if (is_workday(today) && minute < end) {
        if (minute >= start) return ctx.texts.render("conversation_when_now");
        return ctx.texts.render("conversation_when_today", {{"start", ctx.cfg.reminders.work_start}});
    }
    auto day = today;
    do {
        day = bot::civil_from_days(bot::days_from_civil(day) + 1);
    } while (!is_workday(day));
    static const char* const names[] = {"Chủ nhật", "thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy"};
    return ctx.texts.render("conversation_when_next_day", {{"weekday", names[bot::weekday(day)]},
                                                           {"date", bot::to_vn(day)},
                                                           {"start", ctx.cfg.reminders.work_start}});
}

outcome open_handoff_for(context& ctx, const std::string& user_id, const std::string& reason,
                         const std::string& question, const std::string& kind) {
    const std::int64_t now = ctx.now_ms();
    auto u = storage::find_user(ctx.db, user_id);
    const std::string unit_id = u ? u->unit_id : std::string{};
    const std::string village = u ? u->village : std::string{};
    const std::int64_t id = storage::open_handoff(ctx.db, user_id, unit_id, reason, question, now);
    storage::set_fallback_streak(ctx.db, user_id, 0);

    outcome out;
    const std::string num = std::to_string(id);
    std::string place = unit_display_name(ctx, unit_id);
    if (!village.empty()) place = village + ", " + place;
    const auto recipients = handoff_recipients(ctx, unit_id);
    // Still open: operators see it in GET /api/v1/handoffs and answer through the API.
    if (recipients.empty()) spdlog::warn("hand-off #{} (unit '{}'): no on-duty official linked on Zalo to notify", id, unit_id);
    for (const auto& official : recipients) {
        zalo::outgoing_message m;
        m.recipient = official;
        m.purpose = "handoff";
        m.ref = "handoff:" + num;
        m.text = ctx.texts.render("conversation_handoff_notify", {{"id", num}, {"place", place}, {"question", question}});
        out.messages.push_back(std::move(m));
    }
    const char* key = reason == "fallbacks" ? "conversation_handoff_opened_after_fallbacks" : "conversation_handoff_opened";
    zalo::outgoing_message c;
    c.recipient = user_id;
    c.purpose = "reply";
    c.ref = "handoff:" + num;
    c.text = ctx.texts.render(key, {{"id", num}, {"when", answer_expected_when(ctx)}});
    out.messages.push_back(std::move(c));
    out.note = interaction_note{kind, "gap_can_bo", "handoff", unit_id};
    return out;
}

std::vector<zalo::outgoing_message> close_handoff_messages(context& ctx, std::int64_t id, const std::string& closed_by) {
    auto h = storage::find_handoff(ctx.db, id);
    if (!h || !storage::close_handoff(ctx.db, id, closed_by, ctx.now_ms())) return {};
    return with_buttons(ctx, h->user_id, ctx.texts.render("conversation_handoff_closed", {{"id", std::to_string(id)}}),
                        main_menu_buttons(ctx));
}

std::vector<zalo::outgoing_message> relay_handoff_answer(context& ctx, std::int64_t id, const std::string& answerer,
                                                         const std::string& text) {
    auto h = storage::find_handoff(ctx.db, id);
    if (!h || h->closed_at) return {};
    storage::record_first_answer(ctx.db, id, ctx.now_ms());
    zalo::outgoing_message m;
    m.recipient = h->user_id;
    m.purpose = "relay";
    m.ref = "handoff:" + std::to_string(id);
    m.text = ctx.texts.render("conversation_handoff_answer", {{"answerer", answerer}, {"text", text}});
    return {std::move(m)};
}

}  // namespace handlers

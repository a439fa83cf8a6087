// Hand-offs: opening, forwarding, officials' answers on Zalo, closing.
#include "handlers/handoff.hpp"

#include "bot/core/calendar.hpp"
#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/log_limiter.hpp"
#include "bot/core/messages.hpp"
#include "bot/core/official_accounts.hpp"
#include "bot/core/staff.hpp"
#include "bot/core/units.hpp"
#include "handlers/conversation_common.hpp"
#include "handlers/dossier_lookup.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <memory>

namespace handlers {

namespace {

// ---- officials answering a hand-off: "#12 nội dung", "#12 xong" ----

struct handoff_reply {
    std::int64_t id = 0;
    std::string body;
};

std::optional<handoff_reply> parse_handoff_reply(std::string_view text) {
    std::string t = trim(text);
    if (t.size() < 2 || t[0] != '#') return std::nullopt;
    std::size_t i = 1;
    while (i < t.size() && i < 19 && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == 1) return std::nullopt;
    if (i < t.size() && !(t[i] == ' ' || t[i] == ':' || t[i] == '\n' || t[i] == '\t' || t[i] == '-' || t[i] == '.'))
        return std::nullopt;
    handoff_reply r;
    r.id = std::stoll(t.substr(1, i - 1));
    std::string_view rest(t);
    rest.remove_prefix(i);
    while (!rest.empty() && (rest.front() == ':' || rest.front() == '-' || rest.front() == '.' || rest.front() == ' ' ||
                             rest.front() == '\n' || rest.front() == '\t'))
        rest.remove_prefix(1);
    r.body = trim(rest);
    return r;
}

/// "kết thúc", "kết thúc hỗ trợ", "huỷ hỗ trợ", "xong rồi": the citizen ends the hand-off.
bool is_citizen_close(const std::string& text) {
    const std::string f = fold_text(trim(text));
    for (const char* w : {"ket thuc", "ket thuc ho tro", "huy ho tro", "xong roi", "dung ho tro"})
        if (f == w) return true;
    return false;
}

outcome citizen_close_handoff(context& ctx, const storage::handoff& h) {
    outcome out;
    if (!storage::close_handoff(ctx.db, h.id, "citizen", ctx.now_ms())) return out;
    const std::string num = std::to_string(h.id);
    out.messages = to_handoff_officials(ctx, h, ctx.texts.render("conversation_handoff_citizen_closed_notify", {{"id", num}}));
    for (auto& m : with_buttons(ctx, h.user_id, ctx.texts.render("conversation_handoff_closed_by_citizen", {{"id", num}}),
                                main_menu_buttons(ctx)))
        out.messages.push_back(std::move(m));
    out.note = interaction_note{"command", "", interaction_outcome::command, h.unit_id};
    return out;
}

// Shared by every thread that opens hand-offs (log_limiter is thread-safe).
bot::log_limiter& unnotified_log() {
    static bot::log_limiter log;
    return log;
}

}  // namespace

bool may_handle(const context& ctx, const storage::official& o, const storage::handoff& h) {
    return bot::may(bot::role_of(o), bot::staff_action::handle_handoffs) && bot::scope_of(o).covers(ctx.cfg, h.unit_id);
}

std::string handoff_desk(const context& ctx) {
    // The first of today's units of the highest level that has any: the one-stop desk above
    // every commune (the province's since 2025, a district's in a file of one period).
    const auto now = bot::units_on(ctx.cfg, today_of(ctx));
    for (const auto& level : ctx.cfg.levels)
        for (const auto* u : now)
            if (u->level == level.id) return u->id;
    return {};
}

std::string handoff_unit_for(const context& ctx, const std::string& citizen_unit) {
    if (citizen_unit.empty()) {
        // No commune chosen: the commune whose Official Account the citizen wrote to, else the
        // desk above every commune.
        const auto own = bot::oa_units_on(ctx.cfg, ctx.oa, today_of(ctx));
        return own.empty() ? handoff_desk(ctx) : own.front()->id;
    }
    // A citizen who chose a commune that was merged since is the successor's case.
    const auto* now = bot::unit_on(ctx.cfg, citizen_unit, today_of(ctx));
    return now ? now->id : citizen_unit;
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
    // The unit as it is today (a commune merged since: the one that took over), then the units
    // above it; nobody on duty anywhere there (or no commune chosen): the desk above every commune.
    const bot::unit_config* u = unit_id.empty() ? nullptr : bot::unit_on(ctx.cfg, unit_id, today_of(ctx));
    for (int depth = 0; u && depth < 8; ++depth, u = bot::parent_of(ctx.cfg, *u))
        if (auto ids = linked_on_duty(u->id); !ids.empty()) return ids;
    const std::string desk = handoff_desk(ctx);
    if (desk != unit_id) return linked_on_duty(desk);
    return {};
}

std::vector<zalo::outgoing_message> to_handoff_officials(context& ctx, const storage::handoff& h, const std::string& text) {
    std::vector<zalo::outgoing_message> out;
    for (const auto& official : handoff_recipients(ctx, h.unit_id)) {
        zalo::outgoing_message m;
        m.recipient = official;
        m.purpose = "handoff";
        m.ref = "handoff:" + std::to_string(h.id);
        m.text = text;
        out.push_back(std::move(m));
    }
    return out;
}

std::string answer_expected_when(const context& ctx) {
    const std::int64_t now = ctx.now_ms();
    const int offset = ctx.cfg.time.utc_offset_minutes;
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
    const std::string weekday = ctx.texts.render("conversation_weekday_" + std::to_string(bot::weekday(day)));
    return ctx.texts.render("conversation_when_next_day", {{"weekday", weekday},
                                                           {"date", bot::to_vn(day)},
                                                           {"start", ctx.cfg.reminders.work_start}});
}

outcome open_handoff_for(context& ctx, const storage::user& u, const std::string& reason, const std::string& question,
                         const std::string& kind) {
    const std::int64_t now = ctx.now_ms();
    // A citizen who has chosen no commune is the desk's case: its staff are notified and may
    // answer it (may_handle), which they could not for a hand-off of no unit.
    const std::string unit = handoff_unit_for(ctx, u.unit_id);
    const std::int64_t id = storage::open_handoff(ctx.db, u.user_id, unit, reason, question, now);
    storage::set_fallback_streak(ctx.db, u.user_id, 0);

    storage::handoff h;
    h.id = id;
    h.user_id = u.user_id;
    h.unit_id = unit;
    const std::string num = std::to_string(id);
    std::string place = unit_display_name(ctx, u.unit_id);
    if (!u.village.empty()) place = u.village + ", " + place;
    outcome out;
    out.messages = to_handoff_officials(
        ctx, h, ctx.texts.render("conversation_handoff_notify", {{"id", num}, {"place", place}, {"question", question}}));
    // Still open: operators see it in GET /api/v1/handoffs and answer through the API.
    // One line per unit and state, not one per hand-off: a unit with no official on Zalo is a
    // setting to fix, and a busy OA opens hand-offs by the hundred (their count follows).
    const std::string log_key = "handoff-unnotified:" + unit;
    if (out.messages.empty())
        unnotified_log().log(bot::log_level::warn, log_key,
                             fmt::format("hand-offs of unit '{}': no on-duty official linked on Zalo to notify; "
                                         "they wait in the console's inbox",
                                         unit));
    else
        unnotified_log().ok(log_key, fmt::format("hand-offs of unit '{}': on-duty officials are notified again", unit));
    const char* key = reason == "fallbacks" ? "conversation_handoff_opened_after_fallbacks" : "conversation_handoff_opened";
    zalo::outgoing_message c;
    c.recipient = u.user_id;
    c.purpose = "reply";
    c.ref = "handoff:" + num;
    c.text = ctx.texts.render(key, {{"id", num}, {"when", answer_expected_when(ctx)}});
    out.messages.push_back(std::move(c));
    out.note = interaction_note{kind, "gap_can_bo", interaction_outcome::handoff, unit};
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

std::optional<outcome> official_handoff_reply(context& ctx, const std::string& text, const sender& s) {
    if (!s.official) return std::nullopt;
    auto r = parse_handoff_reply(text);
    if (!r) return std::nullopt;
    const storage::official& official = *s.official;
    const std::string num = std::to_string(r->id);
    auto to_official = [&](const char* key) {
        zalo::outgoing_message m;
        m.recipient = s.id();
        m.text = ctx.texts.render(key, {{"id", num}});
        return m;
    };
    outcome out;
    out.note = interaction_note{"command", "", interaction_outcome::command, official.unit_id};
    auto h = storage::find_handoff(ctx.db, r->id);
    if (!h) {
        out.messages.push_back(to_official("conversation_handoff_not_found"));
        return out;
    }
    // Only staff who handle cases and serve the hand-off's unit (or a unit above it) may answer
    // or close it: ids are sequential, so anyone could otherwise take another commune's case.
    // Checked before anything else about it, so a refused official learns nothing of its state.
    if (!may_handle(ctx, official, *h)) {
        out.messages.push_back(to_official("conversation_handoff_not_yours"));
        return out;
    }
    if (r->body.empty()) {
        out.messages.push_back(to_official("conversation_handoff_usage"));
        return out;
    }
    if (h->closed_at) {
        out.messages.push_back(to_official("conversation_handoff_already_closed"));
        return out;
    }
    static const std::array<std::string_view, 6> close_words = {"xong", "dong", "ket thuc", "da xong", "close", "dong lai"};
    const std::string folded = fold_text(r->body);
    if (std::find(close_words.begin(), close_words.end(), folded) != close_words.end()) {
        out.messages = close_handoff_messages(ctx, r->id, "official:" + official.official_id);
        out.messages.push_back(to_official("conversation_handoff_closed_official"));
        return out;
    }
    const std::string answerer = ctx.texts.render(
        "conversation_answerer_official", {{"name", official.name}, {"unit", unit_display_name(ctx, official.unit_id)}});
    out.messages = relay_handoff_answer(ctx, r->id, answerer, r->body);
    out.messages.push_back(to_official("conversation_handoff_relayed"));
    return out;
}

outcome citizen_message_in_handoff(context& ctx, const std::string& text, const sender& s) {
    const storage::handoff& h = *s.open_handoff;
    if (is_citizen_close(text)) return citizen_close_handoff(ctx, h);
    auto forward = to_handoff_officials(
        ctx, h, ctx.texts.render("conversation_handoff_forward", {{"id", std::to_string(h.id)}, {"text", trim(text)}}));
    // A dossier code still gets its status while the bot is otherwise quiet: the citizen need not
    // wait for an official to read out what the bot knows. The officials see the message too.
    if (auto code = find_dossier_code(ctx.cfg, text)) {
        outcome out = dossier_lookup(ctx, s.id(), *code, "text", s.unit_id());
        for (auto& m : forward) out.messages.push_back(std::move(m));
        return out;
    }
    outcome out;
    out.messages = std::move(forward);
    out.note = interaction_note{"handoff_message", "", interaction_outcome::handoff, h.unit_id};
    return out;
}

}  // namespace handlers

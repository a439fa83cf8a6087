// Shared conversation pieces.
#include "handlers/conversation_common.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/messages.hpp"
#include "bot/core/official_accounts.hpp"
#include "bot/core/scope.hpp"
#include "bot/core/units.hpp"
#include "bot/core/wording.hpp"
#include "storage/user_repository.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace handlers {

std::string trim(std::string_view s) {
    const auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!s.empty() && ws(s.front())) s.remove_prefix(1);
    while (!s.empty() && ws(s.back())) s.remove_suffix(1);
    return std::string(s);
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

outcome reply_to(const context& ctx, const std::string& to, std::string text, std::vector<zalo::button> buttons,
                 interaction_note note) {
    outcome out;
    out.messages = with_buttons(ctx, to, std::move(text), std::move(buttons));
    out.note = std::move(note);
    return out;
}

zalo::button official_button(const context& ctx) {
    return query_button(ctx.texts.render("conversation_button_official"), std::string(payload::topic) + "gap_can_bo");
}

std::vector<zalo::button> main_menu_buttons(const context& ctx) {
    // Zalo shows at most five buttons under a message: the menu fits in one message (a follow is
    // answered with exactly one), and "Xem thêm" opens the second page.
    const auto t = [&](const char* key) { return ctx.texts.render(key); };
    const std::string topic(payload::topic);
    return {
        query_button(t("conversation_button_submit_online"), topic + "nop_ho_so_truc_tuyen"),
        query_button(t("conversation_button_lookup"), topic + "tra_cuu_ho_so"),
        official_button(ctx),
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

std::string today_of(const context& ctx) {
    return bot::to_iso(bot::local_date_of(ctx.now_ms(), ctx.cfg.time.utc_offset_minutes));
}

std::vector<const bot::unit_config*> residence_units(const context& ctx) {
    // Citizens live in today's communes and wards; a unit with units below it (the province, a
    // district desk) is not a residence.
    // The citizens of a commune's own Official Account choose among the units it serves.
    const std::string today = today_of(ctx);
    auto now = bot::units_on(ctx.cfg, today);
    if (const auto own = bot::oa_units_on(ctx.cfg, ctx.oa, today); !own.empty()) {
        std::vector<std::string> ids;
        for (const auto* u : own) ids.push_back(u->id);
        const auto served = bot::unit_scope::of(std::move(ids));
        std::erase_if(now, [&](const bot::unit_config* u) { return !served.covers(ctx.cfg, u->id); });
    }
    std::vector<const bot::unit_config*> out;
    for (const auto* u : now)
        if (std::none_of(now.begin(), now.end(), [u](const bot::unit_config* c) { return c->parent == u->id; })) out.push_back(u);
    if (out.empty()) return now;
    return out;
}

std::string unit_display_name(const context& ctx, const std::string& unit_id) {
    if (const auto* u = bot::unit_on(ctx.cfg, unit_id, today_of(ctx))) return u->name;
    return ctx.texts.render("conversation_unit_unknown");
}

std::string desk_of_unit(const context& ctx, const std::string& unit_id) {
    // A commune merged since: the desk of the one that took over its work.
    if (const auto* u = bot::unit_on(ctx.cfg, unit_id, today_of(ctx))) return bot::desk_name_of(ctx.texts, *u);
    const auto& d = ctx.texts.defaults();
    auto it = d.find("desk");
    return it == d.end() ? std::string{} : it->second;
}

std::string unit_of_user(context& ctx, const std::string& user_id) {
    auto u = storage::find_user(ctx.db, user_id);
    return u ? u->unit_id : std::string{};
}

}  // namespace handlers
